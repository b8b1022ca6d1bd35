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
