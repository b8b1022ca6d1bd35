"""The one table of place kinds: what each `Feature` means to recognition, resolution and the map.

Adding a kind is one row here plus data that carries it. Every module that treats kinds
differently reads this table instead of listing features of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from geomap.model import Feature


class Shape(str, Enum):
    """How a place of the kind is drawn when it has a geometry."""

    OUTLINE = "outline"
    LINE = "line"
    CIRCLE = "circle"


@dataclass(frozen=True, slots=True)
class Kind:
    feature: Feature
    rank: int
    """How prominent the kind is when nothing else tells namesakes apart (search order, and
    whether a capitalised name is taken as a place wherever it stands)."""
    prior: float
    """The resolver's starting score for a candidate of this kind."""
    layer: str
    """The map layer it is drawn in."""
    shape: Shape
    town: bool
    """A populated place: population weighs per power of ten, alternate names are noisy, and
    nearness to other chosen places is evidence."""
    words: str
    """What a popup calls it ("town in Illinois, United States")."""
    reason: str


KINDS: dict[Feature, Kind] = {k.feature: k for k in (
    Kind(Feature.COUNTRY, 5, 8.0, "Countries", Shape.OUTLINE, False, "country",
         "a country name almost always means the country"),
    Kind(Feature.CONTINENT, 4, 7.5, "Countries", Shape.CIRCLE, False, "continent",
         "continents are named as often as countries; drawn as a point, their outline would cover the map"),
    Kind(Feature.TERRITORY, 4, 6.0, "Regions", Shape.OUTLINE, False, "disputed territory",
         "Gaza Strip, Crimea, Transnistria: named in news like countries, but below them"),
    Kind(Feature.ADMIN1, 3, 4.0, "Regions", Shape.OUTLINE, False, "region",
         "first-level regions (states, oblasts) are prominent but share names with their cities"),
    Kind(Feature.REGION, 3, 5.0, "Regions", Shape.OUTLINE, False, "region",
         "named regions (Middle East, Donbas) are only ever meant as the region"),
    Kind(Feature.PHYSICAL, 3, 5.0, "Features", Shape.OUTLINE, False, "sea or gulf",
         "seas, gulfs, straits and oceans beat namesake regions (the Red Sea, not Red Sea State)"),
    Kind(Feature.RIVER, 3, 5.0, "Features", Shape.LINE, False, "river",
         "a river's name in news means the river unless context says otherwise"),
    Kind(Feature.LAKE, 3, 5.0, "Features", Shape.OUTLINE, False, "lake",
         "lakes and reservoirs, like rivers"),
    Kind(Feature.RANGE, 3, 5.0, "Features", Shape.OUTLINE, False, "mountain range",
         "the Alps, the Andes: prominent, rarely namesakes"),
    Kind(Feature.ISLAND, 3, 4.5, "Features", Shape.OUTLINE, False, "island",
         "islands are often also admin regions or countries, which rank above them"),
    Kind(Feature.PENINSULA, 3, 4.5, "Features", Shape.OUTLINE, False, "peninsula or cape",
         "the Korean Peninsula, the Cape of Good Hope"),
    Kind(Feature.LANDFORM, 2, 4.0, "Features", Shape.OUTLINE, False, "desert, plain or valley",
         "deserts, plains, plateaus, basins, valleys: named in news, less often than the above"),
    Kind(Feature.MOUNTAIN, 2, 3.5, "Features", Shape.CIRCLE, False, "mountain",
         "single peaks and volcanoes share names with towns and people more often than ranges do"),
    Kind(Feature.ADMIN2, 1, 3.0, "Regions", Shape.OUTLINE, False, "district",
         "second-level regions are mostly named after their seat town, which is usually meant"),
    Kind(Feature.CAPITAL, 1, 1.0, "Towns", Shape.CIRCLE, True, "capital",
         "a capital is more often meant than a namesake town of the same size"),
    Kind(Feature.CITY, 1, 0.0, "Towns", Shape.CIRCLE, True, "town",
         "towns rank by population alone"),
    Kind(Feature.OTHER, 0, 0.0, "Features", Shape.CIRCLE, True, "place",
         "anything else a user adds: weighed like a town"),
)}
assert KINDS.keys() == set(Feature), "every Feature needs a row"

LAYERS = {
    "Countries": "#3b6fb6",
    "Regions": "#8e44ad",
    "Features": "#16a085",
    "Towns": "#d35400",
    "Named only as adjective": "#7f8c8d",
}
"""Map layers in legend order, with their colours."""


def kind(feature: Feature) -> Kind:
    return KINDS[feature]
