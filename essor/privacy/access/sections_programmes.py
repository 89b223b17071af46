"""The sections about what programmes did with the person: applications and what followed
them, attendance, funding, follow-up surveys, and the support of their enterprises."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .records import PersonRecords
from .structure import BOOL, DATE, DATETIME, MONEY, NUMBER, TEXT, Section, _display, _section, _str


def programme_sections(r: PersonRecords) -> list[Section]:
    from essor.programmes.models import Referral, Score, Screening, SelectionDecision, StageChange

    applications, app_ids = r.applications, r.app_ids
    enrollments, enrollment_ids = r.enrollments, r.enrollment_ids
    applicant = r.applicant
    sections: list[Section] = []
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
    return sections


def support_sections(r: PersonRecords) -> list[Section]:
    from essor.accompaniment.models import PlanItem
    from essor.funding.models import Disbursement
    from essor.monitoring.models import FollowUp

    scope, applicant, enrollment_ids = r.scope, r.applicant, r.enrollment_ids
    all_participations, commitments = r.all_participations, r.commitments
    diagnostics, all_groups = r.diagnostics, r.all_groups
    sections: list[Section] = []
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

    return sections
