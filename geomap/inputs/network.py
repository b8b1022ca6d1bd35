"""The one HTTP client: the page a user names by URL, and the Natural Earth layers a user asks to download.

geomap is offline: nothing else reaches the network. Every fetch is bounded: http(s) only at every
hop (a redirect to file:// or ftp:// is refused), at most `redirects` redirects, at most
`max_bytes` of body (decoded, if the server compressed it), and `timeout` seconds of wall-clock
time for the whole of it, name lookup, headers and body: a server trickling a byte at a time is
given up at the deadline (the connection is shut from a timer; a lookup that hangs is abandoned).
Each address a name resolves to is put to an `AddressPolicy` before it is connected to, at every
hop, so a server can refuse private and loopback addresses; the command line allows any. (Through
the environment's proxy, the address connected to is the proxy's: a server with a policy runs without one.)
Credentials in an address are refused, never sent, never echoed.
"""

from __future__ import annotations

import http.client
import ipaddress
import queue
import re
import socket
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from urllib.parse import urljoin, urlsplit

from geomap import __version__
from geomap.errors import GeomapError, InputError

USER_AGENT = f"geomap/{__version__} (offline geoparser; fetches only the URL it is given)"
CHUNK = 1 << 16

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy = Callable[[Address], bool]
"""Whether the client may connect to an address (after the name was resolved, at every hop)."""


def any_address(address: Address) -> bool:
    """The command line's policy: the user's own machine and network are the user's to fetch from."""
    return True


def public_addresses(address: Address) -> bool:
    """A server's policy: only addresses on the public internet (no loopback, private, link-local …)."""
    return address.is_global


class FetchError(InputError):
    """A URL that could not be fetched; `status` is the HTTP status when the server answered one."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Budget:
    """What one fetch may cost."""

    max_bytes: int
    timeout: float
    """Seconds of wall-clock time for the whole fetch: lookups, connections, headers and body."""
    redirects: int = 5
    allow: AddressPolicy = any_address
    what: str = "page"
    """What is fetched, in words ("page", "layer"), for the messages."""


def shown(url: str) -> str:
    """`url` as a message may show it: without a user name or password."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()


def check_url(url: str) -> None:
    """An http(s) address with a host and no credentials, or refused naming why."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (a port that is not a number raises here)
    except ValueError as exc:
        raise FetchError(f"{shown(url)}: not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(f"{shown(url)}: only http:// and https:// addresses are fetched")
    if parts.username is not None or parts.password is not None:
        raise FetchError(f"{shown(url)}: an address with a user name or password is refused "
                         "(geomap sends no credentials)")
    if not parts.hostname:
        raise FetchError(f"{shown(url)}: not a valid URL (no host)")


class _Deadline:
    """The wall-clock end of one fetch: at it, every connection the fetch opened is shut, so a read
    blocked on a trickling server returns at once, in the thread that reads."""

    def __init__(self, seconds: float):
        self.seconds, self.end, self.expired = seconds, time.monotonic() + seconds, False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        """Shut `sock` at the deadline (a duplicate is kept: TLS detaches the socket it wraps)."""
        with self._lock:
            self._sockets.append(sock.dup())
            if self.expired:
                self._shut()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            self._shut()

    def _shut(self) -> None:
        for sock in self._sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


class AddressRefused(Exception):
    """The policy refused every address a host resolved to (raised past urllib, which would wrap an OSError)."""

    def __init__(self, host: str, address: Address):
        super().__init__(f"{host} is at {address}, an address this fetch may not connect to")


class _LookupTimeout(Exception):
    """A name lookup outlasted the deadline."""


def _resolve(host: str, port: int, deadline: _Deadline) -> list[tuple]:
    """getaddrinfo within the deadline: a lookup cannot be interrupted, so it runs in a daemon thread."""
    answer: queue.Queue = queue.Queue(maxsize=1)

    def run() -> None:
        try:
            answer.put(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except BaseException as exc:  # handed to the fetching thread, raised there
            answer.put(exc)

    threading.Thread(target=run, name=f"lookup {host}", daemon=True).start()
    try:
        found = answer.get(timeout=deadline.remaining())
    except queue.Empty:
        raise _LookupTimeout from None
    if isinstance(found, BaseException):
        raise found
    return found


def _connector(deadline: _Deadline, allow: AddressPolicy):
    """What http.client calls to open a connection: resolve, put each address to the policy, connect
    to the first allowed one that answers (that very address: nothing is resolved twice)."""

    def create_connection(address: tuple[str, int], timeout=None, source_address=None) -> socket.socket:
        host, port = address
        refused, error = None, None
        for family, kind, proto, _, sockaddr in _resolve(host, port, deadline):
            ip = ipaddress.ip_address(sockaddr[0].partition("%")[0])
            if not allow(ip):
                refused = refused or ip
                continue
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(min(timeout or deadline.seconds, deadline.remaining() or 0.001))
                deadline.watch(sock)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                error = exc
        if error is None and refused is not None:
            raise AddressRefused(host, refused)
        raise error or OSError(f"{host} has no address")

    return create_connection


def _connection(base: type[http.client.HTTPConnection], create_connection, *args, **kwargs):
    connection = base(*args, **kwargs)
    # http.client's own hook for opening the socket; private, so typeshed does not declare it.
    connection._create_connection = create_connection  # type: ignore[attr-defined]
    return connection


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, create_connection):
        super().__init__()
        self.create_connection = create_connection

    def http_open(self, req):
        return self.do_open(partial(_connection, http.client.HTTPConnection, self.create_connection), req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, create_connection):
        super().__init__()
        self.create_connection = create_connection

    def https_open(self, req):
        return self.do_open(partial(_connection, http.client.HTTPSConnection, self.create_connection), req,
                            context=self._context)  # type: ignore[attr-defined]  # urllib's, private: not in typeshed


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows at most `limit` redirects, and only to http(s) addresses without credentials."""

    def __init__(self, origin: str, limit: int):
        self.origin, self.limit, self.hops = origin, limit, 0
        # So urllib's own loop checks never come first. typeshed marks these ClassVar; urllib reads them from self.
        self.max_repeats = self.max_redirections = limit + 1  # type: ignore[misc]

    def http_error_302(self, req, fp, code, msg, headers):
        target = urljoin(req.full_url, headers.get("location") or headers.get("uri") or "")
        if urlsplit(target).scheme.lower() not in ("http", "https"):  # before urllib words it as an HTTP error
            fp.close()
            raise FetchError(f"{shown(self.origin)}: redirected to {shown(target)!r}; "
                             "only http(s) redirects are followed")
        self.hops += 1
        if self.hops > self.limit:
            fp.close()
            raise FetchError(f"{shown(self.origin)}: more than {self.limit} redirects (a redirect loop?)")
        try:
            check_url(target)
        except FetchError as exc:
            fp.close()
            raise FetchError(f"{shown(self.origin)}: redirected to {exc}") from None
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener(url: str, budget: Budget, deadline: _Deadline) -> urllib.request.OpenerDirector:
    """http and https only (no file:, ftp: or data: handlers), the environment's proxies, bounded redirects,
    every connection opened through the policy and watched by the deadline."""
    create_connection = _connector(deadline, budget.allow)
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), _HTTP(create_connection), _HTTPS(create_connection),
                    _Redirects(url, budget.redirects), urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


_LENGTH = re.compile(r"[0-9]{1,18}")
_DECODED = {"gzip", "x-gzip", "deflate"}


class Response:
    """An answer being read: where it came from, what it declares, and its body in bounded chunks."""

    def __init__(self, raw, url: str, budget: Budget, deadline: _Deadline):
        self._raw, self._budget, self._deadline, self.origin = raw, budget, deadline, url
        self.url: str = raw.geturl()
        """The address the body comes from, after redirects."""
        self.charset: str | None = raw.headers.get_content_charset()
        """The charset the HTTP header declares, if it does."""
        encoding = (raw.headers.get("Content-Encoding") or "identity").strip().lower()
        if encoding not in _DECODED | {"identity", ""}:
            raise FetchError(f"{shown(url)}: the server sent the {budget.what} compressed as {encoding!r}, "
                             "which geomap does not read")
        self._decoder = zlib.decompressobj(47) if encoding in _DECODED else None  # 47: a gzip or zlib header
        self.length: int | None = self._declared_length(raw.headers.get_all("Content-Length") or [])
        """The bytes the server said it sends (as sent: compressed, if it compressed)."""
        if self.length is not None and self.length > budget.max_bytes:
            raise FetchError(f"{shown(url)}: {self.length:,} bytes is over the {budget.max_bytes:,}-byte limit "
                             f"for a {budget.what}")

    def _declared_length(self, values: list[str]) -> int | None:
        if not values:
            return None
        lengths = {value.strip() for value in values}
        if len(lengths) > 1 or not _LENGTH.fullmatch(next(iter(lengths))):
            raise FetchError(f"{shown(self.origin)}: the server's Content-Length {', '.join(values)!r} "
                             "is not a number of bytes")
        return int(next(iter(lengths)))

    def chunks(self) -> Iterator[bytes]:
        """The body, decoded, at most `max_bytes` (refused beyond, never held whole), and complete."""
        received = size = 0
        while chunk := self._raw.read(CHUNK):
            received += len(chunk)
            if self._decoder is not None:
                chunk = self._decode(chunk, size)
            size += len(chunk)
            if size > self._budget.max_bytes:
                raise FetchError(f"{shown(self.origin)}: the {self._budget.what} is over the "
                                 f"{self._budget.max_bytes:,}-byte limit")
            yield chunk
        if self._deadline.expired:
            raise _expired(self.origin, self._deadline)
        if self.length is not None and received < self.length:  # urllib returns a short body silently
            raise FetchError(f"{shown(self.origin)}: the connection closed after {received:,} of "
                             f"{self.length:,} bytes")
        if self._decoder is not None and not self._decoder.eof:
            raise FetchError(f"{shown(self.origin)}: the compressed {self._budget.what} ends early")

    def _decode(self, chunk: bytes, size: int) -> bytes:
        """Decompressed, at most one byte over what is left of the budget: a bomb never unpacks whole."""
        assert self._decoder is not None  # called only for a compressed body
        try:
            out = self._decoder.decompress(chunk, self._budget.max_bytes - size + 1)
        except zlib.error as exc:
            raise FetchError(f"{shown(self.origin)}: the server said it compressed the {self._budget.what}, "
                             f"but it is not readable compressed data ({exc})") from None
        return out


def _expired(url: str, deadline: _Deadline) -> FetchError:
    return FetchError(f"{shown(url)}: not fetched within {deadline.seconds:g} s")


@contextmanager
def open_url(url: str, budget: Budget) -> Iterator[Response]:
    """The answer at `url`, to read within the budget; every failure a `FetchError` naming the URL
    (without credentials) and the reason in words."""
    check_url(url)
    deadline = _Deadline(budget.timeout)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
    try:
        with _opener(url, budget, deadline).open(request, timeout=budget.timeout) as raw:
            yield Response(raw, url, budget, deadline)
    except GeomapError:  # ours, or the caller's while it read (an output that cannot be written)
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{shown(url)}: HTTP {exc.code} {exc.reason}", exc.code) from None
    except (AddressRefused, _LookupTimeout, urllib.error.URLError, OSError, http.client.HTTPException,
            ValueError) as exc:  # a refusal, a timeout, a reset, a body cut short, a malformed answer
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if deadline.expired or isinstance(reason, _LookupTimeout | TimeoutError):  # the deadline, or a read at it
            raise _expired(url, deadline) from None
        raise FetchError(f"{shown(url)}: {_reason(reason, urlsplit(url).hostname)}") from None
    finally:
        deadline.close()


@dataclass(frozen=True, slots=True)
class Fetched:
    data: bytes
    url: str
    """The address the body came from, after redirects."""
    charset: str | None
    """The charset the HTTP header declares, if it does."""


def fetch(url: str, budget: Budget) -> Fetched:
    """The whole body at `url`, within the budget."""
    with open_url(url, budget) as response:
        data = b"".join(response.chunks())
        return Fetched(data, response.url, response.charset)


def _reason(reason: object, host: str | None) -> str:
    """Why the URL could not be fetched, in words."""
    if isinstance(reason, AddressRefused):
        return str(reason)
    if isinstance(reason, socket.gaierror):
        return f"cannot find the host {host} (offline, or no such name)"
    if isinstance(reason, ConnectionRefusedError):
        return f"connection refused by {host}"
    if isinstance(reason, ValueError):  # http.client.InvalidURL
        return f"not a valid URL ({reason})"
    return f"cannot fetch ({getattr(reason, 'strerror', None) or reason or type(reason).__name__})"
