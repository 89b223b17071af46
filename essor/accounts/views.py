from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from essor.core.http import EssorRequest

from . import services
from .forms import DeactivateForm, LoginForm, PartnerForm, UserCreateForm, UserForm
from .models import User
from .permissions import access_partner, access_user, can_manage_partner, can_manage_user, require
from .roles import Cap
from .selectors import partner_list, sharing_rules_of, user_list


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


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
    return render(request, "accounts/profile.html", {"token": token})


@login_required
@require_POST
def token_rotate(request: EssorRequest) -> HttpResponse:
    services.api_token_rotate(user=_actor(request))
    messages.success(request, _("A new API token was created; the previous one no longer works."))
    return redirect("accounts:profile")
