"""Read Natural Earth 10m physical and disputed-area layers, as users download them, into entries.

A folder or a zip holds the layers, each as a shapefile zip (`ne_10m_lakes.zip`), loose shapefile
parts, or GeoJSON (`.geojson`, `.json`, either gzipped); property keys in either case. Every layer
becomes `Entry` values of the kinds in `geomap.kinds`: river segments are joined into one place
per river, the same feature in two layers (by Wikidata id) is one place, and the regional
supplements add only what the world layers lack; pieces of one feature that touch (a river the
supplements number in stretches, a lake drawn in two layers) are one place. Each place's point lies
on or inside its geometry: a polygon's centroid (its pole of inaccessibility where the centroid falls
outside), a river's midpoint along its longest stretch.
"""

from __future__ import annotations

import codecs
import functools
import gzip
import io
import json
import re
import sqlite3
import struct
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from geomap.errors import InputError
from geomap.gazetteer.names import fold
from geomap.gazetteer.entries import NAME, OUTLINE_TOLERANCE, Entry, stable_id
from geomap.model import Feature, Place

SOURCE = "naturalearth"
LINE_TOLERANCE = 0.01
"""Degrees; rivers are simplified less than outlines, so a bend stays on its valley."""
MAX_LAYER_BYTES = 100_000_000
"""A file of a layer (uncompressed) larger than this is refused before it is read: the largest part of
a 10m layer, a shapefile's table of names (.dbf), is about 60 MB, and pyshp reads it a record at a time."""
MAX_GEOJSON_BYTES = 32_000_000
"""A GeoJSON layer is parsed whole, into Python objects 5 (a real layer) to 14 times its size, so its
text is refused past this (read to one byte over it, never further): the largest 10m GeoJSON layer is
11 MB. A larger layer can be imported as the shapefile zip Natural Earth also offers."""
MIN_BYTES_PER_CONTAINER = 10
"""GeoJSON text per array or object ('[', '{') on average: real layers have one per 40 bytes or more
(a coordinate pair, "[12.5,45.2]" at the least), while text dense with them ("[[],[],…]") would parse
into 20 times its size."""
GLOBE = (181.0, 91.0)
"""Longitude and latitude no coordinate exceeds (real layers reach 180.00000000000023 where a
feature meets the antimeridian)."""
MAX_FEATURE_VERTICES = 250_000
"""Vertices one feature may have: the largest of a real 10m layer has 35,352 (in geography_regions_polys);
repairing, simplifying and placing a point inside a polygon of millions takes gigabytes and minutes."""
RIVER_GAP = 0.02
"""Degrees; river segments whose ends are this near are one stretch."""
SUPPLEMENT_REACH = 0.5
"""Degrees; a supplement's feature this near a world-layer feature of the same kind and name is that feature."""
MINOR_SCALERANK = 7
"""Rivers and lakes less prominent than this (and those of the regional supplements) are minor."""
SAME_PLACE_REACH = 2.0
"""Degrees; features sharing a Wikidata id farther apart than this are kept as two places."""


@dataclass(frozen=True, slots=True)
class Layer:
    name: str
    theme: str
    """Natural Earth's download folder: physical or cultural."""
    feature: Feature | None
    """The kind of every feature, or None when its `featurecla` decides."""
    supplement: bool = False


LAYERS = (
    Layer("admin_0_disputed_areas", "cultural", Feature.TERRITORY),
    Layer("geography_marine_polys", "physical", Feature.PHYSICAL),
    Layer("lakes", "physical", Feature.LAKE),
    Layer("playas", "physical", Feature.LAKE),
    Layer("rivers_lake_centerlines", "physical", Feature.RIVER),
    Layer("geography_regions_polys", "physical", None),
    Layer("geography_regions_points", "physical", None),
    Layer("geography_regions_elevation_points", "physical", None),
    Layer("rivers_europe", "physical", Feature.RIVER, supplement=True),
    Layer("rivers_north_america", "physical", Feature.RIVER, supplement=True),
    Layer("lakes_europe", "physical", Feature.LAKE, supplement=True),
    Layer("lakes_north_america", "physical", Feature.LAKE, supplement=True),
)
"""Read in this order: where two layers hold the same feature, the first one's geometry is kept."""

CLASS_FEATURES = {
    "island": Feature.ISLAND, "island group": Feature.ISLAND,
    "range/mtn": Feature.RANGE, "foothills": Feature.RANGE,
    "peninsula": Feature.PENINSULA, "pen/cape": Feature.PENINSULA, "cape": Feature.PENINSULA,
    "isthmus": Feature.PENINSULA,
    "mountain": Feature.MOUNTAIN, "spot elevation": Feature.MOUNTAIN,
    "lake": Feature.LAKE,
    "geoarea": Feature.REGION,
}
"""`featurecla` of the geography layers; any other class (desert, plain, plateau, basin, valley,
delta, waterfall …) is a landform. A geoarea (Siberia, Patagonia, Anatolia) is a named region."""
NAME_KINDS = {"peninsula": Feature.PENINSULA, "mountains": Feature.RANGE, "range": Feature.RANGE,
              "island": Feature.ISLAND, "islands": Feature.ISLAND}
"""A feature whose English name ends in one of these words is of that kind whatever its class says
(Natural Earth classes the Iberian Peninsula a plateau)."""
SKIPPED_CLASSES = {"continent", "dragons-be-here", "river"}
"""Continents are in the gazetteer already; "dragons-be-here" is Null Island at 0°, 0°; a marine area
of class river is a river's estuary under the river's name (Amazon, Yangtze), a second place for a
river the rivers layer has."""

ABBREVIATIONS = {
    "i": "Island", "is": "Islands", "mt": "Mount", "mtn": "Mountain", "mts": "Mountains",
    "pen": "Peninsula", "ra": "Range", "ras": "Ranges", "res": "Reservoir", "plat": "Plateau",
    "arch": "Archipelago", "str": "Strait", "sd": "Sound", "sds": "Sounds", "pk": "Peak", "cr": "Creek",
    "fk": "Fork", "ch": "Channel", "pt": "Point", "cord": "Cordillera", "pinn": "Pinnacle", "mid": "Middle",
}
"""Natural Earth's map-label abbreviations ("BALKAN PEN.", "Lebombo Mts.") spelt out."""
LEADING = {"n": "North", "s": "South", "e": "East", "w": "West", "l": "Lake"}
"""One-letter abbreviations spelt out only as a name's first word ("W. Sahara"): elsewhere they are initials."""
SMALL_WORDS = {"of", "the", "de", "del", "la", "le", "and", "el", "da", "do", "des", "du", "di", "y"}
_ABBREVIATION = re.compile(r"\b(\w+)\.(?=\s|$)")
_LAYER_FILE = re.compile(r"^ne_10m_(?P<layer>[a-z0-9_]+?)\.(?P<ext>zip|shp|shx|dbf|cpg|geojson|json|geojson\.gz|json\.gz)$")


def tidy(name: str) -> str:
    """A map label as prose: "BALKAN PEN." -> "Balkan Peninsula", "W. Sahara" -> "West Sahara"."""
    name = " ".join(name.replace(",", " ").split())
    if name.isupper():
        words = name.lower().split()
        name = " ".join(w if i and w in SMALL_WORDS else w[:1].upper() + w[1:] for i, w in enumerate(words))

    def spell(match: re.Match) -> str:
        word = match.group(1).lower()
        if match.start() == 0 and word in LEADING:
            return LEADING[word]
        return ABBREVIATIONS.get(word, match.group(0))

    return _ABBREVIATION.sub(spell, name)


@dataclass(slots=True)
class NaturalEarthEntry(Entry):
    """An entry with what Natural Earth adds: its Wikidata id and its prominence (lower is more)."""

    wikidataid: str = ""
    scalerank: float = 99.0
    layer: str = ""


# --- finding the layers ------------------------------------------------------------------------------


class Container:
    """The files of a folder or a zip, read by name (lower case) with a size limit."""

    def __init__(self, where: str, files: dict[str, tuple[int, Callable[[], bytes]]]):
        self.where = where
        self.files = files
        """lower-case name -> (size, read())."""

    @classmethod
    def open(cls, path: Path) -> Container:
        if path.is_dir():
            return cls(str(path), {p.name.lower(): (p.stat().st_size, p.read_bytes)
                                   for p in path.iterdir() if p.is_file()})
        if path.is_file() and zipfile.is_zipfile(path):
            archive = zipfile.ZipFile(path)
            return cls.of_zip(str(path), lambda: archive)
        if not path.exists():
            raise InputError(f"{path}: no such folder or file")
        raise InputError(f"{path}: not a folder or a zip of Natural Earth layers")

    @classmethod
    def of_zip(cls, where: str, archive: Callable[[], zipfile.ZipFile]) -> Container:
        """The files of the zip `archive()` opens; it is opened again for each read, so a zip held in
        memory (a layer's zip inside another) is kept only while its files are read."""
        def reader(info: zipfile.ZipInfo) -> Callable[[], bytes]:
            return lambda: archive().read(info)

        return cls(where, {info.filename.rsplit("/", 1)[-1].lower(): (info.file_size, reader(info))
                           for info in archive().infolist() if not info.is_dir()})

    def read(self, name: str) -> bytes:
        size, reader = self.files[name]
        if size > MAX_LAYER_BYTES:
            raise InputError(f"{self.where}: {name} is {size:,} bytes, over the {MAX_LAYER_BYTES:,} a layer may have")
        try:
            return reader()
        except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
            raise InputError(f"{self.where}: {name}: cannot read ({exc})") from None


def find_layers(path: Path) -> dict[str, tuple[Container, dict[str, str]]]:
    """Layer name -> (the container, its files by extension), for every known layer found."""
    containers = [Container.open(path)]
    found: dict[str, tuple[Container, dict[str, str]]] = {}
    known = {layer.name for layer in LAYERS}
    inner_zip = functools.lru_cache(maxsize=1)(_zip)  # one layer's zip in memory at a time: its files are read together
    while containers:
        container = containers.pop()
        for name in sorted(container.files):
            match = _LAYER_FILE.match(name)
            if not match or match["layer"] not in known:
                continue
            if match["ext"] == "zip":
                containers.append(Container.of_zip(f"{container.where}/{name}", functools.partial(inner_zip, container, name)))
                continue
            found.setdefault(match["layer"], (container, {}))[1][match["ext"]] = name
    return found


def _zip(container: Container, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(container.read(name)))
    except zipfile.BadZipFile:
        raise InputError(f"{container.where}/{name}: not a zip file") from None


def read_features(container: Container, files: dict[str, str]) -> Iterator[tuple[dict, dict | None]]:
    """(properties with lower-case keys, GeoJSON geometry) of one layer, GeoJSON or shapefile."""
    for ext in ("geojson", "json", "geojson.gz", "json.gz"):
        if ext in files:
            yield from _geojson_features(container, files[ext])
            return
    if {"shp", "shx", "dbf"} <= files.keys():
        yield from _shapefile_features(container, files)
        return
    raise InputError(f"{container.where}: {files.get('shp') or files.get('dbf')}: a shapefile needs .shp, .shx and .dbf")


def _geojson_features(container: Container, name: str) -> Iterator[tuple[dict, dict | None]]:
    where = f"{container.where}/{name}"
    try:
        collection = json.loads(_geojson_text(container, name, where))  # the text is let go once parsed
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{where}: not GeoJSON ({exc})") from None
    except RecursionError:
        raise InputError(f"{where}: not GeoJSON (nested too deeply)") from None
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        raise InputError(f"{where}: not a GeoJSON FeatureCollection")
    for number, feature in enumerate(features, 1):
        if isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
            geometry = feature.get("geometry")
            _check_vertices(_positions(geometry) if isinstance(geometry, dict) else 0, where, number)
            _check_geometry(geometry, where, number)
            yield {str(k).lower(): v for k, v in feature["properties"].items()}, geometry


def _positions(geometry: dict) -> int:
    """How many positions (vertices) a GeoJSON geometry holds, its collections' too, counted without recursion."""
    count, pending = 0, [geometry]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending += [part for part in (item.get("coordinates"), item.get("geometries")) if part is not None]
        elif isinstance(item, list) and item:
            if isinstance(item[0], (list, dict)):
                pending.extend(item)
            else:
                count += 1
    return count


def _check_vertices(vertices: int, where: str, number: int) -> None:
    if vertices > MAX_FEATURE_VERTICES:
        raise InputError(f"{where}: feature {number} has {vertices:,} vertices, over the {MAX_FEATURE_VERTICES:,} "
                         "a Natural Earth feature may have")


def _check_geometry(geometry, where: str, number: int) -> None:
    """A feature's geometry (or none) that shapely reads, of finite coordinates on the globe: the
    conversion's repairs and inner points fail on anything else."""
    if geometry is None:
        return
    try:
        with numpy.errstate(invalid="ignore"):
            coordinates = shapely.get_coordinates(shape(geometry))
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, shapely.errors.ShapelyError) as exc:
        raise InputError(f"{where}: feature {number}: not a GeoJSON geometry ({str(exc).strip()})") from None
    if not numpy.isfinite(coordinates).all() or (numpy.abs(coordinates) > GLOBE).any():
        raise InputError(f"{where}: feature {number}: a coordinate is not a number of degrees on the globe")


def _geojson_text(container: Container, name: str, where: str) -> bytes:
    """A GeoJSON layer's text, decompressed to at most MAX_GEOJSON_BYTES, checked to parse into a bounded size."""
    size = container.files[name][0]
    if not name.endswith(".gz") and size > MAX_GEOJSON_BYTES:
        raise InputError(f"{where}: {size:,} bytes is over the {MAX_GEOJSON_BYTES:,} a GeoJSON layer may have "
                         "(import the layer's shapefile zip instead)")
    data = container.read(name)
    if name.endswith(".gz"):
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
                data = fh.read(MAX_GEOJSON_BYTES + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"{where}: not gzipped GeoJSON ({exc})") from None
        if len(data) > MAX_GEOJSON_BYTES:
            raise InputError(f"{where}: over the {MAX_GEOJSON_BYTES:,} bytes a GeoJSON layer may have uncompressed "
                             "(import the layer's shapefile zip instead)")
    if data.count(b"[") + data.count(b"{") > len(data) // MIN_BYTES_PER_CONTAINER + 100:
        raise InputError(f"{where}: not a Natural Earth layer (arrays and objects far denser than any map's)")
    return data


def _shapefile_features(container: Container, files: dict[str, str]) -> Iterator[tuple[dict, dict | None]]:
    import shapefile  # pyshp

    encoding = container.read(files["cpg"]).decode("ascii", "replace").strip() if "cpg" in files else "utf-8"
    where = f"{container.where}/{files['shp']}"
    try:
        reader = shapefile.Reader(shp=io.BytesIO(container.read(files["shp"])), shx=io.BytesIO(container.read(files["shx"])),
                                  dbf=io.BytesIO(container.read(files["dbf"])), encoding=_codec(encoding),
                                  encodingErrors="replace")
        for number, record in enumerate(reader.iterShapeRecords(), 1):
            _check_vertices(len(getattr(record.shape, "points", ())), where, number)
            geometry = None if record.shape.shapeType == shapefile.NULL else record.shape.__geo_interface__
            _check_geometry(geometry, where, number)
            yield {k.lower(): v for k, v in record.record.as_dict().items()}, geometry
    except (shapefile.ShapefileException, OSError, ValueError, KeyError, struct.error) as exc:  # KeyError: a field type byte
        raise InputError(f"{where}: not a readable shapefile ({exc})") from None


def _codec(cpg: str) -> str:
    """The text encoding a shapefile's .cpg names ("UTF-8", "1252"); UTF-8 when it names none we know."""
    cpg = f"cp{cpg}" if cpg.isdigit() else cpg
    try:
        return codecs.lookup(cpg).name if cpg else "utf-8"
    except LookupError:
        return "utf-8"


# --- features to entries -----------------------------------------------------------------------------


def entries(path: Path) -> tuple[list[NaturalEarthEntry], list[str]]:
    """Every place the layers at `path` hold, and the names of the layers read."""
    found = find_layers(path)
    if not found:
        raise InputError(f"{path}: no Natural Earth 10m layers here (files named like ne_10m_lakes.zip, "
                         "ne_10m_lakes.shp or ne_10m_lakes.geojson.gz)")
    places: dict[int, NaturalEarthEntry] = {}
    world: dict[tuple[Feature, str], list[NaturalEarthEntry]] = defaultdict(list)
    for layer in LAYERS:
        if layer.name not in found:
            continue
        features = read_features(*found[layer.name])
        for entry in (_rivers if layer.feature is Feature.RIVER else _areas)(layer, features):
            key = (entry.place.feature, fold(entry.place.name))
            same = _nearby(entry, world.get(key, ())) if layer.supplement else None
            if not same and entry.place.geonameid in places and _apart(places[entry.place.geonameid], entry):
                entry.place = replace(entry.place, geonameid=stable_id(
                    f"{SOURCE}:{layer.name}:{fold(entry.place.name)}:{entry.place.lat:.1f}:{entry.place.lon:.1f}"))
            kept = same or places.setdefault(entry.place.geonameid, entry)
            if kept is not entry:
                _merge(kept, entry)
            elif not layer.supplement:
                for name in entry.names:  # "Volga" answers to "Volga River", as the supplement names it
                    world[(entry.place.feature, fold(name))].append(entry)
    return _touching_joined(list(places.values())), [layer.name for layer in LAYERS if layer.name in found]


def matched(db: sqlite3.Connection, entries: list[NaturalEarthEntry]) -> list[NaturalEarthEntry]:
    """The entries, each with the id of the place the gazetteer already has for it: one place per feature.

    The packaged table (data/physical.geojson.gz) carries the ids this module gives the same layers,
    so an import replaces its rows; a feature another release of the layers identifies otherwise
    takes the id of the Natural Earth place of its kind answering to its name within SUPPLEMENT_REACH.
    A feature a derived region of regions.csv stands for (answering to its name, over its outline: the
    Levant, Siberia) is that region already and is left out."""
    taken: set[int] = set()
    kept = []
    for entry in entries:
        place = entry.place
        regions = db.execute("SELECT p.geometry FROM names n JOIN places p USING (geonameid) "
                             "WHERE n.key = ? AND p.source = 'regions.csv' AND p.geometry IS NOT NULL",
                             (fold(place.name),)).fetchall()
        if any(shapely.from_wkb(blob).intersects(_shape_of(entry)) for (blob,) in regions):
            continue
        kept.append(entry)
        if db.execute("SELECT 1 FROM places WHERE geonameid = ?", (place.geonameid,)).fetchone():
            taken.add(place.geonameid)
            continue
        rows = db.execute("SELECT p.geonameid, p.lat, p.lon, p.geometry FROM names n JOIN places p USING (geonameid) "
                          "WHERE n.key = ? AND p.feature = ? AND p.source = ?",
                          (fold(place.name), place.feature.value, SOURCE)).fetchall()
        for geonameid, lat, lon, blob in rows:
            known = shapely.from_wkb(blob) if blob else shapely.Point(lon, lat)
            if geonameid not in taken and shapely.distance(known, _shape_of(entry)) <= SUPPLEMENT_REACH:
                entry.place = replace(place, geonameid=geonameid)
                taken.add(geonameid)
                break
    return kept


def _touching_joined(entries: list[NaturalEarthEntry]) -> list[NaturalEarthEntry]:
    """Entries of one kind and name whose geometries touch (within RIVER_GAP) joined into the most
    prominent of them: the stretches of one river, the pieces of one lake; namesakes apart stay apart."""
    groups: dict[tuple[Feature, str], list[NaturalEarthEntry]] = defaultdict(list)
    for entry in entries:
        words = _WATER_WORDS.get(entry.place.feature)  # "Mackenzie" and "Mackenzie River" are one name
        name = fold(entry.place.name)
        groups[(entry.place.feature, " ".join((words.sub(" ", name) if words else name).split()) or name)].append(entry)
    gone: set[int] = set()
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda e: e.scalerank)
        shapes = [_shape_of(e) for e in group]
        tree = shapely.STRtree(shapes)
        for i, kept in enumerate(group):
            if id(kept) in gone:
                continue
            pieces, todo = [i], [i]
            while todo:  # a piece touching one joined is joined too
                for j in tree.query(shapes[todo.pop()], predicate="dwithin", distance=RIVER_GAP):
                    if j not in pieces and id(group[j]) not in gone:
                        pieces.append(j)
                        todo.append(j)
            if len(pieces) > 1:
                _join(kept, [group[j] for j in pieces[1:]])
                gone.update(id(group[j]) for j in pieces[1:])
    return [e for e in entries if id(e) not in gone]


def _join(kept: NaturalEarthEntry, pieces: list[NaturalEarthEntry]) -> None:
    """Pieces of one feature into `kept`: a river's lines joined into one, other shapes as `_merge` joins them."""
    lines = kept.place.feature is Feature.RIVER and kept.geometry is not None
    for piece in pieces:
        if lines:
            for name in piece.names:
                kept.add(name)
        else:
            _merge(kept, piece)
    if lines:
        parts = [part for e in (kept, *pieces) if e.geometry is not None for part in shapely.get_parts(e.geometry)]
        joined = shapely.simplify(_joined_lines(parts), LINE_TOLERANCE)
        kept.geometry = joined
        middle = _midpoint(joined)
        kept.place = replace(kept.place, lat=round(middle.y, 5), lon=round(middle.x, 5))


def _areas(layer: Layer, features: Iterable[tuple[dict, dict | None]]) -> Iterator[NaturalEarthEntry]:
    """Polygons and points: one entry per named feature."""
    for props, geojson in features:
        cls = str(props.get("featurecla") or "").strip().lower()
        if geojson is None or cls in SKIPPED_CLASSES:
            continue
        display, aliases = _names(props, layer)
        if not display:
            continue
        geometry, (lat, lon) = _located(shapely.make_valid(shape(geojson)))
        if lat is None or lon is None:  # _located gives a point to every geometry it keeps
            continue
        named = NAME_KINDS.get(fold(display).rsplit(" ", 1)[-1])
        feature = layer.feature or named or CLASS_FEATURES.get(cls, Feature.LANDFORM)
        yield _entry(layer, props, _identity(layer, props, display, lat, lon), feature, display, aliases,
                     geometry, lat, lon)


def _rivers(layer: Layer, features: Iterable[tuple[dict, dict | None]]) -> Iterator[NaturalEarthEntry]:
    """River segments joined into one place per river: by Wikidata id, else by name and river number."""
    groups: dict[str, list[tuple[dict, str, list[str], BaseGeometry]]] = defaultdict(list)
    for props, geojson in features:
        display, aliases = _names(props, layer)
        if not display or geojson is None:
            continue
        key = str(props.get("wikidataid") or "") or f"{fold(display)}:{_number(props.get('rivernum'))}"
        groups[key].append((props, display, aliases, shape(geojson)))
    rivers = [river for river in map(_river, groups.values()) if river]
    bearers: dict[str, set[int]] = defaultdict(set)
    for i, river in enumerate(rivers):
        bearers[fold(river[0])].add(i)
    for i, (display, aliases, props, merged, middle, rank) in enumerate(rivers):
        # A name another river bears is not this one's (name_alt often gives the river downstream: Oka "Volga").
        aliases = [a for a in aliases if not bearers.get(fold(a), set()) - {i}]
        entry = _entry(layer, props, _identity(layer, props, display, middle.y, middle.x), Feature.RIVER, display,
                       aliases, merged, middle.y, middle.x)
        if "river" not in fold(entry.place.name).split():
            entry.add(f"{entry.place.name} River", NAME)  # its name in full, not an alternate ("Mississippi River")
        entry.scalerank = rank
        yield entry


def _river(segments: list[tuple[dict, str, list[str], BaseGeometry]]) -> tuple | None:
    """(name, aliases, the most prominent segment's properties, merged line, midpoint, rank) of one river."""
    props = min(segments, key=lambda s: _number(s[0].get("scalerank"), 99.0))[0]
    displays = [s[1] for s in segments]
    display = max(set(displays), key=lambda d: (displays.count(d), d == segments[0][1], d))
    lines = [part for s in segments for part in shapely.get_parts(s[3]) if part.geom_type == "LineString"]
    if not lines:
        return None
    merged = shapely.simplify(_joined_lines(lines), LINE_TOLERANCE)
    middle = _midpoint(merged)
    aliases = [a for s in segments for a in (s[1], *s[2]) if a != display]
    return display, aliases, props, merged, middle, min(_number(s[0].get("scalerank"), 99.0) for s in segments)


def _midpoint(lines: BaseGeometry) -> shapely.Point:
    """A river's point: midway along its longest stretch."""
    return max(shapely.get_parts(lines), key=lambda part: part.length).interpolate(0.5, normalized=True)


def _joined_lines(lines: list[shapely.LineString]) -> BaseGeometry:
    """Segments merged into as few lines as possible; ends less than RIVER_GAP apart (where a
    river passes a lake or a dam) are joined, so a river's longest stretch is the river."""
    merged = list(shapely.get_parts(shapely.line_merge(shapely.MultiLineString(lines))))
    ends = [shapely.Point(c) for line in merged for c in (line.coords[0], line.coords[-1])]
    tree = shapely.STRtree(ends)
    pairs = tree.query(ends, predicate="dwithin", distance=RIVER_GAP)
    bridges = [shapely.LineString([ends[i], ends[j]]) for i, j in zip(*pairs) if i // 2 < j // 2 and ends[i] != ends[j]]
    return shapely.line_merge(shapely.MultiLineString([*merged, *bridges])) if bridges else shapely.MultiLineString(merged)


def _entry(layer: Layer, props: dict, identity: str, feature: Feature, display: str, aliases: list[str],
           geometry: BaseGeometry | None, lat: float, lon: float) -> NaturalEarthEntry:
    country = str(props.get("iso_a2_eh") or props.get("iso_a2") or "") if feature is Feature.TERRITORY else ""
    scalerank = _number(props.get("scalerank"), 99.0)
    if feature in _WATER_WORDS and (layer.supplement or scalerank > MINOR_SCALERANK):
        display, aliases = _qualified(feature, display, aliases)
    place = Place(stable_id(identity), display, round(lat, 5), round(lon, 5), feature,
                  country if re.fullmatch(r"[A-Z]{2}", country) else "", source=SOURCE)
    entry = NaturalEarthEntry(place, geometry=geometry, wikidataid=str(props.get("wikidataid") or ""),
                              scalerank=scalerank, layer=layer.name)
    entry.add(display, NAME)
    for alias in aliases:
        entry.add(alias)
    return entry


def _qualified(feature: Feature, display: str, aliases: list[str]) -> tuple[str, list[str]]:
    """A minor river or lake answers only to names that say what it is ("English River", "Long Lake"):
    its bare name is too often a word or a surname ("English", "Long", "Heart", "Allen")."""
    words = _WATER_WORDS[feature]
    if not words.search(fold(display)):
        display = f"{display} River" if feature is Feature.RIVER else f"Lake {display}"
    return display, [a for a in aliases if words.search(fold(a))]


def _identity(layer: Layer, props: dict, display: str, lat: float, lon: float) -> str:
    """What a place's stable id is made from. Seas keep the id the packaged seas have (sources.py),
    so importing replaces them instead of doubling them."""
    if layer.name == "geography_marine_polys":
        name = " ".join(str(props.get("name") or display).split())  # "Caribbean  Sea" has two spaces
        return f"{Feature.PHYSICAL.value}:{name.title() if name.isupper() else name}"
    if props.get("wikidataid"):
        return f"{SOURCE}:{props['wikidataid']}"
    if layer.feature is Feature.RIVER:
        return f"{SOURCE}:{layer.name}:{fold(display)}:{_number(props.get('rivernum'))}"
    return f"{SOURCE}:{layer.name}:{fold(display)}:{lat:.1f}:{lon:.1f}"


_LANGUAGE = re.compile(r"name_[a-z]{2,3}")


def _names(props: dict, layer: Layer) -> tuple[str, list[str]]:
    """The English name (`name_en`, else the tidied label) and every other name as aliases."""
    own = _text(props.get("brk_name")) if layer.feature is Feature.TERRITORY else _text(props.get("name"))
    labels = [part.strip() for part in own.split("/") if part.strip()]
    joined = _joined_names(props, labels)
    english = [part.strip() for part in joined.get("name_en", "").split("/") if part.strip()]
    display = english[0] if english else tidy(labels[0]) if labels else ""
    if labels and layer.feature is Feature.LAKE and _WATER.search(fold(labels[0])):
        # "Lake Michigan", not the joined "Michigan"; "Lake Titicaca" for the label "Lago Titicaca"
        english_word = _ENGLISH_WATER.search(fold(labels[0]))
        display = tidy(labels[0]) if english_word or not english else f"Lake {english[0]}"
    aliases = [*english, *labels, *(tidy(label) for label in labels), tidy(_text(props.get("label")))]
    if not (layer.supplement and layer.feature is Feature.RIVER):  # there name_alt lists the rivers downstream
        for alt in (props.get("name_alt"), props.get("namealt")):
            aliases += [tidy(a) for a in _text(alt).split(",")]
    aliases += [value for key, value in joined.items() if key != "name_en"]
    return display, [a for a in aliases if a != display and any(ch.isalpha() for ch in a)]


_WATER = re.compile(r"\b(?:lake|lakes|reservoir|lac|lago|laguna|lough|loch|ozero|vodokhranilishche|lagoon)\b")
_ENGLISH_WATER = re.compile(r"\b(?:lake|lakes|reservoir|lagoon|lough|loch)\b")
_WATER_WORDS = {Feature.LAKE: _WATER, Feature.RIVER: re.compile(r"\b(?:river|rio|creek|fork|brook|stream|canal)\b")}
_LANGUAGE_SKIPPED = {"name_vi"}
"""Vietnamese names lose their tones when folded and become English words and names ("Hằng" -> "hang")."""
MIN_LANGUAGE_NAME = 6
"""Letters; a one-word name in another language shorter than this is too often an English word or a
surname ("Kumar", Dutch for the Qumar river); English news rarely uses them."""


def _joined_names(props: dict, labels: list[str]) -> dict[str, str]:
    """`name_en` and the `name_xx` language names. In the disputed-areas layer they were joined to
    the features by name, and some joins are wrong ("Spratly Is." got Wake Island's): they are kept
    only where the English name shares a word with the feature's own."""
    names = {key: _text(value) for key, value in props.items()
             if _LANGUAGE.fullmatch(key) and key not in _LANGUAGE_SKIPPED and _text(value)
             and (key == "name_en" or " " in fold(_text(value)) or len(fold(_text(value))) >= MIN_LANGUAGE_NAME)}
    if "brk_name" in props and names.get("name_en"):
        own = {w for label in labels for w in fold(label).split() if len(w) >= 4}
        english = {w for w in fold(names["name_en"]).split() if len(w) >= 4}
        if not any(e.startswith(o) or o.startswith(e) for e in english for o in own):
            return {}
    return names


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _located(geometry: BaseGeometry) -> tuple[BaseGeometry | None, tuple[float | None, float | None]]:
    """The geometry to keep (None for a point) and the place's point, inside it and away from its edges."""
    polygons = [p for p in shapely.get_parts(geometry) if p.geom_type == "Polygon" and not p.is_empty]
    if polygons:
        outline = shapely.simplify(shapely.MultiPolygon(polygons) if len(polygons) > 1 else polygons[0],
                                   OUTLINE_TOLERANCE, preserve_topology=True)
        return outline, _inner_point(outline)
    points = [p for p in shapely.get_parts(geometry) if p.geom_type == "Point"]
    return None, ((points[0].y, points[0].x) if points else (None, None))


def _inner_point(outline: shapely.Geometry) -> tuple[float, float]:
    """The point of the largest part: its centroid where that lies inside it (nearer the points other
    gazetteers give a region, as measured for first-level regions in gazetteer/SOURCES.md), else its
    pole of inaccessibility, the inside point farthest from every edge (a curved range, a ring of islands)."""
    largest = max(shapely.get_parts(outline), key=lambda part: part.area)
    point = largest.centroid
    if not largest.contains(point):
        point = polylabel(largest, tolerance=max(largest.area ** 0.5 / 100, 1e-4))
    return point.y, point.x


def _shape_of(entry: NaturalEarthEntry) -> BaseGeometry:
    return entry.geometry if entry.geometry is not None else shapely.Point(entry.place.lon, entry.place.lat)


def _apart(one: NaturalEarthEntry, other: NaturalEarthEntry) -> bool:
    """Two features given the same Wikidata id that lie far apart are not one place (a wrong join)."""
    return bool(shapely.distance(_shape_of(one), _shape_of(other)) > SAME_PLACE_REACH)


def _nearby(entry: NaturalEarthEntry, candidates: Iterable[NaturalEarthEntry]) -> NaturalEarthEntry | None:
    """The world-layer place a supplement's feature is, if any: same kind and name, and near."""
    for candidate in candidates:
        if shapely.distance(_shape_of(entry), _shape_of(candidate)) <= SUPPLEMENT_REACH:
            return candidate
    return None


def _merge(kept: NaturalEarthEntry, other: NaturalEarthEntry) -> None:
    """One place seen twice (in two layers, or in two pieces): names joined, polygons joined."""
    for name in other.names:
        kept.add(name)
    kept.scalerank = min(kept.scalerank, other.scalerank)
    kept.wikidataid = kept.wikidataid or other.wikidataid
    if other.geometry is None or other.place.feature is not kept.place.feature:
        return
    if kept.geometry is None:
        kept.geometry = other.geometry
        kept.place = replace(kept.place, lat=other.place.lat, lon=other.place.lon)
    elif kept.geometry.geom_type.endswith("Polygon") and other.geometry.geom_type.endswith("Polygon"):
        kept.geometry = shapely.make_valid(shapely.union(kept.geometry, other.geometry))
        lat, lon = _inner_point(kept.geometry)
        kept.place = replace(kept.place, lat=round(lat, 5), lon=round(lon, 5))
