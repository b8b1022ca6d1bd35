"""The offline gazetteer as a geopy geocoder, so existing geopy code runs without a network.

    from geomap.geocoder import OfflineGazetteer
    geolocator = OfflineGazetteer()
    geolocator.geocode("Kursk Oblast")            # Location('Kursk Oblast, RU', (51.67, 36.08, 0))
    geolocator.reverse((55.75, 37.62))            # the nearest gazetteer place
"""

from __future__ import annotations

from pathlib import Path

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from geomap.gazetteer import open_gazetteer
from geomap.model import Place


def _location(place: Place) -> Location:
    address = ", ".join(part for part in (place.name, place.country) if part)
    return Location(address, Point(place.lat, place.lon), place.to_json())


class OfflineGazetteer(Geocoder):
    """geopy's `Geocoder` contract (geocode, reverse) answered from geomap's SQLite gazetteer."""

    def __init__(self, gazetteer_path: Path | None = None, **kwargs):
        super().__init__(**kwargs)
        self.gazetteer = open_gazetteer(gazetteer_path)

    def geocode(self, query: str, *, exactly_one: bool = True, limit: int = 10, **_ignored):
        """The most prominent place answering to `query` (or all of them, up to `limit`); None if none."""
        places = self.gazetteer.search(query, 1 if exactly_one else limit)
        if not places:
            return None
        return _location(places[0]) if exactly_one else [_location(p) for p in places]

    def reverse(self, query, *, exactly_one: bool = True, km: float = 50.0, limit: int = 10, **_ignored):
        """The gazetteer places nearest a point (within `km`), nearest first; None if none."""
        point = Point(query)
        places = self.gazetteer.near(point.latitude, point.longitude, km, 1 if exactly_one else limit)
        if not places:
            return None
        return _location(places[0]) if exactly_one else [_location(p) for p in places]
