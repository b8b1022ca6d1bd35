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


def read_jsonl(path: str, skip_bad: bool = False, report=None) -> Iterator[Record]:
    """Stream `{"id", "text"}` lines; a bad line stops the run, or is reported and skipped."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{path}: is a directory, not a JSON Lines file")
    if not p.exists():
        raise InputError(f"{path}: no such file")
    with p.open("rb") as fh:
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
