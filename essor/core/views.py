from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.shortcuts import render

from essor.accounts.models import Partner
from essor.accounts.permissions import access_partner, access_user, require
from essor.accounts.roles import Cap
from essor.accounts.selectors import user_list
from essor.conventions.permissions import access_convention
from essor.core.audit import history_of
from essor.core.http import EssorRequest
from essor.funding.permissions import access_commitment
from essor.programmes.permissions import access_application, access_programme
from essor.registry.permissions import access_organisation, access_person
from essor.registry.selectors import registry_counts
from essor.territory.selectors import territory_counts


@login_required
def home(request: EssorRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "territory": territory_counts(),
        "partner_count": Partner.objects.filter(archived_at__isnull=True).count(),
        "colleague_count": user_list(actor=user, partner=user.partner)
        .filter(is_active=True)
        .count()
        if user.partner_id and user.can(Cap.USERS_VIEW)
        else None,
        "registry": registry_counts(actor=user) if user.can(Cap.PERSONAL_VIEW) else None,
    }
    return render(request, "core/home.html", context)


def not_found(request: EssorRequest, exception: Exception | None = None) -> HttpResponse:
    """Missing and forbidden look the same, in the user's language."""
    return render(request, "404.html", status=404)


# Guards for the history page: one per audited object type.
HISTORY_GUARDS: dict[str, Callable[[Any, int], Model]] = {
    "accounts.partner": access_partner,
    "accounts.user": access_user,
    "registry.person": access_person,
    "registry.organisation": access_organisation,
    "conventions.convention": access_convention,
    "programmes.programme": access_programme,
    "programmes.application": lambda user, pk: access_application(user, pk, action="manage"),
    "funding.commitment": access_commitment,
}


@login_required
def history(request: EssorRequest, model: str, pk: int) -> HttpResponse:
    """The audit trail of one record: who changed what, when."""
    user = request.user
    require(user, Cap.HISTORY_VIEW)
    guard = HISTORY_GUARDS.get(model)
    if guard is None:
        raise Http404
    obj: Model = guard(user, pk)
    model_class = apps.get_model(model)
    return render(
        request,
        "core/history.html",
        {
            "object": obj,
            "model_name": model_class._meta.verbose_name,
            "entries": history_of(obj),
        },
    )
