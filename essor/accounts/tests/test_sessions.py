"""Sessions end after the idle timeout or the absolute lifetime, with a message.

Time travels by writing the session's clocks in the past, as the hours would have.
"""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from rest_framework.authtoken.models import Token

from essor.accounts import sessions
from essor.accounts.middleware import SessionExpiryMiddleware
from essor.core.testing import PASSWORD, Personas

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
PAGE = "/conventions/"


def _signed_in(personas: Personas) -> Client:
    client = Client()
    answer = client.post(
        LOGIN, {"username": personas.user("programme_manager").username, "password": PASSWORD}
    )
    assert answer.status_code == 302
    return client


def _shift(client: Client, key: str, seconds_ago: float) -> None:
    session = client.session
    session[key] = time.time() - seconds_ago
    session.save()


def test_signing_in_starts_both_clocks(personas: Personas) -> None:
    before = time.time()
    client = _signed_in(personas)
    assert client.session[sessions.SIGNED_IN_AT] >= before
    assert client.session[sessions.LAST_SEEN_AT] >= before


def test_a_session_idle_past_the_timeout_is_signed_out_with_a_message(
    personas: Personas, settings
) -> None:
    settings.ESSOR_SESSION_IDLE_MINUTES = 30
    client = _signed_in(personas)
    _shift(client, sessions.LAST_SEEN_AT, 31 * 60)
    answer = client.get(PAGE)
    assert answer.status_code == 302
    assert answer["Location"] == f"{LOGIN}?next={PAGE}"
    assert "_auth_user_id" not in client.session
    page = client.get(answer["Location"])
    with translation.override("fr"):
        expected = SessionExpiryMiddleware._message("idle")
    assert "30" in expected
    assert escape(expected) in page.content.decode()


def test_a_session_used_within_the_timeout_goes_on(personas: Personas, settings) -> None:
    settings.ESSOR_SESSION_IDLE_MINUTES = 30
    client = _signed_in(personas)
    _shift(client, sessions.LAST_SEEN_AT, 29 * 60)
    assert client.get(PAGE).status_code == 200
    # The request counts as activity: the idle clock starts again.
    assert time.time() - client.session[sessions.LAST_SEEN_AT] < 5


def test_last_seen_is_written_at_most_once_a_minute(personas: Personas) -> None:
    client = _signed_in(personas)
    _shift(client, sessions.LAST_SEEN_AT, 20)
    seen = client.session[sessions.LAST_SEEN_AT]
    client.get(PAGE)
    assert client.session[sessions.LAST_SEEN_AT] == seen


def test_the_absolute_lifetime_ends_even_a_busy_session(personas: Personas, settings) -> None:
    settings.SESSION_COOKIE_AGE = 8 * 3600
    client = _signed_in(personas)
    _shift(client, sessions.SIGNED_IN_AT, 8 * 3600 + 1)
    # Active a second ago: the idle clock alone would let it go on.
    _shift(client, sessions.LAST_SEEN_AT, 1)
    answer = client.get(PAGE)
    assert answer.status_code == 302
    assert answer["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    page = client.get(answer["Location"])
    with translation.override("fr"):
        expected = SessionExpiryMiddleware._message("lifetime")
    assert "8" in expected
    assert escape(expected) in page.content.decode()


def test_an_htmx_request_after_the_timeout_reloads_the_whole_page(
    personas: Personas, settings
) -> None:
    client = _signed_in(personas)
    _shift(client, sessions.LAST_SEEN_AT, settings.ESSOR_SESSION_IDLE_MINUTES * 60 + 1)
    answer = client.get("/registry/persons/?q=a", HTTP_HX_REQUEST="true")
    assert answer.status_code == 204
    assert answer["HX-Redirect"].startswith(f"{LOGIN}?next=")


def test_an_api_call_with_an_expired_session_is_refused(personas: Personas, settings) -> None:
    client = _signed_in(personas)
    assert client.get("/api/v1/me").status_code == 200
    _shift(client, sessions.LAST_SEEN_AT, settings.ESSOR_SESSION_IDLE_MINUTES * 60 + 1)
    assert client.get("/api/v1/me").status_code in (401, 403)


def test_a_form_sent_after_the_timeout_changes_nothing(personas: Personas, settings) -> None:
    client = _signed_in(personas)
    _shift(client, sessions.LAST_SEEN_AT, settings.ESSOR_SESSION_IDLE_MINUTES * 60 + 1)
    profile = reverse("accounts:profile")
    answer = client.post(
        reverse("accounts:token_rotate"), HTTP_REFERER=f"http://testserver{profile}"
    )
    assert answer.status_code == 302
    # Signing in again leads back to the page of the form, not to the form's address.
    assert answer["Location"] == f"{LOGIN}?next=http%3A//testserver{profile}"
    assert not Token.objects.filter(user=personas.user("programme_manager")).exists()
