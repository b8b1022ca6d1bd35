import json
import time

import pytest

from conftest import SHARED
from fakes import run_cli
from geomap import batch
from geomap.formats import to_json
from geomap.model import Article
from geomap.setup import Setup

GOLD = SHARED / "eval" / "gold" / "geowebnews.jsonl"


@pytest.fixture(scope="module")
def forty(tmp_path_factory):
    path = tmp_path_factory.mktemp("batch") / "gwn40.jsonl"
    with GOLD.open(encoding="utf-8") as fh:
        path.write_text("".join(line for _, line in zip(range(40), fh)), encoding="utf-8")
    return path


def run(src, out, *extra):
    assert run_cli("extract", "--jsonl", src, "-o", out, *extra).returncode == 0
    return out.read_text(encoding="utf-8")


@pytest.mark.skipif(not GOLD.exists(), reason="shared gold data not present")
def test_engines_write_identical_output_in_input_order(forty, tmp_path):
    single = run(forty, tmp_path / "one.jsonl")
    ids = [json.loads(line)["id"] for line in single.splitlines()]
    assert ids == [str(json.loads(line)["id"]) for line in forty.read_text().splitlines()]
    assert run(forty, tmp_path / "pool.jsonl", "--workers", "2") == single
    assert run(forty, tmp_path / "dask.jsonl", "--engine", "dask", "--workers", "2") == single


class Exploding:
    """A geoparser that fails on one document, to show the others survive."""

    def __init__(self, real):
        self.real = real

    def pipe(self, articles, batch_size=32, prefer=None, home=None):
        articles = list(articles)
        if any("BOOM" in article.text for article in articles):
            raise RuntimeError("model crashed")
        return self.real.pipe(articles, batch_size, prefer, home)


def test_a_failing_document_is_reported_by_id_and_the_others_kept(geoparser, monkeypatch):
    setup = Setup()
    monkeypatch.setitem(batch._GEOPARSERS, setup, Exploding(geoparser))
    articles = [Article("Rain in Oslo.", id="a"), Article("BOOM", id="b"), Article("Sun in Rome.", id="c")]
    lines = [json.loads(to_json(outcome)) for outcome in batch.extract(articles, setup)]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    assert lines[1]["error"] == "RuntimeError: model crashed" and lines[1]["mentions"] == []
    assert lines[0]["mentions"] and lines[2]["mentions"]


def test_parquet_in_and_out_match_json_lines(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow

    texts = {"a": "BERGEN, Norway (AP) — Rain in Oslo and Bergen.", "b": "Nothing here.", "c": "Talks in Kyiv."}
    src = tmp_path / "in.parquet"
    pq.write_table(pyarrow.table({"id": list(texts), "text": list(texts.values())}), src)
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in texts.items()))
    expected = [json.loads(line) for line in run(jsonl, tmp_path / "out.jsonl").splitlines()]
    assert run_cli("extract", "--jsonl", src, "-o", tmp_path / "out.parquet").returncode == 0
    rows = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [{"id": r["id"], **({"focus": json.loads(r["focus"])} if r["focus"] else {}),
             "mentions": json.loads(r["mentions"])} for r in rows] == expected
    assert expected[0]["focus"]["from"] == "dateline"


class Stalling:
    """A geoparser that stalls on one document, to show the time limit interrupts it."""

    def __init__(self, real):
        self.real = real

    def pipe(self, articles, batch_size=32, prefer=None, home=None):
        for article in articles:
            if "STALL" in article.text:
                time.sleep(30)
            yield from self.real.pipe([article], batch_size, prefer, home)


def test_a_stalling_document_times_out_in_process_and_the_run_goes_on(geoparser, monkeypatch):
    setup = Setup()
    monkeypatch.setitem(batch._GEOPARSERS, setup, Stalling(geoparser))
    articles = [Article("Rain in Oslo.", id="a"), Article("STALL in Bergen.", id="b"), Article("Sun in Rome.", id="c")]
    lines = [json.loads(to_json(outcome)) for outcome in batch.extract(articles, setup, doc_timeout=0.5)]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    assert lines[1] == {"id": "b", "mentions": [], "error": "DocumentTimeout: timed out after 0.5 s"}
    assert lines[0]["mentions"][0]["text"] == "Oslo" and lines[2]["mentions"][0]["text"] == "Rome"


SLOW_TEXT = "Officials in Moscow and Kyiv met. " * 6000
"""200 KB: its NER alone takes seconds, so a one-second limit cuts it off in a real parser process."""


@pytest.mark.parametrize("engine", [["--workers", "2"], ["--engine", "dask", "--workers", "1"]])
def test_a_slow_document_is_cut_off_in_worker_processes_and_the_run_goes_on(tmp_path, engine):
    texts = ["Rain in Oslo.", SLOW_TEXT, "Sun in Rome."] + [f"Talks in Kyiv, day {n}." for n in range(20)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": str(n), "text": t}) + "\n" for n, t in enumerate(texts)))
    out = tmp_path / "out.jsonl"
    result = run_cli("extract", "--jsonl", src, "-o", out, "--doc-timeout", "1", *engine)
    assert result.returncode == 1
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == [str(n) for n in range(len(texts))]
    assert lines[1] == {"id": "1", "mentions": [], "error": "DocumentTimeout: timed out after 1 s"}
    # The documents after it, in its chunk and later ones, were parsed by a fresh process.
    assert all("error" not in line and line["mentions"] for line in lines[:1] + lines[2:])
    assert "document 1: DocumentTimeout: timed out after 1 s" in result.stderr


def test_a_time_limit_must_be_positive(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "Rain in Oslo."}) + "\n")
    result = run_cli("extract", "--jsonl", src, "-o", tmp_path / "out.jsonl", "--doc-timeout", "0")
    assert result.returncode == 2
    assert "--doc-timeout must be a positive number of seconds" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()
