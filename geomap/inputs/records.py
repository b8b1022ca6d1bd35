"""Many documents in one file: `{"id", "text"}` records from JSON Lines or Parquet, read in bounded memory.

A JSON Lines file is read one line at a time, each into a buffer of an article's limit plus one
byte. A Parquet file is checked by its metadata before any row group is read: a row group whose
id and text columns unpack to more than MAX_ROW_GROUP_BYTES is refused unread, and text is read
dictionary-encoded, so each row's length is known before the row is made a string.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, TypeVar

from geomap.errors import InputError
from geomap.formats import parquet_module
from geomap.inputs.reading import MAX_TEXT_BYTES, check_text, open_regular, too_large
from geomap.model import Article

T = TypeVar("T")

MAX_ROW_GROUP_BYTES = 256_000_000
"""A Parquet row group whose id and text columns unpack to more than this (256 MB) is refused
before it is read: a small file can unpack to gigabytes, and a row group is read whole."""
PARQUET_BATCH_ROWS = 256


def read_records(path: str, skip_bad: bool = False, report=None) -> Iterator[Article]:
    """Stream `{"id", "text"}` records, as articles with their ids, from JSON Lines (where a record may
    carry a web page as "html" instead), or from Parquet (columns id, text) when the file ends in
    .parquet; a bad record stops the run, or is reported and skipped. A Parquet
    file's metadata is checked here, before the first record is asked for."""
    fh = open_regular(path, "a JSON Lines or Parquet file")
    if Path(path).suffix.lower() == ".parquet":
        return _read_parquet(fh, path, skip_bad, report)
    return read_json_lines(fh, path, record, skip_bad, report)


def _skip(error: InputError, skip_bad: bool, report: Callable[[str], None] | None) -> None:
    """A bad record stops the run unless the user asked to skip it; a skipped one is still reported."""
    if not skip_bad:
        raise error
    if report:
        report(str(error))


def _read_parquet(fh: BinaryIO, path: str, skip_bad: bool, report) -> Iterator[Article]:
    """Open and check a Parquet file now; its rows come later, a row group at a time."""
    parquet = parquet_module(path)
    try:
        names = parquet.ParquetFile(fh).schema_arrow.names
        columns = [c for c in ("id", "text") if c in names]
        source = parquet.ParquetFile(fh, read_dictionary=columns)
    except Exception as exc:  # pyarrow raises its own error types for a damaged file
        fh.close()
        raise InputError(f"{path}: not a readable Parquet file ({_one_line(exc)})") from None
    if "text" not in names:
        fh.close()
        raise InputError(f"{path}: no \"text\" column (columns: {', '.join(names)})")
    return _parquet_rows(fh, source, path, columns, skip_bad, report)


def _parquet_rows(fh: BinaryIO, source, path: str, columns: list[str], skip_bad: bool, report) -> Iterator[Article]:
    number = 0
    with fh:
        for group in range(source.metadata.num_row_groups):
            _check_row_group(source.metadata.row_group(group), group, path, columns)
            for batch in _batches(source, group, path, columns):
                texts = _Column(batch.column("text"))
                ids = _Column(batch.column("id")) if "id" in columns else None
                for i in range(batch.num_rows):
                    number += 1
                    where = f"{path}: row {number}"
                    if not texts.is_string(i):
                        _skip(InputError(f"{where}: \"text\" is not a string"), skip_bad, report)
                        continue
                    # as a JSON Lines line: refused by its size before the row is made a string
                    too_big = next((name for name, column in (("text", texts), ("id", ids))
                                    if column and column.size(i) > MAX_TEXT_BYTES), None)
                    if too_big:
                        _skip(too_large(where, f"its {too_big}"), skip_bad, report)
                        continue
                    ident = ids.value(i) if ids else None
                    yield Article(texts.value(i), id=str(number if ident is None else ident))


def _batches(source, group: int, path: str, columns: list[str]) -> Iterator:
    """The row group's batches; a damaged one is an input error naming it (pyarrow has its own error types)."""
    batches = source.iter_batches(PARQUET_BATCH_ROWS, row_groups=[group], columns=columns)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except Exception as exc:
            raise InputError(f"{path}: row group {group + 1}: not readable Parquet ({_one_line(exc)})") from None
        yield batch


def _one_line(exc: Exception) -> str:
    """pyarrow's message, which may run over several lines, on one."""
    return " ".join(str(exc).split())


def _check_row_group(group, index: int, path: str, columns: list[str]) -> None:
    """Refuse a row group whose columns unpack to more than MAX_ROW_GROUP_BYTES, by its metadata, unread."""
    size = sum(group.column(i).total_uncompressed_size for i in range(group.num_columns)
               if group.column(i).path_in_schema in columns)
    if size > MAX_ROW_GROUP_BYTES:
        raise InputError(f"{path}: row group {index + 1} unpacks to {size:,} bytes, over the "
                         f"{MAX_ROW_GROUP_BYTES:,}-byte limit for one row group (write smaller row groups)")


class _Column:
    """One column of a batch; string columns arrive dictionary-encoded, so a row's size is known
    (from the one copy of each distinct value) before the row is made a Python string."""

    def __init__(self, array):
        import pyarrow
        import pyarrow.compute

        self.array = array
        self.dictionary = pyarrow.types.is_dictionary(array.type)
        values = array.dictionary if self.dictionary else array
        self.strings = pyarrow.types.is_string(values.type) or pyarrow.types.is_large_string(values.type)
        self.sizes = pyarrow.compute.binary_length(values).to_pylist() if self.strings else None

    def is_string(self, i: int) -> bool:
        return self.strings and self.array[i].is_valid

    def size(self, i: int) -> int:
        """Bytes of row i as UTF-8 (0 for a value that is not a string: its text is small)."""
        if not self.is_string(i):
            return 0
        assert self.sizes is not None  # a string column's sizes are measured
        return self.sizes[self.array.indices[i].as_py()] if self.dictionary else self.sizes[i]

    def value(self, i: int):
        return self.array[i].as_py()


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


def record(data: dict, where: str, number: int) -> Article:
    """A record's text: its "text", or the article in its "html" (a web page) when it has no "text";
    its "home" (where the paper is from) when it has one."""
    ident = valid_unicode(str(data.get("id", number)), where, "id")
    home = data.get("home") or ""
    if not isinstance(home, str):
        raise InputError(f"{where}: \"home\" is not a string (a place name, GeoNames id or \"LAT,LON\")")
    home = valid_unicode(home, where, "home")
    body = data.get("text")
    if isinstance(body, str):
        return Article(valid_unicode(body, where, "text"), id=ident, home=home)
    page = data.get("html")
    if body is None and isinstance(page, str):
        from geomap.inputs.extractors import html_article

        article = html_article(valid_unicode(page, where, "html"), where, MAX_TEXT_BYTES)
        return Article(article.text, article.source, ident, home)
    raise InputError(f"{where}: missing string field \"text\" (or \"html\": a web page)")
