"""A short, bounded load test of `geomap serve` on 127.0.0.1 (issue #24): REQUESTS extractions of the
seed article, CONCURRENCY at a time; every answer must be the same JSON; prints p50/p95 latency,
throughput, and the resident memory of the server and its parser processes before and after.

    python benchmarks/serve_load.py [--requests 200] [--concurrency 8] [--workers 2]

starts `geomap serve --port 0` as a real process, waits for its URL line, and stops it at the end.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "nato-kursk.txt"


def resident_mb(pids: list[int]) -> float:
    """The resident memory of processes, from /proc (Linux), in MB."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def family(pid: int) -> list[int]:
    """A process and its children (the parser processes)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [pid, *(int(c) for c in children.read_text().split())] if children.exists() else [pid]


def load(url: str, requests: int, concurrency: int, text: str) -> dict:
    """Send the requests; every answer must be 200 and the same document. Latencies in seconds."""
    import httpx

    with httpx.Client(base_url=url, timeout=300) as client:
        expected = client.post("/api/extract", json={"text": text}).text

        def one(_: int) -> float:
            started = time.perf_counter()
            answer = client.post("/api/extract", json={"text": text})
            if answer.status_code != 200 or answer.text != expected:
                raise AssertionError(f"answer {answer.status_code}: {answer.text[:200]}")
            return time.perf_counter() - started

        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as threads:
            latencies = sorted(threads.map(one, range(requests)))
        elapsed = time.perf_counter() - started
    return {"requests": requests, "concurrency": concurrency, "all_correct": True,
            "p50_s": round(statistics.median(latencies), 3),
            "p95_s": round(latencies[max(0, int(0.95 * len(latencies)) - 1)], 3),
            "max_s": round(latencies[-1], 3), "per_second": round(requests / elapsed, 2),
            "mentions": len(json.loads(expected)["mentions"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    server = subprocess.Popen([sys.executable, "-m", "geomap", "serve", "--port", "0", "--workers", str(args.workers),
                               "--queue", str(args.concurrency)], stderr=subprocess.PIPE, text=True)
    try:
        line = server.stderr.readline()  # "geomap: serving on URL (Ctrl-C to stop)", once the parsers are loaded
        if "serving on" not in line:
            raise SystemExit(f"the server did not start: {line}")
        url = line.split("serving on ")[1].split()[0]
        text = SEED.read_text(encoding="utf-8")
        before = resident_mb(family(server.pid))
        figures = load(url, args.requests, args.concurrency, text)
        figures |= {"workers": args.workers, "memory_before_mb": round(before),
                    "memory_after_mb": round(resident_mb(family(server.pid)))}
        print(json.dumps(figures, indent=1))
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
