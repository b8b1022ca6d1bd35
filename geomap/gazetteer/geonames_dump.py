"""Stream a GeoNames dump (a country file or allCountries; .txt or .zip) into the gazetteer.

The dump is tab-separated, 19 columns a line, no header. allCountries has 12 million lines
(1.5 GB), so it is read a line at a time and stored in batches: memory stays constant. Places
the gazetteer already has (same GeoNames id) are left as they are: the packaged entries carry
outlines, capitals and reviewed names that a dump line lacks.
"""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from geomap.errors import InputError
from geomap.gazetteer.extend import MAX_POPULATION, SQLITE_INTEGER
from geomap.gazetteer.database import store_entries
from geomap.gazetteer.entries import NAME, Entry
from geomap.model import Feature, Place

COLUMNS = 19
"""geonameid, name, asciiname, alternatenames, latitude, longitude, feature class, feature code,
country code, cc2, admin1, admin2, admin3, admin4, population, elevation, dem, timezone, modified."""
CLASSES = frozenset("ADHLPRSTUV")
BATCH = 5000
"""Entries stored per batch: one id lookup and one insert run each."""
MAX_ALTERNATES = 10_000
"""GeoNames caps the alternatenames column at 10,000 characters; a longer one is not a dump line."""
MAX_LINE_BYTES = 65_536
"""A dump line is read into a buffer of at most this: 10,000 characters of alternate names (up to
40,000 bytes of UTF-8) and the other 18 columns fit; a longer line is refused, never held whole."""

_HYDRO = {"STM": Feature.RIVER, "STMS": Feature.RIVER, "STMI": Feature.RIVER, "STMX": Feature.RIVER,
          "LK": Feature.LAKE, "LKS": Feature.LAKE, "LKN": Feature.LAKE, "LKI": Feature.LAKE, "LKX": Feature.LAKE,
          "LKSI": Feature.LAKE, "LKO": Feature.LAKE, "RSV": Feature.LAKE, "RSVI": Feature.LAKE, "RSVT": Feature.LAKE,
          **dict.fromkeys(("OCN", "SEA", "GULF", "BAY", "BAYS", "STRT", "CHN", "CHNM", "SD", "LGN", "FJD", "INLT"),
                          Feature.PHYSICAL)}
_TERRAIN = {**dict.fromkeys(("MT", "PK", "VLC", "HLL", "SPUR"), Feature.MOUNTAIN),
            **dict.fromkeys(("MTS", "PKS", "HLLS", "RDGE", "CRDR"), Feature.RANGE),
            **dict.fromkeys(("ISL", "ISLS", "ISLET", "ISLF", "ISLM", "ISLT", "ATOL"), Feature.ISLAND),
            **dict.fromkeys(("PEN", "CAPE", "PT", "PTS", "ISTH"), Feature.PENINSULA),
            **dict.fromkeys(("DSRT", "PLN", "PLNS", "PLAT", "VAL", "VALS", "BSN", "DLTA", "DPR", "CNYN", "GRGE", "UPLD",
                             "STEP", "TUND"), Feature.LANDFORM)}


def feature_of(cls: str, code: str) -> Feature:
    """The gazetteer kind of a GeoNames feature class and code; OTHER for what geomap has no kind of."""
    if cls == "P":
        return Feature.CAPITAL if code == "PPLC" else Feature.CITY
    if cls == "A":
        if code.startswith("PCL") and not code.endswith("H"):
            return Feature.COUNTRY
        return {"ADM1": Feature.ADMIN1, "ADM2": Feature.ADMIN2, "TERR": Feature.TERRITORY}.get(code, Feature.OTHER)
    if cls == "H":
        return _HYDRO.get(code, Feature.OTHER)
    if cls == "T":
        return _TERRAIN.get(code, Feature.OTHER)
    return Feature.REGION if (cls, code) == ("L", "RGN") else Feature.OTHER


def parse_classes(text: str) -> frozenset[str]:
    """"P,H,T" -> {"P", "H", "T"}; an unknown class is refused."""
    classes = frozenset(c.strip().upper() for c in text.split(",") if c.strip())
    unknown = classes - CLASSES
    if not classes or unknown:
        raise InputError(f"`classes` {text!r}: give GeoNames feature classes from {','.join(sorted(CLASSES))}",
                         parameters=("classes",))
    return classes


@contextmanager
def open_dump(path: Path) -> Iterator[tuple[IO[bytes], int]]:
    """The dump's bytes and their size: the file itself, or the one .txt inside a GeoNames zip."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.suffix.lower() != ".zip":
        with path.open("rb") as fh:
            yield fh, path.stat().st_size
        return
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputError(f"{path}: not a zip file") from None
    with archive:
        texts = [i for i in archive.infolist() if i.filename.lower().endswith(".txt")
                 and not i.filename.lower().rsplit("/", 1)[-1].startswith("readme")]
        wanted = [i for i in texts if Path(i.filename).stem.lower() == path.stem.lower()] or texts
        if len(wanted) != 1:
            raise InputError(f"{path}: expected one GeoNames .txt inside (like {path.stem}.txt), found {len(wanted)}")
        with archive.open(wanted[0]) as fh:
            yield fh, wanted[0].file_size


def read(lines: Iterable[bytes], where: str, classes: frozenset[str], min_population: int) -> Iterator[Entry]:
    """Entries for the lines of the wanted classes; a malformed line stops with FILE:LINE."""
    for number, raw in enumerate(lines, 1):
        row = raw.rstrip(b"\r\n").split(b"\t")
        if len(row) != COLUMNS:
            if not raw.strip() or raw.startswith(b"#"):
                continue
            raise InputError(f"{where}:{number}: expected {COLUMNS} tab-separated columns (the GeoNames dump format), "
                             f"found {len(row)}")
        cls = row[6].decode("ascii", "replace")
        if cls not in classes:
            continue
        try:
            entry = _entry([field.decode("utf-8") for field in row])
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"{where}:{number}: {exc}") from None
        if cls == "P" and entry.place.population < min_population:
            continue
        yield entry


def _entry(row: list[str]) -> Entry:
    if not row[0].isdigit():
        raise ValueError(f"geonameid {row[0]!r} is not a whole number")
    lat, lon = float(row[4]), float(row[5])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"latitude {lat} or longitude {lon} out of range")
    if len(row[3]) > MAX_ALTERNATES:
        raise ValueError(f"alternatenames longer than {MAX_ALTERNATES:,} characters")
    geonameid, population = int(row[0]), int(row[14] or 0)
    if geonameid not in SQLITE_INTEGER:  # SQLite would overflow storing it
        raise ValueError(f"geonameid {row[0]!r} is over {SQLITE_INTEGER.stop - 1:,}")
    if not 0 <= population <= MAX_POPULATION:
        raise ValueError(f"population {population} is outside 0..{MAX_POPULATION:,}")
    place = Place(geonameid, row[1].strip(), lat, lon, feature_of(row[6], row[7]), row[8].strip().upper(),
                  row[10].strip(), population)
    entry = Entry(place)
    entry.add(place.name, NAME)
    entry.add(row[2])
    for alternate in row[3].split(","):
        if not (len(alternate) <= 4 and alternate.isupper()):  # codes of airports and stations, not names
            entry.add(alternate)
    if not entry.names:
        raise ValueError(f"name {place.name!r} is not written in Latin letters and has no Latin alternate")
    return entry


def store(db: sqlite3.Connection, entries: Iterable[Entry]) -> tuple[int, int]:
    """Store the entries whose ids are new, in batches; returns (places added, ids already there)."""
    added = known = 0
    batch: list[Entry] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) == BATCH:
            a, k = _store_batch(db, batch)
            added, known, batch = added + a, known + k, []
    if batch:
        a, k = _store_batch(db, batch)
        added, known = added + a, known + k
    return added, known


def _store_batch(db: sqlite3.Connection, batch: list[Entry]) -> tuple[int, int]:
    ids = [e.place.geonameid for e in batch]
    there: set[int] = set()
    for i in range(0, len(ids), 900):  # under SQLite's limit of bound parameters
        chunk = ids[i:i + 900]
        there.update(r[0] for r in db.execute(
            f"SELECT geonameid FROM places WHERE geonameid IN ({','.join('?' * len(chunk))})", chunk))
    fresh = {e.place.geonameid: e for e in batch if e.place.geonameid not in there}  # the last line of an id wins
    return store_entries(db, fresh.values()), len(batch) - len(fresh)


def import_dump(db: sqlite3.Connection, path: Path, classes: frozenset[str], min_population: int,
                progress: Callable[[int, int], None] | None = None) -> tuple[int, int, int]:
    """Stream the dump at `path` into `db`; returns (lines read, places added, ids already there).
    `progress(bytes read, total)` is called every 64 KB or so."""
    lines_read = 0
    with open_dump(path) as (fh, total):
        def lines() -> Iterator[bytes]:
            nonlocal lines_read
            done = reported = 0
            while line := fh.readline(MAX_LINE_BYTES + 1):
                lines_read += 1
                if len(line) > MAX_LINE_BYTES:
                    raise InputError(f"{path}:{lines_read}: line longer than {MAX_LINE_BYTES:,} bytes; "
                                     "not a GeoNames dump line")
                done += len(line)
                if progress and done - reported >= 1 << 16:
                    progress(done, total)
                    reported = done
                yield line
            if progress:
                progress(done, total)

        try:
            added, known = store(db, read(lines(), str(path), classes, min_population))
        except (OSError, zipfile.BadZipFile, EOFError) as exc:
            raise InputError(f"{path}: cannot read ({exc})") from None
    return lines_read, added, known
