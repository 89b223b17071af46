"""Saving what the user accepted: a draft convention, its parties, targets and committee.

Everything goes through the conventions' services (the same checks and audit trail as a
convention typed by hand), in one transaction: a draft is saved whole or not at all. A partner
that essor does not have is created when the user may create partners; otherwise it is listed
in the convention's source, to be added by someone who may.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from essor.accounts.models import Partner
from essor.accounts.roles import Cap
from essor.core.money import format_mad

from .. import services
from ..models import Convention, ConventionKind

if TYPE_CHECKING:
    from essor.accounts.models import User
    from essor.territory.models import Region

# Shown on the page (translated) …
GROUP_LABELS = {
    "tpe": _("Very small businesses (TPE)"),
    "sme": _("Small and medium enterprises"),
    "cooperatives": _("Cooperatives"),
    "auto_entrepreneurs": _("Auto-entrepreneurs"),
    "young_people": _("Young people"),
    "women": _("Women"),
    "rural": _("Rural areas"),
    "project_holders": _("Project holders"),
    "ess": _("Social and solidarity economy"),
    "artisans": _("Artisans"),
}
SERVICE_LABELS = {
    "training": _("Training"),
    "coaching": _("Coaching"),
    "mentoring": _("Mentoring"),
    "group_counselling": _("Group counselling"),
    "mobile_unit": _("Mobile unit (bus)"),
    "maison_des_tpe": _("Maison des TPE"),
    "honour_loans": _("Honour loans"),
    "financing": _("Financial support"),
    "fair": _("Fairs and market access"),
    "formalities": _("Help with formalities"),
}
# … and written into the convention's French objectives, which are data in French.
GROUPS_FR = {
    "tpe": "TPE",
    "sme": "petites et moyennes entreprises",
    "cooperatives": "coopératives",
    "auto_entrepreneurs": "auto-entrepreneurs",
    "young_people": "jeunes",
    "women": "femmes",
    "rural": "monde rural",
    "project_holders": "porteurs de projets",
    "ess": "économie sociale et solidaire",
    "artisans": "artisans",
}
SERVICES_FR = {
    "training": "formation",
    "coaching": "accompagnement",
    "mentoring": "mentorat",
    "group_counselling": "conseil de groupe",
    "mobile_unit": "unité mobile (bus)",
    "maison_des_tpe": "maison des TPE",
    "honour_loans": "prêts d'honneur",
    "financing": "soutien financier",
    "fair": "foires et commercialisation",
    "formalities": "aide aux formalités",
}


@dataclass
class PartyChoice:
    partner: Partner | None  # None: a partner essor does not have yet
    name: str
    acronym: str = ""
    kind: str = "other"
    region: Region | None = None
    amount: Decimal | None = None
    roles: list[str] = field(default_factory=list)


@dataclass
class TargetChoice:
    indicator: str
    value: Decimal
    label: str = ""


@dataclass
class CommitteeChoice:
    name: str
    chair: str = ""
    mandate: str = ""


@dataclass
class AcceptedDraft:
    """What the user kept of one proposal, as edited."""

    reference: str
    title: str
    kind: str = ConventionKind.PARTNERSHIP
    envelope: Decimal | None = None
    regions: list[Region] = field(default_factory=list)
    start_on: date | None = None
    end_on: date | None = None
    signed_on: date | None = None
    objectives: str = ""
    target_groups: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    parties: list[PartyChoice] = field(default_factory=list)
    targets: list[TargetChoice] = field(default_factory=list)
    committee: CommitteeChoice | None = None
    source: str = ""


def suggest_reference(kind: str, region: str | None, year: int | None, taken: set[str]) -> str:
    """``CONV-01-2023-01``: free in the database and among the other drafts of the page."""
    prefix = "CP" if kind == ConventionKind.PROGRAMME_CONTRACT else "CONV"
    stem = f"{prefix}-{region or 'MA'}-{year or timezone.localdate().year}"
    used = set(
        Convention.objects.filter(reference__startswith=stem).values_list("reference", flat=True)
    )
    number = 1
    while f"{stem}-{number:02d}" in used | taken:
        number += 1
    return f"{stem}-{number:02d}"


def _objectives(draft: AcceptedDraft) -> str:
    parts = [draft.objectives.strip()] if draft.objectives.strip() else []
    if draft.target_groups:
        groups = ", ".join(GROUPS_FR.get(g, g) for g in draft.target_groups)
        parts.append(f"Publics cibles : {groups}.")
    if draft.services:
        offered = ", ".join(SERVICES_FR.get(s, s) for s in draft.services)
        parts.append(f"Services prévus : {offered}.")
    return "\n".join(parts)


def _new_partner(actor: User, choice: PartyChoice) -> Partner:
    from essor.accounts import services as account_services

    base = slugify(choice.acronym or choice.name)[:34] or "partenaire"
    code, number = base, 1
    while Partner.objects.filter(code=code).exists():
        number += 1
        code = f"{base}-{number}"
    return account_services.partner_create(
        actor=actor,
        code=code,
        acronym=choice.acronym[:40],
        name_fr=choice.name[:255],
        kind=choice.kind,
        region=choice.region,
    )


@transaction.atomic
def draft_save(*, actor: User, owner: Partner, draft: AcceptedDraft) -> Convention:
    """Create the draft convention with the parties, targets and committee the user kept."""
    may_create_partners = actor.can(Cap.PARTNER_MANAGE_ALL)
    missing: list[str] = []
    parties: list[tuple[Partner, PartyChoice]] = []
    for choice in draft.parties:
        partner = choice.partner
        if partner is None and may_create_partners:
            partner = _new_partner(actor, choice)
        if partner is None:
            amount = f", {format_mad(choice.amount, 'fr')}" if choice.amount else ""
            acronym = f" ({choice.acronym})" if choice.acronym not in ("", choice.name) else ""
            missing.append(f"{choice.name}{acronym}{amount}")
            continue
        if all(p.pk != partner.pk for p, _c in parties):
            parties.append((partner, choice))
    source = draft.source
    if missing:
        source = (
            "Partenaires cités dans le texte, pas encore dans essor : "
            + " ; ".join(missing)
            + ".\n\n"
            + source
        )
    convention = services.convention_create(
        actor=actor,
        owner=owner,
        regions=draft.regions,
        reference=draft.reference,
        title_fr=draft.title,
        kind=draft.kind,
        envelope=draft.envelope,
        start_on=draft.start_on,
        end_on=draft.end_on,
        signed_on=draft.signed_on,
        objectives_fr=_objectives(draft),
        source=source,
    )
    for partner, choice in parties:
        services.party_add(
            actor=actor,
            convention=convention,
            partner=partner,
            roles=choice.roles,
            pledged=choice.amount,
        )
    for target in draft.targets:
        services.target_add(
            actor=actor,
            convention=convention,
            indicator=target.indicator,
            value=target.value,
            label_fr=target.label[:300],
            due_on=draft.end_on,
        )
    if draft.committee is not None:
        services.committee_set(
            actor=actor,
            convention=convention,
            name=draft.committee.name,
            chair=draft.committee.chair,
            mandate=draft.committee.mandate,
        )
    return convention
