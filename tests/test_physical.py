"""The physical world out of the box (#21): the packaged Natural Earth table (data/physical.geojson.gz)
gives every build rivers, lakes, seas, ranges and deserts, each once, with kind words true to it."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest
import shapely

from conftest import ROOT, map_view
from geomap.gazetteer import naturalearth
from geomap.gazetteer.database import read_only_uri
from geomap.gazetteer.names import fold
from geomap.geodesy import distance_km
from geomap.kinds import KINDS
from geomap.model import Feature
from geomap.render.map import render_html

FAMOUS = {
    # name: (kind, points on the real feature (lat, lon): towns on a river, shores, summits, the middle of a desert)
    "Mekong": (Feature.RIVER, [(22.0, 100.8), (19.89, 102.13), (17.97, 102.6), (15.12, 105.8), (11.56, 104.92),
                               (10.03, 105.78)]),
    "Danube": (Feature.RIVER, [(49.0, 12.1), (48.2, 16.37), (47.5, 19.04), (44.82, 20.46), (43.85, 25.95),
                               (45.2, 29.0)]),
    "Nile": (Feature.RIVER, [(30.04, 31.24), (25.7, 32.64), (24.09, 32.9), (19.5, 33.3), (15.6, 32.5),
                             (9.5, 31.0), (4.85, 31.6)]),
    "Amazon": (Feature.RIVER, [(-4.25, -69.94), (-3.75, -73.25), (-3.35, -64.71), (-4.09, -63.14), (-3.1, -60.0),
                               (-1.9, -55.5), (-2.44, -54.7), (-0.5, -51.0)]),
    "Mississippi River": (Feature.RIVER, [(44.98, -93.27), (41.5, -90.6), (38.63, -90.2), (35.15, -90.05),
                                          (32.3, -90.9), (29.95, -90.07)]),
    "Volga": (Feature.RIVER, [(57.6, 39.9), (56.33, 44.0), (55.79, 49.12), (53.2, 50.15), (48.71, 44.51)]),
    "Murray": (Feature.RIVER, [(-36.08, 146.9), (-35.5, 144.5), (-34.2, 142.15), (-34.17, 140.75), (-35.12, 139.27)]),
    "Lake Victoria": (Feature.LAKE, [(-1.0, 33.0)]),
    "Lake Titicaca": (Feature.LAKE, [(-15.8, -69.4)]),
    "Caspian Sea": (Feature.PHYSICAL, [(42.0, 50.5)]),
    "Himalayas": (Feature.RANGE, [(35.24, 74.59), (32.37, 77.25), (30.38, 79.97), (27.99, 86.93), (27.70, 88.15)]),
    "Andes": (Feature.RANGE, [(4.6, -74.1), (-0.2, -78.5), (-9.0, -77.6), (-13.5, -72.0), (-16.5, -68.15),
                              (-22.0, -67.5), (-32.65, -70.0), (-41.0, -71.5)]),
    "Alps": (Feature.RANGE, [(45.83, 6.86), (46.0, 7.75), (46.5, 9.8), (47.27, 11.4), (47.07, 12.69)]),
    "Rocky Mountains": (Feature.RANGE, [(35.7, -105.9), (40.0, -105.5), (44.5, -110.5), (48.7, -113.7),
                                        (51.2, -115.6), (55.0, -122.0)]),
    "Atlas Mountains": (Feature.RANGE, [(31.06, -7.9), (32.7, -4.7), (34.0, 2.0), (35.5, 6.5)]),
    "Great Dividing Range": (Feature.RANGE, [(-17.0, 145.5), (-20.0, 146.0), (-25.0, 148.2), (-28.0, 152.0), (-33.7, 150.3),
                                             (-36.45, 148.26)]),
    "Sahara": (Feature.LANDFORM, [(23.0, 13.0), (24.0, 5.0), (25.0, 25.0), (26.0, 20.0), (20.0, 0.0)]),
    "Gobi Desert": (Feature.LANDFORM, [(43.0, 105.0), (42.5, 100.0)]),
    "Atacama Desert": (Feature.LANDFORM, [(-24.5, -69.25), (-23.0, -69.5), (-27.0, -70.0)]),
    "Kalahari Desert": (Feature.LANDFORM, [(-23.0, 22.0), (-24.0, 21.5), (-22.0, 23.0)]),
}
"""Famous rivers, lakes, ranges and deserts of every continent (the Caspian is one of Natural Earth's seas)."""


def test_a_fresh_build_knows_the_physical_world(gazetteer):
    info = gazetteer.info()
    assert info["physical"] >= 3000
    assert min(info[kind] for kind in ("river", "lake", "mountain", "range", "island", "peninsula", "landform")) >= 100


@pytest.mark.parametrize("name", FAMOUS)
def test_famous_features_come_first_where_they_are(gazetteer, name):
    kind, points = FAMOUS[name]
    first = gazetteer.search(name)[0]
    assert first.feature is kind, first
    assert min(distance_km(first.lat, first.lon, *point) for point in points) < 300, first


def test_a_river_is_mapped_as_its_line_without_any_import(geoparser, gazetteer):
    view = map_view(render_html(geoparser.parse("Floods on the Mekong reached Phnom Penh."), gazetteer))
    places = {p["name"]: p for p in view["places"]}
    assert {"Mekong", "Phnom Penh"} <= places.keys()
    mekong = places["Mekong"]
    assert mekong["shape"] == "line" and mekong["outline"]["type"] in {"LineString", "MultiLineString"}
    assert mekong["where"].startswith("river")


@pytest.mark.parametrize("name, kind", [("Himalayas", Feature.RANGE), ("Alps", Feature.RANGE),
                                        ("Sahara", Feature.LANDFORM), ("Siberia", Feature.REGION),
                                        ("Balkans", Feature.REGION), ("Red Sea", Feature.PHYSICAL),
                                        ("Mekong", Feature.RIVER)])
def test_each_feature_is_one_place_with_true_kind_words(geoparser, gazetteer, name, kind):
    """A derived region and its Natural Earth twin are one place: a range of Natural Earth's kind (no
    "sea or gulf": only seas, gulfs, straits and oceans are), a region as its members make it."""
    same = [p for p in gazetteer.search(name) if KINDS[p.feature].layer != "Towns" and p.feature is not Feature.ADMIN1]
    assert [p.feature for p in same] == [kind]
    (place,) = map_view(render_html(geoparser.parse(f"Snow fell across the {name}."), gazetteer))["places"]
    assert place["name"] == same[0].name and place["where"].startswith(KINDS[kind].words)


def test_alternative_names_and_adjectives_of_a_derived_region_join_its_twin(gazetteer):
    (himalayas,) = {p for p in gazetteer.search("Himalaya") if p.feature is Feature.RANGE}
    assert himalayas.name == "Himalayas" and himalayas.source == "naturalearth"
    assert himalayas in {c.place for c in gazetteer.candidates(fold("Himalayan"), demonym=True)}
    # A region keeps the outline its members make, and answers to its twin's names too.
    (indochina,) = gazetteer.search("Mainland Southeast Asia")
    assert (indochina.name, indochina.feature) == ("Indochina", Feature.REGION)


def test_no_two_places_of_one_kind_and_name_meet(gazetteer):
    """Pieces of one river or lake are one place; namesakes apart (the Colorado of the United States
    and of Argentina) stay apart. Simplified for the table, pieces RIVER_GAP apart may come nearer, so
    only pieces that meet count."""
    with sqlite3.connect(read_only_uri(gazetteer.path), uri=True) as db:
        rows = db.execute("SELECT feature, name, geometry, lat, lon FROM places WHERE source = 'naturalearth'").fetchall()
    groups: dict[tuple[str, str], list[shapely.Geometry]] = defaultdict(list)
    for feature, name, blob, lat, lon in rows:
        groups[(feature, name)].append(shapely.from_wkb(blob) if blob else shapely.Point(lon, lat))
    meeting = [key for key, shapes in groups.items()
               if any(shapely.intersects(a, b) for i, a in enumerate(shapes) for b in shapes[i + 1:])]
    assert meeting == []
    assert len(groups[("river", "Colorado")]) == 2


def test_dissolved_countries_are_former_countries_not_countries(gazetteer):
    assert {"CS", "AN"}.isdisjoint(p.country for p in gazetteer.of_kind(Feature.COUNTRY))
    (union,) = [p for p in gazetteer.search("Serbia and Montenegro")]
    assert union.feature is Feature.REGION
    assert distance_km(union.lat, union.lon, 44.0, 20.9) < 200


# --- the tool that makes the table --------------------------------------------------------------------


def _tool():
    spec = importlib.util.spec_from_file_location("make_physical", ROOT / "gazetteer" / "tools" / "make_physical.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _layers(folder: Path) -> Path:
    """A rivers layer of two touching stretches of one river and a far namesake, and a ranges layer."""
    rivers = [({"featurecla": "River", "name": "Qwertz", "rivernum": 1, "scalerank": 3}, [(10.0, 10.0), (11.0, 10.5)]),
              ({"featurecla": "River", "name": "Qwertz", "rivernum": 2, "scalerank": 5}, [(11.0, 10.5), (12.0, 11.0)]),
              ({"featurecla": "River", "name": "Qwertz", "rivernum": 3, "scalerank": 5}, [(40.0, -10.0), (41.0, -10.5)])]
    ranges = [({"featurecla": "Range/mtn", "name": "QWERTZ MTS.", "name_en": "", "wikidataid": "Q1"},
               [(20.0, 20.0), (20.0, 22.0), (23.0, 22.0), (23.0, 20.0), (20.0, 20.0)])]
    for layer, rows, line in (("rivers_lake_centerlines", rivers, True), ("geography_regions_polys", ranges, False)):
        features = [{"type": "Feature", "properties": props,
                     "geometry": {"type": "LineString" if line else "Polygon", "coordinates": coords if line else [coords]}}
                    for props, coords in rows]
        (folder / f"ne_10m_{layer}.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return folder


def test_the_table_keeps_the_ids_the_import_gives_and_coarse_geometry(tmp_path):
    layers = _layers(tmp_path)
    out = tmp_path / "physical.geojson.gz"
    _tool().main(str(layers), str(out))
    rows = json.loads(gzip.decompress(out.read_bytes()))["features"]
    entries, _ = naturalearth.entries(layers)
    assert sorted(r["properties"]["id"] for r in rows) == sorted(e.place.geonameid for e in entries)
    by_kind = defaultdict(list)
    for row in rows:
        by_kind[row["properties"]["feature"]].append(row)
    # The two touching stretches are one river, its far namesake another; the range is spelt out.
    assert sorted(len(shapely.geometry.shape(r["geometry"]).coords) > 0 for r in by_kind["river"]) == [True, True]
    (mountains,) = by_kind["range"]
    assert mountains["properties"]["name"] == "Qwertz Mountains" and "QWERTZ MTS." in mountains["properties"]["aliases"]
    coordinates = shapely.get_coordinates(shapely.geometry.shape(mountains["geometry"]))
    assert (coordinates.round(2) == coordinates).all()
