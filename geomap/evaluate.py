"""The field's standard geoparsing figures (Gritta et al. 2018), as the shared score.py computes them.

Recognition: precision, recall, F1 with one-to-one overlap matching. Resolution over
matched gold toponyms: accuracy within 161 km, median error, AUC of the log error;
end to end, accuracy within 161 km over all gold toponyms. Demonym mentions count
only in documents whose gold says "count_demonyms".
"""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from geomap.errors import InputError
from geomap.geodesy import distance_km
from geomap.inputs.reading import open_regular
from geomap.inputs.records import read_json_lines, valid_unicode
from geomap.outputs import atomic_writer
from geomap.model import Article

MAX_ERROR_KM = 20039.0
"""Half the equator: the error charged to a matched toponym left unresolved."""


def match(gold: list[dict], pred: list[dict]) -> list[tuple[int, int]]:
    """Greedy one-to-one overlap matching, largest overlap first."""
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            overlap = min(g["end"], p["end"]) - max(g["start"], p["start"])
            if overlap > 0:
                pairs.append((overlap, gi, pi))
    pairs.sort(reverse=True)
    used_g, used_p, out = set(), set(), []
    for _, gi, pi in pairs:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            out.append((gi, pi))
    return out


def score(gold_docs: list[dict], pred_docs: list[dict]) -> dict:
    preds = {d["id"]: d for d in pred_docs}
    n_gold = n_pred = n_match = 0
    errors: list[float] = []
    for doc in gold_docs:
        gold = doc["toponyms"]
        pred = _scored(doc, preds)
        n_gold += len(gold)
        n_pred += len(pred)
        for gi, pi in match(gold, pred):
            n_match += 1
            place = pred[pi].get("place")
            g = gold[gi]
            errors.append(MAX_ERROR_KM if not place else distance_km(g["lat"], g["lon"], place["lat"], place["lon"]))
    p = n_match / n_pred if n_pred else 0.0
    r = n_match / n_gold if n_gold else 0.0
    within = sum(1 for e in errors if e <= 161)
    return {
        "documents": len(gold_docs),
        "gold_toponyms": n_gold,
        "predicted_toponyms": n_pred,
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        "acc161_matched": round(within / len(errors), 4) if errors else 0.0,
        "median_error_km_matched": round(statistics.median(errors), 1) if errors else None,
        "auc_matched": round(sum(math.log(1 + e) for e in errors) / (len(errors) * math.log(1 + MAX_ERROR_KM)), 4)
        if errors else 1.0,
        "acc161_end_to_end": round(within / n_gold, 4) if n_gold else 0.0,
    }


def _scored(doc: dict, preds: dict[str, dict]) -> list[dict]:
    """The document's predicted mentions the scorer counts (demonyms only where the gold counts them)."""
    kinds = ("toponym", "demonym") if doc.get("count_demonyms") else ("toponym",)
    return [m for m in preds.get(doc["id"], {}).get("mentions", []) if m.get("kind", "toponym") in kinds]


def rule_precision(gold_docs: list[dict], pred_docs: list[dict]) -> dict[str, dict]:
    """Per recognition rule (each predicted mention's "rule"): the mentions it made that the scorer
    counts, how many match a gold toponym (score's one-to-one overlap matching) and their share."""
    preds = {d["id"]: d for d in pred_docs}
    made: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    for doc in gold_docs:
        pred = _scored(doc, preds)
        matched = {pi for _, pi in match(doc["toponyms"], pred)}
        for pi, mention in enumerate(pred):
            rule = mention.get("rule") or "unknown"
            made[rule] += 1
            correct[rule] += pi in matched
    return {rule: {"predicted": made[rule], "correct": correct[rule], "precision": round(correct[rule] / made[rule], 4)}
            for rule in sorted(made, key=lambda r: -made[r])}


def _accuracy_by(gold_docs: list[dict], pred_docs: list[dict], group: Callable[[dict], str | None],
                 order: list[str] | None = None) -> dict[str, dict]:
    """Per group of matched mentions (`group(mention)`; None leaves a mention out): how many, how many
    within 161 km of the gold place (an unplaced one never), and that share; largest groups first
    unless `order` names them."""
    preds = {d["id"]: d for d in pred_docs}
    placed: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for doc in gold_docs:
        gold, pred = doc["toponyms"], _scored(doc, preds)
        for gi, pi in match(gold, pred):
            name = group(pred[pi])
            if name is None:
                continue
            place = pred[pi].get("place")
            placed[name] += 1
            right[name] += bool(place and distance_km(gold[gi]["lat"], gold[gi]["lon"], place["lat"], place["lon"]) <= 161)
    return {name: {"matched": placed[name], "within_161km": right[name],
                   "acc161": round(right[name] / placed[name], 4) if placed[name] else 0.0}
            for name in (order or sorted(placed, key=lambda n: -placed[n]))}


def step_accuracy(gold_docs: list[dict], pred_docs: list[dict]) -> dict[str, dict]:
    """Per resolution step (each predicted mention's "step"): the matched mentions it placed and the
    share of them within 161 km of the gold place; a matched mention left unplaced counts under "unplaced"."""
    return _accuracy_by(gold_docs, pred_docs,
                        lambda m: (m.get("step") or "unknown") if m.get("place") else "unplaced")


CONFIDENCE_BUCKETS = ((0.9, "≥ 0.9"), (0.6, "0.6–0.9"), (0.0, "< 0.6"))
"""How sure the resolver said it was, as the README reports it."""


def confidence_accuracy(gold_docs: list[dict], pred_docs: list[dict]) -> dict[str, dict]:
    """Per confidence bucket: the matched, placed mentions the resolver gave that confidence and the
    share within 161 km of the gold place (calibration: the higher bucket should be right more often)."""
    def bucket(mention: dict) -> str | None:
        confidence = mention.get("confidence", 0.0)
        return next(name for low, name in CONFIDENCE_BUCKETS if confidence >= low) if mention.get("place") else None

    return _accuracy_by(gold_docs, pred_docs, bucket, [name for _, name in CONFIDENCE_BUCKETS])


def read_gold(path: str) -> list[dict]:
    """Every gold document, each checked, so a bad one is named by FILE:LINE before anything is parsed."""
    return list(read_json_lines(open_regular(path, "a gold JSON Lines file"), path, _gold_document))


def _gold_document(data: dict, where: str, number: int) -> dict:
    text, toponyms = data.get("text"), data.get("toponyms")
    if not isinstance(text, str):
        raise InputError(f"{where}: missing string field \"text\"")
    if not isinstance(toponyms, list):
        raise InputError(f"{where}: missing list field \"toponyms\"")
    for i, toponym in enumerate(toponyms, 1):
        if not isinstance(toponym, dict):
            raise InputError(f"{where}: toponym {i} is not an object")
        for field, kinds in (("start", int), ("end", int), ("lat", (int, float)), ("lon", (int, float))):
            value = toponym.get(field)
            if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value):
                raise InputError(f"{where}: toponym {i} has no number \"{field}\"")
        # Negative offsets are let through: the shared GeoWebNews gold has two, which no mention can match.
        if not toponym["start"] < toponym["end"] <= len(text):
            raise InputError(f"{where}: toponym {i} spans {toponym['start']}..{toponym['end']},"
                             f" not a span of the text's {len(text)} characters")
    if not isinstance(data.get("home", ""), str):
        raise InputError(f"{where}: \"home\" is not a string")
    ident = valid_unicode(str(data.get("id", number)), where, "id")  # the rule read_records follows too
    return {**data, "id": ident, "text": valid_unicode(text, where, "text")}


def evaluate(gold: list[dict], geoparser, pred_path: Path | None = None, by_rule: bool = False,
             gold_homes: bool = False) -> dict:
    """Run the geoparser over gold documents (`read_gold`) and score it; optionally keep the
    predictions, and add the precision of each recognition rule ("by_rule") and the accuracy of
    each resolution step ("by_step") and of each confidence bucket ("by_confidence"). `gold_homes`:
    each article's home is its gold line's "home"."""
    articles = (Article(doc["text"], id=doc["id"], home=doc.get("home") or "" if gold_homes else "") for doc in gold)
    preds = [d.to_json() for d in geoparser.pipe(articles)]
    if pred_path:
        with atomic_writer(pred_path) as out:
            out.writelines(json.dumps(p, ensure_ascii=False) + "\n" for p in preds)
    figures = score(gold, preds)
    if not by_rule:
        return figures
    return {**figures, "by_rule": rule_precision(gold, preds), "by_step": step_accuracy(gold, preds),
            "by_confidence": confidence_accuracy(gold, preds)}


def format_report(figures: dict) -> str:
    lines = []
    for key, value in figures.items():
        if key == "by_rule":
            lines.append(f"{'precision by rule':32} correct/predicted")
            lines += [f"  {rule:30} {row['precision']:<7} {row['correct']}/{row['predicted']}" for rule, row in value.items()]
        elif key in ("by_step", "by_confidence"):
            lines.append(f"{'acc@161 by ' + ('resolution step' if key == 'by_step' else 'confidence'):32} "
                         "within 161 km/matched")
            lines += [f"  {name:30} {row['acc161']:<7} {row['within_161km']}/{row['matched']}" for name, row in value.items()]
        else:
            lines.append(f"{key:32} {value}")
    return "\n".join(lines)
