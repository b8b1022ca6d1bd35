#!/usr/bin/env python
"""Write geomap/gazetteer/data/physical.geojson.gz: the physical world every build knows.

Rivers (simplified lines), lakes, playas, seas and other marine areas (simplified outlines),
mountain ranges, islands, peninsulas, deserts and other landforms (outlines), mountains and capes
(points), with Natural Earth's English names and every other name as aliases. Read by
`geomap.gazetteer.naturalearth` exactly as `geomap gazetteer import naturalearth` reads the layers,
so each row carries the id the import gives the same feature: importing the full-resolution layers
replaces the row instead of doubling it. Disputed areas are left to the import (not physical).

Source: Natural Earth 1:10m physical layers (public domain), as gzipped GeoJSON or shapefile zips,
e.g. ../shared/data/naturalearth/ or Natural Earth's downloads. The layers themselves are never
committed; this table keeps a few properties and coarse geometry.

Usage: python gazetteer/tools/make_physical.py LAYERS_FOLDER OUT.geojson.gz
"""

import gzip
import json
import sys
from collections import Counter
from pathlib import Path

import shapely
from shapely.geometry import mapping

from geomap.gazetteer import naturalearth
from geomap.model import Feature

OUTLINE_TOLERANCE = 0.05
"""Degrees (about 5 km); outlines coarser than the import's 0.02, as the packaged seas were."""
LINE_TOLERANCE = 0.02
"""Degrees; rivers keep their bends a little better than outlines."""
PRECISION = 0.01
"""Degrees (about 1 km); coordinates are rounded to this."""
DIGITS = 2
"""Decimals written, matching PRECISION."""


def _rounded(value):
    """GeoJSON coordinates rounded to DIGITS decimals, nested as they are."""
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return round(value, DIGITS)


def _geometry(entry: naturalearth.NaturalEarthEntry) -> dict | None:
    """The entry's geometry simplified and rounded; None when that leaves nothing (a tiny lake is its point)."""
    if entry.geometry is None:
        return None
    tolerance = LINE_TOLERANCE if entry.place.feature is Feature.RIVER else OUTLINE_TOLERANCE
    geometry = shapely.set_precision(shapely.simplify(entry.geometry, tolerance, preserve_topology=True), PRECISION)
    if geometry.is_empty:
        return None
    data = mapping(geometry)
    return {"type": data["type"], "coordinates": _rounded(data["coordinates"])}


def main(layers: str, out: str) -> None:
    entries, read = naturalearth.entries(Path(layers))
    features = []
    for entry in sorted(entries, key=lambda e: (e.place.feature.value, e.place.name, e.place.geonameid)):
        place = entry.place
        if place.feature is Feature.TERRITORY:
            continue
        features.append({"type": "Feature",
                         "properties": {"id": place.geonameid, "name": place.name, "feature": place.feature.value,
                                        "lat": round(place.lat, 4), "lon": round(place.lon, 4),
                                        "aliases": sorted(n for n in entry.names if n != place.name)},
                         "geometry": _geometry(entry)})
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    with gzip.GzipFile(out, "wb", compresslevel=9, mtime=0) as fh:  # mtime 0: the same layers give the same bytes
        fh.write(text.encode("utf-8"))
    kinds = Counter(f["properties"]["feature"] for f in features)
    print(f"{out}: {len(features):,} features from {len(read)} layers ({', '.join(f'{n:,} {k}' for k, n in kinds.most_common())})")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
