"""Many documents: in this process, in a pool of local processes, or on a Dask cluster.

Every engine reads records lazily, sends them out in chunks, keeps only a bounded number of
chunks in flight, and yields output lines in input order, so memory stays flat however long the
input is. Each worker loads the spaCy model and opens the gazetteer once. A document that fails
becomes a line with an "error" field; the others are not lost.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from geomap.errors import GeomapError
from geomap.io import Record
from geomap.render.export import to_json

T = TypeVar("T")

CHUNK = 16
"""Documents per task sent to a worker: large enough to batch through spaCy, small enough to balance."""


@dataclass(frozen=True, slots=True)
class Job:
    """What a worker needs to rebuild the same geoparser: plain values, cheap to send anywhere."""

    model: str
    gazetteer: str | None
    batch_size: int = 32


_GEOPARSERS: dict[Job, object] = {}


def _geoparser(job: Job):
    """One geoparser per worker process and job, made on first use."""
    if job not in _GEOPARSERS:
        from geomap.pipeline import Geoparser

        _GEOPARSERS[job] = Geoparser(job.model, Path(job.gazetteer) if job.gazetteer else None)
    return _GEOPARSERS[job]


def parse_chunk(job: Job, chunk: list[tuple[str, str]]) -> list[str]:
    """(id, text) pairs to JSON lines, in order; a document that raises is reported, not fatal."""
    geoparser = _geoparser(job)
    try:
        documents = list(geoparser.pipe(((text, id) for id, text in chunk), job.batch_size))
        return [to_json(d) for d in documents]
    except Exception:  # one bad document must not sink its chunk: redo them one by one
        return [_parse_one(geoparser, id, text) for id, text in chunk]


def _parse_one(geoparser, id: str, text: str) -> str:
    try:
        return to_json(geoparser.parse(text, id))
    except Exception as exc:
        return json.dumps({"id": id, "mentions": [], "error": f"{type(exc).__name__}: {exc}"}, ensure_ascii=False)


def _chunks(records: Iterable[Record]) -> Iterator[list[tuple[str, str]]]:
    pairs = ((r.id, r.text) for r in records)
    while chunk := list(itertools.islice(pairs, CHUNK)):
        yield chunk


def _ordered(submit: Callable[[list], object], result: Callable[[object], list[str]], chunks, window: int):
    """Keep at most `window` chunks in flight; yield their lines in input order."""
    pending: deque = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield from result(pending.popleft())
    while pending:
        yield from result(pending.popleft())


def extract(records: Iterable[Record], job: Job, workers: int = 1, engine: str = "local",
            scheduler: str | None = None) -> Iterator[str]:
    """JSON lines for the records, in order, on the chosen engine."""
    chunks = _chunks(records)
    if engine == "dask":
        yield from _dask(chunks, job, workers, scheduler)
    elif workers <= 1:
        for chunk in chunks:
            yield from parse_chunk(job, chunk)
    else:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            yield from _ordered(lambda c: pool.apply_async(parse_chunk, (job, c)), lambda r: r.get(),
                                chunks, 4 * workers)


def _dask(chunks, job: Job, workers: int, scheduler: str | None) -> Iterator[str]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise GeomapError("--engine dask needs Dask: pip install 'geomap[dask]'") from None
    if scheduler:
        client, cluster = Client(scheduler), None
    else:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)
    try:
        # pure=False: identical chunks are still separate work items.
        yield from _ordered(lambda c: client.submit(parse_chunk, job, c, pure=False), lambda f: f.result(),
                            chunks, 4 * max(1, workers))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def progress(items: Iterable[T], unit: str = "doc") -> Iterator[T]:
    """A progress bar for a person at a terminal; nothing when stderr is a pipe or a file."""
    if not sys.stderr.isatty():
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, unit=unit, file=sys.stderr)
