"""Find the spans of a text that name places: spaCy's NER plus the gazetteer's names.

The small English model misses and mislabels places ("Kursk Oblast" as ORG,
"Kursk" as PRODUCT), so every capitalised run of words is also looked up in the
gazetteer and kept when the name is prominent or the context says "place".
Registered as the spaCy component ``geomap_recogniser``; results land on
``doc._.geo_mentions``.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from geomap.gazetteer.names import fold
from geomap.gazetteer.store import FEATURE_RANK, UNKNOWN, Fame, Gazetteer
import geomap.schema  # noqa: F401  (Docs carrying these values serialise)
from geomap.component import GazetteerComponent
from geomap.model import Feature, Mention, MentionKind

PLACE_LABELS = {"GPE", "LOC", "FAC"}
ADJECTIVE_LABELS = {"NORP"}
PERSON_LABELS = {"PERSON"}

CONNECTORS = {"of", "de", "del", "la", "le", "du", "des", "da", "do", "dos", "das", "el", "al", "am", "an",
              "upon", "on", "and", "-", "y", "sur", "en", "the"}
"""Lowercase words that may stand inside a place name ("Stratford-upon-Avon", "Isle of Man")."""

GENERIC_WORDS = {"region", "province", "oblast", "state", "county", "district", "governorate", "prefecture",
                 "krai", "river", "sea", "ocean", "lake", "mountains", "island", "islands", "valley", "desert",
                 "bay", "gulf", "peninsula", "city", "strait", "coast", "basin", "republic"}
"""Lowercase words that may end a place name ("Kursk region", "Mississippi river")."""

CUE_WORDS = {"in", "near", "from", "at", "to", "outside", "across", "around", "towards", "toward", "into",
             "throughout", "via", "between", "inside", "of", "visited", "visit", "north", "south",
             "east", "west", "northern", "southern", "eastern", "western", "central"}
"""Words that announce a place: "in Pskov", "north of Lyon"."""

COMMON_WORDS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central", "centre",
    "center", "capital", "metro", "city", "state", "county", "coast", "valley", "island", "islands",
}
"""Capitalised words that are gazetteer names somewhere but far more often mean something else."""

TRAILING = {"'s", "'", "’s", "’"}
MAX_WORDS = 6
JOINS = {",", "and", "or", "&"}
"""Words between the names of a list ("Žilina, Nitra, Prešov and Košice")."""
INNER_WORDS = CONNECTORS | GENERIC_WORDS


@dataclass(frozen=True, slots=True)
class RecogniserSettings:
    """When a name the NER did not call a place is still taken as one."""

    min_population: int = 100_000
    """A town this large is taken wherever its name is capitalised."""
    cued_population: int = 1_000
    """A town this large is taken after a cue word ("in", "near" …)."""


def _trim(tokens: list[Token], start: int, end: int) -> tuple[int, int]:
    """Drop a leading article and trailing possessive or punctuation: "North Korea's" -> "North Korea"."""
    while start < end and (tokens[start].lower_ == "the" or tokens[start].is_punct):
        start += 1
    while end > start and (tokens[end - 1].text in TRAILING
                           or (tokens[end - 1].is_punct and tokens[end - 1].text != ".")):
        end -= 1
    # A sentence-final abbreviation keeps its dot ("U.S."), a sentence-final name loses it.
    while end > start and tokens[end - 1].text == ".":
        end -= 1
    return start, end


def _capitalised(token) -> bool:
    return token.is_title or (token.is_upper and len(token.text) > 1) or token.text[:1].isupper()


def _candidate_spans(tokens: list[Token]) -> dict[tuple[int, int], str]:
    """Every capitalised run of up to MAX_WORDS tokens that could be a name, with its folded key.

    Token attributes are read once into lists: each `doc[i]` builds a new Token object.
    """
    texts = [t.text for t in tokens]
    spaced = [t.text_with_ws for t in tokens]
    capital = [_capitalised(t) for t in tokens]
    lower = [t.lower_ for t in tokens]
    punct = [t.is_punct for t in tokens]
    starts = [t.is_sent_start for t in tokens]
    spans: dict[tuple[int, int], str] = {}
    for i, token in enumerate(tokens):
        if not capital[i] or punct[i] or token.like_num:
            continue
        for j in range(i + 1, min(i + MAX_WORDS, len(tokens)) + 1):
            last = j - 1
            if last > i:
                if starts[last]:
                    break  # names do not run across sentences
                if punct[last] and texts[last] not in {"-", "."}:
                    break
                if not capital[last] and lower[last] not in INNER_WORDS:
                    break
            if capital[last] or lower[last] in GENERIC_WORDS:
                spans[(i, j)] = fold("".join(spaced[i:j]).strip())
    return spans


def _by_start(proposals: dict[tuple[int, int], str]) -> dict[int, list[tuple[int, str]]]:
    """The proposals' (end, key) by start token, each list in the proposals' own order."""
    starting: dict[int, list[tuple[int, str]]] = {}
    for (start, end), key in proposals.items():
        starting.setdefault(start, []).append((end, key))
    return starting


class _Taken:
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


class Recogniser(GazetteerComponent):
    """Proposes place mentions for a parsed `Doc`."""

    def __init__(self, gazetteer: Gazetteer, settings: RecogniserSettings = RecogniserSettings()):
        self.gazetteer = gazetteer
        self.settings = settings

    def __call__(self, doc: Doc) -> Doc:
        doc._.geo_mentions = self.mentions(doc)
        return doc

    def mentions(self, doc: Doc) -> tuple[Mention, ...]:
        ents = list(doc.ents)
        tokens = list(doc)  # indexing a list is cheap; `doc[i]` builds a Token each time
        proposals = _candidate_spans(tokens)
        adjectives = {fold(doc[slice(*_trim(tokens, e.start, e.end))].text) for e in ents if e.label_ in ADJECTIVE_LABELS}
        keys = set(proposals.values()) | adjectives
        known = self.gazetteer.known(keys)
        demonyms = {k for k, fame in known.items() if fame.demonym}

        starting = _by_start(proposals)
        chosen: list[Mention] = []
        taken = _Taken(len(tokens))
        entity_at = {i: ent for ent in ents for i in range(ent.start, ent.end)}
        lowercase_words = {t.text for t in tokens if t.is_lower}
        # Words of the people the text names in full ("Narendra Modi"): alone, "Modi" is the person.
        person_words = {t.lower_ for e in ents if e.label_ in PERSON_LABELS and len(e) > 1 for t in e}

        def personal(start: int, end: int, key: str) -> bool:
            return (end - start == 1 and tokens[start].lower_ in person_words
                    and known.get(key, UNKNOWN).rank < FEATURE_RANK[Feature.ADMIN1])

        def take(start: int, end: int, kind: MentionKind, lookup: str, source: str) -> bool:
            if not taken.add(start, end):
                return False
            text = doc[start:end]
            chosen.append(Mention(text.start_char, text.end_char, text.text, kind, lookup, source=source))
            return True

        # 1. Place entities, widened to the longest gazetteer name that covers them.
        for ent in ents:
            if ent.label_ not in PLACE_LABELS:
                continue
            for start, end in self._split(tokens, ent):
                if end - start == 1 and tokens[start].lower_ in COMMON_WORDS:
                    continue
                best = self._widest(starting, known, start, end)
                s, e = best or (start, end)
                key = proposals.get((s, e)) or fold(doc[s:e].text)
                if personal(s, e, key):
                    continue
                if key in demonyms and known.get(key, UNKNOWN).rank < FEATURE_RANK[Feature.ADMIN1]:
                    take(s, e, MentionKind.DEMONYM, key, "ner")  # "Canadian" tagged GPE
                else:
                    take(s, e, MentionKind.TOPONYM, key, "ner")

        # 2. Demonyms used as adjectives ("Ukrainian", "North Korean"); plural nouns for people
        #    ("Americans") name people, not places, and are left out.
        for ent in ents:
            if ent.label_ not in ADJECTIVE_LABELS:
                continue
            s, e = _trim(tokens, ent.start, ent.end)
            key = fold(doc[s:e].text)
            if key in demonyms:
                take(s, e, MentionKind.DEMONYM, key, "ner")

        # 3. Gazetteer names the NER labelled otherwise or not at all, longest first.
        by_length = sorted(proposals.items(), key=lambda kv: (kv[0][0] - kv[0][1], kv[0][0]))
        for (start, end), key in by_length:
            s, e = _trim(tokens, start, end)
            if (s, e) != (start, end):
                continue
            if key in demonyms and known.get(key, UNKNOWN).rank < FEATURE_RANK[Feature.ADMIN1]:
                if self._plausible_demonym(doc, start, end, entity_at):
                    take(start, end, MentionKind.DEMONYM, key, "gazetteer")
                continue
            if key in known and not personal(start, end, key) and self._plausible(
                doc, start, end, known[key], entity_at, lowercase_words
            ):
                take(start, end, MentionKind.TOPONYM, key, "gazetteer")

        # 4. One sense per text: a name taken as a place once is a place wherever it is capitalised,
        #    but an acronym ("NATO", "BA") keeps the organisation reading the model gives it.
        placed = {m.lookup for m in chosen if m.kind == MentionKind.TOPONYM and m.lookup in known}
        for (start, end), key in by_length:
            labels = {entity_at[i].label_ for i in range(start, end) if i in entity_at}
            acronym = doc[start:end].text.isupper() and "ORG" in labels
            if (key in placed and _trim(tokens, start, end) == (start, end) and not personal(start, end, key)
                    and not labels & PERSON_LABELS and not acronym):
                take(start, end, MentionKind.TOPONYM, key, "gazetteer")

        # 5. Datelines ("PLEASANTON, Calif. --", "WINNIPEG —") and lists ("Žilina, Nitra, Prešov
        #    and Košice"): a known name there is a place whatever the model called it.
        def fits(start: int, end: int, key: str) -> bool:
            rank, population, _ = known[key]
            return not personal(start, end, key) and (
                rank >= FEATURE_RANK[Feature.ADMIN1] or population >= self.settings.cued_population)

        for (start, end), key in by_length:
            if key in known and _trim(tokens, start, end) == (start, end) and self._dateline(doc, start, end):
                take(start, end, MentionKind.TOPONYM, key, "gazetteer")
        listable = [(span, key) for span, key in by_length
                    if key in known and _trim(tokens, *span) == span and fits(*span, key)]
        self._grow_lists(tokens, listable, taken, take)

        chosen.sort(key=lambda m: m.start)
        return tuple(self._qualify(doc.text, chosen))

    @staticmethod
    def _dateline(doc: Doc, start: int, end: int) -> bool:
        """An upper-case name opening a line and followed by a comma or a dash."""
        span = doc[start:end]
        opens_line = start == 0 or "\n" in doc[start - 1].text_with_ws or doc[start - 1].is_space
        followed = end < len(doc) and doc[end].text[:1] in {",", "—", "–", "-", "("}
        return opens_line and followed and span.text.isupper() and len(span.text) > 3

    @staticmethod
    def _listed_with(tokens: list[Token], start: int, end: int, taken: _Taken) -> bool:
        """Whether the span stands in a list ("A, B and C") next to a span already taken as a place."""
        left = start >= 2 and tokens[start - 1].lower_ in JOINS and start - 1 in taken.ends
        right = end + 1 < len(tokens) and tokens[end].lower_ in JOINS and end + 1 in taken.starts
        return left or right

    def _grow_lists(self, tokens: list[Token], listable: list[tuple[tuple[int, int], str]], taken: _Taken,
                    take: Callable[[int, int, MentionKind, str, str], bool]) -> None:
        """Names listed beside a place ("Žilina, Nitra, Prešov and Košice") are places, and so are
        names listed beside those, until no more are added.

        Names are taken in the order that sweeping `listable` again and again would take them
        (that order settles which of two overlapping names wins), but a name is looked at again
        only when a name one join away has just been taken, and a take has at most 2 × MAX_WORDS
        such neighbours: linear in the names, where repeated sweeps are quadratic in a list's length.
        """
        order = {span: i for i, (span, _) in enumerate(listable)}
        starting_at: dict[int, list[int]] = defaultdict(list)
        ending_at: dict[int, list[int]] = defaultdict(list)
        for (start, end), i in order.items():
            starting_at[start].append(i)
            ending_at[end].append(i)
        # (sweep, position): the sweep in which the name would be visited next, once it is listed.
        visits = [(0, i) for i, (span, _) in enumerate(listable) if self._listed_with(tokens, *span, taken)]
        while visits:
            sweep, i = heapq.heappop(visits)
            (start, end), key = listable[i]
            if not take(start, end, MentionKind.TOPONYM, key, "gazetteer"):
                continue
            beside = []
            if end < len(tokens) and tokens[end].lower_ in JOINS:
                beside += starting_at.get(end + 1, [])
            if start >= 1 and tokens[start - 1].lower_ in JOINS:
                beside += ending_at.get(start - 1, [])
            for j in beside:
                heapq.heappush(visits, (sweep if j > i else sweep + 1, j))

    @staticmethod
    def _split(tokens: list[Token], ent: Span) -> list[tuple[int, int]]:
        """An entity like "Paris, Texas" is two places; each part is trimmed."""
        parts, start = [], ent.start
        for i in range(ent.start, ent.end + 1):
            if i == ent.end or tokens[i].text == ",":
                s, e = _trim(tokens, start, i)
                if s < e:
                    parts.append((s, e))
                start = i + 1
        return parts

    @staticmethod
    def _widest(starting: dict[int, list[tuple[int, str]]], known: dict[str, Fame], start: int,
                end: int) -> tuple[int, int] | None:
        """The longest known name that contains [start, end) and starts there or earlier (the first
        such in text order on a tie); proposals are at most MAX_WORDS long, so few can."""
        best = None
        for s in range(max(0, end - MAX_WORDS), start + 1):
            for e, key in starting.get(s, ()):
                if e >= end and key in known and known[key].rank >= 0:
                    if best is None or (e - s) > (best[1] - best[0]):
                        best = (s, e)
        return best

    def _cued(self, doc: Doc, start: int) -> bool:
        return start > 0 and doc[start - 1].lower_ in CUE_WORDS

    def _plausible(self, doc: Doc, start: int, end: int, fame: Fame, entity_at,
                   lowercase_words: set[str]) -> bool:
        """Whether a gazetteer name that the NER did not call a place should be taken as one."""
        rank, population, _ = fame
        if rank < 0:
            return False
        span = doc[start:end]
        ents = {entity_at[i] for i in range(start, end) if i in entity_at}
        labels = {e.label_ for e in ents}
        cued = self._cued(doc, start)
        letters = [ch for ch in span.text if ch.isalpha()]
        if len(letters) <= 4 and span.text.replace(".", "").isupper() and rank >= FEATURE_RANK[Feature.CONTINENT]:
            return True  # "US", "U.K.", "EU", "UAE", also inside "US Special Forces"
        if labels & PERSON_LABELS and not cued:
            whole = any(e.start == start and e.end == end for e in ents)
            # A region's own two-word name read as a person ("Tamil Nadu said") is still the region,
            # and so is a large city the model takes for a person ("Abuja", "Košice").
            if not whole or not (end - start > 1 and rank >= FEATURE_RANK[Feature.ADMIN1]
                                 or population >= self.settings.min_population):
                return False
        if len(letters) <= 3 and not (span.text.isupper() and cued):
            # Other short names are abbreviations ("Dr.", "PM", "ACT"); only a cue makes one a place.
            return False
        if end - start == 1:
            word = span[0]
            if word.lower_ in COMMON_WORDS or word.lower_ in lowercase_words or (word.is_stop and not cued):
                return False
            if word.is_sent_start and rank < FEATURE_RANK[Feature.ADMIN1] and not cued:
                return False
        inside = any(e.start < start or e.end > end for e in ents)
        if inside and rank < FEATURE_RANK[Feature.COUNTRY] and population < self.settings.min_population:
            # Part of a longer name ("ICARO Media Group"): only a country or a large town stands out.
            return False
        if rank >= FEATURE_RANK[Feature.ADMIN1]:
            return True
        if population >= self.settings.min_population:
            return True
        return cued and population >= self.settings.cued_population

    @staticmethod
    def _plausible_demonym(doc: Doc, start: int, end: int, entity_at) -> bool:
        """An adjective of a country, unless it is part of a person's name; "Slovak architect" is
        adjectival even when the model calls "Slovak" a person."""
        labels = {entity_at[i].label_ for i in range(start, end) if i in entity_at}
        adjectival = end < len(doc) and doc[end].is_lower and doc[end].is_alpha and not doc[end].is_stop
        return adjectival or not labels & PERSON_LABELS

    @staticmethod
    def _qualify(text: str, mentions: list[Mention]) -> list[Mention]:
        """"Paris, Texas": the second name qualifies the first."""
        out = []
        for i, m in enumerate(mentions):
            nxt = mentions[i + 1] if i + 1 < len(mentions) else None
            if nxt and nxt.kind == MentionKind.TOPONYM and text[m.end : nxt.start].strip() == ",":
                m = Mention(m.start, m.end, m.text, m.kind, m.lookup, nxt.lookup, m.source)
            out.append(m)
        return out


if not Doc.has_extension("geo_mentions"):
    Doc.set_extension("geo_mentions", default=())


@Language.factory(
    "geomap_recogniser",
    assigns=["doc._.geo_mentions"],
    requires=["doc.ents"],
    default_config={"gazetteer_path": None, **asdict(RecogniserSettings())},
)
def make_recogniser(nlp: Language, name: str, gazetteer_path: str | None, min_population: int,
                    cued_population: int) -> Recogniser:
    """spaCy's factory (entry point `geomap_recogniser`): the config carries `RecogniserSettings`;
    no gazetteer path means the default gazetteer."""
    from geomap.gazetteer.store import shared_gazetteer

    return Recogniser(shared_gazetteer(gazetteer_path), RecogniserSettings(min_population, cued_population))
