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
    assert run("map", SEED, "-o", tmp_path / "m.html", "--geojson", out, "--home", "538560").returncode == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert {f["properties"]["geonameid"] for f in data["features"]} >= {2017370, 538555, 524901}
    assert (data["focus"]["place"]["name"], data["focus"]["from"]) == ("Kursk", "home")


COUNCIL = "The Lamar County board met on Monday."


def lamar_county(document: dict) -> str:
    return next(m["place"]["admin1"] for m in document["mentions"] if m["text"] == "Lamar County")


def test_a_home_settles_a_namesake_from_the_flag_and_the_environment(tmp_path, monkeypatch):
    article = tmp_path / "board.txt"
    article.write_text(COUNCIL, encoding="utf-8")
    assert lamar_county(json.loads(run("extract", article).stdout)) == "TX"  # the largest namesake
    found = json.loads(run("extract", article, "--home", "Vernon, Alabama").stdout)
    assert lamar_county(found) == "AL" and found["focus"]["from"] == "home"
    assert found["focus"]["place"]["name"] == "Vernon" and found["focus"]["admin1"] == "AL"
    monkeypatch.setenv("GEOMAP_HOME", "Vernon, Alabama")
    assert lamar_county(json.loads(run("extract", article).stdout)) == "AL"
    assert lamar_county(json.loads(run("extract", article, "--home", "").stdout)) == "TX"  # the flag wins


def test_a_records_home_wins_over_the_flag_and_a_bad_one_fails_only_its_record(tmp_path):
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "a", "text": COUNCIL, "home": "Paris, Texas"}, {"id": "b", "text": COUNCIL},
        {"id": "c", "text": COUNCIL, "home": "Nowhere At All"}]), encoding="utf-8")
    result = run("extract", "--jsonl", jsonl, "-o", tmp_path / "out.jsonl", "--home", "Vernon, Alabama")
    a, b, c = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (lamar_county(a), lamar_county(b)) == ("TX", "AL")
    assert result.returncode == 1 and "Nowhere At All" in c["error"] and c["mentions"] == []


@pytest.mark.parametrize("home", ["Nowhere, Atlantis", "99999999999", "91,200"])
def test_a_home_that_names_no_place_is_refused_before_any_parsing(tmp_path, home):
    out = tmp_path / "map.html"
    result = run("map", SEED, "-o", out, "--home", home)
    assert result.returncode == 2 and not out.exists()
    assert result.stderr.startswith(f"geomap: --home {home!r}: ") and result.stderr.count("\n") == 1


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


def test_a_fragment_without_output_is_one_line_on_stdout_and_no_file(tmp_path):
    article = tmp_path / "floods.txt"
    article.write_text("Flood headline {{7*7}}\nFloods reached Szentendre, north of Budapest.\n", encoding="utf-8")
    # In tmp_path the default output would be outputs/floods.html.
    result = run("map", str(article), "--fragment", "--height", "300px", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.count("\n") == 1 and result.stdout.startswith('<iframe class="geomap-map"')
    assert "height:300px" in result.stdout and "{{7*7}}" in result.stdout and "49" not in result.stdout.split("srcdoc")[0]
    assert result.stderr.startswith("geomap: fragment: ") and " places, " in result.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["floods.txt"]


def test_a_fragment_never_replaces_a_file_of_another_kind(tmp_path):
    article = tmp_path / "floods.txt"
    article.write_text("Floods reached Budapest.\n", encoding="utf-8")
    page = tmp_path / "floods.html"
    assert run("map", str(article), "-o", str(page)).returncode == 0
    before = page.read_bytes()
    refused = run("map", str(article), "-o", str(page), "--fragment")
    assert refused.returncode == 5
    assert page.read_bytes() == before and "is not a geomap fragment" in refused.stderr
    piece = tmp_path / "floods.fragment.html"
    assert run("map", str(article), "-o", str(piece), "--fragment").returncode == 0
    assert run("map", str(article), "-o", str(piece), "--fragment", "--height", "200px").returncode == 0  # its own kind
    assert "height:200px" in piece.read_text(encoding="utf-8")


def test_gazetteer_search_has_a_header_and_says_when_nothing_matches():
    found = run("gazetteer", "search", "Springfield", "--limit", "2", "--country", "US")
    assert found.returncode == 0
    header, *rows = found.stdout.splitlines()
    assert header.split() == ["geonameid", "name", "lat", "lon", "kind", "cc", "admin1", "population", "source"]
    assert len(rows) == 2 and all(row.split()[1] == "Springfield" and " US " in row for row in rows)
    none = run("gazetteer", "search", "Qwxzzplace", "--country", "FR")
    assert none.returncode == 1
    assert none.stdout == "" and none.stderr == "geomap: no place answers to 'Qwxzzplace' in country FR\n"
    none = run("gazetteer", "search", "Qwxzzplace", "--json")
    assert none.returncode == 1 and json.loads(none.stdout) == []


def test_gazetteer_search_help_explains_every_column():
    text = run("gazetteer", "search", "--help").stdout
    for column in ("geonameid", "name", "lat, lon", "kind", "cc", "admin1", "population", "source"):
        assert f"\n  {column} " in text
    assert "exit status 1" in text
