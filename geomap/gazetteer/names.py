"""How names are compared: one folding shared by the builder, the store and the recogniser."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_DROP = re.compile(r"[.'’ʼ`´]")
_SPACE = re.compile(r"[\s\-‐‑–—_/,]+")
_LATIN = re.compile(r"^[a-z0-9 &()]+$")


@lru_cache(maxsize=1 << 16)  # the same names recur across the texts of a batch
def fold(name: str) -> str:
    """Case, accents, dots and apostrophes folded away: "U.S." and "US" both give "us"."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("ß", "ss").replace("ø", "o").replace("Ø", "O").replace("ł", "l").replace("Ł", "L")
    return _SPACE.sub(" ", _DROP.sub("", stripped)).strip().casefold()


def is_latin(key: str) -> bool:
    """Whether a folded name is written in plain Latin letters, the only ones English news uses."""
    return bool(key) and bool(_LATIN.match(key))
