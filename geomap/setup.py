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
    home: str = ""
    """Where every article is from unless its record says ("Paris, Texas", a GeoNames id, "LAT,LON")."""
    batch_size: int = 32
    """Documents per spaCy batch."""

    def geoparser(self):
        from geomap.pipeline import DEFAULT_MODEL, Geoparser

        return Geoparser(self.model or DEFAULT_MODEL, self.gazetteer)

    def check(self) -> None:
        """Before any text is read: every preferred place and the home name a place in the gazetteer."""
        from geomap.gazetteer import shared_gazetteer
        from geomap.resolve import preferred
        from geomap.resolve.focus import home_place

        gazetteer = shared_gazetteer(self.gazetteer)
        preferred(gazetteer, dict(self.prefer))
        if self.home:
            home_place(gazetteer, self.home)

    def refuse_overwriting(self, inputs: Iterable[str | Path | None], outputs: Iterable[Path | None]) -> None:
        """Before any work: no output may be an input, the gazetteer included."""
        from geomap.outputs import refuse_overwriting

        refuse_overwriting([*inputs, self.gazetteer or default_db()], outputs)
