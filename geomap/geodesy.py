"""Distances on the Earth: the great circle on a sphere of geopy's mean Earth radius.

geopy's `great_circle` gives the same distances but builds objects for every call; the resolver
asks for hundreds of thousands, so this is the same formula on plain floats.
"""

from __future__ import annotations

import math

from geopy.distance import EARTH_RADIUS


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS * math.asin(min(1.0, math.sqrt(a)))
