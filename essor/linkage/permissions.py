"""Who may review duplicates, and what of the other partner's record they see.

Reviewing needs ``registry.merge`` (administrators and data clerks). A pair is in a reviewer's
queue when they may see at least one of its two records: duplicates across partners are the
point of the queue. Deciding (merge, "not the same", undo) changes records: the reviewer's
partner must hold one of the two. The record they may not see is shown masked (initials,
birth year, masked CIN and phone, commune and holders), enough to judge the evidence, not to
read personal data (law 09-08). Forbidden looks like missing (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from essor.accounts.models import User
from essor.accounts.permissions import require
from essor.accounts.roles import Cap
from essor.registry.models import Organisation, Person

from .models import Merge, OrganisationPair, PersonPair, RecordKind


def pairs_visible_to(actor: User, kind: str = RecordKind.PERSON) -> QuerySet[Any]:
    require(actor, Cap.REGISTRY_MERGE)
    if kind == RecordKind.PERSON:
        persons = Person.objects.visible_to(actor).values("pk")
        return PersonPair.objects.filter(Q(left__in=persons) | Q(right__in=persons))
    orgs = Organisation.objects.visible_to(actor).values("pk")
    return OrganisationPair.objects.filter(Q(left__in=orgs) | Q(right__in=orgs))


def access_pair(actor: User, kind: str, pk: int) -> PersonPair | OrganisationPair:
    if kind not in RecordKind.values:
        raise Http404
    try:
        pair: PersonPair | OrganisationPair = (
            pairs_visible_to(actor, kind)
            .select_related("left__commune", "right__commune")
            .get(pk=pk)
        )
    except (PersonPair.DoesNotExist, OrganisationPair.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return pair


def merges_visible_to(actor: User) -> QuerySet[Merge]:
    require(actor, Cap.REGISTRY_MERGE)
    persons = Person.objects.visible_to(actor).values("pk")
    orgs = Organisation.objects.visible_to(actor).values("pk")
    return Merge.objects.filter(
        Q(kind=RecordKind.PERSON, survivor_id__in=persons)
        | Q(kind=RecordKind.ORGANISATION, survivor_id__in=orgs)
    )


def access_merge(actor: User, pk: int) -> Merge:
    try:
        return merges_visible_to(actor).get(pk=pk)
    except (Merge.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_decide(actor: User, kind: str, ids: list[int]) -> bool:
    """Merging, "not the same" and undo change records: the actor's partner must hold one of
    them (a partner that only reads another's records through sharing may not)."""
    model: Any = Person if kind == RecordKind.PERSON else Organisation
    return bool(model.objects.changeable_by(actor).filter(pk__in=ids).exists())


def visible_ids(actor: User, kind: str, ids: list[int]) -> set[int]:
    model: Any = Person if kind == RecordKind.PERSON else Organisation
    return set(model.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
