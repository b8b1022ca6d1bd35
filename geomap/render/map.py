"""A map of a `Document`: each place once, its popup quoting every sentence that names it.

Rendering is a thin layer over data: `view.prepare` gathers what the map shows, the page
carries it as one inert JSON document, and static script (`assets/geomap.js`) draws it with
DOM text nodes. No text from the article or the gazetteer is ever markup or template source.
The same input gives the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from geomap.errors import InputError
from geomap.gazetteer.store import Gazetteer
from geomap.model import Document
from geomap.render.leaflet import PageParts, new_map, number_ids
from geomap.render.view import MapOptions, MapView, prepare, to_script_json

__all__ = ["GeoMap", "MapOptions", "fragment", "is_fragment", "page_html", "render_html"]

_CSS_LENGTH = re.compile(r"[0-9]{1,5}(\.[0-9]{1,3})?(px|%|em|rem|vh|vw)\Z")
"""ASCII digits only: a browser reads no other digits in CSS ("٦٠٠px" is no length)."""


def render_html(document: Document, gazetteer: Gazetteer, options: MapOptions = MapOptions()) -> str:
    """The whole page: one self-contained HTML file."""
    return page_html(prepare(document, gazetteer, options))


def page_html(view: MapView) -> str:
    """The page that draws a view from `view.prepare`."""
    fmap = new_map()
    PageParts(to_script_json(view), view["cluster"]).add_to(fmap)
    number_ids(fmap.get_root())
    return fmap.get_root().render()


def fragment(page: str, height: str = "600px", width: str = "100%") -> str:
    """A page as one line of HTML to paste into a report: an iframe carrying the page in `srcdoc`,
    so its scripts and styles stay inside, nothing is fetched, and Markdown sees no blank line."""
    for what, value in (("height", height), ("width", width)):
        if not _CSS_LENGTH.match(value):
            raise InputError(f"`{what}` {value!r}: expected a CSS length such as 600px or 100%", parameters=(what,))
    srcdoc = escape(page, quote=True).replace("\r", "&#13;").replace("\n", "&#10;")
    return (f'{FRAGMENT_START} title="geomap map" style="width:{width};height:{height};border:0;"'
            f' sandbox="allow-scripts" srcdoc="{srcdoc}"></iframe>')


FRAGMENT_START = '<iframe class="geomap-map"'


def is_fragment(path: Path) -> bool:
    """Whether a file is empty or one of geomap's fragments: the only files a fragment may replace."""
    with path.open("rb") as fh:
        start = fh.read(len(FRAGMENT_START))
    return start in (b"", FRAGMENT_START.encode("ascii"))


@dataclass(frozen=True, slots=True)
class GeoMap:
    """A map of one document: save it (HTML, PNG or SVG), embed it, draw it as an image, or let Jupyter show it."""

    view: MapView
    """What the map shows (`view.prepare`); the page and the images are drawn from it."""

    @classmethod
    def of(cls, document: Document, gazetteer: Gazetteer, options: MapOptions = MapOptions()) -> GeoMap:
        return cls(prepare(document, gazetteer, options))

    @property
    def page(self) -> str:
        return page_html(self.view)

    def save(self, path: str | Path, size: str | None = None, dpi: int | None = None) -> None:
        """Write the file the suffix names: .png or .svg an image (`size`, `dpi` as `to_png`), else HTML."""
        from geomap.outputs import write_text
        from geomap.render.static import image_format, image_size, write_image

        if fmt := image_format(path):
            write_image(path, self.view, fmt, image_size(size, dpi))
        else:
            write_text(path, self.page)

    def to_png(self, size: str | None = None, dpi: int | None = None) -> bytes:
        """The map as a PNG image: `size` is WIDTHxHEIGHT in pixels ("1400x900", the default) or
        inches ("7x4.5in") at `dpi` (default 200)."""
        from geomap.render.static import image_size, render_image

        return render_image(self.view, "png", image_size(size, dpi))

    def to_svg(self, size: str | None = None, dpi: int | None = None) -> bytes:
        """The map as an SVG image, sized as `to_png`."""
        from geomap.render.static import image_size, render_image

        return render_image(self.view, "svg", image_size(size, dpi))

    def fragment(self, height: str = "600px", width: str = "100%") -> str:
        return fragment(self.page, height, width)

    def _repr_html_(self) -> str:
        return self.fragment()
