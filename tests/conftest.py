"""Shared fixtures: one gazetteer and one pipeline for the whole run (building them is the slow part)."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

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


def peak_memory_run(*args: str) -> tuple[int, str, float]:
    """`geomap ARGS` in its own process (so its memory is its own): exit code, stderr, peak memory in MB."""
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen([sys.executable, "-m", "geomap", *map(str, args)], stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return process.returncode, err.read().decode("utf-8", "replace"), usage.ru_maxrss / 1024


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
