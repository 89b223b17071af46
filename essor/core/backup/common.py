"""What taking and restoring a backup share: the archive's names, the error, the key check and
MEDIA_ROOT."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.sqlite3.creation import DatabaseCreation
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMP_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

# Files that hold keys: never archived, wherever MEDIA_ROOT points.
KEY_FILES = frozenset({"secret_key", "field_key"})
KEY_CHECK_TEXT = "essor backup key check"
KEY_CHECK_KIND = "backup-check"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


Manifest = dict[str, Any]


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
