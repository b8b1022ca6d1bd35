"""Each recognition rule on its own: blank English Docs with hand-set entities and a gazetteer of a
few places held in memory, so every test runs in milliseconds and needs no model or database."""

from __future__ import annotations

from collections.abc import Iterable

from geomap.gazetteer.names import fold
from geomap.gazetteer.store import UNKNOWN, Fame
from geomap.kinds import KINDS, Rank
from geomap.model import Candidate, Feature, Place


class TinyGazetteer:
    """The two questions the components ask of a gazetteer, answered from a list of places."""

    def __init__(self, places: Iterable[tuple[Place, Iterable[str]]] = (), demonyms: dict[str, Place] | None = None):
        self.names: dict[str, list[Candidate]] = {}
        self.adjectives: dict[str, list[Candidate]] = {}
        for place, aliases in places:
            self._add(self.names, place.name, Candidate(place, True))
            for alias in aliases:
                self._add(self.names, alias, Candidate(place, False))
        for word, place in (demonyms or {}).items():
            self._add(self.adjectives, word, Candidate(place, False))

    @staticmethod
    def _add(index: dict, name: str, candidate: Candidate) -> None:
        index.setdefault(fold(name), []).append(candidate)

    def candidates(self, key: str, demonym: bool = False) -> tuple[Candidate, ...]:
        return tuple((self.adjectives if demonym else self.names).get(key, ()))

    def known(self, keys: Iterable[str]) -> dict[str, Fame]:
        found = {}
        for key in set(keys):
            fames = [Fame(KINDS[c.place.feature].rank, c.place.population if c.exact else 0, False)
                     for c in self.names.get(key, ())]
            if key in self.adjectives:
                fames.append(Fame(-1, 0, True))
            if fames:
                found[key] = Fame(max(f.rank for f in fames), max(f.population for f in fames),
                                  any(f.demonym for f in fames))
        return found


def place(gid: int, name: str, feature: Feature, lat: float = 0.0, lon: float = 0.0, country: str = "",
          admin1: str = "", population: int = 0) -> Place:
    return Place(gid, name, lat, lon, feature, country, admin1, population)


def test_tiny_gazetteer_ranks_names_like_the_real_one():
    gaz = TinyGazetteer([(place(1, "Sava", Feature.RIVER), ()), (place(2, "Sava", Feature.CITY, population=16_000), ())])
    assert gaz.known(["sava", "nowhere"]) == {"sava": Fame(Rank.AREA, 16_000, False)}
    assert gaz.known(["nowhere"]).get("nowhere", UNKNOWN) == UNKNOWN
