"""Which spaCy pipeline and which gazetteer a command uses: plain values, cheap to send to a worker
process, which makes the same geoparser from them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from geomap.gazetteer.paths import default_db


@dataclass(frozen=True, slots=True)
class Setup:
    """The pipeline, the gazetteer, the places preferred for names, and the spaCy batch size."""

    model: str | None = None
    """An installed spaCy pipeline (None: geomap's default)."""
    gazetteer: Path | None = None
    """The gazetteer file (None: the default one)."""
    prefer: tuple[tuple[str, int], ...] = ()
    """(name, geonameid): the place a name means in every article."""
    batch_size: int = 32
    """Documents per spaCy batch."""

    def geoparser(self):
        from geomap.pipeline import DEFAULT_MODEL, Geoparser

        return Geoparser(self.model or DEFAULT_MODEL, self.gazetteer)

    def refuse_overwriting(self, inputs: Iterable[str | Path | None], outputs: Iterable[Path | None]) -> None:
        """Before any work: no output may be an input, the gazetteer included."""
        from geomap.outputs import refuse_overwriting

        refuse_overwriting([*inputs, self.gazetteer or default_db()], outputs)
