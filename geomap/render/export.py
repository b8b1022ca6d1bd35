"""JSON, JSON Lines and GeoJSON views of a `Document`: the stable contract other tools read."""

from __future__ import annotations

import json

from geomap.model import Document


def to_json(document: Document) -> str:
    """`{"mentions": [...]}` (with "id" when the document has one), as score.py reads it."""
    return json.dumps(document.to_json(), ensure_ascii=False)


def to_geojson(document: Document) -> dict:
    """One Point feature per resolved place, carrying its mentions."""
    features = []
    for place, resolutions in document.places.values():
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
            "properties": {
                **place.to_json(),
                "mentions": [
                    {"start": r.mention.start, "end": r.mention.end, "text": r.mention.text,
                     "kind": r.mention.kind.value, "confidence": round(r.confidence, 3)}
                    for r in resolutions
                ],
            },
        })
    return {"type": "FeatureCollection", "features": features}
