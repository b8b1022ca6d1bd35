"""Reading user input safely and writing outputs atomically.

Memory stays bounded whatever the input: an article (`geomap.inputs`) is read up to one byte over its limit, a
JSON Lines file one line at a time with the same bound per line, and only regular files are opened
by name (a FIFO with no writer would block, /dev/zero never ends: pipe a stream to "-" instead).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, TypeVar

from geomap.errors import InputError, OutputError
from geomap.model import Source

T = TypeVar("T")

MAX_TEXT_BYTES = 5_000_000
"""An article (or a JSON Lines line) larger than this (5 MB) is refused: it is not an article."""


def too_large(where: str, size: str) -> InputError:
    return InputError(f"{where}: {size} is over the {MAX_TEXT_BYTES:,}-byte limit for one article")


def check_text(data: bytes, where: str) -> str:
    """UTF-8 text within the limit, or refused clearly: text is never guessed at."""
    if len(data) > MAX_TEXT_BYTES:
        raise too_large(where, f"{len(data):,} bytes")
    if b"\x00" in data:
        raise InputError(f"{where}: binary data (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: not UTF-8 text (bad byte at offset {exc.start})") from None


def open_regular(path: str, what: str) -> BinaryIO:
    """Open `path` for reading only if it is a regular file; opened non-blocking, so a FIFO with
    no writer is refused at once instead of hanging."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InputError(f"{path}: is {_kind(mode)}, not {what}")
    return os.fdopen(fd, "rb")


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    return ("a directory" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a device")


@dataclass(frozen=True, slots=True)
class Record:
    """One document of a JSON Lines or Parquet input: its id, its text, and where the text came from
    when the record carried a web page."""

    id: str
    text: str
    source: Source | None = None


def read_records(path: str, skip_bad: bool = False, report=None) -> Iterator[Record]:
    """Stream `{"id", "text"}` records from JSON Lines, or from Parquet (columns id, text) when
    the file ends in .parquet; a bad record stops the run, or is reported and skipped."""
    fh = open_regular(path, "a JSON Lines or Parquet file")
    if Path(path).suffix.lower() == ".parquet":
        return _read_parquet(fh, Path(path), skip_bad, report)
    return read_json_lines(fh, path, _record, skip_bad, report)


def _skip(error: InputError, skip_bad: bool, report: Callable[[str], None] | None) -> None:
    """A bad record stops the run unless the user asked to skip it; a skipped one is still reported."""
    if not skip_bad:
        raise error
    if report:
        report(str(error))


def _pyarrow(path: Path):
    try:
        import pyarrow.parquet
    except ImportError:
        raise InputError(f"{path}: Parquet needs pyarrow: pip install 'geomap[parquet]'") from None
    return pyarrow.parquet


def _read_parquet(fh: BinaryIO, path: Path, skip_bad: bool, report) -> Iterator[Record]:
    parquet = _pyarrow(path)
    with fh:
        try:
            source = parquet.ParquetFile(fh)
        except Exception as exc:  # pyarrow raises its own error types for a damaged file
            raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
        names = source.schema_arrow.names
        if "text" not in names:
            raise InputError(f"{path}: no \"text\" column (columns: {', '.join(names)})")
        columns = [c for c in ("id", "text") if c in names]
        number = 0
        for batch in source.iter_batches(batch_size=256, columns=columns):
            data = batch.to_pydict()
            for i, text in enumerate(data["text"]):
                number += 1
                if not isinstance(text, str):
                    _skip(InputError(f"{path}: row {number}: \"text\" is not a string"), skip_bad, report)
                    continue
                if len(text) > MAX_TEXT_BYTES or len(text.encode("utf-8")) > MAX_TEXT_BYTES:  # as a JSON Lines line
                    _skip(too_large(f"{path}: row {number}", "its text"), skip_bad, report)
                    continue
                ident = data["id"][i] if "id" in data and data["id"][i] is not None else number
                yield Record(str(ident), text)


class ParquetLines:
    """A writer that stores batch outcomes as Parquet rows (`schema.parquet_row`)."""

    def __init__(self, fh, path: Path):
        self._parquet = _pyarrow(path)
        import pyarrow

        self._pa = pyarrow
        self._schema = pyarrow.schema([("id", pyarrow.string()), ("mentions", pyarrow.string()),
                                       ("error", pyarrow.string())])
        self._writer = self._parquet.ParquetWriter(fh, self._schema)
        self._rows: list[dict] = []

    def write(self, row: dict) -> None:
        self._rows.append(row)
        if len(self._rows) >= 256:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            self._writer.write_table(self._pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []

    def close(self) -> None:
        self.flush()
        self._writer.close()


def read_json_lines(fh: BinaryIO, path: str, make: Callable[[dict, str, int], T], skip_bad: bool = False,
                    report: Callable[[str], None] | None = None) -> Iterator[T]:
    """One value per non-blank line of a JSON Lines file, made by `make(object, "FILE:LINE", line)`;
    a bad line stops the run with FILE:LINE and the problem, or is reported and skipped."""
    with fh:
        for number, raw in _lines(fh):
            if raw is not None and not raw.strip():
                continue
            where = f"{path}:{number}"
            try:
                if raw is None:
                    raise too_large(where, "the line")
                value = make(_json_object(raw, where), where, number)
            except InputError as exc:
                _skip(exc, skip_bad, report)
                continue
            yield value


def _lines(fh: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines without their line break, each read into a bounded buffer; None for a line
    over the limit, whose rest is read past in small pieces (only if the reader goes on), never kept."""
    number = 0
    while raw := fh.readline(MAX_TEXT_BYTES + 1):
        number += 1
        if raw.endswith(b"\n"):
            yield number, raw[:-1]
        elif len(raw) <= MAX_TEXT_BYTES:  # the last line, without a line break
            yield number, raw
        else:
            yield number, None
            while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass


def _json_object(raw: bytes, where: str) -> dict:
    text = check_text(raw, where)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{where}: not valid JSON (nested too deeply)") from None
    except ValueError:  # the only other one: Python's limit on the digits of an integer
        digits = sys.get_int_max_str_digits()
        raise InputError(f"{where}: not valid JSON (a number of more than {digits:,} digits)") from None
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a JSON object")
    return data


def valid_unicode(value: str, where: str, field: str) -> str:
    """`value`, if UTF-8 can write it: a JSON string may hold a lone surrogate ("\\ud800") that no output can."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        problem = f"a lone surrogate at character {exc.start}"
        raise InputError(f"{where}: \"{field}\" is not valid Unicode ({problem})") from None
    return value


def _record(data: dict, where: str, number: int) -> Record:
    """A record's text: its "text", or the article in its "html" (a web page) when it has no "text"."""
    ident = valid_unicode(str(data.get("id", number)), where, "id")
    body = data.get("text")
    if isinstance(body, str):
        return Record(ident, valid_unicode(body, where, "text"))
    page = data.get("html")
    if body is None and isinstance(page, str):
        from geomap.documents import html_article

        article = html_article(valid_unicode(page, where, "html"), where, MAX_TEXT_BYTES)
        return Record(ident, article.text, article.source)
    raise InputError(f"{where}: missing string field \"text\" (or \"html\": a web page)")


def refuse_overwriting(inputs: Iterable[str | Path | None], outputs: Iterable[Path | None]) -> None:
    """Refuse, before any work, an output that is one of the inputs (by name, symbolic link or hard
    link), "-" as an output, and one file named as two outputs."""
    sources = [Path(i) for i in inputs if i is not None and str(i) != "-" and _exists(Path(i), InputError)]
    named = [output for output in outputs if output is not None]
    if any(str(output) == "-" for output in named):
        raise InputError("-: an output is written to a file, not standard output; give a file name")
    for i, output in enumerate(named):
        if any(os.path.realpath(output) == os.path.realpath(other) for other in named[:i]):
            raise InputError(f"{output}: given as two outputs; give each its own file name")
    for output in named:
        if not _exists(output, OutputError):
            continue
        for source in sources:
            if os.path.samefile(output, source):
                raise InputError(f"{output}: is the input {source}; refusing to overwrite it (choose another output)")


def _exists(path: Path, error: type[InputError | OutputError]) -> bool:
    """Whether `path` exists; a name the system cannot take (over 255 bytes) is that error, naming it."""
    try:
        return path.exists()
    except OSError as exc:
        raise error(f"{path}: cannot use this file name ({exc.strerror})") from None


_TEMPORARY = re.compile(r"(?P<pid>\d+)\.[0-9a-f]{8}")
"""The middle of a temporary output's name: the writing process and a random tag. Nothing else is
ours to remove, whatever it looks like."""


def _remove_stale_temporaries(target: Path) -> None:
    """Temporary files that killed runs left beside `target`: named after a process that is gone."""
    prefix = f".{target.name}."
    for entry in os.scandir(target.parent):
        if not (entry.name.startswith(prefix) and entry.name.endswith(".tmp")):
            continue
        found = _TEMPORARY.fullmatch(entry.name[len(prefix):-len(".tmp")])
        if found and not _running(int(found["pid"])):
            with suppress(OSError):  # another run removed it first, or it is not ours to remove
                os.unlink(entry.path)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _temporary(target: Path) -> tuple[Path, int]:
    """A new file beside `target`, named after this process; created 0o666 less the umask."""
    while True:
        tmp = target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue


def _mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return None


def _output_target(path: Path) -> Path:
    """The file an output replaces: a symbolic link's target (the link itself is kept), and, if it
    exists, only a regular file: a FIFO, device or socket is never replaced by a file."""
    try:
        target = Path(os.path.realpath(path)) if path.is_symlink() else path
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        raise OutputError(f"{path}: is a directory; give a file name")
    if not stat.S_ISREG(mode):
        raise OutputError(f"{path}: is {_kind(mode)}, not a regular file; refusing to replace it")
    return target


@contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside `path` and rename it into place only on success; a file
    replaced keeps its mode, a new one gets what the umask allows."""
    target = _output_target(Path(path))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(target)
        kept_mode = _mode(target)
        tmp, fd = _temporary(target)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, mode, **({"encoding": "utf-8", "newline": "\n"} if "b" not in mode else {})) as fh:
            yield fh
        if kept_mode is not None:
            os.chmod(tmp, kept_mode)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{target}: cannot write ({exc.strerror})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str) -> None:
    with atomic_writer(path) as fh:
        fh.write(text)
