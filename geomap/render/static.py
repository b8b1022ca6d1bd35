"""A map as a still image (PNG or SVG) for reports: the view the web page draws, drawn by matplotlib.

It reads only the view from `view.prepare` (no gazetteer queries), so the image shows the same
places, outlines, layers and credits as the page. matplotlib is used through its object API
(a `Figure`, never pyplot), every piece of text is drawn as plain text (no mathtext, no TeX),
and the same view, size and DPI give the same bytes.
"""

from __future__ import annotations

from typing import Any

import math
import re
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from io import BytesIO
from pathlib import Path

import numpy
import shapely
from shapely.geometry.base import BaseGeometry

from geomap.errors import InputError
from geomap.render.view import ADJECTIVE_LAYER, APPROXIMATE_LAYER, MapView, PlaceView

IMAGE_FORMATS = {".png": "png", ".svg": "svg"}
HTML_SUFFIXES = {".html", ".htm", ""}
DEFAULT_SIZE = "1400x900"
DEFAULT_DPI = 200
MAX_PIXELS = 10_000
"""Longest side of an image, so a typo in --size cannot ask for gigabytes of pixels."""
MIN_INCHES = (3.0, 2.0)
"""Smallest width and height that still hold the title, labels and legend at their point sizes."""
FOCUS_AREA = 400
"""Same as geomap.js focusBounds: outlines up to this many square degrees frame the map; larger ones their point."""
MIN_SPAN = 6.0
"""Degrees a map shows at least (one town alone): about Leaflet's zoom 8 on a report-sized map."""
PAD = 0.08
"""Margin around what the article is about, as a share of its extent on each side."""
MAX_LAT = 85.0
WORLD = ((-180.0, 180.0), (-58.0, 78.0))
"""Longitudes and latitudes of a map with nothing on it."""
SEA, LAND, BORDER, INK, MUTED, LABEL = "#e4eaef", "#f2efe9", "#a5a5a5", "#1f1f1f", "#5f5f5f", "#7a7a7a"
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[xX×]\s*(\d+(?:\.\d+)?)\s*(in|px)?\s*$")
_STYLE = {
    # Text is data: no mathtext ("$x^2$"), no TeX. One bundled font, and fixed ids in SVG, so every
    # machine draws the same bytes.
    "text.parse_math": False, "text.usetex": False, "font.family": ["DejaVu Sans"],
    "svg.fonttype": "path", "svg.hashsalt": "geomap", "path.simplify": True,
}
_MISSING = "PNG/SVG output needs matplotlib: pip install 'geomap[static]'"


@dataclass(frozen=True, slots=True)
class ImageSize:
    """An image's size in inches and its resolution."""

    width: float
    height: float
    dpi: int


def image_format(path: str | Path) -> str | None:
    """"png" or "svg" for an image output, None for HTML (.html, .htm, no suffix); any other suffix
    is refused, as is an image when matplotlib is missing, before any work is done."""
    suffix = Path(path).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return None
    if suffix not in IMAGE_FORMATS:
        raise InputError(f"{path}: unknown output type {suffix!r}; use .html, .png or .svg")
    _matplotlib(str(path))
    return IMAGE_FORMATS[suffix]


def image_size(size: str | None = None, dpi: int | None = None) -> ImageSize:
    """`size` is WIDTHxHEIGHT in pixels ("1400x900") or inches ("7x4.5in"), at `dpi` dots per inch."""
    size, dpi = size or DEFAULT_SIZE, DEFAULT_DPI if dpi is None else dpi
    if not 50 <= dpi <= 1200:
        raise InputError(f"dpi {dpi}: expected 50 to 1200")
    found = _SIZE.match(size)
    if not found:
        raise InputError(f"size {size!r}: expected WIDTHxHEIGHT in pixels (1400x900) or inches (7x4.5in)")
    width, height = float(found[1]), float(found[2])
    if found[3] != "in":
        width, height = width / dpi, height / dpi
    if max(width, height) * dpi > MAX_PIXELS:
        raise InputError(f"size {size!r} at {dpi} dpi: over {MAX_PIXELS:,} pixels a side")
    if width < MIN_INCHES[0] or height < MIN_INCHES[1]:
        raise InputError(f"size {size!r} at {dpi} dpi: under {MIN_INCHES[0]:g}x{MIN_INCHES[1]:g} inches,"
                         " too small for the labels (lower `dpi` or enlarge `size`)", parameters=("dpi", "size"))
    return ImageSize(width, height, dpi)


def _matplotlib(where: str = ""):
    try:
        import matplotlib
    except ImportError:
        raise InputError(f"{where}: {_MISSING}" if where else _MISSING) from None
    return matplotlib


@contextmanager
def _style():
    """matplotlib's defaults (whatever the user's matplotlibrc says) with geomap's few settings."""
    _matplotlib()
    from matplotlib.style import context

    with context(["default", _STYLE]):
        yield


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters: nothing to draw, and matplotlib copies text into SVG comments, where they
are not well-formed XML."""


def _drawable(view: MapView) -> MapView:
    """The view with control characters taken out of every text the image draws."""
    def clean(text: str) -> str:
        return _CONTROLS.sub("", text)

    return {**view, "title": clean(view["title"]), "source": clean(view["source"]),
            "places": [{**p, "name": clean(p["name"])} for p in view["places"]],
            "labels": [{**label, "name": clean(label["name"])} for label in view.get("labels", [])]}


def render_image(view: MapView, fmt: str, size: ImageSize | None = None) -> bytes:
    """The view as PNG or SVG bytes; the same input gives the same bytes (no dates, no random ids)."""
    size = size or image_size()
    metadata = {"Software": None} if fmt == "png" else {"Date": None}
    with _style():
        figure = draw(_drawable(view), size)
        out = BytesIO()
        figure.savefig(out, format=fmt, dpi=size.dpi, metadata=metadata)
    return out.getvalue()


def write_image(path: str | Path, view: MapView, fmt: str, size: ImageSize | None = None) -> None:
    """Render the image whole, then write it atomically: a failed render leaves `path` as it was."""
    from geomap.outputs import atomic_writer

    data = render_image(view, fmt, size)
    with atomic_writer(path, "wb") as fh:
        fh.write(data)


def draw(view: MapView, size: ImageSize):
    """The figure: a header (title, source), the map, a footer (legend, data credit)."""
    if view.get("tiles"):
        raise InputError("online tiles (`tiles`) are drawn only in HTML maps; images use the offline outlines",
                         parameters=("tiles",))
    from matplotlib.figure import Figure

    with _style():
        figure = Figure(figsize=(size.width, size.height), dpi=size.dpi)
        page = _Page(size.width * 72, size.height * 72)
        top = _header(figure, page, view)
        bottom = _footer(figure, page, view)
        axes = figure.add_axes((page.margin / page.width, bottom / page.height,
                                1 - 2 * page.margin / page.width, (top - bottom) / page.height))
        frame = _frame(view, page.width - 2 * page.margin, top - bottom)
        _map(axes, frame, view)
    return figure


@dataclass(frozen=True, slots=True)
class _Page:
    """The figure's size in points and the space kept around its parts."""

    width: float
    height: float
    margin: float = 10.0
    gap: float = 6.0


def _text_width(text: str, fontsize: float, weight: str = "normal") -> float:
    """Width in points of `text` drawn plainly (no mathtext) in the bundled font."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    props = FontProperties(family="DejaVu Sans", size=fontsize, weight=weight)
    return text_to_path.get_text_width_height_descent(text, props, ismath=False)[0]


def _wrap(text: str, width: float, fontsize: float, weight: str, lines: int) -> str:
    """`text` broken into at most `lines` lines no wider than `width` points; the rest elided."""
    words, out, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if _text_width(candidate, fontsize, weight) <= width or not line:
            line = candidate
        else:
            out.append(line)
            line = word
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        while out[-1] and _text_width(out[-1] + " …", fontsize, weight) > width:
            out[-1] = out[-1][:-1]
        out[-1] = out[-1].rstrip() + " …"
    return "\n".join(out)


def _header(figure, page: _Page, view: MapView) -> float:
    """Title and source line at the top; returns where the map's top edge goes, in points."""
    y = page.height - page.margin
    width = page.width - 2 * page.margin
    if view["title"].strip():
        title = _wrap(view["title"], width, 11, "bold", 2)
        figure.text(page.margin / page.width, y / page.height, title, fontsize=11, weight="bold", color=INK,
                    va="top", linespacing=1.15)
        y -= 11 * 1.3 * (title.count("\n") + 1)
    subtitle = " · ".join(part for part in (f"Source: {view['source']}" if view["source"] else "", view["summary"]) if part)
    figure.text(page.margin / page.width, y / page.height, _wrap(subtitle, width, 8, "normal", 1),
                fontsize=8, color=MUTED, va="top")
    return y - 8 * 1.3 - page.gap


def _footer(figure, page: _Page, view: MapView) -> float:
    """The layers' legend and the data credit at the bottom; returns where the map's bottom edge goes."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    credit = unescape(view["attribution"])
    figure.text(1 - page.margin / page.width, page.margin / page.height, credit, fontsize=6.5, color=MUTED,
                ha="right", va="bottom")
    y = page.margin + 6.5 * 1.3
    if not view["layers"]:
        return y + page.gap
    handles = [Line2D([], [], linestyle="none", marker="o", markersize=7, markerfacecolor="none",
                      markeredgecolor=layer["colour"], label=layer["name"]) if layer["name"] == APPROXIMATE_LAYER
               else Line2D([], [], linestyle="none", marker="o", markersize=7, markerfacecolor=layer["colour"],
                           markeredgecolor="white", label=layer["name"]) if layer["name"] == "Towns"
               else Patch(facecolor=_rgba(layer["colour"], 0.25), edgecolor=layer["colour"],
                          linestyle="--" if layer["name"] == ADJECTIVE_LAYER else "-", label=layer["name"])
               for layer in view["layers"]]
    item = max(_text_width(layer["name"], 7.5) for layer in view["layers"]) + 7.5 * 3.2
    columns = max(1, min(len(handles), int((page.width - 2 * page.margin) // item)))
    rows = math.ceil(len(handles) / columns)
    figure.legend(handles=handles, loc="lower left", bbox_to_anchor=(page.margin / page.width, y / page.height),
                  ncols=columns, frameon=False, fontsize=7.5, handlelength=1.4, handleheight=0.9,
                  columnspacing=1.2, borderpad=0, borderaxespad=0)
    return y + rows * 7.5 * 1.55 + page.gap


def _rgba(colour: str, alpha: float):
    from matplotlib.colors import to_rgba

    return to_rgba(colour, alpha)


def mercator(lat: float) -> float:
    """Web-Mercator northing in degrees, so a degree of it is as long as a degree of longitude."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def latitude(northing: float) -> float:
    return math.degrees(math.atan(math.sinh(math.radians(northing))))


@dataclass(frozen=True, slots=True)
class Frame:
    """What the map shows: longitudes (west may be under -180 or east over 180 when the frame
    crosses the antimeridian) and Web-Mercator northings."""

    west: float
    east: float
    south: float
    north: float

    def shifts(self, west: float, east: float) -> list[float]:
        """The multiples of 360° that bring longitudes west..east into the frame."""
        return [k * 360.0 for k in (-1, 0, 1) if west + k * 360 <= self.east and east + k * 360 >= self.west]


def _extents(places: list[PlaceView]) -> list[tuple[float, float, float, float]]:
    """(west, east, south, north) of what the article is about: small outlines whole, other places
    their point (only large countries named, and nothing else: those outlines whole)."""
    small = [p for p in places if p["outline"] and p["area"] <= FOCUS_AREA]
    points = [p for p in places if p not in small]
    if places and not small and all(p["outline"] for p in places):
        small, points = places, []
    return [_unwrapped_bounds(p) for p in small] + [(p["lon"], p["lon"], p["lat"], p["lat"]) for p in points]


def _unwrapped_bounds(place: PlaceView) -> tuple[float, float, float, float]:
    """An outline's bounds; for one crossing the antimeridian (Fiji, Chukotka) the narrower bounds
    with its western-hemisphere parts moved east by 360°."""
    west, south, east, north = place["bounds"]
    assert place["outline"] is not None  # a place has bounds only with its outline
    if east - west > 180:
        lons = shapely.get_coordinates(shapely.geometry.shape(place["outline"]))[:, 0]
        moved = [lon + 360 if lon < 0 else lon for lon in lons]
        if max(moved) - min(moved) < east - west:
            west, east = min(moved), max(moved)
    return west, east, south, north


def _longitudes(extents: list[tuple[float, float, float, float]]) -> tuple[float, float]:
    """The shortest stretch of longitude holding every extent, going round the globe either way:
    it ends at the widest gap between them."""
    spans = sorted(((w + 180) % 360 - 180, (w + 180) % 360 - 180 + (e - w)) for w, e, _, _ in extents)
    reach, gap, start = spans[0][1], spans[0][0] + 360 - max(e for _, e in spans), spans[0][0]
    best = (gap, start, start + 360 - gap)
    for west, east in spans[1:]:
        if west - reach > best[0]:
            best = (west - reach, west, reach + 360)
        reach = max(reach, east)
    return best[1], best[2]


def _frame(view: MapView, width_pt: float, height_pt: float) -> Frame:
    """The view's fixed first view if it has one (centre and Leaflet zoom); else what the article
    is about, padded, fitted to the map's `width_pt` by `height_pt`."""
    aspect = width_pt / height_pt
    if fixed := view.get("view"):
        lat, lon, zoom = fixed
        width = 360 * (width_pt / 0.75) / (256 * 2**zoom)  # the degrees a browser shows at that zoom (1 px = 0.75 pt)
        return _fitted(lon - width / 2, lon + width / 2, mercator(lat), mercator(lat), aspect, pad=0.0, least=0.0)
    framed = [p for p in view["places"] if p.get("frame", True)]  # the sure places, as the page frames them
    extents = _extents(framed or view["places"])
    if extents:
        west, east = _longitudes(extents)
        south, north = mercator(min(e[2] for e in extents)), mercator(max(e[3] for e in extents))
    else:
        (west, east), (south, north) = WORLD[0], (mercator(WORLD[1][0]), mercator(WORLD[1][1]))
    return _fitted(west, east, south, north, aspect, PAD, MIN_SPAN)


def _fitted(west: float, east: float, south: float, north: float, aspect: float, pad: float, least: float) -> Frame:
    """These bounds, at least `least` degrees each way, padded by `pad` each side, widened or heightened
    to `aspect`, no wider than the world and kept within Web Mercator's latitudes."""
    width, height = max(east - west, least) * (1 + 2 * pad), max(north - south, least) * (1 + 2 * pad)
    width, height = max(width, height * aspect), max(height, width / aspect)
    if width > 360:  # never more than the world across
        width, height = 360.0, 360.0 / aspect
    x, y, limit = (west + east) / 2, (south + north) / 2, mercator(MAX_LAT)
    y = max(-limit + height / 2, min(limit - height / 2, y)) if height < 2 * limit else 0.0
    return Frame(x - width / 2, x + width / 2, y - height / 2, y + height / 2)


def _path(geometry: BaseGeometry, frame: Frame):
    """The polygons and lines of `geometry` inside the frame, projected, as one matplotlib Path (None
    if none); copies 360° east or west are drawn where the frame crosses the antimeridian."""
    from matplotlib.path import Path as MplPath

    west, south, east, north = geometry.bounds
    vertices, codes = [], []
    for shift in frame.shifts(west, east):
        margin = (frame.east - frame.west) * 0.01
        clipped = shapely.clip_by_rect(geometry, frame.west - shift - margin, latitude(frame.south) - margin,
                                       frame.east - shift + margin, latitude(frame.north) + margin)
        for part in shapely.get_parts(shapely.orient_polygons(clipped)):
            if part.is_empty or part.geom_type not in ("Polygon", "LineString"):
                continue
            closed = part.geom_type == "Polygon"
            for ring in (part.exterior, *part.interiors) if closed else (part,):
                points = shapely.get_coordinates(ring)
                lat = numpy.radians(numpy.clip(points[:, 1], -MAX_LAT, MAX_LAT))
                vertices.append(numpy.column_stack((points[:, 0] + shift, numpy.degrees(numpy.arctanh(numpy.sin(lat))))))
                last = MplPath.CLOSEPOLY if closed else MplPath.LINETO  # a ring repeats its first point
                codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(points) - 2) + [last]
    return MplPath(numpy.concatenate(vertices), codes) if vertices else None


def _map(axes, frame: Frame, view: MapView) -> None:
    from matplotlib.patches import PathPatch

    axes.set_xlim(frame.west, frame.east)
    axes.set_ylim(frame.south, frame.north)
    axes.set_facecolor(SEA)
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_color(BORDER)
        spine.set_linewidth(0.6)
    if basemap := view.get("basemap"):
        world = shapely.GeometryCollection([shapely.geometry.shape(f["geometry"]) for f in basemap["features"]])
        if (path := _path(world, frame)) is not None:
            axes.add_artist(PathPatch(path, facecolor=LAND, edgecolor=BORDER, linewidth=0.3, zorder=1))
    colours = {layer["name"]: layer["colour"] for layer in view["layers"]}
    for place in sorted((p for p in view["places"] if p["outline"]), key=lambda p: -p["area"]):
        faint, weak = place["faint"], _weak(place)
        assert place["outline"] is not None  # only places with an outline, as chosen above
        path = _path(shapely.geometry.shape(place["outline"]), frame)
        if path is not None:
            colour, line = colours[place["layer"]], place["shape"] == "line"
            axes.add_artist(PathPatch(path, facecolor="none" if line else _rgba(colour, (0.04 if faint else 0.16) * weak),
                                     edgecolor=_rgba(colour, weak), linewidth=1.8 if line else 0.7 if faint else 1.1,
                                     linestyle="--" if faint else "-", zorder=2 if faint else 3))
    _labels(axes, frame, view, colours)


def _weak(place: PlaceView) -> float:
    """Opacity of a place's ink: a doubtful place is drawn fainter than a sure one (as on the page)."""
    return 0.45 if place["uncertain"] else 1.0


def _radius(place: PlaceView) -> float:
    """A town's circle radius in points: larger the more the article names it (as on the web map)."""
    return 3.0 + 1.2 * min(place["mentions"], 10)


def _anchor(frame: Frame, lon: float, lat: float) -> tuple[float, float] | None:
    """Where a point is on the map (moved 360° across the antimeridian if that brings it in), or None."""
    shift = next(iter(frame.shifts(lon, lon)), None)
    if shift is None or not frame.south <= mercator(lat) <= frame.north:
        return None
    return lon + shift, mercator(lat)


def _labels(axes, frame: Frame, view: MapView, colours: dict[str, str]) -> None:
    """Circles for places without an outline, then every place's name where it covers no other
    name or circle, most-named places first and guessed placements last (a name that fits nowhere
    is left out); then the basemap's country names around them."""
    anchors = {id(p): a for p in view["places"] if (a := _anchor(frame, p["lon"], p["lat"]))}
    ranked = sorted((p for p in view["places"] if id(p) in anchors),
                    key=lambda p: (p["approximate"], -p["mentions"], p["name"]))
    circles = {}
    for place in (p for p in ranked if not p["outline"]):
        x, y = anchors[id(place)]
        colour = colours[place["layer"]]
        if place["approximate"]:  # a guess: a hollow dashed ring, as on the page
            axes.scatter([x], [y], s=(2 * _radius(place)) ** 2, facecolors="none", edgecolors=colour,
                         linewidths=1.1, linestyle=(0, (2, 2)), zorder=4)
        else:
            axes.scatter([x], [y], s=(2 * _radius(place)) ** 2, color=colour, alpha=0.85 * _weak(place),
                         edgecolors="white", linewidths=0.8, zorder=4)
        px, py, r = *_points(axes, x, y), _radius(place)
        circles[id(place)] = (px - r, py - r, px + r, py + r)
    names: list[tuple] = []
    for place in ranked:
        area = bool(place["outline"])
        style: dict[str, Any] = {"fontsize": 8.0, "weight": "bold"} if area else {"fontsize": 7.5, "weight": "normal"}
        # As on the page: a doubtful place's name asks the question, a guessed placement's is italic.
        name = place["name"] + ("?" if place["uncertain"] and not place["approximate"] else "")
        if place["approximate"]:
            style["style"] = "italic"
        width = _text_width(name, style["fontsize"], style["weight"])
        offset = _radius(place) + 2 if not area else 0.0 if _holds(axes, place, width) else 3.0
        obstacles = names + [box for key, box in circles.items() if key != id(place)]
        further = _placements(12.0) if area and offset else []  # clear of a circle on the outline's point
        _write(axes, name, anchors[id(place)], _placements(offset) + further,
               {**style, "color": MUTED if place["uncertain"] or place["approximate"] else INK, "zorder": 5,
                "label": "place"}, obstacles, names)
    _country_names(axes, frame, view, names + list(circles.values()))


def _country_names(axes, frame: Frame, view: MapView, taken: list[tuple]) -> None:
    """The basemap's country names a browser would show at this scale (`view["labels"]`, each from
    its Leaflet zoom), beneath the places, where they cover no name or circle."""
    width_px = axes.bbox.width * 72 / axes.figure.dpi / 0.75  # CSS pixels: 0.75 pt each
    zoom = round(math.log2(360 * width_px / (256 * (frame.east - frame.west))))
    named = {p["name"] for p in view["places"]}
    for label in sorted(view.get("labels") or [], key=lambda label: (label["zoom"], label["name"])):
        anchor = _anchor(frame, label["lon"], label["lat"])
        if label["zoom"] <= zoom and label["name"] not in named and anchor:
            _write(axes, label["name"], anchor, [(0, 0, "center", "center")],
                   {"fontsize": 6.5, "weight": "normal", "color": LABEL, "zorder": 1.5, "label": "country"},
                   taken, taken)


def _points(axes, x: float, y: float) -> tuple[float, float]:
    """A map position in points from the figure's lower left corner."""
    px, py = axes.transData.transform((x, y))
    return px * 72 / axes.figure.dpi, py * 72 / axes.figure.dpi


def _write(axes, text: str, anchor: tuple[float, float], placements: list[tuple], style: dict,
           obstacles: list[tuple], taken: list[tuple]) -> None:
    """Write `text` at the first placement that lies inside the map and covers no obstacle, and
    add its box to `taken`; nowhere if none does."""
    from matplotlib.patheffects import withStroke

    left_edge, bottom_edge, right_edge, top_edge = (v * 72 / axes.figure.dpi for v in axes.bbox.extents)
    px, py = _points(axes, *anchor)
    width, height = _text_width(text, style["fontsize"], style["weight"]) + 3, style["fontsize"] * 1.25
    for dx, dy, ha, va in placements:
        left = px + dx - {"left": 0, "center": width / 2, "right": width}[ha]
        bottom = py + dy - {"bottom": 0, "center": height / 2, "top": height}[va]
        box = (left, bottom, left + width, bottom + height)
        inside = left_edge <= box[0] and box[2] <= right_edge and bottom_edge <= box[1] and box[3] <= top_edge
        if inside and not any(_overlap(box, other) for other in obstacles):
            axes.annotate(text, anchor, xytext=(dx, dy), textcoords="offset points", ha=ha, va=va, **style,
                          path_effects=[withStroke(linewidth=2.2, foreground="white")])
            taken.append(box)
            return


def _holds(axes, place: PlaceView, width: float) -> bool:
    """Whether the outline is wider on the map than its name, so the name can lie on it."""
    west, east, _, _ = _unwrapped_bounds(place)
    return (east - west) * axes.bbox.width / (axes.get_xlim()[1] - axes.get_xlim()[0]) * 72 / axes.figure.dpi > width


def _placements(offset: float) -> list[tuple[float, float, str, str]]:
    """Where a name may go, best first: beside a circle or a small outline's point (`offset` from it),
    or on a large outline's point."""
    if offset:
        return [(offset, 0, "left", "center"), (-offset, 0, "right", "center"),
                (0, offset, "center", "bottom"), (0, -offset, "center", "top")]
    return [(0, 0, "center", "center"), (0, 9, "center", "bottom"), (0, -9, "center", "top"),
            (6, 0, "left", "center"), (-6, 0, "right", "center")]


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
