import json
import sys

import pytest

from conftest import SEED, SHARED, map_view, needs_shared
from fakes import run_cli as run


def test_extract_prints_the_json_contract():
    result = run("extract", SEED)
    assert result.returncode == 0
    data = json.loads(result.stdout)
    text = SEED.read_text(encoding="utf-8")
    assert data["mentions"]
    for m in data["mentions"]:
        assert text[m["start"] : m["end"]] == m["text"]
        assert m["kind"] in ("toponym", "demonym")
        assert 0 <= m["confidence"] <= 1
        if m["place"] is not None:
            assert {"geonameid", "name", "lat", "lon", "feature", "country", "admin1", "population"} <= m["place"].keys()


@needs_shared
def test_extract_jsonl_scores_the_seed_at_the_bar(tmp_path):
    sys.path.insert(0, str(SHARED / "eval"))
    import score

    out = tmp_path / "seed.pred.jsonl"
    assert run("extract", "--jsonl", SHARED / "eval" / "gold" / "seed.jsonl", "-o", out).returncode == 0
    figures = score.score(score.read_jsonl(SHARED / "eval" / "gold" / "seed.jsonl"), score.read_jsonl(out))
    assert figures["f1"] >= 0.95
    assert figures["acc161_end_to_end"] >= 0.95


def test_map_of_the_seed_shows_its_six_places(tmp_path):
    out = tmp_path / "seed.html"
    assert run("map", SEED, "-o", out).returncode == 0
    places = {p["name"]: p for p in map_view(out.read_text(encoding="utf-8"))["places"]}
    assert {"Russia", "North Korea", "Kursk Oblast", "Moscow", "Ukraine", "United States"} <= places.keys()
    assert ["Kursk Oblast", True] in [run for quote in places["Kursk Oblast"]["articles"][0]["quotes"] for run in quote]


def test_geojson_output(tmp_path):
    out = tmp_path / "seed.geojson"
    assert run("map", SEED, "-o", tmp_path / "m.html", "--geojson", out).returncode == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert {f["properties"]["geonameid"] for f in data["features"]} >= {2017370, 538555, 524901}


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p, "no such file"),
        (lambda p: (p.mkdir(), p)[1], "is a directory"),
        (lambda p: (p.write_bytes(b"\x00\x01binary"), p)[1], "binary data"),
        (lambda p: (p.write_bytes(b"caf\xe9 in Paris"), p)[1], "not UTF-8"),
    ],
)
def test_bad_article_gives_one_line_and_leaves_output_alone(tmp_path, make, message):
    article = make(tmp_path / "article.txt")
    out = tmp_path / "map.html"
    out.write_text("previous map")
    result = run("map", str(article), "-o", str(out))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(article) in lines[0] and message in lines[0]
    assert out.read_text() == "previous map"


def test_malformed_jsonl_is_strict_by_default_and_skippable(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "Rain in Oslo."}\nnot json\n{"id": "c", "text": "Sun in Rome."}\n')
    out = tmp_path / "out.jsonl"
    strict = run("extract", "--jsonl", str(src), "-o", str(out))
    assert strict.returncode == 2 and f"{src}:2: not valid JSON" in strict.stderr
    assert not out.exists()
    lenient = run("extract", "--jsonl", str(src), "-o", str(out), "--skip-bad")
    assert lenient.returncode == 0 and f"{src}:2" in lenient.stderr
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["a", "c"]


def test_unknown_model_is_a_clear_error(tmp_path):
    result = run("extract", str(SEED), "--model", "xx_no_such_model")
    assert result.returncode == 4
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "xx_no_such_model" in result.stderr
