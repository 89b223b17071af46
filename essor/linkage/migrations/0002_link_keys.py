"""Give every person already in the registry the link keys (``l:given|family``) that lookups
find them by: until now only persons saved after the linkage app had them."""

from django.db import migrations


def add_link_keys(apps, schema_editor):  # type: ignore[no-untyped-def]
    from essor.registry.names import link_keys

    Person = apps.get_model("registry", "Person")
    PersonNameKey = apps.get_model("registry", "PersonNameKey")
    have = set(
        PersonNameKey.objects.filter(key__startswith="l:").values_list("person_id", flat=True)
    )
    batch = []
    for pk, first, last, first_ar, last_ar in Person.objects.values_list(
        "pk", "first_name", "last_name", "first_name_ar", "last_name_ar"
    ).iterator(chunk_size=5000):
        if pk in have:
            continue
        batch += [
            PersonNameKey(person_id=pk, key=k) for k in link_keys(first, last, first_ar, last_ar)
        ]
        if len(batch) >= 5000:
            PersonNameKey.objects.bulk_create(batch)
            batch = []
    PersonNameKey.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("linkage", "0001_initial"),
        ("registry", "0006_historicalorganisation_merged_into_and_more"),
    ]

    operations = [migrations.RunPython(add_link_keys, migrations.RunPython.noop)]
