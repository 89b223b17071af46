"""Load the maintained list of sectors (``registry/data/sectors.csv``), mapped to NMA 2010."""

import csv
from pathlib import Path

from django.db import migrations

SECTORS = Path(__file__).resolve().parent.parent / "data" / "sectors.csv"


def load(apps, schema_editor):
    Sector = apps.get_model("registry", "Sector")
    with SECTORS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Sector.objects.update_or_create(code=row["code"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
