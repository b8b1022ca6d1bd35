"""What a request asks geomap to read: an article (text, a web page, a URL or an uploaded file)
with the overrides the command line takes as --home and --prefer, or many articles as JSON Lines.

Each is read as the command line reads the same input (`geomap.inputs`), within the same limits;
a URL is fetched through the one HTTP client with the server's address policy.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import PurePath

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from geomap.batch import Prefer
from geomap.errors import InputError
from geomap.inputs import Limits, load
from geomap.inputs.articles import from_upload
from geomap.inputs.network import AddressPolicy
from geomap.inputs.reading import MAX_TEXT_BYTES, too_large
from geomap.inputs.records import read_json_lines, record, valid_unicode
from geomap.model import Article
from geomap.serve.guards import BadRequest, UnsupportedMedia, bounded_body

JSON_SLACK = 64_000
"""Bytes a JSON body may carry beyond the article's own limit: quotes, escapes, the other fields."""
FIELDS = ("text", "url", "html")


@dataclass(frozen=True, slots=True)
class Asked:
    """One article to read, and how to read its names."""

    article: Article
    prefer: Prefer = ()


class _InMemoryParts(MultiPartParser):
    """Multipart parts kept in memory (the body is already bounded to this): an upload never touches a disk."""

    spool_max_size = Limits().document_bytes + JSON_SLACK


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


async def asked(request: Request, limits: Limits, allow: AddressPolicy) -> Asked:
    """The article a JSON body ({"text" | "url" | "html", "home"?, "prefer"?}) or a multipart
    upload ("file", with "home" and "prefer" fields) names; the body is bounded before it is read."""
    kind = media_type(request)
    if kind == "application/json":
        body = await bounded_body(request, limits.text_bytes + JSON_SLACK, "a JSON request")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest(f"request: not JSON ({exc})") from None
        return _from_json(data, limits, allow)
    if kind == "multipart/form-data":
        body = await bounded_body(request, limits.document_bytes + JSON_SLACK, "an uploaded file")
        return await _from_form(request, body, limits)
    raise UnsupportedMedia(f"request: Content-Type {kind or '(none)'!r} is not read here: send application/json, "
                           "a multipart/form-data file upload, or application/x-ndjson (JSON Lines) to /api/extract")


JSON_LINES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")


async def many(request: Request, limits: Limits) -> list[Article]:
    """The articles of a JSON Lines body ({"id", "text" or "html", "home"?} a line, as `extract --jsonl`
    reads a file), every line checked before any is parsed: a bad one is refused as "request:LINE"."""
    body = await bounded_body(request, limits.document_bytes, "a JSON Lines request")
    return list(read_json_lines(io.BytesIO(body), "request", record))


def _from_json(data: object, limits: Limits, allow: AddressPolicy) -> Asked:
    if not isinstance(data, dict):
        raise BadRequest("request: expected a JSON object: {\"text\" | \"url\" | \"html\", \"home\"?, \"prefer\"?}")
    given = [field for field in FIELDS if data.get(field) is not None]
    if len(given) != 1 or not isinstance(data[given[0]], str):
        raise BadRequest("request: give exactly one of \"text\", \"url\" or \"html\", as a string")
    field, value = given[0], valid_unicode(data[given[0]], "request", given[0])
    if field == "url":
        article = load(value, limits, allow) if value.lower().startswith(("http://", "https://")) else None
        if article is None:
            raise InputError(f"{value}: only http:// and https:// addresses are fetched")
    elif field == "html":
        from geomap.inputs.extractors import html_article

        article = html_article(value, "request", limits.text_bytes)
    else:
        if len(value.encode("utf-8")) > MAX_TEXT_BYTES:
            raise too_large("request", f"{len(value.encode('utf-8')):,} bytes")
        article = Article(value)
    return Asked(_with_home(article, data.get("home")), preferences(data.get("prefer")))


async def _from_form(request: Request, body: bytes, limits: Limits) -> Asked:
    async def stream():
        yield body

    try:
        form = await _InMemoryParts(request.headers, stream(), max_files=1, max_fields=4,
                                    max_part_size=JSON_SLACK).parse()
    except MultiPartException as exc:
        raise BadRequest(f"request: not a readable file upload ({exc.message})") from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise BadRequest("request: a multipart request needs a \"file\" part (the article)")
        name = PurePath(upload.filename or "upload").name or "upload"  # the sender's name, never a path here
        article = from_upload(await upload.read(), name, limits)
        prefer = form.get("prefer")
        if isinstance(prefer, UploadFile):
            raise BadRequest("request: \"prefer\" must be a form field, not a file")
        return Asked(_with_home(article, form.get("home")), preferences(json.loads(prefer) if prefer else None))
    except json.JSONDecodeError as exc:
        raise BadRequest(f"request: \"prefer\" is not JSON ({exc})") from None
    finally:
        await form.close()


def _with_home(article: Article, home: object) -> Article:
    if home is None or home == "":
        return article
    if not isinstance(home, str):
        raise BadRequest("request: \"home\" is a string (a place name, GeoNames id or \"LAT,LON\")")
    return Article(article.text, article.source, article.id, valid_unicode(home, "request", "home"))


def preferences(value: object) -> Prefer:
    """{"NAME": GEONAMEID, ...}, as --prefer NAME=GEONAMEID takes them."""
    if value is None:
        return ()
    if not isinstance(value, dict) or not all(isinstance(k, str) and k.strip() and type(v) is int and v > 0
                                              for k, v in value.items()):
        raise BadRequest("request: \"prefer\" is an object of NAME: GEONAMEID, e.g. {\"Springfield\": 4250542}")
    return tuple((valid_unicode(name.strip(), "request", "prefer"), geonameid) for name, geonameid in value.items())

