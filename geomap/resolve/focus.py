"""Where an article is from or about, and how close a candidate is to it.

A local reader settles namesakes by knowing the paper's town and what the story is about; geomap
reads the same from the dateline ("PARIS, Texas —", "LODWAR, Kenya (AP) —"), the home the user
gives (`home_place`), or, failing both, the region or country most of the text's places agree on.
"""

from __future__ import annotations

import re
from collections import Counter

from geomap.errors import InputError
from geomap.gazetteer.names import fold
from geomap.gazetteer.store import Gazetteer
from geomap.geodesy import distance_km
from geomap.kinds import KINDS, Area, Hint
from geomap.model import Focus, FocusLevel, Place
from geomap.resolve.evidence import inside

DATELINE = re.compile(
    r"^[ \t]*(?P<name>[A-Z][A-Z.'’\- ]*[A-Z.])"        # PARIS, ZAMBOANGA CITY, ST. LOUIS
    r"(?:[ \t]*,[ \t]*(?P<area>[^\n,—–(]{1,40}?))?"     # , Texas / , Pa. / , Bosnia and Herzegovina
    r"[ \t]*(?:\([^)\n]{1,30}\))?"                      # (AP), (Reuters)
    r"[ \t]*(?:—|–|--|-)", re.MULTILINE)
"""A dateline: a place in capitals opening a line, maybe its region or country, maybe the agency,
then a dash."""
DATELINE_CHARS = 1_000
"""A dateline opens the article: it is looked for only this far in (after the headline)."""
_POINT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


def home_place(gazetteer: Gazetteer, spec: str) -> Place:
    """The place a home names: a GeoNames id, "LAT,LON" (the nearest town within 50 km), or a name
    as `gazetteer search` takes it, optionally with the area it is in ("Paris, Texas"); the most
    prominent match. A home that names no place is an `InputError`."""
    text = spec.strip()
    if text.lstrip("-").isdigit():
        place = gazetteer.get(int(text))
        if place is None:
            raise InputError(f"`home` {spec!r}: the gazetteer has no place {text}", parameters=("home",))
        return place
    if point := _POINT.match(text):
        lat, lon = float(point[1]), float(point[2])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError(f"`home` {spec!r}: not a latitude,longitude", parameters=("home",))
        towns = [p for p in gazetteer.near(lat, lon, 50.0, limit=50) if KINDS[p.feature].town]
        if not towns:
            raise InputError(f"`home` {spec!r}: no town within 50 km of that point", parameters=("home",))
        return towns[0]
    name, _, area = text.partition(",")
    places = gazetteer.search(name, limit=1000)
    if area.strip():
        containers = [c.place for c in gazetteer.candidates(fold(area))]
        places = [p for p in places if any(inside(p, c) for c in containers)]
    if not places:
        raise InputError(f"`home` {spec!r}: no such place in the gazetteer (see: geomap gazetteer search)",
                         parameters=("home",))
    return places[0]


def level_of(place: Place) -> FocusLevel:
    area = KINDS[place.feature].area
    return FocusLevel.COUNTRY if area is Area.COUNTRY else FocusLevel.REGION if area is Area.ADMIN1 else FocusLevel.TOWN


def dateline(text: str) -> tuple[int, int, str] | None:
    """The dateline's place name (start, end) and the area written after it ("" if none)."""
    found = DATELINE.search(text, 0, DATELINE_CHARS)
    if found is None or len(found["name"].strip(". ")) < 3:
        return None
    return found.start("name"), found.end("name"), (found["area"] or "").strip()


def closeness(place: Place, focus: Focus, near_km: float) -> tuple[bool, bool, float]:
    """How a candidate stands to the focus: in (or holding) its country, in (or being) its region,
    and how near its point is (1 at the focus, 0 from `near_km` on; only for a town-level focus)."""
    area = KINDS[place.feature].area
    f = focus.place
    same_country = bool(place.country) and place.country == f.country
    if area is Area.COUNTRY:
        return same_country, False, 0.0
    same_region = (same_country and focus.level is not FocusLevel.COUNTRY and bool(place.admin1)
                   and place.admin1 == f.admin1)
    if area is Area.ADMIN1 or focus.level is not FocusLevel.TOWN or Hint.NEAR not in KINDS[place.feature].takes:
        return same_country, same_region, 0.0
    d = distance_km(place.lat, place.lon, f.lat, f.lon)
    return same_country, same_region, max(0.0, 1.0 - d / near_km)


Shares = list[tuple[float, list[tuple[Place, float]]]]
"""Per name of the text: its weight, and each of its candidates with its share of the name's prior."""


def agreed(names: Shares, gazetteer: Gazetteer, min_names: int, min_vote: float, min_share: float,
           min_lead: float) -> Focus | None:
    """The first-level region, else the country, where the text's names could most plausibly be: each
    name votes for an area with the largest prior share any of its candidates there has ("Rome",
    "Athens", "Columbus" and "Georgia" all have plausible readings in Georgia). An area wins when
    `min_names` names have a reading there with a share of at least `min_vote` (one name, or one name
    and villages sharing the others' names, is no agreement) and it holds at least `min_share` of the
    votes and `min_lead` times the runner-up's."""
    total = sum(weight for weight, _ in names)
    if not total:
        return None
    for level in (FocusLevel.REGION, FocusLevel.COUNTRY):
        votes: Counter[tuple[str, str]] = Counter()
        voters: Counter[tuple[str, str]] = Counter()
        for weight, candidates in names:
            best: dict[tuple[str, str], float] = {}
            for place, share in candidates:
                if (area := _area_of(place, level)) is not None:
                    best[area] = max(best.get(area, 0.0), share)
            votes.update({area: weight * share for area, share in best.items()})
            voters.update(area for area, share in best.items() if share >= min_vote)
        ranked = votes.most_common(2)
        if not ranked:
            continue
        (area, top), runner_up = ranked[0], ranked[1][1] if len(ranked) > 1 else 0.0
        if voters[area] >= min_names and top >= min_share * total and top >= min_lead * runner_up:
            found = gazetteer.area(*area)
            if found is not None:
                return Focus(found, level, "text", top / total)
    return None


def _area_of(place: Place, level: FocusLevel) -> tuple[str, str] | None:
    """The region (or country) a candidate is a reading in: a place that lends that hint, or the area itself."""
    hint = Hint.REGION if level is FocusLevel.REGION else Hint.COUNTRY
    if not place.country or (level is FocusLevel.REGION and not place.admin1):
        return None
    if hint not in KINDS[place.feature].lends and level_of(place) is not level:
        return None
    return (place.country, place.admin1 if level is FocusLevel.REGION else "")
