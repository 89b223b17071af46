"""Signing in: passwords hashed with Argon2, wrong passwords throttled by django-axes."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import check_password, make_password
from django.test import Client, override_settings
from django.urls import reverse

from config.settings import base
from essor.accounts.models import User
from essor.core.testing import PASSWORD, Personas

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def _sign_in(client: Client, username: str, password: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password})


def test_base_settings_put_argon2_first() -> None:
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    # The hashers of older passwords stay, so that they still verify.
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in base.PASSWORD_HASHERS


@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
def test_a_new_password_is_stored_with_argon2(personas: Personas) -> None:
    user = personas.user("counsellor")
    user.set_password("a-new-long-password")
    user.save()
    stored = User.objects.get(pk=user.pk).password
    assert stored.startswith("argon2$argon2id$")
    assert check_password("a-new-long-password", stored)


@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
def test_an_older_pbkdf2_password_signs_in_and_is_upgraded_to_argon2(
    personas: Personas, client
) -> None:
    user = personas.user("data_clerk")
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    assert User.objects.get(pk=user.pk).password.startswith("pbkdf2_sha256$")
    answer = _sign_in(client, user.username, PASSWORD)
    assert answer.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert User.objects.get(pk=user.pk).password.startswith("argon2$")


def test_the_nth_wrong_password_locks_out_with_a_message_in_french(
    personas: Personas, settings
) -> None:
    user = personas.user("counsellor")
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = _sign_in(client, user.username, "not-the-password")
        assert wrong.status_code == 200
        assert "Se connecter" in wrong.content.decode()
    locked = _sign_in(client, user.username, "not-the-password")
    assert locked.status_code == 429
    content = locked.content.decode()
    assert "Trop de tentatives échouées" in content
    assert '<html lang="fr" dir="ltr">' in content
    # Even the right password is refused now, and nobody is signed in.
    right = _sign_in(client, user.username, PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_out_page_speaks_arabic_right_to_left(personas: Personas, settings) -> None:
    user = personas.user("counsellor")
    client = Client(HTTP_ACCEPT_LANGUAGE="ar")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        answer = _sign_in(client, user.username, "not-the-password")
    assert answer.status_code == 429
    content = answer.content.decode()
    assert '<html lang="ar" dir="rtl">' in content
    assert "محاولات فاشلة كثيرة جدا" in content
    # The wait is said in minutes: the cool-off of the settings (15 minutes here).
    assert "15" in content


def test_a_success_before_the_limit_resets_the_count(personas: Personas, settings) -> None:
    user = personas.user("counsellor")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, user.username, "not-the-password")
    assert _sign_in(client, user.username, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    client.post(reverse("accounts:logout"))
    # The count starts again: as many wrong passwords as before do not lock out.
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, user.username, "not-the-password").status_code == 200
    assert _sign_in(client, user.username, PASSWORD).status_code == 302


def test_lock_out_is_per_user_name_and_address(personas: Personas, settings) -> None:
    victim = personas.user("counsellor")
    attacker = Client(REMOTE_ADDR="10.0.0.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(attacker, victim.username, "guess")
    # The same user from their own office's address still signs in.
    office = Client(REMOTE_ADDR="10.0.0.7")
    assert _sign_in(office, victim.username, PASSWORD).status_code == 302


def test_admin_sign_in_goes_through_the_throttled_page(personas: Personas, settings) -> None:
    assert personas.operator is not None
    client = Client()
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert client.get("/admin/login/")["Location"].startswith(LOGIN)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        answer = client.post(
            f"{LOGIN}?next=/admin/",
            {"username": personas.operator.username, "password": "guess"},
        )
    assert answer.status_code == 429
    assert (
        client.post(
            f"{LOGIN}?next=/admin/",
            {"username": personas.operator.username, "password": PASSWORD},
        ).status_code
        == 429
    )


def test_api_has_no_password_endpoint_to_guess_on(personas: Personas) -> None:
    """The API takes a token made on the account page, never a password."""
    from rest_framework.test import APIClient

    api = APIClient()
    answer = api.post(
        "/api/v1/me", {"username": personas.user("admin").username, "password": PASSWORD}
    )
    assert answer.status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Basic {personas.user('admin').username}:{PASSWORD}")
    assert api.get("/api/v1/me").status_code == 401
