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
from typing import TypeVar
from dataclasses import replace

from geomap.errors import GeomapError, InputError
from geomap.formats import Failure, Outcome
from geomap.model import Article, Document
from geomap.setup import Setup

CHUNK = 16
"""Documents per task sent to a worker: large enough to batch through spaCy, small enough to balance."""
DOC_TIMEOUT = 120.0
"""Seconds one document may take by default: generous, since a long article's NER alone takes seconds."""
Prefer = tuple[tuple[str, int], ...]
"""(name, geonameid) pairs, as `Setup.prefer` holds them."""
MAX_DOC_TIMEOUT = 86_400
"""The longest `doc_timeout` (a day): beyond it, or infinite, the timer cannot be set (OverflowError)."""


_GEOPARSERS: dict[Setup, object] = {}


def _geoparser(setup: Setup):
    """One geoparser per worker process and setup, made on first use."""
    if setup not in _GEOPARSERS:
        _GEOPARSERS[setup] = setup.geoparser()
    return _GEOPARSERS[setup]


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


def parse_chunk(setup: Setup, chunk: list[Article], doc_timeout: float | None = None,
                one_by_one: bool = False, prefer: Prefer | None = None) -> Iterator[Outcome]:
    """Articles to documents (or failures), in order, each as soon as it is done. Batched through
    spaCy; once a document fails or overruns `doc_timeout`, the rest go one by one, so only it is lost.
    `prefer`: this chunk's preferred places instead of the setup's (a server's request gives its own)."""
    geoparser = _geoparser(setup)
    setup = setup if prefer is None else replace(setup, prefer=prefer)
    done = 0
    if not one_by_one:
        try:
            documents = geoparser.pipe(chunk, setup.batch_size, dict(setup.prefer), setup.home or None)
            while done < len(chunk):
                with _time_limit(doc_timeout):
                    document = next(documents)
                done += 1
                yield document
        except Exception:  # one bad or slow document must not sink its chunk: the rest one by one
            pass
    for article in chunk[done:]:
        yield _parse_one(geoparser, article, doc_timeout, setup)


def _parse_one(geoparser, article: Article, doc_timeout: float | None, setup: Setup) -> Outcome:
    try:
        with _time_limit(doc_timeout):
            return next(geoparser.pipe([article], prefer=dict(setup.prefer), home=setup.home or None))
    except Exception as exc:
        return Failure(article.id, f"{type(exc).__name__}: {exc}")


class ParserProcess:
    """A child process that parses chunks for one setup, killed and replaced when a document overruns.

    Outcomes come back one per document, so the one that overran is known: it is retried alone (a
    whole spaCy batch may have been slow) and, overrunning alone, becomes an error line. The
    child speaks pickle over its standard input and output; a thread reads its output into a
    queue, so the wait is bounded on every platform.
    """

    def __init__(self, setup: Setup):
        self.setup = setup
        self._child: subprocess.Popen | None = None
        self._messages: queue.SimpleQueue | None = None

    def parse(self, chunk: list[Article], doc_timeout: float | None, prefer: Prefer | None = None) -> list[Outcome]:
        """The chunk's outcomes, in order; no document takes longer than `doc_timeout` seconds.
        `prefer`: the chunk's preferred places instead of the setup's."""
        lines: list[Outcome] = []
        one_by_one = False
        while len(lines) < len(chunk):
            self._start()
            assert self._messages is not None  # _start made the child and its queue
            self._send((chunk[len(lines):], one_by_one, prefer))
            while len(lines) < len(chunk):
                try:
                    message = self._messages.get(timeout=doc_timeout)
                except queue.Empty:
                    assert doc_timeout is not None  # the queue is empty only after a timeout
                    message = DocumentTimeout(doc_timeout)
                if isinstance(message, Document | Failure):
                    lines.append(message)
                    continue
                self.close()
                if one_by_one:
                    lines.append(Failure(chunk[len(lines)].id, f"{type(message).__name__}: {message}"))
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
        self._send(self.setup)
        ready = self._messages.get()
        if ready is not None:
            self.close()
            raise ready if isinstance(ready, GeomapError) else GeomapError(f"parser process failed: {ready}")

    def _send(self, message: object) -> None:
        """Write to the child; if it has gone, its reader has said so in the queue."""
        assert self._child is not None and self._child.stdin is not None  # started, with a pipe
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
                assert stream is not None  # both are pipes
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
    """A parser process's life (see `ParserProcess`): a setup in, None out once its geoparser is
    loaded (or the error), then for each (chunk, one_by_one, prefer) in, one outcome per document out."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not corrupt the messages

    def send(message: object) -> None:
        pickle.dump(message, out)
        out.flush()

    setup = pickle.load(sys.stdin.buffer)
    try:
        _geoparser(setup)
    except Exception as exc:
        send(exc)
        return
    send(None)
    while True:
        try:
            chunk, one_by_one, prefer = pickle.load(sys.stdin.buffer)
        except EOFError:  # the parent has gone
            return
        for outcome in parse_chunk(setup, chunk, one_by_one=one_by_one, prefer=prefer):
            send(outcome)


class ParserPool:
    """Parser processes lent to the threads that run chunks, one each, made on first need."""

    def __init__(self, setup: Setup):
        self.setup = setup
        self._idle: list[ParserProcess] = []
        self._all: list[ParserProcess] = []
        self._lock = threading.Lock()

    def parse(self, chunk: list[Article], doc_timeout: float | None, prefer: Prefer | None = None) -> list[Outcome]:
        with self._lock:
            if not self._idle:
                self._all.append(ParserProcess(self.setup))
                self._idle.append(self._all[-1])
            process = self._idle.pop()
        try:
            return process.parse(chunk, doc_timeout, prefer)
        finally:
            with self._lock:
                self._idle.append(process)

    def close(self) -> None:
        for process in self._all:
            process.close()


_POOLS: dict[Setup, ParserPool] = {}
_POOLS_LOCK = threading.Lock()


def parse_chunk_guarded(setup: Setup, chunk: list[Article], doc_timeout: float | None,
                        prefer: Prefer | None = None) -> list[Outcome]:
    """A Dask task: the chunk in one of this worker's parser processes, which live as long as it."""
    with _POOLS_LOCK:
        pool = _POOLS.setdefault(setup, ParserPool(setup))
    return pool.parse(chunk, doc_timeout, prefer)


def _chunks(articles: Iterable[Article]) -> Iterator[list[Article]]:
    articles = iter(articles)
    while chunk := list(itertools.islice(articles, CHUNK)):
        yield chunk


Task = TypeVar("Task")
"""A chunk's work in flight: a thread pool's or Dask's future."""


def _ordered(submit: Callable[[list[Article]], Task], result: Callable[[Task], list[Outcome]],
             chunks: Iterable[list[Article]], window: int) -> Iterator[Outcome]:
    """Keep at most `window` chunks in flight; yield their outcomes in input order."""
    pending: deque[Task] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield from result(pending.popleft())
    while pending:
        yield from result(pending.popleft())


def extract(articles: Iterable[Article], setup: Setup, workers: int = 1, engine: str = "local",
            scheduler: str | None = None, doc_timeout: float | None = DOC_TIMEOUT) -> Iterator[Outcome]:
    """A document (or a failure) for each article, in order, on the chosen engine; a document taking
    longer than `doc_timeout` seconds (None: no limit) becomes a failure."""
    if doc_timeout is not None and not 0 < doc_timeout <= MAX_DOC_TIMEOUT:  # nan and inf fail too
        raise InputError(f"`doc_timeout` must be a positive number of seconds, at most {MAX_DOC_TIMEOUT:,} "
                         f"(a day), not {doc_timeout:g}", parameters=("doc_timeout",))
    if workers < 1 or setup.batch_size < 1:
        raise InputError("`workers` and `batch_size` must be at least 1", parameters=("workers", "batch_size"))
    chunks = _chunks(articles)
    if engine == "dask":
        yield from _dask(chunks, setup, workers, scheduler, doc_timeout)
    elif workers <= 1:
        for chunk in chunks:
            yield from parse_chunk(setup, chunk, doc_timeout)
    else:
        pool = ParserPool(setup)
        try:
            with ThreadPoolExecutor(workers) as threads:
                yield from _ordered(lambda c: threads.submit(pool.parse, c, doc_timeout), lambda f: f.result(),
                                    chunks, 4 * workers)
        finally:
            pool.close()


def _dask(chunks: Iterable[list[Article]], setup: Setup, workers: int, scheduler: str | None,
          doc_timeout: float | None) -> Iterator[Outcome]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise GeomapError("`engine` dask needs Dask: pip install 'geomap[dask]'", parameters=("engine",)) from None
    if scheduler:
        client, cluster = Client(scheduler), None
    else:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)
    try:
        # pure=False: identical chunks are still separate work items.
        yield from _ordered(lambda c: client.submit(parse_chunk_guarded, setup, c, doc_timeout, pure=False),
                            lambda f: f.result(), chunks, 4 * max(1, workers))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

