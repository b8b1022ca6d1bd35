"""The one table of place kinds: what each `Feature` means to recognition, resolution and the map.

Adding a kind is one row here plus data that carries it. Every module that treats kinds
differently reads this table instead of listing features of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum

from geomap.model import Feature


class Shape(str, Enum):
    """How a place of the kind is drawn when it has a geometry."""

    OUTLINE = "outline"
    LINE = "line"
    CIRCLE = "circle"


class Rank(IntEnum):
    """How prominent a kind is. The recogniser's thresholds are these levels, never particular kinds."""

    OTHER = 0
    LOCAL = 1
    """Towns and districts: taken only when large, or after a cue word ("in", "near")."""
    MINOR = 2
    """Peaks and landforms: named in news, less often than the kinds above."""
    AREA = 3
    """Taken wherever it is capitalised; beats a surname, an adjective reading and a sentence start."""
    MAJOR = 4
    """Short capitals ("US", "EU", "UAE") of this rank count even inside an organisation's name."""
    COUNTRY = 5
    """Stands out even as a word of a longer organisation name."""


class Area(str, Enum):
    """Which code of the places inside it a place stands for (`Place.country`, `Place.admin1`)."""

    NONE = ""
    COUNTRY = "country"
    ADMIN1 = "admin1"


class Hint(str, Enum):
    """The weak context hints of the resolver: a chosen place's country, its first-level region,
    its position (another candidate within `near_km`)."""

    COUNTRY = "country"
    REGION = "region"
    NEAR = "near"


class Trust(str, Enum):
    """Whether a known name of the kind is a place where the NER calls it a person or an organisation."""

    NER = "ner"
    """The NER's reading stands, as for any name (the recogniser's own tests apply)."""
    SIGN = "sign"
    """The place when the text points at it ("the Danube", "in …", "Sava river"); without a sign,
    a name prominent only as this kind stays the person or company ("Amazon said")."""
    ALWAYS = "always"
    """The place: people and companies seldom share the name."""


ALL_HINTS = frozenset(Hint)
COUNTRY_ONLY = frozenset({Hint.COUNTRY})


@dataclass(frozen=True, slots=True)
class Kind:
    feature: Feature
    rank: Rank
    """How prominent the kind is when nothing else tells namesakes apart (search order, and
    whether a capitalised name is taken as a place wherever it stands)."""
    prior: float
    """The resolver's starting score for a candidate of this kind (the default of its config's
    `feature_prior`)."""
    layer: str
    """The map layer it is drawn in."""
    shape: Shape
    town: bool
    """A populated place: population weighs per power of ten (an area's counts for less)."""
    words: str
    """What a popup calls it ("town in Illinois, United States")."""
    reason: str
    area: Area = Area.NONE
    """The area the place itself is: a qualifier of this kind holds the places with its code
    ("Paris, Texas"), and as one reading of a mention it lends nothing to them ("Mexico" beside
    "Mexican" stays the country, not Mexico City)."""
    lends: frozenset[Hint] = COUNTRY_ONLY
    """The hints a place of this kind, once chosen, gives the other mentions' candidates: only a
    place whose first-level region code and point say where it is lends them."""
    takes: frozenset[Hint] = COUNTRY_ONLY
    """The hints a candidate of this kind earns from the others (a country takes no country hint)."""
    names_region: bool = False
    """A place of this kind with its first-level region's name, holding a tenth of its people, is
    what the bare name means ("New York", "Moscow"), not a village that merely shares it."""
    noisy_aliases: bool = False
    """Its alternate names are many or derived (towns' variants, "Winnipeg" for Lake Winnipeg), so
    a candidate found by one starts lower; areas' alternate names are curated."""
    trust: Trust = Trust.NER
    """Whether the NER's person or organisation reading of a known name of this kind stands (`Trust`)."""


KINDS: dict[Feature, Kind] = {k.feature: k for k in (
    Kind(Feature.COUNTRY, Rank.COUNTRY, 8.0, "Countries", Shape.OUTLINE, False, "country",
         "a country name almost always means the country; it holds the places of its code and "
         "takes no country hint of its own",
         area=Area.COUNTRY, takes=frozenset()),
    Kind(Feature.CONTINENT, Rank.MAJOR, 7.5, "Countries", Shape.CIRCLE, False, "continent",
         "continents are named as often as countries; drawn as a point, their outline would cover the map"),
    Kind(Feature.TERRITORY, Rank.MAJOR, 6.0, "Regions", Shape.OUTLINE, False, "disputed territory",
         "Gaza Strip, Crimea, Transnistria: named in news like countries, but below them; "
         "nobody's or no company's name, whatever the NER says",
         trust=Trust.ALWAYS),
    Kind(Feature.ADMIN1, Rank.AREA, 4.0, "Regions", Shape.OUTLINE, False, "region",
         "first-level regions (states, oblasts) are prominent but share names with their cities; "
         "they hold their towns, whose region hint and nearness they lend",
         area=Area.ADMIN1, lends=ALL_HINTS),
    Kind(Feature.REGION, Rank.AREA, 5.0, "Regions", Shape.OUTLINE, False, "region",
         "named regions (Middle East, Donbas) and natural ones (Siberia, Patagonia) are only ever meant as the region"),
    Kind(Feature.PHYSICAL, Rank.AREA, 6.5, "Features", Shape.OUTLINE, False, "sea or gulf",
         "seas, gulfs, bays, straits and oceans (only those: Natural Earth's marine areas) beat namesake "
         "regions of a few million people (the Red Sea, not Red Sea State) unless the text names the "
         "region's country, and a namesake town in a country the text names (the tropical Atlantic of a "
         "US hurricane story, not Atlantic, Iowa)"),
    Kind(Feature.RIVER, Rank.AREA, 4.5, "Features", Shape.LINE, False, "river",
         "a river's name in news means the river unless context says otherwise; where the NER reads "
         "a person or company (Amazon, Orange, Jordan), the text must point at the river; below a city "
         "of half a million that bears its name (Winnipeg) unless the text does ('the Winnipeg')",
         trust=Trust.SIGN, noisy_aliases=True),
    Kind(Feature.LAKE, Rank.AREA, 4.5, "Features", Shape.OUTLINE, False, "lake",
         "lakes and reservoirs, like rivers", trust=Trust.SIGN, noisy_aliases=True),
    Kind(Feature.RANGE, Rank.AREA, 5.0, "Features", Shape.OUTLINE, False, "mountain range",
         "the Alps, the Andes: prominent, rarely namesakes", trust=Trust.SIGN, noisy_aliases=True),
    Kind(Feature.ISLAND, Rank.AREA, 4.5, "Features", Shape.OUTLINE, False, "island",
         "islands are often also admin regions or countries, which rank above them", trust=Trust.SIGN, noisy_aliases=True),
    Kind(Feature.PENINSULA, Rank.AREA, 4.5, "Features", Shape.OUTLINE, False, "peninsula or cape",
         "the Korean Peninsula, the Cape of Good Hope", trust=Trust.SIGN, noisy_aliases=True),
    Kind(Feature.LANDFORM, Rank.MINOR, 4.0, "Features", Shape.OUTLINE, False, "desert, plain or other landform",
         "deserts, plains, plateaus, basins, valleys, deltas, coasts: named in news, less often than the above"),
    Kind(Feature.MOUNTAIN, Rank.MINOR, 3.5, "Features", Shape.CIRCLE, False, "mountain",
         "single peaks and volcanoes share names with towns and people more often than ranges do"),
    Kind(Feature.ADMIN2, Rank.LOCAL, 3.0, "Regions", Shape.OUTLINE, False, "district",
         "second-level regions are mostly named after their seat town, which is usually meant; "
         "their codes and points say where they are, so they give and take every hint",
         lends=ALL_HINTS, takes=ALL_HINTS),
    Kind(Feature.CAPITAL, Rank.LOCAL, 1.0, "Towns", Shape.CIRCLE, True, "capital",
         "a capital is more often meant than a namesake town of the same size",
         lends=ALL_HINTS, takes=ALL_HINTS, names_region=True, noisy_aliases=True),
    Kind(Feature.CITY, Rank.LOCAL, 0.0, "Towns", Shape.CIRCLE, True, "town",
         "towns rank by population alone; every hint says which namesake is meant",
         lends=ALL_HINTS, takes=ALL_HINTS, names_region=True, noisy_aliases=True),
    Kind(Feature.OTHER, Rank.OTHER, 0.0, "Features", Shape.CIRCLE, True, "place",
         "anything else a user adds: weighed like a town, but without a region code to trust",
         lends=frozenset({Hint.COUNTRY, Hint.NEAR}), takes=frozenset({Hint.COUNTRY, Hint.NEAR}),
         noisy_aliases=True),
)}
assert KINDS.keys() == set(Feature), "every Feature needs a row"

LAYERS = {
    "Countries": "#3b6fb6",
    "Regions": "#8e44ad",
    "Features": "#16a085",
    "Towns": "#d35400",
    "Named only as adjective": "#7f8c8d",
    "Placed approximately": "#7d5a50",
}
"""Map layers in legend order, with their colours."""


