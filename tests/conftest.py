"""Shared fixtures: one gazetteer and one pipeline for the whole run (building them is the slow part)."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fakes import one_default_pipeline
from geomap.gazetteer import shared_gazetteer
from geomap.pipeline import Geoparser

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "nato-kursk.txt"
SHARED = ROOT.parent / "shared"
needs_shared = pytest.mark.skipif(not (SHARED / "eval" / "score.py").exists(),
                                  reason="needs ../shared (the shared scorer and gold sets), absent beside this checkout")
_VIEW = re.compile(r'<script type="application/json" id="[^"]+">(.*?)</script>', re.S)


def map_view(html: str) -> dict:
    """The data a map page draws: its one JSON view (places, quotes, title, source)."""
    (view,) = _VIEW.findall(html)
    return json.loads(view)


@pytest.fixture(scope="session", autouse=True)
def _one_pipeline():
    """Every default `Geoparser()` of the run (a test's, the command's in `run_cli`) shares one loaded pipeline."""
    with one_default_pipeline():
        yield


_PEAK_MEMORY = """import re, sys
from geomap.cli import main
code = main(sys.argv[1:])
with open("/proc/self/status") as status:  # VmHWM: this process's own peak, not its parent's before exec
    print("peak memory kB", re.search(r"VmHWM:\\s*(\\d+)", status.read())[1], file=sys.stderr)
sys.exit(code)"""


def peak_memory_run(*args: str) -> tuple[int, str, float]:
    """`geomap ARGS` in its own process, so its memory is its own: exit code, stderr, peak memory in MB."""
    run = subprocess.run([sys.executable, "-c", _PEAK_MEMORY, *map(str, args)], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, errors="replace")
    err, _, peak = run.stderr.rpartition("peak memory kB ")
    return run.returncode, err, int(peak) / 1024


@pytest.fixture(scope="session")
def gazetteer():
    return shared_gazetteer()


@pytest.fixture(scope="session")
def geoparser(gazetteer):
    return Geoparser()


@pytest.fixture(scope="session")
def seed_document(geoparser):
    return geoparser.parse(SEED.read_text(encoding="utf-8"))


@pytest.fixture
def gazetteer_copy(gazetteer, tmp_path) -> Path:
    """A copy of the built gazetteer that a test may change (import into, add to)."""
    target = tmp_path / "gaz" / "geomap.sqlite"
    target.parent.mkdir()
    shutil.copyfile(gazetteer.path, target)
    return target


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
"""Debian's chromium, which the browser tests drive with Playwright (never `playwright install`)."""


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for one test module."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install '.[test]')")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()
