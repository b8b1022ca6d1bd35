"""Choose a place for every mention, using evidence from the whole document.

Each candidate gets a prior (kind of place, population, how the name matched,
user entries first), then the document votes: places in countries and regions
the text names elsewhere, places already chosen for other mentions, places near
the others, "Paris, Texas" qualifiers, and one sense per repeated name.
Registered as the spaCy component ``geomap_resolver``; results land on
``doc._.geo_resolutions`` and each entity-like ``Span._.geo_place``.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, fields

from spacy.language import Language
from spacy.tokens import Doc, Span

from geomap.errors import InputError
from geomap.gazetteer.names import fold
from geomap.gazetteer.store import Gazetteer
from geomap.geodesy import distance_km
import geomap.formats  # noqa: F401  (Docs carrying these values serialise)
from geomap.spacy_support import GazetteerComponent
from geomap.kinds import KINDS, Area, Hint, Trust
from geomap.model import Candidate, Feature, Mention, MentionKind, Place, Resolution


@dataclass(frozen=True, slots=True)
class ResolverSettings:
    """Weights of the evidence; tuned on GeoWebNews, checked on other news."""

    feature_prior: tuple[tuple[Feature, float], ...] = tuple((f, k.prior) for f, k in KINDS.items())
    """The starting score per kind of place: the kinds table's priors unless the config says otherwise;
    a kind the config leaves out keeps its table prior."""
    population_weight: float = 0.8
    """Per power of ten of population, for towns."""
    area_population_weight: float = 0.2
    """Per power of ten of population, for countries and regions (France before Réunion)."""
    alias_penalty: float = 0.75
    user_bonus: float = 0.75
    feature_sign: float = 1.0
    """For a river, lake, range or territory reading of a name the text points at as a feature
    ("the Sava", recognised by the evident-feature rule): rivers beat namesake regions there."""
    country_context: float = 2.0
    admin1_context: float = 1.5
    already_chosen: float = 5.0
    namesake_city: float = 2.0
    context_cap: float = 3.0
    """Country, region and nearness hints saturate: together they never outweigh more than this,
    so a village in a country the text names does not beat an ocean (2.5 to 4 all do as well)."""
    near_bonus: float = 1.5
    near_km: float = 250.0
    rounds: int = 2
    temperature: float = 1.0
    stray_population: int = 100_000
    """A town below this that only the gazetteer proposed, alone in its country while the text's
    other places lie elsewhere, is dropped (`_without_strays`)."""
    preferred: float = 25.0
    """For the place a user prefers for a name (`--prefer NAME=GEONAMEID`): more than any prior and
    evidence together, so it wins for every mention of that name."""


def _prior(c: Candidate, s: ResolverSettings, priors: dict[Feature, float], signed: bool) -> float:
    """The candidate's score before the rest of the text speaks; `signed`: the text points at a feature."""
    place = c.place
    score = priors[place.feature]
    kind = KINDS[place.feature]
    score += (s.population_weight if kind.town else s.area_population_weight) * math.log10(place.population + 1)
    if not c.exact and kind.noisy_aliases:
        score -= s.alias_penalty
    if c.user:
        score += s.user_bonus
    if signed and kind.trust is not Trust.NER:
        score += s.feature_sign
    return score


BOUNDING_RADIUS_KM = 6371.0
"""A shade under the mean radius `distance_km` uses, so a box drawn with it always holds the circle."""


@dataclass(slots=True)
class _Cell:
    """The points of one grid cell, all within `radius` km of the first."""

    anchor: Place
    radius: float
    places: list[Place]


class _Grid:
    """Chosen points in cells a quarter of `km` across, so "is one within `km` of here?" reads only
    the cells a circle of that radius reaches, not every point of the text.

    A cell wholly inside or outside the circle (by the triangle inequality from its first point)
    is settled with one distance; only points of cells the circle's edge crosses are measured one
    by one. Rows are a quarter of `km` of latitude tall, columns as many degrees wide; towards a
    pole a circle spans more columns, at a pole all of them. The cells searched always hold the
    whole circle, so the answer is the one comparing against every point would give. All points
    are added before the first search.
    """

    SPLIT = 4
    MARGIN_KM = 1e-6
    """Far more than the rounding of a distance: a cell is settled whole only beyond it."""

    def __init__(self, km: float):
        self.km = km
        self.reach = math.degrees(km / BOUNDING_RADIUS_KM) + 1e-6
        self.height = self.reach / self.SPLIT
        self.columns = max(1, int(360.0 / self.height))
        self.width = 360.0 / self.columns
        self.cells: dict[tuple[int, int], _Cell] = {}
        self.ids: set[int] = set()
        self._rows: dict[int, list[int]] | None = None
        self._near: dict[int, tuple[int, ...]] = {}

    def add(self, place: Place) -> None:
        if place.geonameid in self.ids:
            return
        self.ids.add(place.geonameid)
        key = (math.floor((place.lat + 90.0) / self.height),
               math.floor((place.lon + 180.0) / self.width) % self.columns)
        cell = self.cells.get(key)
        if cell is None:
            self.cells[key] = _Cell(place, 0.0, [place])
        else:
            cell.radius = max(cell.radius, distance_km(cell.anchor.lat, cell.anchor.lon, place.lat, place.lon))
            cell.places.append(place)

    def near(self, place: Place) -> tuple[int, ...]:
        """Up to two points other than `place` within `km` of it, remembered per place. Two are
        enough to tell whether another group chose one: one group's choice is a single point."""
        if place.geonameid not in self._near:
            self._near[place.geonameid] = tuple(itertools.islice(self._within(place), 2))
        return self._near[place.geonameid]

    def _within(self, place: Place) -> Iterator[int]:
        for cell in self._reached(place.lat, place.lon):
            d = distance_km(place.lat, place.lon, cell.anchor.lat, cell.anchor.lon)
            if d - cell.radius > self.km + self.MARGIN_KM:
                continue
            whole = d + cell.radius <= self.km - self.MARGIN_KM
            for other in cell.places:
                if other.geonameid != place.geonameid and (
                        whole or distance_km(place.lat, place.lon, other.lat, other.lon) <= self.km):
                    yield other.geonameid

    def _reached(self, lat: float, lon: float) -> Iterator[_Cell]:
        """The non-empty cells of the rows and columns a circle around (lat, lon) reaches."""
        if self._rows is None:
            self._rows = defaultdict(list)
            for row, column in sorted(self.cells):
                self._rows[row].append(column)
        first, count = self._columns(lat, lon)
        spans = [(first, min(self.columns, first + count))]
        if first + count > self.columns:
            spans.append((0, first + count - self.columns))
        for row in range(math.floor((lat - self.reach + 90.0) / self.height),
                         math.floor((lat + self.reach + 90.0) / self.height) + 1):
            columns = self._rows.get(row, [])
            for low, high in spans:
                for column in columns[bisect.bisect_left(columns, low):bisect.bisect_left(columns, high)]:
                    yield self.cells[(row, column)]

    def _columns(self, lat: float, lon: float) -> tuple[int, int]:
        """The first column and the number of columns a circle around (lat, lon) reaches:
        |Δlon| ≤ 2·asin(sin(km/2R) / cos(φ)), φ the circle's latitude farthest from the equator."""
        farthest = math.radians(min(90.0, abs(lat) + self.reach))
        reach = math.sin(self.km / (2 * BOUNDING_RADIUS_KM))
        if reach >= math.cos(farthest):
            return 0, self.columns
        span = math.degrees(2 * math.asin(reach / math.cos(farthest))) + 1e-6
        first = math.floor((lon - span + 180.0) / self.width)
        count = math.floor((lon + span + 180.0) / self.width) - first + 1
        return (0, self.columns) if count >= self.columns else (first % self.columns, count)


@dataclass(slots=True)
class _Context:
    """What each group of mentions (the mentions of one name, which share one choice) currently
    points at, indexed by country, region, place and position: a question about "the others"
    costs the same however long the text is."""

    countries: dict[str, set[int]]
    admin1s: dict[tuple[str, str], set[int]]
    chosen: dict[int, set[int]]
    points: _Grid

    @classmethod
    def of(cls, choices: list[Place | None], near_km: float) -> _Context:
        countries, admin1s, chosen = defaultdict(set), defaultdict(set), defaultdict(set)
        points = _Grid(near_km)
        for group, place in enumerate(choices):
            if place is None:
                continue
            chosen[place.geonameid].add(group)
            lends = KINDS[place.feature].lends
            if place.country and Hint.COUNTRY in lends:
                countries[place.country].add(group)
            if Hint.REGION in lends:
                admin1s[(place.country, place.admin1)].add(group)
            if Hint.NEAR in lends:
                points.add(place)
        return cls(countries, admin1s, chosen, points)


def _others(groups: set[int], group: int) -> bool:
    """Whether a group other than `group` is among `groups`."""
    return len(groups) > 1 or (bool(groups) and group not in groups)


def _area_code(place: Place) -> tuple[str, str] | None:
    """The code of the places a place holds: (cc, "") for a country, (cc, admin1) for a first-level
    region (the kinds table's `area`), None for a place that holds none."""
    area = KINDS[place.feature].area
    if area is Area.COUNTRY:
        return place.country, ""
    if area is Area.ADMIN1:
        return place.country, place.admin1
    return None


def _rival_areas(cands: list[Candidate]) -> set[tuple[str, str]]:
    """The countries ((cc, "")) and first-level regions ((cc, admin1)) a mention may itself name."""
    return {code for c in cands if (code := _area_code(c.place)) is not None}


def _qualifies(after: Resolution | None, mention: Mention) -> bool:
    """Whether the resolution right after a mention is its placed qualifier ("…, Dublin")."""
    return (after is not None and after.place is not None and bool(mention.qualifier)
            and after.mention.lookup == mention.qualifier)


def _near_the_town_before(resolutions: list[Resolution]) -> tuple[Resolution, ...]:
    """A name the gazetteer cannot place (a street, a cathedral, an airport) is in the place its
    qualifier names ("Kamenné Square in Bratislava", "Convention Centre, Dublin"), or else in a place
    the text chose whose name it holds ("Manila Cathedral", "Tijuana River", "St. Louis Police"; not an
    adjective's: the "Russian Embassy" is in Washington), or
    else most likely in the town the text named last before it ("Royal Street" after "New
    Orleans"): it gets that place, marked approximate. Other names before the first town stay unplaced."""
    town: Resolution | None = None
    order = sorted(range(len(resolutions)), key=lambda i: resolutions[i].mention.start)
    named = {r.mention.key: r for r in resolutions
             if r.place is not None and r.mention.kind == MentionKind.TOPONYM and not r.mention.qualifier}
    placed = list(resolutions)
    for n, i in enumerate(order):
        r = placed[i]
        if r.place is None and r.mention.kind == MentionKind.TOPONYM:
            after = resolutions[order[n + 1]] if n + 1 < len(order) else None
            near = after if _qualifies(after, r.mention) else _named_inside(r.mention.key, named) or town
            if near is not None:
                placed[i] = Resolution(r.mention, near.place, near.confidence, (), approximate=True)
        elif r.place is not None and KINDS[r.place.feature].town:
            town = r
    return tuple(placed)


def _named_inside(key: str, named: dict[str, Resolution]) -> Resolution | None:
    """The placed mention whose name is the longest run of words inside `key` (the first on a tie)."""
    words = key.split()
    for length in range(len(words) - 1, 0, -1):
        for start in range(len(words) - length + 1):
            found = named.get(" ".join(words[start:start + length]))
            if found is not None:
                return found
    return None


def _without_strays(resolutions: list[Resolution], population: int) -> list[Resolution]:
    """Drop the mentions only a gazetteer name match proposed (the NER did not call them places)
    whose place is a small town in a country where the text places nothing else, while it places
    things elsewhere: a person ("Noma" said), a word ("Still", "Justice", "Bravo") or an acronym
    that happens to spell a village abroad, not a place the article is about."""
    names_in: dict[str, set[str]] = defaultdict(set)
    for r in resolutions:
        if r.place is not None:
            names_in[r.place.country].add(r.mention.key)
    return [r for r in resolutions if not (
        r.mention.source == "gazetteer" and r.place is not None and KINDS[r.place.feature].town
        and r.place.population < population and names_in[r.place.country] == {r.mention.key}
        and len(names_in) > 1)]


def _as_named(within: list[Candidate], cands: list[Candidate]) -> bool:
    """Whether the places inside a qualifier answer to the name as written, or none does: in
    "Washington, New York and Boston" the comma starts a list, and the only "Washington" inside New
    York is Watervliet by an old alternate name, so the qualifier reading is not trusted."""
    return any(c.exact for c in within) or not any(c.exact for c in cands)


def _country_kept(cands: list[Candidate]) -> list[Candidate]:
    """A name that is exactly a country's is not a town that answers to it only by an alternate
    name: "Mexico" after a "MEXICO CITY" dateline is the country, not the capital it would lend
    its sense to (the same for Kuwait, Panama, Guatemala)."""
    if not any(c.exact and KINDS[c.place.feature].area is Area.COUNTRY for c in cands):
        return cands
    return [c for c in cands if c.exact or c.user or not KINDS[c.place.feature].town]


def preferred(gazetteer: Gazetteer, prefer: Mapping[str, int]) -> dict[str, Place]:
    """A user's {name: geonameid} as {folded name: place}; an id the gazetteer lacks is refused."""
    places = {}
    for name, geonameid in prefer.items():
        place = gazetteer.get(geonameid)
        if place is None:
            raise InputError(f"--prefer {name}={geonameid}: the gazetteer has no place {geonameid}")
        places[fold(name)] = place
    return places


class Resolver(GazetteerComponent):
    """Resolves a document's mentions against the gazetteer."""

    def __init__(self, gazetteer: Gazetteer, settings: ResolverSettings = ResolverSettings()):
        self.gazetteer = gazetteer
        self.settings = settings
        self._priors = {feature: kind.prior for feature, kind in KINDS.items()} | dict(settings.feature_prior)

    def __call__(self, doc: Doc, prefer: Mapping[str, int] | None = None) -> Doc:
        """`prefer`: {name: geonameid}, the place a name means in this text (spaCy's `component_cfg`)."""
        doc._.geo_resolutions = self.resolve(doc._.geo_mentions, preferred(self.gazetteer, prefer or {}))
        return doc

    def candidates(self, mention: Mention) -> list[Candidate]:
        """The places a mention may name, narrowed by its qualifier when one fits."""
        return self._qualified(mention, {})[0]

    def _qualified(self, mention: Mention, prefer: Mapping[str, Place]) -> tuple[list[Candidate], bool]:
        """The mention's candidates (the place the user prefers for its name among them), and whether
        its qualifier narrowed them."""
        found: dict[int, Candidate] = {}
        for c in self.gazetteer.candidates(mention.key, mention.kind == MentionKind.DEMONYM):
            if c.place.geonameid not in found or c.exact:
                found[c.place.geonameid] = c
        wanted = prefer.get(mention.key) if mention.kind == MentionKind.TOPONYM else None
        if wanted is not None:
            found[wanted.geonameid] = Candidate(wanted, True)
        cands = _country_kept(list(found.values()))
        if mention.qualifier:
            containers = self.gazetteer.candidates(mention.qualifier)
            within = [c for c in cands if any(self._inside(c.place, q.place) for q in containers)]
            if within and len(within) < len(cands) and _as_named(within, cands):
                return within, True
        return cands, False

    @staticmethod
    def _inside(place: Place, container: Place) -> bool:
        area = KINDS[container.feature].area
        if area is Area.NONE or place.geonameid == container.geonameid:
            return False
        return place.country == container.country and (area is Area.COUNTRY or place.admin1 == container.admin1)

    def resolve(self, mentions: tuple[Mention, ...] | list[Mention],
                prefer: Mapping[str, Place] | None = None) -> tuple[Resolution, ...]:
        """Every step works per reading (a name with its qualifier) or per group (a name), and once
        per mention only to pool scores, so the cost is linear in the mentions. `prefer` ({folded
        name: place}, `preferred`): the user's choice for a name, a candidate with a strong prior."""
        s = self.settings
        readings: dict[tuple[MentionKind, str, str, bool], int] = {}
        reading_of = [readings.setdefault((m.kind, m.key, m.qualifier, m.feature_sign), len(readings))
                      for m in mentions]
        first = {r: i for i, r in reversed(list(enumerate(reading_of)))}
        reading_cands, narrowed = zip(*(self._qualified(mentions[first[r]], prefer or {})
                                        for r in range(len(readings)))) if readings else ((), ())
        # One sense per name, but a mention its qualifier narrows ("Springfield, Missouri") keeps its own.
        groups: dict[str, set[int]] = defaultdict(set)
        for i, m in enumerate(mentions):
            groups[f"{m.kind.value}:{m.key}" + (f"|{m.qualifier}" if narrowed[reading_of[i]] else "")].add(i)
        members = list(groups.values())
        group_of = [0] * len(mentions)
        for g, group in enumerate(members):
            for i in group:
                group_of[i] = g
        reading_group = [group_of[first[r]] for r in range(len(readings))]
        signed = [reading[3] for reading in readings]
        wanted = [(prefer or {}).get(key) if kind == MentionKind.TOPONYM else None for kind, key, _, _ in readings]
        priors = [[_prior(c, s, self._priors, signed[r]) + self._namesake_city(c, cs)
                   + (s.preferred if c.place == wanted[r] else 0.0) for c in cs]
                  for r, cs in enumerate(reading_cands)]
        rivals = [_rival_areas(cs) for cs in reading_cands]
        cands = [reading_cands[r] for r in reading_of]

        choices, pools = self._choose(cands, [priors[r] for r in reading_of], members)
        for _ in range(s.rounds):
            ctx = _Context.of(choices, s.near_km)
            scores = [
                [p + self._evidence(c.place, reading_group[r], ctx, rivals[r]) for c, p in zip(cs, ps)]
                for r, (cs, ps) in enumerate(zip(reading_cands, priors))
            ]
            choices, pools = self._choose(cands, [scores[r] for r in reading_of], members)
        return self._resolutions(mentions, reading_of, reading_cands, group_of, choices, pools)

    def _resolutions(self, mentions, reading_of: list[int], reading_cands: list[list[Candidate]],
                     group_of: list[int], choices: list[Place | None],
                     pools: list[dict[int, float]]) -> tuple[Resolution, ...]:
        """Each mention's place, confidence (the softmax share of its group's pooled winner) and
        up to three alternatives among its own candidates; worked out once per group and reading."""
        ranks: dict[int, tuple[list[tuple[int, float]], list[float]]] = {}
        alternatives: dict[int, tuple[tuple[Place, float], ...]] = {}
        out = []
        for i, m in enumerate(mentions):
            g, r = group_of[i], reading_of[i]
            if choices[g] is None:
                out.append(Resolution(m, None, 0.0))
                continue
            if g not in ranks:
                ranked = sorted(pools[g].items(), key=lambda kv: -kv[1])
                top = ranked[0][1]
                weights = [math.exp((v - top) / self.settings.temperature) for _, v in ranked]
                ranks[g] = ranked, [w / sum(weights) for w in weights]
            ranked, shares = ranks[g]
            if r not in alternatives:
                places = {c.place.geonameid: c.place for c in reading_cands[r]}
                alternatives[r] = tuple((places[gid], share) for (gid, _), share in zip(ranked[1:4], shares[1:4])
                                        if gid in places)
            out.append(Resolution(m, choices[g], shares[0], alternatives[r]))
        return _near_the_town_before(_without_strays(out, self.settings.stray_population))

    def _namesake_city(self, c: Candidate, cands: list[Candidate]) -> float:
        """A city that gave its name to its region ("New York", "Moscow") is what a bare name means;
        a village that merely shares a state's name ("Montana City") is not: it must hold a tenth
        of the region's people."""
        if not KINDS[c.place.feature].names_region:
            return 0.0
        for other in cands:
            if (KINDS[other.place.feature].area is Area.ADMIN1
                    and (other.place.country, other.place.admin1) == (c.place.country, c.place.admin1)
                    and c.place.population * 10 >= other.place.population):
                return self.settings.namesake_city
        return 0.0

    def _evidence(self, place: Place, group: int, ctx: _Context, rivals: set[tuple[str, str]]) -> float:
        """What the rest of the document says for this place (the mention's own group excluded).

        A country or region that is itself a reading of the mention lends no support to the
        places inside it: "Mexico" near "Mexican" is the country, not Mexico City. The weak
        hints are capped; the place being chosen elsewhere in the text is strong and is not.
        """
        s = self.settings
        takes = KINDS[place.feature].takes
        score = 0.0
        if (Hint.COUNTRY in takes and (place.country, "") not in rivals
                and _others(ctx.countries.get(place.country, set()), group)):
            score += s.country_context
        if (Hint.REGION in takes
                and (place.country, place.admin1) not in rivals
                and _others(ctx.admin1s.get((place.country, place.admin1), set()), group)):
            score += s.admin1_context
        if (Hint.NEAR in takes
                and any(_others(ctx.chosen[near], group) for near in ctx.points.near(place))):
            score += s.near_bonus
        score = min(score, s.context_cap)
        if _others(ctx.chosen.get(place.geonameid, set()), group):
            score += s.already_chosen
        return score

    @staticmethod
    def _pooled(cands, scores, group: set[int]) -> dict[int, float]:
        """One sense per document: a repeated name's scores summed over its mentions, averaged."""
        pooled: dict[int, float] = defaultdict(float)
        for i in group:
            for c, v in zip(cands[i], scores[i]):
                pooled[c.place.geonameid] += v / len(group)
        return pooled

    def _choose(self, cands, scores, members: list[set[int]]) -> tuple[list[Place | None], list[dict[int, float]]]:
        """Each group's place (None when its name has no candidates) and its pooled scores."""
        choices: list[Place | None] = []
        pools = []
        for group in members:
            pooled = self._pooled(cands, scores, group)
            pools.append(pooled)
            if not pooled:
                choices.append(None)
                continue
            best = max(pooled, key=pooled.get)
            choices.append(next(c.place for i in group for c in cands[i] if c.place.geonameid == best))
        return choices, pools


if not Doc.has_extension("geo_resolutions"):
    Doc.set_extension("geo_resolutions", default=())


def _span_place(span: Span) -> Place | None:
    for r in span.doc._.geo_resolutions:
        if r.mention.start < span.end_char and span.start_char < r.mention.end:
            return r.place
    return None


if not Span.has_extension("geo_place"):
    Span.set_extension("geo_place", getter=_span_place)


def weights_config(settings: ResolverSettings) -> dict:
    """`ResolverSettings` as spaCy config values: the feature priors keyed by the feature's name."""
    return {**asdict(settings), "feature_prior": {feature.value: w for feature, w in settings.feature_prior}}


def settings_from_config(weights: dict) -> ResolverSettings:
    unknown = sorted(weights.keys() - {f.name for f in fields(ResolverSettings)})
    if unknown:
        raise ValueError(f"geomap_resolver: unknown weights {', '.join(unknown)}")
    priors = tuple((Feature(feature), float(w)) for feature, w in weights["feature_prior"].items())
    return ResolverSettings(**{**weights, "feature_prior": priors})


@Language.factory(
    "geomap_resolver",
    assigns=["doc._.geo_resolutions", "span._.geo_place"],
    requires=["doc._.geo_mentions"],
    default_config={"gazetteer_path": None, "weights": weights_config(ResolverSettings())},
)
def make_resolver(nlp: Language, name: str, gazetteer_path: str | None, weights: dict) -> Resolver:
    """spaCy's factory (entry point `geomap_resolver`): the config carries every weight, so
    `nlp.config` and a saved pipeline hold them; no gazetteer path means the default gazetteer."""
    from geomap.gazetteer import shared_gazetteer

    return Resolver(shared_gazetteer(gazetteer_path), settings_from_config(weights))
