"""Issue 16, real inputs: a saved web page, the same page by URL, a PDF and a Word file of the same
article give the article's places and nothing from the page around it; URLs are fetched within
limits, from a server on 127.0.0.1 only; encodings and missing extractors are handled clearly."""

import http.server
import io
import json
import shutil
import socket
import sys
import threading
import time
from contextlib import suppress
from typing import ClassVar

import pytest

from conftest import map_view
from fakes import run_cli
from geomap.cli import main
from geomap.errors import InputError
from geomap.inputs.articles import Limits, load, output_stem, sniff

docx = pytest.importorskip("docx", reason="python-docx (the 'web' extra) is not installed")
pytest.importorskip("trafilatura", reason="trafilatura (the 'web' extra) is not installed")
pytest.importorskip("pypdf", reason="pypdf (the 'web' extra) is not installed")

TITLE = "Floods on the Danube"
BODY = [
    ("The Danube rose to a record height in Budapest on Wednesday, flooding the lower quay and closing "
     "roads along the river for the third day in a row."),
    ("Upstream, volunteers in Szentendre filled sandbags through the night to protect the old town, where "
     "the water reached the doorsteps of the main square."),
    ("Officials in Budapest said the river would peak on Thursday before slowly falling, while the mayor of "
     "Szentendre expected the worst to pass by the weekend."),
]
ARTICLE_PLACES = {"Danube", "Budapest", "Szentendre"}
"""The places the article names (the river among them since the gazetteer knows rivers by default)."""
BOILERPLATE_PLACES = {"Arial", "Georgia", "Paris", "London", "Berlin", "Madrid", "Rome", "Vienna", "Prague",
                      "Warsaw", "Bratislava"}
"""Places named only around the article: fonts in the stylesheet, the menu, a banner, the footer."""


def news_page(body=BODY, charset: str = "utf-8") -> str:
    """A saved news page as a browser keeps it: styles, scripts, menu, cookie banner, footer."""
    paragraphs = "\n".join(f"<p>{p}</p>" for p in body)
    return f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="{charset}">
<title>{TITLE} | Daily Courier</title>
<meta name="author" content="Anna Kovacs">
<meta property="article:published_time" content="2024-09-18T08:30:00Z">
<style>
body {{ font-family: Arial, Helvetica, sans-serif; }}
h1, h2 {{ font-family: Georgia, "Times New Roman", serif; }}
</style>
<script>var editions = ["Paris", "London", "Berlin"];</script>
</head><body>
<div id="cookie-banner" class="cookie-consent">We use cookies. Our offices in Vienna and Prague may store
your data. <button>Accept</button></div>
<header><nav class="menu"><ul>
<li><a href="/paris">Paris</a></li><li><a href="/london">London</a></li><li><a href="/berlin">Berlin</a></li>
<li><a href="/madrid">Madrid</a></li><li><a href="/rome">Rome</a></li></ul></nav></header>
<main><article>
<h1>{TITLE}</h1>
<p class="byline">By Anna Kovacs</p>
{paragraphs}
</article></main>
<footer><p>Daily Courier, with offices in Warsaw and Bratislava. Write to desk@example.com</p></footer>
</body></html>
"""


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    path = tmp_path_factory.mktemp("page") / "floods.html"
    path.write_text(news_page(), encoding="utf-8")
    return path


def places_of(geoparser, article) -> set[str]:
    return {r.place.name for r in geoparser.parse(article.text).resolutions if r.place}


def extracted(capsys, *args) -> dict:
    assert main(["extract", *map(str, args)]) == 0
    return json.loads(capsys.readouterr().out)


def failure(capsys, *args) -> str:
    """The one line a refused input gives, after checking its exit code is 2 (bad input)."""
    assert main(["extract", *map(str, args)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    return line


# --- A saved page ---------------------------------------------------------------------------------

def test_a_saved_page_gives_exactly_the_articles_places(geoparser, page, capsys):
    raw = geoparser.parse(page.read_text(encoding="utf-8"))  # read as plain text, as before issue 16
    assert {r.place.name for r in raw.resolutions if r.place} & BOILERPLATE_PLACES  # the page does trap
    data = extracted(capsys, page)
    article = load(str(page))
    assert {m["place"]["name"] for m in data["mentions"] if m["place"]} == ARTICLE_PLACES
    for m in data["mentions"]:  # offsets point into the extracted text
        assert article.text[m["start"]:m["end"]] == m["text"]
    assert data["source"] == {"path": str(page), "format": "html", "title": TITLE, "published": "2024-09-18",
                              "byline": "Anna Kovacs"}


def test_the_page_text_keeps_paragraphs_and_leaves_out_the_page_around_it(page):
    article = load(str(page))
    assert article.text.split("\n\n") == [TITLE, *BODY]
    for word in ("font-family", "cookies", "Accept", "Warsaw", "editions", "Paris"):
        assert word not in article.text


def test_the_format_is_told_by_content_not_name(tmp_path, page):
    disguised = tmp_path / "floods.txt"
    disguised.write_bytes(page.read_bytes())
    assert load(str(disguised)).source.format == "html"
    plain = tmp_path / "notes.html"
    plain.write_text("Rain fell in <b>Oslo</b> today.\n")
    assert load(str(plain)).source.format == "text"
    assert [sniff(b) for b in (b"%PDF-1.7", b"PK\x03\x04", b"\xef\xbb\xbf \n<!-- saved -->\n<HTML>", b"<p>")] == [
        "pdf", "docx", "html", "text"]


def test_the_map_is_titled_by_the_page_and_html_arrives_on_standard_input(tmp_path, page, monkeypatch):
    out = tmp_path / "floods-map.html"
    assert main(["map", str(page), "-o", str(out)]) == 0
    view = map_view(out.read_text(encoding="utf-8"))
    assert view["title"] == TITLE and view["source"] == "floods.html" and view["source_url"] is None
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(page.read_bytes())))
    assert load("-").text == load(str(page)).text


def test_a_declared_charset_is_honoured(geoparser, tmp_path):
    body = ["Snow closed the passes above Zürich and Málaga saw its coldest night, said the forecasters."]
    path = tmp_path / "legacy.html"
    path.write_bytes(news_page(body, charset="windows-1252").encode("windows-1252"))
    article = load(str(path))
    assert "Zürich" in article.text and "Málaga" in article.text
    assert {"Zürich", "Málaga"} <= places_of(geoparser, article)


@pytest.mark.parametrize("charset", ["rot13", "base64", "hex", "zlib", "uu", "idna", "punycode", "undefined"])
def test_a_charset_that_is_no_text_encoding_is_read_as_none_declared(tmp_path, charset):
    from geomap.inputs.extractors import decode_html

    body = ["Snow closed the passes above Zürich, said the forecasters on Monday morning."]
    path = tmp_path / "page.html"
    path.write_bytes(news_page(body, charset=charset).encode("utf-8"))
    assert body[0] in load(str(path)).text
    assert "Zürich" in decode_html(news_page(body, charset="").encode("utf-8"), declared=charset)


def test_text_files_stay_utf8_only(tmp_path, capsys):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Snow in Zürich.".encode("latin-1"))
    assert failure(capsys, path) == f"geomap: {path}: not UTF-8 text (bad byte at offset 9)"


def test_a_page_over_the_text_limit_is_refused_unread(tmp_path, capsys, monkeypatch):
    """Extracting a page costs more than linear time: a page is held to a text's 5 MB, not a PDF's 50 MB."""
    path = tmp_path / "huge.html"
    with path.open("wb") as fh:
        fh.write(b"<!doctype html><html><body><p>Budapest</p>")
        fh.truncate(5_000_001)
    assert failure(capsys, path) == f"geomap: {path}: 5,000,001 bytes is over the 5,000,000-byte limit for a web page"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
    assert failure(capsys, "-") == "geomap: <stdin>: the input is over the 5,000,000-byte limit for a web page"


def test_a_page_without_article_text_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "empty.html"
    path.write_text("<!doctype html><html><head><style>p{font-family:Arial}</style></head><body></body></html>")
    assert failure(capsys, path) == f"geomap: {path}: no article text found in this HTML page"


# --- PDF and Word -----------------------------------------------------------------------------------

def pdf_of(lines: list[str], title: str = "") -> bytes:
    """A text PDF as matplotlib writes one: each line a text object with an embedded TrueType font."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"pdf.fonttype": 42}):
        figure = Figure(figsize=(8.5, 11))
        for i, line in enumerate(lines):
            figure.text(0.06, 0.94 - 0.03 * i, line, fontsize=7)
        out = io.BytesIO()
        figure.savefig(out, format="pdf", metadata={"Title": title} if title else {})
    return out.getvalue()


def test_a_pdf_and_a_word_file_of_the_article_give_the_same_places(geoparser, page, tmp_path):
    pdf = tmp_path / "floods.pdf"
    pdf.write_bytes(pdf_of([TITLE, *BODY], title=TITLE))
    document = docx.Document()
    document.core_properties.title = TITLE
    document.add_heading(TITLE)
    for paragraph in BODY:
        document.add_paragraph(paragraph)
    word = tmp_path / "floods.docx"
    document.save(word)
    expected = places_of(geoparser, load(str(page)))
    assert expected == ARTICLE_PLACES
    for path, kind in ((pdf, "pdf"), (word, "docx")):
        article = load(str(path))
        assert (article.source.format, article.source.title) == (kind, TITLE)
        assert places_of(geoparser, article) == expected, kind
    assert load(str(word)).text.split("\n\n") == [TITLE, *BODY]


def test_a_scanned_pdf_is_refused_clearly(tmp_path, capsys):
    import numpy
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 2))
    figure.figimage(numpy.random.default_rng(0).random((60, 60)))  # a picture of a page, no text layer
    path = tmp_path / "scan.pdf"
    figure.savefig(path, format="pdf")
    assert "the PDF has no text layer (a scan?)" in failure(capsys, path)


@pytest.mark.parametrize("limit, value", [("MAX_PDF_PAGES", 1), ("PDF_SECONDS", -1.0)])
def test_a_pdf_over_its_page_or_time_budget_is_refused(tmp_path, capsys, monkeypatch, limit, value):
    """A page tree may list one costly page thousands of times: pages and reading time are both bounded
    (a budget already spent stands for a slow page, without waiting for one)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    page = PdfReader(io.BytesIO(pdf_of(BODY))).pages[0]
    writer.add_page(page)
    writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "pages.pdf"
    path.write_bytes(out.getvalue())
    assert load(str(path)).text.count(BODY[0]) == 2
    monkeypatch.setattr(f"geomap.inputs.extractors.{limit}", value)
    assert failure(capsys, path) == f"geomap: {path}: PDF takes too long to read (2 pages)"


def test_a_word_file_of_too_much_xml_is_refused_unpacked(tmp_path, capsys):
    """A few KB may unpack to tens of MB of paragraphs, which lxml holds forty times over."""
    import zipfile

    path = tmp_path / "paragraphs.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b" " * 17_000_000)
    assert failure(capsys, path) == f"geomap: {path}: the Word file's XML unpacks to over 16,000,000 bytes"


def test_a_zip_that_is_not_a_word_file_is_refused(tmp_path, capsys):
    import zipfile

    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "Budapest")
    assert failure(capsys, path) == f"geomap: {path}: a ZIP archive, not a Word document (.docx)"


@pytest.mark.parametrize("module, suffix, content", [
    ("trafilatura", "html", b"<!doctype html><p>Budapest</p>"),
    ("pypdf", "pdf", b"%PDF-1.4\n"),
])
def test_without_the_web_extra_the_input_names_the_install(tmp_path, module, suffix, content, monkeypatch):
    path = tmp_path / f"article.{suffix}"
    path.write_bytes(content)
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    result = run_cli("extract", path)
    assert result.returncode == 2
    assert result.stderr.strip() == (f"geomap: {path}: an HTML page needs trafilatura: pip install 'geomap[web]'"
                                     if module == "trafilatura" else
                                     f"geomap: {path}: a PDF needs pypdf: pip install 'geomap[web]'")


# --- JSON Lines records with "html" -----------------------------------------------------------------

def test_jsonl_records_may_carry_html(tmp_path, capsys):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(json.dumps({"id": "page", "html": news_page()}) + "\n" +
                   json.dumps({"id": "plain", "text": "Rain fell in Oslo."}) + "\n")
    assert main(["extract", "--jsonl", str(src), "-o", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(d["id"], {m["place"]["name"] for m in d["mentions"] if m["place"]}) for d in lines] == [
        ("page", ARTICLE_PLACES), ("plain", {"Oslo"})]


def test_a_jsonl_html_record_without_article_text_names_its_line(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": "Oslo."}) + "\n" + json.dumps({"id": 2, "html": "<nav>Paris</nav>"}))
    assert main(["extract", "--jsonl", str(src), "-o", str(tmp_path / "out.jsonl")]) == 2
    assert capsys.readouterr().err.strip() == f"geomap: {src}:2: no article text found in this HTML page"


# --- URLs: a local server on 127.0.0.1 only -----------------------------------------------------------

class _Site(http.server.BaseHTTPRequestHandler):
    """The news page, and the ways a site can go wrong."""

    routes: ClassVar[dict] = {}

    def do_GET(self):
        if self.path.startswith("/trickle-"):
            return self.trickle(self.path.removeprefix("/trickle-"))
        if self.path == "/slow":
            time.sleep(1.5)  # longer than the test's timeout
        status, headers, body = self.routes.get(self.path, (404, {}, b"not here"))
        self.send_response(status)
        for name, value in headers.items():
            if value:  # an empty value: the header is left out
                self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def trickle(self, part: str) -> None:
        """A byte every 0.1 s for 5 s, in the headers or in the body: each read is quick, the whole never."""
        self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n")
        if part == "body":
            self.wfile.write(b"Content-Length: 50\r\n\r\n")
        with suppress(OSError):
            for _ in range(50):
                self.wfile.write(b"x" if part == "body" else b"X-Slow: 1\r\n")
                self.wfile.flush()
                time.sleep(0.1)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def site():
    """A local web server in a thread, on a free port of 127.0.0.1; shut down after the tests."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    html = {"Content-Type": "text/html; charset=utf-8"}
    _Site.routes = {
        "/news/floods.html": (200, html, news_page().encode("utf-8")),
        "/moved": (301, {"Location": "/news/floods.html"}, b""),
        "/loop-a": (302, {"Location": "/loop-b"}, b""),
        "/loop-b": (302, {"Location": "/loop-a"}, b""),
        "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
        "/to-ftp": (302, {"Location": "ftp://127.0.0.1/floods.html"}, b""),
        "/huge": (200, {**html, "Content-Length": str(60_000_000)}, b"<!doctype html>"),
        "/cut": (200, {**html, "Content-Length": "1000"}, b"<!doctype html>"),  # closed after 15 bytes
        "/slow": (200, html, news_page().encode("utf-8")),
        "/long": (200, {**html, "Content-Length": ""}, news_page(BODY * 40).encode("utf-8")),  # ends when closed
        "/legacy": (200, {"Content-Type": "text/html; charset=windows-1252"},
                    news_page(["Snow closed the passes above Zürich."], charset="").encode("windows-1252")),
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch):
    """127.0.0.1 directly, whatever proxy the environment names."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_the_same_page_by_url_gives_the_same_map(site, page, tmp_path):
    url = f"{site}/news/floods.html"
    by_file, by_url = tmp_path / "file.html", tmp_path / "url.html"
    assert main(["map", str(page), "-o", str(by_file)]) == 0
    assert main(["map", url, "-o", str(by_url)]) == 0
    file_view, url_view = (map_view(p.read_text(encoding="utf-8")) for p in (by_file, by_url))
    assert url_view["places"] == file_view["places"] and url_view["title"] == TITLE
    assert {p["name"] for p in url_view["places"]} == ARTICLE_PLACES
    assert (url_view["source"], url_view["source_url"]) == (url, url)
    assert output_stem(url) == "floods" and output_stem(f"{site}/") == "127.0.0.1"


def test_a_redirect_is_followed_and_the_source_is_where_the_page_came_from(site, capsys):
    data = extracted(capsys, f"{site}/moved")
    assert data["source"]["url"] == f"{site}/news/floods.html"
    assert {m["place"]["name"] for m in data["mentions"] if m["place"]} == ARTICLE_PLACES


def test_the_http_charset_is_honoured(site):
    assert "Zürich" in load(f"{site}/legacy").text


@pytest.mark.parametrize("path, message", [
    ("/loop-a", "more than 5 redirects (a redirect loop?)"),
    ("/to-file", "redirected to 'file:///etc/passwd'; only http(s) redirects are followed"),
    ("/to-ftp", "redirected to 'ftp://127.0.0.1/floods.html'; only http(s) redirects are followed"),
    ("/huge", "60,000,000 bytes is over the 50,000,000-byte limit for a page"),
    ("/missing", "HTTP 404 Not Found"),
    ("/cut", "the connection closed after 15 of 1,000 bytes"),
])
def test_a_bad_url_is_one_line_and_exit_2(site, capsys, path, message):
    assert failure(capsys, f"{site}{path}") == f"geomap: {site}{path}: {message}"


def test_a_body_over_the_limit_is_refused_after_reading_the_limit(site):
    with pytest.raises(InputError, match="the page is over the 20,000-byte limit"):
        load(f"{site}/long", Limits(document_bytes=20_000))


def test_a_server_that_does_not_answer_in_time_is_given_up(site):
    started = time.monotonic()
    with pytest.raises(InputError, match=r"/slow: not fetched within 0.5 s$"):
        load(f"{site}/slow", Limits(timeout=0.5))
    assert time.monotonic() - started < 1.4


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_server_trickling_its_answer_is_given_up_at_the_deadline(site, part):
    """The time limit is for the whole fetch: a server sending a byte at a time never outlasts it."""
    with pytest.raises(InputError, match=rf"/trickle-{part}: not fetched within 1 s$"):
        load(f"{site}/trickle-{part}", Limits(timeout=1))


def test_a_closed_port_and_an_unknown_host_are_clear(capsys, monkeypatch):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    assert failure(capsys, f"http://127.0.0.1:{port}/") == (
        f"geomap: http://127.0.0.1:{port}/: connection refused by 127.0.0.1")

    def offline(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", offline)
    assert failure(capsys, "https://news.example/floods") == (
        "geomap: https://news.example/floods: cannot find the host news.example (offline, or no such name)")


def test_only_http_addresses_are_fetched(capsys):
    assert failure(capsys, "file:///etc/passwd") == "geomap: file:///etc/passwd: only http:// and https:// addresses are fetched"


# --- The map's source line links to the page --------------------------------------------------------

def test_the_source_link_is_http_only():
    from geomap.render.view import MapOptions

    for url in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,<b>x</b>", " https://a.example/"):
        with pytest.raises(InputError, match="not an http"):
            MapOptions(source="a page", source_url=url)


@pytest.mark.browser
@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")),
                    reason="Debian chromium is not installed (.ci/run installs it)")
def test_the_source_line_is_a_safe_link_in_the_browser(geoparser, gazetteer, tmp_path):
    from geomap.render.map import GeoMap
    from geomap.render.view import MapOptions

    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    source, url = 'Daily <b>Courier</b> "quoted"', 'https://news.example/a?b="><img/src=x/onerror=alert(1)>&c=1'
    path = tmp_path / "linked.html"
    GeoMap.of(geoparser.parse("Floods reached Budapest."), gazetteer,
              MapOptions("Floods", source, source_url=url)).save(path)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or shutil.which("chromium-browser"),
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(path.as_uri())
        page.wait_for_selector(".geomap-source a")
        link = page.eval_on_selector(".geomap-source a", "a => [a.textContent, a.getAttribute('href'), a.rel, a.target,"
                                                          " a.children.length, a.parentNode.textContent]")
        browser.close()
    assert link == [source, url, "noopener noreferrer", "_blank", 0, f"Source: {source}"]
    assert dialogs == []
