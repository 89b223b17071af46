"""Backups: one archive with the database, the uploaded files, and a manifest that proves them.

``essor backup`` writes a gzipped tar archive::

    manifest.json       what the archive holds and how to check it (written first)
    database.sqlite3    SQLite: a consistent copy by SQLite's backup API, taken while essor runs
    database.pgdump     PostgreSQL: ``pg_dump --format=custom`` of an exported snapshot
    media/…             every file under MEDIA_ROOT (the partners' uploaded lists)

The database is dumped and restored by django-dbbackup's connectors (pg_dump / pg_restore; the
SQLite backup API, both ways: see :class:`SqliteConnector`). The manifest gives, for every table,
its row count and a checksum computed from the very snapshot that was dumped (SQLite: read from
the copy; PostgreSQL: in the transaction whose snapshot pg_dump reads), so that ``essor restore``
can prove afterwards that every row came back, and that a file of the archive is the one that
was written (SHA-256 of each).

Neither SECRET_KEY nor the field key (:mod:`essor.core.crypto`) is in an archive: they live in the
environment or under ``var/``, never under MEDIA_ROOT, and key files are skipped should MEDIA_ROOT
be set to hold them. The manifest holds a *key check* (a known text sealed with the field key,
which reveals nothing of the key) so that a restore under another key is refused before it
starts. See ``docs/how-to/backup-and-restore.md`` and ``docs/decisions/0020``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any, TypedDict
from uuid import UUID

from dbbackup.db.exceptions import CommandConnectorError
from dbbackup.db.sqlite import SqliteBackupConnector
from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.sqlite3.creation import DatabaseCreation
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMP_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# The connector of each vendor: the archive's dump formats are these and no other.
CONNECTORS = {
    "sqlite": "essor.core.backup.SqliteConnector",
    "postgresql": "dbbackup.db.postgresql.PgDumpBinaryConnector",
}
# Files that hold keys: never archived, wherever MEDIA_ROOT points.
KEY_FILES = frozenset({"secret_key", "field_key"})
KEY_CHECK_TEXT = "essor backup key check"
KEY_CHECK_KIND = "backup-check"
CHUNK = 2000
MODULUS = 2**256
_COPY_ALIAS = "essor_backup_copy"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


class TableStat(TypedDict):
    rows: int
    checksum: str | None  # None: a table that essor's code does not know, only counted
    columns: list[str]


Manifest = dict[str, Any]


# --- Checksums --------------------------------------------------------------------------------
#
# A table's checksum must not depend on the order in which the database returns rows (SQLite and
# PostgreSQL order text keys by different collations), nor on how a vendor stores a type. Each
# row is turned into a canonical text (the values as the ORM reads them: Decimal, aware datetime,
# JSON…, written one way), hashed with SHA-256, and the row hashes are *added* modulo 2**256: a
# sum does not depend on order, and one changed, missing or extra row changes it.


def canonical(value: object) -> object:
    """A value as JSON text writes it the same way whichever database it was read from."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        # 12.5 and 12.50 are one amount; SQLite and PostgreSQL may give either.
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = value.astimezone(UTC)
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value // timedelta(microseconds=1))
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def row_text(row: Sequence[object]) -> str:
    """The canonical text of one row (its values in the table's column order)."""
    return json.dumps(
        [canonical(value) for value in row], ensure_ascii=False, separators=(",", ":")
    )


def row_digest(row: Sequence[object]) -> int:
    return int.from_bytes(hashlib.sha256(row_text(row).encode()).digest(), "big")


def model_tables() -> dict[str, type[models.Model]]:
    """Every table that essor's code knows, by name, with the model that reads it."""
    tables: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.proxy or not opts.managed or opts.swapped:
            continue
        tables.setdefault(opts.db_table, model)
    recorder_model = MigrationRecorder.Migration
    tables[recorder_model._meta.db_table] = recorder_model
    return dict(sorted(tables.items()))


def _columns(model: type[models.Model]) -> dict[str, models.Field[Any, Any]]:
    return {f.column: f for f in model._meta.local_concrete_fields}


def table_stat(
    model: type[models.Model], columns: Sequence[str], using: str = DEFAULT_DB_ALIAS
) -> TableStat:
    """Row count and checksum of a model's table over ``columns``."""
    fields = _columns(model)
    names = [fields[column].attname for column in columns]
    rows = total = 0
    # The base manager: a default manager may leave rows out (archived ones, for instance).
    query = model._base_manager.using(using).order_by().values_list(*names)
    for row in query.iterator(chunk_size=CHUNK):
        total = (total + row_digest(row)) % MODULUS
        rows += 1
    return {"rows": rows, "checksum": f"{total:064x}", "columns": list(columns)}


def count_rows(table: str, using: str = DEFAULT_DB_ALIAS) -> int:
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        return int(cursor.fetchone()[0])


def table_stats(using: str = DEFAULT_DB_ALIAS) -> dict[str, TableStat]:
    """Row count and checksum of every table in the database.

    A table is read through its model, over the columns that both the model and the database
    have (a migration not applied yet adds none); a table that no model reads (an app removed
    since) is only counted."""
    connection = connections[using]
    known = model_tables()
    stats: dict[str, TableStat] = {}
    quote = connection.ops.quote_name
    described: dict[str, set[str]] = {}
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        for table in tables:
            if table in known:
                # The columns as the database has them (introspection parses SQL: slower).
                cursor.execute(f"SELECT * FROM {quote(table)} WHERE 1 = 0")
                described[table] = {column[0] for column in cursor.description}
    for table in tables:
        model = known.get(table)
        if model is None:
            stats[table] = {"rows": count_rows(table, using), "checksum": None, "columns": []}
            continue
        columns = [column for column in _columns(model) if column in described[table]]
        stats[table] = table_stat(model, columns, using)
    return stats


# --- Database connectors ----------------------------------------------------------------------


class SqliteConnector(SqliteBackupConnector):
    """dbbackup's SQLite connector (the backup API: a consistent copy while essor writes), with
    a restore through the backup API too.

    dbbackup restores by writing the copy over the database file, which breaks a database in
    WAL mode that running workers hold open (their ``-wal`` and ``-shm`` files no longer match)
    and cannot reach an in-memory database. The backup API replaces the pages under SQLite's
    own locks, whatever the journal mode."""

    def restore_dump(self, dump: Any) -> None:
        self.connection.ensure_connection()
        target = self.connection.connection
        path = getattr(dump, "name", None)
        with contextlib.ExitStack() as stack:
            if not (isinstance(path, str) and os.path.isfile(path)):
                copy = stack.enter_context(tempfile.NamedTemporaryFile(suffix=".sqlite3"))
                shutil.copyfileobj(dump, copy)
                copy.flush()
                path = copy.name
            source = sqlite3.connect(_readonly_uri(Path(path)), uri=True)
            try:
                source.backup(target)
            finally:
                source.close()


def _readonly_uri(path: Path) -> str:
    return f"{path.resolve().as_uri()}?mode=ro"


def _connector(vendor: str, using: str = DEFAULT_DB_ALIAS) -> Any:
    from dbbackup import settings as dbbackup_settings
    from dbbackup.db.base import get_connector

    # dbbackup sets its command logger to DEBUG when imported: every pg_dump command line would
    # reach stderr (and cron's mail). A failing command's line is in the error anyway.
    logging.getLogger("dbbackup.command").setLevel(logging.WARNING)
    # pg_dump's output spills to disk there.
    Path(dbbackup_settings.TMP_DIR).mkdir(parents=True, exist_ok=True)
    return get_connector(using, connector_path=CONNECTORS[vendor])


def _vendor(using: str = DEFAULT_DB_ALIAS) -> str:
    vendor = connections[using].vendor
    if vendor not in DUMP_FILES:
        raise BackupError(
            _("essor backs up SQLite and PostgreSQL databases; this one is %(vendor)s.")
            % {"vendor": vendor}
        )
    return vendor


@contextlib.contextmanager
def _sqlite_copy(path: Path) -> Iterator[str]:
    """A read-only connection alias on a copy of the SQLite database, for its checksums.

    The connection is made here rather than declared in DATABASES: it exists for one backup."""
    from django.db.utils import load_backend

    base = connections[DEFAULT_DB_ALIAS].settings_dict
    settings_dict = {**base, "NAME": _readonly_uri(path), "OPTIONS": {}}
    wrapper = load_backend(base["ENGINE"]).DatabaseWrapper(settings_dict, alias=_COPY_ALIAS)
    connections[_COPY_ALIAS] = wrapper
    try:
        yield _COPY_ALIAS
    finally:
        wrapper.close()
        del connections[_COPY_ALIAS]


@contextlib.contextmanager
def _postgresql_snapshot(using: str = DEFAULT_DB_ALIAS) -> Iterator[str]:
    """A read-only transaction whose snapshot pg_dump can share (``--snapshot``)."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError(_("A backup must not run inside a database transaction."))
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        yield str(snapshot)


def work_dir() -> str:
    """Where dumps are staged: DBBACKUP_TMP_DIR (not /tmp, often held in memory)."""
    path = Path(getattr(settings, "DBBACKUP_TMP_DIR", tempfile.gettempdir()))
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


# --- Backup -----------------------------------------------------------------------------------


def _key_check() -> str | None:
    """A known text sealed with the field key: equal under the same key, and nothing more."""
    try:
        from essor.core import crypto
    except ImportError:
        return None
    seal = getattr(crypto, "seal", None)
    if seal is None:
        return None
    try:
        return str(seal(KEY_CHECK_TEXT, KEY_CHECK_KIND))
    except RuntimeError as exc:  # crypto.FieldKeyError
        raise BackupError(
            _("The field key cannot be read (%(error)s): set ESSOR_FIELD_KEY or var/field_key.")
            % {"error": exc}
        ) from exc


def _git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def _essor_version() -> str:
    try:
        return metadata.version("essor")
    except metadata.PackageNotFoundError:
        return "unknown"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_key_file(path: Path) -> bool:
    if path.name in KEY_FILES:
        return True
    var_dir = Path(settings.VAR_DIR)
    resolved = path.resolve()
    return any(resolved == (var_dir / name).resolve() for name in KEY_FILES)


def media_root() -> Path:
    """MEDIA_ROOT, refused if it holds more than uploads: a restore replaces it whole."""
    root = Path(settings.MEDIA_ROOT).resolve()
    held = [Path(settings.VAR_DIR).resolve(), Path(settings.BASE_DIR).resolve()]
    database = connections[DEFAULT_DB_ALIAS]
    name = str(database.settings_dict["NAME"])
    if database.vendor == "sqlite" and not DatabaseCreation.is_in_memory_db(name):
        held.append(Path(name).resolve())
    for path in held:
        if path.is_relative_to(root):
            raise BackupError(
                _(
                    "MEDIA_ROOT (%(root)s) holds %(path)s: it must be a folder of its own, for "
                    "the uploaded files only, since a restore replaces it whole. Set MEDIA_ROOT "
                    "to such a folder (by default var/media) and move the uploads there."
                )
                % {"root": root, "path": path}
            )
    return root


def media_files() -> dict[str, Path]:
    """The files under MEDIA_ROOT by their archive name, key files left out."""
    root = media_root()
    files: dict[str, Path] = {}
    if not root.is_dir():
        return files
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = Path(directory) / name
            if path.is_symlink() or not path.is_file() or _is_key_file(path):
                continue
            files[path.relative_to(root).as_posix()] = path
    return dict(sorted(files.items()))


def _snapshot_facts(using: str) -> dict[str, Any]:
    connection = connections[using]
    applied = MigrationRecorder(connection).applied_migrations()
    latest: dict[str, str] = {}
    for app_label, name in sorted(applied):
        latest[app_label] = name
    return {
        "tables": table_stats(using),
        "migrations": latest,
    }


def _dump(vendor: str, into: Path) -> dict[str, Any]:
    """Dump the database to ``into``; the facts of the snapshot that was dumped."""
    connector = _connector(vendor)
    try:
        if vendor == "postgresql":
            with _postgresql_snapshot() as snapshot:
                connector.dump_suffix = f"--snapshot={snapshot}"
                with into.open("wb") as out:
                    shutil.copyfileobj(connector.create_dump(), out)
                return _snapshot_facts(DEFAULT_DB_ALIAS)
        with into.open("wb") as out:
            shutil.copyfileobj(connector.create_dump(), out)
    except CommandConnectorError as exc:
        raise BackupError(
            _("pg_dump failed; nothing was written. %(error)s") % {"error": exc}
        ) from exc
    with _sqlite_copy(into) as alias:
        return _snapshot_facts(alias)


@dataclass
class Backup:
    manifest: Manifest
    files: list[tuple[str, Path]] = field(default_factory=list)


def taken_on(manifest: Manifest) -> str:
    """When the backup was taken, in local time, for people."""
    created = timezone.localtime(datetime.fromisoformat(manifest["created_at"]))
    return created.strftime("%Y-%m-%d %H:%M:%S %Z")


def archive_name(manifest: Manifest) -> str:
    """``essor-2026-11-25-031500-postgresql.tar.gz``: sorts by date, says the vendor."""
    created = datetime.fromisoformat(manifest["created_at"])
    stamp = timezone.localtime(created).strftime("%Y-%m-%d-%H%M%S")
    return f"essor-{stamp}-{manifest['database']['vendor']}.tar.gz"


@contextlib.contextmanager
def prepare_backup() -> Iterator[Backup]:
    """Dump the database and list the media into a staging folder, removed on exit."""
    vendor = _vendor()
    key_check = _key_check()
    media_root()
    with tempfile.TemporaryDirectory(dir=work_dir(), prefix="essor-backup-") as staging:
        dump = Path(staging) / DUMP_FILES[vendor]
        created_at = timezone.now()
        facts = _dump(vendor, dump)
        media = media_files()
        manifest: Manifest = {
            "format": FORMAT,
            "app": "essor",
            "essor_version": _essor_version(),
            "git_commit": _git_commit(),
            "created_at": created_at.astimezone(UTC).isoformat(),
            "host": socket.gethostname(),
            "database": {
                "vendor": vendor,
                "name": str(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]),
                "file": dump.name,
                "bytes": dump.stat().st_size,
                "sha256": _sha256(dump),
            },
            "media": {
                name: {"bytes": path.stat().st_size, "sha256": _sha256(path)}
                for name, path in media.items()
            },
            "field_key_check": key_check,
            **facts,
        }
        files = [(dump.name, dump)] + [(f"{MEDIA}/{name}", path) for name, path in media.items()]
        yield Backup(manifest=manifest, files=files)


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def write_archive(backup: Backup, out: IO[bytes]) -> None:
    """The archive, streamed (``out`` may be a pipe): the manifest first, then the files."""
    text = json.dumps(backup.manifest, indent=2, ensure_ascii=False).encode()
    with tarfile.open(fileobj=out, mode="w|gz") as tar:
        info = _private(tarfile.TarInfo(MANIFEST))
        info.size = len(text)
        info.mtime = int(timezone.now().timestamp())
        tar.addfile(info, _bytes_io(text))
        for name, path in backup.files:
            tar.add(path, arcname=name, recursive=False, filter=_private)


def _bytes_io(data: bytes) -> IO[bytes]:
    import io

    return io.BytesIO(data)


def backup_to(path: Path) -> tuple[Path, Manifest]:
    """Write a backup to ``path`` (a file, or a folder for a dated name in it), only readable by
    its owner; a half-written archive never bears the final name."""
    with prepare_backup() as backup:
        target = path / archive_name(backup.manifest) if path.is_dir() else path
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                write_archive(backup, out)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return target, backup.manifest


# --- Restore ----------------------------------------------------------------------------------


def _not_a_backup(path: Path | str, why: str) -> BackupError:
    return BackupError(
        _("%(path)s is not a backup made by essor backup: %(why)s.") % {"path": path, "why": why}
    )


def _altered(detail: str) -> BackupError:
    return BackupError(
        _(
            "The archive is damaged or was altered after the backup (%(detail)s). Nothing was "
            "restored: use another copy of this backup, or another backup."
        )
        % {"detail": detail}
    )


def read_manifest(path: Path) -> Manifest:
    """The manifest of an archive, checked to be one that this essor can restore."""
    try:
        with tarfile.open(path, mode="r:*") as tar:
            try:
                member = tar.getmember(MANIFEST)
            except KeyError:
                raise _not_a_backup(path, _("it holds no manifest.json")) from None
            file = tar.extractfile(member)
            if file is None:
                raise _not_a_backup(path, _("its manifest.json is not a file"))
            manifest = json.loads(file.read().decode())
    except (tarfile.TarError, EOFError, OSError) as exc:
        why = _("it is not a readable archive (%(error)s)") % {"error": exc}
        raise _not_a_backup(path, why) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise _not_a_backup(path, _("its manifest.json is not JSON")) from exc
    if not isinstance(manifest, dict) or manifest.get("app") != "essor":
        raise _not_a_backup(path, _("its manifest.json is not essor's"))
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _(
                "This backup has the archive format %(format)s; this essor reads format "
                "%(ours)s. Restore it with the essor version that made it (%(version)s)."
            )
            % {
                "format": manifest.get("format"),
                "ours": FORMAT,
                "version": manifest.get("essor_version", "?"),
            }
        )
    return manifest


def check_restorable(manifest: Manifest) -> None:
    """Refuse, before anything changes, a backup of another database vendor or field key."""
    vendor = _vendor()
    theirs = manifest["database"]["vendor"]
    if theirs != vendor:
        raise BackupError(
            _(
                "This backup is of a %(theirs)s database and essor runs here on %(ours)s: a "
                "backup is restored on the kind of database it was taken from. Set DATABASE_URL "
                "to a %(theirs)s database and restore again. Nothing was restored."
            )
            % {
                "theirs": VENDOR_NAMES.get(theirs, theirs),
                "ours": VENDOR_NAMES[vendor],
            }
        )
    media_root()
    theirs_check = manifest.get("field_key_check")
    if theirs_check and theirs_check != _key_check():
        raise BackupError(
            _(
                "This backup's CINs and phone numbers were encrypted with another field key than "
                "this essor's. Set ESSOR_FIELD_KEY (or var/field_key) to the key in use when the "
                "backup was taken, then restore again. Nothing was restored."
            )
        )


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        bool(name)
        and not path.is_absolute()
        and ".." not in path.parts
        and "" not in name.split("/")
    )


def _extract(path: Path, manifest: Manifest, dump_to: Path, media_to: Path) -> None:
    """Extract the dump and the media, each file checked against the manifest's SHA-256."""
    expected: dict[str, tuple[Path, dict[str, Any]]] = {
        manifest["database"]["file"]: (dump_to, manifest["database"])
    }
    for name, facts in manifest["media"].items():
        if not _safe_name(name):
            raise _altered(_("the file name %(name)s") % {"name": name})
        expected[f"{MEDIA}/{name}"] = (media_to / name, facts)
    seen = set()
    try:
        with tarfile.open(path, mode="r:*") as tar:
            for member in tar:
                if member.name == MANIFEST:
                    continue
                if member.name not in expected or not member.isfile():
                    raise _altered(_("%(name)s is not in its manifest") % {"name": member.name})
                target, facts = expected[member.name]
                source = tar.extractfile(member)
                assert source is not None  # a regular file
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    while block := source.read(1024 * 1024):
                        digest.update(block)
                        out.write(block)
                if digest.hexdigest() != facts["sha256"]:
                    raise _altered(
                        _("%(name)s is not the file that was backed up") % {"name": member.name}
                    )
                seen.add(member.name)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise _altered(str(exc)) from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise _altered(_("%(names)s missing") % {"names": ", ".join(missing)})


def _drop_tables_not_in(manifest: Manifest) -> list[str]:
    """PostgreSQL: drop the tables that the backup did not have (a newer version's), so that
    the database is the backup's and ``essor migrate`` can bring it forward."""
    connection = connections[DEFAULT_DB_ALIAS]
    leftover = sorted(set(connection.introspection.table_names()) - set(manifest["tables"]))
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table in leftover:
            cursor.execute(f"DROP TABLE IF EXISTS {quote(table)} CASCADE")
    return leftover


def _restore_database(vendor: str, dump: Path, manifest: Manifest) -> list[str]:
    connector = _connector(vendor)
    dropped: list[str] = []
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        raise BackupError(_("A restore must not run inside a database transaction."))
    try:
        with dump.open("rb") as file:
            if vendor == "postgresql":
                dropped = _drop_tables_not_in(manifest)
            connector.restore_dump(file)
    except CommandConnectorError as exc:
        raise BackupError(
            _("pg_restore failed, in one transaction: the database is as it was before. %(error)s")
            % {"error": exc}
        ) from exc
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    return dropped


def _restore_media(staged: Path) -> None:
    """Put the backup's files in MEDIA_ROOT's place: files added since the backup go, key files
    (never archived) stay."""
    root = Path(settings.MEDIA_ROOT)
    old = root.with_name(f".{root.name}-before-restore")
    if old.exists():
        shutil.rmtree(old)
    if root.exists():
        os.replace(root, old)
    os.replace(staged, root)
    if old.exists():
        for directory, _dirs, names in os.walk(old):
            for name in names:
                path = Path(directory) / name
                if _is_key_file(path):
                    kept = root / path.relative_to(old)
                    kept.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(path, kept)
        shutil.rmtree(old)


def verify(manifest: Manifest, using: str = DEFAULT_DB_ALIAS) -> tuple[list[str], list[str]]:
    """Compare the database with the manifest: (differences, tables only counted).

    A table whose columns this version of essor does not all know (a backup of another version)
    is counted but not checksummed."""
    connection = connections[using]
    known = model_tables()
    existing = set(connection.introspection.table_names())
    problems: list[str] = []
    counted_only: list[str] = []
    for table, expected in manifest["tables"].items():
        if table not in existing:
            problems.append(_("%(table)s: missing") % {"table": table})
            continue
        model = known.get(table)
        got: TableStat
        if expected["checksum"] is None:
            got = {"rows": count_rows(table, using), "checksum": None, "columns": []}
        elif model is not None and set(expected["columns"]) <= set(_columns(model)):
            got = table_stat(model, expected["columns"], using)
        else:
            counted_only.append(table)
            got = {
                "rows": count_rows(table, using),
                "checksum": expected["checksum"],
                "columns": [],
            }
        if got["rows"] != expected["rows"]:
            problems.append(
                _("%(table)s: %(got)s rows, the backup has %(expected)s")
                % {"table": table, "got": got["rows"], "expected": expected["rows"]}
            )
        elif got["checksum"] != expected["checksum"]:
            problems.append(
                _("%(table)s: %(got)s rows as in the backup, but their content differs")
                % {"table": table, "got": got["rows"]}
            )
    return problems, counted_only


def _pending_migrations() -> int:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


@dataclass
class Restored:
    dropped_tables: list[str]
    counted_only: list[str]
    pending_migrations: int


def restore_from(path: Path, manifest: Manifest) -> Restored:
    """Restore an archive whose manifest was read and checked (:func:`check_restorable`).

    Every file is extracted and checked before the database is touched; after the restore the
    database is compared with the manifest, table by table, and any difference is an error."""
    vendor = _vendor()
    root = media_root()
    root.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(dir=work_dir())))
        # Beside MEDIA_ROOT, so that putting it in place is a rename.
        staged_parent = Path(
            stack.enter_context(
                tempfile.TemporaryDirectory(dir=root.parent, prefix=".essor-restore-")
            )
        )
        staged_media = staged_parent / MEDIA
        staged_media.mkdir()
        dump = work / manifest["database"]["file"]
        _extract(path, manifest, dump, staged_media)
        dropped = _restore_database(vendor, dump, manifest)
        _restore_media(staged_media)
    problems, counted_only = verify(manifest)
    if problems:
        raise BackupError(
            _(
                "The restored database does not match the backup's manifest: %(problems)s. Do "
                "not use this database: restore another backup, and keep this one for "
                "investigation."
            )
            % {"problems": "; ".join(problems)}
        )
    return Restored(dropped, counted_only, _pending_migrations())
