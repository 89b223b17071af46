"""Roles and what each may do: the single table that guards, pages and the API read.

A user belongs to one partner and holds one or more roles. A capability is granted when any
of the user's roles grants it; platform operators (Django superusers) hold every capability.
Later apps add their capabilities here, so that ``docs/permissions.md`` and the permission
matrix test read from one place.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    COUNSELLOR = "counsellor", _("Counsellor")
    DATA_CLERK = "data_clerk", _("Data clerk")
    COMMITTEE_MEMBER = "committee_member", _("Committee member (read-only)")
    EVALUATOR = "evaluator", _("Evaluator (scores the files assigned)")


class Cap:
    """Capability names. Kept as constants so a typo fails at import, not in production."""

    USERS_VIEW = "users.view"  # see the users of one's own partner
    USERS_MANAGE = "users.manage"  # create, change, deactivate them and set their roles
    PARTNER_MANAGE_OWN = "partners.manage_own"  # edit one's own partner's details
    PARTNER_MANAGE_ALL = "partners.manage_all"  # create and edit any partner
    SHARING_MANAGE = "sharing.manage"  # share one's partner's records with another partner
    PERSONAL_VIEW = "personal.view"  # see personal data (names, CIN, phone, birth date)
    PERSONAL_CHANGE = "personal.change"  # create and change personal records
    PERSONAL_ALL_PARTNERS = "personal.all_partners"  # see every partner's personal records
    IDENTIFIERS_VIEW = "identifiers.view"  # see a CIN in full (others see AB12****)
    REGISTRY_IMPORT = "registry.import"  # import partners' lists into the registry
    REGISTRY_EXPORT = "registry.export"  # export lists of persons and organisations
    REGISTRY_MERGE = "registry.merge"  # review duplicates, merge records and undo merges
    HISTORY_VIEW = "history.view"  # read a record's audit trail
    AGGREGATES_VIEW = "aggregates.view"  # read figures and reference data across partners
    CONVENTIONS_MANAGE = "conventions.manage"  # conventions one's partner keeps; its budget lines
    PROGRAMMES_MANAGE = "programmes.manage"  # programmes one's partner runs, their rules
    FUNDING_COMMIT = "funding.commit"  # commit and disburse the money of one's partner's lines
    FUNDING_APPROVE = "funding.approve"  # approve another person's commitment or disbursement
    APPLICATIONS_MANAGE = "applications.manage"  # enter, screen, decide and follow applications
    APPLICATIONS_SCORE = "applications.score"  # score the applications assigned to oneself
    ACCOMPANIMENT_ALL = "accompaniment.all"  # see all of one's partner's sessions and groups
    TOURS_PLAN = "tours.plan"  # plan the bus's tours
    # Law 09-08: answer a person's requests (access, rectification, objection) and run retention.
    PRIVACY_MANAGE = "privacy.manage"
    # Export pseudonymised data (no names, CIN or phone; ages in bands) for evaluation.
    RESEARCH_EXPORT = "research.export"


_READ = {Cap.AGGREGATES_VIEW}
_MONEY = {
    Cap.ACCOMPANIMENT_ALL,
    Cap.TOURS_PLAN,
    Cap.APPLICATIONS_MANAGE,
    Cap.APPLICATIONS_SCORE,
    Cap.CONVENTIONS_MANAGE,
    Cap.PROGRAMMES_MANAGE,
    Cap.FUNDING_COMMIT,
    Cap.FUNDING_APPROVE,
}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        _READ
        | {
            Cap.USERS_VIEW,
            Cap.USERS_MANAGE,
            Cap.PARTNER_MANAGE_OWN,
            Cap.SHARING_MANAGE,
            Cap.PERSONAL_VIEW,
            Cap.PERSONAL_CHANGE,
            Cap.HISTORY_VIEW,
            Cap.IDENTIFIERS_VIEW,
            Cap.REGISTRY_IMPORT,
            Cap.REGISTRY_EXPORT,
            Cap.REGISTRY_MERGE,
            Cap.PRIVACY_MANAGE,
            Cap.RESEARCH_EXPORT,
        }
        | _MONEY
    ),
    Role.PROGRAMME_MANAGER: frozenset(
        _READ
        | _MONEY
        | {
            Cap.USERS_VIEW,
            Cap.PERSONAL_VIEW,
            Cap.PERSONAL_CHANGE,
            Cap.HISTORY_VIEW,
            Cap.IDENTIFIERS_VIEW,
            Cap.REGISTRY_EXPORT,
            Cap.RESEARCH_EXPORT,
        }
    ),
    # A counsellor works with the people in front of them: names and phones, not full CINs.
    Role.COUNSELLOR: frozenset(_READ | {Cap.PERSONAL_VIEW, Cap.PERSONAL_CHANGE}),
    Role.DATA_CLERK: frozenset(
        _READ
        | {
            Cap.APPLICATIONS_MANAGE,
            Cap.PERSONAL_VIEW,
            Cap.PERSONAL_CHANGE,
            Cap.IDENTIFIERS_VIEW,
            Cap.REGISTRY_IMPORT,
            Cap.REGISTRY_EXPORT,
            Cap.REGISTRY_MERGE,
            Cap.PRIVACY_MANAGE,
        }
    ),
    # The committee reads figures and follows the conventions; it sees no personal data.
    Role.COMMITTEE_MEMBER: frozenset(_READ),
    # An evaluator (often from another partner) scores the files assigned to them, and only
    # those: no registry, no other application.
    # The pseudonymised export is theirs too: evaluating a programme needs its data, not names.
    Role.EVALUATOR: frozenset(_READ | {Cap.APPLICATIONS_SCORE, Cap.RESEARCH_EXPORT}),
}

ALL_CAPABILITIES: frozenset[str] = frozenset(
    value for name, value in vars(Cap).items() if name.isupper()
)


def capabilities_for(roles: set[str]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_CAPABILITIES.get(role, frozenset())
    return frozenset(granted)
