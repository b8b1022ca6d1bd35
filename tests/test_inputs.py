"""Issue 11, sections 3 and 4: no output destroys an input, and bad or endless input gets its
documented exit code and one line naming the file (and line), within bounded memory and time."""

import json
import os
import re
import resource
import stat
import subprocess
import sys

import pytest

from conftest import SEED
from fakes import run_cli as run
from geomap.inputs.reading import MAX_TEXT_BYTES
from geomap.outputs import write_text

MEMORY_CAP = 1 << 30
"""Address space for a run that must refuse its input unread: reading 3 GB would need three times this."""


def run_capped(*args, stdin=None, timeout: float = 120):
    """geomap in a fresh process with 1 GB of address space: memory stays bounded or the run fails."""
    limit = lambda: resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))  # noqa: E731
    return subprocess.run([sys.executable, "-m", "geomap", *map(str, args)], capture_output=True, text=True,
                          stdin=stdin, preexec_fn=limit, timeout=timeout)


def one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0] and "internal error" not in lines[0]
    return lines[0]


# --- 3. Files are not destroyed ---------------------------------------------------------------

@pytest.fixture
def inputs(tmp_path):
    article = tmp_path / "article.txt"
    article.write_text("Rain fell in Oslo.\n")
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"id": "a", "text": "Rain fell in Oslo."}\n')
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "a", "text": "Rain fell in Oslo.", "toponyms": []}\n')
    (tmp_path / "article-link.txt").symlink_to(article)
    os.link(jsonl, tmp_path / "in-hardlink.jsonl")
    (tmp_path / "gazetteer.sqlite").write_bytes(b"not really a gazetteer")
    return tmp_path


@pytest.mark.parametrize("args, victim", [
    (["map", "article.txt", "-o", "article.txt"], "article.txt"),
    (["map", "article.txt", "-o", "map.html", "--geojson", "article.txt"], "article.txt"),
    (["map", "article.txt", "-o", "article-link.txt"], "article.txt"),
    (["map", "article.txt", "--gazetteer", "gazetteer.sqlite", "-o", "gazetteer.sqlite"], "gazetteer.sqlite"),
    (["extract", "article.txt", "-o", "article.txt"], "article.txt"),
    (["extract", "--jsonl", "in.jsonl", "-o", "in.jsonl"], "in.jsonl"),
    (["extract", "--jsonl", "in.jsonl", "-o", "in-hardlink.jsonl"], "in.jsonl"),
    (["eval", "gold.jsonl", "--pred", "gold.jsonl"], "gold.jsonl"),
])
def test_an_output_that_is_an_input_is_refused_before_any_work(inputs, args, victim):
    before = {p.name: p.read_bytes() for p in inputs.iterdir()}
    result = run(*args, cwd=inputs)
    assert result.returncode == 2
    assert "refusing to overwrite" in one_line(result) and victim in one_line(result)
    assert {p.name: p.read_bytes() for p in inputs.iterdir()} == before  # nothing written, nothing replaced


def test_temporaries_of_killed_runs_are_cleaned_and_live_ones_kept(tmp_path):
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    dead = tmp_path / f".out.json.{finished.pid}.0badc0de.tmp"
    users = tmp_path / ".out.json.abcdefgh.tmp"  # eight characters as mkstemp writes them: maybe not geomap's
    live = tmp_path / f".out.json.{os.getpid()}.0123abcd.tmp"
    unrelated = tmp_path / ".out.json.my-notes.tmp"
    for path in (dead, users, live, unrelated):
        path.write_text("partial")
    write_text(tmp_path / "out.json", "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([users.name, live.name, unrelated.name, "out.json"])


def test_outputs_keep_their_mode_and_new_ones_follow_the_umask(tmp_path):
    existing = tmp_path / "existing.html"
    existing.write_text("old")
    existing.chmod(0o600)
    previous = os.umask(0o027)
    try:
        write_text(existing, "new")
        write_text(tmp_path / "new.html", "new")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "new.html").stat().st_mode) == 0o640


# --- 4. Bad input: a documented exit code and one line, never "internal error" ------------------

def test_a_huge_sparse_article_is_refused_unread(tmp_path):
    article = tmp_path / "sparse.txt"
    with article.open("wb") as fh:
        fh.truncate(3 << 30)
    result = run_capped("extract", article)
    assert result.returncode == 2
    assert f"{article}: 3,221,225,472 bytes is over the {MAX_TEXT_BYTES:,}-byte limit" in one_line(result)


def test_an_endless_standard_input_is_read_only_to_the_limit():
    with open("/dev/zero", "rb") as zeros:
        result = run_capped("extract", "-", stdin=zeros)
    assert result.returncode == 2 and "<stdin>: the input is over the" in one_line(result)


@pytest.mark.parametrize("make, kind", [
    (lambda p: os.mkfifo(p), "a named pipe (FIFO)"),  # no writer: opening it must not block
    (lambda p: os.symlink("/dev/zero", p), "a device"),
])
def test_pipes_and_devices_are_refused_by_name(tmp_path, make, kind):
    path = tmp_path / "article.txt"
    make(path)
    result = run_capped("extract", path, timeout=60)
    assert result.returncode == 2 and f"{path}: is {kind}, not an article file" in one_line(result)


def test_a_jsonl_line_without_end_is_refused_after_reading_the_limit(tmp_path):
    jsonl = tmp_path / "sparse.jsonl"
    with jsonl.open("wb") as fh:
        fh.truncate(3 << 30)
    result = run_capped("extract", "--jsonl", jsonl, "-o", tmp_path / "out.jsonl")
    assert result.returncode == 2 and f"{jsonl}:1: the line is over the" in one_line(result)
    assert not (tmp_path / "out.jsonl").exists()


BAD_LINES = {
    "lone surrogate in id": ('{"id": "\\ud800", "text": "Rain in Oslo."}', '"id" is not valid Unicode'),
    "lone surrogate in text": ('{"id": "s", "text": "Oslo \\udfff"}', '"text" is not valid Unicode'),
    "deep nesting": ('{"id": "n", "text": "x", "more": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    "5,000-digit number": ('{"id": ' + "7" * 5_000 + ', "text": "x"}', "a number of more than"),
    "line over 5 MB": (json.dumps({"id": "big", "text": "a" * (MAX_TEXT_BYTES + 1)}), "the line is over the"),
}


@pytest.mark.parametrize("name", BAD_LINES)
def test_a_bad_jsonl_line_stops_the_run_naming_its_line(tmp_path, name):
    line, message = BAD_LINES[name]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"id": "a", "text": "Rain in Oslo."}\n' + line + "\n", encoding="utf-8")
    result = run("extract", "--jsonl", jsonl, "-o", tmp_path / "out.jsonl")
    assert result.returncode == 2 and f"{jsonl}:2: " in one_line(result) and message in one_line(result)


def test_skip_bad_keeps_every_good_line(tmp_path):
    jsonl = tmp_path / "in.jsonl"
    lines = ['{"id": "a", "text": "Rain in Oslo."}', *(line for line, _ in BAD_LINES.values()),
             '{"id": "b", "text": "Sun in Rome."}']
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("extract", "--jsonl", jsonl, "-o", out, "--skip-bad")
    assert result.returncode == 0
    reported = result.stderr.strip().splitlines()
    assert [line.split(": ")[1] for line in reported] == [f"{jsonl}:{n}" for n in range(2, 2 + len(BAD_LINES))]
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["a", "b"]


GOLD_PROBLEMS = {
    "missing": (None, "{path}: no such file"),
    "directory": ("dir", "{path}: is a directory"),
    "not JSON": (b"{'id': 1}\n", "{path}:1: not valid JSON"),
    "not UTF-8": (b'{"id": 1, "text": "caf\xe9"}\n', "{path}:1: not UTF-8"),
    "no toponyms": (b'{"id": 1, "text": "Rain in Oslo."}\n', '{path}:1: missing list field "toponyms"'),
    "toponym without lat": (b'{"id": 1, "text": "Oslo", "toponyms": [{"start": 0, "end": 4, "lon": 10.7}]}\n',
                            '{path}:1: toponym 1 has no number "lat"'),
}


@pytest.mark.parametrize("name", GOLD_PROBLEMS)
def test_a_bad_gold_file_is_an_input_error_naming_file_and_line(tmp_path, name):
    content, message = GOLD_PROBLEMS[name]
    gold = tmp_path / "gold.jsonl"
    if content == "dir":
        gold.mkdir()
    elif content is not None:
        gold.write_bytes(content)
    result = run("eval", gold)
    assert result.returncode == 2 and one_line(result).startswith("geomap: " + message.format(path=gold))


def test_tiles_need_an_attribution(tmp_path):
    result = run("map", SEED, "-o", tmp_path / "map.html", "--tiles", "https://tile.example/{z}/{x}/{y}.png")
    assert result.returncode == 2 and "--attribution" in one_line(result)
    assert not (tmp_path / "map.html").exists()


@pytest.mark.parametrize("url", ["javascript:alert(1)//{z}/{x}/{y}", "file:///etc/{z}/{x}/{y}.png"])
def test_tiles_must_be_an_http_url_template(tmp_path, url):
    result = run("map", SEED, "-o", tmp_path / "map.html", "--tiles", url, "--attribution", "Tiles")
    assert result.returncode == 2 and url in one_line(result) and "http(s)" in one_line(result)
    assert not (tmp_path / "map.html").exists()


def test_a_closed_pipe_ends_the_run_quietly():
    process = subprocess.Popen([sys.executable, "-m", "geomap", "extract", str(SEED)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdout.close()  # `| head` that has already gone
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 141 and stderr == ""


def test_a_parquet_row_over_the_limit_is_refused_or_skipped_like_a_jsonl_line(tmp_path):
    """A few hundred KB of Parquet can hold a text of many MB: each row is held to an article's limit."""
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow

    from geomap.errors import InputError
    from geomap.inputs.records import read_records

    src = tmp_path / "in.parquet"
    texts = ["Rain in Oslo.", "x" * (MAX_TEXT_BYTES + 1), "Snow in Bergen."]
    pq.write_table(pyarrow.table({"id": ["a", "b", "c"], "text": texts}), src)
    with pytest.raises(InputError, match=rf"^{src}: row 2: its text is over the {MAX_TEXT_BYTES:,}-byte limit"):
        list(read_records(str(src)))
    skipped: list[str] = []
    assert [r.id for r in read_records(str(src), skip_bad=True, report=skipped.append)] == ["a", "c"]
    assert [line.split(": ")[1] for line in skipped] == ["row 2"]


def test_an_output_that_is_a_pipe_or_device_is_refused_and_a_link_is_written_through(tmp_path):
    """A FIFO, device or socket named as an output stays what it is; a symbolic link stays a link."""
    from geomap.errors import OutputError

    fifo = tmp_path / "out.html"
    os.mkfifo(fifo)
    device_link = tmp_path / "null.html"
    device_link.symlink_to("/dev/null")
    for path, kind in ((fifo, "a named pipe (FIFO)"), (device_link, "a device")):
        with pytest.raises(OutputError, match=re.escape(f"{path}: is {kind}, not a regular file")):
            write_text(path, "map")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and stat.S_ISCHR(os.stat(device_link).st_mode)
    real, link = tmp_path / "real.json", tmp_path / "link.json"
    real.write_text("old")
    link.symlink_to(real)
    write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


@pytest.mark.parametrize("args, message", [
    (["map", "article.txt", "-o", "map.html", "--geojson", "map.html"], "map.html: given as two outputs"),
    (["map", "article.txt", "-o", "map.html", "--geojson", "sub/../map.html"], "sub/../map.html: given as two outputs"),
    (["extract", "article.txt", "-o", "-"], "-: an output is written to a file, not standard output"),
])
def test_one_file_as_two_outputs_and_dash_as_an_output_are_refused(inputs, args, message):
    result = run(*args, cwd=inputs)
    assert result.returncode == 2 and one_line(result).startswith(f"geomap: {message}")
    assert not (inputs / "map.html").exists() and not (inputs / "-").exists()
