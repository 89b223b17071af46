"""Distances between communes, from their points (see ``data/commune_points.csv``).

A commune's point is its village centre or the centroid of its territory: a distance between two
points is as the crow flies, a floor for the road distance.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from essor.territory.models import Commune

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def point(commune: Commune) -> tuple[float, float] | None:
    """``(latitude, longitude)`` in degrees, or ``None`` when the commune has no point."""
    if commune.latitude is None or commune.longitude is None:
        return None
    return float(commune.latitude), float(commune.longitude)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two ``(latitude, longitude)`` points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def distance_km(a: Commune, b: Commune) -> float | None:
    """Distance in km between two communes' points; ``None`` when either has no point."""
    pa, pb = point(a), point(b)
    if pa is None or pb is None:
        return None
    return haversine_km(pa, pb)
