"""Each resolution step on its own, over mentions of a short text and a gazetteer of a few places
held in memory: milliseconds each, no model, no database."""

from __future__ import annotations

import dataclasses
import re

import pytest

from geomap.gazetteer.names import fold
from geomap.model import Feature, Mention, MentionKind
from geomap.resolve import STEPS, Resolver
from geomap.resolve.draft import Draft
from geomap.resolve.settings import ResolverSettings
from geomap.resolve.steps import _prior_shares, candidates, one_sense, qualifier
from fakes import TinyGazetteer, place

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
    assert [s.name for s in STEPS] == ["candidates", "qualifier", "one_sense", "prior", "prefer", "focus", "context",
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
    without_focus = Resolver(GAZETTEER, steps=tuple(s for s in STEPS if s.name != "focus"))
    text = "Paris voted on roads in Lamar County, in Texas."
    (paris, *_) = without_focus.resolve(mentions(text, "Paris", "Lamar County", "Texas"))
    assert (paris.place, paris.step) == (PARIS_TX, "context")


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


def test_a_road_is_placed_in_the_town_before_it_not_at_a_place_named_inside_it():
    text = "Texas voters in Paris filled the Texas Expressway."
    at = text.index("Texas Expressway")
    road = Mention(at, at + 16, "Texas Expressway", lookup="texas expressway", road=True)
    out = Resolver(GAZETTEER).resolve([*mentions(text[:at], "Texas", "Paris"), road])
    assert (out[2].place, out[2].step) == (PARIS_TX, "near_town_before")
    building = Mention(at, at + 16, "Texas Expressway", lookup="texas expressway")  # were it a building
    assert Resolver(GAZETTEER).resolve([*mentions(text[:at], "Texas", "Paris"), building])[2].place == TEXAS


def test_a_name_before_any_town_stays_unplaced():
    (r, _) = Resolver(GAZETTEER).resolve(mentions("Royal Street was closed in Paris.", "Royal Street", "Paris"))
    assert r.place is None and r.step == ""


# -- the article's focus: dateline, home, the text's own agreement --------------------------------

ATHENS_GR = place(120, "Athens", Feature.CAPITAL, 37.98, 23.73, "GR", "ESYE31", 660_000)
ATHENS_GA = place(121, "Athens", Feature.CITY, 33.96, -83.38, "US", "GA", 127_000)
ROME_IT = place(122, "Rome", Feature.CAPITAL, 41.89, 12.48, "IT", "07", 2_300_000)
ROME_GA = place(123, "Rome", Feature.CITY, 34.26, -85.16, "US", "GA", 36_000)
COLUMBUS_OH = place(124, "Columbus", Feature.CITY, 39.96, -83.0, "US", "OH", 900_000)
COLUMBUS_GA = place(125, "Columbus", Feature.CITY, 32.46, -84.99, "US", "GA", 200_000)
GEORGIA_US = place(126, "Georgia", Feature.ADMIN1, 32.66, -83.46, "US", "GA", 10_000_000)
GEORGIA_GE = place(127, "Georgia", Feature.COUNTRY, 42.0, 43.5, "GE", "", 3_700_000)
OHIO = place(128, "Ohio", Feature.ADMIN1, 40.4, -82.7, "US", "OH", 11_800_000)


MACON = place(129, "Macon", Feature.CITY, 32.84, -83.63, "US", "GA", 150_000)
ATLANTA = place(130, "Atlanta", Feature.CITY, 33.75, -84.39, "US", "GA", 500_000)
GREECE = place(131, "Greece", Feature.COUNTRY, 39.0, 22.0, "GR", "", 10_700_000)
ITALY = place(132, "Italy", Feature.COUNTRY, 42.8, 12.8, "IT", "", 59_000_000)
LOCAL = TinyGazetteer([(p, ()) for p in (
    PARIS_FR, PARIS_TX, LAMAR, LAMAR_AL, FRANCE, UNITED_STATES, ATHENS_GR, ATHENS_GA, ROME_IT, ROME_GA,
    COLUMBUS_OH, COLUMBUS_GA, GEORGIA_US, GEORGIA_GE, OHIO, MACON, ATLANTA, GREECE, ITALY)] + [(TEXAS, ("Tex.",))])


def resolved(text: str, *names: str, home=None, qualifiers=None):
    """({mention text@offset: (country/admin1, step)}, the focus) of a text over the local gazetteer."""
    draft = Resolver(LOCAL).draft(mentions(text, *names, qualifiers=qualifiers), {}, text, home)
    return ({f"{r.mention.text}@{r.mention.start}": (f"{r.place.country}/{r.place.admin1}" if r.place else "", r.step)
             for r in draft.resolutions}, draft.focus)


def test_a_dateline_naming_the_smaller_namesake_wins_for_the_bare_mentions_after_it():
    text = "Council meets\n\nPARIS, Tex. (AP) — The Paris council met on Monday. Paris will vote."
    found, focus = resolved(text, "PARIS", "Paris")
    assert (focus.place, focus.source) == (PARIS_TX, "dateline")
    assert {place for place, _ in found.values()} == {"US/TX"}
    # Without the dateline the bigger namesake wins, as before.
    found, _ = resolved("Council meets\n\nThe Paris council met on Monday. Paris will vote.", "Paris")
    assert {place for place, _ in found.values()} == {"FR/11"}


def test_a_home_settles_namesakes_and_says_so():
    found, focus = resolved("The Paris council met in Lamar County.", "Paris", "Lamar County", home=PARIS_TX)
    assert (focus.place, focus.source, focus.confidence) == (PARIS_TX, "home", 1.0)
    assert found == {"Paris@4": ("US/TX", "focus"), "Lamar County@25": ("US/TX", "prior")}


def test_the_texts_own_qualifier_and_dateline_win_over_the_home():
    found, _ = resolved("Paris, France hosted the talks.", "Paris", "France", home=PARIS_TX,
                        qualifiers={"Paris": "France"})
    assert found["Paris@0"][0] == "FR/11"
    found, focus = resolved("PARIS, Tex. — The Paris council met.", "PARIS", "Paris", home=ATHENS_GA)
    assert focus.source == "dateline" and found["Paris@18"][0] == "US/TX"


def test_a_foreign_story_in_a_local_paper_keeps_its_foreign_places():
    # Most of its names have no reading near the home, and it names the countries it is about.
    text = "Leaders in Paris and Athens met as France and Greece agreed."
    found, focus = resolved(text, "Paris", "Athens", "France", "Greece", home=ATHENS_GA)
    assert focus.place == ATHENS_GA
    assert [found[k][0] for k in ("Paris@11", "Athens@21")] == ["FR/11", "GR/ESYE31"]
    # The same names in a story about home are the local ones.
    found, _ = resolved("Fans from Athens drove to Rome and Macon.", "Athens", "Rome", "Macon", home=ATHENS_GA)
    assert [found[k][0] for k in ("Athens@10", "Rome@26")] == ["US/GA", "US/GA"]


def test_the_text_agrees_on_the_region_its_names_could_all_be_in():
    text = "Rome beat Athens in Macon, and Columbus hosts the Georgia final before Atlanta."
    found, focus = resolved(text, "Rome", "Athens", "Macon", "Columbus", "Georgia", "Atlanta")
    assert (focus.place, focus.level.value, focus.source) == (GEORGIA_US, "region", "text")
    assert {place for place, _ in found.values()} == {"US/GA"}


def test_no_focus_when_the_names_agree_on_nothing():
    _, focus = resolved("Athens and Paris.", "Athens", "Paris")
    assert focus is None


def test_a_local_storys_unplaced_name_before_any_town_is_at_the_focus_town():
    found, _ = resolved("Main Street was closed for the Paris parade.", "Main Street", "Paris", home=PARIS_TX)
    assert found["Main Street@0"] == ("US/TX", "near_focus")


def test_a_local_storys_unplaced_name_after_a_town_beyond_its_surroundings_is_at_the_focus_town():
    text = "Crews from Columbus, Ohio helped on Main Street in Paris, in Lamar County, Texas."
    names = ("Columbus", "Ohio", "Main Street", "Paris", "Lamar County", "Texas")
    found, _ = resolved(text, *names, home=PARIS_TX, qualifiers={"Columbus": "Ohio"})
    assert found["Main Street@36"] == ("US/TX", "near_focus")
    found, _ = resolved(text, *names, qualifiers={"Columbus": "Ohio"})
    assert found["Main Street@36"] == ("US/OH", "near_town_before")  # no home: the town named before


def test_a_qualifier_is_part_of_the_name_it_qualifies_not_a_vote_of_its_own():
    # "Ohio" qualifies "Columbus": two names vote (the narrowed Columbus and Rome), not three.
    text = "Fans from Columbus, Ohio came to Rome."
    d = Resolver(LOCAL).draft(mentions(text, "Columbus", "Ohio", "Rome", qualifiers={"Columbus": "Ohio"}), {}, text)
    assert d.qualifiers() == {1}
    assert len(_prior_shares(d)) == 2


def test_a_name_the_body_writes_bare_before_its_qualified_namesake_is_another_place():
    def columbus(text: str) -> dict[int, str]:
        """{offset: country/admin1} of each "Columbus", the one before ", Ohio" qualified."""
        found = [dataclasses.replace(m, qualifier=fold("Ohio") if text.startswith(", Ohio", m.end) else "")
                 for m in mentions(text, "Columbus", "Ohio")]
        return {r.mention.start: f"{r.place.country}/{r.place.admin1}"
                for r in Resolver(LOCAL).resolve(found, {}, text) if r.mention.text == "Columbus"}

    text = "Trail vote\n\nColumbus voted on Tuesday. Columbus will pay. A firm from Columbus, Ohio designs it."
    assert columbus(text) == {12: "US/GA", 39: "US/GA", 70: "US/OH"}
    # A headline drops qualifiers: the bare name there is the one the body qualifies.
    assert columbus("Columbus trail vote\n\nThe council of Columbus, Ohio voted.") == {0: "US/OH", 36: "US/OH"}


def test_the_town_a_local_story_names_most_is_its_focus():
    text = ("Main Street was closed in Macon. Rome beat Athens, and Columbus hosts the Georgia final before "
            "Atlanta. Macon fans cheered.")
    found, focus = resolved(text, "Main Street", "Macon", "Rome", "Athens", "Columbus", "Georgia", "Atlanta")
    assert (focus.place, focus.level.value, focus.source) == (MACON, "town", "text")
    assert found["Main Street@0"] == ("US/GA", "near_focus")
    # No town named more than the others: the focus stays the region.
    _, focus = resolved("Rome beat Athens in Macon, and Columbus hosts the Georgia final before Atlanta.",
                        "Rome", "Athens", "Macon", "Columbus", "Georgia", "Atlanta")
    assert focus.level.value == "region"
