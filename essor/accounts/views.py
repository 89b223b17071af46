from __future__ import annotations

import time
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from essor.core.http import EssorRequest

from . import second_factor, services
from .forms import CodeForm, DeactivateForm, LoginForm, PartnerForm, UserCreateForm, UserForm
from .models import User
from .permissions import access_partner, access_user, can_manage_partner, can_manage_user, require
from .roles import Cap
from .selectors import partner_list, sharing_rules_of, user_list

# The first step's outcome, while the code is asked: who, through which backend, where next.
SECOND_STEP = "essor_second_step"


class LoginView(auth_views.LoginView):
    """Sign in: user name and password, then a code for users with a second factor.

    django-axes counts the wrong passwords (AxesStandaloneBackend refuses a locked-out user
    before checking the password); :func:`login_code` counts wrong codes the same way.
    """

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        user: User = form.get_user()
        if second_factor.has_device(user):
            self.request.session[SECOND_STEP] = {
                "user": user.pk,
                "backend": getattr(user, "backend", None),
                "at": time.time(),
                "next": self.get_success_url(),
            }
            return redirect("accounts:login_code")
        response = super().form_valid(form)
        if second_factor.is_required(user):
            return redirect("accounts:security")
        return response


def _second_step(request: HttpRequest) -> tuple[User, str | None, str] | None:
    """The user who gave the right password a moment ago, if they still may give a code."""
    pending = request.session.get(SECOND_STEP)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > settings.ESSOR_TOTP_PENDING_SECONDS:
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    return user, pending.get("backend"), str(pending.get("next") or "/")


@never_cache
def login_code(request: HttpRequest) -> HttpResponseBase:
    """The second step of signing in: the code of the user's authenticator app."""
    pending = _second_step(request)
    if pending is None:
        if request.session.pop(SECOND_STEP, None) is not None:
            messages.warning(request, _("The code was not given in time: sign in again."))
        return redirect("accounts:login")
    user, backend, next_url = pending
    device = second_factor.confirmed_device(user)
    if device is None:
        request.session.pop(SECOND_STEP, None)
        return redirect("accounts:login")
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        request.session.pop(SECOND_STEP, None)
        return locked_out(request, None, credentials)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.verify(device, form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
            # A wrong code is a failed sign-in: at the limit, django-axes's middleware answers
            # with the lock-out page instead of this one.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                request.session.pop(SECOND_STEP, None)
        else:
            request.session.pop(SECOND_STEP, None)
            auth_login(request, user, backend=backend)
            otp_login(request, device)
            return redirect(next_url)
    return render(request, "accounts/login_code.html", {"form": form, "pending_user": user})


def locked_out(
    request: HttpRequest,
    original_response: HttpResponseBase | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes's answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE): 429 and when."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its page's token (expired page, or sent from another site)."""
    return render(request, "accounts/csrf_failure.html", status=403)


def _actor(request: EssorRequest) -> User:
    return request.user


@login_required
def partners(request: EssorRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    context = {"partners": partner_list(actor=_actor(request), query=query), "query": query}
    template = "accounts/partials/_partner_rows.html" if request.htmx else "accounts/partners.html"
    return render(request, template, context)


@login_required
def partner_detail(request: EssorRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    partner = access_partner(actor, pk)
    can_see_users = actor.is_superuser or (
        actor.can(Cap.USERS_VIEW) and actor.partner_id == partner.pk
    )
    return render(
        request,
        "accounts/partner_detail.html",
        {
            "partner": partner,
            "users": user_list(actor=actor, partner=partner) if can_see_users else None,
            "sharing_rules": sharing_rules_of(partner=partner)
            if actor.partner_id == partner.pk or actor.is_superuser
            else None,
            "can_edit": can_manage_partner(actor, partner),
        },
    )


@login_required
def partner_edit(request: EssorRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    partner = access_partner(actor, pk, action="change")
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        services.partner_update(actor=actor, partner=partner, **form.cleaned_data)
        messages.success(request, _("The partner's details are saved."))
        return redirect("accounts:partner", pk=partner.pk)
    return render(request, "accounts/partner_form.html", {"partner": partner, "form": form})


@login_required
def users(request: EssorRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Cap.USERS_VIEW)
    return render(
        request,
        "accounts/users.html",
        {"users": user_list(actor=actor), "can_manage": actor.can(Cap.USERS_MANAGE)},
    )


@login_required
def user_detail(request: EssorRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    user = access_user(actor, pk)
    return render(
        request,
        "accounts/user_detail.html",
        {"subject": user, "can_manage": can_manage_user(actor, user) and user.pk != actor.pk},
    )


@login_required
def user_create(request: EssorRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Cap.USERS_MANAGE)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and actor.partner is not None:
        data = form.cleaned_data
        user = services.user_create(
            actor=actor,
            partner=actor.partner,
            username=data["username"],
            password=data["password"],
            roles=data["roles"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            preferred_language=data["preferred_language"],
        )
        messages.success(request, _("User %(name)s created.") % {"name": user})
        return redirect("accounts:user", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "subject": None})


@login_required
def user_edit(request: EssorRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    user = access_user(actor, pk, action="change")
    form = UserForm(request.POST or None, instance=user, initial={"roles": sorted(user.roles)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                actor=actor,
                user=user,
                roles=data["roles"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                preferred_language=data["preferred_language"],
            )
        except ValidationError as error:
            form.add_error("roles", error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:user", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "subject": user})


@login_required
def user_deactivate(request: EssorRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    user = access_user(actor, pk, action="change")
    form = DeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and user.pk != actor.pk:
        services.user_deactivate(actor=actor, user=user, reason=form.cleaned_data["reason"])
        messages.success(request, _("%(name)s can no longer sign in.") % {"name": user})
        return redirect("accounts:user", pk=user.pk)
    return render(request, "accounts/user_deactivate.html", {"form": form, "subject": user})


@login_required
def profile(request: EssorRequest) -> HttpResponse:
    actor = _actor(request)
    token = getattr(actor, "auth_token", None)
    eligible = second_factor.is_eligible(actor)
    return render(
        request,
        "accounts/profile.html",
        {
            "token": token,
            "second_factor_eligible": eligible,
            "second_factor_enabled": eligible and second_factor.has_device(actor),
        },
    )


@login_required
@never_cache
def security(request: EssorRequest) -> HttpResponse:
    """Two-step verification: enrol (QR code, secret, a first code), or turn it off."""
    actor = _actor(request)
    if not second_factor.is_eligible(actor):
        raise Http404
    action = request.POST.get("action", "")
    device = second_factor.confirmed_device(actor)
    if device is not None:
        form = CodeForm(request.POST if action == "disable" else None)
        if action == "disable" and form.is_valid():
            try:
                second_factor.second_factor_disable(user=actor, code=form.cleaned_data["code"])
            except ValidationError as error:
                form.add_error("code", error)
            else:
                messages.success(request, _("Two-step verification is off."))
                return redirect("accounts:security")
        return render(
            request, "accounts/security.html", {"device": device, "form": form, "enabled": True}
        )
    if action == "restart":
        second_factor.second_factor_restart(user=actor)
        messages.info(request, _("A new secret was made: scan the new QR code."))
        return redirect("accounts:security")
    pending = second_factor.pending_device(actor)
    form = CodeForm(request.POST if action == "confirm" else None)
    if action == "confirm" and form.is_valid():
        try:
            second_factor.second_factor_confirm(
                request=request, user=actor, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            messages.success(
                request,
                _("Two-step verification is on: from now on, signing in asks for a code."),
            )
            return redirect("accounts:security")
    return render(
        request,
        "accounts/security.html",
        {
            "enabled": False,
            "form": form,
            "qr_svg": second_factor.qr_svg(pending),
            "secret": second_factor.secret_of(pending),
            "required": second_factor.is_required(actor),
        },
    )


@login_required
@require_POST
def token_rotate(request: EssorRequest) -> HttpResponse:
    services.api_token_rotate(user=_actor(request))
    messages.success(request, _("A new API token was created; the previous one no longer works."))
    return redirect("accounts:profile")
