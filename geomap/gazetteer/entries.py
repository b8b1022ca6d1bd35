"""What a gazetteer build stores: `Entry` values (a place, its names, its outline) and the name kinds.

Small on purpose: the read-only reader imports the name kinds from here without loading the
build's data readers (`sources.py`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry

from geomap.gazetteer.names import fold, is_latin
from geomap.model import Place

NAME, ALIAS, DEMONYM = 0, 1, 2
"""How a name relates to its place, stored with every name row."""

OUTLINE_TOLERANCE = 0.02
"""Degrees; outlines are simplified to this so a map stays light."""


@dataclass(slots=True)
class Entry:
    """A place with every name it answers to and, where known, its outline."""

    place: Place
    names: dict[str, int] = field(default_factory=dict)
    """Display form -> NAME, ALIAS or DEMONYM."""
    geometry: BaseGeometry | None = None
    derived_geometry: bool = False

    def add(self, name: str | None, kind: int = ALIAS) -> None:
        name = (name or "").strip()
        if not name or not is_latin(fold(name)):
            return
        self.names[name] = min(kind, self.names.get(name, kind))


def stable_id(text: str) -> int:
    """A negative id for a place GeoNames does not number: stable across builds, never a GeoNames id."""
    digest = hashlib.sha1(text.encode("utf-8")).digest()
    return -(int.from_bytes(digest[:6], "big") + 1)
