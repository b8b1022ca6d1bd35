"""Each resolution step on its own, over mentions of a short text and a gazetteer of a few places
held in memory: milliseconds each, no model, no database."""

from __future__ import annotations

import re

import pytest

from geomap.gazetteer.names import fold
from geomap.model import Feature, Mention, MentionKind
from geomap.resolve import STEPS, Resolver
from geomap.resolve.draft import Draft
from geomap.resolve.settings import ResolverSettings
from geomap.resolve.steps import candidates, one_sense, qualifier
from test_rules import TinyGazetteer, place

PARIS_FR = place(101, "Paris", Feature.CAPITAL, 48.85, 2.35, "FR", "11", 2_100_000)
PARIS_TX = place(102, "Paris", Feature.CITY, 33.66, -95.56, "US", "TX", 25_000)
TEXAS = place(103, "Texas", Feature.ADMIN1, 31.0, -99.0, "US", "TX", 29_000_000)
LAMAR = place(104, "Lamar County", Feature.ADMIN2, 33.67, -95.57, "US", "TX", 50_000)
LAMAR_AL = place(105, "Lamar County", Feature.ADMIN2, 33.78, -88.1, "US", "AL", 14_000)
FRANCE = place(106, "France", Feature.COUNTRY, 46.0, 2.0, "FR", "", 67_000_000)
MEXICO = place(107, "Mexico", Feature.COUNTRY, 23.0, -102.0, "MX", "", 126_000_000)
MEXICO_CITY = place(108, "Mexico City", Feature.CAPITAL, 19.43, -99.13, "MX", "09", 12_000_000)
NOMA = place(109, "Noma", Feature.CITY, 30.9, 36.1, "JP", "", 3_000)
UNITED_STATES = place(110, "United States", Feature.COUNTRY, 39.8, -98.5, "US", "", 330_000_000)
GAZETTEER = TinyGazetteer([
    (PARIS_FR, ()), (PARIS_TX, ()), (TEXAS, ("Tex.",)), (LAMAR, ()), (LAMAR_AL, ()), (FRANCE, ()),
    (MEXICO, ()), (MEXICO_CITY, ("Mexico",)), (NOMA, ()), (UNITED_STATES, ("U.S.",)),
])


def mentions(text: str, *names: str, source: str = "ner", qualifiers: dict[str, str] | None = None) -> list[Mention]:
    """A mention for each occurrence of each name in `text`, in text order; `qualifiers`: name -> the
    qualifier the recogniser would have attached ("Paris" -> "Texas")."""
    found = []
    for name in names:
        for m in re.finditer(re.escape(name), text):
            found.append(Mention(m.start(), m.end(), name, MentionKind.TOPONYM, fold(name),
                                 qualifier=fold((qualifiers or {}).get(name, "")), source=source))
    return sorted(found, key=lambda m: m.start)


def resolve(text: str, *names: str, **kwargs) -> dict[str, tuple[str, str]]:
    """{mention text at offset: (the chosen place's country/admin1, the step that chose it)}."""
    prefer = kwargs.pop("prefer", None)
    out = Resolver(GAZETTEER).resolve(mentions(text, *names, **kwargs), prefer)
    return {f"{r.mention.text}@{r.mention.start}": (f"{r.place.country}/{r.place.admin1}" if r.place else "", r.step)
            for r in out}


def draft(text: str, *names: str, **kwargs) -> Draft:
    return Draft.of(mentions(text, *names, **kwargs), GAZETTEER, ResolverSettings(), {})


def test_the_steps_run_in_the_documented_order_each_with_its_reason():
    assert [s.name for s in STEPS] == ["candidates", "qualifier", "one_sense", "prior", "prefer", "context",
                                       "confidence", "strays", "approximate"]
    assert all(s.reason for s in STEPS)


def test_candidates_keep_a_country_over_a_town_answering_to_its_name_only_by_an_alias():
    d = draft("Mexico said so.", "Mexico")
    candidates(d)
    assert [c.place for c in d.readings[0].candidates] == [MEXICO]


def test_mentions_of_one_reading_share_one_lookup():
    d = draft("Paris is calm. Paris is busy. Paris again.", "Paris")
    assert len(d.readings) == 1 and d.reading_of == [0, 0, 0]


def test_the_qualifier_narrows_to_the_places_inside_it():
    d = draft("Paris, Texas is small.", "Paris", "Texas", qualifiers={"Paris": "Texas"})
    candidates(d)
    qualifier(d)
    paris = d.readings[0]
    assert paris.narrowed and [c.place for c in paris.candidates] == [PARIS_TX]


def test_a_narrowed_mention_keeps_a_group_of_its_own_while_bare_mentions_share_one():
    d = draft("Paris, Texas and Paris. Then Paris.", "Paris", "Texas", qualifiers={})
    narrowed = Mention(0, 5, "Paris", lookup="paris", qualifier="texas")
    d = Draft.of([narrowed, *d.mentions[1:]], GAZETTEER, ResolverSettings(), {})
    for step in (candidates, qualifier, one_sense):
        step(d)
    assert [g.mentions for g in d.groups] == [[0], [1], [2, 3]]


def test_the_prior_chooses_the_bigger_namesake_and_says_so():
    assert resolve("Paris is calm.", "Paris") == {"Paris@0": ("FR/11", "prior")}


def test_the_qualifier_step_is_named_when_it_narrowed():
    found = resolve("Paris, Texas is small.", "Paris", "Texas", qualifiers={"Paris": "Texas"})
    assert found["Paris@0"] == ("US/TX", "qualifier")


def test_the_context_step_moves_a_namesake_to_the_region_the_text_names():
    found = resolve("Lamar County voted. Texas roads are closed.", "Lamar County", "Texas")
    assert found["Lamar County@0"] == ("US/TX", "prior")  # the bigger one already
    found = resolve("Paris voted on roads in Lamar County, in Texas.", "Paris", "Lamar County", "Texas")
    assert found["Paris@0"] == ("US/TX", "context")


def test_the_prefer_step_wins_over_the_prior():
    found = resolve("Paris is calm.", "Paris", prefer={"paris": PARIS_TX})
    assert found["Paris@0"] == ("US/TX", "prefer")


def test_confidence_is_the_winners_share_and_alternatives_are_the_rest():
    out = Resolver(GAZETTEER).resolve(mentions("Paris is calm.", "Paris"))
    (r,) = out
    assert 0.5 < r.confidence < 1.0
    assert [p for p, _ in r.alternatives] == [PARIS_TX]
    assert r.confidence + sum(share for _, share in r.alternatives) == pytest.approx(1.0)


def test_a_small_town_only_the_gazetteer_proposed_alone_abroad_is_dropped():
    text = "Noma said Texas and the U.S. agreed."
    noma = mentions(text, "Noma", source="gazetteer")
    out = Resolver(GAZETTEER).resolve(sorted(noma + mentions(text, "Texas", "U.S."), key=lambda m: m.start))
    assert [r.mention.text for r in out] == ["Texas", "U.S."]


@pytest.mark.parametrize(("text", "names", "qualifiers", "step"), [
    ("Main Street, Paris, Texas.", ("Main Street", "Paris"), {"Main Street": "Paris"}, "near_qualifier"),
    ("In Paris the Paris Cathedral stood.", ("Paris Cathedral", "Paris"), {}, "near_named_inside"),
    ("In Paris crowds filled Royal Street.", ("Royal Street", "Paris"), {}, "near_town_before"),
])
def test_an_unplaced_name_is_placed_approximately_and_says_how(text, names, qualifiers, step):
    out = Resolver(GAZETTEER).resolve(mentions(text, *names, qualifiers=qualifiers))
    unplaced = next(r for r in out if r.mention.text == names[0])
    assert unplaced.approximate and unplaced.place is not None and unplaced.step == step


def test_a_name_before_any_town_stays_unplaced():
    (r, _) = Resolver(GAZETTEER).resolve(mentions("Royal Street was closed in Paris.", "Royal Street", "Paris"))
    assert r.place is None and r.step == ""
