"""The second factor: a time-based code (TOTP, RFC 6238) from an authenticator app.

Optional for the users who can do most harm with a stolen password: administrators, approvers
of money (``Cap.FUNDING_APPROVE``) and platform operators. A user enrols by scanning a QR code
(or typing the secret) and confirming with a first code; from then on, signing in asks for a
code after the password, and the Django admin requires it. django-otp keeps the device, checks
the codes (a code is accepted once, within one step of 30 seconds either side) and slows down
guessing after each wrong code; wrong codes also count as failed sign-ins for django-axes.
"""

from __future__ import annotations

import re
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_totp.models import TOTPDevice

from essor.core.audit import save_audited

from .models import User
from .roles import Cap, Role

DEVICE_NAME = "essor"


def is_eligible(user: User) -> bool:
    """Administrators, approvers and platform operators may enrol a second factor."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or Role.ADMIN in user.roles or user.can(Cap.FUNDING_APPROVE)


def is_required(user: User) -> bool:
    """With ESSOR_TOTP_REQUIRED_FOR_APPROVERS, an eligible user must enrol before going on."""
    return bool(settings.ESSOR_TOTP_REQUIRED_FOR_APPROVERS) and is_eligible(user)


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_device(user: User) -> bool:
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(user: User) -> bool:
    """True when this session's sign-in was confirmed with a code (django-otp's middleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def pending_device(user: User) -> TOTPDevice:
    """The device being enrolled: its secret is shown until a first code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_of(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The ``otpauth://`` address as an inline SVG QR code, drawn here (no other origin).

    The markup has only presentation attributes (no ``style``), so it passes the
    Content-Security-Policy; its size is set by the page's CSS.
    """
    image = qrcode.make(
        device.config_url,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        border=4,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    svg: str = image.to_string(encoding="unicode")
    svg = re.sub(r'\s(?:width|height)="[^"]*"', "", svg, count=2)
    label = escape(_("QR code to scan with your authenticator app"))
    # The markup is qrcode's own (a path of squares); the only text put in is escaped.
    return mark_safe(svg.replace("<svg ", f'<svg class="qr" role="img" aria-label="{label}" ', 1))


CODE = re.compile(r"^\d{6}$")


def clean_code(value: str) -> str:
    """Six digits, whatever spaces or dashes the user typed between them."""
    code = re.sub(r"[\s-]", "", value or "")
    if not CODE.match(code):
        raise ValidationError(
            _("Type the 6 digits your authenticator app shows (without letters)."), code="format"
        )
    return code


def verify(device: TOTPDevice, code: str) -> None:
    """Accept the code or say why not: wrong, already used, or too many wrong codes in a row.

    django-otp counts the wrong codes on the device and makes the user wait longer after each
    one (1, 2, 4, 8… seconds); a right code resets the count.
    """
    with transaction.atomic():
        # One check at a time per device: two requests cannot both use the same code.
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, details = locked.verify_is_allowed()
        accepted = allowed and locked.verify_token(code)
    # Raised after the transaction, so that the count of wrong codes stays written.
    if accepted:
        return
    if not allowed:
        if details and details.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            until = details.get("locked_until")
            seconds = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
            raise ValidationError(
                _(
                    "Too many wrong codes in a row. Wait %(seconds)s seconds, then type the "
                    "code your app shows at that moment."
                )
                % {"seconds": seconds},
                code="throttled",
            )
        raise ValidationError(_("This code cannot be checked now; try again."), code="denied")
    raise ValidationError(
        _(
            "This code is not the right one, or it was already used. Check that your "
            "phone's clock is right and type the code your app shows now."
        ),
        code="wrong",
    )


def second_factor_confirm(*, request: HttpRequest, user: User, code: str) -> TOTPDevice:
    """Confirm the enrolment with a first code; this session counts as verified."""
    device = pending_device(user)
    verify(device, code)
    with transaction.atomic():
        device.refresh_from_db()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        save_audited(user, actor=user, verb="accounts.user.second_factor_enabled")
    otp_login(request, device)
    return device


def second_factor_disable(*, user: User, code: str) -> None:
    """Remove the second factor; a current code proves the phone is still in hand."""
    device = confirmed_device(user)
    if device is None:
        return
    verify(device, code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        save_audited(user, actor=user, verb="accounts.user.second_factor_disabled")


def second_factor_restart(*, user: User) -> TOTPDevice:
    """A new secret for an enrolment not yet confirmed (the old QR code no longer works)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return pending_device(user)
