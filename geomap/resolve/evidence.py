"""How much a candidate is worth: before the text speaks (`prior`) and after (`evidence`)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from geomap.geodesy import PointGrid
from geomap.kinds import KINDS, Area, Hint, Trust
from geomap.model import Candidate, Feature, Place
from geomap.resolve.settings import ResolverSettings


def prior_score(c: Candidate, s: ResolverSettings, priors: dict[Feature, float], signed: bool) -> float:
    """The candidate's score before the rest of the text speaks; `signed`: the text points at a feature."""
    place = c.place
    score = priors[place.feature]
    kind = KINDS[place.feature]
    score += (s.population_weight if kind.town else s.area_population_weight) * math.log10(place.population + 1)
    if not c.exact and kind.noisy_aliases:
        score -= s.alias_penalty
    if c.user:
        score += s.user_bonus
    if signed and kind.trust is not Trust.NER:
        score += s.feature_sign
    return score


def namesake_city(c: Candidate, cands: list[Candidate], s: ResolverSettings) -> float:
    """A city that gave its name to its region ("New York", "Moscow") is what a bare name means;
    a village that merely shares a state's name ("Montana City") is not: it must hold a tenth
    of the region's people."""
    if not KINDS[c.place.feature].names_region:
        return 0.0
    for other in cands:
        if (KINDS[other.place.feature].area is Area.ADMIN1
                and (other.place.country, other.place.admin1) == (c.place.country, c.place.admin1)
                and c.place.population * 10 >= other.place.population):
            return s.namesake_city
    return 0.0


def area_code(place: Place) -> tuple[str, str] | None:
    """The code of the places a place holds: (cc, "") for a country, (cc, admin1) for a first-level
    region (the kinds table's `area`), None for a place that holds none."""
    area = KINDS[place.feature].area
    if area is Area.COUNTRY:
        return place.country, ""
    if area is Area.ADMIN1:
        return place.country, place.admin1
    return None


def rival_areas(cands: list[Candidate]) -> set[tuple[str, str]]:
    """The countries ((cc, "")) and first-level regions ((cc, admin1)) a mention may itself name."""
    return {code for c in cands if (code := area_code(c.place)) is not None}


def inside(place: Place, container: Place) -> bool:
    """Whether `place` lies in the country or first-level region `container` is (never in itself)."""
    area = KINDS[container.feature].area
    if area is Area.NONE or place.geonameid == container.geonameid:
        return False
    return place.country == container.country and (area is Area.COUNTRY or place.admin1 == container.admin1)


def _others(groups: set[int], group: int) -> bool:
    """Whether a group other than `group` is among `groups`."""
    return len(groups) > 1 or (bool(groups) and group not in groups)


@dataclass(slots=True)
class Support:
    """What each group of mentions currently points at, indexed by country, region, place and
    position: a question about "the others" costs the same however long the text is."""

    countries: dict[str, set[int]]
    admin1s: dict[tuple[str, str], set[int]]
    chosen: dict[int, set[int]]
    points: PointGrid

    @classmethod
    def of(cls, choices: list[Place | None], near_km: float) -> Support:
        countries: dict[str, set[int]] = defaultdict(set)
        admin1s: dict[tuple[str, str], set[int]] = defaultdict(set)
        chosen: dict[int, set[int]] = defaultdict(set)
        points = PointGrid(near_km)
        for group, place in enumerate(choices):
            if place is None:
                continue
            chosen[place.geonameid].add(group)
            lends = KINDS[place.feature].lends
            if place.country and Hint.COUNTRY in lends:
                countries[place.country].add(group)
            if Hint.REGION in lends:
                admin1s[(place.country, place.admin1)].add(group)
            if Hint.NEAR in lends:
                points.add(place)
        return cls(countries, admin1s, chosen, points)

    def evidence(self, place: Place, group: int, rivals: set[tuple[str, str]], s: ResolverSettings) -> float:
        """What the rest of the document says for this place (the mention's own group excluded).

        A country or region that is itself a reading of the mention lends no support to the
        places inside it: "Mexico" near "Mexican" is the country, not Mexico City. The weak
        hints are capped; the place being chosen elsewhere in the text is strong and is not.
        """
        takes = KINDS[place.feature].takes
        score = 0.0
        if (Hint.COUNTRY in takes and (place.country, "") not in rivals
                and _others(self.countries.get(place.country, set()), group)):
            score += s.country_context
        if (Hint.REGION in takes
                and (place.country, place.admin1) not in rivals
                and _others(self.admin1s.get((place.country, place.admin1), set()), group)):
            score += s.admin1_context
        if (Hint.NEAR in takes
                and any(_others(self.chosen[near], group) for near in self.points.near(place))):
            score += s.near_bonus
        score = min(score, s.context_cap)
        if _others(self.chosen.get(place.geonameid, set()), group):
            score += s.already_chosen
        return score
