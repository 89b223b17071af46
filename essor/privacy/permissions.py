"""Guards of the privacy pages: a person's requests are answered by a privacy manager of a
partner that holds them (and may so change them); 404 otherwise, as for a missing person."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from essor.accounts.permissions import require
from essor.accounts.roles import Cap

if TYPE_CHECKING:
    from essor.accounts.models import User
    from essor.programmes.models import Programme
    from essor.registry.models import Person


def access_subject(actor: User, pk: int) -> Person:
    """The person whose request ``actor`` answers: ``privacy.manage`` and a partner that may
    change them (the partner holds them; sharing gives reading only)."""
    from essor.registry.permissions import access_person

    require(actor, Cap.PRIVACY_MANAGE)
    return access_person(actor, pk, action="change")


def subjects_of(actor: User) -> object:
    """The persons ``actor`` answers requests for (a queryset)."""
    from essor.registry.models import Person

    if not actor.is_authenticated or not actor.can(Cap.PRIVACY_MANAGE):
        return Person.objects.none()
    return Person.objects.changeable_by(actor)


def access_programme_retention(actor: User, pk: int) -> Programme:
    """A programme whose retention ``actor`` sets: those who may change the programme."""
    from essor.programmes.permissions import access_programme

    if not actor.is_authenticated:
        raise Http404
    return access_programme(actor, pk, action="change")
