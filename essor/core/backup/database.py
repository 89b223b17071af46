"""The database's side: dbbackup's connectors, the snapshot that is dumped, the staging folder."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dbbackup.db.sqlite import SqliteBackupConnector
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.translation import gettext as _

from essor.core.backup.common import DUMP_FILES, BackupError

# The connector of each vendor: the archive's dump formats are these and no other.
CONNECTORS = {
    "sqlite": "essor.core.backup.SqliteConnector",
    "postgresql": "dbbackup.db.postgresql.PgDumpBinaryConnector",
}


_COPY_ALIAS = "essor_backup_copy"


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
