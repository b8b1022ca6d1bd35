"""The one place geomap touches folium's and branca's internals (tested with folium 0.20, branca 0.8).

branca renders a `MacroElement`'s macros and then compiles their output again as a new
template, so anything data-derived passed through one would be evaluated. geomap's own
parts therefore enter the page as `Verbatim` elements, which render as the text they are.
"""

from __future__ import annotations

import base64
from collections import OrderedDict
from functools import cache
from importlib import resources
from itertools import count

import folium
from branca.element import Element, Figure, MacroElement


class Verbatim(Element):
    """Finished HTML or script: rendered exactly as given, never compiled as a template."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


@cache
def assets(clustering: bool) -> tuple[str, str]:
    """Leaflet's script and stylesheet (npm leaflet 1.9.4, BSD-2-Clause) with its images inlined as
    data URIs, geomap's own script and styles, and with `clustering` Leaflet.markercluster (npm
    1.5.3, MIT)."""
    folder = resources.files("geomap.render") / "assets"
    css = (folder / "leaflet.css").read_text(encoding="utf-8")
    for image in (folder / "images").iterdir():
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{image.name})", f"url(data:image/png;base64,{data})")
    js = (folder / "leaflet.js").read_text(encoding="utf-8")
    names = (["leaflet.markercluster.js"] if clustering else []) + ["geomap.js"]
    js += "".join("\n" + (folder / name).read_text(encoding="utf-8") for name in names)
    styles = (["MarkerCluster.css", "MarkerCluster.Default.css"] if clustering else []) + ["geomap.css"]
    css += "".join("\n" + (folder / name).read_text(encoding="utf-8") for name in styles)
    return js, css


class PageParts(MacroElement):
    """geomap's parts of the page, added when the map renders: the inlined libraries in the head,
    the view as inert JSON in the body, and the call that draws it after the map exists."""

    def __init__(self, view_json: str, clustering: bool):
        super().__init__()
        self._name = "GeomapView"
        self.view_json = view_json
        self.clustering = clustering

    def render(self, **kwargs) -> None:  # type: ignore[override]  # branca's MacroElement.render returns None too; Element's is hinted str
        figure = self.get_root()
        assert isinstance(figure, Figure) and self._parent is not None  # added to a map, rendered from its figure
        js, css = assets(self.clustering)
        name, map_name = self.get_name(), self._parent.get_name()
        figure.header.add_child(Verbatim(f"<style>{css}</style>\n<script>{js}</script>"), name=name)
        figure.html.add_child(
            Verbatim(f'<script type="application/json" id="{name}">{self.view_json}</script>'), name=name)
        figure.script.add_child(Verbatim(
            f'geomapDraw({map_name}, JSON.parse(document.getElementById("{name}").textContent));'), name=name)


def new_map() -> folium.Map:
    """An empty folium map with no tiles and no CDN references (Leaflet comes inlined)."""
    fmap = folium.Map(location=(20, 0), zoom_start=2, tiles=None, control_scale=True)
    fmap.options["maxZoom"] = 18  # with no tile layer, Leaflet (and marker clustering) needs it on the map
    fmap.default_js, fmap.default_css = [], []
    return fmap


def number_ids(root: Element) -> None:
    """folium names elements with random ids; number them instead for byte-identical output."""
    numbers = count()

    def walk(element: Element) -> None:
        element._id = f"{next(numbers):04d}"
        for part in ("header", "html", "script"):  # Figure and Popup keep children here too
            if isinstance(getattr(element, part, None), Element):
                walk(getattr(element, part))
        for child in element._children.values():
            walk(child)
        # Templates iterate these dicts by key, so the keys must carry the new names too.
        element._children = OrderedDict((child.get_name(), child) for child in element._children.values())

    walk(root)
