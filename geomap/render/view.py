"""What a map shows, as plain data: the places, their outlines and quotes, title and source.

The view is the only thing article text reaches on its way to a map. It is
serialised as one JSON document that the page's static script reads and draws
with DOM text nodes, so no part of it is ever markup, script or template source.
All gazetteer reads happen here; rendering does no queries.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, NotRequired, TypedDict

import numpy
import shapely
from shapely.geometry.base import BaseGeometry

from geomap.errors import InputError
from geomap.gazetteer.store import Gazetteer
from geomap.kinds import KINDS, LAYERS, Shape
from geomap.model import Document, Feature, MentionKind, Place, Resolution

ADJECTIVE_LAYER = "Named only as adjective"
APPROXIMATE_LAYER = "Placed approximately"
"""Names the gazetteer could not place, put at the last town named before them: guesses, drawn as such."""
APPROXIMATE_WORDS = "placed approximately, at the last town named before it"
CERTAINTY = ((0.9, "very likely"), (0.6, "likely"), (0.0, "uncertain"))
"""A place's confidence in words. The confidence is calibrated: at 0.9 and over geomap is right about
95 % of the time, under 0.6 only 56-77 %."""
UNCERTAIN = 0.6
"""Places under this confidence are drawn fainter (the lowest band of CERTAINTY)."""
FAR_CONFIDENCE = 0.5
FAR_KM = 2000.0
"""A place under FAR_CONFIDENCE this far from every surer place is left out of the first view: one
doubtful namesake across an ocean must not turn an article's map into a world map."""
CITY_POPULATION = 100_000
"""A town this large is called a city in popups."""
CLUSTER_AT = 50
"""Towns on one map from which their circles are clustered."""
MAX_QUOTES = 12
"""Sentences quoted in one popup; the rest are counted, so a much-named place keeps a light map."""
QUOTE_CONTEXT = 200
"""Characters quoted on either side of a place's first mention in a long sentence."""
QUOTES_PER_ARTICLE = 3
"""On a map of many articles, sentences quoted per article in a place's popup."""
ATTRIBUTION = "GeoNames (CC BY 4.0) · Natural Earth · geomap"
"""The data credit every map carries (plain text)."""
_SPACES = re.compile(r"\s+")
_TILE_URL = re.compile(r"https?://[^\s\"'<>]+\Z")
_TILE_FIELDS = re.compile(r"\{([^}]*)\}")
_PAGE_URL = re.compile(r"https?://[^\x00-\x20\x7f]+\Z", re.IGNORECASE)
"""An address to link to: any http(s) URL without spaces or control characters (the page sets it as a property)."""


class PlaceArticle(TypedDict):
    """An article naming a place, in the place's popup: its sentences as (text, is_mention) runs."""

    article: int
    """Index into the map's `articles`."""
    quotes: list[list[tuple[str, bool]]]
    more: int
    """Sentences naming the place that are not quoted."""


class PlaceView(TypedDict):
    """One place on the map (read by render/static.py and assets/geomap.js)."""

    name: str
    where: str
    layer: str
    faint: bool
    lat: float
    lon: float
    mentions: int
    confidence: float
    certainty: str
    """The confidence in words ("likely", "uncertain — also possible: …")."""
    uncertain: bool
    approximate: bool
    """Placed at a town the text named (`Resolution.approximate`), drawn and worded as a guess."""
    placed_at: str
    frame: bool
    """Whether the first view is fitted to it."""
    derived: bool
    articles: list[PlaceArticle]
    shape: str
    area: float
    outline: dict[str, Any] | None
    """GeoJSON geometry, simplified for display; None for a place drawn as a circle."""
    bounds: NotRequired[list[float]]
    """[west, south, east, north], with the outline only."""


class ArticleView(TypedDict):
    title: str
    source: str
    published: str
    focus: str
    """Where the article is from or about, in words ("" when not known)."""


class LabelView(TypedDict):
    """A name on the offline basemap, shown from `zoom` on."""

    name: str
    lat: float
    lon: float
    zoom: int


class LayerView(TypedDict):
    name: str
    colour: str


class TilesView(TypedDict):
    url: str
    attribution: str
    """Escaped HTML: Leaflet shows attributions as markup."""


class MapView(TypedDict):
    """Everything a map draws, as JSON-ready data: the one value `prepare` gives, the page's script
    (assets/geomap.js) and the image renderer (render/static.py) read."""

    title: str
    source: str
    source_url: str | None
    summary: str
    articles: list[ArticleView]
    about: str
    """A single article's focus in words, shown under the title ("" for none, or for many articles)."""
    attribution: str
    tiles: TilesView | None
    basemap: dict[str, Any] | None
    """GeoJSON FeatureCollection of the world's countries; None over tiles."""
    labels: list[LabelView]
    layers: list[LayerView]
    cluster: bool
    view: list[float] | None
    """[lat, lon, zoom] of a fixed first view."""
    places: list[PlaceView]


@dataclass(frozen=True, slots=True)
class MapOptions:
    title: str = ""
    source: str = ""
    """Where the article came from (a file name or URL), shown under the title."""
    tiles: str | None = None
    """An http(s) tile URL template ({z}/{x}/{y}); None draws the offline outline basemap."""
    attribution: str | None = None
    """Plain text crediting the tiles; shown as text, never as markup."""
    view: tuple[float, float, int] | None = None
    """A fixed first view (latitude, longitude, zoom) instead of fitting the places."""
    source_url: str | None = None
    """The http(s) address the article was fetched from: the source line links to it."""

    def __post_init__(self) -> None:
        if self.tiles is not None and (not _TILE_URL.match(self.tiles)
                                       or not set(_TILE_FIELDS.findall(self.tiles)) <= {"s", "z", "x", "y", "r", "-y"}):
            raise InputError(f"tiles {self.tiles!r}: not an http(s) tile URL template ({{z}}, {{x}}, {{y}}; also {{s}}, {{r}})")
        if self.source_url is not None and not _PAGE_URL.match(self.source_url):
            raise InputError(f"source URL {self.source_url!r}: not an http(s) URL")
        if self.view is not None:
            lat, lon, zoom = self.view
            if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 <= zoom <= 18):
                raise InputError(f"view {lat},{lon},{zoom}: expected LAT,LON,ZOOM within ±90, ±180 and 0..18")


TITLE_CHARS = 150
"""A title taken from the text is cut, at a word, to about this length: an article without line
breaks would otherwise be all title."""


SHOWN_CHARS = 300
"""Longest title or source line a map shows (a document's own title can be anything)."""


def clipped(text: str, size: int = SHOWN_CHARS) -> str:
    """`text` cut at a word to about `size` characters, marked "…" where it was cut."""
    if len(text) <= size:
        return text
    cut = text.rfind(" ", 0, size)
    return text[: cut if cut > size // 2 else size].rstrip(" ,;:") + "…"


def default_title(text: str) -> str:
    """A map's title when none is given: the article's first non-blank line (its headline)."""
    return clipped(next((line.strip() for line in text.splitlines() if line.strip()), ""), TITLE_CHARS)


def parse_view(value: str) -> tuple[float, float, int]:
    """"LAT,LON,ZOOM" as given on the command line."""
    try:
        lat, lon, zoom = value.split(",")
        return float(lat), float(lon), int(zoom)
    except ValueError:
        raise InputError(f"`view` {value!r}: expected LAT,LON,ZOOM such as 51.7,36.2,6", parameters=("view",)) from None


def _layer(place: Place, resolutions: list[Resolution]) -> str:
    if resolutions[0].approximate:
        return APPROXIMATE_LAYER
    if all(r.mention.kind == MentionKind.DEMONYM for r in resolutions):
        return ADJECTIVE_LAYER
    return KINDS[place.feature].layer


def quotes(document: Document, resolutions: list[Resolution],
           limit: int = MAX_QUOTES) -> tuple[list[list[tuple[str, bool]]], int]:
    """Each sentence naming the place once (at most `limit`), split into (text, is_mention) runs,
    and how many more sentences there were. A long sentence is quoted around its first mention
    of the place (QUOTE_CONTEXT characters a side, cut ends marked "…"), so a map stays linear in
    its article however long the sentences that name many places."""
    by_sentence: dict[tuple[int, int], list[Resolution]] = {}
    for r in resolutions:
        by_sentence.setdefault(document.sentence_of(r.mention), []).append(r)
    out = []
    for (start, end), rs in sorted(by_sentence.items())[:limit]:
        rs = sorted(rs, key=lambda r: r.mention.start)
        first = rs[0].mention
        window = (max(start, first.start - QUOTE_CONTEXT), min(end, first.end + QUOTE_CONTEXT))
        runs = [("…", False)] if window[0] > start else []
        cursor = window[0]
        for m in (r.mention for r in rs if r.mention.end <= window[1]):
            runs += [(document.text[cursor : m.start], False), (document.text[m.start : m.end], True)]
            cursor = m.end
        runs.append((document.text[cursor : window[1]] + ("…" if window[1] < end else ""), False))
        out.append([(text if marked else _SPACES.sub(" ", text), marked) for text, marked in runs if text])
    return out, max(0, len(by_sentence) - limit)


def _for_display(geometry: BaseGeometry) -> BaseGeometry:
    """An outline simplified in proportion to its size: a country needs less detail than a district."""
    minx, miny, maxx, maxy = geometry.bounds
    tolerance = min(0.25, max(0.005, max(maxx - minx, maxy - miny) / 400))
    return shapely.set_precision(shapely.simplify(geometry, tolerance, preserve_topology=True), tolerance / 5)


def _where(place: Place, gazetteer: Gazetteer) -> str:
    """The place's kind and what contains it, in words: "town in Illinois, United States"."""
    within = [] if place.feature in (Feature.COUNTRY, Feature.CONTINENT) else [
        gazetteer.area_name(place.country, place.admin1) if place.feature != Feature.ADMIN1 else "",
        gazetteer.area_name(place.country),
    ]
    within = [name for name in within if name and name != place.name]
    kind = KINDS[place.feature].words
    if place.feature == Feature.CITY and place.population >= CITY_POPULATION:
        kind = "city"
    return f"{kind} in {', '.join(within)}" if within else kind


def _called(place: Place, gazetteer: Gazetteer) -> str:
    """A place's name with the area that tells it from its namesakes: "Springfield, Missouri"."""
    if place.feature in (Feature.COUNTRY, Feature.CONTINENT):
        return place.name
    area = (gazetteer.area_name(place.country, place.admin1) if place.feature != Feature.ADMIN1 else ""
            ) or gazetteer.area_name(place.country)
    return f"{place.name}, {area}" if area and area != place.name else place.name


def certainty(confidence: float, alternatives: list[str]) -> str:
    """The confidence in words, with the other places the name may be when geomap is not sure:
    "uncertain — also possible: Springfield, Missouri"."""
    words = next(words for least, words in CERTAINTY if confidence >= least)
    if alternatives and confidence < CERTAINTY[0][0]:
        words += " — also possible: " + "; ".join(alternatives)
    return words


@dataclass(frozen=True, slots=True)
class MappedArticle:
    """One article on a map: what geomap found in it and where it came from."""

    document: Document
    title: str = ""
    source: str = ""
    published: str = ""
    """The publication date (ISO 8601) when known, for filtering a map of many articles."""


def _place_view(articles: Sequence[MappedArticle], gazetteer: Gazetteer, place: Place,
                named: list[tuple[int, list[Resolution]]]) -> PlaceView:
    """One place, with the quotes of each article that names it (`named`: article index, resolutions).
    An approximate placement is a place of its own, named as the text names it and drawn at the town
    it was put in as a circle (never that town's outline), so it is never taken for the town."""
    resolutions = [r for _, rs in named for r in rs]
    approximate = resolutions[0].approximate
    geometry, derived = (None, False) if approximate else gazetteer.geometry(place.geonameid)
    shape = KINDS[place.feature].shape
    outline = geometry is not None and shape != Shape.CIRCLE
    limit = MAX_QUOTES if len(articles) == 1 else QUOTES_PER_ARTICLE
    layer = _layer(place, resolutions)
    surest = max(resolutions, key=lambda r: r.confidence)
    confidence = round(surest.confidence, 2)
    quoted = [(i, *quotes(articles[i].document, rs, limit)) for i, rs in named]
    view: PlaceView = {
        "name": resolutions[0].mention.text if approximate else place.name,
        "where": _where(place, gazetteer),
        "layer": layer,
        "faint": layer == ADJECTIVE_LAYER,
        "lat": place.lat,
        "lon": place.lon,
        "mentions": len(resolutions),
        "confidence": confidence,
        "certainty": certainty(confidence, [_called(p, gazetteer) for p, _ in surest.alternatives]),
        "uncertain": confidence < UNCERTAIN,
        "approximate": approximate,
        "placed_at": f"{APPROXIMATE_WORDS}: {_called(place, gazetteer)}" if approximate else "",
        "frame": True,
        "derived": bool(outline and derived),
        "articles": [{"article": i, "quotes": qs, "more": more} for i, qs, more in quoted],
        "shape": shape.value if outline else Shape.CIRCLE.value,
        "area": 0.0,
        "outline": None,
    }
    if outline and geometry is not None:
        view["area"] = round(shapely.area(geometry), 4)
        view["outline"] = shapely.geometry.mapping(_for_display(geometry))
        view["bounds"] = [round(v, 4) for v in geometry.bounds]
    return view


def _km_to_boxes(lat: float, lon: float, boxes: numpy.ndarray) -> numpy.ndarray:
    """Great-circle distances in km from a point to the nearest point of each (west, south, east, north) box."""
    near_lat = numpy.radians(numpy.clip(lat, boxes[:, 1], boxes[:, 3]))
    dlon = numpy.radians(lon - numpy.clip(lon, boxes[:, 0], boxes[:, 2]))
    p1 = math.radians(lat)
    cos = math.sin(p1) * numpy.sin(near_lat) + math.cos(p1) * numpy.cos(near_lat) * numpy.cos(dlon)
    return 6371.0 * numpy.arccos(numpy.clip(cos, -1.0, 1.0))


def _mark_framing(places: list[PlaceView]) -> None:
    """Set each place's "frame": whether the first view is fitted to it. Guessed placements are
    left out, and so is a doubtful place (under FAR_CONFIDENCE) far from every surer one; both
    are still drawn and listed. A map of only such places frames them all."""
    sure = [p for p in places if not p["approximate"] and p["confidence"] >= FAR_CONFIDENCE]
    boxes = numpy.array([p.get("bounds") or (p["lon"], p["lat"], p["lon"], p["lat"]) for p in sure]).reshape(-1, 4)
    for p in places:
        far = p["confidence"] < FAR_CONFIDENCE and len(boxes) and _km_to_boxes(p["lat"], p["lon"], boxes).min() > FAR_KM
        p["frame"] = not (p["approximate"] or far)
    if not any(p["frame"] for p in places):
        for p in places:
            p["frame"] = True


def _about(document: Document, gazetteer: Gazetteer) -> str:
    """Where the article is from or about, in words ("Lamar County, Texas"; "" when not known), and
    how geomap knows when it is a guess from the text ("Georgia, United States (from its places)")."""
    focus = document.focus
    if focus is None:
        return ""
    return _called(focus.place, gazetteer) + (" (from its places)" if focus.source == "text" else "")


LABEL_ZOOMS = ((50_000_000, 2), (10_000_000, 3), (1_000_000, 4), (0, 5))
"""From which zoom a country's name is shown on the offline basemap, by population: the big
ones from the world view on, the small ones once there is room."""
REGION_LABEL_ZOOMS = ((5_000_000, 5), (0, 6))
"""The same for first-level regions, which the basemap names only in the countries the map shows
places in (all of the world's would weigh more than the map)."""


def _labels(gazetteer: Gazetteer, countries: set[str]) -> list[LabelView]:
    """Country names for the offline basemap, and the regions of `countries`, each with the zoom
    from which it shows."""
    def label(place: Place, zooms: tuple[tuple[int, int], ...]) -> LabelView:
        return {"name": place.name, "lat": round(place.lat, 3), "lon": round(place.lon, 3),
                "zoom": next(zoom for population, zoom in zooms if place.population >= population)}

    regions = [r for r in gazetteer.of_kind(Feature.ADMIN1) if r.country in countries]
    return ([label(c, LABEL_ZOOMS) for c in gazetteer.of_kind(Feature.COUNTRY)]
            + [label(r, REGION_LABEL_ZOOMS) for r in regions])


def _tiles(options: MapOptions) -> TilesView | None:
    if not options.tiles:
        return None
    # Leaflet shows attributions as HTML: escaped here once, so it shows as the text it is.
    return {"url": options.tiles, "attribution": escape(options.attribution or "")}


def prepare(document: Document, gazetteer: Gazetteer, options: MapOptions = MapOptions()) -> MapView:
    """Everything the map of one article draws, as JSON-ready data."""
    return prepare_many([MappedArticle(document, options.title, options.source)], gazetteer, options)


def prepare_many(articles: Sequence[MappedArticle], gazetteer: Gazetteer, options: MapOptions = MapOptions()) -> MapView:
    """Everything the map of several articles draws: each place once, with the articles naming it."""
    named: dict[tuple, tuple[Place, list[tuple[int, list[Resolution]]]]] = {}
    for i, article in enumerate(articles):
        for place, resolutions in article.document.places.values():
            by_name: dict[tuple, list[Resolution]] = {}
            for r in resolutions:  # an approximate placement apart from the town, one per name
                by_name.setdefault((place.geonameid, r.mention.key.casefold() if r.approximate else None), []).append(r)
            for key, rs in by_name.items():
                named.setdefault(key, (place, []))[1].append((i, rs))
    places = [_place_view(articles, gazetteer, place, by_article) for place, by_article in named.values()]
    _mark_framing(places)
    countries = {place.country for place, _ in named.values() if place.country}
    mentions = sum(p["mentions"] for p in places)
    guessed = sum(p["approximate"] for p in places)
    summary = (f"{len(places) - guessed} places" + (f" · {guessed} placed approximately" if guessed else "")
               + f" · {mentions} mentions")
    return {
        "title": clipped(options.title),
        "source": clipped(options.source),
        "source_url": options.source_url,
        "summary": summary if len(articles) == 1 else f"{summary} · {len(articles)} articles",
        "articles": [{"title": clipped(a.title), "source": clipped(a.source), "published": a.published[:40],
                      "focus": clipped(_about(a.document, gazetteer))} for a in articles],
        "about": clipped(_about(articles[0].document, gazetteer)) if len(articles) == 1 else "",
        "attribution": escape(ATTRIBUTION),
        "tiles": _tiles(options),
        "basemap": None if options.tiles else gazetteer.basemap(),
        "labels": [] if options.tiles else _labels(gazetteer, countries),
        "layers": [{"name": name, "colour": colour} for name, colour in LAYERS.items()
                   if any(p["layer"] == name for p in places)],
        "cluster": sum(1 for p in places if p["layer"] == "Towns") >= CLUSTER_AT,
        "view": list(options.view) if options.view else None,
        "places": places,
    }


def to_script_json(view: MapView) -> str:
    """The view as JSON that is safe inside `<script type="application/json">`: nothing in it can
    close the element, start a comment or end a JavaScript line."""
    text = json.dumps(view, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text
