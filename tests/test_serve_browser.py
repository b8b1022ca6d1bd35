"""The page of `geomap serve` in a real browser (headless Debian Chromium driven by Playwright):
paste the seed article, see its six places in the table and on the map (which runs under the page's
policy in its sandboxed frame), download the GeoJSON and the PNG; hostile text stays text."""

import json

import pytest

from conftest import CHROMIUM, SEED
from serving import serving

from geomap.serve.web import Server

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (.ci/run installs it)")]
CANARY = "{{7*7}} <img src=x onerror=alert(1)>"
SIX = {"North Korea", "Russia", "Kursk Oblast", "United States", "Ukraine", "Moscow"}
DRAWN = ("document.querySelectorAll('path.leaflet-interactive, .leaflet-marker-icon, .marker-cluster').length")


@pytest.fixture(scope="module")
def site():
    with serving(Server(workers=1)) as (url, _):
        yield url


@pytest.fixture
def page(browser, site):
    """The page at 1280 × 800; the test fails on any script error, dialog, or request off this server."""
    problems = []
    page = browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("console", lambda message: "Content Security Policy" in message.text and problems.append(message.text))
    page.on("request", lambda request: request.url.startswith((site, "data:", "blob:", "about:"))
            or problems.append(f"fetched {request.url}"))
    page.goto(site)
    yield page
    page.close()
    assert problems == []


def paste_and_map(page, text: str) -> None:
    page.get_by_label("Article text").fill(text)
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Map the places").click()
    page.wait_for_selector("#places tbody tr", timeout=120_000)
    page.frame_locator("#map").locator(".leaflet-container").wait_for(timeout=30_000)


def press(page, button: str) -> None:
    """A button pressed from the keyboard, as a user without a mouse would."""
    page.get_by_role("button", name=button, exact=True).focus()
    page.keyboard.press("Enter")


def test_the_seed_article_shows_its_six_places_and_downloads(page, tmp_path):
    paste_and_map(page, SEED.read_text(encoding="utf-8"))
    rows = page.locator("#places tbody tr")
    assert {rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())} == SIX
    frame = page.frames[1]
    frame.wait_for_function(f"{DRAWN} > 0")
    view = json.loads(frame.evaluate("document.querySelector('script[type=\"application/json\"]').textContent"))
    assert {p["name"] for p in view["places"]} == SIX
    with page.expect_download() as geojson:
        press(page, "GeoJSON")
    features = json.loads(open(geojson.value.path(), encoding="utf-8").read())["features"]
    assert {f["properties"]["name"] for f in features} == SIX
    with page.expect_download() as png:
        press(page, "PNG")
    assert open(png.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_hostile_text_stays_text_in_the_page_and_the_map(page):
    paste_and_map(page, f"{CANARY}\n" + SEED.read_text(encoding="utf-8"))
    frame = page.frames[1]
    frame.wait_for_function(f"{DRAWN} > 0")
    assert CANARY in frame.evaluate("document.body.textContent")
    assert frame.evaluate("document.querySelectorAll('img[src=x], img[onerror]').length") == 0
    assert page.evaluate("document.querySelectorAll('img').length") == 0


def test_an_error_is_shown_as_the_servers_one_line(page):
    page.get_by_label("A URL").check()
    page.get_by_label("Article URL (http or https)").fill("http://127.0.0.1:9/")
    page.get_by_role("button", name="Map the places").click()
    page.wait_for_selector("#status.error")
    assert "an address this fetch may not connect to" in page.locator("#status").inner_text()


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)])
def test_screenshots_of_the_page(browser, site, width, height):
    """Readable at a laptop's and a phone's width: the map and the table fit the window; the
    1280-wide one is the README's screenshot (outputs/serve-page.png)."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(site)
    paste_and_map(page, SEED.read_text(encoding="utf-8"))
    page.frames[1].wait_for_function(f"{DRAWN} > 0")
    page.wait_for_timeout(1500)  # the map fits itself to its frame after layout
    assert page.frames[1].evaluate("document.querySelector('.leaflet-container').getBoundingClientRect().width") \
        == page.locator("#map").evaluate("frame => frame.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = page.locator("#map").bounding_box()
    assert box["width"] <= width and box["height"] > 300
    if width < 800:  # the phone: the map and the table, in the window (a full-page capture resizes the frame)
        page.locator("#result").scroll_into_view_if_needed()
        page.wait_for_timeout(500)
    page.screenshot(path=f"outputs/serve-page-{width}.png")
    page.close()
