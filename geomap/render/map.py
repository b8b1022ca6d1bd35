"""A folium map of a `Document`: each place once, its popup quoting every sentence that names it.

Rendering is a thin layer over the data: popups and the legend come from Jinja
templates with autoescaping, so article text is always shown as text. Element
ids are numbered, not random, so the same input gives the same bytes.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import count

import folium
import shapely
from folium.map import Layer
from branca.element import Element, MacroElement
from jinja2 import Environment, PackageLoader, Template, select_autoescape

from geomap.gazetteer.store import Gazetteer
from geomap.model import Document, Feature, MentionKind, Place, Resolution

_TEMPLATES = Environment(loader=PackageLoader("geomap.render", "templates"), autoescape=select_autoescape(["html"]))
_TOOLTIP = _TEMPLATES.from_string("{{ name }} ({{ n }})")

LAYERS = {
    "Countries": "#3b6fb6",
    "Regions": "#8e44ad",
    "Towns": "#d35400",
    "Features": "#16a085",
    "Named only as adjective": "#7f8c8d",
}
_SPACES = re.compile(r"\s+")
CLUSTER_AT = 50
"""Towns on one map from which their circles are clustered."""
MAX_QUOTES = 12
"""Sentences quoted in one popup; the rest are counted, so a much-named place keeps a light map."""


def _layer(place: Place, resolutions: list[Resolution]) -> str:
    if all(r.mention.kind == MentionKind.DEMONYM for r in resolutions):
        return "Named only as adjective"
    if place.feature in (Feature.COUNTRY, Feature.CONTINENT):
        return "Countries"
    if place.feature in (Feature.ADMIN1, Feature.ADMIN2, Feature.REGION):
        return "Regions"
    if place.feature in (Feature.CITY, Feature.CAPITAL):
        return "Towns"
    return "Features"


@cache
def _assets(clustering: bool) -> tuple[str, str]:
    """Leaflet's script and stylesheet (npm leaflet 1.9.4, BSD-2-Clause), images inlined as data
    URIs, and with `clustering` Leaflet.markercluster (npm 1.5.3, MIT)."""
    folder = resources.files("geomap.render") / "assets"
    css = (folder / "leaflet.css").read_text(encoding="utf-8")
    for image in (folder / "images").iterdir():
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{image.name})", f"url(data:image/png;base64,{data})")
    js = (folder / "leaflet.js").read_text(encoding="utf-8")
    if clustering:
        js += "\n" + (folder / "leaflet.markercluster.js").read_text(encoding="utf-8")
        for name in ("MarkerCluster.css", "MarkerCluster.Default.css"):
            css += "\n" + (folder / name).read_text(encoding="utf-8")
    return js, css


class InlineLeaflet(MacroElement):
    """Leaflet itself inside the page, so the map draws with no network at all."""

    _template = Template("""{% macro header(this, kwargs) %}
<style>{{ this.css }}</style>
<script>{{ this.js }}</script>
{% endmacro %}""")

    def __init__(self, clustering: bool = False):
        super().__init__()
        self.js, self.css = _assets(clustering)


class Clusters(Layer):
    """Leaflet.markercluster's group (inlined above); folium's plugin would import every plugin."""

    _template = Template("""{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.markerClusterGroup({});
{% endmacro %}""")

    def __init__(self, name: str):
        super().__init__(name=name)
        self._name = "MarkerCluster"


class Popup(MacroElement):
    """A popup whose HTML travels as a JSON string: nothing in it can break out into the script."""

    _template = Template("""{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.bindPopup({{ this.html|tojson }}, {"maxWidth": 360});
{% endmacro %}""")

    def __init__(self, html: str):
        super().__init__()
        self.html = html


class Tooltip(MacroElement):
    """A tooltip of plain text, escaped by Leaflet's text handling and JSON-encoded."""

    _template = Template("""{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.bindTooltip({{ this.html|tojson }}, {"sticky": true});
{% endmacro %}""")

    def __init__(self, html: str):
        super().__init__()
        self.html = html


def quotes(document: Document, resolutions: list[Resolution]) -> tuple[list[list[tuple[str, bool]]], int]:
    """Each sentence naming the place once (at most MAX_QUOTES), split into (text, is_mention)
    runs, and how many more sentences there were."""
    by_sentence: dict[tuple[int, int], list[Resolution]] = {}
    for r in resolutions:
        by_sentence.setdefault(document.sentence_of(r.mention), []).append(r)
    out = []
    for (start, end), rs in sorted(by_sentence.items())[:MAX_QUOTES]:
        runs, cursor = [], start
        for r in sorted(rs, key=lambda r: r.mention.start):
            runs.append((document.text[cursor : r.mention.start], False))
            runs.append((document.text[r.mention.start : r.mention.end], True))
            cursor = r.mention.end
        runs.append((document.text[cursor:end], False))
        out.append([(text if marked else _SPACES.sub(" ", text), marked) for text, marked in runs if text])
    return out, max(0, len(by_sentence) - MAX_QUOTES)


@dataclass(frozen=True, slots=True)
class MapOptions:
    title: str = ""
    source: str = ""
    """Where the article came from (a file name or URL), shown under the title."""
    tiles: str | None = None
    """A tile URL template or a folium provider name; None draws the offline outline basemap."""
    attribution: str | None = None


def popup_html(document: Document, place: Place, resolutions: list[Resolution], derived: bool) -> str:
    template = _TEMPLATES.get_template("popup.html")
    quoted, more = quotes(document, resolutions)
    return template.render(
        place=place,
        kind=place.feature.value,
        count=len(resolutions),
        confidence=max(r.confidence for r in resolutions),
        derived=derived,
        quotes=quoted,
        more=more,
    )


def build_map(document: Document, gazetteer: Gazetteer, options: MapOptions = MapOptions()) -> folium.Map:
    """The folium map of a document's places."""
    fmap = folium.Map(location=(20, 0), zoom_start=2, tiles=None, control_scale=True)
    fmap.options["maxZoom"] = 18  # with no tile layer, Leaflet (and marker clustering) needs it on the map
    fmap.default_js, fmap.default_css = [], []  # no CDN: Leaflet is inlined below
    places = document.places
    clustering = sum(1 for place, rs in places.values() if _layer(place, rs) == "Towns") >= CLUSTER_AT
    InlineLeaflet(clustering).add_to(fmap)
    if options.tiles:
        folium.TileLayer(options.tiles, attr=options.attribution, name="Tiles").add_to(fmap)
    else:
        _basemap(gazetteer).add_to(fmap)

    groups = {name: folium.FeatureGroup(name=name) for name in LAYERS}
    if clustering:
        groups["Towns"] = Clusters("Towns")
    points = []
    for place, resolutions in places.values():
        geometry, derived = gazetteer.geometry(place.geonameid)
        layer = _layer(place, resolutions)
        colour = LAYERS[layer]
        html = popup_html(document, place, resolutions, derived)
        tooltip = _TOOLTIP.render(name=place.name, n=len(resolutions))
        if geometry is not None and place.feature not in (Feature.CITY, Feature.CAPITAL, Feature.CONTINENT):
            shape = folium.GeoJson(
                shapely.geometry.mapping(_for_display(geometry)),
                style_function=lambda _, c=colour: {"color": c, "weight": 2, "fillColor": c, "fillOpacity": 0.15},
                highlight_function=lambda _, c=colour: {"weight": 3, "fillOpacity": 0.3},
            ).add_to(groups[layer])
            minx, miny, maxx, maxy = geometry.bounds
            points += [(miny, minx), (maxy, maxx)]
        else:
            shape = folium.CircleMarker(
                location=(place.lat, place.lon),
                radius=5 + 2 * min(len(resolutions), 10),
                color=colour,
                fill=True,
                fill_opacity=0.7,
            ).add_to(groups[layer])
            points.append((place.lat, place.lon))
        Popup(html).add_to(shape)
        Tooltip(tooltip).add_to(shape)
    for group in groups.values():
        if group._children:
            group.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    legend = _TEMPLATES.get_template("legend.html").render(
        title=options.title,
        source=options.source,
        layers=[(name, colour) for name, colour in LAYERS.items() if groups[name]._children],
        places=len(places),
        mentions=sum(1 for r in document.resolutions if r.place),
    )
    fmap.get_root().html.add_child(Element(legend))
    if points:
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        fmap.fit_bounds([(min(lats), min(lons)), (max(lats), max(lons))], padding=(20, 20), max_zoom=8)
    _number_ids(fmap)
    return fmap


def _for_display(geometry: shapely.Geometry) -> shapely.Geometry:
    """An outline simplified in proportion to its size: a country needs less detail than a district."""
    minx, miny, maxx, maxy = geometry.bounds
    tolerance = min(0.25, max(0.005, max(maxx - minx, maxy - miny) / 400))
    return shapely.set_precision(shapely.simplify(geometry, tolerance, preserve_topology=True), tolerance / 5)


def _basemap(gazetteer: Gazetteer) -> folium.GeoJson:
    """Country outlines as a quiet background, so the map reads with no tile server."""
    return folium.GeoJson(
        gazetteer.basemap(),
        name="Basemap",
        style_function=lambda _: {"color": "#999", "weight": 0.5, "fillColor": "#f2efe9", "fillOpacity": 1},
        interactive=False,
        control=False,
    )


def _number_ids(root: MacroElement) -> None:
    """folium names elements with random ids; number them instead for byte-identical output."""
    numbers = count()

    def walk(element) -> None:
        element._id = f"{next(numbers):04d}"
        for part in ("header", "html", "script"):  # Figure and Popup keep children here too
            if isinstance(getattr(element, part, None), Element):
                walk(getattr(element, part))
        for child in element._children.values():
            walk(child)
        # Templates iterate these dicts by key, so the keys must carry the new names too.
        element._children = {child.get_name(): child for child in element._children.values()}

    walk(root)


def render_html(document: Document, gazetteer: Gazetteer, options: MapOptions = MapOptions()) -> str:
    """The whole page: one self-contained HTML file."""
    return build_map(document, gazetteer, options).get_root().render()


def fragment(page: str, height: str = "600px") -> str:
    """A page as an element to paste into a report: an iframe carrying the page in `srcdoc`, so its
    scripts and styles stay inside and nothing needs to be fetched."""
    return _TEMPLATES.get_template("fragment.html").render(page=page, height=height)


@dataclass(frozen=True, slots=True)
class GeoMap:
    """A rendered map: save it, embed it, or let Jupyter show it."""

    page: str

    def save(self, path) -> None:
        from geomap.io import write_text

        write_text(path, self.page)

    def fragment(self, height: str = "600px") -> str:
        return fragment(self.page, height)

    def _repr_html_(self) -> str:
        return self.fragment()
