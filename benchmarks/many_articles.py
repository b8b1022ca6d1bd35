#!/usr/bin/env python
"""The map of many articles (issue #16): 1,000 articles of GeoWebNews size on one map.

Usage: python benchmarks/many_articles.py [--gold ../shared/eval/gold/geowebnews.jsonl] [--articles 1000]

Needs the shared GeoWebNews gold file (its 200 texts are repeated under new ids to make 1,000)
and, for the opening time, Debian's chromium and playwright (`pip install '.[test]'`). Prints the
time `geomap map --jsonl` takes, the page's size (goal: under 15 MB) and the time Chromium takes
to open it and draw every place (goal: under 5 s).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT.parent / "shared" / "eval" / "gold" / "geowebnews.jsonl"


def open_seconds(page: Path) -> float:
    """Seconds from navigation until the map has drawn its places, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1200, "height": 800})
        start = time.perf_counter()
        tab.goto(page.as_uri())
        tab.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length > 0", timeout=60_000)
        seconds = time.perf_counter() - start
        browser.close()
    return seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--articles", type=int, default=1000)
    args = ap.parse_args()
    if not args.gold.exists():
        print(f"needs the GeoWebNews gold file at {args.gold} (../shared/eval/gold/geowebnews.jsonl)", file=sys.stderr)
        return 2
    texts = [json.loads(line)["text"] for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        source, page = Path(tmp) / "many.jsonl", Path(tmp) / "many.html"
        source.write_text("".join(json.dumps({"id": f"a{i}", "text": texts[i % len(texts)]}) + "\n"
                                  for i in range(args.articles)), encoding="utf-8")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "geomap", "map", "--jsonl", str(source), "-o", str(page)], check=True)
        figures = {"articles": args.articles, "map_s": round(time.perf_counter() - start, 2),
                   "page_mb": round(page.stat().st_size / 1e6, 2)}
        if shutil.which("chromium"):
            figures["open_s"] = round(open_seconds(page), 2)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
