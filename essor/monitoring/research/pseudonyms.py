"""What stands in for identity in an export: keyed pseudonyms, ages in bands, months."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_ENV = "ESSOR_PSEUDONYM_KEY"
KEY_FILE_NAME = "pseudonym_key"
MIN_KEY_LENGTH = 32


def key_file() -> Path:
    return Path(settings.VAR_DIR) / KEY_FILE_NAME


def pseudonym_key() -> bytes:
    """The secret key of the pseudonyms: ``ESSOR_PSEUDONYM_KEY``, else ``VAR_DIR/pseudonym_key``.

    The file is written once, readable by its owner only, and never replaced: replacing it
    changes every pseudonym. Two workers starting at once write one key between them (the file
    appears whole, by a hard link, or not at all).
    """
    if value := os.environ.get(KEY_ENV, "").strip():
        if len(value) < MIN_KEY_LENGTH:
            raise ImproperlyConfigured(
                f"{KEY_ENV} is too short: give at least {MIN_KEY_LENGTH} random characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )
        return value.encode()
    path = key_file()
    if not path.exists():
        draft = path.with_name(f".{KEY_FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another worker wrote it first: theirs is the key
        finally:
            draft.unlink()
    value = path.read_text().strip()
    if len(value) < MIN_KEY_LENGTH:
        raise ImproperlyConfigured(
            f"{path} holds no usable key (fewer than {MIN_KEY_LENGTH} characters): restore it "
            "from the backup, or delete it to start new pseudonyms."
        )
    return value.encode()


class Pseudonymiser:
    """Stable pseudonyms of persons and organisations under one key.

    ``P-`` or ``O-`` and the first 16 hexadecimal digits (64 bits) of HMAC-SHA256 over the kind
    and the id: a collision among a million records has odds of about 1 in 40 million, and the
    kind in the message keeps a person and an organisation with the same id apart.
    """

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key is not None else pseudonym_key()

    def _digest(self, kind: bytes, pk: int) -> str:
        message = kind + b":" + str(int(pk)).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:16].upper()

    def person(self, pk: int | None) -> str:
        return "" if pk is None else "P-" + self._digest(b"person", pk)

    def organisation(self, pk: int | None) -> str:
        return "" if pk is None else "O-" + self._digest(b"organisation", pk)

    @property
    def fingerprint(self) -> str:
        """Names the key without revealing it: two files with the same fingerprint share
        pseudonyms; a different one means the key was changed."""
        return hmac.new(self._key, b"essor:key-fingerprint", hashlib.sha256).hexdigest()[:8]


# --- Ages in bands ---------------------------------------------------------------------------

# Every band of the dashboards (indicators.AGE_BANDS) and the 18-35 "young" range are unions of
# these, so that an evaluator cuts the file where the pages cut it; 25-35 is split at 30 (the
# age rules of youth programmes); no band is narrower than five years.
# The age is the exact age on the day of the application (the dashboards count year minus
# birth year): a file's "18-35" can differ from the page's by the holders near a birthday.
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("<18", 0, 17),
    ("18-24", 18, 24),
    ("25-29", 25, 29),
    ("30-35", 30, 35),
    ("36-45", 36, 45),
    ("46-60", 46, 60),
    ("61+", 61, None),
)


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def age_band(birth_date: date | None, on: date) -> str:
    """The band of the age reached on ``on`` (a birthday counts from its day); "" if unknown."""
    if birth_date is None or birth_date > on:
        return ""
    age = age_on(birth_date, on)
    for label, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    return ""  # pragma: no cover - the bands cover every age from 0


def month(value: date | None) -> str:
    return value.strftime("%Y-%m") if value else ""
