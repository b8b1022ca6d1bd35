"""Articles as people have them: a text file, a saved web page, a URL, a PDF or a Word file.

The format is told by the content, not the name: the first bytes are read, then the rest up to that
format's limit plus one byte (a file over it is refused by its size, unread). Text files are UTF-8
only; a web page, PDF or Word file becomes the text of its article (`geomap.inputs.extractors`), and the
offsets of every mention are offsets into that text.
"""

from __future__ import annotations

import io
import os
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import urlsplit

from geomap.errors import InputError, InputTooLarge
from geomap.inputs import extractors
from geomap.inputs.network import AddressPolicy, Budget, any_address, check_url, fetch
from geomap.inputs.reading import MAX_TEXT_BYTES, check_text, open_regular, too_large
from geomap.model import Article

MAX_DOCUMENT_BYTES = 50_000_000
"""A PDF or Word file over this (50 MB) is refused; its text is still held to MAX_TEXT_BYTES."""
SNIFF_BYTES = 1024
"""How much of the start of an input tells its format."""

_HTML_START = re.compile(rb"^(?:\s|<\?xml[^>]*>|<!--.*?-->)*<(?:!doctype\s+html|html[\s>])",
                         re.IGNORECASE | re.DOTALL)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[^\w.-]+")


@dataclass(frozen=True, slots=True)
class Limits:
    """What one input may cost: bytes read, and seconds and redirects for a URL."""

    text_bytes: int = MAX_TEXT_BYTES
    """A text file or a web page (whose extraction costs more than linear time), and the text extracted
    from anything else."""
    document_bytes: int = MAX_DOCUMENT_BYTES
    """A PDF or Word file as read."""
    timeout: float = 20.0
    redirects: int = 5

    def of(self, kind: str) -> int:
        return self.text_bytes if kind in ("text", "html") else self.document_bytes


def is_url(name: str) -> bool:
    return name[:8].lower().startswith(("http://", "https://"))


def load(name: str, limits: Limits = Limits(), allow: AddressPolicy = any_address) -> Article:
    """The article a command-line name stands for: "-" (standard input), an http(s) URL, or a file.
    `allow`: the addresses a URL (and every redirect) may be fetched from."""
    if is_url(name):
        return _load_url(name, limits, allow)
    if _SCHEME.match(name):
        raise InputError(f"{name}: only http:// and https:// addresses are fetched")
    if name == "-":
        return _from_stream(sys.stdin.buffer, "<stdin>", limits, None)
    with open_regular(name, "an article file (use - to read standard input)") as fh:
        article = _from_stream(fh, name, limits, os.fstat(fh.fileno()).st_size)
    return Article(article.text, replace(article.source, path=name))


def _load_url(url: str, limits: Limits, allow: AddressPolicy) -> Article:
    """Fetch the page (nothing else) and read it as a file of the same bytes would be read."""
    check_url(url)
    extractors.extractor("trafilatura", url, "a URL")  # refused before any request
    fetched = fetch(url, Budget(limits.document_bytes, limits.timeout, limits.redirects, allow))
    kind = sniff(fetched.data)
    if len(fetched.data) > limits.of(kind):
        raise _over(url, f"{len(fetched.data):,} bytes", kind, limits)
    article = from_bytes(fetched.data, kind, url, limits, fetched.charset)
    return Article(article.text, replace(article.source, url=fetched.url))


def from_upload(data: bytes, name: str, limits: Limits = Limits()) -> Article:
    """A file sent to a server, read as the same file on disk would be (format told by its first bytes,
    refused over its format's limit); `name` is the file name the sender gave, kept as the source's path."""
    article = _from_stream(io.BytesIO(data), name, limits, len(data))
    return Article(article.text, replace(article.source, path=name))


def sniff(head: bytes) -> str:
    """"pdf", "docx" (any ZIP: checked to be one when read), "html" or "text", from the first bytes."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    start = head[:SNIFF_BYTES].removeprefix(b"\xef\xbb\xbf")
    if _HTML_START.match(start):
        return "html"
    return "text"


def _from_stream(fh: BinaryIO, where: str, limits: Limits, size: int | None) -> Article:
    """Read the first bytes, tell the format, then read the rest up to that format's limit + 1 byte."""
    try:
        head = fh.read(SNIFF_BYTES)
        kind = sniff(head)
        limit = limits.of(kind)
        if size is not None and size > limit:  # refused by its size, unread
            raise _over(where, f"{size:,} bytes", kind, limits)
        data = head + fh.read(limit + 1 - len(head))
    except OSError as exc:
        raise InputError(f"{where}: cannot read ({exc.strerror})") from None
    if len(data) > limit:
        raise _over(where, "the input", kind, limits)
    return from_bytes(data, kind, where, limits)


def _over(where: str, size: str, kind: str, limits: Limits) -> InputTooLarge:
    if kind == "text":
        return too_large(where, size)
    if kind == "html":
        return InputTooLarge(f"{where}: {size} is over the {limits.text_bytes:,}-byte limit for a web page")
    return InputTooLarge(f"{where}: {size} is over the {limits.document_bytes:,}-byte limit for a PDF or Word file")


def from_bytes(data: bytes, kind: str, where: str, limits: Limits = Limits(), charset: str | None = None) -> Article:
    """The article in `data` of the format `kind`; `charset` is what an HTTP header declared."""
    if kind == "pdf":
        return extractors.pdf_article(data, where, limits.text_bytes)
    if kind == "docx":
        return extractors.docx_article(data, where, limits.text_bytes)
    if kind == "html":
        return extractors.html_article(extractors.decode_html(data, charset), where, limits.text_bytes)
    return Article(check_text(data, where))


def output_stem(name: str) -> str:
    """A file name (without suffix) for the output of an input: the file's, or the URL's last path
    part or host, reduced to letters, digits, dots and dashes."""
    if name == "-":
        return "stdin"
    if not is_url(name):
        return Path(name).stem
    try:
        parts = urlsplit(name)
        stem = PurePosixPath(parts.path).stem or (parts.hostname or "page")
    except ValueError:  # not a valid URL: refused when it is read
        return "page"
    return _UNSAFE_NAME.sub("-", stem).strip(".-") or "page"
