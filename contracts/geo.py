"""Which member town a place lies in: points and sections against the towns' areas (pure).

A town's area is a polygon of ``(lat, lon)`` corners (WGS 84), given in its member file as
``[town] area = [[lat, lon], ...]`` and published with ``intake.TownProfilePublished``. The
areas in ``deploy/members/`` are **coarse approximations**: about ten corners around the town
centre, cut where a neighbouring member's area begins (half-way between the two centres, with a
gap of some 40 m), roughly the size of the municipality. A point near a border may therefore
be refused, or land in the neighbour. To replace them with the official boundaries: take the
municipality's polygon from the BKG's VG250 data set (open data, "Gemeinde" layer, its AGS in
field ``AGS``) or from GeoSN's administrative boundaries, simplify it (e.g. 50 m tolerance: a
few hundred corners are fine), convert to WGS 84 and write it as ``area`` in the member file;
``areas_overlap`` must stay false between members (a test checks the committed files).

The polygons are a few kilometres across, so latitude and longitude are treated as plane
coordinates (the error is far below the polygons' own coarseness). No dependency: an even-odd
ray cast and a segment test are all it takes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from itertools import pairwise

LatLon = tuple[float, float]
"""A position as ``(latitude, longitude)`` in degrees (WGS 84)."""
Area = Sequence[LatLon]
"""A simple polygon's corners in order (the last joins the first; not repeated)."""


def contains(area: Area, point: LatLon) -> bool:
    """Whether ``point`` lies inside ``area`` (even-odd ray cast; a point on an edge may go
    either way)."""
    lat, lon = point
    inside = False
    for (lat1, lon1), (lat2, lon2) in _edges(area):
        if (lat1 > lat) != (lat2 > lat):
            crossing = lon1 + (lat - lat1) * (lon2 - lon1) / (lat2 - lat1)
            if lon < crossing:
                inside = not inside
    return inside


def section_inside(area: Area, start: LatLon, end: LatLon) -> bool:
    """Whether the straight section from ``start`` to ``end`` lies inside ``area``.

    Both ends inside and no edge of the area crossed: then the section never leaves it.
    """
    if not (contains(area, start) and contains(area, end)):
        return False
    return not any(_cross(start, end, a, b) for a, b in _edges(area))


def covers(area: Area, points: Sequence[LatLon]) -> bool:
    """Whether a place — one point, or a line through several — lies inside ``area``."""
    if len(points) == 1:
        return contains(area, points[0])
    return bool(points) and all(section_inside(area, a, b) for a, b in pairwise(points))


def town_containing(areas: Mapping[str, Area], point: LatLon) -> str | None:
    """The key (AGS) of the first area holding ``point``; ``None`` if none does."""
    return next((ags for ags, area in areas.items() if contains(area, point)), None)


def town_covering(areas: Mapping[str, Area], points: Sequence[LatLon]) -> str | None:
    """The key (AGS) of the first area holding the whole place; ``None`` if none does.

    A section that crosses from one town into another lies in neither: the applicant splits
    it into one application per town.
    """
    return next((ags for ags, area in areas.items() if covers(area, points)), None)


def areas_overlap(first: Area, second: Area) -> bool:
    """Whether two areas share any ground (an edge crossing, or one inside the other)."""
    if any(_cross(a, b, c, d) for a, b in _edges(first) for c, d in _edges(second)):
        return True
    return contains(first, second[0]) or contains(second, first[0])


def _edges(area: Area) -> Iterator[tuple[LatLon, LatLon]]:
    for index, corner in enumerate(area):
        yield corner, area[(index + 1) % len(area)]


def _turn(a: LatLon, b: LatLon, c: LatLon) -> float:
    """Positive if ``a → b → c`` turns left, negative if right, 0 if in line."""
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _cross(a: LatLon, b: LatLon, c: LatLon, d: LatLon) -> bool:
    """Whether the sections ``a–b`` and ``c–d`` cross at a point inside both."""
    return _turn(a, b, c) * _turn(a, b, d) < 0 and _turn(c, d, a) * _turn(c, d, b) < 0
