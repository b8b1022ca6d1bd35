"""A language's word lists, one CSV file per list under a folder named by the language ("en").

Every row names its word and says why it is on the list ("why"), as the gazetteer's own
`regions.csv` and `aliases.csv` do: the lists are data, reviewed row by row, not code.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def rows(name: str, language: str = "en") -> tuple[dict[str, str], ...]:
    """The rows of `<language>/<name>.csv`; a row without its word or its reason is refused."""
    path = resources.files(__name__) / language / f"{name}.csv"
    with io.TextIOWrapper(path.open("rb"), encoding="utf-8", newline="") as fh:  # csv's newline=""; Traversable.open takes none
        found = tuple(csv.DictReader(fh))
    for number, row in enumerate(found, 2):
        if not row.get("word") or not (row.get("why") or "").strip():
            raise ValueError(f"{path}:{number}: each row needs a word and why it is listed")
    return found


def words(name: str, language: str = "en") -> frozenset[str]:
    """The words of one list."""
    return frozenset(row["word"] for row in rows(name, language))
