"""Download Natural Earth's layers, only when the user asks (`geomap gazetteer import naturalearth`
without a PATH), through geomap's one HTTP client (`geomap.inputs.network`): http(s) only, a
wall-clock deadline per file, at most a few redirects, a size limit checked before and while
reading, progress on stderr, each file checked to be a whole shapefile zip before it is kept in the
cache folder (and not downloaded again)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from geomap import progress
from geomap.errors import GazetteerError
from geomap.inputs.network import Budget, FetchError, check_url, open_url, shown
from geomap.gazetteer.naturalearth import LAYERS, Layer
from geomap.outputs import atomic_writer

OFFICIAL = "https://naciscdn.org/naturalearth/10m/{theme}/ne_10m_{layer}.zip"
"""Where naturalearthdata.com's download links lead."""
TIMEOUT = 600.0
"""Seconds of wall-clock time one layer may take, connection, headers and body: the largest (about
30 MB) in ten minutes is 50 KB/s."""
MAX_BYTES = 200 * 1024 * 1024
"""No Natural Earth 10m layer zip is near this (the largest is about 30 MB)."""
MAX_REDIRECTS = 5
OFFLINE = "offline? download the layers yourself and run 'geomap gazetteer import naturalearth FOLDER'"


def layer_url(layer: Layer, base: str | None) -> str:
    """The official address of a layer's zip, or BASE/ne_10m_LAYER.zip."""
    if base is None:
        return OFFICIAL.format(theme=layer.theme, layer=layer.name)
    return f"{base.rstrip('/')}/ne_10m_{layer.name}.zip"


def fetch_layers(cache: Path, base: str | None = None, timeout: float = TIMEOUT) -> Path:
    """Every layer geomap reads, downloaded into `cache` unless a whole copy is there; returns `cache`.
    A regional supplement the server does not have (404) is left out; any other failure stops.
    `base`: where the layers are instead of Natural Earth's own site."""
    if base is not None:
        check_url(base)
    for layer in LAYERS:
        target = cache / f"ne_10m_{layer.name}.zip"
        if target.is_file() and _whole(target):
            continue
        url = layer_url(layer, base)
        try:
            fetch(url, target, timeout)
        except FetchError as exc:
            if exc.status == 404 and layer.supplement:
                continue
            advice = f" ({OFFLINE})" if exc.status is None else ""
            raise FetchError(f"cannot download {exc}{advice}", exc.status) from None
        if not _whole(target):
            target.unlink()
            raise GazetteerError(f"{shown(url)}: not a whole shapefile zip (.shp, .shx and .dbf); nothing kept")
    return cache


def fetch(url: str, target: Path, timeout: float = TIMEOUT) -> None:
    """Download `url` to `target` (written to a temporary file, renamed when complete)."""
    with open_url(url, Budget(MAX_BYTES, timeout, MAX_REDIRECTS, what="layer")) as response:
        bar = progress.byte_bar(url.rsplit("/", 1)[-1])
        done = 0
        with atomic_writer(target, "wb") as out:
            for chunk in response.chunks():
                out.write(chunk)
                done += len(chunk)
                if bar:
                    bar(done, response.length or 0)


def _whole(path: Path) -> bool:
    """A readable zip, every member's checksum right, with a shapefile's three parts."""
    try:
        with zipfile.ZipFile(path) as archive:
            suffixes = {name.rsplit(".", 1)[-1].lower() for name in archive.namelist()}
            return archive.testzip() is None and {"shp", "shx", "dbf"} <= suffixes
    except (zipfile.BadZipFile, OSError, EOFError):
        return False
