"""Imported data sets (Natural Earth layers, GeoNames dumps): import one, and replay them all at a rebuild.

Every import is recorded in the gazetteer's user/imports.jsonl, one JSON object a line
({"kind": "naturalearth", "path": "/abs/folder"}, {"kind": "geonames", "path": "/abs/allCountries.zip",
"classes": "P", "min_population": 0}), and every rebuild imports them again, as it does the files
of `gazetteer add`. The data itself is not copied into user/: Natural Earth's layers are tens of MB
and allCountries 1.5 GB. The record holds the absolute path; a rebuild whose path has gone stops
with an error naming it and the record's line.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from geomap.errors import GazetteerError, GeomapError, InputError
from geomap.gazetteer import geonames_dump, naturalearth
from geomap.gazetteer.database import store_entries
from geomap.outputs import atomic_writer
from geomap.progress import byte_bar, note

IMPORTS = "imports.jsonl"
KINDS = ("naturalearth", "geonames")


@dataclass(frozen=True, slots=True)
class Import:
    kind: str
    path: Path
    classes: str = "P"
    """GeoNames only: the feature classes imported."""
    min_population: int = 0
    """GeoNames only: populated places with fewer people are left out."""

    def to_json(self) -> dict:
        data: dict = {"kind": self.kind, "path": str(self.path)}
        if self.kind == "geonames":
            data |= {"classes": self.classes, "min_population": self.min_population}
        return data

    def same_data(self, other: Import) -> bool:
        return (self.kind, self.path) == (other.kind, other.path)


def run(db: sqlite3.Connection, imported: Import, show_progress: bool = True) -> tuple[int, str]:
    """Import into `db`; returns places added and a one-line summary with the time it took. Data that
    brings no place is an error (so it is never recorded, and never replayed)."""
    started = time.monotonic()
    if imported.kind == "naturalearth":
        entries, layers = naturalearth.entries(imported.path)
        if not entries:
            raise InputError(f"{imported.path}: no named place in its {len(layers)} Natural Earth layer(s); nothing imported")
        added = store_entries(db, naturalearth.matched(db, entries))
        return added, (f"{added:,} places from {len(layers)} Natural Earth layers "
                       f"in {time.monotonic() - started:.1f} s")
    classes = geonames_dump.parse_classes(imported.classes)
    progress = byte_bar(imported.path.name) if show_progress else None
    lines, added, known = geonames_dump.import_dump(db, imported.path, classes, imported.min_population, progress)
    if not added + known:
        raise InputError(f"{imported.path}: no place of classes {','.join(sorted(classes))} (towns of at least "
                         f"{imported.min_population:,} people) in its {lines:,} lines; nothing imported")
    seconds = max(time.monotonic() - started, 1e-9)
    return added, (f"{added:,} places from {lines:,} lines ({known:,} already there) in {seconds:.1f} s, "
                   f"{lines / seconds:,.0f} lines/s")


def recorded(folder: Path) -> list[Import]:
    """The imports recorded in `folder`/imports.jsonl, each line checked."""
    path = folder / IMPORTS
    if not path.is_file():
        return []
    found = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                found.append(_parse(line, f"{path}:{number}"))
    return found


def _parse(line: str, where: str) -> Import:
    try:
        data = json.loads(line)
        kind, path = data["kind"], data["path"]
        classes, population = data.get("classes", "P"), data.get("min_population", 0)
    except (ValueError, TypeError, KeyError):
        data = kind = path = classes = population = None
    if (kind not in KINDS or not isinstance(path, str) or not Path(path).is_absolute()
            or not isinstance(classes, str) or type(population) is not int or population < 0):
        raise GazetteerError(f'{where}: expected {{"kind": "naturalearth" or "geonames", "path": ABSOLUTE_PATH, …}}')
    return Import(kind, Path(path), classes, population)


def record(folder: Path, imported: Import) -> None:
    """Add an import to `folder`/imports.jsonl (rewritten whole, atomically); the same data imported
    again replaces its line, so a rebuild imports it once."""
    kept = [i for i in recorded(folder) if not i.same_data(imported)]
    with atomic_writer(folder / IMPORTS) as out:
        for item in (*kept, imported):
            out.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")


def replay(db: sqlite3.Connection, folder: Path) -> int:
    """Import again everything recorded, in order; returns places added. A recorded path that has
    gone, or no longer reads, stops the build naming the path and the record."""
    added = 0
    for number, imported in enumerate(recorded(folder), 1):
        where = f"{folder / IMPORTS}:{number}"
        if not imported.path.exists():
            raise GazetteerError(f"{where}: {imported.path} (imported with 'geomap gazetteer import {imported.kind}') "
                                 "is gone; put it back, or delete that line and build again")
        try:
            count, summary = run(db, imported, show_progress=False)
        except GeomapError as exc:
            raise GazetteerError(f"{where}: {exc}") from None
        note(f"{imported.path}: {summary}")
        added += count
    return added
