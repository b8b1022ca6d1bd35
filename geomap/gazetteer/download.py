"""Download Natural Earth's layers, only when the user asks (`geomap gazetteer import naturalearth`
without a PATH): http(s) only, a timeout, at most a few redirects, a size limit checked before and
while reading, progress on stderr, each file checked to be a whole shapefile zip before it is kept
in the cache folder (and not downloaded again)."""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

from geomap.errors import GazetteerError
from geomap.gazetteer.naturalearth import LAYERS, Layer
from geomap.io import atomic_writer

OFFICIAL = "https://naciscdn.org/naturalearth/10m/{theme}/ne_10m_{layer}.zip"
"""Where naturalearthdata.com's download links lead."""
TIMEOUT = 30.0
"""Seconds without an answer before a connection or a read gives up."""
MAX_BYTES = 200 * 1024 * 1024
"""No Natural Earth 10m layer zip is near this (the largest is about 30 MB)."""
MAX_REDIRECTS = 5
CHUNK = 1 << 16


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows at most MAX_REDIRECTS redirects, and only to http(s)."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.URLError(f"redirected to {newurl!r}, which is not http(s)")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_Redirects)


def layer_url(layer: Layer, base: str | None) -> str:
    """The official address of a layer's zip, or BASE/ne_10m_LAYER.zip."""
    if base is None:
        return OFFICIAL.format(theme=layer.theme, layer=layer.name)
    return f"{base.rstrip('/')}/ne_10m_{layer.name}.zip"


def fetch_layers(cache: Path, base: str | None = None) -> Path:
    """Every layer geomap reads, downloaded into `cache` unless a whole copy is there; returns `cache`.
    A regional supplement the server does not have (404) is left out; any other failure stops."""
    if base is not None and urlsplit(base).scheme not in ("http", "https"):
        raise GazetteerError(f"--url {base!r}: only http:// and https:// addresses are fetched")
    for layer in LAYERS:
        target = cache / f"ne_10m_{layer.name}.zip"
        if target.is_file() and _whole(target):
            continue
        url = layer_url(layer, base)
        try:
            fetch(url, target)
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and layer.supplement:
                continue
            raise GazetteerError(f"cannot download {url}: HTTP {exc.code} {exc.reason}") from None
        if not _whole(target):
            target.unlink()
            raise GazetteerError(f"{url}: not a whole shapefile zip (.shp, .shx and .dbf); nothing kept")
    return cache


def fetch(url: str, target: Path) -> None:
    """Download `url` to `target` (written to a temporary file, renamed when complete)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise GazetteerError(f"{url}: only http:// and https:// addresses are fetched")
    try:
        with _OPENER.open(url, timeout=TIMEOUT) as response:
            size = int(response.headers.get("Content-Length") or 0)
            if size > MAX_BYTES:
                raise GazetteerError(f"{url}: {size:,} bytes, over the {MAX_BYTES:,} a layer may have")
            with atomic_writer(target, "wb") as out:
                _copy(response, out, url, size)
    except urllib.error.HTTPError:
        raise
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise GazetteerError(f"cannot download {url}: {reason} (offline? download the layers yourself and run "
                             "'geomap gazetteer import naturalearth FOLDER')") from None


def _copy(response, out, url: str, size: int) -> None:
    """Copy with a byte limit and a progress bar (a line per file when stderr is not a terminal)."""
    meter = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        meter = tqdm(total=size or None, unit="B", unit_scale=True, desc=url.rsplit("/", 1)[-1], file=sys.stderr)
    else:
        print(f"geomap: downloading {url}", file=sys.stderr, flush=True)
    done = 0
    try:
        while chunk := response.read(CHUNK):
            done += len(chunk)
            if done > MAX_BYTES:
                raise GazetteerError(f"{url}: over the {MAX_BYTES:,} bytes a layer may have; stopped")
            out.write(chunk)
            if meter:
                meter.update(len(chunk))
    finally:
        if meter:
            meter.close()
    if size and done != size:
        raise GazetteerError(f"{url}: got {done:,} of {size:,} bytes; nothing kept")


def _whole(path: Path) -> bool:
    """A readable zip, every member's checksum right, with a shapefile's three parts."""
    try:
        with zipfile.ZipFile(path) as archive:
            suffixes = {name.rsplit(".", 1)[-1].lower() for name in archive.namelist()}
            return archive.testzip() is None and {"shp", "shx", "dbf"} <= suffixes
    except (zipfile.BadZipFile, OSError, EOFError):
        return False
