"""The pseudonymised export for evaluation, as an evaluator receives it: real XLSX and CSV files
opened by their libraries, with no one's identity in them, stable pseudonyms, ages in bands,
objections honoured, and nothing for whoever may not export."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import zipfile
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from essor.accounts.roles import Role
from essor.conventions.tests.factories import make_convention, make_line, make_programme
from essor.core.testing import Personas
from essor.funding.models import Commitment
from essor.monitoring import research
from essor.monitoring.research import AGE_BANDS, ExportScope, Pseudonymiser, age_band
from essor.monitoring.research import rows as research_rows
from essor.privacy.models import Objection
from essor.programmes.models import Application, ApplicationStatus, Enrollment
from essor.registry.models import Person
from essor.registry.tests.factories import make_person
from essor.territory.models import Commune

from .conftest import World


def french(text: str) -> str:
    """What a French page says for ``text`` (the interface's default language)."""
    with translation.override("fr"):
        return translation.gettext(text)


KEY = "test-only-key-4f9c1e2b7a6d5c3e8f0a1b2c3d4e5f60718293a4"
PAGE = "/monitoring/export/"
API = "/api/v1/research-export"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(research.KEY_ENV, KEY)
    return KEY


def expected_pseudonym(pk: int, kind: str = "person", key: str = KEY) -> str:
    digest = hmac.new(key.encode(), f"{kind}:{pk}".encode(), hashlib.sha256).hexdigest()
    return ("P-" if kind == "person" else "O-") + digest[:16].upper()


_receipts = iter(range(1, 10_000))


def apply(world: World, person: Any, programme: Any, on: date, status: str) -> Application:
    return Application.objects.create(
        holder=world.c1.owner,
        programme=programme,
        person=person,
        receipt=f"RX-{next(_receipts)}",
        channel="staff",
        status=status,
        submitted_on=on,
    )


class Identified:
    """A person with every identifier filled in, who applied to the first programme."""

    def __init__(self, world: World) -> None:
        commune = Commune.objects.filter(region__code="01").order_by("code")[2]
        self.commune = commune
        self.person = make_person(
            world.c1.owner,
            first_name="Ghizlane",
            last_name="Tazi-Rahmouni",
            first_name_ar="غزلان",
            last_name_ar="التازي",
            sex="F",
            birth_date=date(2001, 2, 3),
            cin="ZT998877",
            phone="0661234567",
            email="ghizlane.tazi@example.ma",
            address="12 rue des Orangers",
            commune=commune,
            education_level="master",
        )
        self.person.refresh_from_db()
        self.application = apply(
            world, self.person, world.p1_prog, date(2025, 2, 3), ApplicationStatus.ENROLLED
        )
        Enrollment.objects.create(application=self.application, started_on=date(2025, 2, 20))


def secrets_of(persons: list[Person]) -> list[str]:
    """Every identifying string of these persons, in the forms a file could hold them."""
    found: list[str] = []
    for p in persons:
        found += [p.first_name, p.last_name, p.first_name_ar, p.last_name_ar, p.email]
        found += [p.address, p.cin, p.phone, p.phone[-9:]]
        if p.birth_date:
            b = p.birth_date
            found += [b.isoformat(), b.strftime("%d/%m/%Y"), b.strftime("%Y%m%d")]
    return [s for s in found if s]


def download(client: Any, **query: Any) -> Any:
    return client.get(PAGE, query)


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response: Any) -> list[dict[str, str]]:
    raw = response if isinstance(response, bytes) else body(response)
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def xlsx_parts(raw: bytes) -> str:
    """Every XML part of the workbook, unzipped: what the file holds, byte for byte."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def xlsx_rows(raw: bytes) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    book = load_workbook(io.BytesIO(raw), read_only=True)
    data, dictionary = book.worksheets
    values: list[list[Any]] = [list(r) for r in data.iter_rows(values_only=True)]
    header = values[0]
    rows = [dict(zip(header, r, strict=True)) for r in values[1:]]
    return rows, [list(r) for r in dictionary.iter_rows(values_only=True)]


# --- Ages in bands ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "band"),
    [
        (date(2007, 1, 10), date(2025, 1, 9), "<18"),  # 18 tomorrow
        (date(2007, 1, 10), date(2025, 1, 10), "18-24"),  # 18 today
        (date(2000, 1, 10), date(2025, 1, 9), "18-24"),  # 24
        (date(2000, 1, 10), date(2025, 1, 10), "25-29"),  # 25 today
        (date(1995, 6, 1), date(2025, 5, 31), "25-29"),  # 29
        (date(1995, 6, 1), date(2025, 6, 1), "30-35"),  # 30
        (date(1989, 6, 1), date(2025, 6, 1), "36-45"),  # 36 (35 is young, 36 is not)
        (date(1989, 6, 2), date(2025, 6, 1), "30-35"),  # 35
        (date(1979, 3, 1), date(2025, 3, 1), "46-60"),  # 46
        (date(1964, 3, 2), date(2025, 3, 1), "46-60"),  # 60
        (date(1964, 3, 1), date(2025, 3, 1), "61+"),  # 61
        (date(2004, 2, 29), date(2022, 2, 28), "<18"),  # born on 29 February
        (date(2004, 2, 29), date(2022, 3, 1), "18-24"),
        (None, date(2025, 1, 1), ""),
        (date(2026, 1, 1), date(2025, 1, 1), ""),  # a birth date after the application
    ],
)
def test_age_bands_at_their_boundaries(born: date | None, on: date, band: str) -> None:
    assert age_band(born, on) == band


def test_the_bands_cover_every_age_once_and_contain_the_dashboards_bands() -> None:
    from essor.monitoring.indicators import AGE_BANDS as DASHBOARD_BANDS
    from essor.monitoring.indicators import YOUNG

    ages = [a for _label, low, high in AGE_BANDS for a in range(low, (high or 120) + 1)]
    assert ages == list(range(121))
    edges = {low for _label, low, _high in AGE_BANDS}
    assert {low for _label, low, _high in DASHBOARD_BANDS} <= edges
    assert YOUNG[0] in edges
    assert YOUNG[1] + 1 in edges


# --- The key and the pseudonyms --------------------------------------------------------------


def test_pseudonyms_are_keyed_hmac_distinct_per_person_and_kind() -> None:
    names = Pseudonymiser(KEY.encode())
    assert names.person(42) == expected_pseudonym(42)
    assert names.person(42) != names.person(43)
    assert names.person(42)[2:] != names.organisation(42)[2:]
    assert Pseudonymiser(b"another key of more than thirty-two chars").person(42) != names.person(
        42
    )
    assert KEY[:8] not in names.fingerprint
    assert len(names.fingerprint) == 8


def test_without_the_variable_the_key_is_a_file_written_once_for_the_owner_only(
    monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Any
) -> None:
    monkeypatch.delenv(research.KEY_ENV)
    settings.VAR_DIR = tmp_path
    first = Pseudonymiser()
    path = tmp_path / research.KEY_FILE_NAME
    assert path.stat().st_mode & 0o777 == 0o600
    assert Pseudonymiser().person(7) == first.person(7)
    assert [p.name for p in tmp_path.iterdir()] == [research.KEY_FILE_NAME]  # no draft left


def test_a_short_or_empty_key_is_refused_with_what_to_do(
    monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Any
) -> None:
    monkeypatch.setenv(research.KEY_ENV, "too-short")
    with pytest.raises(ImproperlyConfigured, match="at least 32"):
        Pseudonymiser()
    monkeypatch.delenv(research.KEY_ENV)
    settings.VAR_DIR = tmp_path
    (tmp_path / research.KEY_FILE_NAME).write_text("")
    with pytest.raises(ImproperlyConfigured, match="restore it"):
        Pseudonymiser()


# --- The files -------------------------------------------------------------------------------


def test_the_xlsx_holds_no_identity_and_its_dictionary_names_every_column(
    world: World, client_for: Any
) -> None:
    identified = Identified(world)
    response = download(
        client_for(world.manager), convention=world.c1.pk, format="xlsx", rows="applications"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    raw = body(response)
    text = xlsx_parts(raw)
    for secret in secrets_of(list(Person.objects.all())):
        assert secret not in text, secret
    assert KEY not in text
    assert KEY.encode() not in raw
    rows, dictionary = xlsx_rows(raw)
    # Amina twice (two programmes of the convention), Youssef's p1 application, Omar, the
    # identified person; Salma (archived) is left out; p3 belongs to the other convention.
    mine = [r for r in rows if r["person"] == expected_pseudonym(identified.person.pk)]
    assert len(rows) == 5
    assert len(mine) == 1
    row = mine[0]
    assert row["sex"] == "F"
    assert row["age_band"] == "18-24"  # 23 on 3 February 2025
    assert row["education_level"] == "master"
    assert row["commune_code"] == identified.commune.code
    assert row["commune"] == identified.commune.name_fr
    assert row["province_code"] == identified.commune.province.code
    assert row["region_code"] == "01"
    assert row["programme_code"] == world.p1_prog.code
    assert row["conventions"] == world.c1.reference
    assert row["submitted_month"] == "2025-02"
    assert row["enrolled"] == 1
    assert row["enrolled_month"] == "2025-02"
    # No cell is a date: a birth date cannot hide in the file as an Excel date.
    assert not any(isinstance(v, date) for r in rows for v in r.values())
    documented = [line[0] for line in dictionary if line]
    assert all(name in documented for name in rows[0])
    assert any(
        line[:2] == [french("Pseudonym key"), Pseudonymiser().fingerprint] for line in dictionary
    )


def test_the_csv_holds_no_identity_even_in_its_raw_bytes(world: World, client_for: Any) -> None:
    Identified(world)
    response = download(client_for(world.manager), convention=world.c1.pk, format="csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = body(response)
    for secret in secrets_of(list(Person.objects.all())):
        assert secret.encode() not in raw, secret
    assert KEY.encode() not in raw
    rows = csv_rows(raw)
    assert len(rows) == 5
    assert list(rows[0]) == [column.name for column in research.columns()]


def test_the_rows_say_what_became_of_each_application(world: World) -> None:
    Commitment.objects.filter(person=world.khadija).update(person=world.omar)
    omar = world.omar
    scope = ExportScope(programme=world.p1_prog)
    rows = {r["person"]: r for _pk, r in research.export_rows(scope)}
    amina = rows[expected_pseudonym(world.amina.pk)]
    # Three sessions of the programme: two as Amina, one under her merged duplicate's record.
    assert amina["sessions_attended"] == 3
    assert amina["hours_attended"] == Decimal("9.00")
    assert amina["age_band"] == "25-29"  # 29 on 10 January 2025
    assert amina["commune_kind"] == "rural"
    assert amina["status"] == "enrolled"
    assert amina["follow_up_6_status"] == ""
    youssef = rows[expected_pseudonym(world.youssef.pk)]
    assert youssef["status"] == "rejected"
    assert youssef["enrolled"] is False
    assert youssef["age_band"] == "36-45"  # 45
    row = rows[expected_pseudonym(omar.pk)]
    assert row["age_band"] == "30-35"  # 33 in November 2023
    assert row["exit_month"] == "2024-01"
    assert row["exit_outcome"] == "enterprise_created"
    # 50,000 committed; 20,000 paid (the reversed tranche of 10,000 is not).
    assert row["committed"] == Decimal("50000.00")
    assert row["disbursed"] == Decimal("20000.00")
    assert row["funding_kinds"] == "grant"
    assert row["first_commitment_month"] == "2025-05"
    assert (row["follow_up_6_status"], row["follow_up_6_active"]) == ("done", True)
    assert (row["follow_up_6_jobs_created"], row["follow_up_6_jobs_kept"]) == (1, 0)
    assert (row["follow_up_12_jobs_created"], row["follow_up_12_jobs_kept"]) == (2, 1)
    assert row["follow_up_24_status"] == "due"
    assert row["follow_up_24_active"] is None
    assert expected_pseudonym(world.archived.pk) not in rows  # archived, not merged


def test_pseudonyms_are_stable_across_exports_and_distinct_per_person(
    world: World, client_for: Any
) -> None:
    client = client_for(world.manager)
    first = csv_rows(download(client, convention=world.c1.pk, format="csv"))
    second = xlsx_rows(body(download(client, convention=world.c1.pk, format="xlsx")))[0]
    assert [r["person"] for r in first] == [r["person"] for r in second]
    by_person = {
        r["person"]: {r2["programme_code"] for r2 in first if r2["person"] == r["person"]}
        for r in first
    }
    assert set(by_person) == {
        expected_pseudonym(p.pk) for p in (world.amina, world.youssef, world.omar)
    }
    assert by_person[expected_pseudonym(world.amina.pk)] == {
        world.p1_prog.code,
        world.p2_prog.code,
    }


def test_a_merged_duplicate_gets_the_pseudonym_of_its_survivor(world: World) -> None:
    # An application left on the merged record (a merge moves them; an old import may not).
    apply(world, world.amina_twin, world.p3_prog, date(2025, 3, 2), ApplicationStatus.SUBMITTED)
    rows = [r for _pk, r in research.export_rows(ExportScope(programme=world.p3_prog))]
    assert {r["person"] for r in rows} == {
        expected_pseudonym(world.amina.pk),
        expected_pseudonym(world.youssef.pk),
    }
    assert expected_pseudonym(world.amina_twin.pk) not in {r["person"] for r in rows}


def test_a_person_who_objected_is_left_out(world: World, client_for: Any) -> None:
    Objection.objects.create(person=world.youssef, reason="Ne souhaite pas")
    # An objection recorded on the survivor covers the rows left on the merged record.
    Objection.objects.create(person=world.amina)
    apply(world, world.amina_twin, world.p1_prog, date(2025, 3, 2), ApplicationStatus.SUBMITTED)
    rows = csv_rows(download(client_for(world.manager), convention=world.c1.pk, format="csv"))
    people = {r["person"] for r in rows}
    assert people == {expected_pseudonym(world.omar.pk)}


def test_cells_that_a_spreadsheet_would_run_are_written_as_text(
    world: World, client_for: Any
) -> None:
    world.p1_prog.name_fr = '=HYPERLINK("http://evil.example","x")'
    world.p1_prog.save()
    world.p2_prog.name_fr = "@SUM(A1)"
    world.p2_prog.save()
    client = client_for(world.manager)
    rows = csv_rows(download(client, convention=world.c1.pk, format="csv"))
    names = {r["programme"] for r in rows}
    assert names == {'\'=HYPERLINK("http://evil.example","x")', "'@SUM(A1)"}
    raw = body(download(client, convention=world.c1.pk, format="xlsx"))
    book = load_workbook(io.BytesIO(raw))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    column = header.index("programme") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    assert {c.value for c in cells} == names
    assert {c.data_type for c in cells} == {"s"}
    assert "<f>" not in xlsx_parts(raw)  # no formula anywhere


def test_a_convention_and_a_programme_it_does_not_fund_are_refused_with_the_reason(
    world: World, client_for: Any
) -> None:
    response = download(
        client_for(world.manager), convention=world.c1.pk, programme=world.p3_prog.pk
    )
    assert response.status_code == 400
    assert not response.has_header("Content-Disposition")
    reason = french(
        "The programme %(programme)s is not funded by the convention "
        "%(convention)s: choose one of its programmes, or only one of the two."
    ) % {"programme": world.p3_prog.code, "convention": world.c1.reference}
    assert escape(reason) in response.content.decode()


def test_one_row_per_enrolment_leaves_the_other_applications_out(world: World) -> None:
    rows = [
        r for _pk, r in research.export_rows(ExportScope(convention=world.c1, rows="enrollments"))
    ]
    assert {r["status"] for r in rows} == {"enrolled"}
    assert len(rows) == 3  # Amina twice, Omar


def test_the_number_of_queries_does_not_grow_with_the_rows(world: World) -> None:
    scope = ExportScope(convention=world.c1)
    Pseudonymiser()  # the key is read once, outside what is counted

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            list(research.export_rows(scope, names=Pseudonymiser(KEY.encode())))
        return len(captured)

    few = queries()
    for n in range(30):
        person = make_person(world.c1.owner, first_name=f"N{n}", birth_date=date(1990, 1, 1))
        apply(world, person, world.p2_prog, date(2025, 4, 1), ApplicationStatus.SUBMITTED)
    assert queries() == few


def test_rows_are_read_in_chunks(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = [pk for pk, _r in research.export_rows(ExportScope(convention=world.c1))]
    monkeypatch.setattr(research_rows, "CHUNK", 2)
    assert [pk for pk, _r in research.export_rows(ExportScope(convention=world.c1))] == whole


# --- Who may export what ---------------------------------------------------------------------


def _elsewhere(personas: Personas) -> tuple[Any, Any]:
    """A convention and programme of the other partner, with one applicant."""
    convention = make_convention(personas.other)
    programme = make_programme(personas.other, make_line(convention, personas.other))
    person = make_person(personas.other, first_name="Rachid", birth_date=date(1990, 1, 1))
    Application.objects.create(
        holder=personas.other,
        programme=programme,
        person=person,
        receipt="OTHER-1",
        channel="staff",
        status=ApplicationStatus.SUBMITTED,
        submitted_on=date(2025, 1, 5),
    )
    return convention, programme


EXPORTERS = {Role.ADMIN, Role.PROGRAMME_MANAGER, Role.EVALUATOR}


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_each_role_exports_its_partners_programmes_and_nothing_of_another(
    role: str, world: World, personas: Personas, client_for: Any, api_for: Any
) -> None:
    convention, programme = _elsewhere(personas)
    actor = personas.user(role)
    allowed = role in EXPORTERS
    page = client_for(actor)
    api = api_for(actor)
    own = download(page, programme=world.p1_prog.pk, format="csv")
    own_api = api.get(API, {"programme": world.p1_prog.pk})
    assert own.status_code == (200 if allowed else 404)
    assert own_api.status_code == (200 if allowed else 404)
    if allowed:
        assert len(csv_rows(own)) == 3  # Amina, Youssef, Omar (Salma is archived)
        assert own_api.json()["count"] == 3
    for query in ({"programme": programme.pk}, {"convention": convention.pk}):
        denied = download(page, format="csv", **query)
        assert denied.status_code == 404
        assert not denied.has_header("Content-Disposition")
        assert api.get(API, query).status_code == 404
    dictionary = page.get("/monitoring/export/dictionary.csv")
    assert dictionary.status_code == (200 if allowed else 404)
    index = page.get("/monitoring/")
    if index.status_code == 200:
        assert (PAGE in index.content.decode()) == allowed


def test_a_platform_operator_exports_any_programme(
    world: World, personas: Personas, client_for: Any
) -> None:
    _convention, programme = _elsewhere(personas)
    assert personas.operator is not None
    rows = csv_rows(download(client_for(personas.operator), programme=programme.pk, format="csv"))
    assert len(rows) == 1


def test_an_evaluator_of_a_party_exports_the_whole_convention(
    world: World, personas: Personas, client_for: Any
) -> None:
    """The other partner is party to the convention (a line of its own): its evaluator
    exports every programme the convention funds, not only its own partner's."""
    make_line(world.c1, personas.other, amount="100000")
    evaluator = personas.user(Role.EVALUATOR, "other")
    rows = csv_rows(download(client_for(evaluator), convention=world.c1.pk, format="csv"))
    assert len(rows) == 4
    assert download(client_for(evaluator), convention=world.c2.pk).status_code == 404


def test_nothing_asked_shows_the_form_and_the_dictionary(world: World, client_for: Any) -> None:
    response = client_for(world.manager).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert world.c1.reference in html
    assert world.p1_prog.code in html
    assert "follow_up_24_jobs_kept" in html
    assert Pseudonymiser().fingerprint in html
    empty = client_for(world.manager).get(PAGE, {"format": "csv"})
    assert empty.status_code == 400
    assert not empty.has_header("Content-Disposition")


def test_the_page_in_arabic_is_right_to_left(world: World, client_for: Any) -> None:
    client = client_for(world.manager)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ar"
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "follow_up_6_status" in html  # the column names stay as they are in every language


def test_the_dictionary_alone_as_csv(world: World, client_for: Any) -> None:
    response = client_for(world.manager).get("/monitoring/export/dictionary.csv")
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [line[0] for line in lines[1:]] == [c.name for c in research.columns()]


# --- API -------------------------------------------------------------------------------------


def test_the_api_gives_the_rows_of_the_file_a_page_at_a_time(
    world: World, client_for: Any, api_for: Any
) -> None:
    csv_file = csv_rows(download(client_for(world.manager), convention=world.c1.pk, format="csv"))
    api = api_for(world.manager)
    first = api.get(API, {"convention": world.c1.pk, "page_size": 3}).json()
    assert first["count"] == 4
    assert len(first["results"]) == 3
    assert first["next"] is not None
    second = api.get(first["next"]).json()
    assert second["next"] is None
    rows = first["results"] + second["results"]
    assert [r["person"] for r in rows] == [r["person"] for r in csv_file]
    omar = next(r for r in rows if r["person"] == expected_pseudonym(world.omar.pk))
    assert omar["follow_up_6_active"] is True
    assert omar["hours_attended"] == "3.00"
    assert first["key_fingerprint"] == Pseudonymiser().fingerprint
    assert KEY not in str(first) + str(second)
    beyond = api.get(API, {"convention": world.c1.pk, "page": 9}).json()
    assert beyond["results"] == []
    assert beyond["next"] is None


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"convention": "x"},
        {"programme": "-1"},
        {"programme": "1", "rows": "everything"},
        {"programme": "1", "page_size": "100000"},
        {"convention": str(2**70)},
    ],
)
def test_the_api_refuses_a_bad_query_by_field(
    query: dict[str, str], world: World, api_for: Any
) -> None:
    response = api_for(world.manager).get(API, query)
    assert response.status_code == 400
    assert set(response.json()) <= {"convention", "programme", "rows", "page", "page_size"}


def test_the_openapi_schema_describes_the_export(db: None, client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/research-export"]["get"]
    assert operation["operationId"] == "research_export"
    row = schema["components"]["schemas"]["ResearchExportRow"]["properties"]
    assert set(row) == {c.name for c in research.columns()}
    assert "birth_date" not in row
    assert "cin" not in row


# --- The command -----------------------------------------------------------------------------


def test_the_command_writes_the_same_rows_as_the_page(
    world: World, client_for: Any, tmp_path: Any
) -> None:
    page = csv_rows(download(client_for(world.manager), convention=world.c1.pk, format="csv"))
    output = tmp_path / "evaluation.csv"
    out = io.StringIO()
    call_command(
        "research_export", "--convention", world.c1.reference, "-o", str(output), stdout=out
    )
    assert csv_rows(output.read_bytes()) == page
    assert "4 rows" in out.getvalue()
    assert Pseudonymiser().fingerprint in out.getvalue()
    workbook = tmp_path / "evaluation.xlsx"
    call_command(
        "research_export",
        "--programme",
        world.p1_prog.code,
        "--format",
        "xlsx",
        "-o",
        str(workbook),
        "--verbosity",
        "0",
        stdout=io.StringIO(),
    )
    rows, _dictionary = xlsx_rows(workbook.read_bytes())
    assert len(rows) == 3


def test_the_command_says_what_is_wrong(world: World) -> None:
    with (
        translation.override("en"),
        pytest.raises(CommandError, match="Known: .*" + world.c1.reference),
    ):
        call_command("research_export", "--convention", "NOPE")
    with pytest.raises(CommandError, match="financé"):  # in the --lang asked, French here
        call_command(
            "research_export",
            "--convention",
            world.c1.reference,
            "--programme",
            world.p3_prog.code,
        )
    with pytest.raises(CommandError, match="Choisissez une convention"):
        call_command("research_export")
