import pytest

from geomap.model import Feature


def resolved(geoparser, text):
    return {r.mention.text: r for r in geoparser.parse(text).resolutions}


def test_qualifier_picks_the_namesake(geoparser):
    r = resolved(geoparser, "She grew up in Paris, Texas, before moving.")
    assert r["Paris"].place.country == "US" and r["Paris"].place.admin1 == "TX"


def test_bare_name_prefers_the_prominent_place(geoparser):
    r = resolved(geoparser, "The summit was held in Paris last week.")
    assert r["Paris"].place.geonameid == 2988507


def test_countries_beat_their_namesake_towns(geoparser):
    r = resolved(geoparser, "Exports from China and Italy to the United States rose.")
    assert r["China"].place.feature == Feature.COUNTRY
    assert r["Italy"].place.feature == Feature.COUNTRY


def test_region_named_once_makes_its_bare_name_the_region(geoparser):
    doc = geoparser.parse("Fighting continued in the Kursk region. Troops held ground in Kursk.")
    ids = {r.mention.text: r.place.geonameid for r in doc.resolutions}
    assert ids == {"Kursk region": 538555, "Kursk": 538555}


def test_context_country_picks_the_local_namesake(geoparser):
    r = resolved(geoparser, "Floods hit Canada this week. In London, Ontario, residents were evacuated.")
    assert r["London"].place.country == "CA"


@pytest.mark.parametrize("text", ["Nobody went anywhere.", ""])
def test_no_mentions_no_resolutions(geoparser, text):
    assert geoparser.parse(text).resolutions == ()


def test_every_mention_gets_a_place_or_null_and_a_confidence(seed_document):
    assert seed_document.resolutions
    for r in seed_document.resolutions:
        assert 0.0 <= r.confidence <= 1.0
        assert (r.place is None) == (r.confidence == 0.0)
