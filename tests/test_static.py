"""Still images (PNG, SVG) for reports: the same view as the web page, drawn without a browser."""

import subprocess
import sys
import xml.etree.ElementTree as ET
from io import BytesIO

import pytest

pytest.importorskip("matplotlib", reason="static images need matplotlib: pip install 'geomap[static]'")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.image import imread  # noqa: E402
from matplotlib.text import Annotation, Text  # noqa: E402

from conftest import SEED  # noqa: E402
from fakes import run_cli  # noqa: E402
from geomap.errors import InputError  # noqa: E402
from geomap.model import Document, Mention, Resolution  # noqa: E402
from geomap.render.map import GeoMap  # noqa: E402
from geomap.render.static import Frame, _frame, draw, image_size, render_image  # noqa: E402
from geomap.render.view import MapOptions, prepare  # noqa: E402

SEED_PLACES = {"Russia", "North Korea", "Kursk Oblast", "Moscow", "Ukraine", "United States"}
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def seed_view(seed_document, gazetteer):
    text = SEED.read_text(encoding="utf-8")
    return prepare(seed_document, gazetteer, MapOptions(text.splitlines()[0].strip(), SEED.name))


def labels(figure, kind: str = "place") -> list[str]:
    """The names written on the map: of places, or of the basemap's countries."""
    return [t.get_text() for t in figure.findobj(Annotation) if t.get_label() == kind]


def assert_apart(figure) -> None:
    """No two names written on the map overlap (as drawn, within a pixel)."""
    renderer = FigureCanvasAgg(figure).get_renderer()
    boxes = [t.get_window_extent(renderer) for t in figure.findobj(Annotation)]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a.x1 <= b.x0 + 1 or b.x1 <= a.x0 + 1 or a.y1 <= b.y0 + 1 or b.y1 <= a.y0 + 1, (a, b)


def document_of(places) -> Document:
    """A document naming each place once, in a list."""
    text, resolutions = "", []
    for place in places:
        start = len(text)
        text += place.name + ". "
        resolutions.append(Resolution(Mention(start, start + len(place.name), place.name), place, 0.9))
    return Document(text, tuple(resolutions))


def test_the_seed_image_names_its_six_places(seed_view):
    figure = draw(seed_view, image_size())
    assert sorted(labels(figure)) == sorted(SEED_PLACES)
    countries = labels(figure, "country")  # the basemap's names a browser shows at this scale, around the places
    assert "China" in countries and not SEED_PLACES & set(countries)
    assert_apart(figure)
    texts = [t.get_text() for t in figure.findobj(Text)]
    assert seed_view["title"] in [t.replace("\n", " ") for t in texts]  # wrapped, not cut
    assert {"Countries", "Regions", "Towns"} <= set(texts)
    assert any("GeoNames" in t for t in texts)


def test_the_same_view_gives_the_same_bytes(seed_view):
    for fmt in ("png", "svg"):
        assert render_image(seed_view, fmt) == render_image(seed_view, fmt)
    assert render_image(seed_view, "png").startswith(PNG)


def test_a_users_matplotlib_settings_do_not_change_the_image(seed_view):
    import matplotlib

    expected = render_image(seed_view, "png")
    with matplotlib.rc_context({"font.size": 30, "lines.linewidth": 5, "savefig.transparent": True,
                                "savefig.bbox": "tight", "text.parse_math": True, "font.family": "serif"}):
        assert render_image(seed_view, "png") == expected


def test_the_svg_is_valid_xml(seed_view):
    root = ET.fromstring(render_image(seed_view, "svg"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("width") == "504pt" and root.get("height") == "324pt"  # 1400x900 px at 200 dpi: 7 x 4.5 in


@pytest.mark.parametrize("size, dpi, pixels", [("800x500", 100, (500, 800)), ("4x3in", 150, (450, 600)),
                                               (None, None, (900, 1400))])
def test_the_png_has_the_size_asked_for(seed_view, size, dpi, pixels):
    image = imread(BytesIO(render_image(seed_view, "png", image_size(size, dpi))), format="png")
    assert image.shape[:2] == pixels


@pytest.mark.parametrize("size, dpi", [("1400", None), ("0x0", None), ("20000x900", None), ("100x80", None),
                                       ("1400x900", 5), ("7x4.5cm", None)])
def test_a_bad_size_is_refused(size, dpi):
    with pytest.raises(InputError):
        image_size(size, dpi)


def test_article_and_gazetteer_text_is_drawn_literally(gazetteer):
    hostile = "$x^2$ {{7*7}} \\alpha $"
    moscow = gazetteer.search("Moscow", 1)[0]
    place = moscow.__class__(**{**moscow.to_json(), "feature": moscow.feature, "name": f"Moscow {hostile}"})
    options = MapOptions(title=f"Costs {hostile}", source="{{7*7}} $1.txt")
    view = prepare(document_of([place]), gazetteer, options)
    figure = draw(view, image_size())
    texts = figure.findobj(Text)
    assert labels(figure) == [f"Moscow {hostile}"]
    assert f"Costs {hostile}" in [t.get_text() for t in texts]
    assert any(t.get_text().startswith("Source: {{7*7}} $1.txt") for t in texts)
    assert all(not t.get_parse_math() and not t.get_usetex() for t in texts)
    assert render_image(view, "png").startswith(PNG)  # drawing would fail on "\alpha $" as mathtext


def test_an_empty_document_gives_a_valid_image_of_the_world(geoparser, gazetteer):
    view = prepare(geoparser.parse(""), gazetteer)
    figure = draw(view, image_size())
    assert labels(figure) == []
    (axes,) = figure.axes
    assert axes.get_xlim()[1] - axes.get_xlim()[0] == pytest.approx(360, abs=1)
    assert render_image(view, "png").startswith(PNG)
    ET.fromstring(render_image(view, "svg"))


def test_the_frame_crosses_the_antimeridian_the_short_way(gazetteer):
    view = {"places": [{"lon": lon, "lat": -17.0, "outline": None, "area": 0.0} for lon in (178.0, -178.5)]}
    frame = _frame(view, 400, 300)
    assert frame.west < 178 and frame.east > 181.5 and frame.east - frame.west < 40
    assert frame.shifts(-178.5, -178.5) == [360.0]
    places = [gazetteer.search(name, 1)[0] for name in ("Suva", "Apia", "Russia")]
    figure = draw(prepare(document_of(places), gazetteer), image_size())
    (axes,) = figure.axes
    assert axes.get_xlim()[0] < 100 and axes.get_xlim()[1] > 188  # Russia's point, Suva, and Apia east of 180°
    assert set(labels(figure)) == {"Suva", "Apia", "Russia"}
    russia = [patch for patch in axes.patches if patch.get_edgecolor() == to_rgba("#3b6fb6")]
    assert max(x for patch in russia for x, _ in patch.get_path().vertices) > 185  # Chukotka drawn beside the rest


def test_crowded_towns_get_names_that_do_not_overlap(gazetteer):
    towns = gazetteer.near(50.85, 4.35, km=40, limit=40)  # around Brussels
    figure = draw(prepare(document_of(towns), gazetteer), image_size())
    assert 3 <= len(labels(figure)) < len(towns)
    assert_apart(figure)


def test_the_python_api_draws_the_same_image(seed_view, tmp_path):
    geomap_map = GeoMap(seed_view)
    assert geomap_map.to_png() == render_image(seed_view, "png")
    assert geomap_map.to_svg(size="6x4in") == render_image(seed_view, "svg", image_size("6x4in"))
    geomap_map.save(tmp_path / "map.svg")
    assert (tmp_path / "map.svg").read_bytes() == geomap_map.to_svg()


def test_the_cli_writes_the_png_the_api_draws_in_another_process(tmp_path, seed_view):
    out = tmp_path / "seed.png"
    result = subprocess.run([sys.executable, "-m", "geomap", "map", str(SEED), "-o", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == render_image(seed_view, "png")
    assert [p.name for p in tmp_path.iterdir()] == ["seed.png"]  # no temporary file left


def test_the_cli_writes_svg_at_the_size_asked_for(tmp_path):
    out = tmp_path / "seed.svg"
    assert run_cli("map", SEED, "-o", out, "--size", "5x4in", "--dpi", "100").returncode == 0
    assert ET.fromstring(out.read_bytes()).get("width") == "360pt"


@pytest.mark.parametrize("args, message", [
    (["-o", "{tmp}/map.jpg"], "unknown output type '.jpg'; use .html, .png or .svg"),
    (["-o", "{tmp}/map.png", "--fragment"], "--fragment and --tiles are for HTML maps"),
    (["-o", "{tmp}/map.html", "--dpi", "300"], "--size and --dpi are for .png and .svg images"),
    (["-o", "{tmp}/map.png", "--size", "huge"], "expected WIDTHxHEIGHT"),
])
def test_the_cli_refuses_what_it_cannot_write_before_any_work(tmp_path, args, message):
    result = run_cli("map", SEED, *[a.format(tmp=tmp_path) for a in args])
    assert result.returncode == 2
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_without_matplotlib_an_image_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = run_cli("map", SEED, "-o", tmp_path / "map.png")
    assert result.returncode == 2
    err = result.stderr.strip()
    assert err.endswith("PNG/SVG output needs matplotlib: pip install 'geomap[static]'") and "\n" not in err


def test_a_failed_render_leaves_the_previous_image(tmp_path, monkeypatch):
    out = tmp_path / "map.png"
    out.write_bytes(b"previous image")

    def broken(*args):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr("geomap.render.static.draw", broken)
    assert run_cli("map", SEED, "-o", out).returncode == 70
    assert out.read_bytes() == b"previous image" and [p.name for p in tmp_path.iterdir()] == ["map.png"]


def test_frame_shifts_only_bring_longitudes_into_view():
    frame = Frame(-20.0, 60.0, 0.0, 50.0)
    assert frame.shifts(10.0, 20.0) == [0.0] and frame.shifts(100.0, 120.0) == []


def test_control_characters_in_text_leave_a_well_formed_svg(geoparser, gazetteer):
    from xml.etree import ElementTree

    from geomap.render.map import GeoMap
    from geomap.render.view import MapOptions

    options = MapOptions(title="Headline \x1b[31mred\x07 \x08", source="ctl\x08name.txt")
    svg = GeoMap.of(geoparser.parse("Rain in Oslo."), gazetteer, options).to_svg()
    ElementTree.fromstring(svg)  # raises on a control character in the XML


def test_the_image_frames_the_sure_places_and_marks_guesses_and_doubts(gazetteer):
    kyiv, lviv = (next(p for p in gazetteer.search(name, 10, "UA") if p.feature.value in ("city", "capital"))
                  for name in ("Kyiv", "Lviv"))
    springfield = gazetteer.search("Springfield", 1, "US")[0]
    text, resolutions = "", []
    for name, place, confidence, approximate in (("Kyiv", kyiv, 0.95, False), ("Lviv", lviv, 0.55, False),
                                                 ("Springfield", springfield, 0.3, False),
                                                 ("Khreshchatyk Street", kyiv, 0.5, True)):
        start = len(text)
        text += name + ".\n"
        resolutions.append(Resolution(Mention(start, start + len(name), name), place, confidence, (), approximate))
    figure = draw(prepare(Document(text, tuple(resolutions)), gazetteer), image_size())
    (axes,) = figure.axes
    assert axes.get_xlim()[0] > 0  # Ukraine, not across the Atlantic to the doubtful Springfield
    assert set(labels(figure)) == {"Kyiv", "Lviv?", "Khreshchatyk Street"}
    street = next(t for t in figure.findobj(Annotation) if t.get_text() == "Khreshchatyk Street")
    assert street.get_style() == "italic"
    rings = [c for c in axes.collections if len(c.get_facecolors()) == 0]  # hollow: the guessed placement
    assert len(rings) == 1 and rings[0].get_linestyle()[0][1] is not None  # dashed
