"""Property tests: any Unicode text gives mentions whose offsets slice to their text."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomap.formats import to_json

PLACES = st.sampled_from(["Paris", "Kursk Oblast", "the U.S.", "Ukraine's", "Moscow", "North Korean"])
NOISE = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
ODD = st.sampled_from(["\u200f", "\u200d", "e\u0301", "😀", "<script>", "&amp;", "\n\n", "  "])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(PLACES, NOISE, ODD), max_size=12))
def test_offsets_always_slice_to_the_mention(geoparser, parts):
    text = " ".join(parts)
    document = geoparser.parse(text)
    data = json.loads(to_json(document))
    for m in data["mentions"]:
        assert text[m["start"] : m["end"]] == m["text"]
        assert m["kind"] in ("toponym", "demonym")


SYNTAX = st.sampled_from(["{{", "{%", "{#", "}}", "%}", "#}", "<", "</script>", "<!--", "\u2028", "&", "${", "`", "\\"])
WORDS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(SYNTAX, WORDS), max_size=10), st.lists(st.one_of(SYNTAX, WORDS), max_size=10))
def test_map_popups_quote_the_source_sentence_whatever_it_holds(geoparser, gazetteer, before, after):
    import re

    from conftest import map_view
    from geomap.render.map import render_html

    text = "".join(before) + " in Moscow " + "".join(after)
    document = geoparser.parse(text)
    page = render_html(document, gazetteer)
    assert page.count("</script>") == page.count("<script")  # no text closes a script element
    view = map_view(page)
    assert len(view["places"]) == len(document.places)
    spaces = re.compile(r"\s+")
    for shown, (place, resolutions) in zip(view["places"], document.places.values()):
        sentences = sorted({document.sentence_of(r.mention) for r in resolutions})
        expected = [spaces.sub(" ", text[start:end]) for start, end in sentences]
        assert shown["name"] == place.name
        assert [spaces.sub(" ", "".join(run for run, _ in quote)) for quote in shown["articles"][0]["quotes"]] == expected[:12]
