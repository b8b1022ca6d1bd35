"""Maps in a real browser (headless Debian Chromium driven by Playwright): Leaflet draws the places
offline, popups and clicks reach every place, embedded maps are fitted after layout, and hostile
text in every channel is shown as the text it is (the canary, kept in CI for good)."""

import csv
import shutil

import pytest

from conftest import CHROMIUM, SEED, SHARED
from geomap.cli import main

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (.ci/run installs it)")]

FIND_MAP = "Object.keys(window).filter(k => /^map_\\d+$/.test(k)).map(k => window[k])[0]"
SEEN = """async () => {
  const map = %s;
  const seen = {popups: [], tooltips: []};
  map.eachLayer(layer => {
    if (layer.getPopup && layer.getPopup()) {
      layer.openPopup();
      const box = layer.getPopup().getElement().querySelector(".leaflet-popup-content");
      seen.popups.push({text: box.textContent, marks: box.querySelectorAll("mark").length});
      map.closePopup();
    }
    if (layer.getTooltip && layer.getTooltip()) {
      layer.openTooltip();
      seen.tooltips.push(layer.getTooltip().getElement().textContent);
      layer.closeTooltip();
    }
  });
  const text = sel => (document.querySelector(sel) || {}).textContent;
  seen.legend = text(".geomap-legend");
  seen.attribution = text(".leaflet-control-attribution");
  seen.title = document.title;
  seen.drawn = document.querySelectorAll("path.leaflet-interactive").length;
  seen.clusters = document.querySelectorAll(".marker-cluster").length;
  seen.images = document.querySelectorAll(".leaflet-popup-content img, .geomap-legend img, .leaflet-tooltip img").length;
  return seen;
}""" % FIND_MAP


@pytest.fixture
def open_page(browser):
    """Open a file in a fresh page of the given size; the test fails on any uncaught script error
    or any dialog (alert, confirm, prompt) a page opens."""
    pages, problems = [], []

    def open_(path, width=1000, height=700):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        page.goto(path.as_uri())
        page.wait_for_function(f"!!({FIND_MAP})" if "iframe" not in path.name else "true")
        page.wait_for_timeout(300)
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.close()
    assert problems == []


def test_seed_map_draws_offline_and_opens_popups_with_quotes(open_page, tmp_path):
    path = tmp_path / "seed.html"
    assert main(["map", str(SEED), "-o", str(path)]) == 0
    requests = []
    page = open_page(path)
    page.on("request", lambda request: requests.append(request.url))
    seen = page.evaluate(SEEN)
    assert seen["drawn"] >= 6  # six places (outlines and circles); the basemap is not interactive
    assert len(seen["popups"]) == 6 and all(p["marks"] >= 1 for p in seen["popups"])
    assert any(p["text"].startswith("Kursk Oblastregion in Russia") for p in seen["popups"])
    assert "GeoNames" in seen["attribution"]
    assert [url for url in requests if not url.startswith(("data:", "file:"))] == []


def test_the_map_says_under_its_title_where_the_article_is_from(open_page, tmp_path):
    article = tmp_path / "council.txt"
    article.write_text("Council meets\n\nThe Paris council met on Monday in Lamar County.\n", encoding="utf-8")
    path = tmp_path / "council.html"
    assert main(["map", str(article), "-o", str(path), "--home", "Paris, Texas"]) == 0
    page = open_page(path)
    assert page.text_content(".geomap-about") == "About: Paris, Texas"
    assert page.is_visible(".geomap-about")


def test_many_towns_are_drawn_as_clusters(gazetteer, open_page, tmp_path):
    from geomap.model import Document, Mention, Resolution
    from geomap.render.map import render_html

    text, resolutions = "", []
    for place in gazetteer.search("Springfield", 60) + gazetteer.search("Georgetown", 60):
        start = len(text)
        text += place.name + ". "
        resolutions.append(Resolution(Mention(start, start + len(place.name), place.name), place, 0.5))
    path = tmp_path / "many.html"
    path.write_text(render_html(Document(text, tuple(resolutions)), gazetteer), encoding="utf-8")
    assert open_page(path).evaluate(SEEN)["clusters"] > 0


def payloads(sentinel) -> list[str]:
    """Template, script and markup syntax an article, a file name or a gazetteer row may carry."""
    return ["{{7*7}}", "{% for x in range(3) %}X{% endfor %}", "{{citation needed}}", "{#42", "{{ name }}",
            f"{{{{ lipsum.__globals__.os.system('touch {sentinel}') }}}}", "</script>", "${}", "`tick`",
            "<img src=x onerror=alert(1)>"]


def _hostile_gazetteer(tmp_path, name: str):
    """A copy of the gazetteer with a user place whose name carries every payload."""
    from geomap.gazetteer.paths import default_db

    db = tmp_path / "gaz" / "geomap.sqlite"
    db.parent.mkdir()
    shutil.copyfile(default_db(), db)
    rows = tmp_path / "hostile.csv"
    with rows.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["name", "lat", "lon", "feature", "country", "aliases"],
                                  [name, "50.1", "30.2", "city", "UA", "Canaryville"]])
    assert main(["gazetteer", "add", str(rows), "--gazetteer", str(db)]) == 0
    return db


def test_hostile_text_in_every_channel_is_shown_literally_and_never_runs(open_page, tmp_path):
    sentinel = tmp_path / "SENTINEL"
    hostile = payloads(sentinel)
    db = _hostile_gazetteer(tmp_path, "Canaryville " + " ".join(hostile))
    lines = [f"Canary headline {' '.join(hostile)}"]
    lines += [f"The population of Moscow grew by {p} people." for p in hostile]
    lines.append("Rescuers arrived in Canaryville on Monday.")
    article = tmp_path / "canary {{7*7}} {#42 ${} `tick` <img src=x onerror=alert(1)>.txt"
    article.write_text("\n".join(lines) + "\n", encoding="utf-8")

    default_page = tmp_path / "default.html"
    assert main(["map", str(article), "-o", str(default_page), "--gazetteer", str(db)]) == 0
    named_page = tmp_path / "named.html"
    assert main(["map", str(article), "-o", str(named_page), "--gazetteer", str(db),
                 "--title", "T " + " ".join(hostile), "--source", "S " + " ".join(hostile),
                 "--tiles", "http://127.0.0.1:9/{z}/{x}/{y}.png", "--attribution", "A " + " ".join(hostile)]) == 0

    from geomap.render.view import default_title

    for path, title, source in ((default_page, default_title(lines[0]), article.name),
                                (named_page, "T " + " ".join(hostile), "S " + " ".join(hostile))):
        seen = open_page(path).evaluate(SEEN)
        assert seen["images"] == 0
        moscow = next(p["text"] for p in seen["popups"] if p["text"].startswith("Moscow"))
        canary = next(p["text"] for p in seen["popups"] if p["text"].startswith("Canaryville"))
        for payload in hostile:
            assert f"grew by {payload} people." in moscow
            assert payload in canary
            assert any(payload in tip for tip in seen["tooltips"])
        assert seen["title"] == title
        assert title in seen["legend"] and f"Source: {source}" in seen["legend"]
        assert "grew by 49" not in moscow and "XXX" not in moscow
    assert "A " + " ".join(hostile) in seen["attribution"]
    assert not sentinel.exists()


FITTED = """() => {
  const map = %s;
  const places = JSON.parse(document.querySelector('script[type="application/json"]').textContent).places;
  const focus = L.latLngBounds([]), view = map.getBounds();
  const inside = places.every(p => {
    if (p.bounds && p.area <= 400) {
      const b = L.latLngBounds([[p.bounds[1], p.bounds[0]], [p.bounds[3], p.bounds[2]]]);
      focus.extend(b);
      return view.pad(0.001).contains(b);
    }
    focus.extend([p.lat, p.lon]);
    return view.contains([p.lat, p.lon]);
  });
  const best = Math.min(8, map.getBoundsZoom(focus, false, L.point(48, 48)));
  return {inside: inside, zoom: map.getZoom(), best: best, width: map.getSize().x,
          realWidth: map.getContainer().clientWidth};
}""" % FIND_MAP

REPORT = """<!DOCTYPE html><html><body>
<p>A report with two maps side by side, shown once the reader opens them.</p>
<details id="maps"><summary>Maps</summary><div style="display:flex;gap:8px">
<div style="flex:1">%s</div>
<div style="flex:1">%s</div>
</div></details></body></html>"""


def test_fragments_side_by_side_are_fitted_every_time(geoparser, gazetteer, seed_document, open_page, tmp_path):
    from geomap.render.map import fragment, render_html

    small = geoparser.parse("Floods reached Szentendre, north of Budapest, on Monday.")
    pieces = [fragment(render_html(d, gazetteer), height="360px") for d in (seed_document, small)]
    report = tmp_path / "report-iframe.html"
    report.write_text(REPORT % tuple(pieces), encoding="utf-8")
    page = open_page(report)
    for round_ in range(20):
        if round_:
            page.reload()
        page.wait_for_timeout(20 * (round_ % 5))  # the reader opens the maps after they loaded hidden
        page.evaluate("document.getElementById('maps').open = true")
        page.wait_for_timeout(300)
        frames = [f for f in page.frames if f is not page.main_frame]
        assert len(frames) == 2
        for frame in frames:
            state = frame.evaluate(FITTED)
            assert state["width"] == state["realWidth"] > 300 and state["inside"], (round_, state)
            assert state["zoom"] == state["best"], (round_, state)  # fitted at its final size


def test_a_click_reaches_the_town_and_the_region_under_a_country_named_as_adjective(geoparser, gazetteer,
                                                                                     open_page, tmp_path):
    from geomap.render.map import render_html

    document = geoparser.parse("Russian forces shelled Kursk Oblast overnight. In Rylsk, residents sheltered.")
    places = {r.mention.text: r.place for r in document.resolutions if r.place}
    assert {"Russian", "Kursk Oblast", "Rylsk"} <= places.keys()
    outline, _ = gazetteer.geometry(places["Kursk Oblast"].geonameid)
    inside = outline.buffer(-0.3).representative_point()  # well inside the region, away from the town
    path = tmp_path / "click.html"
    path.write_text(render_html(document, gazetteer), encoding="utf-8")
    page = open_page(path)
    for name, (lat, lon) in ((places["Rylsk"].name, (places["Rylsk"].lat, places["Rylsk"].lon)),
                             ("Kursk Oblast", (inside.y, inside.x))):
        x, y = page.evaluate(f"""() => {{ const map = {FIND_MAP};
            const p = map.latLngToContainerPoint([{lat}, {lon}]), r = map.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y]; }}""")
        page.mouse.click(x, y)
        page.wait_for_timeout(100)
        assert page.text_content(".leaflet-popup .geomap-title") == name
        page.evaluate(f"() => {{ {FIND_MAP}.closePopup(); }}")
        page.wait_for_timeout(250)


def test_popups_stay_inside_a_small_map(seed_document, gazetteer, open_page, tmp_path):
    from geomap.render.map import render_html

    path = tmp_path / "small.html"
    path.write_text(render_html(seed_document, gazetteer), encoding="utf-8")
    page = open_page(path, width=600, height=400)
    count = page.evaluate(f"""() => {{ let n = 0;
        {FIND_MAP}.eachLayer(l => {{ if (l.getPopup && l.getPopup()) n++; }}); return n; }}""")
    assert count == 6
    for i in range(count):
        page.evaluate(f"""() => {{ const map = {FIND_MAP}; const layers = [];
            map.eachLayer(l => {{ if (l.getPopup && l.getPopup()) layers.push(l); }}); layers[{i}].openPopup(); }}""")
        page.wait_for_timeout(400)  # autopan
        box = page.evaluate("""() => { const r = document.querySelector('.leaflet-popup').getBoundingClientRect();
            const m = document.querySelector('.folium-map').getBoundingClientRect();
            return {inside: r.top >= m.top && r.left >= m.left && r.bottom <= m.bottom && r.right <= m.right,
                    popup: [r.top, r.left, r.bottom, r.right], map: [m.top, m.left, m.bottom, m.right]}; }""")
        assert box["inside"], box
        page.evaluate(f"() => {{ {FIND_MAP}.closePopup(); }}")
        page.wait_for_timeout(250)


def test_two_fragments_in_markdown_render_as_two_maps(seed_document, gazetteer, geoparser, open_page, tmp_path):
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py is not installed")
    from geomap.render.map import fragment, render_html

    small = geoparser.parse("Floods reached Szentendre, north of Budapest, on Monday.")
    text = "# Report\n\nThe seed article:\n\n{}\n\nAnd the floods:\n\n{}\n\nEnd of report.\n".format(
        *(fragment(render_html(d, gazetteer), height="300px") for d in (seed_document, small)))
    body = markdown_it.MarkdownIt("commonmark").render(text)
    assert body.count("<iframe") == 2 and "&lt;iframe" not in body
    report = tmp_path / "markdown-iframe.html"
    report.write_text(f"<!DOCTYPE html><html><body>{body}</body></html>", encoding="utf-8")
    page = open_page(report)
    page.wait_for_timeout(300)
    frames = [f for f in page.frames if f is not page.main_frame]
    assert [f.evaluate(f"() => !!({FIND_MAP})") for f in frames] == [True, True]


SHOWN_PLACES = """() => { const names = new Set(), map = %s;
  const name = l => l.getTooltip().getContent()().textContent.replace(/ \\(\\d+\\)$/, "");
  map.eachLayer(l => {
    if (L.MarkerClusterGroup && l instanceof L.MarkerClusterGroup) l.getLayers().forEach(m => names.add(name(m)));
    else if (l.getPopup && l.getPopup()) names.add(name(l));
  });
  return [...names].sort(); }""" % FIND_MAP
"""The names of the places a map shows now, clustered towns included."""


def test_a_map_of_many_articles_filters_to_one_article_and_by_date(geoparser, gazetteer, open_page, tmp_path):
    from geomap.render.map import page_html
    from geomap.render.view import MappedArticle, prepare_many

    articles = [MappedArticle(geoparser.parse("Talks in Moscow and Kyiv."), "Talks", "a.txt", "2024-05-01"),
                MappedArticle(geoparser.parse("Paris and Berlin signed."), "Deal", "b.txt", "2024-06-01"),
                MappedArticle(geoparser.parse("Rain in Oslo."), "Rain", "c.txt")]
    path = tmp_path / "many.html"
    path.write_text(page_html(prepare_many(articles, gazetteer)), encoding="utf-8")
    page = open_page(path)
    assert page.evaluate(SHOWN_PLACES) == ["Berlin", "Kyiv", "Moscow", "Oslo", "Paris"]
    page.select_option(".geomap-filter select", "1")
    assert page.evaluate(SHOWN_PLACES) == ["Berlin", "Paris"]
    page.select_option(".geomap-filter select", "")
    until = ".geomap-filter input[aria-label='Published until']"
    assert page.text_content(".geomap-dates") == "2024-05-01 – 2024-06-01 (all dates)"
    page.evaluate(f"() => {{ const s = document.querySelector(\"{until}\"); s.value = '0'; s.dispatchEvent(new Event('input')); }}")
    assert page.evaluate(SHOWN_PLACES) == ["Kyiv", "Moscow"]  # the undated article is left out of a span of dates
    assert page.text_content(".geomap-dates") == "2024-05-01 – 2024-05-01"
    page.evaluate(f"() => {{ const s = document.querySelector(\"{until}\"); s.value = '1'; s.dispatchEvent(new Event('input')); }}")
    assert page.evaluate(SHOWN_PLACES) == ["Berlin", "Kyiv", "Moscow", "Oslo", "Paris"]


def test_a_map_of_many_articles_finds_an_article_by_typing_and_filters_by_focus(geoparser, gazetteer, open_page,
                                                                               tmp_path):
    from dataclasses import replace

    from geomap.model import Focus
    from geomap.render.map import page_html
    from geomap.render.view import MappedArticle, prepare_many
    from geomap.resolve.focus import level_of

    def focused(text, focus):
        place = gazetteer.search(focus, 1)[0]
        return replace(geoparser.parse(text), focus=Focus(place, level_of(place), "home", 1.0))

    towns = ["Oslo", "Bergen", "Lyon", "Nice", "Porto", "Graz", "Turin", "Ghent", "Malmo", "Cork", "Split"]
    articles = [MappedArticle(focused(f"Rain in {town}.", "Norway" if i < 2 else "Europe"), f"Weather {town}",
                              f"{i}.txt") for i, town in enumerate(towns * 2)]
    articles.append(MappedArticle(focused("Talks in Moscow and Kyiv.", "Ukraine"), "Talks {{7*7}}", "talks.txt"))
    path = tmp_path / "many.html"
    path.write_text(page_html(prepare_many(articles, gazetteer)), encoding="utf-8")
    page = open_page(path)
    page.fill(".geomap-filter input[type=search]", "talks {{7")
    options = page.evaluate("""() => [...document.querySelectorAll('.geomap-filter select[aria-label="Show the places of"] option')]
        .filter(o => !o.hidden).map(o => o.textContent)""")
    assert options == ["1 of 23 articles match: show all", "Talks {{7*7}}"]
    page.select_option(".geomap-filter select[aria-label='Show the places of']", str(len(articles) - 1))
    assert page.evaluate(SHOWN_PLACES) == ["Kyiv", "Moscow"]
    page.select_option(".geomap-filter select[aria-label='Show the places of']", "")
    page.select_option(".geomap-filter select[aria-label='Articles about']", "Norway")
    assert page.evaluate(SHOWN_PLACES) == ["Bergen", "Oslo"]


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "eval" / "gold" / "geowebnews.jsonl").exists(), reason="needs ../shared (GeoWebNews)")
def test_one_map_of_geowebnews_filters_to_one_articles_places(open_page, tmp_path):
    from conftest import map_view

    page_path = tmp_path / "geowebnews.html"
    assert main(["map", "--jsonl", str(SHARED / "eval" / "gold" / "geowebnews.jsonl"), "-o", str(page_path)]) == 0
    view = map_view(page_path.read_text(encoding="utf-8"))
    assert len(view["articles"]) == 200
    page = open_page(page_path)
    for article in (7, 150):
        page.select_option(".geomap-filter select", str(article))
        expected = sorted(p["name"] for p in view["places"] if any(a["article"] == article for a in p["articles"]))
        assert expected and page.evaluate(SHOWN_PLACES) == sorted(set(expected))


@pytest.mark.parametrize("width", [320, 500, 800])
def test_controls_never_overlap(geoparser, gazetteer, open_page, tmp_path, width):
    from geomap.render.map import page_html
    from geomap.render.view import MapOptions, MappedArticle, prepare_many

    articles = [MappedArticle(geoparser.parse("Talks in Moscow and Kyiv."), "Talks in two capitals", "a.txt"),
                MappedArticle(geoparser.parse("Russian forces shelled Kursk Oblast."), "Shelling", "b.txt")]
    path = tmp_path / "controls.html"
    path.write_text(page_html(prepare_many(articles, gazetteer, MapOptions(title="A week of news " * 5))),
                    encoding="utf-8")
    boxes = open_page(path, width=width, height=420).evaluate("""() =>
        [...document.querySelectorAll('.leaflet-control')].map(e => { const r = e.getBoundingClientRect();
         return [e.className.split(' ')[0], r.left, r.top, r.right, r.bottom]; })""")
    assert len(boxes) == 6  # zoom, layers, filter, legend, data credit, scale
    for i, (a, *ra) in enumerate(boxes):
        assert ra[0] >= 0 and ra[2] <= width, (a, ra)
        for b, *rb in boxes[i + 1:]:
            assert ra[2] <= rb[0] or rb[2] <= ra[0] or ra[3] <= rb[1] or rb[3] <= ra[1], (a, ra, b, rb)


def _document(gazetteer, parts):
    """A document naming each (name, place, confidence, alternatives, approximate) in its own sentence."""
    from geomap.model import Document, Mention, Resolution

    text, resolutions = "Talks headline\n", []
    for name, place, confidence, alternatives, approximate in parts:
        start = len(text) + len("Officials in ")
        text += f"Officials in {name} spoke.\n"
        resolutions.append(Resolution(Mention(start, start + len(name), name), place, confidence,
                                      tuple((a, 0.2) for a in alternatives), approximate))
    return Document(text, tuple(resolutions))


def _town(gazetteer, name, country):
    return next(p for p in gazetteer.search(name, 20, country) if p.feature.value in ("city", "capital"))


@pytest.fixture
def doubtful_map(gazetteer, tmp_path):
    """Three sure Ukrainian towns, a doubtful one nearby, a doubtful namesake across the Atlantic,
    and a street placed approximately at the first town."""
    from geomap.render.map import render_html

    kyiv, kharkiv, lviv, poltava = (_town(gazetteer, n, "UA") for n in ("Kyiv", "Kharkiv", "Lviv", "Poltava"))
    springfield, other = _town(gazetteer, "Springfield", "US"), _town(gazetteer, "Springfield", "AU")
    document = _document(gazetteer, [("Kyiv", kyiv, 0.97, (), False), ("Kharkiv", kharkiv, 0.93, (), False),
                                     ("Lviv", lviv, 0.9, (), False), ("Poltava", poltava, 0.45, (), False),
                                     ("Springfield", springfield, 0.33, (other,), False),
                                     ("Khreshchatyk Street", kyiv, 0.5, (), True)])
    path = tmp_path / "doubtful.html"
    path.write_text(render_html(document, gazetteer), encoding="utf-8")
    return path


POPUP_OF = """name => { const map = %s; let found = null;
  map.eachLayer(l => { if (l.getTooltip && l.getTooltip() && l.getPopup &&
                           l.getTooltip().getContent()().textContent.replace(/ \\(\\d+\\)$/, "") === name) found = l; });
  found.openPopup();
  const text = found.getPopup().getElement().querySelector(".leaflet-popup-content").textContent;
  map.closePopup();
  return {text: text, classes: found.getElement().getAttribute("class"),
          dash: getComputedStyle(found.getElement()).strokeDasharray,
          fill: Number(found.getElement().getAttribute("fill-opacity")),
          stroke: Number(found.getElement().getAttribute("stroke-opacity"))}; }""" % FIND_MAP


def test_a_far_doubtful_place_is_drawn_but_left_out_of_the_first_view(doubtful_map, open_page):
    page = open_page(doubtful_map)
    inside = page.evaluate(f"""() => {{ const map = {FIND_MAP}, view = map.getBounds();
        return Object.fromEntries(JSON.parse(document.querySelector('script[type="application/json"]').textContent)
          .places.map(p => [p.name, view.contains([p.lat, p.lon])])); }}""")
    assert inside == {"Kyiv": True, "Kharkiv": True, "Lviv": True, "Poltava": True, "Springfield": False,
                      "Khreshchatyk Street": True}
    assert page.evaluate(f"() => {FIND_MAP}.getZoom()") >= 5  # Ukraine, not the Atlantic
    assert "Springfield" in page.evaluate(SHOWN_PLACES)  # still on the map, still listed
    springfield = page.evaluate(POPUP_OF, "Springfield")
    assert "uncertain — also possible: Springfield, " in springfield["text"] and "confidence 0.33" in springfield["text"]
    assert "geomap-uncertain" in springfield["classes"] and springfield["stroke"] < 1
    kyiv = page.evaluate(POPUP_OF, "Kyiv")
    assert "very likely (confidence 0.97)" in kyiv["text"] and kyiv["stroke"] == 1 and kyiv["dash"] == "none"


def test_a_guessed_placement_has_its_own_style_and_says_it_is_a_guess(doubtful_map, open_page):
    page = open_page(doubtful_map)
    street, kyiv = page.evaluate(POPUP_OF, "Khreshchatyk Street"), page.evaluate(POPUP_OF, "Kyiv")
    assert "placed approximately, at the last town named before it: Kyiv" in street["text"]
    assert "Officials in Khreshchatyk Street spoke." in street["text"]
    assert "Khreshchatyk" not in kyiv["text"]  # the street's sentence is not quoted as the town's
    assert "geomap-approximate" in street["classes"] and street["dash"] != "none" and street["fill"] < 0.1
    assert "geomap-approximate" not in kyiv["classes"] and kyiv["fill"] > 0.5
    label = page.evaluate("""() => [...document.querySelectorAll('.geomap-place-label')]
        .filter(e => e.textContent === 'Khreshchatyk Street').map(e => getComputedStyle(e).fontStyle)""")
    assert label in ([], ["italic"])


def test_the_confidence_control_hides_and_shows_places(doubtful_map, open_page):
    page = open_page(doubtful_map)
    everything = ["Kharkiv", "Khreshchatyk Street", "Kyiv", "Lviv", "Poltava", "Springfield"]
    slider = ".geomap-confidence input[type=range]"
    assert page.evaluate(SHOWN_PLACES) == everything

    def set_to(value):
        page.evaluate(f"""() => {{ const s = document.querySelector('{slider}');
            s.value = '{value}'; s.dispatchEvent(new Event('input')); }}""")
        page.wait_for_timeout(100)
        labels = page.evaluate("""() => [...document.querySelectorAll('.geomap-place-label')]
            .filter(e => getComputedStyle(e).visibility === 'visible').map(e => e.textContent.replace(/\\?$/, ''))""")
        return page.evaluate(SHOWN_PLACES), labels, page.text_content(".geomap-confidence")

    shown, labels, words = set_to(0.9)
    assert shown == ["Kharkiv", "Kyiv", "Lviv"] and set(labels) <= set(shown) and "(3 hidden)" in words
    shown, labels, _ = set_to(0.5)
    assert shown == ["Kharkiv", "Khreshchatyk Street", "Kyiv", "Lviv"]
    shown, labels, words = set_to(0)
    assert shown == everything and "Poltava" in labels and "all shown" in words


def test_clicking_a_large_outline_draws_no_focus_box_but_keyboard_focus_shows_on_the_shape(open_page, tmp_path):
    path = tmp_path / "seed.html"
    assert main(["map", str(SEED), "-o", str(path)]) == 0
    page = open_page(path)
    x, y = page.evaluate(f"""() => {{ const map = {FIND_MAP};
        const p = map.latLngToContainerPoint([39.5, -98]), r = map.getContainer().getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }}""")
    page.mouse.click(x, y)
    page.wait_for_timeout(200)
    assert page.text_content(".leaflet-popup .geomap-title") == "United States"
    focused = page.evaluate("""() => { const a = document.activeElement, s = getComputedStyle(a);
        return {tag: a.tagName, outline: s.outlineStyle, width: s.outlineWidth, stroke: s.strokeWidth}; }""")
    assert focused["tag"] == "path" and focused["outline"] == "none", focused  # no ring around its bounding box
    assert focused["stroke"] == "2px"  # a click is not keyboard focus: the shape as it was
    page.keyboard.press("Tab")
    page.wait_for_timeout(100)
    keyboard = page.evaluate("""() => { const a = document.activeElement, s = getComputedStyle(a);
        return {tag: a.tagName, outline: s.outlineStyle, stroke: parseFloat(s.strokeWidth),
                own: parseFloat(a.getAttribute('stroke-width'))}; }""")
    assert keyboard["tag"] == "path" and keyboard["outline"] == "none" and keyboard["stroke"] > keyboard["own"], keyboard


VISIBLE_LABELS = """() => [...document.querySelectorAll('.geomap-place-label, .geomap-label')]
  .filter(e => getComputedStyle(e).visibility === 'visible')
  .map(e => { const r = e.getBoundingClientRect();
              return [e.className.includes('place') ? 'place' : 'base', e.textContent, r.left, r.top, r.right, r.bottom]; })"""


def _overlapping(labels):
    return [(a[1], b[1]) for i, a in enumerate(labels) for b in labels[i + 1:]
            if a[2] < b[4] and b[2] < a[4] and a[3] < b[5] and b[3] < a[5]]


@pytest.mark.parametrize("size", [(1000, 700), (600, 400)])
def test_places_are_labelled_without_hovering_and_no_labels_overlap(open_page, tmp_path, size):
    path = tmp_path / "seed.html"
    assert main(["map", str(SEED), "-o", str(path)]) == 0
    page = open_page(path, *size)
    labels = page.evaluate(VISIBLE_LABELS)
    places = sorted(name for kind, name, *_ in labels if kind == "place")
    if size == (1000, 700):
        assert places == ["Kursk Oblast", "Moscow", "North Korea", "Russia", "Ukraine", "United States"]
        assert sum(kind == "base" for kind, *_ in labels) >= 10
    else:  # the world at zoom 1: no room for country names
        assert len(places) >= 4
    assert all(right - left > 10 and bottom - top > 5 for _, _, left, top, right, bottom in labels)
    assert _overlapping(labels) == []
    for zoom in (3, 4, 5):  # closer in, more basemap names, and still none on another
        page.evaluate(f"() => {FIND_MAP}.setView([50, 30], {zoom}, {{animate: false}})")
        page.wait_for_timeout(150)
        labels = page.evaluate(VISIBLE_LABELS)
        assert _overlapping(labels) == [], zoom
        assert "Kursk Oblast" in [name for kind, name, *_ in labels if kind == "place"]
