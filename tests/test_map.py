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


def test_fragment_embeds_the_whole_page_escaped_in_an_iframe(geoparser, gazetteer, seed_document):
    import html as html_lib

    from geomap.render.map import fragment

    page = render_html(seed_document, gazetteer)
    piece = fragment(page)
    assert piece.startswith("<iframe") and piece.rstrip().endswith("</iframe>")
    srcdoc = piece.split('srcdoc="', 1)[1].rsplit('"></iframe>', 1)[0]
    assert '"' not in srcdoc and "<" not in srcdoc  # nothing in it can close the attribute
    assert html_lib.unescape(srcdoc) == page


def test_geoparser_map_shows_in_jupyter(geoparser):
    shown = geoparser.map("Talks in Moscow and Kyiv.")._repr_html_()
    assert shown.startswith("<iframe") and "Moscow" in shown


def test_many_towns_are_clustered_without_any_network_reference(gazetteer):
    from geomap.model import Document, Mention, Resolution

    text, resolutions = "", []
    for place in gazetteer.search("Springfield", 60) + gazetteer.search("Georgetown", 60):
        start = len(text)
        text += place.name + ". "
        resolutions.append(Resolution(Mention(start, start + len(place.name), place.name), place, 0.5))
    html = render_html(Document(text, tuple(resolutions)), gazetteer)
    assert "L.markerClusterGroup(" in html
    assert "cdnjs" not in html and "<script src=" not in html
