"""Importing partners' lists: real XLSX and Windows-1256 CSV files, row by row."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files import File
from django.core.management import call_command
from openpyxl import Workbook

from essor.core.testing import Personas
from essor.registry.importing.jobs import (
    import_job_create,
    import_job_load,
    import_job_plan,
    rejected_rows_csv,
)
from essor.registry.models import ImportJob, ImportStatus, Organisation, Person, PersonHolding

pytestmark = pytest.mark.django_db

XLSX_HEADER = [
    "Nom",
    "Prénom",
    "الاسم الشخصي بالعربية",
    "النسب بالعربية",
    "Sexe",
    "Date de naissance",
    "CIN",
    "Téléphone",
    "Commune",
    "Niveau d'études",
]
XLSX_ROWS: list[list[Any]] = [
    [
        "El Idrissi",
        "Fatima Zahra",
        "فاطمة الزهراء",
        "الادريسي",
        "F",
        date(1994, 3, 21),
        "ab 123456",
        "06 12 34 56 78",
        "01.511.01.0",
        "licence",
    ],
    ["Alami", "Youssef", "", "", "M", date(2015, 1, 1), "", "", "", ""],
    ["Bennis", "Salma", "", "", "F", "12/04/1990", "AB0123", "", "", ""],
    [
        "Tazi",
        "Karim",
        "كريم",
        "التازي",
        "homme",
        "1988-05-12",
        "K998877",
        "+212 661 23 45 67",
        "Tétouan",
        "bac",
    ],
    ["Tazi", "Karim", "", "", "M", "1988-05-12", "K998877", "", "", ""],
    [None, None, None, None, None, None, None, None, None, None],
    ["Berrada", "Nadia", "", "", "F", "", "", "", "Nowhere", ""],
    ["", "", "هاجر", "العلوي", "أنثى", "05/05/1990", "", "", "", "master"],
]

CSV_TEXT = (
    "النسب;الاسم الشخصي;الجنس;تاريخ الازدياد;رقم البطاقة الوطنية;الهاتف;الجماعة\n"
    "الوزاني;حمزة;ذكر;12/05/1988;K 554433;0661234567;تطوان\n"
    "العمراني;خديجة;أنثى;30/02/1990;;;طنجة\n"
    "الادريسي;فاطمة الزهراء;أنثى;21/03/1994;AB123456;;\n"
)


def _xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _run(
    personas: Personas,
    path: Path,
    *,
    kind: str = "persons",
    dry_run: bool = False,
    strict: bool = False,
    partner: Any = None,
) -> ImportJob:
    side = "other" if partner is not None and partner == personas.other else "own"
    clerk = personas.user("data_clerk", side)
    with path.open("rb") as handle:
        job = import_job_create(
            actor=clerk,
            partner=partner or personas.own,
            kind=kind,
            file=File(handle),
            name=path.name,
            strict=strict,
        )
    if dry_run:
        return import_job_plan(job)
    return import_job_load(job, actor=clerk)


def _outcomes(job: ImportJob) -> list[tuple[int, str, list[str]]]:
    return [
        (row, action, [column for column, _ in errors])
        for row, action, _t, _c, errors in job.outcomes
    ]


def test_xlsx_dry_run_then_load_row_by_row(personas: Personas, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "ccis.xlsx", XLSX_HEADER, XLSX_ROWS)
    dry = _run(personas, path, dry_run=True)
    assert dry.status == ImportStatus.PLANNED
    assert Person.objects.count() == 0  # a dry run writes nothing
    expected = [
        (2, "create", []),
        (3, "reject", ["Date de naissance"]),
        (4, "reject", ["CIN"]),
        (5, "create", []),
        (6, "reject", ["CIN"]),
        (8, "reject", ["Commune"]),
        (9, "create", []),
    ]
    assert _outcomes(dry) == expected
    messages = {row: errors for row, _a, _t, _c, errors in dry.outcomes}
    assert "15" in messages[3][0][1]  # under 15 says the minimum age
    assert (
        "Same person as row 5" in messages[6][0][1] or "même personne" in messages[6][0][1].lower()
    )

    job = _run(personas, path)
    assert job.status == ImportStatus.DONE
    assert _outcomes(job) == expected
    assert job.summary["create"] == 3
    fatima = Person.objects.get(cin="AB123456")
    assert (
        fatima.first_name,
        fatima.last_name_ar,
        fatima.phone,
        fatima.commune.code if fatima.commune else None,
    ) == (
        "Fatima Zahra",
        "الادريسي",
        "+212612345678",
        "01.511.01.0",
    )
    assert fatima.birth_date == date(1994, 3, 21)
    assert fatima.education_level == "bachelor"
    hajar = Person.objects.get(first_name_ar="هاجر")
    assert (hajar.sex, hajar.last_name_ar, hajar.education_level) == ("F", "العلوي", "master")
    assert fatima.history.first().history_user == personas.user("data_clerk")


def test_reimporting_the_same_file_changes_nothing(personas: Personas, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "ccis.xlsx", XLSX_HEADER, XLSX_ROWS)
    _run(personas, path)
    snapshot = sorted(
        Person.objects.values_list("id", "cin", "first_name", "last_name", "phone", "updated_at")
    )
    history = Person.history.count()
    again = _run(personas, path)
    assert again.summary["create"] == 0
    assert again.summary["update"] == 0
    assert again.summary["unchanged"] == 3
    assert (
        sorted(
            Person.objects.values_list(
                "id", "cin", "first_name", "last_name", "phone", "updated_at"
            )
        )
        == snapshot
    )
    assert Person.history.count() == history


def test_windows_1256_csv_with_arabic_names_updates_who_is_known(
    personas: Personas, tmp_path: Path
) -> None:
    _run(personas, _xlsx(tmp_path / "ccis.xlsx", XLSX_HEADER, XLSX_ROWS))
    path = tmp_path / "indh.csv"
    path.write_bytes(CSV_TEXT.encode("cp1256"))
    job = _run(personas, path, partner=personas.other)
    assert job.summary["encoding"] == "cp1256"
    assert _outcomes(job) == [
        (2, "create", []),
        (3, "reject", ["تاريخ الازدياد"]),
        (4, "update", []),
    ]
    hamza = Person.objects.get(cin="K554433")
    assert (hamza.first_name_ar, hamza.last_name_ar, hamza.first_name, hamza.sex) == (
        "حمزة",
        "الوزاني",
        "",
        "M",
    )
    assert hamza.commune is not None
    assert hamza.commune.name_fr == "Tétouan"
    # The INDH's row about Fatima found her by CIN: one person, now held by both partners.
    assert Person.objects.filter(cin="AB123456").count() == 1
    fatima = Person.objects.get(cin="AB123456")
    assert set(
        PersonHolding.objects.filter(person=fatima).values_list("partner__code", flat=True)
    ) == {"ccis-test", "indh-test"}
    update = next(o for o in job.outcomes if o[0] == 4)
    assert update[3] == ["holder"]


def test_strict_mode_loads_nothing_when_a_row_is_rejected(
    personas: Personas, tmp_path: Path
) -> None:
    job = _run(personas, _xlsx(tmp_path / "a.xlsx", XLSX_HEADER, XLSX_ROWS), strict=True)
    assert job.status == ImportStatus.PLANNED
    assert "nothing was loaded" in job.message or "rien n'a été chargé" in job.message
    assert Person.objects.count() == 0


def test_rejected_rows_come_back_as_a_file_to_correct(personas: Personas, tmp_path: Path) -> None:
    job = _run(personas, _xlsx(tmp_path / "a.xlsx", XLSX_HEADER, XLSX_ROWS))
    text = rejected_rows_csv(job)
    lines = text.lstrip("\ufeff").strip().splitlines()
    assert len(lines) == 1 + 4
    assert lines[0].endswith("Errors") or "Erreurs" in lines[0]
    assert "Bennis" in lines[2]


def test_organisations_import_matches_on_ice(personas: Personas, tmp_path: Path) -> None:
    header = [
        "Raison sociale",
        "Forme juridique",
        "ICE",
        "Secteur",
        "Commune",
        "Effectif femmes",
        "Chiffre d'affaires",
    ]
    rows: list[list[Any]] = [
        [
            "Coopérative Al Amal",
            "Coopérative",
            "001561191000066",
            "Agroalimentaire et transformation de produits du terroir",
            "01.511.01.0",
            12,
            "250 000,50",
        ],
        ["Tazi SARL", "SARL", "001561191000067", "", "", "", ""],
        ["Atelier Nour", "banque", "", "", "", "", ""],
    ]
    path = _xlsx(tmp_path / "orgs.xlsx", header, rows)
    job = _run(personas, path, kind="organisations")
    assert _outcomes(job) == [
        (2, "create", []),
        (3, "reject", ["ICE"]),
        (4, "reject", ["Forme juridique"]),
    ]
    coop = Organisation.objects.get(ice="001561191000066")
    assert (
        coop.kind,
        coop.employees_women,
        str(coop.annual_turnover),
        coop.sector.code if coop.sector else "",
    ) == (
        "cooperative",
        12,
        "250000.50",
        "agrifood",
    )
    again = _run(personas, path, kind="organisations")
    assert again.summary["unchanged"] == 1
    assert Organisation.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (b"%PDF-1.4 fake", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "97-2003"),
    ],
)
def test_files_that_are_not_lists_are_refused_clearly(
    personas: Personas, tmp_path: Path, content: bytes, needle: str
) -> None:
    path = tmp_path / "list.xlsx"
    path.write_bytes(content)
    job = _run(personas, path, dry_run=True)
    assert job.status == ImportStatus.REFUSED
    assert needle in job.message or needle.lower() in job.message.lower() or "vide" in job.message
    assert Person.objects.count() == 0


def test_oversized_file_is_refused(personas: Personas, tmp_path: Path, settings: Any) -> None:
    settings.ESSOR_MAX_UPLOAD_MB = 1
    path = tmp_path / "big.csv"
    path.write_text("Nom;Prénom\n" + "Alaoui;Amina\n" * 120_000)
    job = _run(personas, path, dry_run=True)
    assert job.status == ImportStatus.REFUSED
    assert "MB" in job.message or "Mo" in job.message


def test_zip_bomb_disguised_as_xlsx_is_refused(personas: Personas, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * (60 * 1024 * 1024))
    job = _run(personas, path, dry_run=True)
    assert job.status == ImportStatus.REFUSED
    assert "MB" in job.message or "Mo" in job.message


def test_merged_header_cells_are_refused_with_their_place(
    personas: Personas, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Identité", None, "CIN"])
    sheet.merge_cells("A1:B1")
    sheet.append(["Alaoui", "Amina", "AB123456"])
    path = tmp_path / "merged.xlsx"
    book.save(path)
    job = _run(personas, path, dry_run=True)
    assert job.status == ImportStatus.REFUSED
    assert "A1:B1" in job.message


def test_unknown_headers_ask_for_a_mapping(personas: Personas, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("colonne1,colonne2\nAlaoui,AB123456\n", encoding="utf-8")
    job = _run(personas, path, dry_run=True)
    assert job.status == ImportStatus.REFUSED
    assert job.unmapped == ["colonne1", "colonne2"]
    job.mapping = {"0": "last_name", "1": "cin"}
    job.save()
    job = import_job_plan(job)
    assert job.status == ImportStatus.PLANNED
    assert job.summary["create"] == 1


def test_command_line_import(personas: Personas, tmp_path: Path, capsys: Any) -> None:
    path = _xlsx(tmp_path / "ccis.xlsx", XLSX_HEADER, XLSX_ROWS)
    rejected = tmp_path / "rejected.csv"
    call_command(
        "import",
        "persons",
        str(path),
        "--partner",
        "ccis-test",
        "--dry-run",
        "--rejected",
        str(rejected),
    )
    out = capsys.readouterr().out
    # The command speaks French by default (--lang ar for Arabic).
    assert "à créer 3" in out
    assert "rejetées 4" in out
    assert "ligne 4, colonne CIN" in out
    assert "rien n'a été chargé" in out
    assert Person.objects.count() == 0
    assert rejected.exists()
    call_command("import", "persons", str(path), "--partner", "ccis-test")
    assert Person.objects.count() == 3


def test_import_pages_upload_check_map_and_load(
    personas: Personas, client_for, tmp_path: Path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = client_for(personas.user("data_clerk"))
    content = "Nom;Prénom;Numéro\nAlaoui;Amina;AB123456\nTazi;Karim;12\n".encode("cp1256")
    response = client.post(
        reverse("registry:imports"),
        {"kind": "persons", "file": SimpleUploadedFile("liste.csv", content, "text/csv")},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:import", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Numéro" in page  # the unrecognised column is offered for mapping
    client.post(
        reverse("registry:import_mapping", args=[job.pk]),
        {"col-0": "last_name", "col-1": "first_name", "col-2": "cin"},
    )
    job.refresh_from_db()
    assert job.status == ImportStatus.PLANNED
    assert (job.summary["create"], job.summary["reject"]) == (1, 1)
    status = client.get(
        reverse("registry:import", args=[job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in status
    assert "ligne" in status.lower() or "row" in status.lower()
    client.post(reverse("registry:import_load", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert list(Person.objects.values_list("cin", flat=True)) == ["AB123456"]
    rejected = client.get(reverse("registry:import_rejected", args=[job.pk])).content.decode(
        "utf-8"
    )
    assert "Tazi" in rejected
    # Another partner's clerk cannot see this import.
    other = client_for(personas.user("data_clerk", "other"))
    assert other.get(reverse("registry:import", args=[job.pk])).status_code == 404
