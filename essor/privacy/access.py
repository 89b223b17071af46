"""The right of access (law 09-08, article 7): everything essor holds on one person.

:func:`access_report` gathers it in one structure, in the active language; the page, the
JSON (:func:`report_json`) and the PDF (:func:`report_pdf`) are three views of it, so that
they say the same. It covers every model that points at a person or at the organisations
they are a member of (:data:`COVERED`), their audit trail, and says for the others why they
are left out (:data:`EXCLUDED`); a test walks the app registry and fails when a new model is
in neither.

Partner isolation holds here too: the records of the partners in the user's scope are given in
full; those held by other partners are counted by partner (:attr:`AccessReport.elsewhere`), so
that the person knows whom else to ask, without this partner reading them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from essor.accounts.scoping import ALL, visible_partner_ids
from essor.core.audit import history_of

from .models import AccessLogEntry, Anonymisation, Objection

if TYPE_CHECKING:
    from essor.accounts.models import User
    from essor.registry.models import Person

# Column kinds: how the page and the PDF show a value (the JSON keeps it as data).
TEXT, DATE, DATETIME, MONEY, BOOL, NUMBER = "text", "date", "datetime", "money", "bool", "number"

# Every model that holds data on a person (or on an organisation they are a member of), and
# the section of the report that gives it.
COVERED: dict[str, str] = {
    "registry.Person": "identity",
    "registry.PersonHolding": "holders",
    "registry.Consent": "consents",
    "registry.Membership": "organisations",
    "registry.Organisation": "organisations",
    "registry.OrganisationHolding": "organisations",
    "programmes.Application": "applications",
    "programmes.Screening": "screenings",
    "programmes.Score": "scores",
    "programmes.SelectionDecision": "decisions",
    "programmes.Enrollment": "enrollments",
    "programmes.StageChange": "stage_changes",
    "programmes.Referral": "referrals",
    "accompaniment.Participant": "attendance",
    "accompaniment.Diagnostic": "diagnostics",
    "accompaniment.PlanItem": "plan_items",
    "accompaniment.Group": "groups",
    "funding.Commitment": "commitments",
    "funding.Disbursement": "disbursements",
    "monitoring.FollowUp": "follow_ups",
    "linkage.PersonPair": "duplicate_checks",
    "linkage.OrganisationPair": "duplicate_checks",
    "linkage.Merge": "merges",
    "privacy.Objection": "objection",
    "privacy.AccessLogEntry": "access_log",
    "privacy.Anonymisation": "anonymisation",
}
# The audit trail (history rows) of these models is in the "audit_trail" section.
WITH_TRAIL = (
    "registry.Person",
    "registry.PersonHolding",
    "registry.Consent",
    "registry.Membership",
    "registry.Organisation",
    "registry.OrganisationHolding",
    "programmes.Application",
    "programmes.Score",
    "programmes.SelectionDecision",
    "programmes.Enrollment",
    "funding.Commitment",
    "funding.Disbursement",
    "monitoring.FollowUp",
    "accompaniment.Diagnostic",
    "accompaniment.PlanItem",
    "privacy.Objection",
)
# Models that point at a person or their organisations and are left out, with the reason.
EXCLUDED: dict[str, str] = {
    "registry.PersonNameKey": "search keys folded from the names given in the identity",
    "registry.OrganisationNameKey": "search keys folded from the organisation's names",
    "monitoring.Fact": "the analytics table, rebuilt from the records given here",
    "monitoring.FactStage": "the analytics table's staging rows, emptied after each rebuild",
    "accompaniment.Session": "the session itself: its date, service and venue are given with "
    "each attendance",
    "accompaniment.HistoricalSession": "the trail of a session (dates, venue), not of a person",
    "accompaniment.GroupLog": "the log of a group's meetings, about the group as a whole",
    "accompaniment.HistoricalGroup": "the trail of a group (name, sector), not of a person",
    "programmes.HistoricalApplication_evaluators": "which staff were given a file to score",
}


@dataclass
class Section:
    key: str
    title: str
    columns: list[tuple[str, str, str]]  # (key, label, kind)
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


@dataclass
class AccessReport:
    person: Person
    language: str
    generated_at: datetime
    generated_by: str
    sections: list[Section]
    # Records held by partners outside the user's scope: [{"partner", "what", "count"}].
    elsewhere: list[dict[str, Any]]

    @property
    def identity(self) -> Section:
        return self.sections[0]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def _display(obj: Any, name: str) -> str:
    value = getattr(obj, name)
    if not value:
        return ""
    return str(getattr(obj, f"get_{name}_display")())


def _str(obj: Any) -> str:
    return "" if obj is None else str(obj)


class _Scope:
    """The partners whose records the user reads (own partner and shares), or all."""

    def __init__(self, actor: User) -> None:
        self.ids = visible_partner_ids(actor)

    def within(self, rows: models.QuerySet[Any], holder: str) -> models.QuerySet[Any]:
        return rows if self.ids is ALL else rows.filter(**{f"{holder}__in": self.ids})

    def outside(self, rows: models.QuerySet[Any], holder: str) -> models.QuerySet[Any]:
        return rows.none() if self.ids is ALL else rows.exclude(**{f"{holder}__in": self.ids})


def _section(
    key: str,
    title: str,
    columns: list[tuple[str, str, str]],
    objects: Iterable[Any],
    row: Callable[[Any], dict[str, Any]],
    note: str = "",
) -> Section:
    return Section(key, title, columns, [row(o) for o in objects], note)


def access_report(person: Person, *, actor: User) -> AccessReport:
    """Everything essor holds on ``person``, in the active language, as ``actor`` may give it."""
    from essor.accompaniment.models import Diagnostic, Group, Participant, PlanItem
    from essor.funding.models import Commitment, Disbursement
    from essor.linkage.models import Merge, OrganisationPair, PersonPair, RecordKind
    from essor.monitoring.models import FollowUp
    from essor.programmes.models import (
        Application,
        Enrollment,
        Referral,
        Score,
        Screening,
        SelectionDecision,
        StageChange,
    )
    from essor.registry.identifiers import format_phone
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

    sections: list[Section] = []
    commune = person.commune
    sections.append(
        Section(
            "identity",
            _("Identity and contact"),
            [
                ("id", _("Registry number"), NUMBER),
                ("first_name", _("First name (Latin script)"), TEXT),
                ("last_name", _("Last name (Latin script)"), TEXT),
                ("first_name_ar", _("First name (Arabic script)"), TEXT),
                ("last_name_ar", _("Last name (Arabic script)"), TEXT),
                ("sex", _("Sex"), TEXT),
                ("birth_date", _("Birth date"), DATE),
                ("cin", _("CIN"), TEXT),
                ("phone", _("Phone"), TEXT),
                ("email", _("E-mail"), TEXT),
                ("address", _("Address"), TEXT),
                ("commune", _("Commune"), TEXT),
                ("education_level", _("Education level"), TEXT),
                ("registered_by", _("Registered by"), TEXT),
                ("registered_at", _("Registered on"), DATETIME),
                ("archived_at", _("Archived on"), DATETIME),
                ("archive_reason", _("Reason for archiving"), TEXT),
            ],
            [
                {
                    "id": person.pk,
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "first_name_ar": person.first_name_ar,
                    "last_name_ar": person.last_name_ar,
                    "sex": _display(person, "sex"),
                    "birth_date": person.birth_date,
                    "cin": person.cin,
                    "phone": format_phone(person.phone),
                    "email": person.email,
                    "address": person.address,
                    "commune": f"{commune.label} ({commune.code})" if commune else "",
                    "education_level": _display(person, "education_level"),
                    "registered_by": person.registered_by.short_label,
                    "registered_at": person.created_at,
                    "archived_at": person.archived_at,
                    "archive_reason": person.archive_reason,
                }
            ],
        )
    )
    sections.append(
        _section(
            "holders",
            _("Partners holding the record"),
            [
                ("partner", _("Partner"), TEXT),
                ("since", _("Since"), DATETIME),
                ("source", _("Source"), TEXT),
            ],
            person.holdings.select_related("partner").order_by("since", "pk"),
            lambda h: {"partner": h.partner.label, "since": h.since, "source": h.source},
        )
    )
    sections.append(
        _section(
            "merged_records",
            _("Duplicate records merged into this one"),
            [
                ("id", _("Registry number"), NUMBER),
                ("name", _("Name"), TEXT),
                ("cin", _("CIN"), TEXT),
                ("birth_date", _("Birth date"), DATE),
                ("phone", _("Phone"), TEXT),
                ("merged_at", _("Merged on"), DATETIME),
            ],
            merged,
            lambda p: {
                "id": p.pk,
                "name": " ".join(
                    x for x in (p.first_name, p.last_name, p.first_name_ar, p.last_name_ar) if x
                ),
                "cin": p.cin,
                "birth_date": p.birth_date,
                "phone": format_phone(p.phone),
                "merged_at": p.archived_at,
            },
        )
    )
    sections.append(
        _section(
            "consents",
            _("Consents (law 09-08)"),
            [
                ("given_on", _("Date"), DATE),
                ("purpose", _("Purpose"), TEXT),
                ("information_text", _("Information text shown"), TEXT),
                ("partner", _("Partner"), TEXT),
                ("collected_by", _("Collected by"), TEXT),
                ("withdrawn_on", _("Withdrawn on"), DATE),
            ],
            person.consents.select_related("partner", "collected_by").order_by("given_on", "pk"),
            lambda c: {
                "given_on": c.given_on,
                "purpose": c.purpose,
                "information_text": c.information_text,
                "partner": c.partner.short_label,
                "collected_by": _str(c.collected_by),
                "withdrawn_on": c.withdrawn_on,
            },
        )
    )
    sections.append(
        _section(
            "organisations",
            _("Enterprises and organisations"),
            [
                ("organisation", _("Organisation"), TEXT),
                ("kind", _("Legal form"), TEXT),
                ("role", _("Role"), TEXT),
                ("since", _("Since"), DATE),
                ("until", _("Until"), DATE),
                ("ice", _("ICE"), TEXT),
                ("sector", _("Sector"), TEXT),
                ("commune", _("Commune"), TEXT),
                ("partners", _("Partners holding it"), TEXT),
            ],
            memberships,
            lambda m: {
                "organisation": str(m.organisation),
                "kind": _display(m.organisation, "kind"),
                "role": _display(m, "role"),
                "since": m.since,
                "until": m.until,
                "ice": m.organisation.ice,
                "sector": _str(m.organisation.sector),
                "commune": m.organisation.commune.label if m.organisation.commune else "",
                "partners": ", ".join(sorted(org_holders.get(m.organisation_id, []))),
            },
        )
    )

    # Applications and what followed them, within the user's partner scope.
    all_applications = Application.objects.filter(mine)
    applications = list(
        scope.within(all_applications, "holder")
        .select_related("programme", "holder", "person", "organisation", "sector")
        .order_by("submitted_on", "pk")
    )
    app_ids = [a.pk for a in applications]

    def applicant(row: Any) -> str:
        return str(row.organisation) if row.person_id != person.pk and row.organisation else ""

    sections.append(
        _section(
            "applications",
            _("Applications"),
            [
                ("receipt", _("Receipt number"), TEXT),
                ("programme", _("Programme"), TEXT),
                ("partner", _("Partner"), TEXT),
                ("enterprise", _("Enterprise"), TEXT),
                ("submitted_on", _("Submitted on"), DATE),
                ("channel", _("Channel"), TEXT),
                ("status", _("Status"), TEXT),
                ("project_title", _("Project"), TEXT),
                ("project_description", _("Project description"), TEXT),
                ("sector", _("Sector"), TEXT),
                ("project_cost", _("Project cost"), MONEY),
                ("requested", _("Amount requested"), MONEY),
                ("own_contribution", _("Own contribution"), MONEY),
                ("interview_note", _("Interview note"), TEXT),
                ("withdrawal_reason", _("Reason for withdrawing"), TEXT),
            ],
            applications,
            lambda a: {
                "receipt": a.receipt,
                "programme": str(a.programme),
                "partner": a.holder.short_label,
                "enterprise": applicant(a),
                "submitted_on": a.submitted_on,
                "channel": _display(a, "channel"),
                "status": _display(a, "status"),
                "project_title": a.project_title,
                "project_description": a.project_description,
                "sector": _str(a.sector),
                "project_cost": a.project_cost,
                "requested": a.requested,
                "own_contribution": a.own_contribution,
                "interview_note": a.interview_note,
                "withdrawal_reason": a.withdrawal_reason,
            },
        )
    )

    def screening_row(s: Any) -> dict[str, Any]:
        rules = "; ".join(f"{r.reason} ({r.status})" for r in s.rule_results())
        return {
            "receipt": s.application.receipt,
            "ran_at": s.ran_at,
            "outcome": s.outcome,
            "rules": rules,
        }

    sections.append(
        _section(
            "screenings",
            _("Eligibility screening"),
            [
                ("receipt", _("Application"), TEXT),
                ("ran_at", _("Screened at"), DATETIME),
                ("outcome", _("Outcome"), TEXT),
                ("rules", _("Rules and reasons"), TEXT),
            ],
            Screening.objects.filter(application_id__in=app_ids)
            .select_related("application")
            .order_by("ran_at", "pk"),
            screening_row,
        )
    )
    sections.append(
        _section(
            "scores",
            _("Scores"),
            [
                ("receipt", _("Application"), TEXT),
                ("criterion", _("Criterion"), TEXT),
                ("value", _("Score"), NUMBER),
                ("scale_max", _("Scored out of"), NUMBER),
                ("note", _("Note"), TEXT),
            ],
            Score.objects.filter(application_id__in=app_ids)
            .select_related("application", "criterion")
            .order_by("application_id", "criterion__position", "pk"),
            lambda s: {
                "receipt": s.application.receipt,
                "criterion": s.criterion.label,
                "value": s.value,
                "scale_max": s.criterion.scale_max,
                "note": s.note,
            },
        )
    )
    sections.append(
        _section(
            "decisions",
            _("Selection decisions"),
            [
                ("receipt", _("Application"), TEXT),
                ("decided_at", _("Date"), DATETIME),
                ("outcome", _("Decision"), TEXT),
                ("score", _("Score"), NUMBER),
                ("reason", _("Reason"), TEXT),
            ],
            SelectionDecision.objects.filter(application_id__in=app_ids)
            .select_related("application")
            .order_by("created_at", "pk"),
            lambda d: {
                "receipt": d.application.receipt,
                "decided_at": d.created_at,
                "outcome": _display(d, "outcome"),
                "score": d.score,
                "reason": d.reason,
            },
        )
    )
    enrollments = list(
        Enrollment.objects.filter(application_id__in=app_ids)
        .select_related("application__programme")
        .order_by("started_on", "pk")
    )
    sections.append(
        _section(
            "enrollments",
            _("Enrollments"),
            [
                ("receipt", _("Application"), TEXT),
                ("programme", _("Programme"), TEXT),
                ("started_on", _("Enrolled on"), DATE),
                ("stage", _("Stage"), TEXT),
                ("exited_on", _("Exited on"), DATE),
                ("exit_outcome", _("Exit"), TEXT),
            ],
            enrollments,
            lambda e: {
                "receipt": e.application.receipt,
                "programme": str(e.application.programme),
                "started_on": e.started_on,
                "stage": _display(e, "stage"),
                "exited_on": e.exited_on,
                "exit_outcome": _display(e, "exit_outcome"),
            },
        )
    )
    enrollment_ids = [e.pk for e in enrollments]
    sections.append(
        _section(
            "stage_changes",
            _("Stages of the journey"),
            [
                ("receipt", _("Application"), TEXT),
                ("stage", _("Stage"), TEXT),
                ("on", _("Date"), DATE),
            ],
            StageChange.objects.filter(enrollment_id__in=enrollment_ids)
            .select_related("enrollment__application")
            .order_by("on", "pk"),
            lambda c: {
                "receipt": c.enrollment.application.receipt,
                "stage": _display(c, "stage"),
                "on": c.on,
            },
        )
    )
    sections.append(
        _section(
            "referrals",
            _("Referrals"),
            [
                ("receipt", _("Application"), TEXT),
                ("scheme", _("Referred to"), TEXT),
                ("referred_on", _("Date"), DATE),
                ("outcome", _("Outcome"), TEXT),
            ],
            Referral.objects.filter(enrollment_id__in=enrollment_ids)
            .select_related("enrollment__application")
            .order_by("referred_on", "pk"),
            lambda r: {
                "receipt": r.enrollment.application.receipt,
                "scheme": r.scheme,
                "referred_on": r.referred_on,
                "outcome": r.outcome,
            },
        )
    )
    all_participations = Participant.objects.filter(person=person)
    sections.append(
        _section(
            "attendance",
            _("Sessions and attendance"),
            [
                ("starts_at", _("Date"), DATETIME),
                ("service", _("Service"), TEXT),
                ("venue", _("Venue"), TEXT),
                ("programme", _("Programme"), TEXT),
                ("partner", _("Partner"), TEXT),
                ("present", _("Present"), BOOL),
            ],
            scope.within(all_participations, "session__holder")
            .select_related(
                "session__service", "session__venue", "session__programme", "session__holder"
            )
            .order_by("session__starts_at", "pk"),
            lambda p: {
                "starts_at": p.session.starts_at,
                "service": str(p.session.service),
                "venue": str(p.session.venue),
                "programme": _str(p.session.programme),
                "partner": p.session.holder.short_label,
                "present": p.present,
            },
        )
    )
    all_commitments = Commitment.objects.filter(mine)
    commitments = list(
        scope.within(all_commitments, "holder")
        .select_related("programme", "holder", "organisation")
        .order_by("committed_on", "pk")
    )
    sections.append(
        _section(
            "commitments",
            _("Commitments"),
            [
                ("programme", _("Programme"), TEXT),
                ("partner", _("Partner"), TEXT),
                ("enterprise", _("Enterprise"), TEXT),
                ("kind", _("Kind"), TEXT),
                ("amount", _("Amount"), MONEY),
                ("committed_on", _("Committed on"), DATE),
                ("status", _("Status"), TEXT),
                ("purpose", _("Purpose"), TEXT),
            ],
            commitments,
            lambda c: {
                "programme": str(c.programme),
                "partner": c.holder.short_label,
                "enterprise": applicant(c),
                "kind": _display(c, "kind"),
                "amount": c.amount,
                "committed_on": c.committed_on,
                "status": _display(c, "status"),
                "purpose": c.purpose,
            },
        )
    )
    sections.append(
        _section(
            "disbursements",
            _("Disbursements"),
            [
                ("commitment", _("Commitment"), TEXT),
                ("tranche", _("Tranche"), NUMBER),
                ("amount", _("Amount"), MONEY),
                ("paid_on", _("Paid on"), DATE),
                ("status", _("Status"), TEXT),
            ],
            Disbursement.objects.filter(commitment__in=commitments)
            .select_related("commitment__programme")
            .order_by("paid_on", "pk"),
            lambda d: {
                "commitment": f"{d.commitment.get_kind_display()} — {d.commitment.programme}",
                "tranche": d.tranche,
                "amount": d.amount,
                "paid_on": d.paid_on,
                "status": _display(d, "status"),
            },
        )
    )
    sections.append(
        _section(
            "follow_ups",
            _("Follow-up surveys"),
            [
                ("programme", _("Programme"), TEXT),
                ("wave", _("Months after support"), NUMBER),
                ("due_on", _("Due on"), DATE),
                ("status", _("Status"), TEXT),
                ("done_on", _("Surveyed on"), DATE),
                ("channel", _("How"), TEXT),
                ("active", _("Activity still running"), BOOL),
                ("jobs_created", _("Jobs created"), NUMBER),
                ("jobs_kept", _("Jobs kept"), NUMBER),
                ("turnover", _("Annual turnover"), MONEY),
                ("needs", _("Needs expressed"), TEXT),
            ],
            FollowUp.objects.filter(enrollment_id__in=enrollment_ids)
            .select_related("enrollment__application__programme")
            .order_by("due_on", "pk"),
            lambda f: {
                "programme": str(f.enrollment.application.programme),
                "wave": f.wave,
                "due_on": f.due_on,
                "status": _display(f, "status"),
                "done_on": f.done_on,
                "channel": _display(f, "channel"),
                "active": f.active,
                "jobs_created": f.jobs_created,
                "jobs_kept": f.jobs_kept,
                "turnover": f.turnover,
                "needs": f.needs,
            },
        )
    )
    all_diagnostics = Diagnostic.objects.filter(organisation_id__in=org_ids)
    diagnostics = list(
        scope.within(all_diagnostics, "holder")
        .select_related("organisation", "holder", "counsellor")
        .order_by("on", "pk")
    )
    sections.append(
        _section(
            "diagnostics",
            _("Diagnostics of their enterprises"),
            [
                ("enterprise", _("Enterprise"), TEXT),
                ("on", _("Date"), DATE),
                ("partner", _("Partner"), TEXT),
                ("scores", _("Scores by area (1 = serious need, 4 = none)"), TEXT),
                ("notes", _("Notes"), TEXT),
            ],
            diagnostics,
            lambda d: {
                "enterprise": str(d.organisation),
                "on": d.on,
                "partner": d.holder.short_label,
                "scores": ", ".join(f"{k}: {v}" for k, v in sorted(d.scores.items())),
                "notes": d.notes,
            },
        )
    )
    sections.append(
        _section(
            "plan_items",
            _("Action plans"),
            [
                ("enterprise", _("Enterprise"), TEXT),
                ("area", _("Area"), TEXT),
                ("text", _("Action"), TEXT),
                ("owner", _("Who"), TEXT),
                ("due_on", _("Due on"), DATE),
                ("status", _("Status"), TEXT),
            ],
            PlanItem.objects.filter(diagnostic__in=diagnostics)
            .select_related("diagnostic__organisation")
            .order_by("due_on", "pk"),
            lambda i: {
                "enterprise": str(i.diagnostic.organisation),
                "area": _display(i, "area"),
                "text": i.text,
                "owner": i.owner,
                "due_on": i.due_on,
                "status": _display(i, "status"),
            },
        )
    )
    all_groups = Group.objects.filter(members__in=org_ids).distinct()
    sections.append(
        _section(
            "groups",
            _("Sector groups of their enterprises"),
            [
                ("group", _("Group"), TEXT),
                ("sector", _("Sector"), TEXT),
                ("partner", _("Partner"), TEXT),
                ("started_on", _("Started on"), DATE),
            ],
            scope.within(all_groups, "holder")
            .select_related("sector", "holder")
            .order_by("started_on", "pk"),
            lambda g: {
                "group": g.name,
                "sector": str(g.sector),
                "partner": g.holder.short_label,
                "started_on": g.started_on,
            },
        )
    )

    def pair_row(kind: str, own_ids: set[int]) -> Callable[[Any], dict[str, Any]]:
        def row(p: Any) -> dict[str, Any]:
            return {
                "kind": kind,
                "record": p.left_id if p.left_id in own_ids else p.right_id,
                "other": p.right_id if p.left_id in own_ids else p.left_id,
                "score": round(p.score, 3),
                "status": _display(p, "status"),
                "found_at": p.created_at,
                "decided_at": p.decided_at,
            }

        return row

    person_ids = {person.pk, *(p.pk for p in merged)}
    pairs = Section(
        "duplicate_checks",
        _("Checks for duplicate records"),
        [
            ("kind", _("Kind of record"), TEXT),
            ("record", _("This record"), NUMBER),
            ("other", _("Other record"), NUMBER),
            ("score", _("Match probability"), NUMBER),
            ("status", _("Status"), TEXT),
            ("found_at", _("Found on"), DATETIME),
            ("decided_at", _("Decided on"), DATETIME),
        ],
        note=_(
            "Two records that may describe the same person are compared, so that nobody is "
            "registered or funded twice. The other record is named by its number only."
        ),
    )
    for p in PersonPair.objects.filter(
        models.Q(left_id__in=person_ids) | models.Q(right_id__in=person_ids)
    ).order_by("created_at", "pk"):
        pairs.rows.append(pair_row(str(RecordKind.PERSON.label), person_ids)(p))
    for org_pair in OrganisationPair.objects.filter(
        models.Q(left_id__in=org_ids) | models.Q(right_id__in=org_ids)
    ).order_by("created_at", "pk"):
        pairs.rows.append(pair_row(str(RecordKind.ORGANISATION.label), set(org_ids))(org_pair))
    sections.append(pairs)
    merges = Merge.objects.filter(
        models.Q(kind=RecordKind.PERSON)
        & (models.Q(survivor_id__in=person_ids) | models.Q(merged_id__in=person_ids))
        | models.Q(kind=RecordKind.ORGANISATION)
        & (models.Q(survivor_id__in=org_ids) | models.Q(merged_id__in=org_ids))
    ).order_by("created_at", "pk")
    sections.append(
        _section(
            "merges",
            _("Merges of duplicate records"),
            [
                ("kind", _("Kind of record"), TEXT),
                ("kept", _("Record kept"), NUMBER),
                ("merged", _("Record merged into it"), NUMBER),
                ("at", _("Date"), DATETIME),
                ("automatic", _("Automatic"), BOOL),
                ("undone_at", _("Undone on"), DATETIME),
            ],
            merges,
            lambda m: {
                "kind": _display(m, "kind"),
                "kept": m.survivor_id,
                "merged": m.merged_id,
                "at": m.created_at,
                "automatic": m.automatic,
                "undone_at": m.undone_at,
            },
        )
    )
    trail_objects: list[tuple[str, Any]] = [
        (_("Person") + f" #{p.pk}", p) for p in [person, *merged]
    ]
    trail_objects += [(_("Holder"), h) for h in person.holdings.all()]
    trail_objects += [(_("Consent"), c) for c in person.consents.all()]
    trail_objects += [(_("Membership"), m) for m in memberships]
    trail_objects += [(_("Organisation"), m.organisation) for m in memberships]
    trail_objects += [
        (_("Organisation's holder"), h)
        for h in OrganisationHolding.objects.filter(organisation_id__in=org_ids)
    ]
    trail_objects += [(_("Application") + f" {a.receipt}", a) for a in applications]
    trail_objects += [(_("Score"), s) for s in Score.objects.filter(application_id__in=app_ids)]
    trail_objects += [
        (_("Selection decision"), d)
        for d in SelectionDecision.objects.filter(application_id__in=app_ids)
    ]
    trail_objects += [(_("Enrollment"), e) for e in enrollments]
    trail_objects += [(_("Commitment"), c) for c in commitments]
    trail_objects += [
        (_("Disbursement"), d) for d in Disbursement.objects.filter(commitment__in=commitments)
    ]
    trail_objects += [
        (_("Follow-up"), f) for f in FollowUp.objects.filter(enrollment_id__in=enrollment_ids)
    ]
    trail_objects += [(_("Diagnostic"), d) for d in diagnostics]
    trail_objects += [
        (_("Action plan"), i) for i in PlanItem.objects.filter(diagnostic__in=diagnostics)
    ]
    trail = Section(
        "audit_trail",
        _("Audit trail: who changed what, when"),
        [
            ("record", _("Which record"), TEXT),
            ("at", _("Date"), DATETIME),
            ("by", _("By"), TEXT),
            ("action", _("Action"), TEXT),
            ("changes", _("Changes"), TEXT),
        ],
    )
    kinds = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    for label, obj in trail_objects:
        for entry in history_of(obj):
            trail.rows.append(
                {
                    "record": label,
                    "at": entry.at,
                    "by": _str(entry.actor),
                    "action": entry.verb or str(kinds.get(entry.kind, entry.kind)),
                    "changes": "; ".join(
                        f"{c.label}: {_str(c.old) or '—'} → {_str(c.new) or '—'}"
                        for c in entry.changes
                    ),
                }
            )
    objection_history = Objection.history.filter(person_id=person.pk).select_related("history_user")
    for row in objection_history.order_by("history_date", "history_id"):
        trail.rows.append(
            {
                "record": _("Objection"),
                "at": row.history_date,
                "by": _str(row.history_user),
                "action": row.history_change_reason or str(kinds.get(row.history_type, "")),
                "changes": row.reason if row.history_type == "+" else "",
            }
        )
    trail.rows.sort(key=lambda r: (r["at"], r["record"]))
    sections.append(trail)
    sections.append(
        _section(
            "access_log",
            _("Who was shown the full CIN"),
            [
                ("at", _("Date"), DATETIME),
                ("user", _("User"), TEXT),
                ("partner", _("Partner"), TEXT),
                ("purpose", _("Purpose"), TEXT),
                ("path", _("Address"), TEXT),
            ],
            AccessLogEntry.objects.filter(person_id__in=person_ids)
            .select_related("user__partner")
            .order_by("at", "pk"),
            lambda e: {
                "at": e.at,
                "user": _str(e.user),
                "partner": e.user.partner.short_label if e.user and e.user.partner else "",
                "purpose": _display(e, "purpose"),
                "path": e.path,
            },
        )
    )
    sections.append(
        _section(
            "objection",
            _("Objection to processing"),
            [
                ("recorded_at", _("Recorded on"), DATETIME),
                ("recorded_by", _("Recorded by"), TEXT),
                ("reason", _("Reason given"), TEXT),
            ],
            Objection.objects.filter(person=person).select_related("recorded_by"),
            lambda o: {
                "recorded_at": o.recorded_at,
                "recorded_by": _str(o.recorded_by),
                "reason": o.reason,
            },
            note=_(
                "While an objection stands, the person is left out of the exports of lists, "
                "the named lists behind the figures and the pseudonymised exports. What the "
                "programmes must do goes on: the ledger, attendance, their applications, the "
                "check that nobody is funded twice, and the counts."
            ),
        )
    )
    sections.append(
        _section(
            "anonymisation",
            _("Anonymisation"),
            [
                ("at", _("Anonymised on"), DATETIME),
                ("trigger", _("Done by"), TEXT),
                ("expired_on", _("Retention ended on"), DATE),
            ],
            Anonymisation.objects.filter(person=person),
            lambda a: {
                "at": a.at,
                "trigger": _display(a, "trigger"),
                "expired_on": a.expired_on,
            },
        )
    )

    elsewhere: dict[tuple[str, str], int] = {}
    for what, rows, holder in (
        (_("Applications"), all_applications, "holder"),
        (_("Sessions and attendance"), all_participations, "session__holder"),
        (_("Commitments"), all_commitments, "holder"),
        (_("Diagnostics of their enterprises"), all_diagnostics, "holder"),
        (_("Sector groups of their enterprises"), all_groups, "holder"),
    ):
        for row in (
            scope.outside(rows, holder)
            .values(f"{holder}__name_fr", f"{holder}__acronym")
            .annotate(n=Count("pk", distinct=True))
        ):
            partner = row[f"{holder}__acronym"] or row[f"{holder}__name_fr"]
            elsewhere[(partner, what)] = elsewhere.get((partner, what), 0) + row["n"]

    return AccessReport(
        person=person,
        language=translation.get_language() or "fr",
        generated_at=timezone.localtime(),
        generated_by=str(actor),
        sections=sections,
        elsewhere=[
            {"partner": p, "what": w, "count": n} for (p, w), n in sorted(elsewhere.items())
        ],
    )


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def report_dict(report: AccessReport) -> dict[str, Any]:
    """The report as JSON-ready data: machine keys, labels and values in its language."""
    return {
        "about": _("Data held by essor on one person (law 09-08, right of access)"),
        "language": report.language,
        "generated_at": _json_value(report.generated_at),
        "generated_by": report.generated_by,
        "sections": {
            s.key: {
                "title": s.title,
                **({"note": s.note} if s.note else {}),
                "columns": {key: label for key, label, _kind in s.columns},
                "rows": [{k: _json_value(v) for k, v in row.items()} for row in s.rows],
            }
            for s in report.sections
        },
        "held_by_other_partners": report.elsewhere,
    }


def report_json(report: AccessReport) -> bytes:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2).encode()


def report_html(report: AccessReport, *, for_pdf: bool = True) -> str:
    return render_to_string(
        "privacy/access_pdf.html",
        {
            "report": report,
            "LANGUAGE_CODE": report.language,
            "LANGUAGE_BIDI": translation.get_language_bidi(),
        },
    )


def report_pdf(report: AccessReport) -> bytes:
    """A readable PDF (WeasyPrint): Arabic is shaped and laid out right to left by Pango, as
    in the committee's report (it holds no SVG, which needs shaping by hand)."""
    from weasyprint import HTML

    return bytes(HTML(string=report_html(report)).write_pdf())


def report_file(person: Person, *, actor: User, lang: str, fmt: str) -> tuple[bytes, str, str]:
    """The report's bytes, content type and file name, in ``lang`` (fr or ar)."""
    if fmt not in ("pdf", "json"):
        raise ValueError(fmt)
    lang = "ar" if lang == "ar" else "fr"
    with translation.override(lang):
        report = access_report(person, actor=actor)
        if fmt == "pdf":
            content, kind = report_pdf(report), "application/pdf"
        else:
            content, kind = report_json(report), "application/json"
    name = f"essor-data-{person.pk}-{timezone.localdate():%Y%m%d}-{lang}.{fmt}"
    return content, kind, name
