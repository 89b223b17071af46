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

The package, by use case: :mod:`.checksums` (tables' row counts and checksums), :mod:`.database`
(dbbackup's connectors), :mod:`.archive` (the archive and its manifest), :mod:`.create` (taking a
backup) and :mod:`.restore`; :mod:`.common` holds what they share. Import from the package.
"""

from essor.core.backup.archive import (
    Backup,
    archive_name,
    media_files,
    read_manifest,
    taken_on,
    write_archive,
)
from essor.core.backup.checksums import (
    CHUNK,
    MODULUS,
    TableStat,
    canonical,
    count_rows,
    model_tables,
    row_digest,
    row_text,
    table_stat,
    table_stats,
)
from essor.core.backup.common import (
    DUMP_FILES,
    FORMAT,
    KEY_CHECK_KIND,
    KEY_CHECK_TEXT,
    KEY_FILES,
    MANIFEST,
    MEDIA,
    VENDOR_NAMES,
    BackupError,
    Manifest,
    media_root,
)
from essor.core.backup.create import backup_to, prepare_backup
from essor.core.backup.database import CONNECTORS, SqliteConnector, work_dir
from essor.core.backup.restore import Restored, check_restorable, restore_from, verify

__all__ = [
    "CHUNK",
    "CONNECTORS",
    "DUMP_FILES",
    "FORMAT",
    "KEY_CHECK_KIND",
    "KEY_CHECK_TEXT",
    "KEY_FILES",
    "MANIFEST",
    "MEDIA",
    "MODULUS",
    "VENDOR_NAMES",
    "Backup",
    "BackupError",
    "Manifest",
    "Restored",
    "SqliteConnector",
    "TableStat",
    "archive_name",
    "backup_to",
    "canonical",
    "check_restorable",
    "count_rows",
    "media_files",
    "media_root",
    "model_tables",
    "prepare_backup",
    "read_manifest",
    "restore_from",
    "row_digest",
    "row_text",
    "table_stat",
    "table_stats",
    "taken_on",
    "verify",
    "work_dir",
    "write_archive",
]
