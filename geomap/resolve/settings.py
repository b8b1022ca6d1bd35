"""The resolver's weights: one frozen value, carried as the spaCy component's config."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from geomap.kinds import KINDS
from geomap.model import Feature


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
    other places lie elsewhere, is dropped (the `strays` step)."""
    focus_country: float = 1.0
    """For a candidate in (or being) the country of the article's focus (`focus` step)."""
    focus_region: float = 3.0
    """For a candidate in (or being) the first-level region of the focus."""
    focus_near: float = 3.0
    """For a candidate at a town-level focus, falling to 0 at `focus_near_km`."""
    focus_near_km: float = 300.0
    focus_near_alias: float = 0.5
    """The share of `focus_near` for a candidate that answers to the name only by an alternate name:
    a village near the focus that once bore a namesake's name ("Dublin" for Resaca, Georgia) is not
    what the text means by it."""
    focus_local_share: float = 0.5
    """A story is local when this share of its names has a reading at its town-level focus: then a
    name the gazetteer cannot place is at the focus town rather than at a town named before it
    beyond `focus_town_km`."""
    focus_town_km: float = 161.0
    """A local story's surroundings: a town named within them is where its streets are; one beyond
    is a story's excursion, and its streets are more likely the paper's own (the field's 100 miles)."""
    focus_min_names: int = 3
    focus_min_vote: float = 0.1
    focus_min_share: float = 0.15
    focus_min_lead: float = 1.5
    """The text agrees on a region or country when this many of its names have a reading there with
    at least this share of their prior, and their votes hold this share of all and this many times
    the runner-up's (`focus.agreed`)."""
    preferred: float = 25.0
    """For the place a user prefers for a name (`prefer`): more than any prior and evidence
    together, so it wins for every mention of that name."""

    def priors(self) -> dict[Feature, float]:
        """Each kind's starting score: the table's, overridden by the config's."""
        return {feature: kind.prior for feature, kind in KINDS.items()} | dict(self.feature_prior)


def weights_config(settings: ResolverSettings) -> dict:
    """`ResolverSettings` as spaCy config values: the feature priors keyed by the feature's name."""
    return {**asdict(settings), "feature_prior": {feature.value: w for feature, w in settings.feature_prior}}


def settings_from_config(weights: dict) -> ResolverSettings:
    unknown = sorted(weights.keys() - {f.name for f in fields(ResolverSettings)})
    if unknown:
        raise ValueError(f"geomap_resolver: unknown weights {', '.join(unknown)}")
    priors = tuple((Feature(feature), float(w)) for feature, w in weights["feature_prior"].items())
    return ResolverSettings(**{**weights, "feature_prior": priors})
