"""Maps in a real browser: Leaflet draws the places offline, popups open with their quotes, and
hostile text in every channel is shown as the text it is (the canary, kept in CI for good)."""

import csv
import json
import shutil
import subprocess

import pytest

from conftest import ROOT, SEED
from geomap.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (.ci/run installs it)")]

PROBE = """
<script>
window.__alerts = [];
window.alert = window.confirm = window.prompt = function (m) { window.__alerts.push(String(m)); };
window.addEventListener("load", function () { setTimeout(function () {
  var map = Object.keys(window).filter(function (k) { return /^map_\\d+$/.test(k); }).map(function (k) { return window[k]; })[0];
  var seen = {popups: [], tooltips: [], alerts: window.__alerts};
  map.eachLayer(function (layer) {
    if (layer.getPopup && layer.getPopup()) {
      layer.openPopup();
      var box = layer.getPopup().getElement().querySelector(".leaflet-popup-content");
      seen.popups.push({text: box ? box.textContent : null, marks: box ? box.querySelectorAll("mark").length : 0});
      map.closePopup();
    }
    if (layer.getTooltip && layer.getTooltip()) {
      layer.openTooltip();
      var tip = layer.getTooltip().getElement();
      seen.tooltips.push(tip ? tip.textContent : null);
      layer.closeTooltip();
    }
  });
  seen.legend = (document.querySelector(".geomap-legend") || {}).textContent;
  seen.attribution = (document.querySelector(".leaflet-control-attribution") || {}).textContent;
  seen.layers = (document.querySelector(".leaflet-control-layers") || {}).textContent;
  seen.title = document.title;
  seen.drawn = document.querySelectorAll("path.leaflet-interactive").length;
  seen.clusters = document.querySelectorAll(".marker-cluster").length;
  seen.images = document.querySelectorAll(".leaflet-popup-content img, .geomap-legend img, .leaflet-tooltip img").length;
  var out = document.createElement("pre"); out.id = "probe"; out.textContent = JSON.stringify(seen);
  document.body.appendChild(out);
}, 300); });
</script>
"""


def browse(page, profile) -> dict:
    """What the page shows after its scripts ran (popups, tooltips, legend, title); fails the test on
    any uncaught script error."""
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("<body>", "<body>" + PROBE, 1), encoding="utf-8")
    result = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    errors = [line for line in result.stderr.splitlines() if "CONSOLE" in line and "Uncaught" in line]
    assert not errors, errors
    dom = result.stdout
    probe = dom.split('<pre id="probe">', 1)[1].split("</pre>", 1)[0]
    import html as html_lib

    return json.loads(html_lib.unescape(probe))


def test_seed_map_draws_offline_and_opens_popups_with_quotes(tmp_path):
    page = tmp_path / "seed.html"
    assert main(["map", str(SEED), "-o", str(page)]) == 0
    seen = browse(page, tmp_path / "profile")
    assert seen["drawn"] >= 6  # six places (outlines and circles); the basemap is not interactive
    assert len(seen["popups"]) == 6 and all(p["marks"] >= 1 for p in seen["popups"])
    assert any(p["text"].startswith("Kursk Oblastregion in Russia") for p in seen["popups"])
    assert "GeoNames" in seen["attribution"]


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
    assert browse(page, tmp_path / "profile")["clusters"] > 0


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


def test_hostile_text_in_every_channel_is_shown_literally_and_never_runs(tmp_path):
    sentinel = tmp_path / "SENTINEL"
    hostile = payloads(sentinel)
    place_name = "Canaryville " + " ".join(hostile)
    db = _hostile_gazetteer(tmp_path, place_name)
    lines = [f"Canary headline {' '.join(hostile)}"]
    lines += [f"The population of Moscow grew by {p} people." for p in hostile]
    lines.append("Rescuers arrived in Canaryville on Monday.")
    article = tmp_path / ("canary {{7*7}} {#42 ${} `tick` <img src=x onerror=alert(1)>.txt")
    article.write_text("\n".join(lines) + "\n", encoding="utf-8")

    default_page = tmp_path / "default.html"
    assert main(["map", str(article), "-o", str(default_page), "--gazetteer", str(db)]) == 0
    named_page = tmp_path / "named.html"
    assert main(["map", str(article), "-o", str(named_page), "--gazetteer", str(db),
                 "--title", "T " + " ".join(hostile), "--source", "S " + " ".join(hostile),
                 "--tiles", "http://127.0.0.1:9/{z}/{x}/{y}.png", "--attribution", "A " + " ".join(hostile)]) == 0

    for page, title, source in ((default_page, lines[0], article.name),
                                (named_page, "T " + " ".join(hostile), "S " + " ".join(hostile))):
        seen = browse(page, tmp_path / f"profile-{page.stem}")
        assert seen["alerts"] == [] and seen["images"] == 0
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
