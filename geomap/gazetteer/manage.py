"""The `geomap gazetteer` actions: build, search, info, add, remove, import."""

from __future__ import annotations

import json
import time
from pathlib import Path

from geomap.errors import GazetteerError
from geomap.gazetteer import download, extend, imports
from geomap.gazetteer.build import build, edit, stderr_progress, writing
from geomap.gazetteer.paths import default_db, user_dir
from geomap.gazetteer.schema import store_entries
from geomap.gazetteer.store import Gazetteer


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
                print(f"{p.geonameid:>10}  {printable(p.name):30.30}  {p.lat:9.4f} {p.lon:10.4f}  {p.feature.value:9} "
                      f"{printable(p.country):2} {printable(p.admin1):>5} {p.population:>11,}  {p.source}")
        return 0 if places else 1
    if action == "info":
        info = Gazetteer.open(path).info()
        print(json.dumps(info) if args.json else "\n".join(f"{k:15} {v:,}" for k, v in info.items()))
        return 0
    if action == "add":
        return add(path, args.file)
    if action == "remove":
        return remove(path, args.name_or_id)
    if action == "import":
        return import_data(path, args)
    raise GazetteerError(f"unknown gazetteer action {action!r}")


def printable(text: str) -> str:
    """Text safe for a terminal: control characters (ANSI escapes, newlines) shown escaped, not obeyed."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def add(path: Path, file: Path) -> int:
    """Validate the whole file, import it into a copy of the gazetteer, keep the file in user/, then
    put the copy in place: a failure or a kill at any point leaves all of the file's places or none."""
    entries = extend.read(file)
    with writing(path), edit(path) as db:
        added = store_entries(db, entries, source="user")
        kept = extend.keep(file, user_dir(path))  # before the copy is in place: a rebuild keeps what a reader sees
    print(f"{path}: added {added} place(s) from {file}; kept in {kept}")
    return 0


def remove(path: Path, name_or_id: str) -> int:
    """Remember the place in user/removed.jsonl for later rebuilds, and remove it from the database."""
    with writing(path), edit(path) as db:
        try:
            geonameid, name = extend.resolve_removal(db, name_or_id)
        except GazetteerError as exc:
            raise GazetteerError(f"{path}: {exc}") from None
        extend.record_removal(user_dir(path), geonameid, name)
        extend.delete(db, geonameid)
    print(f"{path}: removed {geonameid} {printable(name)}")
    return 0


def import_data(path: Path, args) -> int:
    """Import Natural Earth layers (downloaded first when no PATH is given) or a GeoNames dump into a
    copy of the gazetteer, record it in user/imports.jsonl, then put the copy in place, as `add` does."""
    if args.path is None and args.source == "geonames":
        raise GazetteerError("geomap gazetteer import geonames needs the dump FILE (.txt or .zip from GeoNames)")
    if args.min_population < 0:
        raise GazetteerError("--min-population must be 0 or more")
    source = args.path or download.fetch_layers(path.parent / "downloads" / "naturalearth", args.url)
    imported = imports.Import(args.source, source.resolve(), args.classes, args.min_population)
    with writing(path), edit(path) as db:
        _, summary = imports.run(db, imported)
        imports.record(user_dir(path), imported)  # before the copy is in place: a rebuild keeps what a reader sees
    print(f"{path}: imported {summary}; recorded in {user_dir(path) / imports.IMPORTS}")
    return 0
