"""The resolution steps, in the order they run; each is a function of the `Draft` named as the step.

A step that changes a mention's place is recorded as the one that chose it (`Resolution.step`,
"step" in the JSON), so `geomap eval --by-rule` can measure each step alone.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import NamedTuple

from geomap.kinds import KINDS, Area
from geomap.gazetteer.names import fold
from geomap.geodesy import distance_km
from geomap.model import Candidate, Focus, FocusLevel, MentionKind, Place, Resolution
from geomap.resolve.draft import Draft, Group, Reading
from geomap.resolve.evidence import Support, inside, namesake_city, prior_score, rival_areas
from geomap.resolve.focus import Shares, agreed, closeness, dateline, level_of


class Step(NamedTuple):
    apply: Callable[[Draft], None]

    @property
    def name(self) -> str:
        """What `Resolution.step` and `geomap eval --by-rule` call it: its function's name."""
        return self.apply.__name__

    @property
    def reason(self) -> str:
        return (self.apply.__doc__ or "").split("\n\n")[0]


# -- what each name may mean --------------------------------------------------------------------

def candidates(draft: Draft) -> None:
    """Every place answering to the name (its own name before an alias), the place the user prefers
    for it, and not a town that answers to a country's exact name only by an alternate name."""
    for reading in draft.readings:
        found: dict[int, Candidate] = {}
        for c in draft.gazetteer.candidates(reading.key, reading.kind == MentionKind.DEMONYM):
            if c.place.geonameid not in found or c.exact:
                found[c.place.geonameid] = c
        wanted = draft.prefer.get(reading.key) if reading.kind == MentionKind.TOPONYM else None
        if wanted is not None:
            found[wanted.geonameid] = Candidate(wanted, True)
        reading.candidates = _country_kept(list(found.values()))


def _country_kept(cands: list[Candidate]) -> list[Candidate]:
    """A name that is exactly a country's is not a town that answers to it only by an alternate
    name: "Mexico" after a "MEXICO CITY" dateline is the country, not the capital it would lend
    its sense to (the same for Kuwait, Panama, Guatemala)."""
    if not any(c.exact and KINDS[c.place.feature].area is Area.COUNTRY for c in cands):
        return cands
    return [c for c in cands if c.exact or c.user or not KINDS[c.place.feature].town]


def qualifier(draft: Draft) -> None:
    """"Paris, Texas", "Springfield in Illinois": the places inside the area named right after the
    name, when some but not all are and they answer to the name as written."""
    for reading in draft.readings:
        if not reading.qualifier:
            continue
        containers = draft.gazetteer.candidates(reading.qualifier)
        within = [c for c in reading.candidates if any(inside(c.place, q.place) for q in containers)]
        if within and len(within) < len(reading.candidates) and _as_named(within, reading.candidates):
            reading.candidates, reading.narrowed = within, True
    _namesakes_set_apart(draft)


def _namesakes_set_apart(draft: Draft) -> None:
    """A name the article's body first writes bare and only later with a qualifier ("Nashville" …
    "a firm from Nashville, Tenn.") is two places: the writer qualified the later one to tell it from
    the first, so the bare name is not a place inside that qualifier (when it has another reading).
    A headline drops qualifiers, so a bare name there says nothing ("Denver Fair …" then "DENVER, Pa.")."""
    narrowed: dict[tuple[MentionKind, str], list[Reading]] = {}
    for reading in draft.readings:
        if reading.narrowed:
            narrowed.setdefault((reading.kind, reading.key), []).append(reading)
    if not narrowed:
        return
    opening = len(draft.text) - len(draft.text.lstrip())
    body = draft.text.find("\n", opening) + 1  # 0 for a text of one line: no headline
    first_in_body: dict[int, int] = {}
    for i, m in enumerate(draft.mentions):
        if m.start >= body:
            r = draft.reading_of[i]
            first_in_body[r] = min(first_in_body.get(r, m.start), m.start)
    for r, reading in enumerate(draft.readings):
        if reading.narrowed or reading.qualifier or r not in first_in_body:
            continue
        for later in narrowed.get((reading.kind, reading.key), ()):
            if later.mention.start > first_in_body[r]:
                apart = {c.place.geonameid for c in later.candidates}
                reading.candidates = [c for c in reading.candidates if c.place.geonameid not in apart] or reading.candidates


def _as_named(within: list[Candidate], cands: list[Candidate]) -> bool:
    """Whether the places inside a qualifier answer to the name as written, or none does: in
    "Washington, New York and Boston" the comma starts a list, and the only "Washington" inside New
    York is Watervliet by an old alternate name, so the qualifier reading is not trusted."""
    return any(c.exact for c in within) or not any(c.exact for c in cands)


def one_sense(draft: Draft) -> None:
    """Every mention of a name means one place (one sense per discourse), except a mention its
    qualifier narrowed ("Springfield, Missouri"), which keeps its own."""
    index: dict[tuple[MentionKind, str, str], int] = {}
    for i in range(len(draft.mentions)):
        reading = draft.readings[draft.reading_of[i]]
        key = (reading.kind, reading.key, reading.qualifier if reading.narrowed else "")
        if key not in index:
            index[key] = len(draft.groups)
            draft.groups.append(Group([]))
        reading.group = index[key]
        draft.groups[index[key]].mentions.append(i)


# -- which place each name means ----------------------------------------------------------------

def prior(draft: Draft) -> None:
    """Before the rest of the text speaks: the kind of place, its population, how the name matched,
    the user's own entries, a feature the text points at, a city that named its region."""
    s = draft.settings
    priors = s.priors()
    for reading in draft.readings:
        reading.scores = [prior_score(c, s, priors, reading.feature_sign) + namesake_city(c, reading.candidates, s)
                          for c in reading.candidates]
    draft.choose([r.scores for r in draft.readings], "prior")
    for group in draft.groups:
        if group.place is not None and draft.readings[draft.reading_of[group.mentions[0]]].narrowed:
            group.step = "qualifier"


def prefer(draft: Draft) -> None:
    """The place the user says a name means (`prefer`) wins for every mention of that name, whatever
    the text says, except a mention its own qualifier places elsewhere ("Springfield, Missouri")."""
    if not draft.prefer:
        return
    for reading in draft.readings:
        wanted = draft.prefer.get(reading.key) if reading.kind == MentionKind.TOPONYM else None
        if wanted is not None:
            reading.scores = [v + (draft.settings.preferred if c.place == wanted else 0.0)
                              for c, v in zip(reading.candidates, reading.scores)]
    draft.choose([r.scores for r in draft.readings], "prefer")


def focus(draft: Draft) -> None:
    """Toward where the article is from: its dateline's place (the text's own word wins), else the
    user's home, else the region or country most of its places agree on (and in that region the
    town it names most, if one stands out). A candidate gains for
    lying in the focus's country, in its region and near it, in proportion to how local the text
    is (the share of its names with a reading there): a foreign story in a local paper keeps its
    foreign places."""
    s = draft.settings
    found = _dateline_focus(draft)
    if found is None and draft.home is not None:
        found = Focus(draft.home, level_of(draft.home), "home", 1.0)
    if found is None:
        found = agreed(_prior_shares(draft), draft.gazetteer, s.focus_min_names, s.focus_min_vote,
                       s.focus_min_share, s.focus_min_lead)
        if found is not None and found.level is FocusLevel.REGION:
            found = _town_named_most(draft, found) or found
    draft.focus = found
    if found is None:
        return
    near = [[closeness(c.place, found, s.focus_near_km) for c in r.candidates] for r in draft.readings]
    strength = draft.locality = _locality(draft, found, near)
    for reading, stands in zip(draft.readings, near):
        reading.scores = [v + strength * (s.focus_country * country + s.focus_region * region
                                          + s.focus_near * close * (1.0 if c.exact else s.focus_near_alias))
                          for c, v, (country, region, close) in zip(reading.candidates, reading.scores, stands)]
    draft.choose([r.scores for r in draft.readings], "focus")


def _prior_shares(draft: Draft) -> Shares:
    """Per group, its weight (the square root of its mentions: a name said often counts, but not
    linearly) and its candidates with their softmax share of the group's pooled score. A qualifier
    (the "Tenn." of "Nashville, Tenn.") is part of the name it qualifies, not a vote of its own: a local
    paper writes out the state of the towns beyond its own."""
    qualifiers = draft.qualifiers()
    names = []
    for group in draft.groups:
        said = sum(i not in qualifiers for i in group.mentions)
        if not group.pool or not said:
            continue
        places = {c.place.geonameid: c.place for i in group.mentions
                  for c in draft.readings[draft.reading_of[i]].candidates}
        names.append((math.sqrt(said), [(places[gid], share) for gid, share in group.shares()]))
    return names


def _town_named_most(draft: Draft, region: Focus) -> Focus | None:
    """In a region the text agrees on, the town it names most often, when it names one at least
    twice and more often than any other there: the town a local story is about ("of Lebanon", …)."""
    qualifiers = draft.qualifiers()
    said: Counter[int] = Counter()
    towns: dict[int, Place] = {}
    for group in draft.groups:
        if not group.pool:
            continue
        area = (region.place.country, region.place.admin1)
        local = {c.place.geonameid: c.place for i in group.mentions for c in draft.readings[draft.reading_of[i]].candidates
                 if KINDS[c.place.feature].town and (c.place.country, c.place.admin1) == area}
        here = [(share, gid) for gid, share in group.shares() if gid in local]
        if here:
            town = local[max(here)[1]]
            towns[town.geonameid] = town
            said[town.geonameid] += sum(i not in qualifiers for i in group.mentions)
    ranked = said.most_common(2)
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return Focus(towns[ranked[0][0]], FocusLevel.TOWN, "text", region.confidence)


def _dateline_focus(draft: Draft) -> Focus | None:
    """The place of the mention the dateline names, inside the area written after it where one is
    ("DENVER, Pa." is Denver, Pennsylvania, whatever the prior says)."""
    line = dateline(draft.text)
    if line is None:
        return None
    start, end, area = line
    for i, m in enumerate(draft.mentions):
        if m.start < end and start < m.end:
            reading = draft.readings[draft.reading_of[i]]
            place = draft.groups[reading.group].place
            if area and not reading.narrowed:
                containers = [c.place for c in draft.gazetteer.candidates(fold(area))]
                within = [(v, n, c.place) for n, (c, v) in enumerate(zip(reading.candidates, reading.scores))
                          if any(inside(c.place, q) for q in containers)]
                place = max(within, key=lambda vnp: (vnp[0], -vnp[1]))[2] if within else place
            return None if place is None else Focus(place, level_of(place), "dateline", 1.0)
    return None


def _locality(draft: Draft, found: Focus, near: list[list[tuple[bool, bool, float]]]) -> float:
    """The share of the text's names (groups with candidates) that have a reading at the focus:
    in its region or near it, or for a country-level focus, in its country. A name none of whose
    places has a country (a river, a sea) says nothing either way and is not counted."""
    local: dict[int, bool] = {}
    for reading, stands in zip(draft.readings, near):
        if not any(c.place.country for c in reading.candidates):
            continue
        here = any((country if found.level is FocusLevel.COUNTRY else region or close > 0)
                   for country, region, close in stands)
        local[reading.group] = local.get(reading.group, False) or here
    return sum(local.values()) / len(local) if local else 0.0


def context(draft: Draft) -> None:
    """What the rest of the document says, in rounds: places in the countries and regions the text
    names elsewhere, places already chosen for other names, places near the others."""
    s = draft.settings
    rivals = [rival_areas(r.candidates) for r in draft.readings]
    for _ in range(s.rounds):
        support = Support.of([g.place for g in draft.groups], s.near_km)
        scores = [[v + support.evidence(c.place, r.group, rivals[n], s) for c, v in zip(r.candidates, r.scores)]
                  for n, r in enumerate(draft.readings)]
        draft.choose(scores, "context")


# -- how sure, and what is left -----------------------------------------------------------------

def confidence(draft: Draft) -> None:
    """Each mention's confidence: the softmax share of its group's winner among the pooled scores;
    up to three alternatives among the mention's own candidates, with their shares."""
    shares: dict[int, list[tuple[int, float]]] = {}
    alternatives: dict[int, tuple] = {}
    for i, m in enumerate(draft.mentions):
        r = draft.reading_of[i]
        reading = draft.readings[r]
        group = draft.groups[reading.group]
        if group.place is None:
            draft.resolutions.append(Resolution(m, None, 0.0))
            continue
        if reading.group not in shares:
            shares[reading.group] = group.shares(draft.settings.temperature)
        ranked = shares[reading.group]
        if r not in alternatives:
            places = {c.place.geonameid: c.place for c in reading.candidates}
            alternatives[r] = tuple((places[gid], share) for gid, share in ranked[1:4] if gid in places)
        draft.resolutions.append(Resolution(m, group.place, ranked[0][1], alternatives[r], step=group.step))


def strays(draft: Draft) -> None:
    """Drop the mentions only a gazetteer name match proposed (the NER did not call them places)
    whose place is a small town in a country where the text places nothing else, while it places
    things elsewhere: a person ("Noma" said), a word ("Still", "Justice", "Bravo") or an acronym
    that happens to spell a village abroad, not a place the article is about."""
    names_in: dict[str, set[str]] = {}
    for r in draft.resolutions:
        if r.place is not None:
            names_in.setdefault(r.place.country, set()).add(r.mention.key)
    draft.resolutions = [r for r in draft.resolutions if not (
        r.mention.source == "gazetteer" and r.place is not None and KINDS[r.place.feature].town
        and r.place.population < draft.settings.stray_population and names_in[r.place.country] == {r.mention.key}
        and len(names_in) > 1)]


def approximate(draft: Draft) -> None:
    """A name the gazetteer cannot place (a street, a cathedral, an airport) is in the place its
    qualifier names ("Kamenné Square in Bratislava": `near_qualifier`), or else in a place the text
    chose whose name it holds ("Manila Cathedral", "Tijuana River"; not an adjective's: the "Russian
    Embassy" is in Washington; not a road's: "Kansas Expressway" leads to Kansas: `near_named_inside`),
    or else most likely in the town the text named last before it ("Royal Street" after "New Orleans":
    `near_town_before`), or, in a local story (most of its names have a reading at a town-level focus)
    whose last town lies outside the focus's surroundings or that named no town yet, in the focus town
    (`near_focus`: the paper's "Main Street"). It gets that place, marked approximate; with none of
    these it stays unplaced."""
    resolutions = draft.resolutions
    order = sorted(range(len(resolutions)), key=lambda i: resolutions[i].mention.start)
    named = {r.mention.key: r for r in resolutions
             if r.place is not None and r.mention.kind == MentionKind.TOPONYM and not r.mention.qualifier}
    placed = list(resolutions)
    town: Resolution | None = None
    for n, i in enumerate(order):
        r = placed[i]
        if r.place is None and r.mention.kind == MentionKind.TOPONYM:
            after = resolutions[order[n + 1]] if n + 1 < len(order) else None
            near, step = ((after, "near_qualifier") if _qualifies(after, r) else
                          (None if r.mention.road else _named_inside(r.mention.key, named), "near_named_inside"))
            if near is None:
                placed[i] = _near_town(draft, r, town)
            else:
                placed[i] = Resolution(r.mention, near.place, near.confidence, (), approximate=True, step=step)
        elif r.place is not None and KINDS[r.place.feature].town:
            town = r
    draft.resolutions = placed


def _near_town(draft: Draft, r: Resolution, town: Resolution | None) -> Resolution:
    """`r` placed at the town named before it, unless a local story's focus town is the better guess
    (see `approximate`)."""
    focus = draft.focus
    local = (focus is not None and focus.level is FocusLevel.TOWN
             and draft.locality >= draft.settings.focus_local_share)
    if town is not None and town.place is not None and not (local and _beyond(town.place, focus, draft.settings.focus_town_km)):
        return Resolution(r.mention, town.place, town.confidence, (), approximate=True, step="near_town_before")
    if local:
        assert focus is not None  # a story is local only to a focus
        return Resolution(r.mention, focus.place, draft.locality, (), approximate=True, step="near_focus")
    return r


def _beyond(place: Place, focus: Focus | None, km: float) -> bool:
    return focus is not None and distance_km(place.lat, place.lon, focus.place.lat, focus.place.lon) > km


def _qualifies(after: Resolution | None, r: Resolution) -> bool:
    """Whether the resolution right after a mention is its placed qualifier ("…, Dublin")."""
    return (after is not None and after.place is not None and bool(r.mention.qualifier)
            and after.mention.lookup == r.mention.qualifier)


def _named_inside(key: str, named: dict[str, Resolution]) -> Resolution | None:
    """The placed mention whose name is the longest run of words inside `key` (the first on a tie)."""
    words = key.split()
    for length in range(len(words) - 1, 0, -1):
        for start in range(len(words) - length + 1):
            found = named.get(" ".join(words[start:start + length]))
            if found is not None:
                return found
    return None


STEPS: tuple[Step, ...] = (
    Step(candidates),
    Step(qualifier),
    Step(one_sense),
    Step(prior),
    Step(prefer),
    Step(focus),
    Step(context),
    Step(confidence),
    Step(strays),
    Step(approximate),
)
"""The steps in the order they run."""
