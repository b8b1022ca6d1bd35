from test_cli import popups

from geomap.render.map import render_html


def test_markup_in_article_text_is_shown_as_text(geoparser, gazetteer):
    text = 'Crowds in Moscow chanted <script>alert("x")</script> and `${alert(1)}` at <b>noon</b>.'
    html = render_html(geoparser.parse(text), gazetteer)
    assert "<script>alert(" not in html and "<b>noon</b>" not in html
    (popup,) = popups(html)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in popup
    assert "&lt;b&gt;noon&lt;/b&gt;" in popup
    # The only copy of `${...}` is inside the popup's JSON string literal, where it is inert text.
    assert "${alert(1)}" in popup and html.count("${alert(1)}") == 1


def test_same_input_gives_identical_bytes(geoparser, gazetteer, seed_document):
    assert render_html(seed_document, gazetteer) == render_html(seed_document, gazetteer)


def test_empty_document_gives_a_valid_map(geoparser, gazetteer):
    html = render_html(geoparser.parse(""), gazetteer)
    assert "0 places" in html and "</html>" in html
