"""Which models the right-of-access report covers, which have their trail in it, and which
are left out and why; a test walks the app registry and fails when a new model is in none."""

from __future__ import annotations

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
