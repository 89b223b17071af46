"""Identifiers encrypted at rest, still searchable: CIN and phone numbers (law 09-08).

A CIN or a phone number is stored as its AES-SIV ciphertext (RFC 5297, from the
``cryptography`` library). AES-SIV is deterministic: the same value under the same key gives the
same ciphertext, so the column is its own blind index. An exact lookup (``cin=``, ``phone__in=``),
the unique constraint on CINs, a join between two encrypted columns of the same kind and a GROUP
BY all work on the ciphertext, and the database never sees a clear value. What it leaks is
equality (two rows with the same CIN), as a keyed blind index would; it does not leak length
classes beyond the value's own length, nor any prefix. Pattern lookups (``startswith``,
``contains``…) are refused: they would need the clear value.

The *kind* ("cin", "phone") is the associated data: a CIN and a phone that happened to share
their digits encrypt differently, and two columns of one kind (a person's CIN, an exclusion
list's CIN) can be compared.

The key (64 bytes, base64) comes from ``ESSOR_FIELD_KEY`` (setting or environment), else from
``var/field_key``, made once with mode 0600, like the secret key. It is not in the database nor
in backups: keep it with them, apart. See ``docs/decisions/0017-identifiers-encrypted-at-rest.md``.
"""

from __future__ import annotations

import base64
import binascii
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver

PREFIX = "e1."  # the format and key generation of a stored value: a new key would be e2.
_SEARCHABLE = frozenset({"exact", "in", "isnull"})


class FieldKeyError(RuntimeError):
    """The field key is missing, malformed, or not the one the data was encrypted with."""


def _key_file() -> Path:
    return Path(settings.VAR_DIR) / "field_key"


def _load_key() -> bytes:
    text = getattr(settings, "ESSOR_FIELD_KEY", "") or os.environ.get("ESSOR_FIELD_KEY", "")
    if not text:
        path = _key_file()
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(base64.b64encode(AESSIV.generate_key(512)).decode())
        text = path.read_text().strip()
    try:
        key = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise FieldKeyError("ESSOR_FIELD_KEY is not base64") from exc
    if len(key) != 64:
        raise FieldKeyError(f"ESSOR_FIELD_KEY must hold 64 bytes, it holds {len(key)}")
    return key


@lru_cache(maxsize=1)
def _cipher() -> AESSIV:
    return AESSIV(_load_key())


@receiver(setting_changed)
def _forget_key(*, setting: str, **kwargs: Any) -> None:
    if setting in {"ESSOR_FIELD_KEY", "VAR_DIR"}:
        _cipher.cache_clear()


def seal(value: str, kind: str) -> str:
    """The stored form of ``value`` (empty stays empty: it says nothing)."""
    if not value:
        return value
    token = _cipher().encrypt(value.encode(), [kind.encode()])
    return PREFIX + base64.urlsafe_b64encode(token).decode().rstrip("=")


def unseal(stored: str, kind: str) -> str:
    """The clear value of a stored one. A value without the prefix is returned as it is."""
    if not stored or not stored.startswith(PREFIX):
        return stored
    body = stored[len(PREFIX) :]
    try:
        token = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return _cipher().decrypt(token, [kind.encode()]).decode()
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise FieldKeyError(
            "A stored identifier does not open with this key: is ESSOR_FIELD_KEY (or "
            "var/field_key) the one the database was written with?"
        ) from exc


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


class EncryptedCharField(models.CharField):
    """A short identifier stored encrypted (see the module). ``max_length`` is the clear value's
    length, as forms and validation see it; the column is wide enough for the ciphertext."""

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    @property
    def stored_length(self) -> int:
        # 16 bytes of tag, up to 4 bytes a character, base64 (4 per 3), and the prefix.
        return len(PREFIX) + -(-(16 + 4 * (self.max_length or 0)) // 3) * 4

    def db_type_parameters(self, connection: Any) -> Any:
        params = super().db_type_parameters(connection)
        params["max_length"] = self.stored_length
        return params

    def cast_db_type(self, connection: Any) -> str | None:
        return self.db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return unseal(value, self.kind)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "" or is_sealed(str(value)):
            return value  # nothing to hide, or already sealed (never sealed twice)
        return seal(str(value), self.kind)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in _SEARCHABLE:
            return None  # Django then says: unsupported lookup for this field
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        return None


def seal_column(
    connection: Any, table: str, column: str, kind: str, *, reverse: bool = False
) -> int:
    """Encrypt (or, ``reverse``, decrypt) every value of one column in place; for migrations.

    Values already in the wanted form are left alone, so that running it twice does nothing."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''"
        )
        rows = cursor.fetchall()
        changes = [
            ((unseal(value, kind) if reverse else seal(value, kind)), pk)
            for pk, value in rows
            if is_sealed(value) == reverse
        ]
        sql = f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s"
        for start in range(0, len(changes), 5000):
            cursor.executemany(sql, changes[start : start + 5000])
    return len(changes)
