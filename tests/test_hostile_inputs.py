"""Issue 22: the side paths hold as the article path does: hostile servers (on 127.0.0.1 only, every
loop bounded), corrupt and bomb Parquet files, PDFs pypdf complains about, escapes bound for the
terminal, long output names and CSS lengths in other scripts' digits."""

import gzip
import http.server
import ipaddress
import json
import os
import resource
import subprocess
import sys
import threading
import time
from contextlib import suppress
from typing import ClassVar

import pytest

from conftest import SEED
from geomap.cli import main
from geomap.errors import ExitStatus, InputError
from geomap.gazetteer import download
from geomap.inputs import read_records, records
from geomap.inputs.articles import Limits, load
from geomap.inputs.network import FetchError, public_addresses
from geomap.outputs import NAME_MAX, temporary_prefix, write_text

PAGE = ("<!doctype html><html><head><title>Floods</title></head><body><article><h1>Floods</h1>"
        + "".join(f"<p>The Danube rose in Budapest on day {i}, and volunteers in Szentendre filled sandbags.</p>"
                  for i in range(8)) + "</article></body></html>").encode("utf-8")


class _Hostile(http.server.BaseHTTPRequestHandler):
    """Answers by the first part of the path, whatever follows (so a download's layer names land here too)."""

    bodies: ClassVar[dict[str, bytes]] = {}

    def do_GET(self):
        kind = self.path.strip("/").split("/")[0]
        if kind == "trickle":  # a byte every 0.1 s for at most 5 s: each read quick, the whole never
            self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Length: 50\r\n\r\n")
            with suppress(OSError):
                for _ in range(50):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            return
        headers = {"bad-length": {"Content-Length": "abc"},
                   "gzip": {"Content-Encoding": "gzip", "Content-Type": "text/html; charset=utf-8"},
                   "gzip-bomb": {"Content-Encoding": "gzip", "Content-Type": "text/html"},
                   "brotli": {"Content-Encoding": "br", "Content-Type": "text/html"},
                   "elsewhere": {"Location": "http://127.0.0.2:9/page"}}.get(kind, {})
        body = self.bodies.get(kind, PAGE)
        self.send_response(302 if kind == "elsewhere" else 200)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with suppress(OSError):
            self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def hostile():
    """The hostile server in a thread on a free port of 127.0.0.1; shut down after the tests."""
    _Hostile.bodies = {"gzip": gzip.compress(PAGE), "gzip-bomb": gzip.compress(b"<!doctype html>" + b" " * 20_000_000),
                       "brotli": b"\x8b\x03\x80hello\x03"}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch):
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def one_line(capsys) -> str:
    (line,) = capsys.readouterr().err.strip().splitlines()
    return line


# --- rows 2, 3: the download is the same bounded client as the article fetch --------------------------

def test_a_layer_download_trickling_a_byte_at_a_time_is_given_up_at_the_deadline(hostile, tmp_path):
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"trickle/ne_10m_\w+\.zip: not fetched within 1 s"):
        download.fetch_layers(tmp_path / "cache", f"{hostile}/trickle", timeout=1)
    assert time.monotonic() - started < 3
    assert not list((tmp_path / "cache").iterdir())  # nothing half-written is kept


def test_a_content_length_that_is_no_number_is_exit_2_naming_the_url(hostile, tmp_path, capsys):
    args = ["gazetteer", "import", "naturalearth", "--url", f"{hostile}/bad-length", "--gazetteer",
            str(tmp_path / "g" / "geomap.sqlite")]
    assert main(args) == ExitStatus.INPUT
    line = one_line(capsys)
    assert f"{hostile}/bad-length/ne_10m_" in line and "Content-Length 'abc' is not a number of bytes" in line


# --- row 4: an address that is no URL ---------------------------------------------------------------

@pytest.mark.parametrize("command", ["extract", "map"])
def test_a_malformed_url_is_exit_2(command, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # map's default output goes under outputs/ here
    assert main([command, "http://[::1"]) == ExitStatus.INPUT
    assert one_line(capsys).startswith("geomap: http://[::1: not a valid URL")
    assert not (tmp_path / "outputs").exists()


# --- row 13: compressed answers and credentials -------------------------------------------------------

def test_a_page_the_server_gzips_anyway_is_read(hostile):
    assert "Szentendre" in load(f"{hostile}/gzip").text


def test_a_gzip_bomb_is_refused_at_the_limit_unpacked_no_further(hostile):
    with pytest.raises(FetchError, match="gzip-bomb: the page is over the 1,000,000-byte limit"):
        load(f"{hostile}/gzip-bomb", Limits(document_bytes=1_000_000))


def test_a_compression_geomap_does_not_read_is_named(hostile, capsys):
    assert main(["extract", f"{hostile}/brotli"]) == ExitStatus.INPUT
    assert one_line(capsys) == (f"geomap: {hostile}/brotli: the server sent the page compressed as 'br', "
                                "which geomap does not read")


def test_credentials_in_an_address_are_refused_and_never_echoed(hostile, capsys):
    url = hostile.replace("http://", "http://user:secret@") + "/gzip"
    assert main(["extract", url]) == ExitStatus.INPUT
    line = one_line(capsys)
    assert "secret" not in line and "user name or password" in line


# --- row 15: which addresses a fetch may connect to ---------------------------------------------------

def test_an_address_policy_is_put_to_every_address_and_every_hop(hostile):
    with pytest.raises(FetchError, match=r"127\.0\.0\.1 is at 127\.0\.0\.1, an address this fetch may not connect to"):
        load(f"{hostile}/gzip", allow=public_addresses)
    with pytest.raises(FetchError, match="localhost is at .*, an address this fetch may not connect to"):
        load(hostile.replace("127.0.0.1", "localhost") + "/gzip", allow=public_addresses)
    only_this_machine = ipaddress.ip_address("127.0.0.1")
    with pytest.raises(FetchError, match=r"127\.0\.0\.2 is at 127\.0\.0\.2"):  # the redirect's hop is refused
        load(f"{hostile}/elsewhere", allow=lambda address: address == only_this_machine)
    assert "Szentendre" in load(f"{hostile}/gzip").text  # the command line's policy: any address


# --- rows 5, 6: Parquet -------------------------------------------------------------------------------

pq = pytest.importorskip("pyarrow.parquet")
pa = pytest.importorskip("pyarrow")


def _corrupt_parquet(path):
    """A Parquet file whose footer reads but whose data pages do not."""
    pq.write_table(pa.table({"id": [str(i) for i in range(50)], "text": [f"Rain in Oslo, day {i}. " * 20 for i in range(50)]}),
                   path)
    data = bytearray(path.read_bytes())
    for k in range(101, 141):
        data[k] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("command", [["extract", "-o", "out.jsonl"], ["map", "-o", "out.html"]])
def test_a_corrupt_parquet_input_is_exit_2_naming_the_input(command, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = _corrupt_parquet(tmp_path / "in.parquet")
    assert main([command[0], "--jsonl", str(source), *command[1:]]) == ExitStatus.INPUT
    assert one_line(capsys).startswith(f"geomap: {source}: row group 1: not readable Parquet (")
    assert not (tmp_path / command[2]).exists()


def test_a_parquet_file_without_a_text_column_names_its_columns(tmp_path):
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"body": ["Rain in Oslo."]}), source)
    with pytest.raises(InputError, match=r'in\.parquet: no "text" column \(columns: body\)$'):
        read_records(str(source))


def test_a_row_group_that_unpacks_past_the_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(records, "MAX_ROW_GROUP_BYTES", 1_000_000)
    source = tmp_path / "in.parquet"
    texts = ["Rain in Oslo. " * 2_000] * 100  # 2.8 MB in one row group
    pq.write_table(pa.table({"id": [str(i) for i in range(100)], "text": texts}), source, use_dictionary=False,
                   compression="zstd")
    rows = read_records(str(source))
    with pytest.raises(InputError, match=r"in\.parquet: row group 1 unpacks to 2,8\d\d,\d\d\d bytes, over the "
                                         r"1,000,000-byte limit for one row group"):
        next(rows)


@pytest.mark.slow
def test_a_parquet_dictionary_bomb_is_read_in_bounded_memory(tmp_path):
    """2 KB of Parquet: one 4 MB text, repeated for 600 rows by its dictionary (2.4 GB unpacked). Read a
    row at a time it stays small; decoded 256 rows to a batch it needed 2 GB."""
    source = tmp_path / "bomb.parquet"
    text = pa.DictionaryArray.from_arrays(pa.array([0] * 600, pa.int32()), pa.array(["Rain in Oslo. " * 285_000]))
    pq.write_table(pa.table({"id": [str(i) for i in range(600)], "text": text}), source, compression="zstd")
    assert source.stat().st_size < 10_000
    count = "import sys; from geomap.inputs import read_records; print(sum(1 for _ in read_records(sys.argv[1])))"
    ceiling = 768 << 20
    result = subprocess.run([sys.executable, "-c", count, str(source)], capture_output=True, text=True, timeout=120,
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling)))
    assert (result.returncode, result.stdout) == (0, "600\n"), result.stderr[-500:]


# --- row 10: what geomap prints on stdout is escaped as on stderr ------------------------------------

def test_file_names_printed_on_standard_output_show_escapes_not_obey_them(gazetteer_copy, tmp_path, capsys):
    rows = tmp_path / "new\x1b[2Jplaces.csv"
    rows.write_text("name,lat,lon\nNewtownia,50.1,30.2\n", encoding="utf-8")
    assert main(["gazetteer", "add", str(rows), "--gazetteer", str(gazetteer_copy)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "new\\x1b[2Jplaces.csv" in out
    page = tmp_path / "map\x9b31m.html"
    assert main(["map", str(SEED), "-o", str(page), "--gazetteer", str(gazetteer_copy)]) == 0
    out = capsys.readouterr().out
    assert "\x9b" not in out and out.startswith(f"{tmp_path}/map\\x9b31m.html: ")


# --- row 11: pypdf's own complaints ------------------------------------------------------------------

def test_a_broken_pdf_is_one_line_without_pypdf_warnings(tmp_path):
    """A real process: pypdf's warnings reach the terminal through logging's last-resort handler."""
    pytest.importorskip("pypdf")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n")
    result = subprocess.run([sys.executable, "-m", "geomap", "extract", str(broken)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == ExitStatus.INPUT
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"geomap: {broken}: not a readable PDF")


# --- row 12: output names up to the system's limit --------------------------------------------------

def test_an_output_named_up_to_255_bytes_is_written_and_its_stale_temporaries_swept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    for name in ("a" * 250 + ".json", "é" * 125 + ".json"):  # 255 bytes, and 255 bytes of two-byte characters
        target = tmp_path / name
        assert len(os.fsencode(name)) == NAME_MAX
        stale = tmp_path / f"{temporary_prefix(target)}.{dead.stdout.strip()}.0123abcd.tmp"
        stale.write_text("left by a killed run")
        write_text(target, "{}\n")
        assert target.read_text() == "{}\n" and not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a" * 250 + ".json", "é" * 125 + ".json"])


def test_extract_writes_an_output_of_a_255_byte_name(tmp_path, capsys):
    target = tmp_path / ("p" * 250 + ".json")
    assert main(["extract", str(SEED), "-o", str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8"))["mentions"]


# --- row 14: CSS lengths -----------------------------------------------------------------------------

@pytest.mark.parametrize("flag, value", [("--height", "٦٠٠px"), ("--width", "５０%")])
def test_a_css_length_in_other_digits_is_refused(flag, value, tmp_path, capsys):
    assert main(["map", str(SEED), "-o", str(tmp_path / "m.html"), "--fragment", flag, value]) == ExitStatus.INPUT
    assert one_line(capsys) == f"geomap: {flag} {value!r}: expected a CSS length such as 600px or 100%"
