"""Middleware of the sign-in: security headers, session expiry, an enforced second factor."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import second_factor, sessions

Handler = Callable[[HttpRequest], HttpResponseBase]


@cache
def _relaxed_prefixes() -> tuple[tuple[str, dict[str, list[str]]], ...]:
    """Pages that essor does not write, and what their markup needs beyond the policy.

    Scripts are never relaxed: these pages too run only the scripts served by essor.
    - The Django admin: a ``<style>`` in the change list and a ``style`` attribute in
      simple-history's page (operators only; everything else of the admin passes).
    - The API docs (Swagger UI, served from the sidecar, its initialiser as a file): its page
      has a ``<style>``, the app sets styles inline and draws its icons as ``data:`` images.
    """
    return (
        (reverse("admin:index"), {"style-src": ["'unsafe-inline'"]}),
        (reverse("api-docs"), {"style-src": ["'unsafe-inline'"], "img-src": ["data:"]}),
    )


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the narrow relaxations of :func:`_relaxed_prefixes`."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        for prefix, extra in _relaxed_prefixes():
            if request.path_info.startswith(prefix):
                parts.update = {**(parts.update or {}), **extra}
                break
        return parts


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _go_to(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that htmx follows as a whole page (a partial would land inside the page)."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class SessionExpiryMiddleware:
    """Signs out a session whose idle timeout or absolute lifetime has run out.

    The page says why and asks to sign in again, then comes back to the page asked for, or
    to the page a form was sent from (the form is not sent: what was typed in it is lost, as
    with any expired session). An API call with an expired session is answered as a call
    without one.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session = request.session
        if SESSION_KEY in session:
            now = time.time()
            ran_out = sessions.expiry(session, now)
            if ran_out is not None:
                logout(request)
                if not _is_api(request):
                    messages.warning(request, self._message(ran_out))
                    return _go_to(request, redirect_to_login(self._back_to(request))["Location"])
            else:
                sessions.touch(session, now)
        return self.get_response(request)

    @staticmethod
    def _back_to(request: HttpRequest) -> str:
        """After signing in again: the page asked for, or the page a form was sent from."""
        if request.method == "GET" and not request.headers.get("HX-Request"):
            return request.get_full_path()
        referer = request.headers.get("Referer", "")
        if url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return referer
        return resolve_url(settings.LOGIN_REDIRECT_URL)

    @staticmethod
    def _message(ran_out: sessions.Expiry) -> str:
        if ran_out == "idle":
            minutes = sessions.idle_seconds() // 60
            return ngettext(
                "You were signed out after %(minutes)s minute without activity. Sign in again "
                "to go on.",
                "You were signed out after %(minutes)s minutes without activity. Sign in again "
                "to go on.",
                minutes,
            ) % {"minutes": minutes}
        hours = max(1, round(settings.SESSION_COOKIE_AGE / 3600))
        return ngettext(
            "Your session ended %(hours)s hour after you signed in. Sign in again to go on.",
            "Your session ended %(hours)s hours after you signed in. Sign in again to go on.",
            hours,
        ) % {"hours": hours}


class SecondFactorRequiredMiddleware:
    """With ESSOR_TOTP_REQUIRED_FOR_APPROVERS, an approver without a device enrols first.

    Only the enrolment page, signing out and the language switch stay open to them. API calls
    with a token are not concerned: a token is created by a signed-in user and is revoked on
    their account page.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if (
            settings.ESSOR_TOTP_REQUIRED_FOR_APPROVERS
            and SESSION_KEY in request.session
            and not self._open(request.path_info)
        ):
            user = request.user
            if second_factor.is_required(user) and not second_factor.has_device(user):  # type: ignore[arg-type]
                message = _(
                    "Your roles let you approve money or manage users: set up the two-step "
                    "verification before going on."
                )
                if _is_api(request):
                    return JsonResponse({"detail": message}, status=403)
                messages.warning(request, message)
                return _go_to(request, reverse("accounts:security"))
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        return path in {
            reverse("accounts:security"),
            reverse("accounts:logout"),
            reverse("set_language"),
        }
