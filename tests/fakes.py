"""What tests share besides fixtures: an in-memory gazetteer, and the `geomap` command run in this process.

`run_cli` is how tests call the command (as httpie's tests call `http`): `cli.main(argv)` with its
own standard streams, giving back what a finished process would (exit code, stdout, stderr), in
milliseconds instead of the seconds a new interpreter takes to import spaCy and load the pipeline.
A test starts a real process only when the process is the point: a kill, a signal, a closed pipe,
a resource limit, the wheel, a fresh interpreter.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import sys
import traceback
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from geomap import batch, cli, gazetteer, pipeline
from geomap.gazetteer.names import fold
from geomap.gazetteer.paths import default_db
from geomap.gazetteer.store import Fame
from geomap.kinds import KINDS
from geomap.model import Candidate, Feature, Place


class TinyGazetteer:
    """The questions the components ask of a gazetteer, answered from a list of places."""

    def __init__(self, places: Iterable[tuple[Place, Iterable[str]]] = (), demonyms: dict[str, Place] | None = None):
        self.names: dict[str, list[Candidate]] = {}
        self.adjectives: dict[str, list[Candidate]] = {}
        for place, aliases in places:
            self._add(self.names, place.name, Candidate(place, True))
            for alias in aliases:
                self._add(self.names, alias, Candidate(place, False))
        for word, place in (demonyms or {}).items():
            self._add(self.adjectives, word, Candidate(place, False))

    @staticmethod
    def _add(index: dict, name: str, candidate: Candidate) -> None:
        index.setdefault(fold(name), []).append(candidate)

    def candidates(self, key: str, demonym: bool = False) -> tuple[Candidate, ...]:
        return tuple((self.adjectives if demonym else self.names).get(key, ()))

    def search(self, name: str, limit: int = 10) -> list[Place]:
        """The places answering to a name, its own name first, then the most populous."""
        found = sorted(self.names.get(fold(name), ()), key=lambda c: (not c.exact, -c.place.population))
        return [c.place for c in found][:limit]

    def area(self, country: str, admin1: str = "") -> Place | None:
        feature = Feature.ADMIN1 if admin1 else Feature.COUNTRY
        return next((c.place for cands in self.names.values() for c in cands if c.exact and c.place.feature == feature
                     and (c.place.country, c.place.admin1 if admin1 else "") == (country, admin1)), None)

    def known(self, keys: Iterable[str]) -> dict[str, Fame]:
        found = {}
        for key in set(keys):
            fames = [Fame(KINDS[c.place.feature].rank, c.place.population if c.exact else 0, False)
                     for c in self.names.get(key, ())]
            if key in self.adjectives:
                fames.append(Fame(-1, 0, True))
            if fames:
                found[key] = Fame(max(f.rank for f in fames), max(f.population for f in fames),
                                  any(f.demonym for f in fames))
        return found


def place(gid: int, name: str, feature: Feature, lat: float = 0.0, lon: float = 0.0, country: str = "",
          admin1: str = "", population: int = 0) -> Place:
    return Place(gid, name, lat, lon, feature, country, admin1, population)


# --- the command in this process ------------------------------------------------------------------

SESSION_GAZETTEER = str(default_db())
"""The built gazetteer the whole test run reads (tests change only copies of it)."""
_PIPELINES: dict[str, object] = {}
_load_nlp = pipeline.load_nlp


def _load_once(model: str = pipeline.DEFAULT_MODEL, gazetteer_path: Path | None = None):
    """`load_nlp`, except that the default pipeline over the session's gazetteer is loaded once per run:
    the same pipeline a new process would load, without the second it takes."""
    if gazetteer_path is not None or str(default_db()) != SESSION_GAZETTEER:
        return _load_nlp(model, gazetteer_path)
    if model not in _PIPELINES:
        _PIPELINES[model] = _load_nlp(model)
        gc.freeze()  # the pipeline lives as long as the run: a collection scanning its objects again finds nothing
    return _PIPELINES[model]


def one_default_pipeline() -> contextlib.AbstractContextManager:
    """Within: every `Geoparser()` of the default model and gazetteer shares one loaded pipeline."""
    return mock.patch.object(pipeline, "load_nlp", _load_once)


@contextlib.contextmanager
def _as_a_new_process() -> Iterator[None]:
    """Readers and geoparsers a run opens are its own, as in a process of its own: dropped when it
    ends, so the next run reads a gazetteer as it is then (only the session's gazetteer stays open)."""
    readers, geoparsers = dict(gazetteer._SHARED), dict(batch._GEOPARSERS)
    try:
        yield
    finally:
        for key in set(gazetteer._SHARED) - set(readers) - {SESSION_GAZETTEER}:
            gazetteer._SHARED.pop(key).close()
        for job in set(batch._GEOPARSERS) - set(geoparsers):
            del batch._GEOPARSERS[job]


@dataclass(frozen=True)
class CliResult:
    """What a finished `geomap` run gave back, named as `subprocess.CompletedProcess` names it."""

    returncode: int
    stdout: str
    stderr: str


def _text(raw: bytes, errors: str) -> str:
    """Bytes read as a text-mode pipe reads them (universal newlines)."""
    return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors=errors, newline=None).read()


def run_cli(*args: str | Path, stdin: bytes | str | None = None, cwd: Path | None = None) -> CliResult:
    """`geomap ARGS` run in this process with its own stdin (empty unless given), stdout and stderr,
    in `cwd`; what the interpreter would do at the top is done here too: `SystemExit` (argparse's
    usage errors, --version) is the exit code, an exception that escapes (--debug) is a traceback and 1,
    and warnings are shown on stderr as Python shows them by default."""
    data = stdin.encode() if isinstance(stdin, str) else stdin or b""
    streams = {"stdin": io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"),
               "stdout": io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", write_through=True),
               "stderr": io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace",
                                          write_through=True)}
    saved = {name: getattr(sys, name) for name in streams}
    with contextlib.chdir(cwd or os.getcwd()), warnings.catch_warnings(record=True) as shown, \
            one_default_pipeline(), _as_a_new_process():
        warnings.resetwarnings()
        for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
            warnings.simplefilter("ignore", category)  # Python's default filters, as in a new process
        for name, stream in streams.items():
            setattr(sys, name, stream)
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if not isinstance(exc.code, int | None):
                print(exc.code, file=sys.stderr)
        except Exception:
            traceback.print_exc()
            code = 1
        finally:
            for w in shown:
                sys.stderr.write(warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line))
            for name, stream in saved.items():
                setattr(sys, name, stream)
    out, err = streams["stdout"], streams["stderr"]
    out.flush()
    err.flush()
    return CliResult(code, _text(out.buffer.getvalue(), "strict"), _text(err.buffer.getvalue(), "backslashreplace"))
