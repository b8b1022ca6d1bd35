"""Property tests: any Unicode text gives mentions whose offsets slice to their text."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomap.render.export import to_json

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
