"""Fetch the one page a user names by URL, within a time, size and redirect budget.

geomap is offline: this is the only code that reaches the network, and only for a URL given on
the command line. Only http and https are spoken, at every hop (a redirect to file:// or ftp://
is refused), and nothing a page links to is ever fetched.
"""

from __future__ import annotations

import http.client
import queue
import socket
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from geomap import __version__
from geomap.errors import InputError

USER_AGENT = f"geomap/{__version__} (offline geoparser; fetches only the URL it is given)"
CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class Fetched:
    data: bytes
    url: str
    """The address the body came from, after redirects."""
    charset: str | None
    """The charset the HTTP header declares, if it does."""


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows at most `limit` redirects, and only to http(s)."""

    def __init__(self, origin: str, limit: int):
        self.origin, self.limit, self.hops = origin, limit, 0
        self.max_repeats = self.max_redirections = limit + 1  # so urllib's own loop checks never come first

    def http_error_302(self, req, fp, code, msg, headers):
        target = urljoin(req.full_url, headers.get("location") or headers.get("uri") or "")
        if urlsplit(target).scheme.lower() not in ("http", "https"):  # before urllib words it as an HTTP error
            fp.close()
            raise InputError(f"{self.origin}: redirected to {target!r}; only http(s) redirects are followed")
        self.hops += 1
        if self.hops > self.limit:
            fp.close()
            raise InputError(f"{self.origin}: more than {self.limit} redirects (a redirect loop?)")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener(url: str, redirects: int) -> urllib.request.OpenerDirector:
    """http and https only (no file:, ftp: or data: handlers), the environment's proxies, bounded redirects."""
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(),
                    _Redirects(url, redirects), urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


def fetch(url: str, max_bytes: int, timeout: float, redirects: int) -> Fetched:
    """The body at `url`: at most `max_bytes` (refused beyond), within `timeout` seconds in all.

    A socket timeout bounds each read, not the whole: a server trickling its headers or body a byte
    at a time would never be given up. So the fetch runs in a daemon thread, waited for `timeout`
    seconds of wall-clock time; a fetch still running then is abandoned with the process."""
    answer: queue.Queue[Fetched | BaseException] = queue.Queue(maxsize=1)

    def run() -> None:
        try:
            answer.put(_fetch(url, max_bytes, timeout, redirects))
        except BaseException as exc:  # handed to the caller's thread, raised there
            answer.put(exc)

    threading.Thread(target=run, name=f"fetch {url}", daemon=True).start()
    try:
        outcome = answer.get(timeout=timeout)
    except queue.Empty:
        raise InputError(f"{url}: not fetched within {timeout:g} s") from None
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _fetch(url: str, max_bytes: int, timeout: float, redirects: int) -> Fetched:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
    try:
        with _opener(url, redirects).open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            expected = int(length) if length.isdigit() else None
            if expected is not None and expected > max_bytes:
                raise InputError(f"{url}: {expected:,} bytes is over the {max_bytes:,}-byte limit for a page")
            data = _read(response, url, max_bytes)
            if expected is not None and len(data) < expected:  # urllib returns a short body silently
                raise InputError(f"{url}: the connection closed after {len(data):,} of {expected:,} bytes")
            return Fetched(data, response.geturl(), response.headers.get_content_charset())
    except urllib.error.HTTPError as exc:
        raise InputError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise InputError(f"{url}: {_reason(exc.reason, urlsplit(url).hostname, timeout)}") from None
    except (OSError, http.client.HTTPException) as exc:  # a timeout, a reset, a body cut short
        raise InputError(f"{url}: {_reason(exc, urlsplit(url).hostname, timeout)}") from None
    except ValueError as exc:  # http.client.InvalidURL, a port that is not a number
        raise InputError(f"{url}: not a valid URL ({exc})") from None


def _read(response, url: str, max_bytes: int) -> bytes:
    """The body in chunks, so a huge body is refused at the limit, never held whole."""
    chunks, size = [], 0
    while chunk := response.read(CHUNK):
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise InputError(f"{url}: the page is over the {max_bytes:,}-byte limit")
    return b"".join(chunks)


def _reason(reason: object, host: str | None, timeout: float) -> str:
    """Why the page could not be fetched, in words."""
    if isinstance(reason, socket.gaierror):
        return f"cannot find the host {host} (offline, or no such name)"
    if isinstance(reason, ConnectionRefusedError):
        return f"connection refused by {host}"
    if isinstance(reason, TimeoutError):
        return f"not fetched within {timeout:g} s"
    return f"cannot fetch ({getattr(reason, 'strerror', None) or reason or type(reason).__name__})"
