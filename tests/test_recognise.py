from geomap.model import MentionKind


def mentions(geoparser, text):
    return geoparser.nlp(text)._.geo_mentions


def texts(geoparser, text, kind=None):
    return [m.text for m in mentions(geoparser, text) if kind is None or m.kind == kind]


def test_names_the_ner_mislabels_are_found(geoparser):
    # The small model tags these ORG and PRODUCT; the gazetteer still knows them.
    found = texts(geoparser, "Troops were stationed in Russia's Kursk Oblast and moved to the Kursk region.")
    assert "Kursk Oblast" in found and "Kursk region" in found


def test_possessive_and_article_are_stripped(geoparser):
    found = mentions(geoparser, "Despite North Korea's denials, the U.S. is watching.")
    assert [(m.text, m.lookup) for m in found] == [("North Korea", "north korea"), ("U.S.", "us")]


def test_offsets_slice_to_the_mention_text(geoparser):
    text = "Officials in Kyiv and Lviv met envoys from Warsaw."
    for m in mentions(geoparser, text):
        assert text[m.start : m.end] == m.text


def test_demonyms_are_a_separate_kind(geoparser):
    found = mentions(geoparser, "Ukrainian forces attacked positions held by Russian troops.")
    assert {m.text: m.kind for m in found} == {"Ukrainian": MentionKind.DEMONYM, "Russian": MentionKind.DEMONYM}


def test_plural_people_nouns_are_not_place_mentions(geoparser):
    assert "Mexicans" not in texts(geoparser, "Many Mexicans voted on Sunday.")


def test_months_and_directions_are_not_places(geoparser):
    found = texts(geoparser, "In March the Centre said the South would vote in May.")
    assert not {"March", "Centre", "South", "May"} & set(found)


def test_qualifier_is_attached(geoparser):
    first = mentions(geoparser, "She grew up in Paris, Texas, before moving.")[0]
    assert (first.text, first.qualifier) == ("Paris", "texas")


def test_text_without_places_gives_no_mentions(geoparser):
    assert mentions(geoparser, "The committee will meet again next week to discuss the budget.") == ()


def test_surname_of_a_named_person_is_not_a_town(geoparser):
    found = texts(geoparser, "Prime Minister Narendra Modi spoke on Monday. Later, Modi flew to Delhi.")
    assert "Modi" not in found and "Delhi" in found


def test_a_name_taken_as_a_place_once_is_a_place_throughout(geoparser):
    text = "Flooding hit Slidell on Monday. Residents of Slidell were told to leave, and Slidell schools closed."
    assert texts(geoparser, text).count("Slidell") == 3


def test_names_in_a_list_with_a_place_are_places(geoparser):
    found = texts(geoparser, "After the sale of its stores in Žilina, Nitra, Prešov and Košice the chain is selling.")
    assert found == ["Žilina", "Nitra", "Prešov", "Košice"]


def test_dateline_opens_the_article(geoparser):
    assert texts(geoparser, "WINNIPEG — The opposition said on Monday that it would vote.")[0] == "WINNIPEG"


def test_a_large_city_misread_as_a_person_is_still_the_city(geoparser):
    assert "Abuja" in texts(geoparser, "The minister of Abuja, Dr. Olaopa, has launched the scheme.")
