"""Each recognition rule on its own: blank English Docs with hand-set entities and a gazetteer of a
few places held in memory, so every test runs in milliseconds and needs no model or database."""

from __future__ import annotations

from fakes import TinyGazetteer, place
from geomap.gazetteer.names import fold
from geomap.gazetteer.store import UNKNOWN, Fame
from geomap.kinds import Rank
from geomap.model import Candidate, Feature


def test_tiny_gazetteer_ranks_names_like_the_real_one():
    gaz = TinyGazetteer([(place(1, "Sava", Feature.RIVER), ()), (place(2, "Sava", Feature.CITY, population=16_000), ())])
    assert gaz.known(["sava", "nowhere"]) == {"sava": Fame(Rank.AREA, 16_000, False)}
    assert gaz.known(["nowhere"]).get("nowhere", UNKNOWN) == UNKNOWN


import csv  # noqa: E402
from importlib import resources  # noqa: E402

import pytest  # noqa: E402
import spacy  # noqa: E402

from geomap.model import Mention, MentionKind  # noqa: E402
from geomap.recognise import RULES, Labels, Recogniser, RecogniserSettings  # noqa: E402
from geomap.recognise import rules  # noqa: E402
from geomap.recognise.context import Context, Found, Words  # noqa: E402
from geomap.resolve import Resolver  # noqa: E402

NLP = spacy.blank("en")
WORDS = Words.of("en")

GAZETTEER = TinyGazetteer([
    (place(1, "Kursk", Feature.CITY, 51.7, 36.2, "RU", "41", 440_000), ()),
    (place(2, "Kursk Oblast", Feature.ADMIN1, 51.6, 36.2, "RU", "41", 1_100_000), ("Kursk region",)),
    (place(3, "Slidell", Feature.CITY, 30.3, -89.8, "US", "LA", 27_000), ()),
    (place(4, "Ukraine", Feature.COUNTRY, 49.0, 32.0, "UA", "", 44_000_000), ()),
    (place(5, "Žilina", Feature.CITY, 49.2, 18.7, "SK", "", 80_000), ()),
    (place(6, "Nitra", Feature.CITY, 48.3, 18.1, "SK", "", 78_000), ()),
    (place(7, "Prešov", Feature.CITY, 49.0, 21.2, "SK", "", 88_000), ()),
    (place(8, "Winnipeg", Feature.CITY, 49.9, -97.1, "CA", "03", 750_000), ()),
    (place(9, "May", Feature.CITY, 0.0, 0.0, "US", "", 200_000), ()),
    (place(10, "Danube", Feature.RIVER, 45.2, 28.7), ()),
    (place(11, "Sava", Feature.RIVER, 45.0, 19.0), ()),
    (place(12, "Sava", Feature.ADMIN1, -14.3, 50.0, "MG", "73", 255_910), ()),
    (place(13, "Belgrade", Feature.CAPITAL, 44.8, 20.5, "RS", "", 1_270_000), ()),
    (place(14, "Amazon", Feature.RIVER, -2.0, -55.0), ()),
    (place(15, "Red Sea", Feature.PHYSICAL, 20.0, 38.0), ()),
    (place(16, "Red Sea", Feature.ADMIN1, 19.0, 36.0, "SD", "36", 646_800), ()),
    (place(17, "Sudan", Feature.COUNTRY, 15.0, 30.0, "SD", "", 43_000_000), ()),
    (place(18, "Land's End", Feature.PENINSULA, 50.07, -5.67), ()),
    (place(19, "Lake Victoria", Feature.LAKE, -1.0, 33.0), ()),
], demonyms={"Ukrainian": place(4, "Ukraine", Feature.COUNTRY, 49.0, 32.0, "UA", "", 44_000_000)})


def doc_with(text: str, *entities: tuple[str, str]) -> spacy.tokens.Doc:
    """A blank English Doc whose NER entities are set by hand: (the entity's text, its label)."""
    doc = NLP(text)
    doc.ents = [doc.char_span(text.index(words), text.index(words) + len(words), label=label)
                for words, label in entities]
    return doc


def run(rule, doc, taken: tuple[tuple[str, int], ...] = (), gazetteer=GAZETTEER) -> list[tuple[str, MentionKind, str]]:
    """What one rule takes in `doc`, after `taken` ((text, occurrence)) were taken by an earlier rule."""
    ctx = Context.of(doc, gazetteer, RecogniserSettings())
    found = Found(doc)
    found.rule = "earlier"
    for words, occurrence in taken:
        at = [t.i for t in doc if t.text == words][occurrence]
        found.take(at, at + 1, MentionKind.TOPONYM, fold(words))
    found.rule = rule.__name__
    rule(ctx, found)
    return [(m.text, m.kind, m.rule) for m in found.mentions if m.rule == rule.__name__]


def test_place_entities_are_widened_to_the_longest_known_name():
    doc = doc_with("Troops moved to the Kursk region on Monday.", ("Kursk", "GPE"))
    assert run(rules.ner_place, doc) == [("Kursk region", MentionKind.TOPONYM, "ner_place")]


def test_a_single_word_no_gazetteer_knows_needs_a_cue_to_be_the_ners_place():
    doc = doc_with("Wavepiston raised money. Families moved to Khayelitsha and Tembisa Township.",
                   ("Wavepiston", "GPE"), ("Khayelitsha", "GPE"), ("Tembisa Township", "GPE"))
    assert [m[0] for m in run(rules.ner_place, doc)] == ["Khayelitsha", "Tembisa Township"]


def test_a_country_adjective_the_ner_calls_a_place_is_a_demonym():
    doc = doc_with("Ukrainian troops advanced.", ("Ukrainian", "GPE"))
    assert run(rules.ner_place, doc) == [("Ukrainian", MentionKind.DEMONYM, "ner_place")]


def test_adjectives_are_demonyms_and_people_are_not():
    doc = doc_with("Ukrainian forces and Americans met.", ("Ukrainian", "NORP"), ("Americans", "NORP"))
    assert run(rules.ner_demonym, doc) == [("Ukrainian", MentionKind.DEMONYM, "ner_demonym")]


def test_a_small_town_needs_a_cue_word_and_a_region_does_not():
    assert run(rules.known_name, doc_with("Flooding hit Slidell on Monday.")) == []
    assert [m[0] for m in run(rules.known_name, doc_with("Flooding in Slidell on Monday."))] == ["Slidell"]
    assert [m[0] for m in run(rules.known_name, doc_with("Officials said Kursk Oblast was hit."))] == ["Kursk Oblast"]


def test_a_name_may_hold_a_possessive_and_a_possessive_still_ends_one():
    found = run(rules.known_name, doc_with("Walkers reached Land's End as Ukraine's army moved."))
    assert [m[0] for m in found] == ["Land's End", "Ukraine"]


def test_a_month_is_not_a_town_however_large():
    assert run(rules.known_name, doc_with("The vote was held in May of that year.")) == []


def test_a_person_stays_a_person_unless_the_name_is_a_large_town():
    assert run(rules.known_name, doc_with("Then Slidell said no.", ("Slidell", "PERSON"))) == []
    assert [m[0] for m in run(rules.known_name, doc_with("Then Kursk said no.", ("Kursk", "PERSON")))] == ["Kursk"]


def test_one_sense_per_text_but_not_for_a_person():
    doc = NLP("Flooding in Slidell. Slidell schools closed. Then Slidell said no.")
    doc.ents = [spacy.tokens.Span(doc, 9, 10, label="PERSON")]  # the third "Slidell"
    found = run(rules.one_sense, doc, taken=(("Slidell", 0),))
    assert [m[0] for m in found] == ["Slidell"] and len(found) == 1


def test_one_sense_leaves_a_name_the_ner_reads_wholly_as_an_organisation():
    """"in White House" once does not make every "White House" (the staff, the office) a town; the
    name inside a longer organisation ("Slidell schools") still takes the one sense."""
    doc = NLP("Flooding in Slidell. Slidell Schools closed. Slidell said no.")
    doc.ents = [spacy.tokens.Span(doc, 4, 6, label="ORG"), spacy.tokens.Span(doc, 8, 9, label="ORG")]
    ctx, found = Context.of(doc, GAZETTEER, RecogniserSettings()), Found(doc)
    found.take(2, 3, MentionKind.TOPONYM, "slidell")
    rules.one_sense(ctx, found)
    assert [m.start for m in found.mentions[1:]] == [doc.text.index("Slidell Schools")]


def test_one_sense_reaches_an_organisation_reading_when_the_ner_reads_the_name_as_a_place_elsewhere():
    doc = NLP("Flooding in Slidell. Slidell said no. Roads in Slidell and Slidell closed.")
    doc.ents = [spacy.tokens.Span(doc, i, i + 1, label=label) for i, label in ((10, "GPE"), (4, "ORG"), (12, "ORG"))]
    assert len(run(rules.one_sense, doc, taken=(("Slidell", 0),))) == 3


def test_a_dateline_name_is_a_place():
    assert [m[0] for m in run(rules.dateline, doc_with("WINNIPEG — The opposition said it would vote."))] == ["WINNIPEG"]


def test_a_list_grows_from_a_place_taken_before():
    doc = doc_with("Stores in Žilina, Nitra and Prešov closed.")
    assert [m[0] for m in run(rules.list_, doc, taken=(("Žilina", 0),))] == ["Nitra", "Prešov"]
    assert run(rules.list_, doc) == []  # nothing to grow from


def test_a_list_does_not_take_a_direction_or_a_stop_word():
    gazetteer = TinyGazetteer([(place(1, "Winnipeg", Feature.CITY, population=750_000), ()),
                               (place(2, "West", Feature.ADMIN1, population=990_000), ()),
                               (place(3, "No", Feature.CITY, population=5_000), ()),
                               (place(4, "Brandon", Feature.CITY, population=50_000), ())])
    doc = doc_with("Envoys left the West and Winnipeg for No, Winnipeg and Brandon.")
    assert [m[0] for m in run(rules.list_, doc, taken=(("Winnipeg", 0), ("Winnipeg", 1)), gazetteer=gazetteer)] == ["Brandon"]


def test_the_first_rule_to_take_a_token_keeps_it_and_each_mention_names_its_rule():
    doc = doc_with("Troops moved to the Kursk region.")
    found = Found(doc)
    found.rule = "first"
    assert found.take(4, 6, MentionKind.TOPONYM, "kursk region")
    found.rule = "second"
    assert not found.take(4, 5, MentionKind.TOPONYM, "kursk") and not found.take(5, 7, MentionKind.TOPONYM, "x")
    assert [(m.text, m.rule) for m in found.mentions] == [("Kursk region", "first")]


def test_a_place_after_a_comma_qualifies_the_one_before():
    paris, texas = Mention(0, 5, "Paris", lookup="paris"), Mention(7, 12, "Texas", lookup="texas")
    assert rules.qualify("Paris, Texas", [paris, texas], WORDS)[0].qualifier == "texas"
    assert rules.qualify("Paris and Texas", [paris, texas], WORDS)[0].qualifier == ""


def test_a_place_in_a_region_and_a_regions_place_are_qualified():
    paris, texas = Mention(0, 5, "Paris", lookup="paris"), Mention(9, 14, "Texas", lookup="texas")
    assert rules.qualify("Paris in Texas", [paris, texas], WORDS)[0].qualifier == "texas"
    texas, paris = Mention(0, 5, "Texas", lookup="texas"), Mention(8, 13, "Paris", lookup="paris")
    assert rules.qualify("Texas's Paris", [texas, paris], WORDS)[1].qualifier == "texas"
    assert rules.qualify("Texas's Paris", [texas, paris], WORDS)[0].qualifier == ""
    assert rules.qualify("Texas or Paris", [texas, Mention(9, 14, "Paris", lookup="paris")], WORDS)[1].qualifier == ""


def test_a_qualified_mention_keeps_its_own_place_and_the_bare_repeats_share_one():
    gazetteer = TinyGazetteer([
        (place(101, "Springfield", Feature.CITY, 39.8, -89.6, "US", "IL", 114_000), ()),
        (place(102, "Springfield", Feature.CITY, 37.2, -93.3, "US", "MO", 170_000), ()),
        (place(103, "Illinois", Feature.ADMIN1, 40.0, -89.0, "US", "IL", 12_800_000), ("Ill",)),
        (place(104, "Missouri", Feature.ADMIN1, 38.5, -92.5, "US", "MO", 6_100_000), ()),
    ])
    mentions = [Mention(0, 11, "Springfield", lookup="springfield", qualifier="ill"),
                Mention(13, 17, "Ill.", lookup="ill"),
                Mention(30, 41, "Springfield", lookup="springfield", qualifier="missouri"),
                Mention(43, 51, "Missouri", lookup="missouri"),
                Mention(60, 71, "Springfield", lookup="springfield")]
    chosen = [r.place.geonameid for r in Resolver(gazetteer).resolve(mentions)]
    assert chosen[0] == 101 and chosen[2] == 102
    assert chosen[4] in {101, 102}


def test_the_ner_labels_come_from_the_settings():
    doc = doc_with("Troops moved to Slidell on Monday.", ("Slidell", "LOCATION"))
    other_model = Recogniser(GAZETTEER, RecogniserSettings(labels=Labels(place=("LOCATION",))))
    assert [(m.text, m.rule) for m in other_model.mentions(doc)] == [("Slidell", "ner_place")]
    # With OntoNotes labels "LOCATION" means nothing; the cue word "to" still makes the town a place.
    assert [(m.text, m.rule) for m in Recogniser(GAZETTEER).mentions(doc)] == [("Slidell", "known_name")]


def test_the_factory_reads_labels_from_the_config_and_refuses_unknown_ones():
    nlp = spacy.blank("en")
    recogniser = nlp.add_pipe("geomap_recogniser", config={"labels": {"place": ["LOCATION"]}})
    assert recogniser.settings.labels == Labels(place=("LOCATION",))
    with pytest.raises(ValueError, match="unknown labels places"):
        spacy.blank("en").add_pipe("geomap_recogniser", config={"labels": {"places": ["LOCATION"]}})


def test_rules_have_unique_names_and_reasons():
    assert len({r.name for r in RULES}) == len(RULES)
    assert all(r.reason and r.source in {"ner", "gazetteer", "pattern"} for r in RULES)


def test_every_word_list_row_says_why():
    folder = resources.files("geomap.lang") / "en"
    lists = [f for f in folder.iterdir() if f.name.endswith(".csv")]
    assert len(lists) >= 9
    for path in lists:
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                assert row["word"] and row["why"].strip(), (path.name, row)


def test_a_river_the_ner_calls_a_person_is_the_river_where_the_text_says_the():
    doc = doc_with("Floodwaters on the Danube and the Sava reached Belgrade.",
                   ("Danube", "PERSON"), ("Sava", "PERSON"), ("Belgrade", "GPE"))
    mentions = Recogniser(GAZETTEER).mentions(doc)
    assert [(m.text, m.rule, m.feature_sign) for m in mentions] == [
        ("Danube", "evident_feature", True), ("Sava", "evident_feature", True), ("Belgrade", "ner_place", False)]
    places = {r.mention.text: r.place.feature for r in Resolver(GAZETTEER).resolve(mentions)}
    # "the Sava" is the river, not Madagascar's Sava region, which would outweigh it by population alone.
    assert places == {"Danube": Feature.RIVER, "Sava": Feature.RIVER, "Belgrade": Feature.CAPITAL}


def test_without_a_sign_a_name_known_only_as_a_river_stays_the_company():
    assert Recogniser(GAZETTEER).mentions(doc_with("Amazon said its profits rose.", ("Amazon", "ORG"))) == ()
    burning = Recogniser(GAZETTEER).mentions(doc_with("Fires spread in the Amazon again.", ("Amazon", "ORG")))
    assert [(m.text, m.rule, m.feature_sign) for m in burning] == [("Amazon", "evident_feature", True)]
    # Unlabelled and without a sign it is not taken for its prominence alone.
    assert Recogniser(GAZETTEER).mentions(doc_with("Investors bought Amazon shares.")) == ()


def test_a_lake_whose_name_says_so_is_the_lake_even_where_the_ner_reads_a_person():
    doc = doc_with("Unlike Lake Victoria, it has no outlet.", ("Lake Victoria", "PERSON"))
    assert run(rules.evident_feature, doc) == [("Lake Victoria", MentionKind.TOPONYM, "evident_feature")]
    assert run(rules.evident_feature, doc_with("Unlike Victoria, it has no outlet.", ("Victoria", "PERSON"))) == []


def test_a_river_name_inside_a_person_named_in_full_is_the_person():
    doc = doc_with("Sava Kovačević led the unit; the Sava monument honours him.", ("Sava Kovačević", "PERSON"))
    assert run(rules.evident_feature, doc) == []


def test_a_sea_beats_a_namesake_region_unless_the_text_names_its_country():
    sea = [Mention(0, 7, "Red Sea", lookup="red sea")]
    assert Resolver(GAZETTEER).resolve(sea)[0].place.feature == Feature.PHYSICAL
    in_sudan = [*sea, Mention(20, 25, "Sudan", lookup="sudan")]
    assert Resolver(GAZETTEER).resolve(in_sudan)[0].place.feature == Feature.ADMIN1


def test_a_preferred_place_wins_for_its_name_unless_a_qualifier_names_another_area():
    gazetteer = TinyGazetteer([
        (place(101, "Springfield", Feature.CITY, 39.8, -89.6, "US", "IL", 114_000), ()),
        (place(102, "Springfield", Feature.CITY, 37.2, -93.3, "US", "MO", 170_000), ()),
        (place(103, "Illinois", Feature.ADMIN1, 40.0, -89.0, "US", "IL", 12_800_000), ()),
        (place(105, "Shelbyville", Feature.CITY, 39.4, -88.8, "US", "IL", 4_700), ()),
    ])
    bare = [Mention(0, 11, "Springfield", lookup="springfield")]
    assert Resolver(gazetteer).resolve(bare)[0].place.geonameid == 102
    illinois = place(101, "Springfield", Feature.CITY, 39.8, -89.6, "US", "IL", 114_000)
    assert Resolver(gazetteer).resolve(bare, {"springfield": illinois})[0].place.geonameid == 101
    # A place the name is not a name of is still what the user says it means.
    shelbyville = place(105, "Shelbyville", Feature.CITY, 39.4, -88.8, "US", "IL", 4_700)
    assert Resolver(gazetteer).resolve(bare, {"springfield": shelbyville})[0].place.geonameid == 105
    qualified = [Mention(0, 11, "Springfield", lookup="springfield", qualifier="missouri")]
    gazetteer.names["missouri"] = [Candidate(place(104, "Missouri", Feature.ADMIN1, 38.5, -92.5, "US", "MO"), True)]
    assert Resolver(gazetteer).resolve(qualified, {"springfield": illinois})[0].place.geonameid == 102


def test_a_headline_read_as_a_person_does_not_take_its_town_from_the_article():
    gazetteer = TinyGazetteer([(place(201, "Sochi", Feature.CITY, 43.6, 39.7, "RU", "38", 343_000), ())])
    text = "Governor Petrov Tours Sochi\nThe governor arrived in Sochi on Monday. Sochi hosted the Games."
    doc = NLP(text)
    second, third = text.index("Sochi", 30), text.rindex("Sochi")
    doc.ents = [doc.char_span(9, 27, label="PERSON"), doc.char_span(second, second + 5, label="GPE"),
                doc.char_span(third, third + 5, label="PERSON")]
    taken = [m.start for m in Recogniser(gazetteer).mentions(doc)]
    assert second in taken and third in taken


def test_people_in_a_title_case_headline_lend_no_person_words():
    doc = doc_with("Floodwaters Reach Budapest\nThe Danube rose.", ("Reach Budapest", "PERSON"))
    assert "budapest" not in Context.of(doc, GAZETTEER, RecogniserSettings()).person_words
    doc = doc_with("Then Reach Budapest spoke at length.", ("Reach Budapest", "PERSON"))
    assert "budapest" in Context.of(doc, GAZETTEER, RecogniserSettings()).person_words


def test_a_large_city_in_a_headline_the_ner_reads_as_a_person_is_the_city():
    gazetteer = TinyGazetteer([(place(204, "Budapest", Feature.CAPITAL, 47.5, 19.0, "HU", "05", 1_700_000), ())])
    headline = doc_with("Floodwaters Reach Budapest\nThe river rose.", ("Reach Budapest", "PERSON"))
    assert [m.text for m in Recogniser(gazetteer).mentions(headline)] == ["Budapest"]
    sentence = doc_with("Then Reach Budapest spoke at length.", ("Reach Budapest", "PERSON"))
    assert Recogniser(gazetteer).mentions(sentence) == ()


# Span bugs (#14): a name holding an abbreviation's full stop or a comma; a clitic the NER tags.

SPANS = TinyGazetteer([
    (place(301, "St. Louis", Feature.CITY, 38.6, -90.2, "US", "MO", 280_000), ("St Louis",)),
    (place(302, "Louisville", Feature.CITY, 38.2, -85.7, "US", "KY", 600_000), ("Louis",)),
    (place(303, "Washington, D.C. District", Feature.ADMIN1, 38.9, -77.0, "US", "DC", 700_000),
     ("Washington, D.C.", "Washington DC")),
    (place(304, "Washington", Feature.CAPITAL, 38.9, -77.0, "US", "DC", 690_000), ()),
])


def test_an_all_caps_name_with_its_abbreviations_full_stop_is_one_name():
    doc = doc_with("ST. LOUIS – Police announced an arrest.", ("ST", "GPE"), ("LOUIS", "GPE"))
    assert [m[0] for m in run(rules.ner_place, doc, gazetteer=SPANS)] == ["ST. LOUIS"]


def test_a_name_the_gazetteer_knows_with_its_comma_is_not_cut_at_the_comma():
    doc = doc_with("The march in Washington, D.C. drew thousands.", ("Washington, D.C.", "GPE"))
    assert [m[0] for m in run(rules.ner_place, doc, gazetteer=SPANS)] == ["Washington, D.C."]
    # A comma between two names the gazetteer does not know together still parts them.
    doc = doc_with("Stores in Žilina, Nitra closed.", ("Žilina, Nitra", "GPE"))
    assert [m[0] for m in run(rules.ner_place, doc)] == ["Žilina", "Nitra"]


def test_a_clitic_the_ner_calls_a_place_is_not_taken():
    doc = doc_with("But the sheriff haven’t lost their jobs in Kursk.", ("n’t", "GPE"), ("Kursk", "GPE"))
    assert [m[0] for m in run(rules.ner_place, doc)] == ["Kursk"]


# Acronyms amid ordinary words name organisations, not the villages that spell them (#14 §3).

ACRONYMS = TinyGazetteer([
    (place(401, "Nato", Feature.CITY, 13.1, 123.5, "PH", "05", 5_600), ()),
    (place(402, "Tunisia", Feature.COUNTRY, 34.0, 9.0, "TN", "", 11_500_000), ()),
    (place(403, "Murray", Feature.CITY, 47.1, -122.6, "US", "WA", 49_000), ()),
    (place(404, "Baxter", Feature.CITY, 46.3, -94.3, "US", "MN", 1_400), ("AI",)),
    (place(405, "Louisville", Feature.CITY, 38.2, -85.7, "US", "KY", 600_000), ()),
    (place(406, "Washington", Feature.ADMIN1, 47.5, -120.5, "US", "WA", 7_500_000), ("Wash",)),
])


def test_an_acronym_in_running_text_is_not_a_small_town():
    doc = doc_with("Relations between NATO and Tunisia seemed solid.", ("Tunisia", "GPE"))
    assert [m.text for m in Recogniser(ACRONYMS).mentions(doc)] == ["Tunisia"]
    doc = doc_with("The show featured new AI talks in Louisville.", ("AI", "GPE"), ("Louisville", "GPE"))
    assert [m.text for m in Recogniser(ACRONYMS).mentions(doc)] == ["Louisville"]


def test_a_name_in_capitals_after_capitals_or_opening_a_line_is_still_a_place():
    doc = doc_with("CAMP MURRAY, Wash. - The team met in Louisville.", ("Wash.", "GPE"), ("Louisville", "GPE"))
    assert [m.text for m in Recogniser(ACRONYMS).mentions(doc)] == ["MURRAY", "Wash.", "Louisville"]
    doc = doc_with("Talks in Louisville.\nMURRAY and Tunisia signed.", ("Louisville", "GPE"), ("MURRAY", "GPE"))
    assert "MURRAY" in [m.text for m in Recogniser(ACRONYMS).mentions(doc)]


def test_a_place_leading_an_office_named_for_it_is_the_place():
    """"the Slidell Fire Department": an office is named for its place, so a small town leads it
    without a cue; a company's name ("Slidell Motors") holds no office word and stays the company's."""
    doc = doc_with("The Slidell Fire Department met. Slidell Motors closed.",
                   ("The Slidell Fire Department", "ORG"), ("Slidell Motors", "ORG"))
    assert [m[0] for m in run(rules.known_name, doc)] == ["Slidell"]
    assert run(rules.known_name, doc_with("Slidell Motors closed.", ("Slidell Motors", "ORG"))) == []


def test_an_organisation_named_as_a_building_is_a_place():
    """"Barclays Center", "Royal Street": the NER calls them organisations, their last word says building;
    a company ("Barclays Bank") or a one-word organisation stays the organisation's."""
    doc = doc_with("Fans left the Barclays Center for Royal Street. Barclays Bank and Hospital said no.",
                   ("the Barclays Center", "ORG"), ("Royal Street", "ORG"), ("Barclays Bank", "ORG"), ("Hospital", "ORG"))
    assert [m[0] for m in run(rules.ner_building, doc)] == ["Barclays Center", "Royal Street"]


def test_roads_are_places_by_their_form():
    doc = doc_with("Crews closed State Highway 24 and Loop 286. Traffic on U.S. 31 and I-65 slowed on "
                   "West Main Street near the Kansas Expressway.")
    assert [(m[0], m[2]) for m in run(rules.road, doc)] == [
        ("State Highway 24", "road"), ("Loop 286", "road"), ("U.S. 31", "road"), ("I-65", "road"),
        ("West Main Street", "road"), ("Kansas Expressway", "road")]


def test_a_number_after_a_road_word_that_is_an_amount_or_a_name_going_on_is_no_road():
    doc = doc_with("The U.S. 10-year yield rose 2 percent. The Wall Street Journal and Main Street Bank said so. "
                   "On Route 9, trucks waited.")
    assert [m[0] for m in run(rules.road, doc)] == ["Route 9"]


def test_a_road_is_marked_for_the_resolver():
    text = "Traffic from Kursk slowed on the Kursk Expressway."
    mentions = Recogniser(GAZETTEER).mentions(doc_with(text, ("Kursk", "GPE")))
    assert [(m.text, m.road) for m in mentions] == [("Kursk", False), ("Kursk Expressway", True)]


HOME = TinyGazetteer([
    (place(30, "Ghana", Feature.COUNTRY, 8.0, -1.0, "GH", "", 31_000_000), ()),
    (place(31, "Tarkwa", Feature.CITY, 5.3, -2.0, "GH", "08", 34_000), ()),
    (place(32, "Ukraine", Feature.COUNTRY, 49.0, 32.0, "UA", "", 44_000_000), ()),
    (place(33, "Warner", Feature.CITY, 35.0, -95.0, "US", "OK", 1_600), ()),
    (place(34, "England", Feature.ADMIN1, 52.2, -0.7, "GB", "ENG", 53_000_000), ()),
], demonyms={"Ghanaian": place(30, "Ghana", Feature.COUNTRY, 8.0, -1.0, "GH", "", 31_000_000),
             "English": place(34, "England", Feature.ADMIN1, 52.2, -0.7, "GB", "ENG", 53_000_000)})


def test_a_town_of_a_country_the_text_names_needs_no_cue():
    doc = doc_with("Ghana closed mines. Officials said Tarkwa was calm.")
    assert run(rules.home_town, doc, taken=(("Ghana", 0),), gazetteer=HOME) == [
        ("Tarkwa", MentionKind.TOPONYM, "home_town")]
    doc = doc_with("Ghanaian officials said Tarkwa was calm.")
    ctx, found = Context.of(doc, HOME, RecogniserSettings()), Found(doc)
    found.take(0, 1, MentionKind.DEMONYM, "ghanaian")
    rules.home_town(ctx, found)
    assert [m.text for m in found.mentions[1:]] == ["Tarkwa"]


@pytest.mark.parametrize("text, entities", [
    ("Ukraine closed mines. Officials said Tarkwa was calm.", ()),  # a namesake abroad vouches for nothing
    ("Tarkwa was calm, Ghana said.", ()),  # a sentence's first word
    ("Ghana closed mines. Officials said Time Tarkwa was calm.", ()),  # part of a longer name
    ("Ghana closed mines. Officials said Tarkwa was calm.", (("Tarkwa", "PERSON"),)),  # the NER's other reading
])
def test_home_town_takes_no_namesake_abroad_first_word_part_of_a_name_or_entity(text, entities):
    doc = doc_with(text, *entities)
    country = "Ukraine" if "Ukraine" in text else "Ghana"
    assert run(rules.home_town, doc, taken=((country, 0),), gazetteer=HOME) == []


def test_an_untagged_adjective_is_a_demonym_only_before_the_word_it_qualifies():
    found = run(rules.known_name, doc_with("He reached the English city of Salisbury."), gazetteer=HOME)
    assert found == [("English", MentionKind.DEMONYM, "known_name")]
    assert run(rules.known_name, doc_with("She taught English for years."), gazetteer=HOME) == []
    assert run(rules.known_name, doc_with("Classes in English are full."), gazetteer=HOME) == []


LOCAL = TinyGazetteer([
    (place(40, "Paris", Feature.CITY, 33.66, -95.56, "US", "TX", 25_000), ()),
    (place(41, "Cooper", Feature.CITY, 33.37, -95.69, "US", "TX", 2_000), ()),
    (place(42, "Commerce", Feature.CITY, 33.25, -95.90, "US", "TX", 9_000), ()),
    (place(43, "Mercer", Feature.CITY, 41.23, -80.24, "US", "PA", 2_000), ()),
    (place(44, "Texas", Feature.ADMIN1, 31.0, -99.0, "US", "TX", 29_000_000), ()),
    (place(45, "Pennsylvania", Feature.ADMIN1, 40.9, -77.8, "US", "PA", 13_000_000), ("Pa.",)),
])


def at_home(text: str, *entities: tuple[str, str], home_id: int | None = 40):
    doc = doc_with(text, *entities)
    doc._.geo_home = next((c.place for cands in LOCAL.names.values() for c in cands if c.place.geonameid == home_id), None)
    return doc


def test_with_a_home_its_neighbours_need_no_cue_and_its_own_name_is_a_place_wherever_it_stands():
    doc = at_home("Drivers headed for Cooper and Commerce. Paris Academy won. Mercer did not.",
                  ("Paris Academy", "ORG"))  # Mercer is a town too, but 1,700 km away
    assert [m[0] for m in run(rules.near_home, doc, gazetteer=LOCAL)] == ["Cooper", "Commerce", "Paris"]


def test_without_a_home_the_dateline_town_is_the_home():
    doc = doc_with("PARIS, Texas — Drivers headed for Cooper and Commerce.")
    assert [m[0] for m in run(rules.near_home, doc, gazetteer=LOCAL)] == ["PARIS", "Cooper", "Commerce"]
    doc = doc_with("MERCER, Pa. — Drivers headed for Cooper and Commerce.")  # 1,700 km from them
    assert [m[0] for m in run(rules.near_home, doc, gazetteer=LOCAL)] == ["MERCER"]


def test_without_a_home_or_where_the_text_names_a_person_nothing_is_taken_near_home():
    assert run(rules.near_home, at_home("Drivers headed for Cooper.", home_id=None), gazetteer=LOCAL) == []
    doc = at_home("Then Paris said no to Cooper.", ("Paris", "PERSON"), ("Cooper", "PERSON"))
    assert run(rules.near_home, doc, gazetteer=LOCAL) == []
