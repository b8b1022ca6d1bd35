"""What every recognition rule reads, computed once per text: the capitalised runs that could be
names (proposals), how prominent each known name is (fame), which are adjectives (demonyms), the
words of people named in full, the words the text writes in lowercase, and the NER's entities by
token. `Found` holds what the rules have taken, indexed by token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from geomap.gazetteer.names import fold
from geomap.gazetteer.store import UNKNOWN, Fame, Gazetteer
from geomap.kinds import KINDS, Rank, Trust
from geomap.lang import rows, words
from geomap.geodesy import distance_km
from geomap.model import Mention, MentionKind, Place

MAX_WORDS = 6
"""The longest run of words looked up as a name."""

INNER_MARKS = frozenset({"-", ".", ","})
"""Marks a name may hold: "Stratford-upon-Avon", "ST. LOUIS" (an abbreviation's full stop as its own
token), "Washington, D.C." (the gazetteer decides whether the whole run is a name)."""


@dataclass(frozen=True, slots=True)
class Labels:
    """The NER labels the recogniser reads (OntoNotes names, as spaCy's English models use)."""

    place: tuple[str, ...] = ("GPE", "LOC", "FAC")
    adjective: tuple[str, ...] = ("NORP",)
    person: tuple[str, ...] = ("PERSON",)
    organisation: tuple[str, ...] = ("ORG",)


@dataclass(frozen=True, slots=True)
class RecogniserSettings:
    """When a name the NER did not call a place is still taken as one; the NER's labels; the
    language whose word lists are read."""

    min_population: int = 100_000
    """A town this large is taken wherever its name is capitalised."""
    cued_population: int = 1_000
    """A town this large is taken after a cue word ("in", "near" …), or in a country the text names
    (`home_town`). Measured at 500: worldnews-dev gains a village, GeoWebNews and localnews-dev
    lose precision ("Cavan", "Mark")."""
    home_km: float = 80.0
    """With the article's home given, a town this near it is a neighbour a local paper names bare
    (`near_home`): about an hour's drive, a local paper's ground."""
    language: str = "en"
    labels: Labels = Labels()


@dataclass(frozen=True, slots=True)
class Words:
    """A language's word lists (geomap/lang/<language>/*.csv, a reason on every row)."""

    connectors: frozenset[str]
    """Lowercase words that may stand inside a place name ("Stratford-upon-Avon", "Isle of Man")."""
    generic: frozenset[str]
    """Lowercase words that may end a place name ("Kursk region", "Mississippi river")."""
    cues: frozenset[str]
    """Words that announce a place: "in Pskov", "north of Lyon"."""
    common: frozenset[str]
    """Capitalised words that are gazetteer names somewhere but far more often mean something else."""
    joins: frozenset[str]
    """Words between the names of a list ("Žilina, Nitra, Prešov and Košice")."""
    possessives: frozenset[str]
    """Endings that are not part of a name ("North Korea's")."""
    feature_before: frozenset[str]
    """Words before a name that point at a river, lake or sea rather than a person ("the Danube")."""
    feature_after: frozenset[str]
    """Words after a name that do ("Sava river"); as a name's own last word ("Paraguay River") too."""
    feature_heads: frozenset[str]
    """A name's own first words that do ("Lake Victoria", "Gulf of Finland")."""
    qualifiers: frozenset[str]
    """Words between a place and the area it is in ("Paris, Texas", "Springfield in Illinois")."""
    offices: frozenset[str]
    """Words of a public office named for its place ("Huntsville Fire Department", "Abuja Chamber")."""
    buildings: frozenset[str]
    """Last words of a building's name ("Barclays Center", "Cloverhill District Court")."""
    roads: frozenset[str]
    """Last words of a road's name ("Commercial Street", "Kansas Expressway")."""
    road_numbers: frozenset[str]
    """Words before a route number ("Highway 24", "U.S. 31"; "i-" as in "I-65")."""

    @classmethod
    @lru_cache(maxsize=None)
    def of(cls, language: str) -> Words:
        lists = (words(name, language) for name in (
            "connectors", "generic_words", "cue_words", "common_words", "joins", "possessives"))
        feature = rows("feature_cues", language)
        # mypy takes a starred iterable to fill every field, so the lists after it look like too many.
        return cls(*lists, *(frozenset(r["word"] for r in feature if r["position"] == position)  # type: ignore[call-arg]
                             for position in ("before", "after", "head")), words("qualifier_words", language),
                   words("office_words", language), words("building_words", language),
                   words("road_words", language), words("road_numbers", language))

    @property
    def inner(self) -> frozenset[str]:
        return self.connectors | self.generic


def trim(tokens: list[Token], start: int, end: int, words: Words) -> tuple[int, int]:
    """Drop a leading article and trailing possessive or punctuation: "North Korea's" -> "North Korea"."""
    while start < end and (tokens[start].lower_ == "the" or tokens[start].is_punct):
        start += 1
    while end > start and (tokens[end - 1].text in words.possessives
                           or (tokens[end - 1].is_punct and tokens[end - 1].text != ".")):
        end -= 1
    # A sentence-final abbreviation keeps its dot ("U.S."), a sentence-final name loses it.
    while end > start and tokens[end - 1].text == ".":
        end -= 1
    return start, end


def _capitalised(token: Token) -> bool:
    return token.is_title or (token.is_upper and len(token.text) > 1) or token.text[:1].isupper()


def candidate_spans(tokens: list[Token], words: Words) -> dict[tuple[int, int], str]:
    """Every capitalised run of up to MAX_WORDS tokens that could be a name, with its folded key.

    Token attributes are read once into lists: each `doc[i]` builds a new Token object.
    """
    texts = [t.text for t in tokens]
    spaced = [t.text_with_ws for t in tokens]
    capital = [_capitalised(t) for t in tokens]
    lower = [t.lower_ for t in tokens]
    punct = [t.is_punct for t in tokens]
    starts = [t.is_sent_start for t in tokens]
    inner, generic = words.inner | words.possessives, words.generic  # "Land's End", "Martha's Vineyard"
    spans: dict[tuple[int, int], str] = {}
    for i, token in enumerate(tokens):
        if not capital[i] or punct[i] or token.like_num:
            continue
        for j in range(i + 1, min(i + MAX_WORDS, len(tokens)) + 1):
            last = j - 1
            if last > i and (starts[last] or (punct[last] and texts[last] not in INNER_MARKS)
                             or (not capital[last] and lower[last] not in inner and texts[last] not in INNER_MARKS)):
                break  # names do not run across sentences, punctuation or lowercase words
            if capital[last] or lower[last] in generic:
                spans[(i, j)] = fold("".join(spaced[i:j]).strip())
    return spans


def title_case_lines(tokens: list[Token]) -> bytearray:
    """Per token, whether its line writes every longer word capitalised, as headlines do ("Governor
    Petrov Tours Sochi"): the NER reads such a line's names as people, and the people it finds there
    are no reason to doubt the same words elsewhere."""
    flags, line, lower = bytearray(len(tokens)), [], False
    for i, token in enumerate(tokens):
        line.append(i)
        lower |= token.is_alpha and len(token.text) > 3 and not token.text[:1].isupper()
        if "\n" in token.text_with_ws or i == len(tokens) - 1:
            for j in line:
                flags[j] = not lower
            line, lower = [], False
    return flags


def office_starts(tokens: list[Token], ents: list[Span], labels: Labels, words: Words) -> set[int]:
    """The first word (after "the") of each organisation the NER finds whose later words name a
    public office ("the Abuja Chamber of Commerce", "Cauvery Water Regulation Committee", "Port of
    Rotterdam"): such an office is named for its place, so a known name leading it is that place.
    "Bank of America" and "Real Madrid" hold no office word and are left alone."""
    starts = set()
    for ent in ents:
        start = ent.start + (tokens[ent.start].lower_ == "the")
        if ent.label_ in labels.organisation and any(t.lower_ in words.offices for t in tokens[start + 1:ent.end]):
            starts.add(start)
    return starts


def by_start(proposals: dict[tuple[int, int], str]) -> dict[int, list[tuple[int, str]]]:
    """The proposals' (end, key) by start token, each list in the proposals' own order."""
    starting: dict[int, list[tuple[int, str]]] = {}
    for (start, end), key in proposals.items():
        starting.setdefault(start, []).append((end, key))
    return starting


@dataclass(slots=True)
class Context:
    """One text as the rules see it; every field is computed once, before the first rule runs."""

    doc: Doc
    tokens: list[Token]
    """`doc` as a list: indexing a list is cheap, `doc[i]` builds a Token each time."""
    ents: list[Span]
    settings: RecogniserSettings
    labels: Labels
    words: Words
    gazetteer: Gazetteer
    proposals: dict[tuple[int, int], str]
    """Capitalised runs of up to MAX_WORDS words, with their folded names."""
    by_length: list[tuple[tuple[int, int], str]]
    """The proposals longest first, then in text order: the order the gazetteer rules try them."""
    starting: dict[int, list[tuple[int, str]]]
    known: dict[str, Fame]
    """Fame of the proposals and adjectives the gazetteer knows (one query)."""
    demonyms: set[str]
    entity_at: dict[int, Span]
    lowercase_words: set[str]
    person_words: set[str]
    """Words of the people the text names in full ("Narendra Modi"): alone, "Modi" is the person."""
    headline: bytearray
    """Per token, whether its line is in Title Case (`title_case_lines`)."""
    office_starts: set[int]
    """Where an organisation named for a place begins (`office_starts`)."""
    _trust: dict[str, tuple[Trust, bool]] = field(default_factory=dict)

    @classmethod
    def of(cls, doc: Doc, gazetteer: Gazetteer, settings: RecogniserSettings) -> Context:
        ents, tokens = list(doc.ents), list(doc)
        labels, words = settings.labels, Words.of(settings.language)
        proposals = candidate_spans(tokens, words)
        adjectives = {fold(doc[slice(*trim(tokens, e.start, e.end, words))].text)
                      for e in ents if e.label_ in labels.adjective}
        known = gazetteer.known(set(proposals.values()) | adjectives)
        headline = title_case_lines(tokens)
        return cls(
            doc, tokens, ents, settings, labels, words, gazetteer, proposals,
            sorted(proposals.items(), key=lambda kv: (kv[0][0] - kv[0][1], kv[0][0])),
            by_start(proposals), known, {k for k, fame in known.items() if fame.demonym},
            {i: ent for ent in ents for i in range(ent.start, ent.end)},
            {t.text for t in tokens if t.is_lower},
            {t.lower_ for e in ents if e.label_ in labels.person and len(e) > 1 and not headline[e.start] for t in e},
            headline, office_starts(tokens, ents, labels, words),
        )

    def fame(self, key: str) -> Fame:
        return self.known.get(key, UNKNOWN)

    def trimmed(self, start: int, end: int) -> bool:
        """Whether the span has no article, possessive or punctuation at its edges."""
        return trim(self.tokens, start, end, self.words) == (start, end)

    def personal(self, start: int, end: int, key: str) -> bool:
        """A single word of a person the text names in full outside a headline ("Modi" after "Narendra
        Modi"), and no prominent place; a cue word does not make it one ("according to Davis")."""
        return (end - start == 1 and self.tokens[start].lower_ in self.person_words
                and self.fame(key).rank < Rank.AREA)

    def adjective(self, key: str) -> bool:
        """A country's adjective that names no prominent place ("Canadian", not "Georgia")."""
        return key in self.demonyms and self.fame(key).rank < Rank.AREA

    def trust(self, key: str) -> tuple[Trust, bool]:
        """The strongest `Kind.trust` among the name's readings, and whether no other reading makes
        it prominent (no area, no town of `min_population`, no user entry): "Danube", "Amazon" yes,
        "Jordan" (a country) and "Winnipeg" (a city) no. Asked of few names, once per name."""
        if key not in self._trust:
            order = list(Trust)
            best, other = Trust.NER, False
            for c in self.gazetteer.candidates(key):
                kind = KINDS[c.place.feature]
                best = max(best, kind.trust, key=order.index)
                other |= kind.trust is Trust.NER and (c.user or kind.rank >= Rank.AREA or (
                    c.exact and c.place.population >= self.settings.min_population))
            self._trust[key] = best, best is not Trust.NER and not other
        return self._trust[key]

    def needs_sign(self, key: str) -> bool:
        """A name prominent only as a river, lake or range (`Trust.SIGN`): not taken for its
        prominence alone, only where the text points at the feature (`evident_features`)."""
        trust, only = self.trust(key)
        return only and trust is Trust.SIGN

    def town_in(self, key: str, countries: frozenset[str]) -> int:
        """The population of the largest town or district in one of `countries` whose own name
        this is (0 if none). Alternate names do not count: with them, "Inland", "Riding" and
        "Dixie" were towns of the text's country (precision measured in ARCHITECTURE.md)."""
        if not countries:
            return 0
        return max((c.place.population for c in self.gazetteer.candidates(key) if c.exact
                    and KINDS[c.place.feature].rank == Rank.LOCAL and c.place.country in countries), default=0)

    def town_near(self, key: str, home: Place) -> int:
        """The population of the largest town or district within `home_km` of `home` whose own name
        this is (0 if none)."""
        return max((c.place.population for c in self.gazetteer.candidates(key) if c.exact
                    and KINDS[c.place.feature].rank == Rank.LOCAL and distance_km(
                        c.place.lat, c.place.lon, home.lat, home.lon) <= self.settings.home_km), default=0)

    def acronym(self, start: int, end: int, key: str) -> bool:
        """A word in capitals amid ordinary words ("of NATO", "Venezuela, TASS says") that names no
        prominent place: an organisation's acronym, not a village that happens to spell it ("Nato"
        in the Philippines, "Apc" in Hungary). A capital word after another (a dateline's "CAMP
        MURRAY", "ST. LOUIS") or opening its line or sentence is not one."""
        word = self.tokens[start]
        if end - start != 1 or not (word.is_upper and len(word.text) > 1) or word.is_sent_start:
            return False
        fame = self.fame(key)
        if fame.rank >= Rank.AREA or fame.population >= self.settings.min_population:
            return False
        for previous in reversed(self.tokens[max(0, start - 3):start]):
            if previous.is_space or "\n" in previous.text_with_ws:
                return False
            if not previous.is_punct:
                return previous.is_alpha and not previous.is_upper
        return False

    def cued(self, start: int) -> bool:
        """A cue word before the name ("in Pskov"), or an office after it ("Huntsville Fire
        Department"): either announces a place."""
        return start in self.office_starts or (start > 0 and self.tokens[start - 1].lower_ in self.words.cues)

    def entities(self, start: int, end: int) -> set[Span]:
        return {self.entity_at[i] for i in range(start, end) if i in self.entity_at}

    def labels_of(self, start: int, end: int) -> set[str]:
        return {e.label_ for e in self.entities(start, end)}


class Taken:
    """The spans taken so far, indexed so that an overlap or a neighbour costs a span's length to
    find, not the number of spans: a long text has tens of thousands of them."""

    def __init__(self, n_tokens: int):
        self.occupied = bytearray(n_tokens)
        self.starts: set[int] = set()
        self.ends: set[int] = set()

    def add(self, start: int, end: int) -> bool:
        """Take [start, end) unless it is empty or overlaps a span already taken."""
        if start >= end or self.occupied.find(1, start, end) >= 0:
            return False
        self.occupied[start:end] = b"\x01" * (end - start)
        self.starts.add(start)
        self.ends.add(end)
        return True


class Found:
    """What the rules have taken. `take` is the one step that settles overlaps: the first rule
    (and within a rule, the first span) to take a token keeps it."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.taken = Taken(len(doc))
        self.mentions: list[Mention] = []
        self.rule, self.source = "", ""
        self.feature_sign = self.road = False

    def take(self, start: int, end: int, kind: MentionKind, key: str) -> bool:
        """Take the span as a mention made by the running rule, unless it overlaps one taken before."""
        if not self.taken.add(start, end):
            return False
        span = self.doc[start:end]
        self.mentions.append(Mention(span.start_char, span.end_char, span.text, kind, key,
                                     source=self.source, rule=self.rule, feature_sign=self.feature_sign,
                                     road=self.road))
        return True
