"""The user's own places: validate CSV or GeoJSON files and import them.

User files are kept in the gazetteer's user/ folder, so every rebuild imports
them again; their entries win ties against the packaged ones. A file is checked
for everything the import needs before it is kept, so a kept file cannot break
a later build.
"""

from __future__ import annotations

import csv
import filecmp
import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geomap.errors import GazetteerError
from geomap.gazetteer.names import fold, safe_name
from geomap.gazetteer.database import store_entries
from geomap.gazetteer.entries import ALIAS, DEMONYM, NAME, Entry, stable_id
from geomap.outputs import atomic_writer
from geomap.model import Feature, Place

CSV_COLUMNS = ("name", "lat", "lon", "feature", "country", "aliases")
REMOVED = "removed.jsonl"
"""Places the user removed, one JSON object a line ({"geonameid": ..., "name": ...}): a name
cannot break out of its line."""
MAX_POPULATION = 10_000_000_000
SQLITE_INTEGER = range(-(2**63), 2**63)
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
MAX_FILE_BYTES = 100_000_000
"""The largest user file read: checked before reading, as a file is parsed whole."""
MAX_VERTICES = 1_000_000
"""Vertices one geometry may have: a country's detailed outline has some 100,000."""
MAX_REPAIR_VERTICES = 20_000
"""Vertices an invalid geometry may have for geomap to repair it: repair (make_valid) of a large
self-crossing outline can take minutes."""


def user_id(name: str, lat: float, lon: float) -> int:
    """A stable negative id for a user place without a GeoNames id: it never collides with one."""
    return stable_id(f"user:{name}|{lat:.5f}|{lon:.5f}")


def _feature(value: str, where: str) -> Feature:
    try:
        return Feature((value or "other").strip().lower())
    except ValueError:
        allowed = ", ".join(f.value for f in Feature)
        raise GazetteerError(f"{where}: unknown feature {value!r} (one of: {allowed})") from None


def _number(value, low: float, high: float, what: str, where: str) -> float:
    """A number within low..high (NaN and infinity are outside every range)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise GazetteerError(f"{where}: {what} {value!r} is not a number") from None
    if not low <= number <= high:
        raise GazetteerError(f"{where}: {what} {number} is outside {low:,}..{high:,}")
    return number


def _text(value, what: str, where: str) -> str:
    """A stripped text field through the name gate: a control character is refused at its line."""
    return safe_name(str(value or "").strip(), where, what)


def _geonameid(value, where: str) -> int | None:
    raw = str(value or "").strip()
    if not raw:
        return None
    if not _WHOLE_NUMBER.fullmatch(raw) or int(raw) not in SQLITE_INTEGER:
        raise GazetteerError(f"{where}: geonameid {raw!r} is not a whole number of at most 19 digits")
    return int(raw)


def _entry(props: dict, lat, lon, where: str, geometry: BaseGeometry | None = None) -> Entry:
    name = _text(props.get("name"), "name", where)
    if not fold(name):
        raise GazetteerError(f"{where}: missing name")
    lat_f = _number(lat, -90, 90, "lat", where)
    lon_f = _number(lon, -180, 180, "lon", where)
    geonameid = _geonameid(props.get("geonameid"), where)
    place = Place(
        geonameid=user_id(name, lat_f, lon_f) if geonameid is None else geonameid,
        name=name,
        lat=lat_f,
        lon=lon_f,
        feature=_feature(str(props.get("feature") or ""), where),
        country=_text(props.get("country"), "country", where).upper(),
        admin1=_text(props.get("admin1"), "admin1", where),
        population=int(_number(props.get("population") or 0, 0, MAX_POPULATION, "population", where)),
        source="user",
    )
    entry = Entry(place, geometry=geometry)
    entry.names[name] = NAME
    aliases = props.get("aliases") or ""
    for alias in aliases if isinstance(aliases, list) else str(aliases).split("|"):
        alias = _text(alias, "alias", where)
        if fold(alias):
            entry.names.setdefault(alias, ALIAS)
    return entry


MAX_FIELD = 131_072
"""Characters one CSV field may hold: the csv module's own default, checked here too because any
library in the process may raise the module's (global) limit."""


def read_csv(path: Path) -> Iterator[Entry]:
    with _open(path) as fh:
        reader = csv.DictReader(fh)
        try:
            missing = [c for c in ("name", "lat", "lon") if c not in (reader.fieldnames or ())]
            if missing:
                raise GazetteerError(f"{path}:1: missing column(s) {', '.join(missing)} (expected {','.join(CSV_COLUMNS)})")
            for row in reader:
                where = f"{path}:{reader.line_num}"
                if any(len(value) > MAX_FIELD for value in row.values() if isinstance(value, str)):
                    raise GazetteerError(f"{where}: field larger than field limit ({MAX_FIELD:,} characters)")
                yield _entry(row, row["lat"], row["lon"], where)
        except csv.Error as exc:  # a field over the csv module's limit
            raise GazetteerError(f"{path}:{reader.reader.line_num}: {exc}") from None


def read_geojson(path: Path) -> Iterator[Entry]:
    with _open(path) as fh:
        try:
            data = json.load(fh, parse_int=_json_int)
        except json.JSONDecodeError as exc:
            raise GazetteerError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise GazetteerError(f"{path}: nested too deeply to be GeoJSON") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise GazetteerError(f"{path}: not a GeoJSON FeatureCollection")
    for i, feature in enumerate(features, 1):
        where = f"{path}: feature {i}"
        props = (feature.get("properties") or {}) if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            raise GazetteerError(f"{where}: not a GeoJSON Feature with an object of properties")
        geom = _geometry(feature.get("geometry"), where)
        point = geom if isinstance(geom, shapely.Point) else geom.representative_point()
        yield _entry(props, point.y, point.x, where, None if geom.geom_type == "Point" else geom)


def _json_int(text: str) -> int | float:
    """A JSON whole number; one longer than any SQLite integer becomes a float (infinity past 308 digits),
    which the range checks refuse with its feature, instead of int() failing on 4,300 digits."""
    return int(text) if len(text) <= 20 else float(text)


def _geometry(value, where: str) -> BaseGeometry:
    """A non-empty geometry of finite coordinates inside ±90/±180; a self-intersecting outline
    is repaired (make_valid) up to a size whose repair stays quick."""
    try:
        with numpy.errstate(invalid="ignore"):  # a NaN vertex is refused below, not warned about
            geom = shape(value)
    except Exception as exc:  # shapely raises several types for bad geometry
        raise GazetteerError(f"{where}: invalid geometry ({exc})") from None
    if geom.is_empty:
        raise GazetteerError(f"{where}: empty geometry")
    if not numpy.isfinite(shapely.get_coordinates(geom)).all():  # GEOS fails on it in every later map
        raise GazetteerError(f"{where}: a coordinate is not a finite number (NaN or infinity)")
    vertices = shapely.get_num_coordinates(geom)
    if vertices > MAX_VERTICES:
        raise GazetteerError(f"{where}: geometry of {vertices:,} vertices is over the limit of {MAX_VERTICES:,}")
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    for lon in (min_lon, max_lon):
        _number(lon, -180, 180, "longitude", where)
    for lat in (min_lat, max_lat):
        _number(lat, -90, 90, "latitude", where)
    if geom.is_valid:
        return geom
    if vertices > MAX_REPAIR_VERTICES:
        raise GazetteerError(f"{where}: invalid geometry (self-intersecting?) of {vertices:,} vertices; repair it first"
                             f" (geomap repairs those of up to {MAX_REPAIR_VERTICES:,})")
    return shapely.make_valid(geom)


def _open(path: Path):
    if not path.is_file():
        raise GazetteerError(f"{path}: no such file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise GazetteerError(f"{path}: {size:,} bytes is over the limit of {MAX_FILE_BYTES:,} for a gazetteer file")
    return path.open(encoding="utf-8-sig", newline="")  # -sig: the byte-order mark Excel writes is not data


def read(path: Path) -> list[Entry]:
    """All entries of a user file, or a GazetteerError naming the first bad line."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return list(read_csv(path))
        if suffix in (".geojson", ".json"):
            return list(read_geojson(path))
    except UnicodeDecodeError:
        raise GazetteerError(f"{path}: not UTF-8 text") from None
    raise GazetteerError(f"{path}: unknown gazetteer file type (use .csv or .geojson)")


def keep(file: Path, folder: Path) -> Path:
    """Copy a user file into `folder` for later rebuilds. Another file of the same name is not
    replaced (its places would be lost at the next rebuild); the same file again is fine."""
    kept = folder / file.name
    if kept.exists():
        if not filecmp.cmp(file, kept, shallow=False):
            raise GazetteerError(f"{file}: {kept} is a different file of the same name, added before;"
                                 " rename yours (or delete that one and run 'geomap gazetteer build')")
        return kept
    with atomic_writer(kept, "wb") as out, file.open("rb") as source:
        shutil.copyfileobj(source, out)
    return kept


def import_aliases(db: sqlite3.Connection, path: Path) -> int:
    """Extra names for existing places from a `name,geonameid,kind` CSV; returns rows added."""
    count = 0
    with _open(path) as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            where = f"{path}:{reader.line_num}"
            kind = {"alias": ALIAS, "demonym": DEMONYM}.get(row.get("kind", ""))
            if kind is None or not str(row.get("geonameid", "")).lstrip("-").isdigit():
                raise GazetteerError(f"{where}: expected kind alias|demonym and a numeric geonameid")
            name = safe_name(row.get("name") or "", where)
            db.execute("INSERT OR IGNORE INTO names VALUES (?,?,?)", (fold(name), int(row["geonameid"]), kind))
            count += 1
    return count


def removed(folder: Path) -> list[int]:
    """The ids the user removed, which every rebuild removes again."""
    path = folder / REMOVED
    if not path.is_file():
        return []
    with _open(path) as fh:
        return [_removal(line, f"{path}:{number}") for number, line in enumerate(fh, 1) if line.strip()]


def _removal(line: str, where: str) -> int:
    try:
        geonameid = json.loads(line)["geonameid"]
    except (ValueError, TypeError, KeyError):
        geonameid = None
    if type(geonameid) is not int or geonameid not in SQLITE_INTEGER:
        raise GazetteerError(f'{where}: expected {{"geonameid": ID, "name": NAME}}')
    return geonameid


def record_removal(folder: Path, geonameid: int, name: str) -> None:
    """Add a removal to `folder`/removed.jsonl (rewritten whole, atomically)."""
    path = folder / REMOVED
    kept = path.read_text(encoding="utf-8") if path.is_file() else ""
    with atomic_writer(path) as out:
        out.write(kept + json.dumps({"geonameid": geonameid, "name": name}) + "\n")


def import_all(db: sqlite3.Connection, folder: Path) -> int:
    """Import every user file in `folder`, then drop what the user removed; returns places added."""
    count = 0
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in (".csv", ".geojson", ".json"):
                count += store_entries(db, read(path), source="user")
        for geonameid in removed(folder):
            delete(db, geonameid)
    return count


def resolve_removal(db: sqlite3.Connection, name_or_id: str) -> tuple[int, str]:
    """The one place (id, name) an id or a name means; a name several places bear is refused,
    with their ids."""
    if _WHOLE_NUMBER.fullmatch(name_or_id):
        geonameid = int(name_or_id)
        found = db.execute("SELECT geonameid, name FROM places WHERE geonameid = ?",
                           (geonameid,)).fetchall() if geonameid in SQLITE_INTEGER else []
    else:
        found = db.execute("SELECT p.geonameid, p.name FROM names n JOIN places p USING (geonameid)"
                           " WHERE n.key = ? AND n.kind = ?", (fold(name_or_id), NAME)).fetchall()
    if not found:
        raise GazetteerError(f"no place with id or name {name_or_id!r}")
    if len(found) > 1:
        listed = ", ".join(str(i) for i, _ in sorted(found)[:10])
        raise GazetteerError(f"{len(found)} places are named {name_or_id!r}; remove one by id ({listed} …)")
    return found[0]


def delete(db: sqlite3.Connection, geonameid: int) -> None:
    db.execute("DELETE FROM names WHERE geonameid = ?", (geonameid,))
    db.execute("DELETE FROM places WHERE geonameid = ?", (geonameid,))
