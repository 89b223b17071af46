"""Commune points for the tour planner: coverage, plausibility and distances."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings

from essor.territory.geo import distance_km, point
from essor.territory.loading import POINTS, load_points
from essor.territory.models import Commune, CommuneKind

pytestmark = pytest.mark.django_db

REGIONS = settings.ESSOR_SHARED_DIR / "reference" / "geo" / "regions.geojson"
TTA_BOX = (
    34.5,
    36.0,
    -6.5,
    -3.5,
)  # lat min, lat max, lon min, lon max of Tanger-Tétouan-Al Hoceima


def _positions(coordinates: Any) -> Iterator[tuple[float, float]]:
    if coordinates and isinstance(coordinates[0], int | float):
        yield coordinates[0], coordinates[1]
    else:
        for part in coordinates:
            yield from _positions(part)


def region_01_box() -> tuple[float, float, float, float]:
    if not REGIONS.exists():
        return TTA_BOX
    features = json.loads(REGIONS.read_text(encoding="utf-8"))["features"]
    (region,) = [f for f in features if (f.get("id") or f["properties"].get("id")) == "MA-01"]
    lons, lats = zip(*_positions(region["geometry"]["coordinates"]), strict=True)
    return min(lats), max(lats), min(lons), max(lons)


def test_every_rural_commune_of_region_01_has_a_point() -> None:
    rural = Commune.objects.filter(region__code="01", kind=CommuneKind.RURAL)
    assert rural.count() == 127
    assert [c.code for c in rural if point(c) is None] == []


def test_every_commune_has_the_point_of_the_csv() -> None:
    with POINTS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["code"] for r in rows] == sorted(r["code"] for r in rows)
    assert {r["source"] for r in rows} == {"centre", "centroid"}
    loaded = {c.code: (c.latitude, c.longitude) for c in Commune.objects.all()}
    assert {r["code"]: (Decimal(r["latitude"]), Decimal(r["longitude"])) for r in rows} == loaded


def test_region_01_points_lie_in_the_region() -> None:
    lat_min, lat_max, lon_min, lon_max = region_01_box()
    outside = []
    for commune in Commune.objects.filter(region__code="01"):
        at = point(commune)
        if at is None or not (lat_min <= at[0] <= lat_max and lon_min <= at[1] <= lon_max):
            outside.append((commune.code, at))
    assert outside == []


def test_tanger_to_tetouan() -> None:
    tanger = Commune.objects.get(code="01.511.01.0")
    tetouan = Commune.objects.get(region__code="01", name_fr="Tétouan", kind=CommuneKind.URBAN)
    distance = distance_km(tanger, tetouan)
    assert distance is not None
    assert 40 < distance < 65


def test_distance_is_symmetric_zero_to_itself_and_none_without_a_point() -> None:
    a, b = Commune.objects.filter(region__code="01", kind=CommuneKind.RURAL)[:2]
    assert distance_km(a, b) == distance_km(b, a)
    assert distance_km(a, b) > 0  # type: ignore[operator]
    assert distance_km(a, a) == 0
    nowhere = Commune(code="99.999.99.99")
    assert point(nowhere) is None
    assert distance_km(a, nowhere) is None
    assert distance_km(nowhere, a) is None


def test_loading_sets_the_points_again() -> None:
    Commune.objects.filter(region__code="01").update(latitude=None, longitude=None)
    assert load_points(Commune) == Commune.objects.count()
    assert not Commune.objects.filter(latitude__isnull=True).exists()
