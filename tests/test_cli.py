import json
import subprocess
import sys

import pytest

from conftest import SEED, SHARED, map_view, needs_shared
from geomap.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "geomap", *args], capture_output=True, text=True)


def test_extract_prints_the_json_contract(capsys):
    assert main(["extract", str(SEED)]) == 0
    data = json.loads(capsys.readouterr().out)
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
    assert main(["extract", "--jsonl", str(SHARED / "eval" / "gold" / "seed.jsonl"), "-o", str(out)]) == 0
    figures = score.score(score.read_jsonl(SHARED / "eval" / "gold" / "seed.jsonl"), score.read_jsonl(out))
    assert figures["f1"] >= 0.95
    assert figures["acc161_end_to_end"] >= 0.95


def test_map_of_the_seed_shows_its_six_places(tmp_path, capsys):
    out = tmp_path / "seed.html"
    assert main(["map", str(SEED), "-o", str(out)]) == 0
    places = {p["name"]: p for p in map_view(out.read_text(encoding="utf-8"))["places"]}
    assert {"Russia", "North Korea", "Kursk Oblast", "Moscow", "Ukraine", "United States"} <= places.keys()
    assert ["Kursk Oblast", True] in [run for quote in places["Kursk Oblast"]["articles"][0]["quotes"] for run in quote]


def test_geojson_output(tmp_path):
    out = tmp_path / "seed.geojson"
    assert main(["map", str(SEED), "-o", str(tmp_path / "m.html"), "--geojson", str(out)]) == 0
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


def test_a_fragment_without_output_is_one_line_on_stdout_and_no_file(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default output would be outputs/floods.html here
    article = tmp_path / "floods.txt"
    article.write_text("Flood headline {{7*7}}\nFloods reached Szentendre, north of Budapest.\n", encoding="utf-8")
    assert main(["map", str(article), "--fragment", "--height", "300px"]) == 0
    captured = capsys.readouterr()
    assert captured.out.count("\n") == 1 and captured.out.startswith('<iframe class="geomap-map"')
    assert "height:300px" in captured.out and "{{7*7}}" in captured.out and "49" not in captured.out.split("srcdoc")[0]
    assert captured.err.startswith("geomap: fragment: ") and " places, " in captured.err
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["floods.txt"]


def test_a_fragment_never_replaces_a_file_of_another_kind(tmp_path, capsys):
    article = tmp_path / "floods.txt"
    article.write_text("Floods reached Budapest.\n", encoding="utf-8")
    page = tmp_path / "floods.html"
    assert main(["map", str(article), "-o", str(page)]) == 0
    before = page.read_bytes()
    assert main(["map", str(article), "-o", str(page), "--fragment"]) == 5
    assert page.read_bytes() == before and "is not a geomap fragment" in capsys.readouterr().err
    piece = tmp_path / "floods.fragment.html"
    assert main(["map", str(article), "-o", str(piece), "--fragment"]) == 0
    assert main(["map", str(article), "-o", str(piece), "--fragment", "--height", "200px"]) == 0  # its own kind
    assert "height:200px" in piece.read_text(encoding="utf-8")


def test_gazetteer_search_has_a_header_and_says_when_nothing_matches(capsys):
    assert main(["gazetteer", "search", "Springfield", "--limit", "2", "--country", "US"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split() == ["geonameid", "name", "lat", "lon", "kind", "cc", "admin1", "population", "source"]
    assert len(rows) == 2 and all(row.split()[1] == "Springfield" and " US " in row for row in rows)
    assert main(["gazetteer", "search", "Qwxzzplace", "--country", "FR"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == "geomap: no place answers to 'Qwxzzplace' in country FR\n"
    assert main(["gazetteer", "search", "Qwxzzplace", "--json"]) == 1
    assert json.loads(capsys.readouterr().out) == []


def test_gazetteer_search_help_explains_every_column(capsys):
    with pytest.raises(SystemExit):
        main(["gazetteer", "search", "--help"])
    text = capsys.readouterr().out
    for column in ("geonameid", "name", "lat, lon", "kind", "cc", "admin1", "population", "source"):
        assert f"\n  {column} " in text
    assert "exit status 1" in text
