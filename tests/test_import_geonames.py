"""`geomap gazetteer import geonames FILE`: the GeoNames dump format (19 tab-separated columns, .txt or
.zip), streamed line by line, filtered by class and population, recorded for rebuilds; a village from a
three-line file is then found in an article by `geomap extract`."""

from __future__ import annotations

import itertools
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from conftest import peak_memory_run

from geomap.cli import main
from geomap.errors import InputError
from geomap.gazetteer import geonames_dump, imports
from geomap.gazetteer.database import SCHEMA
from geomap.gazetteer.store import Gazetteer
from geomap.model import Feature


def dump_line(geonameid: int, name: str, lat: float, lon: float, cls: str = "P", code: str = "PPL",
              country: str = "UA", admin1: str = "09", population: int = 0, alternates: str = "") -> str:
    """One line of the GeoNames dump format, as allCountries.txt has them."""
    return "\t".join(map(str, (geonameid, name, name, alternates, lat, lon, cls, code, country, "", admin1, "", "", "",
                               population, "", 150, "Europe/Kyiv", "2024-01-01"))) + "\n"


VILLAGE = dump_line(99000001, "Zhuravka Mala", 50.1234, 36.4321, population=310,
                    alternates="Zhuravka Mala,Zhuravka Malaya,Журавка Мала,ZHM")
LINES = [
    VILLAGE,
    dump_line(99000002, "Sukhyi Yar", 49.9, 36.9, cls="H", code="STM"),
    dump_line(99000003, "Khutir Pustyi", 50.0, 36.0, population=4),
]


@pytest.fixture
def dump(tmp_path) -> Path:
    path = tmp_path / "UA.txt"
    path.write_text("".join(LINES), encoding="utf-8")
    return path


def _read(path: Path, classes: str = "P,H", min_population: int = 0):
    with geonames_dump.open_dump(path) as (fh, _):
        return list(geonames_dump.read(fh, str(path), geonames_dump.parse_classes(classes), min_population))


def test_lines_become_places_with_their_alternate_names(dump):
    village, stream, hamlet = _read(dump)
    assert (village.place.geonameid, village.place.name, village.place.feature) == (99000001, "Zhuravka Mala", Feature.CITY)
    assert (village.place.country, village.place.admin1, village.place.population) == ("UA", "09", 310)
    assert set(village.names) == {"Zhuravka Mala", "Zhuravka Malaya"}  # no Cyrillic, no code "ZHM"
    assert stream.place.feature is Feature.RIVER and hamlet.place.population == 4


def test_classes_and_minimum_population_filter(dump):
    assert [e.place.name for e in _read(dump, "P", 100)] == ["Zhuravka Mala"]
    assert [e.place.name for e in _read(dump, "H")] == ["Sukhyi Yar"]
    with pytest.raises(InputError, match="`classes`"):
        geonames_dump.parse_classes("P,X")


def test_feature_codes_map_to_kinds():
    assert geonames_dump.feature_of("P", "PPLC") is Feature.CAPITAL
    assert geonames_dump.feature_of("A", "ADM1") is Feature.ADMIN1
    assert geonames_dump.feature_of("A", "PCLI") is Feature.COUNTRY
    assert geonames_dump.feature_of("H", "LK") is Feature.LAKE
    assert geonames_dump.feature_of("T", "MTS") is Feature.RANGE
    assert geonames_dump.feature_of("T", "PEN") is Feature.PENINSULA
    assert geonames_dump.feature_of("S", "HTL") is Feature.OTHER


def test_a_zip_from_geonames_reads_its_one_dump(dump, tmp_path):
    archive = tmp_path / "UA.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(dump, "UA.txt")
        out.writestr("readme.txt", "not a dump line")
    assert [e.place.geonameid for e in _read(archive)] == [e.place.geonameid for e in _read(dump)]


@pytest.mark.parametrize("line, problem", [
    ("1\tonly\tthree\n", "expected 19 tab-separated columns"),
    (dump_line(5, "Far", 95.0, 0.0), "out of range"),
    (dump_line("x", "Bad", 1.0, 1.0), "geonameid 'x'"),
    (dump_line(10**20, "Huge id", 1.0, 1.0), "geonameid '100000000000000000000' is over"),
    (dump_line(6, "Huge town", 1.0, 1.0, population=10**20), "population 100000000000000000000 is outside"),
    (dump_line(7, "Negative town", 1.0, 1.0, population=-5), "population -5 is outside"),
])
def test_a_bad_line_is_named_with_its_number(dump, line, problem):
    dump.write_text(LINES[0] + line, encoding="utf-8")
    with pytest.raises(InputError, match=f"UA.txt:2: .*{problem}"):
        _read(dump)


def test_reading_streams_one_line_at_a_time():
    """An endless dump yields its first places at once: nothing waits for the end of the file."""
    endless = (dump_line(i, f"Place {i}", 1.0, 1.0).encode() for i in itertools.count(1))
    first = list(itertools.islice(geonames_dump.read(endless, "endless", frozenset("P"), 0), 3))
    assert [e.place.geonameid for e in first] == [1, 2, 3]


def test_places_already_there_are_left_as_they_are(dump):
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    db.execute("INSERT INTO places VALUES (99000001, 'Kept', 1, 2, 'capital', 'UA', '09', 5, 'geonames', NULL, 0)")
    lines, added, known = geonames_dump.import_dump(db, dump, frozenset("PH"), 0)
    assert (lines, added, known) == (3, 2, 1)
    assert db.execute("SELECT name, feature FROM places WHERE geonameid = 99000001").fetchone() == ("Kept", "capital")


def test_imported_village_is_found_in_an_article(dump, gazetteer_copy, tmp_path, capsys):
    args = ["--gazetteer", str(gazetteer_copy)]
    assert main(["gazetteer", "import", "geonames", str(dump), "--classes", "P", "--min-population", "100", *args]) == 0
    assert "3 lines" in capsys.readouterr().out
    assert imports.recorded(gazetteer_copy.parent / "user") == [
        imports.Import("geonames", dump.resolve(), "P", 100)]
    assert Gazetteer(gazetteer_copy).search("Zhuravka Malaya")[0].geonameid == 99000001
    assert not Gazetteer(gazetteer_copy).search("Khutir Pustyi")  # under the minimum population
    article = tmp_path / "article.txt"
    article.write_text("Shelling was reported overnight near Zhuravka Mala, local officials said.", encoding="utf-8")
    assert main(["extract", str(article), *args]) == 0
    mentions = json.loads(capsys.readouterr().out)["mentions"]
    assert [(m["text"], m["place"]["geonameid"]) for m in mentions] == [("Zhuravka Mala", 99000001)]


def test_geonames_needs_a_file(gazetteer_copy):
    assert main(["gazetteer", "import", "geonames", "--gazetteer", str(gazetteer_copy)]) == 3


def _unchanged(gazetteer: Path, before: bytes) -> bool:
    """The gazetteer as it was and no import recorded: a rebuild will not replay the refused dump."""
    return gazetteer.read_bytes() == before and not (gazetteer.parent / "user" / imports.IMPORTS).exists()


def test_an_over_long_line_is_refused_by_number_before_it_is_held(dump, gazetteer_copy, capsys):
    """A line is read into a bounded buffer: this one (19 columns, its time zone 100 KB long) was imported whole."""
    long_line = dump_line(99000004, "Dovha", 50.0, 36.0).replace("Europe/Kyiv", "E" * 100_000)
    dump.write_text(LINES[0] + long_line + LINES[1], encoding="utf-8")
    before = gazetteer_copy.read_bytes()
    assert main(["gazetteer", "import", "geonames", str(dump), "--gazetteer", str(gazetteer_copy)]) == 2
    assert f"UA.txt:2: line longer than {geonames_dump.MAX_LINE_BYTES:,} bytes" in capsys.readouterr().err
    assert _unchanged(gazetteer_copy, before)


def test_a_dump_of_no_wanted_place_is_an_error_and_not_recorded(dump, gazetteer_copy, capsys):
    before = gazetteer_copy.read_bytes()
    args = ["--classes", "P", "--min-population", "1000", "--gazetteer", str(gazetteer_copy)]
    assert main(["gazetteer", "import", "geonames", str(dump), *args]) == 2
    assert "UA.txt: no place of classes P (towns of at least 1,000 people) in its 3 lines" in capsys.readouterr().err
    assert _unchanged(gazetteer_copy, before)


EVIL_NAMES = ["Evil\u202egnp.exe", "Red\x1b[31mTown", "Csi\x9b2JVille", "Iso\u2066late"]


def test_names_lose_control_and_bidirectional_characters(dump, gazetteer_copy, capsys):
    """Bulk data passes the same name gate as `gazetteer add`; there the characters are dropped."""
    dump.write_text("".join(dump_line(99000010 + i, name, 50.0, 36.0, alternates=f"Plain {i}")
                            for i, name in enumerate(EVIL_NAMES)), encoding="utf-8")
    assert main(["gazetteer", "import", "geonames", str(dump), "--gazetteer", str(gazetteer_copy)]) == 0
    with sqlite3.connect(gazetteer_copy) as db:
        stored = [name for (name,) in db.execute("SELECT name FROM places WHERE geonameid > 99000009 ORDER BY geonameid")]
    assert stored == ["Evilgnp.exe", "Red[31mTown", "Csi2JVille", "Isolate"]
    capsys.readouterr()
    assert main(["gazetteer", "search", "Plain 3", "--json", "--gazetteer", str(gazetteer_copy)]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)[0]["name"] == "Isolate" and out.rstrip("\n").isprintable()


@pytest.mark.slow
def test_a_400_mb_line_in_a_small_zip_is_refused_in_bounded_memory(tmp_path, gazetteer_copy):
    archive = tmp_path / "UA.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out, out.open("UA.txt", "w") as fh:
        fh.write(LINES[0].encode())
        for _ in range(400):
            fh.write(b"x" * (1 << 20))
    assert archive.stat().st_size < 1_000_000
    code, err, megabytes = peak_memory_run("gazetteer", "import", "geonames", archive, "--gazetteer", gazetteer_copy)
    assert code == 2 and f"UA.zip:2: line longer than {geonames_dump.MAX_LINE_BYTES:,} bytes" in err, err
    assert megabytes < 300, megabytes
