"""Guards: the only way a view or an endpoint reaches a partner or a user.

A guard returns the object or raises ``Http404``: "forbidden" looks like "missing", so that a
user of one partner cannot learn which users another partner has.
"""

from __future__ import annotations

from typing import Literal

from django.http import Http404

from .models import Partner, User
from .roles import Cap

Action = Literal["view", "change"]


def require(actor: User, capability: str) -> None:
    """Raise 404 unless the actor holds the capability (pages that are not about one object)."""
    if not actor.is_authenticated or not actor.can(capability):
        raise Http404


def users_visible_to(actor: User) -> set[int] | None:
    """Partners whose users the actor may see; ``None`` for all (platform operators)."""
    if actor.is_superuser:
        return None
    if actor.can(Cap.USERS_VIEW) and actor.partner_id:
        return {actor.partner_id}
    return set()


def can_manage_user(actor: User, user: User) -> bool:
    if actor.is_superuser:
        return True
    return (
        actor.can(Cap.USERS_MANAGE)
        and actor.partner_id is not None
        and user.partner_id == actor.partner_id
        and not user.is_superuser
    )


def can_manage_partner(actor: User, partner: Partner) -> bool:
    if actor.can(Cap.PARTNER_MANAGE_ALL):
        return True
    return actor.can(Cap.PARTNER_MANAGE_OWN) and actor.partner_id == partner.pk


def access_user(actor: User, pk: int, *, action: Action = "view") -> User:
    try:
        user = User.objects.select_related("partner").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if user.pk == actor.pk and action == "view":
        return user
    visible = users_visible_to(actor)
    if visible is not None and user.partner_id not in visible:
        raise Http404
    if action == "change" and not can_manage_user(actor, user):
        raise Http404
    return user


def access_partner(actor: User, pk: int, *, action: Action = "view") -> Partner:
    """Partners are public to every signed-in user; changing one needs the right role."""
    if not actor.is_authenticated:
        raise Http404
    try:
        partner = Partner.objects.select_related("region").get(pk=pk)
    except (Partner.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "change" and not can_manage_partner(actor, partner):
        raise Http404
    return partner
