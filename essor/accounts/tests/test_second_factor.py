"""Two-step verification: enrolment, the code at sign-in, the admin, and its refusals.

Codes are computed from the secret shown on the enrolment page with the RFC 6238 maths
(``totp.py``), as the user's phone would, and checked by django-otp: no mock.
"""

from __future__ import annotations

import re
import time
from base64 import b32encode
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from essor.accounts.models import User
from essor.core.audit import history_of
from essor.core.testing import PASSWORD, Personas

from .totp import totp

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
CODE_STEP = reverse("accounts:login_code")
SECURITY = reverse("accounts:security")


def _secret_from_page(client: Client) -> str:
    page = client.get(SECURITY)
    assert page.status_code == 200
    found = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page.content.decode())
    assert found, "the enrolment page shows the secret"
    return found.group(1)


def _enrol(client: Client, user: User) -> str:
    """Enrol ``user`` through the page, as a person would; returns the secret."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    secret = _secret_from_page(client)
    answer = client.post(SECURITY, {"action": "confirm", "code": totp(secret)})
    assert answer.status_code == 302
    return secret


def _next_code(secret: str) -> str:
    """The code of the next 30-second step: accepted (one step of tolerance), never a reuse."""
    return totp(secret, time.time() + 30)


def _wait_out_the_throttle(user: User) -> None:
    """As if the user waited the seconds django-otp asks for after a wrong code."""
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)


def _error_codes(response: Any, field: str = "code") -> list[str]:
    form = response.context["form"]
    return [error.code for error in form.errors.as_data()[field]]


def _password_step(client: Client, user: User, **extra: str) -> Any:
    return client.post(LOGIN, {"username": user.username, "password": PASSWORD, **extra})


def test_rfc_6238_codes_of_the_test_helper_match_the_rfc_and_django_otp() -> None:
    # RFC 6238, appendix B: the SHA-1 secret "12345678901234567890" at T=59 gives 94287082.
    secret = b32encode(b"12345678901234567890").decode()
    assert totp(secret, 59, digits=8) == "94287082"
    assert totp(secret, 1111111109, digits=8) == "07081804"
    key = b"12345678901234567890"
    reference = TOTP(key)
    reference.time = 1234567890
    assert totp(secret, 1234567890) == f"{reference.token():06d}"


def test_administrator_enrols_with_a_qr_code_and_a_first_code(personas: Personas, client) -> None:
    admin = personas.user("admin")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(SECURITY)
    content = page.content.decode()
    # The QR code is inline SVG drawn by essor: no image from elsewhere, no style attribute.
    svg = re.search(r"<svg [^>]*class=\"qr\".*?</svg>", content, re.S)
    assert svg is not None
    assert "style=" not in svg.group(0)
    assert "<img" not in content
    secret = _secret_from_page(client)
    device = TOTPDevice.objects.get(user=admin)
    assert device.confirmed is False
    assert secret.replace(" ", "") == b32encode(device.bin_key).decode().rstrip("=")

    wrong = client.post(SECURITY, {"action": "confirm", "code": "000000"})
    assert wrong.status_code == 200
    assert _error_codes(wrong) == ["wrong"]
    with translation.override("fr"):
        message = gettext(
            "This code is not the right one, or it was already used. Check that your "
            "phone's clock is right and type the code your app shows now."
        )
    assert message.replace("'", "&#x27;") in wrong.content.decode()
    assert TOTPDevice.objects.get(user=admin).confirmed is False

    _wait_out_the_throttle(admin)
    done = client.post(SECURITY, {"action": "confirm", "code": totp(secret)}, follow=True)
    assert TOTPDevice.objects.get(user=admin).confirmed is True
    assert done.context["enabled"] is True
    assert history_of(admin)[0].verb == "accounts.user.second_factor_enabled"
    # The secret is not shown any more once confirmed.
    assert secret.replace(" ", "")[:8] not in client.get(SECURITY).content.decode()


def test_letters_in_the_code_are_refused_with_a_message(personas: Personas, client) -> None:
    client.force_login(personas.user("admin"), backend="django.contrib.auth.backends.ModelBackend")
    answer = client.post(SECURITY, {"action": "confirm", "code": "12ab56"})
    assert answer.status_code == 200
    assert _error_codes(answer) == ["format"]


@pytest.mark.parametrize(
    ("role", "eligible"),
    [
        ("admin", True),
        ("programme_manager", True),  # approves commitments (Cap.FUNDING_APPROVE)
        ("counsellor", False),
        ("data_clerk", False),
        ("committee_member", False),
        ("evaluator", False),
    ],
)
def test_only_administrators_and_approvers_see_the_enrolment_page(
    personas: Personas, client, role: str, eligible: bool
) -> None:
    client.force_login(personas.user(role), backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(SECURITY).status_code == (200 if eligible else 404)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert (SECURITY in profile) is eligible


def test_platform_operator_may_enrol(personas: Personas, client) -> None:
    assert personas.operator is not None
    client.force_login(personas.operator, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(SECURITY).status_code == 200


def test_sign_in_asks_the_code_after_the_password(personas: Personas) -> None:
    admin = personas.user("admin")
    secret = _enrol(Client(), admin)

    client = Client()
    first = _password_step(client, admin, next="/conventions/")
    assert first.status_code == 302
    assert first["Location"] == CODE_STEP
    # Not signed in yet: a page asks for the sign-in again.
    assert client.get("/conventions/").status_code == 302
    assert client.get(CODE_STEP).status_code == 200

    # A code already accepted cannot be used again (replay); the next one is.
    device = TOTPDevice.objects.get(user=admin)
    reused = client.post(CODE_STEP, {"code": totp(secret, device.last_t * 30)})
    assert reused.status_code == 200
    assert _error_codes(reused) == ["wrong"]
    assert "_auth_user_id" not in client.session
    _wait_out_the_throttle(admin)
    signed_in = client.post(CODE_STEP, {"code": _next_code(secret)})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/conventions/"
    assert client.session["_auth_user_id"] == str(admin.pk)
    assert client.get("/conventions/").status_code == 200


def test_user_without_a_device_signs_in_in_one_step(personas: Personas, client) -> None:
    manager = personas.user("programme_manager")
    answer = _password_step(client, manager)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("core:home")
    assert client.session["_auth_user_id"] == str(manager.pk)


def test_code_step_without_the_password_step_goes_back_to_sign_in(client) -> None:
    answer = client.post(CODE_STEP, {"code": "123456"})
    assert answer.status_code == 302
    assert answer["Location"] == LOGIN


@override_settings(ESSOR_TOTP_PENDING_SECONDS=0)
def test_code_given_too_late_asks_for_the_password_again(personas: Personas) -> None:
    admin = personas.user("admin")
    secret = _enrol(Client(), admin)
    client = Client()
    _password_step(client, admin)
    time.sleep(0.01)
    answer = client.post(CODE_STEP, {"code": _next_code(secret)}, follow=True)
    assert answer.redirect_chain[-1][0] == LOGIN
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_as_failed_sign_ins_and_lock_out(personas: Personas, settings) -> None:
    admin = personas.user("admin")
    secret = _enrol(Client(), admin)
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    _password_step(client, admin)
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(limit - 1):
        wrong = client.post(CODE_STEP, {"code": f"{attempt:06d}"})
        assert wrong.status_code == 200
        assert _error_codes(wrong) in (["wrong"], ["throttled"])
    locked = client.post(CODE_STEP, {"code": "999999"})
    assert locked.status_code == 429
    assert "Trop de tentatives échouées" in locked.content.decode()
    # The password step is refused too, even with the right password, until the cool-off.
    again = _password_step(client, admin)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    # And the right code no longer opens anything: the second step was dropped.
    _wait_out_the_throttle(admin)
    assert client.post(CODE_STEP, {"code": _next_code(secret)})["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_django_otp_slows_down_guessing_after_a_wrong_code(personas: Personas) -> None:
    admin = personas.user("admin")
    secret = _enrol(Client(), admin)
    client = Client()
    _password_step(client, admin)
    client.post(CODE_STEP, {"code": "000000"})
    # Right away, even the right code waits: the device is throttled for a second or more.
    throttled = client.post(CODE_STEP, {"code": _next_code(secret)})
    assert throttled.status_code == 200
    assert _error_codes(throttled) == ["throttled"]
    assert "_auth_user_id" not in client.session
    _wait_out_the_throttle(admin)
    assert client.post(CODE_STEP, {"code": _next_code(secret)}).status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)


def test_disabling_needs_a_current_code(personas: Personas) -> None:
    admin = personas.user("admin")
    client = Client()
    secret = _enrol(client, admin)
    refused = client.post(SECURITY, {"action": "disable", "code": "000000"})
    assert refused.status_code == 200
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).count() == 1
    _wait_out_the_throttle(admin)
    done = client.post(SECURITY, {"action": "disable", "code": _next_code(secret)})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=admin).exists()
    assert history_of(admin)[0].verb == "accounts.user.second_factor_disabled"
    # Signing in is one step again.
    fresh = Client()
    assert _password_step(fresh, admin)["Location"] == reverse("core:home")


def test_a_new_secret_replaces_the_one_not_yet_confirmed(personas: Personas, client) -> None:
    client.force_login(personas.user("admin"), backend="django.contrib.auth.backends.ModelBackend")
    first = _secret_from_page(client)
    client.post(SECURITY, {"action": "restart"})
    second = _secret_from_page(client)
    assert first != second
    refused = client.post(SECURITY, {"action": "confirm", "code": totp(first)})
    assert refused.status_code == 200
    assert TOTPDevice.objects.filter(confirmed=True).count() == 0


@override_settings(ESSOR_TOTP_REQUIRED_FOR_APPROVERS=True)
def test_required_setting_sends_approvers_without_a_device_to_enrol(
    personas: Personas,
) -> None:
    manager = personas.user("programme_manager")
    client = Client()
    signed_in = _password_step(client, manager)
    assert signed_in["Location"] == SECURITY
    page = client.get("/conventions/")
    assert page.status_code == 302
    assert page["Location"] == SECURITY
    htmx = client.get("/registry/persons/", HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == SECURITY
    api = client.get("/api/v1/me")
    assert api.status_code == 403
    assert client.get(SECURITY).status_code == 200
    # A counsellor approves nothing: not concerned.
    counsellor_client = Client()
    counsellor_client.force_login(
        personas.user("counsellor"), backend="django.contrib.auth.backends.ModelBackend"
    )
    assert counsellor_client.get("/conventions/").status_code == 200
    # Once enrolled, the approver goes on.
    secret = _secret_from_page(client)
    client.post(SECURITY, {"action": "confirm", "code": totp(secret)})
    assert client.get("/conventions/").status_code == 200


def test_admin_requires_the_code_of_an_operator_with_a_device(personas: Personas) -> None:
    operator = personas.operator
    assert operator is not None
    # Without a device, the operator reaches the admin as before.
    plain = Client()
    plain.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    assert plain.get("/admin/").status_code == 200

    secret = _enrol(Client(), operator)
    # A session signed in without the code (here: before the device existed) is refused.
    refused = plain.get("/admin/", follow=True)
    assert refused.redirect_chain[-1][0].startswith(LOGIN)
    assert "_auth_user_id" not in plain.session

    client = Client()
    first = _password_step(client, operator, next="/admin/")
    assert first["Location"] == CODE_STEP
    done = client.post(CODE_STEP, {"code": _next_code(secret)})
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    # Where a lost phone is dealt with: the operator removes a user's device here.
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 200


def test_admin_sign_in_page_is_essors_own(client) -> None:
    answer = client.get("/admin/login/?next=/admin/accounts/user/")
    assert answer.status_code == 302
    assert answer["Location"] == f"{LOGIN}?next=/admin/accounts/user/"
    # Posting a password to the admin's own form does nothing: no sign-in there.
    posted = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert posted.status_code == 302
    assert "_auth_user_id" not in client.session


def test_admin_login_does_not_redirect_elsewhere(personas: Personas, client) -> None:
    assert personas.operator is not None
    client.force_login(personas.operator, backend="django.contrib.auth.backends.ModelBackend")
    answer = client.get("/admin/login/?next=https://evil.example/")
    assert answer["Location"] == "/admin/"
