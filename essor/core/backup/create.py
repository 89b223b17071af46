"""Taking a backup: dump the database, list the media, write the manifest and the archive."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC
from importlib import metadata
from pathlib import Path
from typing import Any

from dbbackup.db.exceptions import CommandConnectorError
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from essor.core.backup.archive import Backup, archive_name, media_files, write_archive
from essor.core.backup.checksums import table_stats
from essor.core.backup.common import (
    DUMP_FILES,
    FORMAT,
    MEDIA,
    BackupError,
    Manifest,
    _key_check,
    media_root,
)
from essor.core.backup.database import (
    _connector,
    _postgresql_snapshot,
    _sqlite_copy,
    _vendor,
    work_dir,
)


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
