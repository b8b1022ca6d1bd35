"""Accuracy cannot fall silently: a few GeoWebNews documents, scored as the shared scorer does."""

import json

import pytest

from conftest import SHARED, needs_shared
from geomap.errors import InputError
from geomap.evaluate import evaluate, match, read_gold, score

GOLD = SHARED / "eval" / "gold" / "geowebnews.jsonl"


def test_match_is_one_to_one_by_largest_overlap():
    gold = [{"start": 0, "end": 10}, {"start": 12, "end": 15}]
    pred = [{"start": 0, "end": 4}, {"start": 2, "end": 14}]
    assert sorted(match(gold, pred)) == [(0, 1), (1, 0)] or sorted(match(gold, pred)) == [(0, 1)]


def test_score_counts_misses_and_wrong_places():
    gold = [{"id": "1", "toponyms": [
        {"start": 0, "end": 5, "lat": 0.0, "lon": 0.0},
        {"start": 10, "end": 15, "lat": 10.0, "lon": 10.0},
    ]}]
    pred = [{"id": "1", "mentions": [{"start": 0, "end": 5, "kind": "toponym", "place": {"lat": 0.5, "lon": 0.0}}]}]
    figures = score(gold, pred)
    assert figures["precision"] == 1.0 and figures["recall"] == 0.5
    assert figures["acc161_matched"] == 1.0 and figures["acc161_end_to_end"] == 0.5


@pytest.mark.parametrize("start, end", [(3, 1000), (4, 2), (2, 2)])
def test_a_gold_span_outside_its_text_is_named_with_its_line(tmp_path, start, end):
    gold = tmp_path / "gold.jsonl"
    toponyms = [{"start": 0, "end": 5, "lat": 1, "lon": 2}, {"start": start, "end": end, "lat": 1, "lon": 2}]
    gold.write_text(json.dumps({"id": 1, "text": "Paris", "toponyms": toponyms[:1]}) + "\n"
                    + json.dumps({"id": 2, "text": "Paris", "toponyms": toponyms}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=f"^{gold}:2: toponym 2 spans {start}..{end}, not a span of the text's 5"):
        read_gold(str(gold))


@pytest.mark.skipif(not GOLD.exists(), reason="shared gold data not present")
def test_regression_on_twenty_geowebnews_documents(geoparser, tmp_path):
    subset = tmp_path / "gwn20.jsonl"
    with GOLD.open(encoding="utf-8") as fh:
        subset.write_text("".join(line for _, line in zip(range(20), fh)), encoding="utf-8")
    figures = evaluate(read_gold(str(subset)), geoparser)
    # Measured 0.778 and 0.598 when this test was written; the margin absorbs small trade-offs.
    assert figures["f1"] >= 0.75
    assert figures["acc161_end_to_end"] >= 0.57


@needs_shared
def test_geomap_eval_prints_the_shared_scorers_figures(geoparser, tmp_path):
    import sys

    sys.path.insert(0, str(SHARED / "eval"))
    import score as shared

    gold = SHARED / "eval" / "gold" / "seed.jsonl"
    pred = tmp_path / "pred.jsonl"
    ours = evaluate(read_gold(str(gold)), geoparser, pred)
    theirs = shared.score(shared.read_jsonl(gold), shared.read_jsonl(pred))
    assert {k: v for k, v in theirs.items() if k in ours} == {k: ours[k] for k in theirs if k in ours}
    assert ours["f1"] == 1.0 and ours["acc161_end_to_end"] == 1.0  # the seed stays at 22/22


def test_precision_by_rule_counts_a_mention_correct_when_it_matches_a_gold_span():
    from geomap.evaluate import rule_precision

    gold = [{"id": "1", "toponyms": [{"start": 0, "end": 5, "lat": 0.0, "lon": 0.0}]},
            {"id": "2", "count_demonyms": False, "toponyms": []}]
    preds = [{"id": "1", "mentions": [{"start": 0, "end": 5, "rule": "ner_place"},
                                      {"start": 8, "end": 12, "rule": "list"}]},
             {"id": "2", "mentions": [{"start": 0, "end": 3, "rule": "list"},
                                      {"start": 5, "end": 9, "kind": "demonym", "rule": "ner_demonym"}]}]
    assert rule_precision(gold, preds) == {"list": {"predicted": 2, "correct": 0, "precision": 0.0},
                                           "ner_place": {"predicted": 1, "correct": 1, "precision": 1.0}}


def test_accuracy_by_step_counts_matched_mentions_under_the_step_that_placed_them():
    from geomap.evaluate import step_accuracy

    gold = [{"id": "1", "toponyms": [{"start": 0, "end": 5, "lat": 0.0, "lon": 0.0},
                                     {"start": 10, "end": 15, "lat": 0.0, "lon": 0.0},
                                     {"start": 20, "end": 25, "lat": 0.0, "lon": 0.0},
                                     {"start": 30, "end": 35, "lat": 0.0, "lon": 0.0}]}]
    near, far = {"lat": 0.5, "lon": 0.0}, {"lat": 10.0, "lon": 0.0}  # 56 km and 1,112 km from the gold
    preds = [{"id": "1", "mentions": [{"start": 0, "end": 5, "place": near, "step": "prior"},
                                      {"start": 10, "end": 15, "place": far, "step": "prior"},
                                      {"start": 20, "end": 25, "place": near, "step": "near_town_before"},
                                      {"start": 30, "end": 35, "place": None, "step": ""},
                                      {"start": 40, "end": 45, "place": near, "step": "context"}]}]
    assert step_accuracy(gold, preds) == {
        "prior": {"matched": 2, "within_161km": 1, "acc161": 0.5},
        "near_town_before": {"matched": 1, "within_161km": 1, "acc161": 1.0},
        "unplaced": {"matched": 1, "within_161km": 0, "acc161": 0.0},
    }  # the unmatched "context" mention is recognition's miss, not the step's
