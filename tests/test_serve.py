"""`geomap serve`'s API, run in this process (uvicorn in a thread on 127.0.0.1): answers are what the
command line gives for the same input, and every safety line of #24 has a test that fails without
its guard (body bounds, the gate, private addresses, headers, canaries, uploads in memory, read-only gazetteer)."""

from __future__ import annotations

import hashlib
import http.server
import json
import re
import socket
import sqlite3
import tempfile
import threading
from base64 import b64encode
from dataclasses import replace

import pytest

from conftest import SEED, map_view
from fakes import run_cli
from serving import serving

httpx = pytest.importorskip("httpx")

from geomap.gazetteer import shared_gazetteer  # noqa: E402
from geomap.serve.guards import Gate  # noqa: E402
from geomap.serve.web import Server  # noqa: E402

CANARY = "{{7*7}} <img src=x onerror=alert(1)>"
SEED_TEXT = SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def live():
    with serving(Server(workers=1, queue=2)) as (url, app):
        yield url, app


@pytest.fixture
def api(live):
    with httpx.Client(base_url=live[0], timeout=120) as client:
        yield client


@pytest.fixture
def state(live):
    return live[1].state.geomap


def test_extract_answers_exactly_what_geomap_extract_prints(api):
    answer = api.post("/api/extract", json={"text": SEED_TEXT})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    printed = run_cli("extract", "-", stdin=SEED_TEXT)
    assert printed.returncode == 0 and answer.text == printed.stdout
    assert {m["place"]["name"] for m in answer.json()["mentions"]} >= {"North Korea", "Russia", "Kursk Oblast", "Moscow"}


def test_a_json_lines_batch_streams_what_extract_jsonl_writes(api, state, tmp_path):
    texts = ["Troops gathered near Kursk.", "Officials in Springfield met.", "Nothing here.", SEED_TEXT]
    lines = "".join(json.dumps({"id": f"doc-{i}", "text": texts[i % 4]}) + "\n" for i in range(20))  # two chunks
    answer = api.post("/api/extract", content=lines, headers={"Content-Type": "application/x-ndjson"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/x-ndjson"
    (tmp_path / "in.jsonl").write_text(lines, encoding="utf-8")
    assert run_cli("extract", "--jsonl", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl")).returncode == 0
    assert answer.text == (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    assert [json.loads(line)["id"] for line in answer.text.splitlines()] == [f"doc-{i}" for i in range(20)]
    assert state.gate._admitted == 0  # its turn at the gate ended with its stream


def test_a_bad_json_lines_record_is_refused_naming_its_line_before_any_parse(api, state, monkeypatch):
    monkeypatch.setattr(state.pool, "parse", lambda *args: pytest.fail("parsed before every line was checked"))
    lines = '{"id": 1, "text": "Paris"}\n{"id": 2, "txt": "Rome"}\n'
    answer = api.post("/api/extract", content=lines, headers={"Content-Type": "application/x-ndjson"})
    assert answer.status_code == 422 and answer.json()["error"].startswith("request:2: missing string field")


def test_an_upload_is_read_as_the_same_file_and_its_name_stays_literal(api, tmp_path):
    name = f"{CANARY}.txt"
    answer = api.post("/api/extract", files={"file": (name, SEED_TEXT.encode(), "text/plain")},
                      data={"home": "Kursk", "prefer": json.dumps({"Kursk": 538560})})
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["source"] == {"path": name, "format": "text"}
    printed = json.loads(run_cli("extract", str(SEED), "--home", "Kursk", "--prefer", "Kursk=538560").stdout)
    assert document["mentions"] == printed["mentions"] and document["focus"] == printed["focus"]


def test_prefer_changes_the_place_a_name_means_per_request(api):
    text = "Officials in Springfield met on Tuesday."
    plain = api.post("/api/extract", json={"text": text}).json()["mentions"][0]["place"]["geonameid"]
    chosen = api.post("/api/extract", json={"text": text, "prefer": {"Springfield": 4250542}}).json()
    assert chosen["mentions"][0]["place"]["geonameid"] == 4250542 != plain


def test_every_map_format_is_what_geomap_map_writes(api, tmp_path):
    html = api.post("/api/map?format=html", json={"text": SEED_TEXT})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "attachment" in html.headers["content-disposition"]
    (tmp_path / "seed.txt").write_text(SEED_TEXT, encoding="utf-8")
    assert run_cli("map", "-", "-o", str(tmp_path / "cli.html"), stdin=SEED_TEXT).returncode == 0
    assert map_view(html.text)["places"] == map_view((tmp_path / "cli.html").read_text(encoding="utf-8"))["places"]
    assert len(map_view(html.text)["places"]) == 6
    assert api.post("/api/map?format=png", json={"text": SEED_TEXT}).content.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"<svg" in api.post("/api/map?format=svg", json={"text": SEED_TEXT}).content[:1000]
    assert len(api.post("/api/map?format=geojson", json={"text": SEED_TEXT}).json()["features"]) == 6
    assert api.post("/api/map?format=fragment", json={"text": SEED_TEXT}).text.startswith("<iframe ")
    bad = api.post("/api/map?format=pdf", json={"text": SEED_TEXT})
    assert bad.status_code == 400 and "format 'pdf'" in bad.json()["error"]


def test_the_policy_runs_the_maps_own_scripts_and_no_other(api):
    html = api.post("/api/map", json={"text": SEED_TEXT})
    policy = html.headers["content-security-policy"]
    scripts = dict(part.strip().split(" ", 1) for part in policy.split(";"))["script-src"].split()
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts and "*" not in scripts
    inline = re.findall(r"<script>(.*?)</script>", html.text, re.S)
    assert inline and all(f"'sha256-{b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" in scripts
                          for s in inline)
    assert set(scripts) == {"'self'"} | {f"'sha256-{b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
                                         for s in inline}


@pytest.mark.parametrize("path", ["/", "/healthz", "/openapi.json", "/assets/page.js"])
def test_every_response_says_nosniff_and_carries_the_policy(api, path):
    answer = api.get(path)
    assert answer.status_code == 200
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in answer.headers["content-security-policy"]


def test_user_content_is_never_cached(api):
    for answer in (api.post("/api/extract", json={"text": "Paris"}), api.post("/api/map", json={"text": "Paris"}),
                   api.get("/api/gazetteer/search", params={"q": "Paris"})):
        assert answer.headers["cache-control"] == "no-store"


def test_the_canaries_stay_literal_in_the_map_and_the_api(api):
    text = f"{CANARY}\n{SEED_TEXT}"
    document = api.post("/api/extract", json={"text": text}).json()
    assert document["mentions"][0]["start"] > len(CANARY)
    html = api.post("/api/map", json={"text": text}).text
    assert map_view(html)["title"] == CANARY  # the map's title: its first line, as data
    assert CANARY not in html and "<img src=x" not in html and "49" not in map_view(html)["title"]
    fragment = api.post("/api/map?format=fragment", json={"text": text}).text
    assert "<img src=x" not in fragment and fragment.count("<iframe") == 1
    page = api.get("/").text
    assert "innerHTML" not in api.get("/assets/page.js").text and "{{" not in page


def test_a_body_over_its_limit_is_refused_413_whatever_it_holds(api):
    padding = "x" * 5_100_000  # a field the API ignores: only the body's bound refuses it
    answer = api.post("/api/extract", content=json.dumps({"text": "Paris", "padding": padding}),
                      headers={"Content-Type": "application/json"})
    assert answer.status_code == 413 and "-byte limit for a JSON request" in answer.json()["error"]


def test_an_upload_declared_over_50_mb_is_refused_before_its_body_is_sent(live):
    host, port = live[0].removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(b"POST /api/extract HTTP/1.1\r\nHost: " + host.encode() + b"\r\n"
                     b"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 50100000\r\n\r\n")
        answer = sock.recv(4096)  # no body sent: a server that waited for it would time out here
    assert answer.startswith(b"HTTP/1.1 413")


def test_a_text_or_web_page_upload_over_5_mb_is_refused_413(api):
    answer = api.post("/api/extract", files={"file": ("big.txt", b"Paris. " * 720_000, "text/plain")})
    assert answer.status_code == 413 and "big.txt" in answer.json()["error"]


def test_other_content_types_are_refused_415(api):
    for body, kind in ((b"text=Paris", "application/x-www-form-urlencoded"), (b"Paris", "text/plain"), (b"Paris", "")):
        answer = api.post("/api/extract", content=body, headers={"Content-Type": kind} if kind else {})
        assert answer.status_code == 415 and "multipart/form-data" in answer.json()["error"]


@pytest.mark.parametrize("body, message", [
    (b"{not json", "not JSON"),
    (b"[1, 2]", "expected a JSON object"),
    (b'{"text": "a", "url": "http://example.com/"}', "exactly one of"),
    (b'{"text": 3}', "exactly one of"),
    (b'{"text": "a", "prefer": {"Paris": "x"}}', "\"prefer\" is an object"),
    (b'{"text": "a", "home": 7}', "\"home\" is a string"),
])
def test_malformed_requests_are_400_with_one_line(api, body, message):
    answer = api.post("/api/extract", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and message in answer.json()["error"] and "\n" not in answer.json()["error"]


def test_an_unknown_home_is_422_with_the_command_lines_message(api):
    answer = api.post("/api/extract", json={"text": "Paris", "home": "Qwxzv Nowhereton"})
    printed = run_cli("extract", "-", "--home", "Qwxzv Nowhereton", stdin="Paris")
    assert answer.status_code == 422 and printed.returncode == answer.json()["exit_status"] == 2
    assert printed.stderr.strip() == "geomap: " + answer.json()["error"].replace("`home`", "--home")


@pytest.fixture
def local_page():
    """A page on 127.0.0.1 that counts its visitors."""
    visits = []

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            visits.append(self.path)
            body = b"<!doctype html><html><body><article><p>Troops gathered near Kursk in Russia.</p></article></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/story", visits
    server.shutdown()
    server.server_close()


def test_a_url_to_a_loopback_address_is_refused_unfetched(api, local_page):
    url, visits = local_page
    for address in (url, url.replace("127.0.0.1", "localhost"), "http://169.254.169.254/latest/meta-data/"):
        answer = api.post("/api/extract", json={"url": address})
        assert answer.status_code == 422 and "an address this fetch may not connect to" in answer.json()["error"]
    assert visits == []


def test_a_url_to_a_loopback_address_is_fetched_when_private_urls_are_allowed(api, state, local_page, monkeypatch):
    from geomap.inputs.network import any_address

    monkeypatch.setattr(state, "allow", any_address)  # what --allow-private-urls sets
    url, visits = local_page
    answer = api.post("/api/extract", json={"url": url})
    assert answer.status_code == 200 and answer.json()["source"]["url"] == url and visits == ["/story"]


def test_a_redirect_into_a_refused_address_is_not_followed(api, state, monkeypatch):
    """The policy is put to every hop: a page the policy allows (here 127.0.0.1) redirecting to one it
    refuses (127.0.0.2) is refused there, the second server never reached."""
    reached = []

    class Target(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            reached.append(self.path)
            self.send_error(500)

        def log_message(self, *args):
            pass

    class Redirect(Target):
        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.2:{target.server_address[1]}/inside")
            self.send_header("Content-Length", "0")
            self.end_headers()

    target = http.server.ThreadingHTTPServer(("127.0.0.2", 0), Target)
    origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    for server in (target, origin):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(state, "allow", lambda address: str(address) == "127.0.0.1")
    try:
        answer = api.post("/api/extract", json={"url": f"http://127.0.0.1:{origin.server_address[1]}/story"})
    finally:
        for server in (target, origin):
            server.shutdown()
            server.server_close()
    assert answer.status_code == 422 and "127.0.0.2, an address this fetch may not connect to" in answer.json()["error"]
    assert reached == []


def test_a_file_url_or_a_path_is_never_read(api):
    for address in ("file:///etc/passwd", "/etc/passwd", "../pyproject.toml"):
        answer = api.post("/api/extract", json={"url": address})
        assert answer.status_code == 422 and "only http:// and https://" in answer.json()["error"]


def test_another_sites_page_cannot_post_here(api):
    answer = api.post("/api/extract", json={"text": "Paris"}, headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    assert api.post("/api/extract", json={"text": "Paris"}, headers={"Origin": str(api.base_url).rstrip("/")}
                    ).status_code == 200


def test_when_every_parser_is_busy_and_the_queue_full_a_request_is_refused_503(api, state, monkeypatch):
    monkeypatch.setattr(state, "gate", Gate(1, 0))
    entered, release = threading.Event(), threading.Event()
    parse = state.pool.parse

    def held(*args):
        entered.set()
        release.wait(30)
        return parse(*args)

    monkeypatch.setattr(state.pool, "parse", held)
    first = {}
    worker = threading.Thread(target=lambda: first.setdefault("answer", api.post("/api/extract", json={"text": "Paris"})))
    worker.start()
    try:
        assert entered.wait(30)
        refused = api.post("/api/extract", json={"text": "Rome"}, timeout=10)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
        assert "busy" in refused.json()["error"]
    finally:
        release.set()
        worker.join(60)
    assert first["answer"].status_code == 200


def test_an_upload_never_touches_the_disk(api, monkeypatch):
    def no_disk(*args, **kwargs):
        raise AssertionError("an upload was spooled to a temporary file")

    monkeypatch.setattr(tempfile, "TemporaryFile", no_disk)
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", no_disk)
    junk = b"%PDF-1.4\n" + b"0" * 1_500_000  # over the 1 MB a multipart parser spools in memory by default
    answer = api.post("/api/extract", files={"file": ("scan.pdf", junk, "application/pdf")})
    assert answer.status_code == 422 and "scan.pdf" in answer.json()["error"]


def test_the_gazetteer_is_read_only_to_the_server(api, live):
    reader = shared_gazetteer()
    before = reader.path.stat().st_mtime_ns
    assert api.post("/api/extract", json={"text": SEED_TEXT}).status_code == 200
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader._db.execute("CREATE TABLE written_by_a_request (x)")
    assert reader.path.stat().st_mtime_ns == before


def test_search_health_and_the_schema(api, live):
    found = api.get("/api/gazetteer/search", params={"q": "Kursk"})
    assert found.status_code == 200 and found.json()[0]["name"].startswith("Kursk")
    assert api.get("/api/gazetteer/search").status_code == 400
    assert api.get("/healthz").json() == {"status": "ok"}
    spec = api.get("/openapi.json").json()
    routes = {route.path for route in live[1].routes if hasattr(route, "methods")}
    assert routes == set(spec["paths"])
    assert api.get("/docs").status_code == 404  # no interactive docs: their assets would come from a CDN


@pytest.mark.parametrize("args, message", [
    (["--workers", "0"], "--workers must be at least 1"),
    (["--port", "70000"], "--port 0 to 65535"),
    (["--doc-timeout", "0"], "--doc-timeout must be a positive number"),
])
def test_serve_options_out_of_range_are_refused_before_anything_loads(args, message):
    result = run_cli("serve", *args)
    assert result.returncode == 2 and message in result.stderr and result.stdout == ""


@pytest.mark.slow
def test_a_document_over_the_time_limit_is_504_and_its_parser_replaced(api, state, monkeypatch):
    monkeypatch.setattr(state, "server", replace(state.server, doc_timeout=0.5))
    answer = api.post("/api/extract", json={"text": SEED_TEXT * 40}, timeout=300)
    assert answer.status_code == 504 and "not parsed within 0.5 s" in answer.json()["error"]
    monkeypatch.undo()
    assert api.post("/api/extract", json={"text": "Paris"}, timeout=300).status_code == 200


@pytest.mark.slow
def test_a_short_load_on_loopback_answers_every_request_correctly():
    """benchmarks/serve_load.py against a real `geomap serve`: 200 requests, 8 at a time, every answer
    the same document, memory bounded (the latency it prints is a benchmark figure, not asserted)."""
    import subprocess
    import sys

    from conftest import ROOT

    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "serve_load.py"), "--requests", "200",
                           "--concurrency", "8"], capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout)
    print(figures)
    assert figures["all_correct"] and figures["requests"] == 200
    assert figures["memory_after_mb"] < figures["memory_before_mb"] + 300


@pytest.mark.slow
def test_a_server_pointed_at_a_dask_cluster_parses_there(tmp_path):
    """--scheduler: the articles are parsed on the cluster's workers, with the request's own preferences."""
    distributed = pytest.importorskip("dask.distributed", reason="needs Dask: pip install '.[dask]'")
    text = "Officials in Springfield met on Tuesday."
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, \
            serving(Server(scheduler=cluster.scheduler_address)) as (url, app), \
            httpx.Client(base_url=url, timeout=300) as client:
        answer = client.post("/api/extract", json={"text": text, "prefer": {"Springfield": 4250542}})
        assert answer.status_code == 200 and answer.json()["mentions"][0]["place"]["geonameid"] == 4250542
        assert answer.text == run_cli("extract", "-", "--prefer", "Springfield=4250542", stdin=text).stdout
        assert app.state.geomap.pool._all == []  # no parser process of the server's own
