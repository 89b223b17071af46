"""Hostile files: oversized uploads, zip bombs dressed as workbooks, files that are not what
their name says, and lists whose every cell is an attack.

A refused file is refused with a message that names the problem, and leaves nothing behind:
no import, no stored file. A zip bomb is refused in a moment, with the memory it takes
bounded, whether it declares its real size or lies about it.
"""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import Workbook

from essor.core.testing import Personas
from essor.registry.importing.jobs import import_job_create, import_job_load, import_job_plan
from essor.registry.importing.reading import FileRefused, read_sheet
from essor.registry.models import ImportJob, ImportStatus, Person

pytestmark = pytest.mark.django_db

INJECTIONS = [
    "'; DROP TABLE registry_person;--",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{{7*7}}",
    "${7*7}",
]
RAW_MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
HEADER = [
    "Nom",
    "Prénom",
    "Nom (arabe)",
    "Prénom (arabe)",
    "Sexe",
    "Date de naissance",
    "CIN",
    "Téléphone",
    "E-mail",
    "Adresse",
    "Commune",
    "Niveau d'études",
]
SHEET_MB = 300  # what the bomb's sheet unpacks to


def _bomb_part(archive: zipfile.ZipFile, megabytes: int) -> bytes:
    """A sheet of ``megabytes`` MB of identical cells (it packs to a few hundred KB); returns
    its first kilobyte."""
    cells = b"<c><v>0</v></c>" * 70_000  # about a megabyte
    with archive.open("xl/worksheets/sheet1.xml", "w") as part:
        for _ in range(megabytes):
            part.write(cells)
    return cells[:1024]


def _workbook_shell(archive: zipfile.ZipFile) -> None:
    archive.writestr("[Content_Types].xml", "<Types/>")
    archive.writestr("xl/workbook.xml", "<workbook/>")


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A tiny .xlsx whose sheet unpacks to hundreds of MB, and says so."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _workbook_shell(archive)
        _bomb_part(archive, SHEET_MB)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def lying_bomb() -> bytes:
    """The same bomb, whose archive declares a sheet of one kilobyte (with that kilobyte's
    checksum): a reader that trusts the declared sizes would open it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _workbook_shell(archive)
        head = _bomb_part(archive, 64)
    data = bytearray(buffer.getvalue())
    crc, size = zlib.crc32(head), len(head)
    name = b"xl/worksheets/sheet1.xml"
    # The local header (PK\3\4) holds CRC, sizes at 14..26; the central one (PK\1\2) at 16..28.
    for signature, crc_at in ((b"PK\x03\x04", 14), (b"PK\x01\x02", 16)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                struct.pack_into("<I", data, start + crc_at, crc)
                struct.pack_into("<I", data, start + crc_at + 8, size)
            start += 4
    return bytes(data)


def _upload(client: Any, name: str, content: bytes) -> Any:
    return client.post(
        reverse("registry:imports"),
        {"kind": "persons", "file": SimpleUploadedFile(name, content)},
    )


def _nothing_saved(media: Path) -> None:
    assert ImportJob.objects.count() == 0
    assert not any(path.is_file() for path in media.rglob("*"))


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- Size ---------------------------------------------------------------------------------------


def test_an_oversized_list_is_refused_on_the_page_and_nothing_is_saved(
    personas: Personas, client_for: Any, settings: Any, media: Path
) -> None:
    settings.ESSOR_MAX_UPLOAD_MB = 1
    client = client_for(personas.user("data_clerk"))
    content = ("Nom;Prénom\n" + "Alaoui;Amina\n" * 100_000).encode()  # 1.3 MB
    response = _upload(client, "liste.csv", content)
    assert response.status_code == 200
    assert "la limite est de 1" in response.content.decode().replace("\xa0", " ")
    _nothing_saved(media)


def test_an_oversized_list_is_refused_by_the_api_and_nothing_is_saved(
    personas: Personas, api_for: Any, settings: Any, media: Path
) -> None:
    settings.ESSOR_MAX_UPLOAD_MB = 1
    api = api_for(personas.user("data_clerk"))
    content = ("Nom;Prénom\n" + "Alaoui;Amina\n" * 100_000).encode()
    response = api.post(
        "/api/v1/imports",
        {"kind": "persons", "file": SimpleUploadedFile("liste.csv", content)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "1 Mo" in response.json()["file"][0].replace("\xa0", " ")
    _nothing_saved(media)


def test_a_form_beyond_djangos_own_limit_gets_a_page_that_says_so(
    personas: Personas, client_for: Any, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    client = client_for(personas.user("data_clerk"))
    response = client.post(
        reverse("registry:person_create"), {"last_name": "Alaoui", "address": "x" * 60_000}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "La requête n'a pas pu être lue" in page or "could not be read" in page
    assert Person.objects.count() == 0


def test_an_api_call_beyond_djangos_own_limit_gets_json_that_says_so(
    personas: Personas, api_for: Any, settings: Any, media: Path
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    api = api_for(personas.user("data_clerk"))
    response = api.post(
        "/api/v1/imports",
        {"kind": "persons", "strict": "x" * 60_000, "file": SimpleUploadedFile("l.csv", b"Nom\nA")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "/imports" in response.json()["detail"]
    _nothing_saved(media)


# --- Zip bombs ----------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_at_once_on_upload(
    personas: Personas, client_for: Any, bomb: bytes, media: Path
) -> None:
    client = client_for(personas.user("data_clerk"))
    started = time.monotonic()
    response = _upload(client, "liste.xlsx", bomb)
    assert time.monotonic() - started < 5
    assert len(bomb) < 2 * 1024 * 1024
    page = response.content.decode().replace("\xa0", " ")
    assert f"{SHEET_MB} Mo" in page  # "would unpack to 300 MB, far more than a list holds"
    _nothing_saved(media)


def test_a_zip_bomb_that_lies_about_its_size_is_refused_before_the_reader_opens_it(
    lying_bomb: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "liste.xlsx"
    path.write_bytes(lying_bomb)
    with zipfile.ZipFile(path) as archive:  # it declares a kilobyte…
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 1024
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(FileRefused, match=r"endommagé|damaged"):
            read_sheet(path)
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 5
    assert peak < 20 * 1024 * 1024  # …and unpacks to 64 MB: never more than a few MB in memory


def test_a_lying_zip_bomb_passes_no_import(
    personas: Personas, lying_bomb: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "liste.xlsx"
    path.write_bytes(lying_bomb)
    with path.open("rb") as handle:
        job = import_job_create(
            actor=None, partner=personas.own, kind="persons", file=File(handle), name=path.name
        )
    job = import_job_plan(job)
    assert job.status == ImportStatus.REFUSED
    assert "endommagé" in job.message
    assert Person.objects.count() == 0


# --- Files that are not what their name says ---------------------------------------------------


def gettext_fr(needle: str) -> str:
    """The French of the message holding ``needle`` (a message not yet translated reads in
    English until it is)."""
    from essor.registry.importing import reading

    with translation.override("fr"):
        return str(reading._not_text()) if needle == "binary data" else needle


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("liste.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "un document PDF"),
        ("liste.csv", PNG, "un document PNG"),
        ("liste.csv", bytes(range(256)) * 64, "binary data"),
        ("liste.csv", b"\x1f\x8b\x08\x00" + bytes(200), "un document GZIP"),
        ("liste.xlsx", _docx(), "n'est pas un classeur Excel"),
        ("liste.xlsx", b"PK\x03\x04 not really a zip", "endommagé"),
        ("liste.csv", b"", "vide"),
    ],
    ids=[
        "pdf-as-xlsx",
        "png-as-csv",
        "binary-csv",
        "gzip-as-csv",
        "docx-as-xlsx",
        "broken",
        "empty",
    ],
)
def test_a_file_that_is_not_a_list_is_refused_with_a_message_naming_the_problem(
    personas: Personas, client_for: Any, media: Path, name: str, content: bytes, message: str
) -> None:
    client = client_for(personas.user("data_clerk"))
    response = _upload(client, name, content)
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    assert message in page or gettext_fr(message) in page
    _nothing_saved(media)


def test_a_workbook_named_csv_is_read_as_the_workbook_it_is(
    personas: Personas, client_for: Any, media: Path
) -> None:
    """The content decides, not the name: the list is imported as the user meant."""
    client = client_for(personas.user("data_clerk"))
    content = _xlsx([["Nom", "Prénom", "CIN"], ["Alaoui", "Amina", "AB123456"]])
    response = _upload(client, "liste.csv", content)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.PLANNED
    assert (job.summary["encoding"], job.summary["create"]) == ("xlsx", 1)


# --- Every cell an attack -----------------------------------------------------------------------


def _hostile_rows() -> list[list[str]]:
    """For each attack, a row with it in every cell (refused: it is no date, no CIN…) and a row
    with it in every name and the address (stored as typed)."""
    rows = []
    for number, payload in enumerate(INJECTIONS):
        rows.append([payload] * len(HEADER))
        rows.append(
            [
                payload,
                payload,
                "",
                "",
                "F",
                "01/01/1990",
                f"AB1{number:05d}",
                "",
                "",
                payload,
                "",
                "",
            ]
        )
    return rows


def _csv(rows: list[list[str]]) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows([HEADER, *rows])
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_attacks_in_every_cell_of_a_list_are_refused_by_row_or_stored_as_typed_and_escaped(
    personas: Personas, client_for: Any, media: Path, kind: str
) -> None:
    clerk = personas.user("data_clerk")
    rows = _hostile_rows()
    content = _csv(rows) if kind == "csv" else _xlsx([HEADER, *rows])
    with io.BytesIO(content) as handle:
        job = import_job_create(
            actor=clerk,
            partner=personas.own,
            kind="persons",
            file=File(handle, name=f"liste.{kind}"),
            name=f"liste.{kind}",
        )
    job = import_job_load(job, actor=clerk)
    assert job.status == ImportStatus.DONE
    actions = [action for _row, action, *_rest in job.outcomes]
    assert actions == ["reject", "create"] * len(INJECTIONS)
    for _row, action, _title, _cells, errors in job.outcomes:
        if action == "reject":  # each refused cell named, with why
            assert {"Sexe", "Date de naissance"} <= {column for column, _message in errors}
    # Stored as typed, and the registry's table still answers.
    assert Person.objects.count() == len(INJECTIONS)
    for payload in INJECTIONS:
        person = Person.objects.get(address=payload)
        assert (person.last_name, person.first_name) == (payload, payload)
    client = client_for(clerk)
    pages = [
        reverse("registry:import", args=[job.pk]),
        reverse("registry:persons"),
        *(reverse("registry:person", args=[p.pk]) for p in Person.objects.all()),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        for markup in RAW_MARKUP:
            assert markup not in html.lower(), url
    listing = client.get(reverse("registry:persons")).content.decode()
    for payload in INJECTIONS:
        assert escape(payload) in listing or escape(payload.upper()) in listing
    report = client.get(reverse("registry:import", args=[job.pk])).content.decode()
    assert escape("<script>alert(1)</script>") in report  # the refused cells, shown escaped
