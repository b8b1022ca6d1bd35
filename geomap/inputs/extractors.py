"""The article inside a web page, PDF or Word file, as plain text with its paragraphs kept.

A web page's navigation, footers, scripts, styles and banners are left out by trafilatura, which
reads the page as given and fetches nothing. A PDF must carry a text layer (a scanned one is
refused: geomap does no OCR). The extractors are the optional extra `geomap[web]`.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import time
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from types import ModuleType

from geomap.errors import InputError
from geomap.model import Article, Source

EXTRA = "pip install 'geomap[web]'"
MAX_UNZIPPED_BYTES = 200_000_000
"""A Word file whose parts would unpack to more than this (200 MB) is refused before it is unpacked."""
MAX_UNZIPPED_XML_BYTES = 16_000_000
"""A Word file whose XML parts would unpack to more than this (16 MB) is refused before it is unpacked:
lxml and python-docx hold about 40 times the XML in memory, and take a second per MB."""
MAX_PDF_PAGES = 2_000
"""A PDF of more pages than this is refused before any page is read."""
PDF_SECONDS = 30.0
"""The time all of a PDF's pages may take to read (checked between pages): a page tree can list one
costly page thousands of times in a small file."""

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_LEGACY_LATIN = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "cp819"}
"""Labels a browser reads as windows-1252 (the WHATWG Encoding Standard), so geomap does too."""
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def extractor(name: str, where: str, what: str) -> ModuleType:
    """An extractor of the `web` extra, or the one-line way to install it."""
    try:
        return import_module(name)
    except ImportError:
        raise InputError(f"{where}: {what} needs {name.replace('_', '-')}: {EXTRA}") from None


def html_encoding(data: bytes, declared: str | None) -> str:
    """A page's encoding as a browser finds it: byte-order mark, then the HTTP header, then
    `<meta charset>` in the first KB; UTF-8 when none says, windows-1252 if that fails."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    found = _META_CHARSET.search(data[:1024])
    label = declared or (found.group(1).decode("ascii") if found else None)
    return (_text_encoding(label) if label else None) or _undeclared(data)


def _text_encoding(label: str) -> str | None:
    """The text encoding a label names; None for one unknown, or for a codec that is not a text
    encoding ("rot13", "base64", "zlib"): a page is never decoded by those."""
    label = label.strip().lower()
    if label in _LEGACY_LATIN:
        return "windows-1252"
    try:
        codec = codecs.lookup(label)
    except LookupError:
        return None
    return codec.name if codec._is_text_encoding else None


def _undeclared(data: bytes) -> str:
    """The encoding of a page that declares none (or one unknown): UTF-8, else windows-1252."""
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "windows-1252"


def decode_html(data: bytes, declared: str | None = None) -> str:
    """The page as text; bytes its encoding cannot read become U+FFFD, as in a browser."""
    try:
        text = data.decode(html_encoding(data, declared), errors="replace")
    except UnicodeError:  # "idna", "punycode", "undefined": text codecs that fail whatever the error handler
        text = data.decode(_undeclared(data), errors="replace")
    return text.removeprefix("\ufeff")


def html_article(html: str, where: str, max_bytes: int) -> Article:
    """The main text of a page (title, date and byline too), paragraphs separated by blank lines."""
    trafilatura = extractor("trafilatura", where, "an HTML page")
    found = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_images=False,
                                        include_links=False, deduplicate=False)
    if found is None or not (found.text or "").strip():
        raise InputError(f"{where}: no article text found in this HTML page")
    text = "\n\n".join(line.strip() for line in found.text.splitlines() if line.strip())
    if len(text.encode("utf-8")) > max_bytes:
        raise _text_too_large(where, max_bytes)
    return Article(text, Source("html", title=_line(found.title), published=_line(found.date),
                                byline=_line(found.author)))


def _line(value: str | None) -> str:
    return " ".join((value or "").split())


def pdf_article(data: bytes, where: str, max_bytes: int) -> Article:
    """The text layer of a PDF, page by page (pages separated by blank lines), and its own title."""
    pypdf = extractor("pypdf", where, "a PDF")
    with _pypdf_quiet():
        return _pdf_article(pypdf, data, where, max_bytes)


@contextmanager
def _pypdf_quiet() -> Iterator[None]:
    """pypdf's own complaints ("EOF marker not found", "Ignoring wrong pointing object") silenced while
    it reads: what fails is reported once, by geomap, in one line."""
    logger, sink = logging.getLogger("pypdf"), logging.NullHandler()  # pypdf logs to its modules' loggers under it
    logger.addHandler(sink)  # a handler found: logging's last resort (print to stderr) is not used
    propagate, logger.propagate = logger.propagate, False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.propagate = propagate
        logger.removeHandler(sink)


def _pdf_article(pypdf: ModuleType, data: bytes, where: str, max_bytes: int) -> Article:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"{where}: the PDF is encrypted with a password; save an unprotected copy")
        count = len(reader.pages)
        if count > MAX_PDF_PAGES:
            raise _too_long(where, count)
        pages, size, deadline = [], 0, time.monotonic() + PDF_SECONDS
        for page in reader.pages:
            if time.monotonic() > deadline:
                raise _too_long(where, count)
            text = (page.extract_text() or "").strip()
            size += len(text.encode("utf-8")) + 2
            if size > max_bytes:
                raise _text_too_large(where, max_bytes)
            if text:
                pages.append(text)
        title = (reader.metadata.title if reader.metadata else None) or ""
        byline = (reader.metadata.author if reader.metadata else None) or ""
    except InputError:
        raise
    except Exception as exc:  # pypdf raises many error types for a damaged file
        raise InputError(f"{where}: not a readable PDF ({type(exc).__name__}: {exc})") from None
    if not pages:
        raise InputError(f"{where}: the PDF has no text layer (a scan?); geomap reads text PDFs only: "
                         "run OCR on it first")
    return Article("\n\n".join(pages), Source("pdf", title=_line(str(title)), byline=_line(str(byline))))


def docx_article(data: bytes, where: str, max_bytes: int) -> Article:
    """The paragraphs of a Word file, tables' cells included in document order, and its own title."""
    parts = _docx_parts(data, where)
    if sum(part.file_size for part in parts) > MAX_UNZIPPED_BYTES:
        raise InputError(f"{where}: the Word file unpacks to over {MAX_UNZIPPED_BYTES:,} bytes")
    if sum(part.file_size for part in parts if part.filename.endswith((".xml", ".rels"))) > MAX_UNZIPPED_XML_BYTES:
        raise InputError(f"{where}: the Word file's XML unpacks to over {MAX_UNZIPPED_XML_BYTES:,} bytes")
    docx = extractor("docx", where, "a Word file")
    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = [p.text.strip() for p in _paragraphs(document) if p.text.strip()]
        properties = document.core_properties
        title, byline = properties.title or "", properties.author or ""
    except Exception as exc:  # python-docx and lxml raise their own error types for a damaged file
        raise InputError(f"{where}: not a readable Word file ({type(exc).__name__}: {exc})") from None
    text = "\n\n".join(paragraphs)
    if len(text.encode("utf-8")) > max_bytes:
        raise _text_too_large(where, max_bytes)
    return Article(text, Source("docx", title=_line(title), byline=_line(byline)))


def _docx_parts(data: bytes, where: str) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise InputError(f"{where}: not a readable Word file ({exc})") from None
    if not any(part.filename == "word/document.xml" for part in parts):
        raise InputError(f"{where}: a ZIP archive, not a Word document (.docx)")
    return parts


def _paragraphs(document):
    """Body paragraphs and the paragraphs of table cells, in the order they stand."""
    for block in document.iter_inner_content():
        if not hasattr(block, "rows"):
            yield block
            continue
        seen = set()  # a merged cell is returned once for every grid cell it covers
        for row in block.rows:
            for cell in row.cells:
                if cell._tc not in seen:
                    seen.add(cell._tc)
                    yield from cell.paragraphs


def _too_long(where: str, pages: int) -> InputError:
    return InputError(f"{where}: PDF takes too long to read ({pages:,} pages)")


def _text_too_large(where: str, max_bytes: int) -> InputError:
    return InputError(f"{where}: its text is over the {max_bytes:,}-byte limit for one article")
