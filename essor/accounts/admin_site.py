"""The Django admin of essor: one door to sign in, and the second factor when a user has one."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import second_factor


class EssorAdminSite(admin.AdminSite):
    """The admin site, for platform operators (staff).

    Signing in goes through essor's sign-in page, so that wrong passwords are throttled and
    the second step asked there. A user with a second factor reaches the admin only from a
    session confirmed with a code.
    """

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        user = request.user
        return second_factor.is_verified(user) or not second_factor.has_device(user)  # type: ignore[arg-type]

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = index
        user = request.user
        if user.is_authenticated:
            if self.has_permission(request):
                return redirect(next_url)
            if user.is_active and user.is_staff:
                # Signed in before their second factor was set up: sign in again, with a code.
                logout(request)
                messages.warning(
                    request,
                    _("The administration needs your two-step verification: sign in again."),
                )
            else:
                raise Http404
        return redirect_to_login(next_url, reverse("accounts:login"))
