"""A session's two clocks: signed out after the idle timeout or the absolute lifetime.

Django's session cookie slides: each save pushes its expiry SESSION_COOKIE_AGE further. essor
keeps, in the session itself, when the user signed in and when they were last seen, and
:class:`~essor.accounts.middleware.SessionExpiryMiddleware` signs them out when either clock
runs out: ESSOR_SESSION_IDLE_MINUTES without a request, or SESSION_COOKIE_AGE after signing in
whatever happens. "Last seen" is written at most once a minute, so that a busy user's requests
do not each write their session.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

SIGNED_IN_AT = "essor_signed_in_at"
LAST_SEEN_AT = "essor_last_seen_at"
TOUCH_EVERY_SECONDS = 60

Expiry = Literal["idle", "lifetime"]


def session_started(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Receiver of ``user_logged_in``: both clocks start now."""
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


def idle_seconds() -> int:
    return int(settings.ESSOR_SESSION_IDLE_MINUTES) * 60


def expiry(session: SessionBase, now: float) -> Expiry | None:
    """Which clock ran out, if any. A session without clocks (older) starts them now."""
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen_at = session.get(LAST_SEEN_AT)
    if isinstance(signed_in_at, int | float) and now - signed_in_at > settings.SESSION_COOKIE_AGE:
        return "lifetime"
    if isinstance(last_seen_at, int | float) and now - last_seen_at > idle_seconds():
        return "idle"
    return None


def touch(session: SessionBase, now: float) -> None:
    if not isinstance(session.get(SIGNED_IN_AT), int | float):
        session[SIGNED_IN_AT] = now
    last_seen_at = session.get(LAST_SEEN_AT)
    if not isinstance(last_seen_at, int | float) or now - last_seen_at >= TOUCH_EVERY_SECONDS:
        session[LAST_SEEN_AT] = now
