"""The map page: article text travels as inert JSON data, drawn by static script."""

import html as html_lib
import re

import pytest

from conftest import map_view
from geomap.errors import InputError
from geomap.model import Document, Feature, Mention, Resolution
from geomap.render.map import fragment, render_html
from geomap.render.view import MapOptions

TEMPLATE_SYNTAX = ["{{7*7}}", "{% for x in range(3) %}X{% endfor %}", "{{citation needed}}", "{#42", "{{ name }}"]


def test_markup_in_article_text_is_data_in_the_view_and_nowhere_else(geoparser, gazetteer):
    text = 'Crowds in Moscow chanted <script>alert("x")</script> and `${alert(1)}` at <b>noon</b>.'
    page = render_html(geoparser.parse(text), gazetteer)
    assert "<script>alert(" not in page and "<b>noon</b>" not in page and "</script> and" not in page
    (moscow,) = map_view(page)["places"]
    (quote,) = moscow["articles"][0]["quotes"]
    assert "".join(run for run, _ in quote) == text
    assert page.count("alert(1)") == 1  # only inside the JSON view, which the page never evaluates


@pytest.mark.parametrize("payload", TEMPLATE_SYNTAX)
def test_template_syntax_in_every_text_channel_stays_literal(geoparser, gazetteer, payload):
    text = f"{payload} headline\nThe population of Moscow grew by {payload} people."
    options = MapOptions(title=f"Title {payload}", source=f"Source {payload}",
                         tiles="https://tiles.example/{z}/{x}/{y}.png", attribution=f"Tiles {payload}")
    view = map_view(render_html(geoparser.parse(text), gazetteer, options))
    (moscow,) = view["places"]
    assert "".join(run for run, _ in moscow["articles"][0]["quotes"][0]) == f"The population of Moscow grew by {payload} people."
    assert view["title"] == f"Title {payload}" and view["source"] == f"Source {payload}"
    assert html_lib.unescape(view["tiles"]["attribution"]) == f"Tiles {payload}"


def test_attribution_is_escaped_once_for_leaflets_html(geoparser, gazetteer):
    options = MapOptions(tiles="https://t.example/{z}/{x}/{y}.png", attribution='<img src=x onerror="alert(1)">')
    view = map_view(render_html(geoparser.parse("Moscow."), gazetteer, options))
    assert view["tiles"]["attribution"] == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "//evil/{z}", "data:text/html,x"])
def test_tiles_must_be_an_http_url(url):
    with pytest.raises(InputError):
        MapOptions(tiles=url, attribution="x")


@pytest.mark.parametrize("view", [(91, 0, 3), (0, 181, 3), (0, 0, 19)])
def test_a_fixed_view_must_be_on_the_map(view):
    with pytest.raises(InputError):
        MapOptions(view=view)


def test_place_names_from_the_gazetteer_are_data_too(gazetteer):
    moscow = gazetteer.search("Moscow", 1)[0]
    hostile = moscow.__class__(**{**moscow.to_json(), "feature": moscow.feature, "name": "{{7*7}}</script><b>"})
    text = "Officials in Moscow said so."
    start = text.index("Moscow")
    document = Document(text, (Resolution(Mention(start, start + 6, "Moscow"), hostile, 0.9),))
    page = render_html(document, gazetteer)
    assert map_view(page)["places"][0]["name"] == "{{7*7}}</script><b>"
    assert "</script><b>" not in page


def test_popups_say_where_a_place_is_in_words(seed_document, gazetteer):
    places = {p["name"]: p for p in map_view(render_html(seed_document, gazetteer))["places"]}
    assert places["Kursk Oblast"]["where"] == "region in Russia"
    assert places["Moscow"]["where"] == "capital in Russia"  # not "in Moscow": the region shares its name
    assert places["Russia"]["where"] == "country"


def test_a_town_is_placed_in_its_region_and_country(gazetteer):
    from geomap.render.view import _where

    springfield = gazetteer.search("Springfield", country="US", admin1="IL")[0]
    assert _where(springfield, gazetteer) == "city in Illinois, United States"


def test_same_input_gives_identical_bytes(seed_document, gazetteer):
    assert render_html(seed_document, gazetteer) == render_html(seed_document, gazetteer)


def test_empty_document_gives_a_valid_map(geoparser, gazetteer):
    page = render_html(geoparser.parse(""), gazetteer)
    assert map_view(page)["places"] == [] and "</html>" in page


def test_fragment_is_one_line_with_the_whole_page_escaped_in_an_iframe(seed_document, gazetteer):
    page = render_html(seed_document, gazetteer)
    piece = fragment(page, height="400px", width="50%")
    assert piece.startswith("<iframe") and piece.endswith("</iframe>") and "\n" not in piece
    assert "width:50%;height:400px" in piece
    srcdoc = piece.split('srcdoc="', 1)[1].rsplit('"></iframe>', 1)[0]
    assert '"' not in srcdoc and "<" not in srcdoc  # nothing in it can close the attribute
    assert html_lib.unescape(srcdoc) == page


@pytest.mark.parametrize("height", ["600px;background:url(x)", "expression(1)", "", "100"])
def test_fragment_size_must_be_a_css_length(height):
    with pytest.raises(InputError):
        fragment("<p>x</p>", height=height)


def test_geoparser_map_shows_in_jupyter(geoparser):
    shown = geoparser.map("Talks in Moscow and Kyiv.")._repr_html_()
    assert shown.startswith("<iframe") and "Moscow" in shown


def test_many_towns_are_clustered_without_any_network_reference(gazetteer):
    text, resolutions = "", []
    for place in gazetteer.search("Springfield", 60) + gazetteer.search("Georgetown", 60):
        start = len(text)
        text += place.name + ". "
        resolutions.append(Resolution(Mention(start, start + len(place.name), place.name), place, 0.5))
    page = render_html(Document(text, tuple(resolutions)), gazetteer)
    assert map_view(page)["cluster"] is True and "L.markerClusterGroup" in page
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", page)


def test_the_offline_basemap_names_countries_big_ones_first(seed_document, gazetteer):
    labels = {label["name"]: label["zoom"] for label in map_view(render_html(seed_document, gazetteer))["labels"]}
    assert labels["Russia"] == 2 and labels["Ukraine"] == 3 and labels["Luxembourg"] == 5
    # Regions only of the countries the map shows places in, from a closer zoom.
    assert labels["Kursk Oblast"] == 6 and labels["Kharkiv Oblast"] == 6 and "Bavaria" not in labels
    tiled = MapOptions(tiles="https://t.example/{z}/{x}/{y}.png", attribution="t")
    assert map_view(render_html(seed_document, gazetteer, tiled))["labels"] == []


def test_a_fixed_view_and_the_fragment_size_come_from_the_command_line(tmp_path):
    from geomap.cli import main

    article = tmp_path / "floods.txt"
    article.write_text("Flood headline\nFloods reached Szentendre, north of Budapest.\n", encoding="utf-8")
    out = tmp_path / "floods.html"
    assert main(["map", str(article), "-o", str(out), "--fragment", "--height", "300px", "--width", "50%",
                 "--view", "47.6,19.05,9"]) == 0
    piece = out.read_text(encoding="utf-8")
    assert "\n" not in piece.rstrip("\n") and "width:50%;height:300px" in piece
    page = html_lib.unescape(piece.split('srcdoc="', 1)[1].rsplit('"', 1)[0])
    assert map_view(page)["view"] == [47.6, 19.05, 9] and map_view(page)["title"] == "Flood headline"
    assert main(["map", str(article), "-o", str(out), "--view", "47.6,19.05"]) == 2


def test_the_python_api_titles_a_map_as_the_command_line_does(geoparser):
    assert geoparser.map("Flood headline\nFloods reached Budapest.").view["title"] == "Flood headline"
    assert geoparser.map("Floods reached Budapest.", title="").view["title"] == ""


def test_a_map_of_many_articles_draws_each_place_once_with_the_articles_naming_it(geoparser, gazetteer):
    from geomap.render.map import page_html
    from geomap.render.view import MappedArticle, prepare_many

    first = MappedArticle(geoparser.parse("Talks in Moscow and Kyiv. Moscow said no."), "Talks", "a.txt", "2024-05-01")
    second = MappedArticle(geoparser.parse("Paris and Moscow signed."), "Deal", "b.txt")
    view = map_view(page_html(prepare_many([first, second], gazetteer, MapOptions(title="Week"))))
    places = {p["name"]: p for p in view["places"]}
    assert sorted(places) == ["Kyiv", "Moscow", "Paris"]
    assert [(a["article"], len(a["quotes"])) for a in places["Moscow"]["articles"]] == [(0, 2), (1, 1)]
    assert places["Moscow"]["mentions"] == 3 and [a["article"] for a in places["Paris"]["articles"]] == [1]
    assert view["articles"] == [{"title": "Talks", "source": "a.txt", "published": "2024-05-01", "focus": ""},
                                {"title": "Deal", "source": "b.txt", "published": "", "focus": ""}]
    assert view["title"] == "Week" and view["summary"].endswith("· 2 articles")


def test_a_title_taken_from_text_is_a_line_cut_at_a_word():
    from geomap.render.view import TITLE_CHARS, default_title

    assert default_title("\n  Floods in Budapest \nMore text.") == "Floods in Budapest"
    long = "word " * 100
    title = default_title(long)
    assert title.endswith("word…") and len(title) <= TITLE_CHARS + 1


def test_a_long_sentence_naming_many_places_is_quoted_around_each_mention(gazetteer):
    """Quoting whole sentences made a map grow with the square of its article (a sentence naming
    N places copied N times): each quote is now a window around its mention."""
    from geomap.render.view import QUOTE_CONTEXT

    towns = [p for p in gazetteer.of_kind(Feature.CITY)[:400]]
    text = "Officials visited " + ", ".join(t.name for t in towns) + "."
    resolutions, cursor = [], len("Officials visited ")
    for town in towns:
        resolutions.append(Resolution(Mention(cursor, cursor + len(town.name), town.name), town, 0.9))
        cursor += len(town.name) + 2
    view = map_view(render_html(Document(text, tuple(resolutions), sentences=((0, len(text)),)), gazetteer))
    for place in view["places"]:
        (quote,) = place["articles"][0]["quotes"]
        shown = "".join(run for run, _ in quote)
        assert len(shown) <= 2 * QUOTE_CONTEXT + len(place["name"]) + 2
        assert [run for run, marked in quote if marked][0] == next(t.name for t in towns if t.name == place["name"])
    assert view["places"][len(towns) // 2]["articles"][0]["quotes"][0][0] == ["…", False]


def test_titles_and_sources_are_shown_at_most_about_300_characters(geoparser, gazetteer):
    options = MapOptions(title="word " * 1000, source="s" * 5000)
    view = map_view(render_html(geoparser.parse("Rain in Oslo."), gazetteer, options))
    assert len(view["title"]) <= 301 and view["title"].endswith("…") and len(view["source"]) <= 301


@pytest.mark.parametrize("url", ["https://t.example/{z}/{x}/{y}{foo}.png", "https://t.example/{z}/{x}/{y}.png\n"])
def test_tile_urls_name_only_leaflets_fields_and_end_where_they_end(url):
    with pytest.raises(InputError):
        MapOptions(tiles=url, attribution="t")


def test_a_fragment_size_with_a_newline_is_refused():
    with pytest.raises(InputError):
        fragment("<p>x</p>", height="600px\n")


def test_a_guess_and_a_far_doubtful_place_are_marked_in_the_view(gazetteer):
    from geomap.render.view import certainty, prepare

    orleans = gazetteer.search("New Orleans", 1, "US")[0]
    baton, paris = gazetteer.search("Baton Rouge", 1, "US")[0], gazetteer.search("Paris", 1, "FR")[0]
    lyon = gazetteer.search("Lyon", 1, "FR")[0]
    text, resolutions = "", []
    for name, place, confidence, alternatives, approximate in (
            ("New Orleans", orleans, 0.95, (), False), ("Baton Rouge", baton, 0.4, (), False),
            ("Paris", paris, 0.3, ((lyon, 0.2),), False), ("Royal Street", orleans, 0.5, (), True)):
        start = len(text)
        text += f"Crowds in {name} cheered.\n"
        start += len("Crowds in ")
        resolutions.append(Resolution(Mention(start, start + len(name), name), place, confidence, alternatives,
                                      approximate))
    places = {p["name"]: p for p in prepare(Document(text, tuple(resolutions)), gazetteer)["places"]}
    assert {name: (p["frame"], p["approximate"], p["uncertain"]) for name, p in places.items()} == {
        "New Orleans": (True, False, False), "Baton Rouge": (True, False, True),  # doubtful but near the rest
        "Paris": (False, False, True), "Royal Street": (False, True, True)}
    street = places["Royal Street"]
    assert street["placed_at"] == "placed approximately, at the last town named before it: New Orleans, Louisiana"
    assert street["outline"] is None and street["layer"] == "Placed approximately"
    assert [run for run, _ in street["articles"][0]["quotes"][0]] == ["Crowds in ", "Royal Street", " cheered."]
    assert all("Royal" not in run for quote in places["New Orleans"]["articles"][0]["quotes"] for run, _ in quote)
    assert places["Paris"]["certainty"].startswith("uncertain — also possible: Lyon, ")  # Lyon, its region
    assert places["New Orleans"]["certainty"] == "very likely"
    assert certainty(0.7, ["Springfield, Missouri", "Springfield, Illinois"]) == \
        "likely — also possible: Springfield, Missouri; Springfield, Illinois"
    only_doubts = prepare(Document(text, tuple(r for r in resolutions if r.confidence < 0.5)), gazetteer)
    assert all(p["frame"] for p in only_doubts["places"])  # nothing surer: the map frames what it has


def test_the_map_says_what_the_article_is_about(geoparser, gazetteer):
    from geomap.render.view import prepare

    view = prepare(geoparser.parse("The Paris council met on Monday.", home="Paris, Texas"), gazetteer)
    assert view["about"] == "Paris, Texas"
    datelined = prepare(geoparser.parse("LODWAR, Kenya (AP) — Talks opened on Monday in Lodwar."), gazetteer)
    assert datelined["about"].startswith("Lodwar, ")
    assert prepare(geoparser.parse("Rain fell."), gazetteer)["about"] == ""
