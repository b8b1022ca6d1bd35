"""What keeps a server answering when anyone can reach it: bodies bounded before they are read,
a bounded number of requests at work and waiting, and the headers every response carries.

A request is admitted (or refused with 503 at once) before its body is read, so memory is bounded
by the admitted requests' limits, never by how many clients send at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from base64 import b64encode
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geomap.errors import GeomapError, InputError, InputTooLarge

RETRY_AFTER = 5
"""Seconds a refused client is told to wait (Retry-After) when every parser is busy and the queue is full."""


class BadRequest(InputError):
    """A request that is not what the API takes: not JSON, a missing or mistyped field (400)."""


class UnsupportedMedia(InputError):
    """A body of a type the API does not read (415)."""


class CrossSite(InputError):
    """A request another site's page sent (403)."""


class Busy(GeomapError):
    """Every parser is at work and the queue is full (503 with Retry-After)."""


class TimedOut(GeomapError):
    """A document took longer than the time limit (504); its parser process was replaced."""


async def bounded_body(request: Request, limit: int, what: str) -> bytes:
    """The body, refused (InputTooLarge) by its declared length before any of it is read, or as soon
    as more than `limit` bytes arrive (a body sent in chunks declares none)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise InputTooLarge(f"request: {declared} bytes is over the {limit:,}-byte limit for {what}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise InputTooLarge(f"request: the body is over the {limit:,}-byte limit for {what}")
        chunks.append(chunk)
    return b"".join(chunks)


class Gate:
    """At most `slots` requests at work (one per parser process) and `queue` more waiting for one;
    a request beyond them is refused at once (`Busy`), never held."""

    def __init__(self, slots: int, queue: int):
        self.slots, self.queue = slots, queue
        self._admitted = 0
        self._working = asyncio.Semaphore(slots)

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        if self._admitted >= self.slots + self.queue:
            raise Busy(f"busy: {self.slots} document(s) being parsed and {self.queue} waiting; try again shortly")
        self._admitted += 1  # one event loop: no lock needed
        try:
            async with self._working:
                yield
        finally:
            self._admitted -= 1


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def script_hashes(page: str) -> list[str]:
    """CSP sources for the inline scripts of a map page (Leaflet, geomap.js and the map's start: the
    same bytes in every map geomap draws), so the map runs in the page's sandboxed frame, which
    inherits the page's policy, while no other inline script can."""
    return [f"'sha256-{b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
            for body in _INLINE_SCRIPT.findall(page)]


def content_security_policy(map_scripts: list[str]) -> str:
    return "; ".join([
        "default-src 'none'",
        "script-src 'self' " + " ".join(map_scripts),
        "style-src 'self' 'unsafe-inline'",  # the map's own inline styles; no user text is ever markup
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "frame-src 'self' blob:",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])


class SecurityHeaders:
    """Every response: the page's Content-Security-Policy, no MIME sniffing, no referrer, and no
    caching of anything but the page's own assets (every API answer is a user's content)."""

    def __init__(self, app: ASGIApp, policy: str):
        self.app = app
        self.headers = [(b"content-security-policy", policy.encode()), (b"x-content-type-options", b"nosniff"),
                        (b"referrer-policy", b"no-referrer"), (b"cross-origin-opener-policy", b"same-origin")]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        asset = scope["path"].startswith("/assets/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                headers += self.headers + [(b"cache-control", b"no-cache" if asset else b"no-store")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def same_origin(request: Request) -> None:
    """A browser names the page that sent a request (Origin); one from another site's page is refused,
    so no site a user visits can make the user's browser post to this server (behind a reverse proxy,
    the proxy passes the Host it was asked for)."""
    origin = request.headers.get("origin")
    if origin is not None and origin.partition("://")[2] != request.headers.get("host", ""):
        raise CrossSite(f"request: sent by a page of {origin}, not of this server; refused")
