"""Guards of programmes: read by every signed-in user, changed by the operating partner."""

from __future__ import annotations

from typing import Literal

from django.http import Http404

from essor.accounts.models import User
from essor.accounts.roles import Cap
from essor.conventions.permissions import can_view

from .models import Programme


def can_change_programme(actor: User, programme: Programme) -> bool:
    if not actor.can(Cap.PROGRAMMES_MANAGE):
        return False
    return actor.is_superuser or programme.operator_id == actor.partner_id


def access_programme(
    actor: User, pk: int, *, action: Literal["view", "change"] = "view"
) -> Programme:
    if not can_view(actor):
        raise Http404
    try:
        programme = Programme.objects.select_related("operator").get(pk=pk)
    except (Programme.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "change" and not can_change_programme(actor, programme):
        raise Http404
    return programme
