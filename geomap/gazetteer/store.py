"""The gazetteer's reader: names to candidate places, ids to places and outlines; reads only.

Opened read-only and queried through indexes, so it costs nothing to open and many processes can
share one file. Building, and opening a path that must be built first, is `geomap.gazetteer`'s
`open_gazetteer`; this module never writes.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import shapely
from shapely.geometry.base import BaseGeometry

from geomap.errors import GazetteerError
from geomap.gazetteer.names import fold
from geomap.gazetteer.database import State, identify, read_only_uri, refusal
from geomap.gazetteer.entries import DEMONYM, NAME
from geomap.geodesy import distance_km
from geomap.kinds import KINDS
from geomap.model import Candidate, Feature, Place

_COLUMNS = "p.geonameid, p.name, p.lat, p.lon, p.feature, p.country, p.admin1, p.population, p.source"

FEATURE_RANK = {feature: kind.rank for feature, kind in KINDS.items()}
"""How prominent a kind of place is when nothing else tells names apart."""


class Fame(NamedTuple):
    """How prominent the places answering to a name are, for deciding whether it is a place."""

    rank: int
    population: int
    demonym: bool


UNKNOWN = Fame(-1, 0, False)

PHYSICAL_KINDS = (Feature.PHYSICAL, Feature.RIVER, Feature.LAKE, Feature.MOUNTAIN, Feature.RANGE, Feature.ISLAND,
                  Feature.PENINSULA, Feature.LANDFORM)
"""The kinds `info` counts together as physical features (each also on its own; `physical` itself, the
seas, as "seas")."""
_COUNTED_ABOVE = {"country", "admin1", "admin2", "city", "capital", "physical", "region", "continent"}
"""Kinds `info` counts under names of their own; every other kind is counted under its feature name."""


def _place(row: tuple) -> Place:
    return Place(row[0], row[1], row[2], row[3], Feature(row[4]), row[5], row[6], row[7], row[8])


def prominence(place: Place) -> tuple[bool, int, int]:
    """The order `search` uses: user entries, then kind of place, then population."""
    return (place.source == "user", FEATURE_RANK[place.feature], place.population)


class Gazetteer:
    """A read-only view of a built gazetteer file."""

    def __init__(self, path: Path):
        self.path = path
        state = identify(path)
        if state is not State.CURRENT:
            raise refusal(path, state)
        self._db = sqlite3.connect(read_only_uri(path), uri=True, check_same_thread=False)
        self.candidates = lru_cache(maxsize=65536)(self._candidates)
        self._area_names = lru_cache(maxsize=4096)(self._area_name)
        self.basemap = lru_cache(maxsize=1)(self._basemap)
        self._of_kind = lru_cache(maxsize=2)(self._places_of_kind)  # a map's labels: countries, regions

    def close(self) -> None:
        self._db.close()

    def _rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """A query's rows; a file found damaged (malformed pages, a missing table) is a GazetteerError
        naming it, not a crash."""
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise GazetteerError(f"{self.path}: gazetteer damaged ({exc}); run 'geomap gazetteer build'") from None

    def _row(self, sql: str, params: Sequence = ()) -> tuple | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def __getstate__(self) -> dict:
        """Pickled as its path (a SQLite connection cannot travel), so components holding a
        gazetteer can go to worker processes, e.g. with spaCy's `nlp.pipe(n_process=2)`."""
        return {"path": self.path}

    def __setstate__(self, state: dict) -> None:
        Gazetteer.__init__(self, state["path"])

    def _candidates(self, key: str, demonym: bool = False) -> tuple[Candidate, ...]:
        """Places answering to a folded name; `demonym` asks for adjectival names instead."""
        kind_filter = "n.kind = ?" if demonym else "n.kind < ?"
        rows = self._rows(
            f"SELECT {_COLUMNS}, n.kind FROM names n JOIN places p USING (geonameid)"
            f" WHERE n.key = ? AND {kind_filter}",
            (key, DEMONYM),
        )
        return tuple(Candidate(_place(r), exact=r[-1] == 0, user=r[8] == "user") for r in rows)

    def known(self, keys: Iterable[str]) -> dict[str, Fame]:
        """For the folded names that exist: the best feature rank and largest population among
        their places, and whether the name is also an adjective ("Ukrainian"); one query.

        A town's population counts only under its own name: alternate names of towns are
        many and noisy ("Media" is an alternate name of Médéa), and fame should not leak
        through them. Demonyms rank -1; the user's own places rank as regions do.
        """
        keys = list(set(keys))
        found: dict[str, Fame] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for key, feature, population, kind, source in self._rows(
                f"SELECT n.key, p.feature, p.population, n.kind, p.source FROM names n JOIN places p USING (geonameid)"
                f" WHERE n.key IN ({marks})",
                chunk,
            ):
                rank = FEATURE_RANK[Feature(feature)] if kind != DEMONYM else -1
                if source == "user" and kind != DEMONYM:
                    rank = max(rank, FEATURE_RANK[Feature.ADMIN1])  # the user asked for these names
                if kind != NAME and rank <= FEATURE_RANK[Feature.CITY]:
                    population = 0
                best = found.get(key, Fame(-2, 0, False))
                found[key] = Fame(max(best.rank, rank), max(best.population, population),
                                  best.demonym or kind == DEMONYM)
        return found

    def area_name(self, country: str, admin1: str = "") -> str:
        """The name of a country, or of one of its first-level regions; "" when unknown."""
        if not country:
            return ""
        return self._area_names(country, admin1)

    def _area_name(self, country: str, admin1: str) -> str:
        feature, extra = (Feature.ADMIN1, " AND admin1 = ?") if admin1 else (Feature.COUNTRY, "")
        row = self._row(f"SELECT name FROM places WHERE country = ? AND feature = ?{extra}"
                        " ORDER BY population DESC LIMIT 1",
                        (country, feature.value, *((admin1,) if admin1 else ())))
        return row[0] if row else ""

    def area(self, country: str, admin1: str = "") -> Place | None:
        """The entry of a country, or of one of its first-level regions (the most populous of that
        code and kind); None when unknown."""
        feature, extra = (Feature.ADMIN1, " AND admin1 = ?") if admin1 else (Feature.COUNTRY, "")
        row = self._row(f"SELECT {_COLUMNS} FROM places p WHERE country = ? AND feature = ?{extra}"
                        " ORDER BY population DESC LIMIT 1", (country, feature.value, *((admin1,) if admin1 else ())))
        return _place(row) if row else None

    def get(self, geonameid: int) -> Place | None:
        row = self._row(f"SELECT {_COLUMNS} FROM places p WHERE geonameid = ?", (geonameid,))
        return _place(row) if row else None

    def geometry(self, geonameid: int) -> tuple[BaseGeometry | None, bool]:
        """The place's outline (or None) and whether it was derived rather than published."""
        row = self._row("SELECT geometry, derived_geometry FROM places WHERE geonameid = ?", (geonameid,))
        if not row or row[0] is None:
            return None, False
        return shapely.from_wkb(row[0]), bool(row[1])

    def _basemap(self) -> dict:
        """The world's country outlines as one light GeoJSON FeatureCollection, made at build time;
        read once per reader (every map drawn in a process shows it), so shared: not to be changed."""
        row = self._row("SELECT value FROM meta WHERE key = 'basemap'")
        return json.loads(row[0]) if row else {"type": "FeatureCollection", "features": []}

    def search(self, name: str, limit: int = 10, country: str = "", admin1: str = "") -> list[Place]:
        """Places answering to a name, most prominent first; optionally only in one country or region."""
        places = {
            c.place.geonameid: c.place
            for c in self.candidates(fold(name))
            if (not country or c.place.country == country.upper()) and (not admin1 or c.place.admin1 == admin1)
        }
        return sorted(places.values(), key=lambda p: (prominence(p), self._extent(p)), reverse=True)[:limit]

    def _extent(self, place: Place) -> float:
        """The diagonal of a place's bounding box in degrees (0 without a geometry): between namesakes
        of one kind and population, such as rivers, the larger is the better known."""
        if place.population or KINDS[place.feature].town:
            return 0.0
        geometry, _ = self.geometry(place.geonameid)
        if geometry is None:
            return 0.0
        west, south, east, north = geometry.bounds
        return math.hypot(east - west, north - south)

    def of_kind(self, feature: Feature) -> list[Place]:
        """Every place of one kind (every country, say), most populous first."""
        return list(self._of_kind(feature))

    def _places_of_kind(self, feature: Feature) -> tuple[Place, ...]:
        """`of_kind`, read once per reader for the kinds every map labels (a scan of the places table)."""
        rows = self._rows(f"SELECT {_COLUMNS} FROM places p WHERE feature = ? ORDER BY population DESC",
                          (feature.value,))
        return tuple(_place(r) for r in rows)

    def within(self, country: str, admin1: str = "", limit: int = 100) -> list[Place]:
        """The places of a country (or of one of its first-level regions), most populous first."""
        query = f"SELECT {_COLUMNS} FROM places p WHERE country = ?" + (" AND admin1 = ?" if admin1 else "")
        rows = self._rows(query + " ORDER BY population DESC LIMIT ?",
                          (country.upper(), *((admin1,) if admin1 else ()), limit))
        return [_place(r) for r in rows]

    def near(self, lat: float, lon: float, km: float = 50.0, limit: int = 10) -> list[Place]:
        """Places within `km` of a point, nearest first (an index on latitude narrows the scan)."""
        dlat = km / 111.0
        dlon = km / max(1e-6, 111.0 * math.cos(math.radians(lat)))
        rows = self._rows(
            f"SELECT {_COLUMNS} FROM places p WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
            (lat - dlat, lat + dlat, lon - dlon, lon + dlon),
        )
        places = [_place(r) for r in rows]
        scored = sorted(((distance_km(lat, lon, p.lat, p.lon), p) for p in places), key=lambda dp: dp[0])
        return [p for d, p in scored if d <= km][:limit]

    def info(self) -> dict[str, int]:
        """Counts of what the gazetteer holds, by kind of place."""
        counts = {f.value: 0 for f in Feature}
        for feature, n in self._rows("SELECT feature, count(*) FROM places GROUP BY feature"):
            counts[feature] = n

        def q(sql: str) -> tuple:  # a count(*) query always gives one row
            return self._rows(sql)[0]

        return {
            "countries": counts["country"],
            "admin1": counts["admin1"],
            "admin2": counts["admin2"],
            "populated": counts["city"] + counts["capital"],
            "physical": sum(counts[f.value] for f in PHYSICAL_KINDS),
            "seas": counts["physical"],
            "regions": counts["region"],
            "continents": counts["continent"],
            "with_geometry": q("SELECT count(*) FROM places WHERE geometry IS NOT NULL")[0],
            "user": q("SELECT count(*) FROM places WHERE source = 'user'")[0],
            "names": q("SELECT count(*) FROM names")[0],
            "places": q("SELECT count(*) FROM places")[0],
            **{kind: n for kind, n in counts.items() if kind not in _COUNTED_ABOVE},
        }
