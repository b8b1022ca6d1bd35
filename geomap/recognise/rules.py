"""The recogniser's rules, in the order they run. Each is a small function over the text's
`Context` that offers spans to `Found.take`; the first rule to take a token keeps it, so the
order is the policy: what the NER calls a place first, then known names, then the rules that
only extend what is already taken (one sense per text, datelines, list_).
"""

from __future__ import annotations

import re

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import NamedTuple

from spacy.tokens import Span

from geomap.errors import InputError
from geomap.gazetteer.names import fold
from geomap.gazetteer.store import Fame
from geomap.kinds import KINDS, Rank, Trust
from geomap.model import Mention, MentionKind, Place
from geomap.recognise.context import MAX_WORDS, Context, Found, Taken, Words, trim
from geomap.resolve import focus


class Rule(NamedTuple):
    source: str
    """`Mention.source`: "ner" (the statistical model proposed it) or "gazetteer" (the name matcher)."""
    apply: Callable[[Context, Found], None]
    signs_feature: bool = False
    """Its mentions are names the text points at as a feature ("the Sava"): `Mention.feature_sign`."""
    names_road: bool = False
    """Its mentions are roads (`Mention.road`)."""

    @property
    def name(self) -> str:
        """What `Mention.rule` and `geomap eval --by-rule` call it: its function's name ("list_" is "list")."""
        return self.apply.__name__.rstrip("_")

    @property
    def reason(self) -> str:
        return (self.apply.__doc__ or "").split("\n\n")[0]


# -- roads, by their form -----------------------------------------------------------------------

ROUTE_NUMBER = re.compile(r"\d{1,4}[A-Z]?")
NOT_A_ROUTE = frozenset({"%", "-", "percent", "million", "billion", "trillion", "year", "years", "times"})
"""Words after a number that make it an amount, not a route ("U.S. 10-year notes", "U.S. 30 percent")."""


def road(ctx: Context, found: Found) -> None:
    """A road by its form: a numbered route ("State Highway 24", "U.S. 31", "I-65", "Loop 286") or a
    capitalised name ending in a road's word ("Commercial Street", "Kansas Expressway"), not when a
    capitalised word follows ("Wall Street Journal", "Main Street Bank"). No gazetteer knows roads:
    the resolver places them approximately in their town, never at a place named inside them (a
    road leads to the place it is named for)."""
    tokens = ctx.tokens
    for i, token in enumerate(tokens):  # numbered routes first: "State Highway 24" is not "State Highway"
        if _route_number(ctx, i):
            start = _leading_name(ctx, i if token.text[:2] == "I-" else i - 1)
            found.take(start, i + 1, MentionKind.TOPONYM, fold(ctx.doc[start:i + 1].text))
    for i, token in enumerate(tokens):
        if (i > 0 and token.lower_ in ctx.words.roads and token.is_title and _capitalised_at(ctx, i - 1)
                and not (i + 1 < len(tokens) and (_capitalised_at(ctx, i + 1) or tokens[i + 1].text == "&"))):
            start = _leading_name(ctx, i)
            if start < i:
                found.take(start, i + 1, MentionKind.TOPONYM, fold(ctx.doc[start:i + 1].text))


def _route_number(ctx: Context, i: int) -> bool:
    """A route's number after a route word ("Highway 24"), or an interstate written "I-65"."""
    tokens = ctx.tokens
    text = tokens[i].text
    if text[:2] == "I-" and ROUTE_NUMBER.fullmatch(text[2:]):
        return True
    following = tokens[i + 1].lower_ if i + 1 < len(tokens) else ""
    return (i > 0 and bool(ROUTE_NUMBER.fullmatch(text)) and following not in NOT_A_ROUTE
            and tokens[i - 1].lower_ in ctx.words.road_numbers and tokens[i - 1].text[:1].isupper())


def _capitalised_at(ctx: Context, i: int) -> bool:
    token = ctx.tokens[i]
    return token.text[:1].isupper() and not token.is_punct


def _leading_name(ctx: Context, end: int) -> int:
    """Where the capitalised words before token `end` start ("West Main", "State", "Farm-to-Market"),
    without a leading stop word or a sentence's first word that is one ("On Main Street")."""
    start = end
    while start > 0 and (_capitalised_at(ctx, start - 1) or ctx.tokens[start - 1].text in {"-", "to"}) \
            and not ctx.tokens[start].is_sent_start and "\n" not in ctx.tokens[start - 1].text_with_ws:
        start -= 1
    while start < end and (ctx.tokens[start].is_stop or ctx.tokens[start].text in {"-", "to"}):
        start += 1
    return start


# -- the NER's own places and adjectives -------------------------------------------------------

def ner_place(ctx: Context, found: Found) -> None:
    """The NER's place entities, split at commas, trimmed, widened to the longest known name that
    covers them ("Kursk" -> "Kursk region"); a country's adjective tagged as a place ("Canadian")
    is a demonym."""
    for ent in ctx.ents:
        if ent.label_ not in ctx.labels.place:
            continue
        for start, end in split(ctx, ent):
            if (end - start == 1 and ctx.tokens[start].lower_ in ctx.words.common) or uncapitalised(ctx, start, end):
                continue
            s, e = widest(ctx.starting, ctx.known, start, end) or (start, end)
            key = ctx.proposals.get((s, e)) or fold(ctx.doc[s:e].text)
            if not ctx.personal(s, e, key) and not ctx.acronym(s, e, key) and not unknown_word(ctx, s, e, key):
                found.take(s, e, MentionKind.DEMONYM if ctx.adjective(key) else MentionKind.TOPONYM, key)


def unknown_word(ctx: Context, start: int, end: int, key: str) -> bool:
    """A single word no gazetteer knows and no cue word announces ("Dropbox", "Wavepiston",
    "Banksy"): the NER's place label alone is more often a company, a person or a product; "in
    Khayelitsha" keeps it."""
    return end - start == 1 and key not in ctx.known and not ctx.cued(start)


def uncapitalised(ctx: Context, start: int, end: int) -> bool:
    """No word of the span starts with a capital: a name has one, a clitic the NER tags ("n’t" of
    "haven’t") has none."""
    return not any(t.text[:1].isupper() for t in ctx.tokens[start:end])


def ner_demonym(ctx: Context, found: Found) -> None:
    """Adjectives of countries the NER found ("Ukrainian", "North Korean"); plural nouns for
    people ("Americans") name people, not places, and are no demonyms in the gazetteer."""
    for ent in ctx.ents:
        if ent.label_ in ctx.labels.adjective:
            s, e = trim(ctx.tokens, ent.start, ent.end, ctx.words)
            key = fold(ctx.doc[s:e].text)
            if key in ctx.demonyms:
                found.take(s, e, MentionKind.DEMONYM, key)


def ner_building(ctx: Context, found: Found) -> None:
    """An organisation the NER finds whose name ends in a building's word ("Barclays Center",
    "Northwestern Memorial Hospital", "Royal Street") is also the building, a place; the resolver
    places it where its qualifier, a name inside it or the town named before it is."""
    for ent in ctx.ents:
        if ent.label_ in ctx.labels.organisation and ent.end - ent.start > 1:
            s, e = trim(ctx.tokens, ent.start, ent.end, ctx.words)
            if e - s > 1 and ctx.tokens[e - 1].lower_ in ctx.words.buildings and not uncapitalised(ctx, s, e):
                found.take(s, e, MentionKind.TOPONYM, fold(ctx.doc[s:e].text))


def split(ctx: Context, ent: Span) -> list[tuple[int, int]]:
    """An entity like "Paris, Texas" is two places; each part is trimmed."""
    parts, start = [], ent.start
    for i in range(ent.start, ent.end + 1):
        if i == ent.end or ctx.tokens[i].text == ",":
            s, e = trim(ctx.tokens, start, i, ctx.words)
            if s < e:
                parts.append((s, e))
            start = i + 1
    return parts


def widest(starting: dict[int, list[tuple[int, str]]], known: dict[str, Fame], start: int,
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


# -- names the gazetteer knows ------------------------------------------------------------------

def known_name(ctx: Context, found: Found) -> None:
    """Gazetteer names the NER labelled otherwise or not at all, longest first: taken when the
    name is prominent or announced by a cue word, and not when the text reads it otherwise; a name
    prominent only as a river, lake or range needs the cue ("in Maui")."""
    for (start, end), key in ctx.by_length:
        if not ctx.trimmed(start, end):
            continue
        if ctx.adjective(key):
            if plausible_demonym(ctx, start, end):
                found.take(start, end, MentionKind.DEMONYM, key)
        elif (key in ctx.known and not ctx.personal(start, end, key)
              and not (ctx.needs_sign(key) and not ctx.cued(start)) and plausible(ctx, start, end, ctx.known[key])):
            found.take(start, end, MentionKind.TOPONYM, key)


def plausible(ctx: Context, start: int, end: int, fame: Fame, vouched: bool = False) -> bool:
    """Whether a gazetteer name that the NER did not call a place should be taken as one; `vouched`:
    the text's own countries hold a town of that name (`home_town`), which, like a cue word, makes
    a town of `cued_population` enough and a sentence's first word no reason to doubt it."""
    rank, population, _ = fame
    if rank < 0:
        return False
    text = ctx.doc[start:end].text
    letters = sum(ch.isalpha() for ch in text)
    if letters <= 4 and text.replace(".", "").isupper() and rank >= Rank.MAJOR:
        return True  # "US", "U.K.", "EU", "UAE", also inside "US Special Forces"
    cued = ctx.cued(start)
    if (read_as_person(ctx, start, end, fame, cued) or (letters <= 3 and not (text.isupper() and cued))
            or ctx.acronym(start, end, ctx.proposals[(start, end)])
            or common_word(ctx, start, end, rank, cued or vouched) or inside_longer_name(ctx, start, end, fame)):
        # Other short names are abbreviations ("Dr.", "PM", "ACT"); only a cue makes one a place.
        return False
    settings = ctx.settings
    return rank >= Rank.AREA or population >= settings.min_population or (
        (cued or vouched) and population >= settings.cued_population)


def read_as_person(ctx: Context, start: int, end: int, fame: Fame, cued: bool) -> bool:
    """The NER calls the name (part of) a person and no cue says otherwise. A region's own two-word
    name read as a person ("Tamil Nadu said") is still the region, and so is a large city the
    model takes for a person ("Abuja", "Košice"), also inside a Title Case headline's "person"
    ("Floodwaters Reach Budapest")."""
    ents = ctx.entities(start, end)
    if cued or not any(e.label_ in ctx.labels.person for e in ents):
        return False
    whole = ctx.headline[start] or any(e.start == start and e.end == end for e in ents)
    return not whole or not (end - start > 1 and fame.rank >= Rank.AREA
                             or fame.population >= ctx.settings.min_population)


def common_word(ctx: Context, start: int, end: int, rank: int, cued: bool) -> bool:
    """A single word that usually means something else: a month or direction, a word the text
    also writes in lowercase, a stop word without a cue, or a minor name opening a sentence."""
    if end - start != 1:
        return False
    if ordinary_word(ctx, start, end, cued):
        return True
    return bool(ctx.tokens[start].is_sent_start) and rank < Rank.AREA and not cued


def inside_longer_name(ctx: Context, start: int, end: int, fame: Fame) -> bool:
    """Part of a longer entity ("ICARO Media Group"): only a country or a large town stands out,
    or a name leading an office named for it ("Cavan County Council")."""
    inside = start not in ctx.office_starts and any(e.start < start or e.end > end for e in ctx.entities(start, end))
    return inside and fame.rank < Rank.COUNTRY and fame.population < ctx.settings.min_population


def plausible_demonym(ctx: Context, start: int, end: int) -> bool:
    """An adjective of a country or region before the word it qualifies ("Malawian officials",
    "English Premier League"), unless it is part of a person's name; "Slovak architect" is
    adjectival even when the model calls "Slovak" a person. Without a word to qualify, the NER's
    untagged adjective is mostly a language or a people ("taught English", "in Catalan", "English is")."""
    following = ctx.tokens[end] if end < len(ctx.tokens) else None
    if following is None or not following.is_alpha or following.is_stop:
        return False
    return following.is_lower or not ctx.labels_of(start, end) & set(ctx.labels.person)


def evident_feature(ctx: Context, found: Found) -> None:
    """A known river, lake or range is the place when the text points at it ("the Danube", "Sava
    river"), a territory always (`Kind.trust`), even where the NER calls it a person or an
    organisation; a name prominent only as such a feature ("Danube", "Amazon", "White") is not
    taken without that sign. Not when a longer known name covers it ("the Mississippi State
    campus"), the NER's entity is longer ("Sava Kovačević", "Amazon Web Services") or the word
    belongs to a person the text names in full."""
    for (start, end), key in ctx.by_length:
        if (key in ctx.known and ctx.trimmed(start, end) and not ctx.adjective(key)
                and widest(ctx.starting, ctx.known, start, end) == (start, end)
                and unlabelled_or_named_otherwise(ctx, start, end) and trusted_here(ctx, start, end, key)
                and not (end - start == 1 and ctx.tokens[start].lower_ in ctx.person_words)):
            found.take(start, end, MentionKind.TOPONYM, key)


def trusted_here(ctx: Context, start: int, end: int, key: str) -> bool:
    trust, _ = ctx.trust(key)
    return trust is Trust.ALWAYS or (trust is Trust.SIGN and feature_cued(ctx, start, end))


def unlabelled_or_named_otherwise(ctx: Context, start: int, end: int) -> bool:
    """No entity of the NER's touches the span, or one calls exactly this span a person or an
    organisation (a place entity is `place_entities`' to take)."""
    ents = ctx.entities(start, end)
    if not ents:
        return True
    (ent,) = ents if len(ents) == 1 else (None,)
    return (ent is not None and ent.start == start and ent.end == end
            and ent.label_ in {*ctx.labels.person, *ctx.labels.organisation})


def feature_cued(ctx: Context, start: int, end: int) -> bool:
    """An article before the name ("the Danube") or a feature's word after it ("Sava river"), or a
    name of several words that says what it is ("Lake Victoria", "Paraguay River"): people and
    companies are seldom written so, and a region seldom takes the article."""
    words = ctx.words
    before = ctx.tokens[start - 1].lower_ if start > 0 else ""
    after = ctx.tokens[end].lower_ if end < len(ctx.tokens) else ""
    own = end - start > 1 and (ctx.tokens[start].lower_ in words.feature_heads or ctx.tokens[end - 1].lower_ in words.feature_after)
    return before in words.feature_before or after in words.feature_after or own


def home_town(ctx: Context, found: Found) -> None:
    """A town of `cued_population` in a country the text already names (by name, region or
    adjective) is a place without a cue word: "Water reached Mymensingh on Monday" in a story about
    Bangladesh. The checks of `known_name` apply; a namesake abroad vouches for nothing."""
    countries = named_countries(ctx, found)
    for (start, end), key in ctx.by_length:
        if (key in ctx.known and ctx.trimmed(start, end) and not ctx.adjective(key)
                and not ctx.entities(start, end) and stands_alone(ctx, start, end)
                and not ctx.personal(start, end, key) and not ctx.needs_sign(key)
                and plausible(ctx, start, end, ctx.known[key]._replace(population=ctx.town_in(key, countries)),
                              vouched=True)):
            found.take(start, end, MentionKind.TOPONYM, key)


def near_home(ctx: Context, found: Found) -> None:
    """With the article's home given (`doc._.geo_home`: a local paper's town), or else the town its
    dateline names (`dateline_town`), the home's own name wherever it is capitalised, whatever the
    NER read there but a person ("the Athens area", "Athens Academy", a team named for the town),
    and a town of `cued_population` within `home_km` of it ("a Nixa man", "between Paris and
    Cooper") are places: a local paper names its town and its neighbours bare. `known_name`'s
    checks of persons, acronyms and ordinary words apply."""
    home = ctx.doc._.geo_home or dateline_town(ctx)
    if home is None:
        return
    own = fold(home.name)
    for (start, end), key in ctx.by_length:
        if key not in ctx.known or not ctx.trimmed(start, end) or ctx.adjective(key):
            continue
        if key == own:  # a person named for the town ("Athens Christian" read as one) does not unname it
            if not ctx.labels_of(start, end) & set(ctx.labels.person):
                found.take(start, end, MentionKind.TOPONYM, key)
        elif ((population := ctx.town_near(key, home)) >= ctx.settings.cued_population
              and not ctx.personal(start, end, key) and not ctx.entities(start, end) - organisations(ctx, start, end)
              and plausible(ctx, start, end, ctx.known[key]._replace(population=population), vouched=True)):
            found.take(start, end, MentionKind.TOPONYM, key)


def dateline_town(ctx: Context) -> Place | None:
    """The town a dateline names ("PARIS, Texas —", "LODWAR, Kenya (Reuters) -"), inside the area
    written after it: the article's own word for where it is from (as `home_place` reads a home)."""
    line = focus.dateline(ctx.doc.text)
    if line is None:
        return None
    start, end, area = line
    try:
        place = focus.home_place(ctx.gazetteer, ctx.doc.text[start:end] + (f", {area}" if area else ""))
    except InputError:
        return None
    return place if KINDS[place.feature].town else None


def organisations(ctx: Context, start: int, end: int) -> set[Span]:
    """The NER's organisation entities over a span (a local paper's "Cooper and Commerce" is often one)."""
    return {e for e in ctx.entities(start, end) if e.label_ in ctx.labels.organisation}


def stands_alone(ctx: Context, start: int, end: int) -> bool:
    """Not the first word of a sentence and no capitalised word beside it: a part of a longer name
    ("Time Warner", "Arab Spring", "Old Bailey") is no town."""
    tokens = ctx.tokens
    return (not tokens[start].is_sent_start and not tokens[start - 1].text[:1].isupper()
            and (end == len(tokens) or not tokens[end].text[:1].isupper()))


def named_countries(ctx: Context, found: Found) -> frozenset[str]:
    """The countries of the countries, first-level regions and adjectives taken so far."""
    countries = set()
    for m in found.mentions:
        for c in ctx.gazetteer.candidates(m.lookup, m.kind == MentionKind.DEMONYM):
            if KINDS[c.place.feature].rank >= Rank.AREA and c.place.country:
                countries.add(c.place.country)
    return frozenset(countries)


# -- rules that extend what is already taken ----------------------------------------------------

def one_sense(ctx: Context, found: Found) -> None:
    """One sense per text: a name taken as a place once is a place wherever it is capitalised,
    but a person's name (unless a cue or the town's size says otherwise, as for `known_name`), an
    organisation's acronym ("NATO", "BA") and a name the NER reads wholly as an organisation and
    nowhere as a place ("in Congress" … "Congress said", "White House aides": a cue word is weak
    evidence against the model's reading everywhere else) keep the model's reading; a place inside
    a longer organisation's name ("Slidell Schools") is still the place."""
    placed = {m.lookup for m in found.mentions if m.kind == MentionKind.TOPONYM and m.lookup in ctx.known}
    readings = [(span, key, *organisation(ctx, *span)) for span, key in ctx.by_length if key in placed]
    places = Counter(key for span, key, *_ in readings if ctx.labels_of(*span) & set(ctx.labels.place))
    for (start, end), key, whole, acronym in readings:
        if (ctx.trimmed(start, end) and not ctx.personal(start, end, key) and not acronym
                and not ctx.acronym(start, end, key) and not (whole and not places[key])
                and not read_as_person(ctx, start, end, ctx.known[key], ctx.cued(start))):
            found.take(start, end, MentionKind.TOPONYM, key)


def organisation(ctx: Context, start: int, end: int) -> tuple[bool, bool]:
    """Whether the NER calls exactly this span an organisation, and whether an organisation holds
    it in capitals (an acronym: "NATO", "BA" in "BA flights")."""
    ents = [e for e in ctx.entities(start, end) if e.label_ in ctx.labels.organisation]
    return any(e.start == start and e.end == end for e in ents), bool(ents) and ctx.doc[start:end].text.isupper()


def dateline(ctx: Context, found: Found) -> None:
    """Datelines ("PLEASANTON, Calif. --", "WINNIPEG —"): a known name there is a place whatever
    the model called it."""
    for (start, end), key in ctx.by_length:
        if key in ctx.known and ctx.trimmed(start, end) and opens_dateline(ctx, start, end):
            found.take(start, end, MentionKind.TOPONYM, key)


def opens_dateline(ctx: Context, start: int, end: int) -> bool:
    """An upper-case name opening a line and followed by a comma or a dash."""
    tokens, text = ctx.tokens, ctx.doc[start:end].text
    opens_line = start == 0 or "\n" in tokens[start - 1].text_with_ws or tokens[start - 1].is_space
    followed = end < len(tokens) and tokens[end].text[:1] in {",", "—", "–", "-", "("}
    return opens_line and followed and text.isupper() and len(text) > 3


def list_(ctx: Context, found: Found) -> None:
    """Names listed beside a place ("Žilina, Nitra, Prešov and Košice") are places, and so are
    names listed beside those, when they are prominent or towns of `cued_population`."""
    listable = [(span, key) for span, key in ctx.by_length
                if key in ctx.known and ctx.trimmed(*span) and listable_name(ctx, *span, key)]
    grow_lists(ctx, listable, found)


def listable_name(ctx: Context, start: int, end: int, key: str) -> bool:
    rank, population, _ = ctx.known[key]
    return (not ctx.personal(start, end, key) and not ctx.needs_sign(key) and not ctx.acronym(start, end, key)
            and not ordinary_word(ctx, start, end) and (rank >= Rank.AREA or population >= ctx.settings.cued_population))


def ordinary_word(ctx: Context, start: int, end: int, cued: bool = False) -> bool:
    """A single word that is usually no name: a month or direction, a word the text also writes in
    lowercase, a stop word without a cue ("the West and Russia", "daughters North and Chicago", "No. 18")."""
    word = ctx.tokens[start]
    return end - start == 1 and (word.lower_ in ctx.words.common or word.lower_ in ctx.lowercase_words
                                 or (word.is_stop and not cued))


def listed_with(ctx: Context, start: int, end: int, taken: Taken) -> bool:
    """Whether the span stands in a list ("A, B and C") next to a span already taken as a place."""
    tokens, joins = ctx.tokens, ctx.words.joins
    left = start >= 2 and tokens[start - 1].lower_ in joins and start - 1 in taken.ends
    right = end + 1 < len(tokens) and tokens[end].lower_ in joins and end + 1 in taken.starts
    return left or right


def grow_lists(ctx: Context, listable: list[tuple[tuple[int, int], str]], found: Found) -> None:
    """Take the listed names in the order that sweeping `listable` again and again would take
    them (that order settles which of two overlapping names wins), but look at a name again only
    when a name one join away has just been taken; a take has at most 2 × MAX_WORDS such
    neighbours: linear in the names, where repeated sweeps are quadratic in a list's length."""
    starting_at: dict[int, list[int]] = defaultdict(list)
    ending_at: dict[int, list[int]] = defaultdict(list)
    for i, ((start, end), _) in enumerate(listable):
        starting_at[start].append(i)
        ending_at[end].append(i)
    # (sweep, position): the sweep in which the name would be visited next, once it is listed.
    visits = [(0, i) for i, (span, _) in enumerate(listable) if listed_with(ctx, *span, found.taken)]
    while visits:
        sweep, i = heapq.heappop(visits)
        (start, end), key = listable[i]
        if found.take(start, end, MentionKind.TOPONYM, key):
            for j in beside(ctx, start, end, starting_at, ending_at):
                heapq.heappush(visits, (sweep if j > i else sweep + 1, j))


def beside(ctx: Context, start: int, end: int, starting_at: dict[int, list[int]],
           ending_at: dict[int, list[int]]) -> Iterator[int]:
    """The listable names one join after or before [start, end)."""
    tokens, joins = ctx.tokens, ctx.words.joins
    if end < len(tokens) and tokens[end].lower_ in joins:
        yield from starting_at.get(end + 1, [])
    if start >= 1 and tokens[start - 1].lower_ in joins:
        yield from ending_at.get(start - 1, [])


def qualify(text: str, mentions: list[Mention], words: Words) -> list[Mention]:
    """"Paris, Texas", "Springfield in Illinois": a place right after a qualifier word is the area the
    one before is in; "Michigan's South Haven": a place before a possessive is the one after's."""
    out = list(mentions)
    for i in range(len(out) - 1):
        m, nxt = out[i], out[i + 1]
        between = text[m.end : nxt.start].strip()
        if nxt.kind == MentionKind.TOPONYM and between.lower() in words.qualifiers:
            out[i] = replace(m, qualifier=nxt.lookup)
        elif m.kind == MentionKind.TOPONYM and between in words.possessives:
            out[i + 1] = replace(nxt, qualifier=m.lookup)
    return out


RULES: tuple[Rule, ...] = (
    Rule("pattern", road, names_road=True),
    Rule("ner", ner_place),
    Rule("ner", ner_demonym),
    Rule("ner", ner_building),
    Rule("gazetteer", evident_feature, signs_feature=True),
    Rule("gazetteer", known_name),
    Rule("gazetteer", home_town),
    Rule("gazetteer", near_home),
    Rule("gazetteer", one_sense),
    Rule("gazetteer", dateline),
    Rule("gazetteer", list_),
)
"""The rules in the order they run: an earlier rule's span wins an overlap."""
