"""The seed map in a real browser: Leaflet draws the places offline and a popup opens with its quote."""

import shutil
import subprocess

import pytest

from conftest import SEED
from geomap.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

OPEN_POPUP = """
<script>
window.addEventListener("load", function () {
  var opened = 0;
  map_0000.eachLayer(function (layer) {
    if (!opened && layer.getPopup && layer.getPopup() && layer.getLatLng) { layer.openPopup(); opened = 1; }
  });
  document.body.setAttribute("data-drawn", document.querySelectorAll("path.leaflet-interactive").length);
});
</script>
"""


def dump_dom(page, profile) -> str:
    """The page's DOM after its scripts ran; fails the test on any uncaught script error."""
    result = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    errors = [line for line in result.stderr.splitlines() if "CONSOLE" in line and "Uncaught" in line]
    assert not errors, errors
    return result.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (.ci/run installs it)")
def test_seed_map_draws_offline_and_opens_a_popup(tmp_path):
    page = tmp_path / "seed.html"
    assert main(["map", str(SEED), "-o", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert "<script src=" not in html and '<link rel="stylesheet" href=' not in html
    page.write_text(html.replace("</body>", OPEN_POPUP + "</body>"), encoding="utf-8")
    dom = dump_dom(page, tmp_path / "profile")
    drawn = int(dom.split('data-drawn="')[1].split('"')[0])
    assert drawn >= 6  # six places (outlines and circles), the basemap is not interactive
    popup = dom.split('class="leaflet-popup-content"')[1]
    assert "<mark>" in popup and "geomap-title" in popup


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (.ci/run installs it)")
def test_many_towns_are_drawn_as_clusters(gazetteer, tmp_path):
    from geomap.model import Document, Mention, Resolution
    from geomap.render.map import render_html

    text, resolutions = "", []
    for place in gazetteer.search("Springfield", 60) + gazetteer.search("Georgetown", 60):
        start = len(text)
        text += place.name + ". "
        resolutions.append(Resolution(Mention(start, start + len(place.name), place.name), place, 0.5))
    page = tmp_path / "many.html"
    page.write_text(render_html(Document(text, tuple(resolutions)), gazetteer), encoding="utf-8")
    assert 'class="leaflet-marker-icon marker-cluster ' in dump_dom(page, tmp_path / "profile")
