"""Guards of programmes: read by every signed-in user, changed by the operating partner."""

from __future__ import annotations

from typing import Any, Literal

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


ApplicationAction = Literal["view", "manage", "score"]


def access_application(actor: User, pk: int, *, action: ApplicationAction = "view") -> Any:
    """An application the actor may see; ``manage`` for its partner's staff, ``score`` for an
    evaluator it is assigned to. 404 otherwise, as for a missing one."""
    from .models import Application

    if not actor.is_authenticated:
        raise Http404
    try:
        application = (
            Application.objects.visible_to(actor)
            .select_related("programme__operator", "person__commune", "organisation", "sector")
            .get(pk=pk)
        )
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "manage" and not Application.objects.changeable_by(actor).filter(pk=pk).exists():
        raise Http404
    if action == "score" and not (
        actor.can(Cap.APPLICATIONS_SCORE) and application.evaluators.filter(pk=actor.pk).exists()
    ):
        raise Http404
    return application
