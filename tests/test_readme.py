"""The README's examples run as written: every `pycon` block as a doctest (offline, from a copy of
the repository's seeds), and the JSON example is what `extract` writes. The `bash` blocks are left
out: they install packages (the network) or are usage synopses with placeholders (ARTICLE, NAME)."""

import doctest
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(language: str) -> list[tuple[int, str]]:
    """(line number, text) of each fenced block of `language` in the README."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m.group(2)) for m in BLOCK.finditer(text) if m.group(1) == language]


def test_the_readme_has_examples_to_run():
    assert len(blocks("pycon")) >= 1 and len(blocks("json")) >= 1


@pytest.mark.parametrize("line, block", blocks("pycon"), ids=lambda v: str(v) if isinstance(v, int) else "")
def test_a_python_example_runs_as_written(line, block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seeds").symlink_to(ROOT / "seeds")
    test = doctest.DocTestParser().get_doctest(block, {}, f"README.md:{line}", str(ROOT / "README.md"), line)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
    assert test.examples  # a block of nothing to run would pass anything


def test_the_focus_example_is_a_document_as_extract_writes_it(geoparser):
    (_, block), = [found for found in blocks("json") if '"focus"' in found[1]]
    example = json.loads(block)
    written = geoparser.parse("PARIS, Tex. (AP) — The council met.").to_json()
    assert example["focus"].keys() == written["focus"].keys()
    assert example["focus"]["place"].keys() == written["focus"]["place"].keys()
    assert (written["focus"]["place"]["geonameid"], written["focus"]["from"]) == (4717560, "dateline")


def test_the_json_example_is_a_mention_as_extract_writes_it(geoparser):
    (_, block), = [found for found in blocks("json") if '"focus"' not in found[1]]
    example = json.loads(block)
    written = geoparser.parse("Floods reached Louisiana on Monday.").resolutions[0].to_json()
    assert example.keys() == written.keys() and example["place"].keys() == written["place"].keys()
    assert example["alternatives"][0].keys() == {"geonameid", "name", "feature", "country", "confidence"}
