"""CINs and phone numbers are encrypted in the database, and still found by their value."""

from __future__ import annotations

import base64
import csv
from pathlib import Path

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.core.files import File
from django.db import connection
from django.test import override_settings

from essor.core import crypto
from essor.core.testing import Personas
from essor.programmes.models import ExclusionEntry, ExclusionList
from essor.registry import services
from essor.registry.importing.jobs import import_job_create, import_job_load
from essor.registry.models import Person
from essor.registry.selectors import PersonFilters, person_list

pytestmark = pytest.mark.django_db

CIN, PHONE = "AB123456", "+212612345678"


def _stored(table: str, column: str) -> list[str]:
    """What the database itself holds, read without Django's fields."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> '' ORDER BY id")
        return [value for (value,) in cursor.fetchall()]


def _register(personas: Personas, **data: str) -> Person:
    clerk = personas.user("data_clerk")
    return services.person_create(
        actor=clerk, partner=personas.own, first_name="Zineb", last_name="Chraibi", **data
    )


def test_the_database_never_holds_a_clear_cin_or_phone(personas: Personas) -> None:
    person = _register(personas, cin="ab 123456", phone="06 12 34 56 78")
    person.refresh_from_db()
    assert (person.cin, person.phone) == (CIN, PHONE)  # the application sees the values

    for table in ("registry_person", "registry_historicalperson"):
        cins, phones = _stored(table, "cin"), _stored(table, "phone")
        assert cins
        assert phones
        for value in cins + phones:
            assert value.startswith(crypto.PREFIX)
            assert "123456" not in value
            assert "612345678" not in value
    # One value, one ciphertext (the column is its own index); a CIN and a phone never collide.
    assert len(set(_stored("registry_historicalperson", "cin"))) == 1
    assert crypto.seal("AB123456", "cin") != crypto.seal("AB123456", "phone")


def test_found_by_its_cin_or_phone_and_a_known_cin_is_still_refused(personas: Personas) -> None:
    person = _register(personas, cin=CIN, phone=PHONE)
    manager = personas.user("programme_manager")
    for query in ("AB123456", "ab123456", "0612345678", "+212 6 12 34 56 78"):
        found = list(person_list(actor=manager, filters=PersonFilters(query=query)))
        assert found == [person], query
    assert Person.objects.filter(cin__in=["ZZ1", CIN]).get() == person
    assert Person.objects.filter(phone=PHONE).get() == person

    with pytest.raises(ValidationError) as refused:
        _register(personas, cin="ab123456")
    assert "AB12" in str(refused.value)  # the message shows the CIN masked


def test_pattern_searches_are_refused_rather_than_silently_wrong() -> None:
    with pytest.raises(FieldError):
        list(Person.objects.filter(cin__startswith="AB"))
    with pytest.raises(FieldError):
        list(Person.objects.filter(phone__icontains="6123"))


def test_an_exclusion_list_matches_persons_by_encrypted_cin(personas: Personas) -> None:
    person = _register(personas, cin=CIN)
    listed = ExclusionList.objects.create(
        partner=personas.own, name="Déjà financés 2024", programme_code="indh-p3"
    )
    ExclusionEntry.objects.create(exclusion_list=listed, cin=CIN, year=2024)
    assert _stored("programmes_exclusionentry", "cin")[0].startswith(crypto.PREFIX)
    from django.db.models import Exists, OuterRef

    flagged = Person.objects.filter(
        Exists(ExclusionEntry.objects.filter(cin=OuterRef("cin")))
    ).values_list("pk", flat=True)
    assert list(flagged) == [person.pk]


def test_an_imported_list_is_encrypted_too(personas: Personas, tmp_path: Path) -> None:
    path = tmp_path / "liste.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["Nom", "Prénom", "Sexe", "CIN", "Téléphone"])
        writer.writerow(["Alami", "Youssef", "M", "K998877", "0661223344"])
        writer.writerow(["Bennani", "Salma", "F", "", "0662334455"])
    clerk = personas.user("data_clerk")
    with path.open("rb") as handle:
        job = import_job_create(
            actor=clerk, partner=personas.own, kind="persons", file=File(handle), name=path.name
        )
    import_job_load(job, actor=clerk)
    assert Person.objects.filter(cin="K998877").get().phone == "+212661223344"
    assert Person.objects.filter(phone="+212662334455").get().last_name == "Bennani"
    stored = _stored("registry_person", "cin") + _stored("registry_person", "phone")
    assert len(stored) == 3
    assert all(value.startswith(crypto.PREFIX) for value in stored)


def test_another_key_cannot_read_the_data_and_says_so(personas: Personas) -> None:
    person = _register(personas, cin=CIN)
    other = base64.b64encode(bytes(range(64))).decode()
    with override_settings(ESSOR_FIELD_KEY=other), pytest.raises(crypto.FieldKeyError) as wrong:
        Person.objects.get(pk=person.pk)
    assert "ESSOR_FIELD_KEY" in str(wrong.value)
    with override_settings(ESSOR_FIELD_KEY="not base64!"), pytest.raises(crypto.FieldKeyError):
        crypto.seal(CIN, "cin")
    assert Person.objects.get(pk=person.pk).cin == CIN  # the right key reads it again


def test_the_migration_seals_clear_values_once_and_can_open_them_again(
    personas: Personas,
) -> None:
    person = _register(personas, cin=CIN, phone=PHONE)
    with connection.cursor() as cursor:  # as a database from before the encryption held them
        cursor.execute(
            "UPDATE registry_person SET cin = %s, phone = %s WHERE id = %s", [CIN, PHONE, person.pk]
        )
    assert crypto.seal_column(connection, "registry_person", "cin", "cin") == 1
    assert crypto.seal_column(connection, "registry_person", "cin", "cin") == 0  # idempotent
    crypto.seal_column(connection, "registry_person", "phone", "phone")
    assert _stored("registry_person", "cin") == [crypto.seal(CIN, "cin")]
    assert Person.objects.get(cin=CIN).phone == PHONE

    crypto.seal_column(connection, "registry_person", "cin", "cin", reverse=True)
    assert _stored("registry_person", "cin") == [CIN]
