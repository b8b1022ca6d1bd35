"""The values that flow between geomap's stages.

Every stage takes and gives these small immutable records, so a stage can be
tested, replaced or run in another process without knowing its neighbours.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class Feature(str, Enum):
    """What kind of place a gazetteer entry is: the vocabulary of `place.feature` in the JSON.
    Everything else geomap knows about a kind (rank, prior, layer, drawing) is in `geomap.kinds`."""

    CONTINENT = "continent"
    COUNTRY = "country"
    TERRITORY = "territory"
    ADMIN1 = "admin1"
    ADMIN2 = "admin2"
    CITY = "city"
    CAPITAL = "capital"
    PHYSICAL = "physical"
    RIVER = "river"
    LAKE = "lake"
    MOUNTAIN = "mountain"
    RANGE = "range"
    ISLAND = "island"
    PENINSULA = "peninsula"
    LANDFORM = "landform"
    REGION = "region"
    OTHER = "other"


class MentionKind(str, Enum):
    """A place named outright ("Ukraine") or through an adjective ("Ukrainian")."""

    TOPONYM = "toponym"
    DEMONYM = "demonym"


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry: where it is and what it is."""

    geonameid: int
    name: str
    lat: float
    lon: float
    feature: Feature
    country: str = ""
    admin1: str = ""
    population: int = 0
    source: str = "geonames"

    def to_json(self) -> dict:
        data = asdict(self)
        data["feature"] = self.feature.value
        return data


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the text that names a place; offsets are characters in `Document.text` (for a web
    page, PDF or Word file: the text geomap extracted from it)."""

    start: int
    end: int
    text: str
    kind: MentionKind = MentionKind.TOPONYM
    lookup: str = ""
    """The name to look up: the text without possessive or article, or a demonym's country."""
    qualifier: str = ""
    """A containing place named right after it ("Paris, Texas" gives "Texas")."""
    source: str = "ner"
    """Who proposed it: "ner" (the statistical model), "gazetteer" (the name matcher) or "pattern"
    (its form: a road)."""
    rule: str = ""
    """The recognition rule that took it (`geomap.recognise.rules.RULES`)."""
    feature_sign: bool = False
    """The text points at it as a feature ("the Danube", "Sava river"): the resolver favours the
    readings of a kind trusted with a sign (`geomap.kinds.Trust.SIGN`)."""
    road: bool = False
    """A road by its form ("State Highway 24", "Kansas Expressway"): placed in its town, never at a
    place named inside it."""

    @property
    def key(self) -> str:
        return self.lookup or self.text


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place a mention may refer to, with how the name matched."""

    place: Place
    exact: bool
    """The looked-up name is the place's own name, not one of its aliases."""
    user: bool = False
    """The entry comes from the user's own gazetteer files."""


@dataclass(frozen=True, slots=True)
class Resolution:
    """A mention and the place chosen for it (or None), with how sure we are (0..1)."""

    mention: Mention
    place: Place | None
    confidence: float
    alternatives: tuple[tuple[Place, float], ...] = ()
    """The next likeliest places (at most three) with their share of the confidence: why this one."""
    approximate: bool = False
    """The name itself has no place in the gazetteer (a street, building, airport); `place` is the
    town the text named last before it, where it most likely is."""
    step: str = ""
    """The resolution step that chose `place` (`geomap.resolve.STEPS`)."""

    def to_json(self) -> dict:
        return {
            "start": self.mention.start,
            "end": self.mention.end,
            "text": self.mention.text,
            "kind": self.mention.kind.value,
            "place": self.place.to_json() if self.place else None,
            "confidence": round(self.confidence, 3),
            "source": self.mention.source,
            "rule": self.mention.rule,
            "step": self.step,
            "alternatives": [{"geonameid": p.geonameid, "name": p.name, "feature": p.feature.value,
                              "country": p.country, "confidence": round(share, 3)} for p, share in self.alternatives],
            "approximate": self.approximate,
        }


class FocusLevel(str, Enum):
    """How precisely the focus says where an article is: a town, a first-level region, a country."""

    TOWN = "town"
    REGION = "region"
    COUNTRY = "country"


@dataclass(frozen=True, slots=True)
class Focus:
    """Where an article is from or about: its dateline's place, the home the user gave, or the
    region or country most of its places agree on. Namesakes are resolved toward it."""

    place: Place
    level: FocusLevel
    source: str
    """"dateline", "home" or "text": what told geomap."""
    confidence: float
    """How sure: 1 for a dateline or a home; for the text, the share of its places that agree."""

    def to_json(self) -> dict:
        return {"place": self.place.to_json(), "level": self.level.value, "country": self.place.country,
                "admin1": "" if self.level is FocusLevel.COUNTRY else self.place.admin1,
                "confidence": round(self.confidence, 3), "from": self.source}


@dataclass(frozen=True, slots=True)
class Source:
    """Where a document's text came from: the file or URL, its format, and what the document says
    about itself (title, publication date, byline) when it says it."""

    format: str = "text"
    """"text", "html", "pdf" or "docx": what was read, whatever the file is called."""
    path: str = ""
    url: str = ""
    """The address the text was fetched from (after redirects); empty for a file."""
    title: str = ""
    published: str = ""
    """The publication date as the page gives it (ISO 8601, YYYY-MM-DD), when it does."""
    byline: str = ""

    def to_json(self) -> dict:
        """Only what is known: {"url" or "path", "format", "title", "published", "byline"}."""
        data = {"url": self.url} if self.url else {"path": self.path} if self.path else {}
        if data or self.format != "text":
            data["format"] = self.format
        data.update((k, v) for k, v in (("title", self.title), ("published", self.published),
                                          ("byline", self.byline)) if v)
        return data


@dataclass(frozen=True, slots=True)
class Article:
    """An article as read: the text geomap reads (every mention's offsets point into it), its source,
    its id when it is one of many (a JSON Lines or Parquet record), and where it is from when its
    record says so (`home`, as `Geoparser.parse` takes it)."""

    text: str
    source: Source = Source()
    id: str | None = None
    home: str = ""


@dataclass(frozen=True, slots=True)
class Document:
    """A text and everything geomap found in it."""

    text: str
    resolutions: tuple[Resolution, ...] = field(default_factory=tuple)
    id: str | None = None
    sentences: tuple[tuple[int, int], ...] = ()
    """Character spans of the text's sentences, for quoting a mention in context."""
    source: Source | None = None
    """Where the text came from, when geomap read it from a file or URL."""
    focus: Focus | None = None
    """Where the article is from or about, when its dateline, the user or its places say."""

    def sentence_of(self, mention: Mention) -> tuple[int, int]:
        """The sentence around a mention; without sentence spans, its line, at most 200 characters a side."""
        for start, end in self.sentences:
            if start <= mention.start < end:
                return start, end
        start = max(self.text.rfind("\n", 0, mention.start) + 1, mention.start - 200)
        end = self.text.find("\n", mention.end)
        return start, min(len(self.text) if end < 0 else end, mention.end + 200)

    @property
    def places(self) -> dict[int, tuple[Place, list[Resolution]]]:
        """Each resolved place once, with the resolutions that point at it, in text order."""
        grouped: dict[int, tuple[Place, list[Resolution]]] = {}
        for res in self.resolutions:
            if res.place is not None:
                grouped.setdefault(res.place.geonameid, (res.place, []))[1].append(res)
        return grouped

    def to_json(self) -> dict:
        data: dict = {} if self.id is None else {"id": self.id}
        if self.focus is not None:
            data["focus"] = self.focus.to_json()
        data["mentions"] = [r.to_json() for r in self.resolutions]
        if self.source is not None and (source := self.source.to_json()):
            data["source"] = source
        return data
