"""Guards of persons and organisations: visible through a holder in the user's scope."""

from __future__ import annotations

from typing import Literal

from django.http import Http404

from essor.accounts.models import User

from .models import Organisation, Person

Action = Literal["view", "change"]


def access_person(actor: User, pk: int, *, action: Action = "view") -> Person:
    """The person, if the actor may see it (and change it); 404 otherwise, as for a missing one."""
    persons = (
        Person.objects.visible_to(actor)
        if action == "view"
        else Person.objects.changeable_by(actor)
    )
    try:
        return persons.select_related("commune__province", "registered_by").get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_organisation(actor: User, pk: int, *, action: Action = "view") -> Organisation:
    orgs = (
        Organisation.objects.visible_to(actor)
        if action == "view"
        else Organisation.objects.changeable_by(actor)
    )
    try:
        return orgs.select_related("commune__province", "sector", "registered_by").get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
