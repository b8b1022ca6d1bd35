"""The spaCy component `geomap_resolver`: the steps over a document's mentions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

import geomap.formats  # noqa: F401  (Docs carrying these values serialise)
from geomap.errors import InputError
from geomap.gazetteer.names import fold
from geomap.gazetteer.store import Gazetteer
from geomap.model import Mention, Place, Resolution
from geomap.resolve.draft import Draft
from geomap.resolve.settings import ResolverSettings, settings_from_config, weights_config
from geomap.resolve.steps import STEPS, Step
from geomap.spacy_support import GazetteerComponent


def preferred(gazetteer: Gazetteer, prefer: Mapping[str, int]) -> dict[str, Place]:
    """A user's {name: geonameid} as {folded name: place}; an id the gazetteer lacks is refused."""
    places = {}
    for name, geonameid in prefer.items():
        place = gazetteer.get(geonameid)
        if place is None:
            raise InputError(f"`prefer` {name}={geonameid}: the gazetteer has no place {geonameid}", parameters=("prefer",))
        places[fold(name)] = place
    return places


class Resolver(GazetteerComponent):
    """Resolves a document's mentions against the gazetteer, step by step (`STEPS`)."""

    def __init__(self, gazetteer: Gazetteer, settings: ResolverSettings = ResolverSettings(),
                 steps: tuple[Step, ...] = STEPS):
        self.gazetteer = gazetteer
        self.settings = settings
        self.steps = steps

    def __call__(self, doc: Doc, prefer: Mapping[str, int] | None = None) -> Doc:
        """`prefer`: {name: geonameid}, the place a name means in this text (spaCy's `component_cfg`);
        the article's home, where the user gave one, is `doc._.geo_home`."""
        draft = self.draft(doc._.geo_mentions, preferred(self.gazetteer, prefer or {}), doc.text, doc._.geo_home)
        doc._.geo_resolutions, doc._.geo_focus = tuple(draft.resolutions), draft.focus
        return doc

    def resolve(self, mentions: Sequence[Mention], prefer: Mapping[str, Place] | None = None,
                text: str = "", home: Place | None = None) -> tuple[Resolution, ...]:
        """The resolutions of a text's mentions. `prefer` ({folded name: place}, `preferred`): the
        user's choice for a name; `home`: where the article is from (`home_place`)."""
        return tuple(self.draft(mentions, prefer, text, home).resolutions)

    def draft(self, mentions: Sequence[Mention], prefer: Mapping[str, Place] | None = None,
              text: str = "", home: Place | None = None) -> Draft:
        """Every step over the mentions. Each works per reading (a name with its qualifier) or per
        group (a name), and once per mention only to pool scores, so the cost is linear in the mentions."""
        draft = Draft.of(list(mentions), self.gazetteer, self.settings, dict(prefer or {}), text, home)
        for step in self.steps:
            step.apply(draft)
        return draft


if not Doc.has_extension("geo_resolutions"):
    Doc.set_extension("geo_resolutions", default=())
if not Doc.has_extension("geo_focus"):
    Doc.set_extension("geo_focus", default=None)


def _span_place(span: Span) -> Place | None:
    for r in span.doc._.geo_resolutions:
        if r.mention.start < span.end_char and span.start_char < r.mention.end:
            return r.place
    return None


if not Span.has_extension("geo_place"):
    Span.set_extension("geo_place", getter=_span_place)


@Language.factory(
    "geomap_resolver",
    assigns=["doc._.geo_resolutions", "doc._.geo_focus", "span._.geo_place"],
    requires=["doc._.geo_mentions"],
    default_config={"gazetteer_path": None, "weights": weights_config(ResolverSettings())},
)
def make_resolver(nlp: Language, name: str, gazetteer_path: str | None, weights: dict) -> Resolver:
    """spaCy's factory (entry point `geomap_resolver`): the config carries every weight, so
    `nlp.config` and a saved pipeline hold them; no gazetteer path means the default gazetteer."""
    from geomap.gazetteer import shared_gazetteer

    return Resolver(shared_gazetteer(gazetteer_path), settings_from_config(weights))
