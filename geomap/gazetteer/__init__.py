"""The offline gazetteer: build it, read it, extend it.

`open_gazetteer` is the one way to get a reader for a path: it builds the gazetteer first where
geomap may (the default location on first use; a file of ours built by another version), then
opens it read-only. `shared_gazetteer` keeps one reader per file in a process, for the pipeline's
components; `share` puts a reader of your own there (a test's fake, a gazetteer you opened).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geomap.gazetteer.store import Gazetteer

_SHARED: dict[str, Gazetteer] = {}


def open_gazetteer(path: str | Path | None = None, build_if_missing: bool = True) -> Gazetteer:
    """A reader of the gazetteer at `path` (default: `paths.default_db()`), built first if geomap may."""
    from geomap.gazetteer.build import ensure
    from geomap.gazetteer.paths import default_db
    from geomap.gazetteer.store import Gazetteer

    path = Path(path) if path else default_db()
    if build_if_missing:
        ensure(path)
    return Gazetteer(path)


def shared_gazetteer(path: str | Path | None = None) -> Gazetteer:
    """One open gazetteer per file and process, shared by the pipeline's components."""
    from geomap.gazetteer.paths import default_db

    key = str(Path(path) if path else default_db())
    if key not in _SHARED:
        _SHARED[key] = open_gazetteer(key)
    return _SHARED[key]


def share(gazetteer: Gazetteer) -> Gazetteer:
    """Make `gazetteer` the one the components reading its path use in this process."""
    _SHARED[str(gazetteer.path)] = gazetteer
    return gazetteer
