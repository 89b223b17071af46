"""RFC 6238 codes computed from a secret, as an authenticator app does (for the tests).

Written here from the RFC rather than taken from django-otp, so that the tests check
django-otp against the standard, not against itself.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import time
from base64 import b32decode


def totp(secret: str, at: float | None = None, *, step: int = 30, digits: int = 6) -> str:
    """The code shown at time ``at`` (Unix seconds) for a base32 secret (spaces allowed)."""
    compact = secret.replace(" ", "").upper()
    key = b32decode(compact + "=" * (-len(compact) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"
