"""Choose a place for every mention, using evidence from the whole document.

Each candidate gets a prior (kind of place, population, how the name matched,
user entries first), then the document votes: places in countries and regions
the text names elsewhere, places already chosen for other mentions, places near
the others, "Paris, Texas" qualifiers, and one sense per repeated name.
Registered as the spaCy component ``geomap_resolver``; results land on
``doc._.geo_resolutions`` and each entity-like ``Span._.geo_place``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, fields

from spacy.language import Language
from spacy.tokens import Doc, Span

from geomap.gazetteer.store import Gazetteer, distance_km
import geomap.serialize  # noqa: F401  (Docs carrying these values serialise)
from geomap.component import GazetteerComponent
from geomap.model import Candidate, Feature, Mention, MentionKind, Place, Resolution


@dataclass(frozen=True, slots=True)
class ResolverSettings:
    """Weights of the evidence; tuned on GeoWebNews, checked on other news."""

    feature_prior: tuple[tuple[Feature, float], ...] = (
        (Feature.COUNTRY, 8.0),
        (Feature.CONTINENT, 7.5),
        (Feature.ADMIN1, 4.0),
        (Feature.REGION, 5.0),
        (Feature.PHYSICAL, 5.0),
        (Feature.ADMIN2, 3.0),
        (Feature.CITY, 0.0),
        (Feature.CAPITAL, 1.0),
        (Feature.OTHER, 0.0),
    )
    population_weight: float = 0.8
    """Per power of ten of population, for towns."""
    area_population_weight: float = 0.2
    """Per power of ten of population, for countries and regions (France before Réunion)."""
    alias_penalty: float = 0.75
    user_bonus: float = 0.75
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


def _prior(c: Candidate, s: ResolverSettings, priors: dict[Feature, float]) -> float:
    place = c.place
    score = priors.get(place.feature, 0.0)
    town = place.feature in (Feature.CITY, Feature.CAPITAL, Feature.OTHER)
    score += (s.population_weight if town else s.area_population_weight) * math.log10(place.population + 1)
    if not c.exact and town:
        score -= s.alias_penalty  # towns' alternate names are many and noisy; areas' are curated
    if c.user:
        score += s.user_bonus
    return score


@dataclass(slots=True)
class _Context:
    """What the other mentions of a document currently point at."""

    countries: dict[str, set[int]]
    admin1s: dict[tuple[str, str], set[int]]
    chosen: dict[int, set[int]]
    points: list[tuple[int, Place]]

    @classmethod
    def of(cls, choices: dict[int, Place | None]) -> _Context:
        countries, admin1s, chosen = defaultdict(set), defaultdict(set), defaultdict(set)
        points = []
        for i, place in choices.items():
            if place is None:
                continue
            chosen[place.geonameid].add(i)
            if place.country:
                countries[place.country].add(i)
            if place.feature in (Feature.ADMIN1, Feature.CITY, Feature.CAPITAL, Feature.ADMIN2):
                admin1s[(place.country, place.admin1)].add(i)
            if place.feature in (Feature.CITY, Feature.CAPITAL, Feature.ADMIN1, Feature.ADMIN2, Feature.OTHER):
                points.append((i, place))
        return cls(countries, admin1s, chosen, points)


def _others(ids: set[int], group: set[int]) -> bool:
    return bool(ids - group)


def _rival_areas(cands: list[Candidate]) -> set[tuple[str, str]]:
    """The countries ((cc, "")) and first-level regions ((cc, admin1)) a mention may itself name."""
    areas = set()
    for c in cands:
        if c.place.feature == Feature.COUNTRY:
            areas.add((c.place.country, ""))
        elif c.place.feature == Feature.ADMIN1:
            areas.add((c.place.country, c.place.admin1))
    return areas


class Resolver(GazetteerComponent):
    """Resolves a document's mentions against the gazetteer."""

    def __init__(self, gazetteer: Gazetteer, settings: ResolverSettings = ResolverSettings()):
        self.gazetteer = gazetteer
        self.settings = settings
        self._priors = dict(settings.feature_prior)

    def __call__(self, doc: Doc) -> Doc:
        doc._.geo_resolutions = self.resolve(doc._.geo_mentions)
        return doc

    def candidates(self, mention: Mention) -> list[Candidate]:
        """The places a mention may name, narrowed by its qualifier when one fits."""
        found: dict[int, Candidate] = {}
        for c in self.gazetteer.candidates(mention.key, mention.kind == MentionKind.DEMONYM):
            if c.place.geonameid not in found or c.exact:
                found[c.place.geonameid] = c
        cands = list(found.values())
        if mention.qualifier:
            containers = self.gazetteer.candidates(mention.qualifier)
            within = [c for c in cands if any(self._inside(c.place, q.place) for q in containers)]
            cands = within or cands
        return cands

    @staticmethod
    def _inside(place: Place, container: Place) -> bool:
        if container.feature == Feature.COUNTRY:
            return place.country == container.country and place.geonameid != container.geonameid
        if container.feature == Feature.ADMIN1:
            return (place.country, place.admin1) == (container.country, container.admin1) and place != container
        return False

    def resolve(self, mentions: tuple[Mention, ...] | list[Mention]) -> tuple[Resolution, ...]:
        s = self.settings
        cands = [self.candidates(m) for m in mentions]
        priors = [[_prior(c, s, self._priors) + self._namesake_city(c, cs) for c in cs] for cs in cands]
        groups: dict[str, set[int]] = defaultdict(set)
        for i, m in enumerate(mentions):
            groups[f"{m.kind.value}:{m.key}"].add(i)
        group_of = {i: g for g in groups.values() for i in g}
        rivals = [_rival_areas(cs) for cs in cands]

        scores = priors
        choices = self._choose(cands, scores, groups)
        for _ in range(s.rounds):
            ctx = _Context.of(choices)
            scores = [
                [p + self._evidence(c.place, group_of[i], ctx, rivals[i]) for c, p in zip(cs, ps)]
                for i, (cs, ps) in enumerate(zip(cands, priors))
            ]
            choices = self._choose(cands, scores, groups)

        out = []
        for i, m in enumerate(mentions):
            place = choices[i]
            if place is None:
                out.append(Resolution(m, None, 0.0))
                continue
            pooled = self._pooled(cands, scores, group_of[i])
            ranked = sorted(pooled.items(), key=lambda kv: -kv[1])
            top = ranked[0][1]
            weights = [math.exp((v - top) / s.temperature) for _, v in ranked]
            confidence = weights[0] / sum(weights)
            places = {c.place.geonameid: c.place for c in cands[i]}
            alternatives = tuple(places[g] for g, _ in ranked[1:4] if g in places)
            out.append(Resolution(m, place, confidence, alternatives))
        return tuple(out)

    def _namesake_city(self, c: Candidate, cands: list[Candidate]) -> float:
        """A city that gave its name to its region ("New York", "Moscow") is what a bare name means;
        a village that merely shares a state's name ("Montana City") is not: it must hold a tenth
        of the region's people."""
        if c.place.feature not in (Feature.CITY, Feature.CAPITAL):
            return 0.0
        for other in cands:
            if (other.place.feature == Feature.ADMIN1
                    and (other.place.country, other.place.admin1) == (c.place.country, c.place.admin1)
                    and c.place.population * 10 >= other.place.population):
                return self.settings.namesake_city
        return 0.0

    def _evidence(self, place: Place, group: set[int], ctx: _Context, rivals: set[tuple[str, str]]) -> float:
        """What the rest of the document says for this place (the mention's own group excluded).

        A country or region that is itself a reading of the mention lends no support to the
        places inside it: "Mexico" near "Mexican" is the country, not Mexico City. The weak
        hints are capped; the place being chosen elsewhere in the text is strong and is not.
        """
        s = self.settings
        score = 0.0
        if (place.feature != Feature.COUNTRY and (place.country, "") not in rivals
                and _others(ctx.countries.get(place.country, set()), group)):
            score += s.country_context
        if (place.feature in (Feature.CITY, Feature.CAPITAL, Feature.ADMIN2)
                and (place.country, place.admin1) not in rivals
                and _others(ctx.admin1s.get((place.country, place.admin1), set()), group)):
            score += s.admin1_context
        if place.feature in (Feature.CITY, Feature.CAPITAL, Feature.ADMIN2, Feature.OTHER):
            near = [
                distance_km(place.lat, place.lon, other.lat, other.lon)
                for i, other in ctx.points
                if i not in group and other.geonameid != place.geonameid
            ]
            if near and min(near) <= s.near_km:
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

    def _choose(self, cands, scores, groups) -> dict[int, Place | None]:
        choices: dict[int, Place | None] = {}
        for group in groups.values():
            pooled = self._pooled(cands, scores, group)
            if not pooled:
                choices.update({i: None for i in group})
                continue
            best = max(pooled, key=pooled.get)
            place = next(c.place for i in group for c in cands[i] if c.place.geonameid == best)
            choices.update({i: place for i in group})
        return choices


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
    from geomap.gazetteer.store import shared_gazetteer

    return Resolver(shared_gazetteer(gazetteer_path), settings_from_config(weights))
