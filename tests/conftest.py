"""Shared fixtures: one gazetteer and one pipeline for the whole run (building them is the slow part)."""

import json
import re
import shutil
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
