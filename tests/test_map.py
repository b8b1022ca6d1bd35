from geomap.render.map import render_html


def test_markup_in_article_text_is_shown_as_text(geoparser, gazetteer):
    text = 'Crowds in Moscow chanted <script>alert("x")</script> and ${alert(1)} at <b>noon</b>.'
    html = render_html(geoparser.parse(text), gazetteer)
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(" in html
    assert "${alert(1)}" not in html
    assert "<b>noon</b>" not in html


def test_same_input_gives_identical_bytes(geoparser, gazetteer, seed_document):
    assert render_html(seed_document, gazetteer) == render_html(seed_document, gazetteer)


def test_empty_document_gives_a_valid_map(geoparser, gazetteer):
    html = render_html(geoparser.parse(""), gazetteer)
    assert "0 places" in html and "</html>" in html
