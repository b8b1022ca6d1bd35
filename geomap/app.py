"""What geomap's commands do, as functions over plain values that return values: the command
line (`cli.py`) only parses arguments and prints what these give back.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from geomap.batch import DOC_TIMEOUT
from geomap.errors import GazetteerError, InputError, OutputError
from geomap.gazetteer import download, extend, imports
from geomap.gazetteer.build import build, edit, stderr_progress, writing
from geomap.gazetteer.paths import default_db, user_dir
from geomap.gazetteer.database import store_entries
from geomap.gazetteer import open_gazetteer, shared_gazetteer
from geomap.model import Document, Place
from geomap.render.map import GeoMap
from geomap.render.view import MapOptions, MappedArticle, default_title, prepare_many
from geomap.formats import Failure, Outcome, to_geojson
from geomap.setup import Setup

DEFAULT_OUTPUTS = Path("outputs")
Report = Callable[[str], None]
"""Where a command says something on the way (a bad line skipped, a document that failed)."""


@dataclass(frozen=True, slots=True)
class Batch:
    """How a JSON Lines (or Parquet) input is run: skipping bad lines or not, and on which engine."""

    skip_bad: bool = False
    workers: int = 1
    engine: str = "local"
    scheduler: str | None = None
    doc_timeout: float | None = DOC_TIMEOUT


def default_output(name: str, suffix: str = ".html") -> Path:
    """outputs/NAME.html for an input file or URL."""
    from geomap.inputs import output_stem

    return DEFAULT_OUTPUTS / f"{output_stem(name)}{suffix}"


def parse_articles(setup: Setup, names: list[str]) -> list[Document]:
    """Each named article (file, URL or "-") read and parsed; every input is read, and so checked,
    before the model loads."""
    from geomap.inputs import load

    articles = [load(name) for name in names]
    setup.check()
    return list(setup.geoparser().pipe(articles, setup.batch_size, dict(setup.prefer), setup.home or None))


def outcomes(setup: Setup, path: str, batch: Batch, report: Report) -> Iterator[Outcome]:
    """A document or a failure for each record of a JSON Lines (or Parquet) file, in order."""
    from geomap.batch import extract
    from geomap.inputs import read_records

    records = read_records(path, batch.skip_bad, report)
    setup.check()  # once here, not in every worker
    yield from extract(records, setup, batch.workers, batch.engine, batch.scheduler, batch.doc_timeout)


def extract_jsonl(setup: Setup, path: str, output: Path, batch: Batch, report: Report) -> list[Failure]:
    """Stream a JSON Lines (or Parquet) file through the chosen engine into OUTPUT (JSON Lines, or
    Parquet for .parquet), written atomically; returns the documents that failed."""
    from geomap.formats import ParquetLines, to_json
    from geomap.outputs import atomic_writer
    from geomap.progress import counted

    setup.refuse_overwriting([path], [output])
    parquet = output.suffix.lower() == ".parquet"
    failed: list[Failure] = []
    with atomic_writer(output, "wb" if parquet else "w") as fh:
        out = ParquetLines(fh, output) if parquet else None
        for outcome in counted(outcomes(setup, path, batch, report)):
            if isinstance(outcome, Failure):
                failed.append(outcome)
                report(f"{path}: document {outcome.id}: {outcome.error}")
            if out:
                out.write(outcome)
            else:
                fh.write(to_json(outcome) + "\n")
        if out:
            out.close()
    return failed


def mapped(document: Document, fallback: str) -> MappedArticle:
    """A parsed article as one of the articles of a map: its own title, else its first line."""
    source = document.source
    title = (source.title if source else "") or default_title(document.text)
    where = (source.url or Path(source.path).name) if source and (source.url or source.path) else fallback
    return MappedArticle(document, title, where, source.published if source else "")


@dataclass(frozen=True, slots=True)
class MapOutput:
    """Where and how a map is written: an HTML page (or a one-line fragment), or a PNG or SVG image."""

    path: Path | None
    """None: nothing is written (a fragment the caller prints)."""
    fragment: bool = False
    height: str = "600px"
    width: str = "100%"
    size: str | None = None
    dpi: int | None = None
    geojson: Path | None = None

    def check(self, options: MapOptions) -> None:
        """Refuse options that do not fit the output, before any work."""
        from geomap.render.map import fragment, is_fragment
        from geomap.render.static import image_format, image_size

        image = image_format(self.path) if self.path else None  # "png", "svg", or None for HTML; others refused
        if image and (self.fragment or options.tiles):
            raise InputError(f"{self.path}: `fragment` and `tiles` are for HTML maps, not {image.upper()} images",
                             parameters=("fragment", "tiles"))
        if image:
            image_size(self.size, self.dpi)
        elif self.size or self.dpi:
            raise InputError(f"{self.path}: `size` and `dpi` are for .png and .svg images", parameters=("size", "dpi"))
        if self.fragment:
            fragment("", self.height, self.width)  # a bad CSS length is refused here
            if self.path and self.path.is_file() and not is_fragment(self.path):
                raise OutputError(f"{self.path}: exists and is not a geomap fragment; not replaced by one "
                                  "(name another file, or leave out -o to print the fragment)")

    def write(self, geomap: GeoMap, documents: list[Document]) -> None:
        from geomap.outputs import write_text

        if self.path and self.fragment:
            write_text(self.path, geomap.fragment(self.height, self.width))
        elif self.path:
            geomap.save(self.path, self.size, self.dpi)
        if self.geojson:
            write_text(self.geojson, json.dumps(to_geojson(*documents), ensure_ascii=False, indent=1))


def map_articles(setup: Setup, names: list[str], output: MapOutput, options: MapOptions, *,
                 title: str | None = None, source: str | None = None, jsonl: str | None = None,
                 batch: Batch = Batch(), report: Report = lambda _: None) -> tuple[GeoMap, list[Document]]:
    """One map of the named articles (or of a JSON Lines file's), written to `output` (`map_documents`)."""
    setup.refuse_overwriting([*names, jsonl], [output.path, output.geojson])
    output.check(options)
    if jsonl:
        documents = []
        for outcome in outcomes(setup, jsonl, batch, report):
            if isinstance(outcome, Failure):
                report(f"{jsonl}: document {outcome.id}: {outcome.error}")
            else:
                documents.append(outcome)
    else:
        documents = parse_articles(setup, names)
    geomap = map_documents(setup, documents, options, title=title, source=source, many=bool(jsonl))
    output.write(geomap, documents)
    return geomap, documents


def map_documents(setup: Setup, documents: list[Document], options: MapOptions, *, title: str | None = None,
                  source: str | None = None, many: bool = False) -> GeoMap:
    """One map of parsed articles, each place once. A single article's map (unless `many`: a JSON
    Lines file's) is titled by the article and credits its file or URL; a map of many lists them."""
    articles = [mapped(d, d.id or "") for d in documents]
    if len(articles) == 1 and not many:
        only, url = articles[0], (documents[0].source.url if documents[0].source else "")
        options = replace(options, title=only.title if title is None else title,
                          source=only.source if source is None else source, source_url=url or None)
    else:
        options = replace(options, title=f"{len(articles)} articles" if title is None else title, source=source or "")
    return GeoMap(prepare_many(articles, shared_gazetteer(setup.gazetteer), options))


# The gazetteer's actions.

def gazetteer_build(path: Path | None) -> tuple[Path, dict[str, int], float]:
    """Build the gazetteer from the packaged sources and the user's files: its path, counts, seconds."""
    path = path or default_db()
    started = time.monotonic()
    counts = build(path, stderr_progress)
    return path, counts, time.monotonic() - started


def gazetteer_search(path: Path | None, name: str, limit: int, country: str, admin1: str) -> list[Place]:
    if limit < 1:  # a negative one would slice off the last matches
        raise InputError(f"`limit` {limit}: give at least 1", parameters=("limit",))
    return open_gazetteer(path or default_db()).search(name, limit, country, admin1)


def gazetteer_info(path: Path | None) -> dict[str, int]:
    return open_gazetteer(path or default_db()).info()


def gazetteer_add(path: Path | None, file: Path) -> tuple[Path, int, Path]:
    """Validate the whole file, import it into a copy of the gazetteer, keep the file in user/, then
    put the copy in place: a failure or a kill at any point leaves all of the file's places or none.
    Returns the gazetteer, how many places were added, and where the file is kept."""
    path = path or default_db()
    entries = extend.read(file)
    with writing(path), edit(path) as db:
        added = store_entries(db, entries, source="user")
        kept = extend.keep(file, user_dir(path))  # before the copy is in place: a rebuild keeps what a reader sees
    return path, added, kept


def gazetteer_remove(path: Path | None, name_or_id: str) -> tuple[Path, int, str]:
    """Remember the place in user/removed.jsonl for later rebuilds, and remove it from the database."""
    path = path or default_db()
    with writing(path), edit(path) as db:
        try:
            geonameid, name = extend.resolve_removal(db, name_or_id)
        except GazetteerError as exc:
            raise GazetteerError(f"{path}: {exc}") from None
        extend.record_removal(user_dir(path), geonameid, name)
        extend.delete(db, geonameid)
    return path, geonameid, name


def gazetteer_import(path: Path | None, source: str, data: Path | None, url: str | None, classes: str,
                     min_population: int) -> tuple[Path, str, Path]:
    """Import Natural Earth layers (downloaded first when no data path is given) or a GeoNames dump
    into a copy of the gazetteer, record it in user/imports.jsonl, then put the copy in place, as
    `gazetteer_add` does. Returns the gazetteer, a summary, and the record's file."""
    path = path or default_db()
    if data is None and source == "geonames":
        raise GazetteerError("geomap gazetteer import geonames needs the dump FILE (.txt or .zip from GeoNames)")
    if min_population < 0:
        raise GazetteerError("`min_population` must be 0 or more", parameters=("min_population",))
    data = data or download.fetch_layers(path.parent / "downloads" / "naturalearth", url)
    imported = imports.Import(source, data.resolve(), classes, min_population)
    with writing(path), edit(path) as db:
        _, summary = imports.run(db, imported)
        imports.record(user_dir(path), imported)  # before the copy is in place: a rebuild keeps what a reader sees
    return path, summary, user_dir(path) / imports.IMPORTS

