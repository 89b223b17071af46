"""``essor backup`` and ``essor restore``: a round trip loses nothing, on the database the tests
run on (SQLite in CI's first pass, PostgreSQL in its second), and an archive that was altered,
is of another database or needs another key is refused before anything changes."""

from __future__ import annotations

import base64
import io
import json
import os
import tarfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from essor.accompaniment.models import Session
from essor.accompaniment.tests.factories import make_session
from essor.conventions.tests.factories import make_convention, make_line, make_programme
from essor.core.backup import DUMP_FILES, row_text, table_stat, table_stats
from essor.core.testing import make_personas
from essor.registry import services as registry_services
from essor.registry.models import Organisation, Person
from essor.registry.tests.factories import make_organisation, make_person
from essor.territory.models import Commune


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The commands speak the active language (French by default): read their English."""
    with translation.override("en"):
        yield


ROUND_TRIP = pytest.mark.django_db(transaction=True, serialized_rollback=True)
LIST_CSV = "cin;nom;prénom\nAB123456;Zahra;Fatima\n"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """MEDIA_ROOT, the staging folder and the default output folder in the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DBBACKUP_TMP_DIR = str(tmp_path / "tmp")
    settings.ESSOR_BACKUP_DIR = tmp_path / "backups"
    upload = settings.MEDIA_ROOT / "imports" / "2026" / "11" / "liste-ccis.csv"
    upload.parent.mkdir(parents=True)
    upload.write_text(LIST_CSV)
    return Path(settings.MEDIA_ROOT)


def populate() -> Person:
    """A little of every app: partners and users, a convention, a line and a programme, a
    person (CIN and phone encrypted at rest) and an organisation, a session of the bus."""
    personas = make_personas()
    convention = make_convention(personas.own)
    make_programme(personas.own, make_line(convention, personas.own))
    make_organisation(personas.own)
    make_session(personas.own, personas.user("counsellor"))
    return make_person(
        personas.own, first_name="Fatima", last_name="Zahra", cin="AB123456", phone="0612345678"
    )


def backup(out: Path) -> Path:
    call_command("backup", "--output", str(out), stdout=io.StringIO())
    return out


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def rewrite(
    archive: Path,
    target: Path,
    *,
    manifest: Callable[[dict[str, Any]], None] = lambda m: None,
    files: dict[str, bytes] | None = None,
) -> Path:
    """A copy of ``archive`` with its manifest edited and some files replaced or added."""
    contents = members(archive)
    data = json.loads(contents["manifest.json"])
    manifest(data)
    contents["manifest.json"] = json.dumps(data).encode()
    contents.update(files or {})
    with tarfile.open(target, "w:gz") as tar:
        for name, body in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return target


# --- Checksums --------------------------------------------------------------------------------


def test_a_rows_canonical_text_is_the_same_whatever_the_database_returned() -> None:
    casablanca = timezone(timedelta(hours=1))
    sqlite_like = (
        Decimal("12.5"),
        datetime(2026, 11, 24, 10, 0, tzinfo=casablanca),
        {"b": 1, "a": [1, 2]},
        UUID("12345678-1234-5678-1234-567812345678"),
        True,
        None,
        "فاطمة",
    )
    postgresql_like = (
        Decimal("12.50"),
        datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
        {"a": [1, 2], "b": 1},
        UUID("12345678-1234-5678-1234-567812345678"),
        True,
        None,
        "فاطمة",
    )
    assert row_text(sqlite_like) == row_text(postgresql_like)
    assert row_text(sqlite_like) == (
        '["12.5","2026-11-24T09:00:00+00:00","{\\"a\\":[1,2],\\"b\\":1}",'
        '"12345678-1234-5678-1234-567812345678",true,null,"فاطمة"]'
    )
    assert row_text((date(2026, 1, 2), timedelta(seconds=1), b"\x00\xff")) == (
        '["2026-01-02","1000000","00ff"]'
    )
    # A value that differs gives another text: 1 is not "1", True is not 1.
    assert row_text((1,)) != row_text(("1",))
    assert row_text((True,)) != row_text((1,))


@pytest.mark.django_db
def test_the_communes_checksum_is_the_same_on_sqlite_and_postgresql() -> None:
    """The communes come from a migration: the same rows on both databases. Their checksum
    (Arabic names, decimal coordinates, dates) is written here once, so that CI's SQLite pass
    and its PostgreSQL pass both compare with the same figure (should the communes' data change
    on purpose, write the new figure here: both passes must then agree on it again)."""
    columns = [f.column for f in Commune._meta.local_concrete_fields]
    stat = table_stat(Commune, columns)
    assert stat["rows"] == Commune.objects.count() > 1500
    assert stat["checksum"] == COMMUNES_CHECKSUM


COMMUNES_CHECKSUM = "fb22801044e3502992e50fcaee89f3228947f1a4c313b8b0f4d1a73b2c592640"


# --- Round trip -------------------------------------------------------------------------------
#
# Each test below backs up and restores the test database for real (pg_dump and pg_restore on
# PostgreSQL): they are few, and each checks several things, to stay fast.


@ROUND_TRIP
def test_backup_then_restore_brings_back_every_row_and_uploaded_file_and_no_key(
    media: Path, tmp_path: Path, settings: Any
) -> None:
    person = populate()
    organisation = Organisation.objects.get()
    organisation_pk = organisation.pk
    # Key files put where they should not be: they are neither archived nor lost by a restore.
    (media / "secret_key").write_text(settings.SECRET_KEY)
    (media / "imports" / "field_key").write_text("a key")
    out = io.StringIO()
    call_command("backup", stdout=out)  # into ESSOR_BACKUP_DIR, under a dated name
    (archive,) = (tmp_path / "backups").iterdir()
    assert f"Backup written to {archive}" in out.getvalue()
    assert archive.name.startswith("essor-")
    assert archive.name.endswith(f"-{connection.vendor}.tar.gz")
    assert archive.stat().st_mode & 0o777 == 0o600  # personal data: for its owner only

    # What the archive holds: the manifest first, the dump, the uploads, and no key.
    dump = DUMP_FILES[connection.vendor]
    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["manifest.json", dump, "media/imports/2026/11/liste-ccis.csv"]
    contents = members(archive)
    manifest = json.loads(contents["manifest.json"])
    before = table_stats()
    assert manifest["tables"] == before  # the manifest describes the very data that was dumped
    assert before["registry_person"]["rows"] == 1
    assert before["accompaniment_session"]["rows"] == Session.objects.count() == 1
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["file"] == dump
    assert manifest["essor_version"] == "0.1.0"
    assert manifest["git_commit"] is None or len(manifest["git_commit"]) == 40
    assert datetime.fromisoformat(manifest["created_at"]) <= datetime.now(UTC)
    assert manifest["media"]["imports/2026/11/liste-ccis.csv"]["bytes"] == len(LIST_CSV.encode())
    field_key = os.environ.get("ESSOR_FIELD_KEY") or (settings.VAR_DIR / "field_key").read_text()
    secrets = [settings.SECRET_KEY.encode(), field_key.strip().encode()]
    secrets.append(base64.b64decode(field_key))
    for name, body in contents.items():
        for secret in secrets:
            assert secret not in body, name
    if connection.vendor == "sqlite":  # (pg_dump's custom format is compressed)
        assert b"Zahra" in contents[dump]
        assert b"AB123456" not in contents[dump]  # the CIN is encrypted at rest

    # Life goes on: a name corrected, an organisation deleted, a person added, files changed.
    registry_services.person_update(actor=None, person=person, first_name="Fatiha")
    organisation.delete()
    make_person(person.registered_by, first_name="Karim", last_name="Idrissi", cin="CD654321")
    (media / "imports" / "2026" / "11" / "liste-ccis.csv").unlink()
    (media / "later.csv").write_text("written after the backup")
    with connection.cursor() as cursor:  # as a newer version's migration would
        cursor.execute("CREATE TABLE essor_later (id integer PRIMARY KEY)")
    changed = table_stats()
    assert changed["registry_person"]["rows"] == 2
    assert changed["registry_organisation"]["rows"] == 0

    out = io.StringIO()
    call_command("restore", str(archive), "--noinput", stdout=out)

    assert "Restored the backup" in out.getvalue()
    assert table_stats() == before
    assert "essor_later" not in connection.introspection.table_names()
    if connection.vendor == "postgresql":  # (SQLite's backup API replaces the whole file)
        assert "Tables that the backup did not have were dropped: essor_later" in out.getvalue()
    restored = Person.objects.get()
    assert (restored.pk, restored.first_name, restored.cin, restored.phone) == (
        person.pk,
        "Fatima",
        "AB123456",
        person.phone,
    )
    assert Organisation.objects.filter(pk=organisation_pk).exists()
    assert (media / "imports" / "2026" / "11" / "liste-ccis.csv").read_text() == LIST_CSV
    assert not (media / "later.csv").exists()
    assert (media / "secret_key").read_text() == settings.SECRET_KEY
    assert (media / "imports" / "field_key").read_text() == "a key"


@ROUND_TRIP
def test_restore_refuses_an_archive_it_cannot_trust_and_fails_loudly_on_a_mismatch(
    media: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = populate()
    archive = backup(tmp_path / "essor.tar.gz")
    dump = DUMP_FILES[connection.vendor]
    later = make_person(person.registered_by, first_name="Karim", last_name="Idrissi")
    upload = media / "imports" / "2026" / "11" / "liste-ccis.csv"
    upload.write_text("changed after the backup")
    other_vendor = "sqlite" if connection.vendor == "postgresql" else "postgresql"

    def set_vendor(m: dict[str, Any]) -> None:
        m["database"]["vendor"] = other_vendor
        m["database"]["file"] = DUMP_FILES[other_vendor]

    def set_key(m: dict[str, Any]) -> None:
        m["field_key_check"] = "e1.another-key"

    corrupted = bytearray(members(archive)[dump])
    corrupted[len(corrupted) // 2] ^= 0xFF
    not_an_archive = tmp_path / "notes.tar.gz"
    not_an_archive.write_text("not an archive")
    cases = {
        "upload changed": (
            rewrite(
                archive, tmp_path / "a.tar.gz", files={f"media/{upload.relative_to(media)}": b"x"}
            ),
            "damaged or was altered",
        ),
        "dump corrupted": (
            rewrite(archive, tmp_path / "b.tar.gz", files={dump: bytes(corrupted)}),
            "damaged or was altered",
        ),
        "file slipped in": (
            rewrite(archive, tmp_path / "c.tar.gz", files={"media/../../evil.py": b"print()"}),
            "damaged or was altered",
        ),
        "other vendor": (
            rewrite(archive, tmp_path / "d.tar.gz", manifest=set_vendor),
            "database and essor runs here on",
        ),
        "other key": (
            rewrite(archive, tmp_path / "e.tar.gz", manifest=set_key),
            "another field key",
        ),
        "not an archive": (not_an_archive, "not a backup made by essor backup"),
        "missing": (tmp_path / "nowhere.tar.gz", "no such file"),
    }
    for case, (path, message) in cases.items():
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(path), "--noinput")
        assert Person.objects.filter(pk=later.pk).exists(), case
        assert upload.read_text() == "changed after the backup", case
    assert not (tmp_path / "evil.py").exists()

    # Asked for confirmation, the operator says no.
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    assert "nothing changed" in out.getvalue()
    assert Person.objects.filter(pk=later.pk).exists()

    # An archive whose manifest does not describe its dump (written by hand, or a bug): the
    # restore runs, then the comparison fails loudly, table by table. The archive comes through
    # a pipe this time (as from gpg --decrypt), and the operator says yes.
    def tamper(m: dict[str, Any]) -> None:
        m["tables"]["registry_person"]["rows"] = 2
        m["tables"]["accounts_partner"]["checksum"] = "0" * 64

    tampered = rewrite(archive, tmp_path / "t.tar.gz", manifest=tamper)
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(tampered.read_bytes())))
    with pytest.raises(CommandError) as raised:
        call_command("restore", "-", stdout=io.StringIO())
    message = str(raised.value)
    assert "does not match the backup's manifest" in message
    assert "registry_person: 1 rows, the backup has 2" in message
    assert "accounts_partner: 2 rows as in the backup, but their content differs" in message
    assert not Person.objects.filter(pk=later.pk).exists()  # it did restore
    assert upload.read_text() == LIST_CSV


@pytest.mark.django_db
def test_backup_and_restore_refuse_a_media_root_that_holds_the_database(
    settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = settings.VAR_DIR
    with pytest.raises(CommandError, match=r"MEDIA_ROOT .* must be a folder of its own"):
        call_command("backup", "--output", str(tmp_path))
    manifest = {
        "app": "essor",
        "format": 1,
        "database": {"vendor": connection.vendor, "file": DUMP_FILES[connection.vendor]},
        "media": {},
        "tables": {},
    }
    archive = tmp_path / "hand-made.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        body = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    with pytest.raises(CommandError, match=r"MEDIA_ROOT .* must be a folder of its own"):
        call_command("restore", str(archive), "--noinput")
    assert list(tmp_path.iterdir()) == [archive]
