"""The spaCy component `geomap_recogniser`: runs the rules over a Doc; results land on
``doc._.geo_mentions``. Its settings (population thresholds, the language of the word lists, the
NER labels it reads) are the factory's config."""

from __future__ import annotations

from dataclasses import asdict, fields

from spacy.language import Language
from spacy.tokens import Doc

import geomap.formats  # noqa: F401  (Docs carrying these values serialise)
from geomap.spacy_support import GazetteerComponent
from geomap.gazetteer.store import Gazetteer
from geomap.model import Mention
from geomap.recognise.context import Context, Found, Labels, RecogniserSettings
from geomap.recognise.rules import RULES, Rule, qualify


class Recogniser(GazetteerComponent):
    """Proposes place mentions for a parsed `Doc`."""

    def __init__(self, gazetteer: Gazetteer, settings: RecogniserSettings = RecogniserSettings(),
                 rules: tuple[Rule, ...] = RULES):
        self.gazetteer = gazetteer
        self.settings = settings
        self.rules = rules

    def __call__(self, doc: Doc) -> Doc:
        doc._.geo_mentions = self.mentions(doc)
        return doc

    def mentions(self, doc: Doc) -> tuple[Mention, ...]:
        """Every rule in turn over one context; each mention says which rule made it."""
        ctx = Context.of(doc, self.gazetteer, self.settings)
        found = Found(doc)
        for rule in self.rules:
            found.rule, found.source, found.feature_sign, found.road = (rule.name, rule.source, rule.signs_feature,
                                                                        rule.names_road)
            rule.apply(ctx, found)
        return tuple(qualify(doc.text, sorted(found.mentions, key=lambda m: m.start), ctx.words))


if not Doc.has_extension("geo_mentions"):
    Doc.set_extension("geo_mentions", default=())


def labels_from_config(labels: dict) -> Labels:
    unknown = sorted(labels.keys() - {f.name for f in fields(Labels)})
    if unknown:
        raise ValueError(f"geomap_recogniser: unknown labels {', '.join(unknown)}")
    return Labels(**{name: tuple(values) for name, values in labels.items()})


@Language.factory(
    "geomap_recogniser",
    assigns=["doc._.geo_mentions"],
    requires=["doc.ents"],
    default_config={"gazetteer_path": None, **asdict(RecogniserSettings())},
)
def make_recogniser(nlp: Language, name: str, gazetteer_path: str | None, min_population: int,
                    cued_population: int, home_km: float, language: str, labels: dict) -> Recogniser:
    """spaCy's factory (entry point `geomap_recogniser`): the config carries `RecogniserSettings`,
    the NER labels included; no gazetteer path means the default gazetteer."""
    from geomap.gazetteer import shared_gazetteer

    settings = RecogniserSettings(min_population, cued_population, home_km, language, labels_from_config(labels))
    return Recogniser(shared_gazetteer(gazetteer_path), settings)
