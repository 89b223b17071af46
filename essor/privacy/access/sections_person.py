"""The sections about the person themself: identity, holders, consents, organisations,
duplicate checks and merges, the audit trail, and the privacy records (CIN views, objection,
anonymisation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from essor.core.audit import history_of

from ..models import AccessLogEntry, Anonymisation, Objection
from .records import PersonRecords
from .structure import BOOL, DATE, DATETIME, NUMBER, TEXT, Section, _display, _section, _str


def identity_sections(r: PersonRecords) -> list[Section]:
    from essor.registry.identifiers import format_phone

    person, merged, memberships, org_holders = r.person, r.merged, r.memberships, r.org_holders
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

    return sections


def linkage_sections(r: PersonRecords) -> list[Section]:
    from essor.linkage.models import Merge, OrganisationPair, PersonPair, RecordKind

    org_ids, person_ids = r.org_ids, r.person_ids
    sections: list[Section] = []

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
    return sections


def audit_trail_section(r: PersonRecords) -> Section:
    from essor.accompaniment.models import PlanItem
    from essor.funding.models import Disbursement
    from essor.monitoring.models import FollowUp
    from essor.programmes.models import Score, SelectionDecision
    from essor.registry.models import OrganisationHolding

    person, merged, memberships, org_ids = r.person, r.merged, r.memberships, r.org_ids
    applications, app_ids, enrollments = r.applications, r.app_ids, r.enrollments
    enrollment_ids, commitments, diagnostics = r.enrollment_ids, r.commitments, r.diagnostics
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
    return trail


def privacy_sections(r: PersonRecords) -> list[Section]:
    person, person_ids = r.person, r.person_ids
    sections: list[Section] = []
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

    return sections
