"""The user's own places: validate CSV or GeoJSON files and import them.

User files are kept in the gazetteer's user/ folder, so every rebuild imports
them again; their entries win ties against the packaged ones.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import shapely
from shapely.geometry import shape

from geomap.errors import GazetteerError
from geomap.gazetteer.names import fold
from geomap.gazetteer.schema import store_entries
from geomap.gazetteer.sources import ALIAS, DEMONYM, NAME, Entry, stable_id
from geomap.model import Feature, Place

CSV_COLUMNS = ("name", "lat", "lon", "feature", "country", "aliases")
REMOVED = "removed.txt"
"""Ids of places the user removed, one a line (with the name after it, for people)."""


def user_id(name: str, lat: float, lon: float) -> int:
    """A stable negative id for a user place without a GeoNames id: it never collides with one."""
    return stable_id(f"user:{name}|{lat:.5f}|{lon:.5f}")


def _feature(value: str, where: str) -> Feature:
    try:
        return Feature((value or "other").strip().lower())
    except ValueError:
        allowed = ", ".join(f.value for f in Feature)
        raise GazetteerError(f"{where}: unknown feature {value!r} (one of: {allowed})") from None


def _coordinate(value, low: float, high: float, what: str, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise GazetteerError(f"{where}: {what} {value!r} is not a number") from None
    if not low <= number <= high:
        raise GazetteerError(f"{where}: {what} {number} is outside {low}..{high}")
    return number


def _entry(props: dict, lat, lon, where: str, geometry: shapely.Geometry | None = None) -> Entry:
    name = str(props.get("name") or "").strip()
    if not name:
        raise GazetteerError(f"{where}: missing name")
    lat_f = _coordinate(lat, -90, 90, "lat", where)
    lon_f = _coordinate(lon, -180, 180, "lon", where)
    raw_id = str(props.get("geonameid") or "").strip()
    if raw_id and not raw_id.lstrip("-").isdigit():
        raise GazetteerError(f"{where}: geonameid {raw_id!r} is not a whole number")
    try:
        population = int(float(props.get("population") or 0))
    except (TypeError, ValueError):
        raise GazetteerError(f"{where}: population {props.get('population')!r} is not a number") from None
    place = Place(
        geonameid=int(raw_id) if raw_id else user_id(name, lat_f, lon_f),
        name=name,
        lat=lat_f,
        lon=lon_f,
        feature=_feature(str(props.get("feature") or ""), where),
        country=str(props.get("country") or "").strip().upper(),
        admin1=str(props.get("admin1") or "").strip(),
        population=population,
        source="user",
    )
    entry = Entry(place, geometry=geometry)
    entry.names[name] = NAME
    aliases = props.get("aliases") or ""
    for alias in aliases if isinstance(aliases, list) else str(aliases).split("|"):
        if str(alias).strip():
            entry.names.setdefault(str(alias).strip(), ALIAS)
    return entry


def read_csv(path: Path) -> Iterator[Entry]:
    with _open(path) as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in ("name", "lat", "lon") if c not in (reader.fieldnames or ())]
        if missing:
            raise GazetteerError(f"{path}:1: missing column(s) {', '.join(missing)} (expected {','.join(CSV_COLUMNS)})")
        for row in reader:
            yield _entry(row, row["lat"], row["lon"], f"{path}:{reader.line_num}")


def read_geojson(path: Path) -> Iterator[Entry]:
    with _open(path) as fh:
        try:
            data = json.load(fh)
        except json.JSONDecodeError as exc:
            raise GazetteerError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise GazetteerError(f"{path}: not a GeoJSON FeatureCollection")
    for i, feature in enumerate(features, 1):
        where = f"{path}: feature {i}"
        try:
            geom = shape(feature["geometry"])
        except Exception as exc:  # shapely raises several types for bad geometry
            raise GazetteerError(f"{where}: invalid geometry ({exc})") from None
        point = geom if geom.geom_type == "Point" else geom.representative_point()
        yield _entry(feature.get("properties") or {}, point.y, point.x, where, None if geom.geom_type == "Point" else geom)


def _open(path: Path):
    if not path.is_file():
        raise GazetteerError(f"{path}: no such file")
    return path.open(encoding="utf-8", newline="")


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
            db.execute("INSERT OR IGNORE INTO names VALUES (?,?,?)", (fold(row["name"]), int(row["geonameid"]), kind))
            count += 1
    return count


def removed(folder: Path) -> list[int]:
    """The ids the user removed, which every rebuild removes again."""
    path = folder / REMOVED
    if not path.is_file():
        return []
    return [int(line.split()[0]) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and line.split()[0].lstrip("-").isdigit()]


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
    if name_or_id.lstrip("-").isdigit():
        found = db.execute("SELECT geonameid, name FROM places WHERE geonameid = ?", (int(name_or_id),)).fetchall()
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
