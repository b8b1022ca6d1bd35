"""Reading user input safely and writing outputs atomically."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from geomap.errors import InputError, OutputError

MAX_TEXT_BYTES = 5_000_000
"""An article larger than this (5 MB) is refused: it is not an article."""


def _check_text(data: bytes, where: str) -> str:
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(f"{where}: {len(data):,} bytes is over the {MAX_TEXT_BYTES:,}-byte limit for one article")
    if b"\x00" in data:
        raise InputError(f"{where}: binary data (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: not UTF-8 text (bad byte at offset {exc.start})") from None


def read_article(path: str) -> str:
    """An article's text from a file, or standard input for "-"; UTF-8 only, refused clearly otherwise."""
    if path == "-":
        import sys

        return _check_text(sys.stdin.buffer.read(), "<stdin>")
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{path}: is a directory, not an article file")
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return _check_text(data, path)


@dataclass(frozen=True, slots=True)
class Record:
    """One line of a JSON Lines input: the document id and its text."""

    line: int
    id: str
    text: str


def read_records(path: str, skip_bad: bool = False, report=None) -> Iterator[Record]:
    """Stream `{"id", "text"}` records from JSON Lines, or from Parquet (columns id, text) when
    the file ends in .parquet; a bad record stops the run, or is reported and skipped."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{path}: is a directory, not a JSON Lines or Parquet file")
    if not p.exists():
        raise InputError(f"{path}: no such file")
    if p.suffix.lower() == ".parquet":
        return _read_parquet(p, skip_bad, report)
    return _read_jsonl(p, skip_bad, report)


def _pyarrow(path: Path):
    try:
        import pyarrow.parquet
    except ImportError:
        raise InputError(f"{path}: Parquet needs pyarrow: pip install 'geomap[parquet]'") from None
    return pyarrow.parquet


def _read_parquet(path: Path, skip_bad: bool, report) -> Iterator[Record]:
    parquet = _pyarrow(path)
    try:
        source = parquet.ParquetFile(path)
    except Exception as exc:  # pyarrow raises its own error types for a damaged file
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
    if "text" not in source.schema_arrow.names:
        raise InputError(f"{path}: no \"text\" column (columns: {', '.join(source.schema_arrow.names)})")
    columns = [c for c in ("id", "text") if c in source.schema_arrow.names]
    number = 0
    for batch in source.iter_batches(batch_size=256, columns=columns):
        data = batch.to_pydict()
        for i, text in enumerate(data["text"]):
            number += 1
            if not isinstance(text, str):
                message = f"{path}: row {number}: \"text\" is not a string"
                if not skip_bad:
                    raise InputError(message)
                if report:
                    report(message)
                continue
            ident = data["id"][i] if "id" in data and data["id"][i] is not None else number
            yield Record(number, str(ident), text)


class ParquetLines:
    """A writer that takes JSON output lines and stores them as Parquet rows (id, mentions as JSON)."""

    def __init__(self, fh, path: Path):
        self._parquet = _pyarrow(path)
        import pyarrow

        self._pa = pyarrow
        self._schema = pyarrow.schema([("id", pyarrow.string()), ("mentions", pyarrow.string())])
        self._writer = self._parquet.ParquetWriter(fh, self._schema)
        self._rows: list[dict] = []

    def write(self, line: str) -> None:
        data = json.loads(line)
        self._rows.append({"id": str(data.get("id")), "mentions": json.dumps(data["mentions"], ensure_ascii=False)})
        if len(self._rows) >= 256:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            self._writer.write_table(self._pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []

    def close(self) -> None:
        self.flush()
        self._writer.close()


def _read_jsonl(p: Path, skip_bad: bool, report) -> Iterator[Record]:
    path = str(p)
    try:
        fh = p.open("rb")
    except OSError as exc:  # an input error, not one of the output being written meanwhile
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    with fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                record = _record(raw, f"{path}:{number}", number)
            except InputError as exc:
                if not skip_bad:
                    raise
                if report:
                    report(str(exc))
                continue
            yield record


def _record(raw: bytes, where: str, number: int) -> Record:
    text = _check_text(raw, where)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected an object with \"id\" and \"text\"")
    body = data.get("text")
    if not isinstance(body, str):
        raise InputError(f"{where}: missing string field \"text\"")
    ident = data.get("id", number)
    return Record(number, str(ident), body)


@contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside `path` and rename it into place only on success."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target}: is a directory; give a file name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, mode, **({"encoding": "utf-8", "newline": "\n"} if "b" not in mode else {})) as fh:
            yield fh
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{target}: cannot write ({exc.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str) -> None:
    with atomic_writer(path) as fh:
        fh.write(text)
