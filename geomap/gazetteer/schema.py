"""The gazetteer's SQLite layout and the one function that writes entries into it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import shapely

from geomap.gazetteer.names import fold
from geomap.gazetteer.sources import Entry

SCHEMA_VERSION = "3"

SCHEMA = """
CREATE TABLE places (
    geonameid INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    feature TEXT NOT NULL,
    country TEXT NOT NULL,
    admin1 TEXT NOT NULL,
    population INTEGER NOT NULL,
    source TEXT NOT NULL,
    geometry BLOB,
    derived_geometry INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE names (
    key TEXT NOT NULL,
    geonameid INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    PRIMARY KEY (key, geonameid)
) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def store_entries(db: sqlite3.Connection, entries: Iterable[Entry], source: str | None = None) -> int:
    """Insert entries (replacing same ids) and their folded names; returns how many."""
    count = 0
    for entry in entries:
        p = entry.place
        blob = shapely.to_wkb(entry.geometry) if entry.geometry is not None else None
        db.execute(
            "INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (p.geonameid, p.name, p.lat, p.lon, p.feature.value, p.country, p.admin1,
             p.population, source or p.source, blob, int(entry.derived_geometry)),
        )
        rows: dict[str, int] = {}
        for name, kind in entry.names.items():
            key = fold(name)
            rows[key] = min(kind, rows.get(key, kind))
        db.executemany(
            "INSERT INTO names VALUES (?,?,?) ON CONFLICT(key, geonameid) DO UPDATE SET kind=min(kind, excluded.kind)",
            [(key, p.geonameid, kind) for key, kind in rows.items()],
        )
        count += 1
    return count
