"""Bad input never crashes, never clobbers, never injects: the cases of issue 7, through the CLI."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SEED
from fakes import run_cli as run
from geomap.errors import GazetteerError
from geomap.gazetteer import extend
from geomap.inputs.reading import MAX_TEXT_BYTES


def one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    return lines[0]


def test_empty_article_gives_an_empty_map_and_a_note(tmp_path):
    article = tmp_path / "empty.txt"
    article.write_text("  \n\t\n")
    out = tmp_path / "empty.html"
    result = run("map", str(article), "-o", str(out))
    assert result.returncode == 0
    assert "empty article" in one_line(result)
    assert "0 places" in out.read_text()


def test_oversized_article_is_refused(tmp_path):
    article = tmp_path / "huge.txt"
    article.write_bytes(b"Paris. " * (MAX_TEXT_BYTES // 7 + 1))
    result = run("extract", str(article))
    assert result.returncode == 2 and "over the" in one_line(result) and str(article) in one_line(result)


def test_standard_input_is_read(tmp_path):
    result = run("extract", "-", stdin="Talks were held in Helsinki.".encode())
    assert result.returncode == 0
    assert json.loads(result.stdout)["mentions"][0]["text"] == "Helsinki"


def test_output_that_is_a_directory_is_a_clear_error(tmp_path):
    result = run("map", str(SEED), "-o", str(tmp_path))
    assert result.returncode == 5 and "is a directory" in one_line(result)


def test_jsonl_record_without_text_names_file_and_line(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "Oslo."}\n{"id": 2, "body": "Rome."}\n')
    result = run("extract", "--jsonl", str(src), "-o", str(tmp_path / "out.jsonl"))
    assert result.returncode == 2 and f'{src}:2: missing string field "text"' in one_line(result)


def test_bad_gazetteer_csv_through_the_cli_is_one_line(tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("name,lat,lon\nSomewhere,91,0\n")
    target = tmp_path / "gazetteer.sqlite"
    result = run("gazetteer", "add", str(csv), "--gazetteer", str(target))
    assert result.returncode == 3 and f"{csv}:2: lat 91.0 is outside" in one_line(result)
    assert not target.exists()  # the file is checked whole before anything is built or changed


def test_debug_shows_the_traceback(tmp_path):
    result = run("--debug", "extract", str(tmp_path / "missing.txt"))
    assert result.returncode != 0 and "Traceback" in result.stderr


CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(CELL, st.one_of(CELL, st.floats(-200, 200).map(str)), st.one_of(CELL, st.floats(-200, 200).map(str)),
                          st.sampled_from(["city", "physical", "", "volcano"])), min_size=1, max_size=5))
def test_gazetteer_import_accepts_or_names_the_bad_line(tmp_path_factory, rows):
    import csv as csv_module

    path = tmp_path_factory.mktemp("csv") / "places.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv_module.writer(fh)
        writer.writerow(["name", "lat", "lon", "feature"])
        writer.writerows(rows)
    try:
        entries = extend.read(path)
    except GazetteerError as exc:
        assert str(exc).startswith(f"{path}:")
    else:
        for entry in entries:
            assert -90 <= entry.place.lat <= 90 and -180 <= entry.place.lon <= 180 and entry.place.name


def test_a_model_folder_without_a_language_is_a_model_error(tmp_path):
    (tmp_path / "meta.json").write_text("{}")
    result = run("extract", str(SEED), "--model", str(tmp_path))
    assert result.returncode == 4 and one_line(result).startswith(f"geomap: {tmp_path}: not a usable spaCy pipeline")


def test_a_file_name_too_long_for_the_system_is_named_with_its_exit_code(tmp_path):
    """Over 255 bytes a name cannot exist: Path.exists() raises instead of answering."""
    long = tmp_path / ("a" * 300)
    for args, code, name in [(("extract", f"{long}.txt"), 2, f"{long}.txt"),
                             (("map", str(SEED), "-o", f"{long}.html"), 5, f"{long}.html"),
                             (("map", str(SEED), "-o", str(tmp_path / "m.html"), "--geojson", f"{long}.json"), 5,
                              f"{long}.json")]:
        result = run(*args)
        assert (result.returncode, one_line(result).startswith(f"geomap: {name}: ")) == (code, True), args


def test_a_doc_timeout_that_is_not_finite_or_absurd_is_refused(tmp_path):
    """An infinite or huge timeout cannot set the timer: every document would fail (OverflowError)."""
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "Oslo."}\n')
    out = tmp_path / "out.jsonl"
    for value in ("inf", "nan", "1e300", "86401"):
        result = run("extract", "--jsonl", str(src), "-o", str(out), "--doc-timeout", value)
        assert result.returncode == 2, value
        assert "--doc-timeout must be a positive number of seconds, at most 86,400" in one_line(result)
        assert not out.exists()


def test_control_characters_in_messages_are_shown_escaped_not_obeyed(tmp_path, capsys):
    """A file name or record id may carry terminal escapes (OSC, CSI): stderr shows them, never sends them."""
    from geomap.cli import _say

    name = tmp_path / "a\x1b]0;owned\x07\x1b[2J.txt"
    result = run("extract", str(name))
    assert result.returncode == 2
    line = one_line(result)
    assert "\x1b" not in line and "\x07" not in line and "\\x1b]0;owned\\x07\\x1b[2J.txt: no such file" in line
    _say("in.jsonl: document \x1b[31mred\x1b[0m\n: failed")  # how a failed record's id is reported
    assert capsys.readouterr().err == "geomap: in.jsonl: document \\x1b[31mred\\x1b[0m\\n: failed\n"
