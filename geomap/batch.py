"""Many documents: in this process, in a pool of local processes, or on a Dask cluster.

Every engine reads records lazily, sends them out in chunks, keeps only a bounded number of
chunks in flight, and yields output lines in input order, so memory stays flat however long the
input is. Each worker loads the spaCy model and opens the gazetteer once. A document that fails,
or takes longer than the per-document time limit, becomes a line with an "error" field; the
others are not lost and the run goes on.

The time limit is enforced where the document is parsed. In this process, an alarm signal
interrupts the parse (POSIX, main thread; elsewhere documents run unlimited). The local pool and
Dask parse in child processes of their own (`ParserProcess`), which are killed when a document
overruns and replaced: nothing a document does can stall the run.
"""

from __future__ import annotations

import itertools
import json
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from geomap.errors import GeomapError, InputError
from geomap.io import Record
from geomap.model import Document
from geomap.formats import Failure, Outcome

T = TypeVar("T")

CHUNK = 16
"""Documents per task sent to a worker: large enough to batch through spaCy, small enough to balance."""
DOC_TIMEOUT = 120.0
"""Seconds one document may take by default: generous, since a long article's NER alone takes seconds."""
MAX_DOC_TIMEOUT = 86_400
"""The longest --doc-timeout (a day): beyond it, or infinite, the timer cannot be set (OverflowError)."""


@dataclass(frozen=True, slots=True)
class Job:
    """What a worker needs to rebuild the same geoparser: plain values, cheap to send anywhere."""

    model: str
    gazetteer: str | None
    batch_size: int = 32
    prefer: tuple[tuple[str, int], ...] = ()


_GEOPARSERS: dict[Job, object] = {}


def _geoparser(job: Job):
    """One geoparser per worker process and job, made on first use."""
    if job not in _GEOPARSERS:
        from geomap.pipeline import Geoparser

        _GEOPARSERS[job] = Geoparser(job.model, Path(job.gazetteer) if job.gazetteer else None)
    return _GEOPARSERS[job]


class DocumentTimeout(Exception):
    """A document took longer than the time limit."""

    def __init__(self, seconds: float):
        super().__init__(f"timed out after {seconds:g} s")


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise `DocumentTimeout` in the block after `seconds`, by an alarm signal: only where signals
    reach (POSIX, the main thread); elsewhere, and with no limit, the block runs unlimited."""
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise DocumentTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse_chunk(job: Job, chunk: list[tuple[str, str]], doc_timeout: float | None = None,
                one_by_one: bool = False) -> Iterator[Outcome]:
    """(id, text) pairs to documents (or failures), in order, each as soon as it is done. Batched
    through spaCy; once a document fails or overruns `doc_timeout`, the rest go one by one, so only
    it is lost."""
    geoparser = _geoparser(job)
    done = 0
    if not one_by_one:
        try:
            documents = geoparser.pipe(((text, id) for id, text in chunk), job.batch_size, dict(job.prefer))
            while done < len(chunk):
                with _time_limit(doc_timeout):
                    document = next(documents)
                done += 1
                yield document
        except Exception:  # one bad or slow document must not sink its chunk: the rest one by one
            pass
    for id, text in chunk[done:]:
        yield _parse_one(geoparser, id, text, doc_timeout, dict(job.prefer))


def _parse_one(geoparser, id: str, text: str, doc_timeout: float | None, prefer: dict[str, int]) -> Outcome:
    try:
        with _time_limit(doc_timeout):
            return geoparser.parse(text, id, prefer)
    except Exception as exc:
        return Failure(id, f"{type(exc).__name__}: {exc}")


class ParserProcess:
    """A child process that parses chunks for one job, killed and replaced when a document overruns.

    Outcomes come back one per document, so the one that overran is known: it is retried alone (a
    whole spaCy batch may have been slow) and, overrunning alone, becomes an error line. The
    child speaks pickle over its standard input and output; a thread reads its output into a
    queue, so the wait is bounded on every platform.
    """

    def __init__(self, job: Job):
        self.job = job
        self._child: subprocess.Popen | None = None
        self._messages: queue.SimpleQueue | None = None

    def parse(self, chunk: list[tuple[str, str]], doc_timeout: float | None) -> list[Outcome]:
        """The chunk's outcomes, in order; no document takes longer than `doc_timeout` seconds."""
        lines: list[Outcome] = []
        one_by_one = False
        while len(lines) < len(chunk):
            self._start()
            self._send((chunk[len(lines):], one_by_one))
            while len(lines) < len(chunk):
                try:
                    message = self._messages.get(timeout=doc_timeout)
                except queue.Empty:
                    message = DocumentTimeout(doc_timeout)
                if isinstance(message, Document | Failure):
                    lines.append(message)
                    continue
                self.close()
                if one_by_one:
                    lines.append(Failure(chunk[len(lines)][0], f"{type(message).__name__}: {message}"))
                one_by_one = True
                break
        return lines

    def _start(self) -> None:
        """Start the child unless it runs, and wait (unlimited: loading the model) until it is ready."""
        if self._child is not None:
            return
        # The child imports what this process imports: it gets this process's module search path.
        start = "import json, sys; sys.path[:] = json.loads(sys.argv[1]); from geomap.batch import serve; serve()"
        self._child = subprocess.Popen([sys.executable, "-c", start, json.dumps(sys.path)],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._messages = queue.SimpleQueue()
        threading.Thread(target=_read_messages, args=(self._child.stdout, self._messages), daemon=True).start()
        self._send(self.job)
        ready = self._messages.get()
        if ready is not None:
            self.close()
            raise ready if isinstance(ready, GeomapError) else GeomapError(f"parser process failed: {ready}")

    def _send(self, message: object) -> None:
        """Write to the child; if it has gone, its reader has said so in the queue."""
        try:
            pickle.dump(message, self._child.stdin)
            self._child.stdin.flush()
        except OSError:
            pass

    def close(self) -> None:
        """Stop the child, whatever it is doing."""
        if self._child is not None:
            self._child.kill()
            self._child.wait()
            for stream in (self._child.stdin, self._child.stdout):
                stream.close()
            self._child = None


class ProcessExited(Exception):
    """A parser process ended without answering (killed, crashed, out of memory)."""


def _read_messages(stream, messages: queue.SimpleQueue) -> None:
    try:
        while True:
            messages.put(pickle.load(stream))
    except (EOFError, OSError, ValueError, pickle.UnpicklingError):
        messages.put(ProcessExited("parser process exited"))


def serve() -> None:
    """A parser process's life (see `ParserProcess`): a job in, None out once its geoparser is
    loaded (or the error), then for each (chunk, one_by_one) in, one outcome per document out."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not corrupt the messages

    def send(message: object) -> None:
        pickle.dump(message, out)
        out.flush()

    job = pickle.load(sys.stdin.buffer)
    try:
        _geoparser(job)
    except Exception as exc:
        send(exc)
        return
    send(None)
    while True:
        try:
            chunk, one_by_one = pickle.load(sys.stdin.buffer)
        except EOFError:  # the parent has gone
            return
        for outcome in parse_chunk(job, chunk, one_by_one=one_by_one):
            send(outcome)


class ParserPool:
    """Parser processes lent to the threads that run chunks, one each, made on first need."""

    def __init__(self, job: Job):
        self.job = job
        self._idle: list[ParserProcess] = []
        self._all: list[ParserProcess] = []
        self._lock = threading.Lock()

    def parse(self, chunk: list[tuple[str, str]], doc_timeout: float | None) -> list[Outcome]:
        with self._lock:
            if not self._idle:
                self._all.append(ParserProcess(self.job))
                self._idle.append(self._all[-1])
            process = self._idle.pop()
        try:
            return process.parse(chunk, doc_timeout)
        finally:
            with self._lock:
                self._idle.append(process)

    def close(self) -> None:
        for process in self._all:
            process.close()


_POOLS: dict[Job, ParserPool] = {}
_POOLS_LOCK = threading.Lock()


def parse_chunk_guarded(job: Job, chunk: list[tuple[str, str]], doc_timeout: float | None) -> list[Outcome]:
    """A Dask task: the chunk in one of this worker's parser processes, which live as long as it."""
    with _POOLS_LOCK:
        pool = _POOLS.setdefault(job, ParserPool(job))
    return pool.parse(chunk, doc_timeout)


def _chunks(records: Iterable[Record]) -> Iterator[list[Record]]:
    records = iter(records)
    while chunk := list(itertools.islice(records, CHUNK)):
        yield chunk


def _pairs(chunk: list[Record]) -> list[tuple[str, str]]:
    """What a worker needs of a chunk: (id, text) pairs."""
    return [(r.id, r.text) for r in chunk]


def _sourced(chunk: list[Record], outcomes: Iterable[Outcome]) -> Iterator[Outcome]:
    """The outcomes, each document carrying where its record's text came from."""
    for record, outcome in zip(chunk, outcomes):
        yield replace(outcome, source=record.source) if record.source and isinstance(outcome, Document) else outcome


def _ordered(submit: Callable[[list], object], result: Callable[[object], list[Outcome]], chunks, window: int):
    """Keep at most `window` chunks in flight; yield their outcomes in input order."""
    pending: deque = deque()
    for chunk in chunks:
        pending.append((chunk, submit(_pairs(chunk))))
        if len(pending) >= window:
            chunk, work = pending.popleft()
            yield from _sourced(chunk, result(work))
    while pending:
        chunk, work = pending.popleft()
        yield from _sourced(chunk, result(work))


def extract(records: Iterable[Record], job: Job, workers: int = 1, engine: str = "local",
            scheduler: str | None = None, doc_timeout: float | None = DOC_TIMEOUT) -> Iterator[Outcome]:
    """A document (or a failure) for each record, in order, on the chosen engine; a document taking
    longer than `doc_timeout` seconds (None: no limit) becomes a failure."""
    if doc_timeout is not None and not 0 < doc_timeout <= MAX_DOC_TIMEOUT:  # nan and inf fail too
        raise InputError(f"--doc-timeout must be a positive number of seconds, at most {MAX_DOC_TIMEOUT:,} "
                         f"(a day), not {doc_timeout:g}")
    chunks = _chunks(records)
    if engine == "dask":
        yield from _dask(chunks, job, workers, scheduler, doc_timeout)
    elif workers <= 1:
        for chunk in chunks:
            yield from _sourced(chunk, parse_chunk(job, _pairs(chunk), doc_timeout))
    else:
        pool = ParserPool(job)
        try:
            with ThreadPoolExecutor(workers) as threads:
                yield from _ordered(lambda c: threads.submit(pool.parse, c, doc_timeout), lambda f: f.result(),
                                    chunks, 4 * workers)
        finally:
            pool.close()


def _dask(chunks, job: Job, workers: int, scheduler: str | None, doc_timeout: float | None) -> Iterator[str]:
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
        yield from _ordered(lambda c: client.submit(parse_chunk_guarded, job, c, doc_timeout, pure=False),
                            lambda f: f.result(), chunks, 4 * max(1, workers))
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
