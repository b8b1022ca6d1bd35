"""Distances on the Earth: the great circle on a sphere of geopy's mean Earth radius.

geopy's `great_circle` gives the same distances but builds objects for every call; the resolver
asks for hundreds of thousands, so this is the same formula on plain floats. `PointGrid` answers
"is another chosen place within this distance?" without measuring against every point.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from geopy.distance import EARTH_RADIUS

from geomap.model import Place


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS * math.asin(min(1.0, math.sqrt(a)))


BOUNDING_RADIUS_KM = 6371.0
"""A shade under the mean radius `distance_km` uses, so a box drawn with it always holds the circle."""


@dataclass(slots=True)
class _Cell:
    """The points of one grid cell, all within `radius` km of the first."""

    anchor: Place
    radius: float
    places: list[Place]


class PointGrid:
    """Chosen points in cells a quarter of `km` across, so "is one within `km` of here?" reads only
    the cells a circle of that radius reaches, not every point of the text.

    A cell wholly inside or outside the circle (by the triangle inequality from its first point)
    is settled with one distance; only points of cells the circle's edge crosses are measured one
    by one. Rows are a quarter of `km` of latitude tall, columns as many degrees wide; towards a
    pole a circle spans more columns, at a pole all of them. The cells searched always hold the
    whole circle, so the answer is the one comparing against every point would give. All points
    are added before the first search.
    """

    SPLIT = 4
    MARGIN_KM = 1e-6
    """Far more than the rounding of a distance: a cell is settled whole only beyond it."""

    def __init__(self, km: float):
        self.km = km
        self.reach = math.degrees(km / BOUNDING_RADIUS_KM) + 1e-6
        self.height = self.reach / self.SPLIT
        self.columns = max(1, int(360.0 / self.height))
        self.width = 360.0 / self.columns
        self.cells: dict[tuple[int, int], _Cell] = {}
        self.ids: set[int] = set()
        self._rows: dict[int, list[int]] | None = None
        self._near: dict[int, tuple[int, ...]] = {}

    def add(self, place: Place) -> None:
        if place.geonameid in self.ids:
            return
        self.ids.add(place.geonameid)
        key = (math.floor((place.lat + 90.0) / self.height),
               math.floor((place.lon + 180.0) / self.width) % self.columns)
        cell = self.cells.get(key)
        if cell is None:
            self.cells[key] = _Cell(place, 0.0, [place])
        else:
            cell.radius = max(cell.radius, distance_km(cell.anchor.lat, cell.anchor.lon, place.lat, place.lon))
            cell.places.append(place)

    def near(self, place: Place) -> tuple[int, ...]:
        """Up to two points other than `place` within `km` of it, remembered per place. Two are
        enough to tell whether another group chose one: one group's choice is a single point."""
        if place.geonameid not in self._near:
            self._near[place.geonameid] = tuple(itertools.islice(self._within(place), 2))
        return self._near[place.geonameid]

    def _within(self, place: Place) -> Iterator[int]:
        for cell in self._reached(place.lat, place.lon):
            d = distance_km(place.lat, place.lon, cell.anchor.lat, cell.anchor.lon)
            if d - cell.radius > self.km + self.MARGIN_KM:
                continue
            whole = d + cell.radius <= self.km - self.MARGIN_KM
            for other in cell.places:
                if other.geonameid != place.geonameid and (
                        whole or distance_km(place.lat, place.lon, other.lat, other.lon) <= self.km):
                    yield other.geonameid

    def _reached(self, lat: float, lon: float) -> Iterator[_Cell]:
        """The non-empty cells of the rows and columns a circle around (lat, lon) reaches."""
        if self._rows is None:
            self._rows = defaultdict(list)
            for row, column in sorted(self.cells):
                self._rows[row].append(column)
        first, count = self._columns(lat, lon)
        spans = [(first, min(self.columns, first + count))]
        if first + count > self.columns:
            spans.append((0, first + count - self.columns))
        for row in range(math.floor((lat - self.reach + 90.0) / self.height),
                         math.floor((lat + self.reach + 90.0) / self.height) + 1):
            columns = self._rows.get(row, [])
            for low, high in spans:
                for column in columns[bisect.bisect_left(columns, low):bisect.bisect_left(columns, high)]:
                    yield self.cells[(row, column)]

    def _columns(self, lat: float, lon: float) -> tuple[int, int]:
        """The first column and the number of columns a circle around (lat, lon) reaches:
        |Δlon| ≤ 2·asin(sin(km/2R) / cos(φ)), φ the circle's latitude farthest from the equator."""
        farthest = math.radians(min(90.0, abs(lat) + self.reach))
        reach = math.sin(self.km / (2 * BOUNDING_RADIUS_KM))
        if reach >= math.cos(farthest):
            return 0, self.columns
        span = math.degrees(2 * math.asin(reach / math.cos(farthest))) + 1e-6
        first = math.floor((lon - span + 180.0) / self.width)
        count = math.floor((lon + span + 180.0) / self.width) - first + 1
        return (0, self.columns) if count >= self.columns else (first % self.columns, count)
