"""Restoring a backup: check the archive, extract it, replace the database and the media, and
prove that every row came back."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from dbbackup.db.exceptions import CommandConnectorError
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from essor.core.backup.checksums import TableStat, _columns, count_rows, model_tables, table_stat
from essor.core.backup.common import (
    MANIFEST,
    MEDIA,
    VENDOR_NAMES,
    BackupError,
    Manifest,
    _is_key_file,
    _key_check,
    media_root,
)
from essor.core.backup.database import _connector, _vendor, work_dir


def _altered(detail: str) -> BackupError:
    return BackupError(
        _(
            "The archive is damaged or was altered after the backup (%(detail)s). Nothing was "
            "restored: use another copy of this backup, or another backup."
        )
        % {"detail": detail}
    )


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
