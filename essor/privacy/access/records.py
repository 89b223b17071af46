"""The records of one person that several sections share, read once, within the user's
partner scope (:class:`_Scope`); the unscoped querysets (``all_*``) let the report count what
other partners hold without reading it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models

from essor.accounts.scoping import ALL, visible_partner_ids

if TYPE_CHECKING:
    from essor.accounts.models import User
    from essor.registry.models import Person


class _Scope:
    """The partners whose records the user reads (own partner and shares), or all."""

    def __init__(self, actor: User) -> None:
        self.ids = visible_partner_ids(actor)

    def within(self, rows: models.QuerySet[Any], holder: str) -> models.QuerySet[Any]:
        return rows if self.ids is ALL else rows.filter(**{f"{holder}__in": self.ids})

    def outside(self, rows: models.QuerySet[Any], holder: str) -> models.QuerySet[Any]:
        return rows.none() if self.ids is ALL else rows.exclude(**{f"{holder}__in": self.ids})


@dataclass
class PersonRecords:
    person: Person
    scope: _Scope
    merged: list[Any]
    memberships: list[Any]
    org_ids: list[int]
    org_holders: dict[int, list[str]]
    person_ids: set[int]
    all_applications: models.QuerySet[Any]
    applications: list[Any]
    app_ids: list[int]
    enrollments: list[Any]
    enrollment_ids: list[int]
    all_participations: models.QuerySet[Any]
    all_commitments: models.QuerySet[Any]
    commitments: list[Any]
    all_diagnostics: models.QuerySet[Any]
    diagnostics: list[Any]
    all_groups: models.QuerySet[Any]

    def applicant(self, row: Any) -> str:
        """The enterprise an application or commitment is for, when not the person's own."""
        return str(row.organisation) if row.person_id != self.person.pk and row.organisation else ""


def gather_records(person: Person, actor: User) -> PersonRecords:
    from essor.accompaniment.models import Diagnostic, Group, Participant
    from essor.funding.models import Commitment
    from essor.programmes.models import Application, Enrollment
    from essor.registry.models import Membership, OrganisationHolding, Person

    scope = _Scope(actor)
    merged = list(Person.objects.filter(merged_into=person).order_by("pk"))
    memberships = list(
        Membership.objects.filter(person=person)
        .select_related("organisation__sector", "organisation__commune")
        .order_by("organisation__name_fr", "pk")
    )
    org_ids = sorted({m.organisation_id for m in memberships})
    org_holders: dict[int, list[str]] = {}
    for holding in OrganisationHolding.objects.filter(organisation_id__in=org_ids).select_related(
        "partner"
    ):
        org_holders.setdefault(holding.organisation_id, []).append(holding.partner.short_label)
    mine = models.Q(person=person) | models.Q(organisation_id__in=org_ids)

    # Applications and what followed them, within the user's partner scope.
    all_applications = Application.objects.filter(mine)
    applications = list(
        scope.within(all_applications, "holder")
        .select_related("programme", "holder", "person", "organisation", "sector")
        .order_by("submitted_on", "pk")
    )
    app_ids = [a.pk for a in applications]
    enrollments = list(
        Enrollment.objects.filter(application_id__in=app_ids)
        .select_related("application__programme")
        .order_by("started_on", "pk")
    )
    enrollment_ids = [e.pk for e in enrollments]
    all_participations = Participant.objects.filter(person=person)
    all_commitments = Commitment.objects.filter(mine)
    commitments = list(
        scope.within(all_commitments, "holder")
        .select_related("programme", "holder", "organisation")
        .order_by("committed_on", "pk")
    )
    all_diagnostics = Diagnostic.objects.filter(organisation_id__in=org_ids)
    diagnostics = list(
        scope.within(all_diagnostics, "holder")
        .select_related("organisation", "holder", "counsellor")
        .order_by("on", "pk")
    )
    all_groups = Group.objects.filter(members__in=org_ids).distinct()
    person_ids = {person.pk, *(p.pk for p in merged)}
    return PersonRecords(
        person=person,
        scope=scope,
        merged=merged,
        memberships=memberships,
        org_ids=org_ids,
        org_holders=org_holders,
        person_ids=person_ids,
        all_applications=all_applications,
        applications=applications,
        app_ids=app_ids,
        enrollments=enrollments,
        enrollment_ids=enrollment_ids,
        all_participations=all_participations,
        all_commitments=all_commitments,
        commitments=commitments,
        all_diagnostics=all_diagnostics,
        diagnostics=diagnostics,
        all_groups=all_groups,
    )
