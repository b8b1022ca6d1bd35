import math
import random
from pathlib import Path

import pytest

from geomap.gazetteer.names import fold
from geomap.geodesy import distance_km
from geomap.model import Feature, Mention, Place
from geomap.geodesy import PointGrid
from geomap.resolve import Resolver
from test_recognise import executed_lines


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


def test_an_ocean_beats_a_namesake_town_in_the_country_the_text_names(geoparser):
    text = ("Colorado State University in Fort Collins, Colorado, expects storms in the tropical Atlantic. "
            "The United States and Iowa brace.")
    r = resolved(geoparser, text)
    assert r["Atlantic"].place.name == "Atlantic Ocean"


def test_region_named_once_makes_its_bare_name_the_region(geoparser):
    doc = geoparser.parse("Fighting continued in the Kursk region. Troops held ground in Kursk.")
    ids = {r.mention.text: r.place.geonameid for r in doc.resolutions}
    assert ids == {"Kursk region": 538555, "Kursk": 538555}


def test_a_country_named_after_its_capitals_dateline_is_the_country(geoparser):
    """"Mexico" answers to Mexico City only by an alternate name: the city the dateline names does
    not take the country's name."""
    r = resolved(geoparser, "MEXICO CITY (AP) Mexico's Senate has passed a law. Critics said Mexico should wait.")
    assert r["Mexico"].place.feature == Feature.COUNTRY and r["MEXICO CITY"].place.feature != Feature.COUNTRY


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


def test_near_grid_answers_as_comparing_every_point_would():
    # Clusters at the poles, across the antimeridian and at the equator, and pairs about 250 km apart.
    rng = random.Random(11)
    centres = [(89.5, 0.0), (-89.9, 120.0), (0.0, 179.9), (0.0, -179.9), (65.0, 179.0), (48.0, 2.0), (0.0, 0.0)]
    points = []
    for n in range(2000):
        lat, lon = rng.choice(centres)
        lat = max(-90.0, min(90.0, lat + rng.gauss(0, 3)))
        points.append(Place(n, "", lat, (lon + rng.gauss(0, 6) + 180) % 360 - 180, Feature.CITY))
    for n in range(2000, 2200):
        lat, lon = rng.uniform(-80, 80), rng.uniform(-180, 180)
        km = rng.choice([249.9, 250.1])
        dlat = km / 111.195 * rng.choice([-1, 1])
        points.append(Place(n, "", lat, lon, Feature.CITY))
        points.append(Place(n + 1000, "", lat + dlat, lon, Feature.CITY))
    grid = PointGrid(250.0)
    for p in points[::2]:
        grid.add(p)
    chosen = points[::2]
    for place in points[::3]:
        within = {o.geonameid for o in chosen
                  if o.geonameid != place.geonameid and distance_km(place.lat, place.lon, o.lat, o.lon) <= 250.0}
        found = grid.near(place)
        assert set(found) <= within and len(found) == min(2, len(within))


def places_named(gazetteer, country: str, count: int) -> list[str]:
    return [p.name for p in gazetteer.within(country, limit=count)]


def resolve_counting_distances(resolver, names: list[str], repeats: int, monkeypatch) -> tuple[int, int]:
    """Distance computations and lines of the resolver (geomap/resolve/) run to resolve `names`, each
    mentioned `repeats` times."""
    import geomap.geodesy
    import geomap.resolve

    computed = 0

    def counted(*args):
        nonlocal computed
        computed += 1
        return distance_km(*args)

    monkeypatch.setattr(geomap.geodesy, "distance_km", counted)
    mentions = [Mention(0, len(n), n, lookup=fold(n)) for _ in range(repeats) for n in names]
    lines = executed_lines(lambda: resolver.resolve(mentions), str(Path(geomap.resolve.__file__).parent))
    return computed, lines


def test_resolution_work_per_mention_does_not_grow_with_repeats(gazetteer, monkeypatch):
    resolver = Resolver(gazetteer)
    names = places_named(gazetteer, "NL", 30)
    few = resolve_counting_distances(resolver, names, 10, monkeypatch)
    many = resolve_counting_distances(resolver, names, 40, monkeypatch)
    assert many[0] <= few[0]  # one search per place read, however often it is named
    assert many[1] / (40 * len(names)) <= 1.1 * few[1] / (10 * len(names))


def test_nearness_work_grows_far_slower_than_the_places_of_a_crowded_area(gazetteer, monkeypatch):
    # Towns of one small country, every one near many others: a search is settled by whole cells and
    # stops at the second town found, so four times the towns cost well under twice the work each
    # (comparing every pair: four times).
    resolver = Resolver(gazetteer)
    names = places_named(gazetteer, "NL", 400)
    few = resolve_counting_distances(resolver, names[:100], 1, monkeypatch)
    many = resolve_counting_distances(resolver, names, 1, monkeypatch)
    assert many[0] / 400 <= 2 * few[0] / 100
    assert many[1] / 400 <= 1.3 * few[1] / 100


def test_priors_come_from_the_kinds_table_and_the_config_changes_only_what_it_names():
    from geomap.kinds import KINDS
    from geomap.resolve import ResolverSettings
    from fakes import TinyGazetteer, place

    river, town = place(1, "Sava", Feature.RIVER), place(2, "Sava", Feature.CITY, population=16_000)
    gazetteer = TinyGazetteer([(river, ()), (town, ())])
    sava = [Mention(0, 4, "Sava", lookup="sava")]
    assert Resolver(gazetteer).resolve(sava)[0].place == river  # the river's table prior beats a small town
    assert KINDS[Feature.RIVER].prior > 0.8 * math.log10(16_000 + 1)
    favour_towns = Resolver(gazetteer, ResolverSettings(feature_prior=((Feature.CITY, 9.0),)))
    assert favour_towns.resolve(sava)[0].place == town
    assert favour_towns.settings.priors()[Feature.RIVER] == KINDS[Feature.RIVER].prior


def test_a_partial_prior_config_keeps_the_table_for_the_other_kinds():
    import spacy

    from geomap.kinds import KINDS

    nlp = spacy.blank("en")
    resolver = nlp.add_pipe("geomap_resolver", config={"weights": {"feature_prior": {"city": 9.0}}})
    priors = dict(resolver.settings.feature_prior)
    assert priors[Feature.CITY] == 9.0
    assert all(priors[f] == k.prior for f, k in KINDS.items() if f != Feature.CITY)


def test_a_small_town_abroad_only_the_gazetteer_proposed_is_dropped(gazetteer):
    """"Noma said" in a text about Leeds and Sheffield: the gazetteer matched a person's name to a
    US neighbourhood; the NER's own proposal, or a town in a country the text names, stays."""
    def mentions(source: str, third: str = "Noma") -> list[Mention]:
        return [Mention(0, 5, "Leeds", lookup="leeds"), Mention(10, 19, "Sheffield", lookup="sheffield"),
                Mention(30, 30 + len(third), third, lookup=fold(third), source=source)]

    resolver = Resolver(gazetteer)
    assert [r.mention.text for r in resolver.resolve(mentions("gazetteer"))] == ["Leeds", "Sheffield"]
    assert [r.mention.text for r in resolver.resolve(mentions("ner"))][-1] == "Noma"
    assert [r.mention.text for r in resolver.resolve(mentions("gazetteer", "Ossett"))][-1] == "Ossett"
