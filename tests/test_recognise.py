import os
import shutil
import sys

import pytest

from conftest import SHARED
from fakes import run_cli
from geomap.gazetteer.store import Fame
from geomap.model import Feature, MentionKind
from geomap.pipeline import Geoparser
from geomap.recognise.context import Taken
from geomap.recognise.rules import widest


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
    # The model reads every "Slidell" here but the first as an organisation: one place reading lets
    # one sense reach them (a name it never reads as a place is rules.one_sense's organisation case).
    text = "Flooding hit Slidell, Louisiana, on Monday. Residents of Slidell were told to leave, and Slidell schools closed."
    assert texts(geoparser, text).count("Slidell") == 3


def test_names_in_a_list_with_a_place_are_places(geoparser):
    found = texts(geoparser, "After the sale of its stores in Žilina, Nitra, Prešov and Košice the chain is selling.")
    assert found == ["Žilina", "Nitra", "Prešov", "Košice"]


def test_dateline_opens_the_article(geoparser):
    assert texts(geoparser, "WINNIPEG — The opposition said on Monday that it would vote.")[0] == "WINNIPEG"


def test_a_large_city_misread_as_a_person_is_still_the_city(geoparser):
    assert "Abuja" in texts(geoparser, "The minister of Abuja, Dr. Olaopa, has launched the scheme.")


def test_a_list_grows_backwards_from_a_place_at_its_end(geoparser):
    # Only "Bratislava" is a place on its own; each name before it is one because the next one is.
    found = mentions(geoparser, "Rail links between Nitra, Trnava, Prešov, Poprad and Bratislava were cut.")
    assert [m.text for m in found] == ["Nitra", "Trnava", "Prešov", "Poprad", "Bratislava"]


def test_taken_spans_refuse_overlaps_and_know_their_neighbours():
    taken = Taken(10)
    assert taken.add(2, 5)
    assert not taken.add(4, 6) and not taken.add(0, 3) and not taken.add(3, 4) and not taken.add(1, 7)
    assert not taken.add(6, 6)  # empty
    assert taken.add(5, 6) and taken.add(0, 2)
    assert taken.starts == {0, 2, 5} and taken.ends == {2, 5, 6}


def test_widest_known_name_is_the_longest_covering_one_and_the_first_on_a_tie():
    known = {"a b": Fame(1, 0, False), "b c": Fame(1, 0, False), "a b c d": Fame(1, 0, False),
             "x": Fame(-1, 0, True)}
    starting = {0: [(2, "a b"), (4, "a b c d")], 1: [(3, "b c")], 5: [(6, "x")]}
    assert widest(starting, known, 1, 2) == (0, 4)
    assert widest({0: [(2, "a b")], 1: [(3, "b c")]}, known, 1, 2) == (0, 2)
    assert widest(starting, known, 5, 6) is None  # a demonym is no place name


def executed_lines(run, path) -> int:
    """How many lines of the module at `path` (or of the modules under the folder `path`) `run()`
    executes: work counted, so timing noise cannot blur it."""
    count = 0

    def count_lines(frame, event, arg):
        nonlocal count
        count += event == "line"
        return count_lines

    previous = sys.gettrace()
    sys.settrace(lambda frame, event, arg: count_lines if frame.f_code.co_filename.startswith(path) else None)
    try:
        run()
    finally:
        sys.settrace(previous)
    return count


CITIES = ["Moscow", "Kyiv", "Paris", "Berlin", "Warsaw", "Madrid", "Rome", "Vienna", "Prague", "Lisbon",
          "Athens", "Oslo", "Dublin", "London", "Cairo", "Tokyo", "Delhi", "Lagos", "Toronto", "Lima"]


def synthetic_article(blocks: int) -> str:
    """Two-place sentences and lists of five, cycling through the cities: 7 mentions a block."""
    sentences = []
    for b in range(blocks):
        names = [CITIES[(b * 7 + k) % len(CITIES)] for k in range(7)]
        sentences.append(f"Officials in {names[0]} and {names[1]} met.")
        sentences.append(f"Envoys visited {', '.join(names[2:6])} and {names[6]}.")
    return " ".join(sentences)


def test_recognition_work_per_mention_does_not_grow_with_the_text(geoparser):
    import geomap.recognise

    recogniser = geoparser.nlp.get_pipe("geomap_recogniser")
    per_mention = []
    for blocks in (60, 240):
        with geoparser.nlp.select_pipes(enable=["sentencizer", "geomap_abbreviations", "ner"]):
            doc = geoparser.nlp(synthetic_article(blocks))
        lines = executed_lines(lambda doc=doc: recogniser(doc), os.path.dirname(geomap.recognise.__file__) + os.sep)
        assert len(doc._.geo_mentions) == 7 * blocks
        per_mention.append(lines / len(doc._.geo_mentions))
    assert per_mention[1] <= 1.1 * per_mention[0]


NATURAL_EARTH = SHARED / "data" / "naturalearth"


@pytest.fixture(scope="module")
def with_natural_earth(tmp_path_factory, gazetteer):
    """A copy of the gazetteer with the shared Natural Earth layers imported (rivers, lakes, …)."""
    if not NATURAL_EARTH.is_dir():
        pytest.skip(f"needs the Natural Earth layers in {NATURAL_EARTH} (../shared)")
    path = tmp_path_factory.mktemp("natural-earth") / "geomap.sqlite"
    shutil.copyfile(gazetteer.path, path)
    run = run_cli("gazetteer", "import", "naturalearth", NATURAL_EARTH, "--gazetteer", path)
    assert run.returncode == 0, run.stderr
    return Geoparser(gazetteer=path)


def test_rivers_the_ner_calls_people_are_rivers_once_natural_earth_is_imported(with_natural_earth):
    doc = with_natural_earth.parse("Floodwaters on the Danube and the Sava reached Belgrade.")
    places = {r.mention.text: r.place.feature for r in doc.resolutions}
    assert places["Danube"] == Feature.RIVER and places["Sava"] == Feature.RIVER
    assert places["Belgrade"] == Feature.CAPITAL


def test_rivers_are_drawn_as_lines_on_the_map(with_natural_earth):
    from conftest import map_view
    from geomap.gazetteer import shared_gazetteer
    from geomap.render.map import render_html

    document = with_natural_earth.parse("Floodwaters on the Danube and the Sava reached Belgrade.")
    view = map_view(render_html(document, shared_gazetteer(with_natural_earth.gazetteer_path)))
    rivers = {p["name"]: p for p in view["places"] if p["shape"] == "line"}
    assert {"Danube", "Sava"} <= rivers.keys()
    assert all(r["outline"]["type"] in ("LineString", "MultiLineString") for r in rivers.values())
