"""Guards of the monitoring app: the scope a dashboard names, a follow-up, who recomputes.

Figures hold no personal data: every role that reads figures sees every scope. A follow-up is
personal data: it is seen by whoever sees its application, and recorded only by the staff of
the partner that holds the application (sharing gives reading, not writing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from essor.accounts.roles import Cap

from .indicators import Scope
from .models import FollowUp

if TYPE_CHECKING:
    from essor.accounts.models import User
    from essor.registry.models import Person


def can_view(actor: User) -> bool:
    return bool(actor.is_authenticated and actor.can(Cap.AGGREGATES_VIEW))


def can_refresh(actor: User) -> bool:
    """Recomputing the figures is work for the programme staff, not for every reader."""
    return bool(
        actor.is_authenticated
        and (actor.can(Cap.CONVENTIONS_MANAGE) or actor.can(Cap.PROGRAMMES_MANAGE))
    )


def access_scope(actor: User, kind: str, key: str) -> Scope:
    """The scope a URL names (404 when missing, or hidden from the actor)."""
    if not can_view(actor):
        raise Http404
    if kind == "national":
        return Scope("national")
    if kind == "region":
        from essor.territory.models import Region

        region = Region.objects.filter(code=key).first()
        if region is None:
            raise Http404
        return Scope("region", region)
    try:
        pk = int(key)
    except ValueError:
        raise Http404 from None
    if kind == "convention":
        from essor.conventions.permissions import access_convention

        return Scope("convention", access_convention(actor, pk))
    if kind == "programme":
        from essor.programmes.permissions import access_programme

        return Scope("programme", access_programme(actor, pk))
    raise Http404


def follow_ups_visible(actor: User) -> QuerySet[FollowUp]:
    """Follow-ups of the applications the actor may see."""
    from essor.programmes.models import Application

    return FollowUp.objects.filter(
        enrollment__application__in=Application.objects.visible_to(actor)
    ).select_related(
        "enrollment__application__person",
        "enrollment__application__organisation",
        "enrollment__application__programme",
    )


def can_record(actor: User, follow_up: FollowUp) -> bool:
    if not actor.can(Cap.PERSONAL_CHANGE):
        return False
    if actor.is_superuser:
        return True
    return bool(follow_up.enrollment.application.holder_id == actor.partner_id)


def access_follow_up(
    actor: User, pk: int, *, action: Literal["view", "record"] = "view"
) -> FollowUp:
    if not actor.is_authenticated or not actor.can(Cap.PERSONAL_VIEW):
        raise Http404
    found = follow_ups_visible(actor).filter(pk=pk).first()
    if found is None or (action == "record" and not can_record(actor, found)):
        raise Http404
    return found


def persons_with_visible_support(
    actor: User, persons: QuerySet[Person], scope: Scope
) -> QuerySet[Person]:
    """Of ``persons``, those the actor sees *and* whose support in the scope they may see: an
    application, an attendance or a commitment of their own partner scope. Seeing a person
    (held by two partners) is not seeing what another partner did with them."""
    from essor.accompaniment.models import Participant, Session
    from essor.funding.models import Commitment
    from essor.programmes.models import Application

    applications = Application.objects.visible_to(actor).filter(person=OuterRef("pk"))
    attended = Participant.objects.filter(
        person=OuterRef("pk"), session__in=Session.objects.visible_to(actor)
    )
    funded = Commitment.objects.visible_to(actor).filter(person=OuterRef("pk"))
    programmes = scope.programme_ids()
    if scope.kind in ("convention", "programme"):
        applications = applications.filter(programme_id__in=programmes)
        attended = attended.filter(session__programme_id__in=programmes)
        funded = funded.filter(programme_id__in=programmes)
    visible: Any = persons
    return visible.visible_to(actor).filter(
        Exists(applications) | Exists(attended) | Exists(funded)
    )
