"""The `geomap gazetteer` actions: build, search, info, add, remove."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from geomap.errors import GazetteerError
from geomap.gazetteer import extend
from geomap.gazetteer.build import build, stderr_progress
from geomap.gazetteer.paths import default_db, user_dir
from geomap.gazetteer.store import Gazetteer
from geomap.io import atomic_writer


def run(args) -> int:
    path: Path = args.gazetteer or default_db()
    action = args.action
    if action == "build":
        started = time.monotonic()
        counts = build(path, stderr_progress)
        print(f"{path}: built in {time.monotonic() - started:.0f} s: "
              + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        return 0
    if action == "search":
        places = Gazetteer.open(path).search(args.name, args.limit, args.country, args.admin1)
        if args.json:
            print(json.dumps([p.to_json() for p in places], ensure_ascii=False))
        else:
            for p in places:
                print(f"{p.geonameid:>10}  {p.name:30.30}  {p.lat:9.4f} {p.lon:10.4f}  {p.feature.value:9} "
                      f"{p.country:2} {p.admin1:>5} {p.population:>11,}  {p.source}")
        return 0 if places else 1
    if action == "info":
        info = Gazetteer.open(path).info()
        print(json.dumps(info) if args.json else "\n".join(f"{k:15} {v:,}" for k, v in info.items()))
        return 0
    if action == "add":
        return add(path, args.file)
    if action == "remove":
        return remove(path, args.name_or_id)
    raise GazetteerError(f"unknown gazetteer action {action!r}")


def _writable(path: Path) -> sqlite3.Connection:
    Gazetteer.open(path).close()  # builds it first if needed, and checks the schema
    return sqlite3.connect(path)


def add(path: Path, file: Path) -> int:
    """Validate the whole file, keep a copy in user/, then import it in one transaction."""
    entries = extend.read(file)
    folder = user_dir(path)
    db = _writable(path)
    # The copy comes first: if the import is interrupted, the next rebuild still has the places.
    with atomic_writer(folder / file.name, "wb") as out:
        out.write(file.read_bytes())
    with db:
        added = extend.store_entries(db, entries, source="user")
    db.close()
    print(f"{path}: added {added} place(s) from {file}; kept in {folder / file.name}")
    return 0


def remove(path: Path, name_or_id: str) -> int:
    """Remember the place in user/removed.txt for later rebuilds, then remove it from the database."""
    db = _writable(path)
    try:
        geonameid, name = extend.resolve_removal(db, name_or_id)
    except GazetteerError as exc:
        raise GazetteerError(f"{path}: {exc}") from None
    record = user_dir(path) / extend.REMOVED
    kept = record.read_text(encoding="utf-8") if record.is_file() else ""
    with atomic_writer(record) as out:
        out.write(f"{kept}{geonameid} {name}\n")
    with db:
        extend.delete(db, geonameid)
    db.close()
    print(f"{path}: removed {geonameid} {name}")
    return 0
