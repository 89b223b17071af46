"""Applications: entered by staff or submitted on the public form, then screened.

Screening builds a :class:`~essor.programmes.screening.Subject` from the registry (the person,
their enterprise and its members) and from the application's figures, looks up prior support
in essor's own records (commitments, enrolments) and in partners' exclusion lists, and keeps
every rule's result with the evidence it used.
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from essor.core.audit import save_audited

from .models import (
    Application,
    ApplicationStatus,
    Channel,
    Programme,
    RuleKind,
    Screening,
)
from .screening import PriorSupport, Subject, evaluate, outcome

if TYPE_CHECKING:
    from essor.accounts.models import User
    from essor.registry.models import Organisation, Person

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
APPLICATION_FIELDS = [
    "project_title",
    "project_description",
    "sector",
    "project_cost",
    "requested",
    "own_contribution",
]
OPEN_STATUSES = [s for s in ApplicationStatus.values if s != ApplicationStatus.WITHDRAWN]


def new_receipt(programme: Programme) -> str:
    """``ESS-7KQ4-M2XD``: hard to guess, easy to read aloud, unique."""
    prefix = "".join(ch for ch in programme.code.upper() if ch.isalnum())[:4] or "ESS"
    while True:
        body = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))
        receipt = f"{prefix}-{body[:4]}-{body[4:]}"
        if not Application.objects.filter(receipt=receipt).exists():
            return receipt


def _check_money(values: dict[str, Any]) -> None:
    from essor.core.money import check_amount

    for field in ("project_cost", "requested", "own_contribution"):
        if values.get(field) is not None:
            check_amount(values[field], allow_zero=field == "own_contribution", field=field)
    cost, requested = values.get("project_cost"), values.get("requested")
    if cost is not None and requested is not None and requested > cost:
        raise ValidationError(
            {"requested": _("The amount requested cannot be more than the project's cost.")}
        )


def already_applied(programme: Programme, person: Person | None, organisation: Any) -> bool:
    rows = Application.objects.filter(programme=programme, status__in=OPEN_STATUSES)
    if person is not None:
        return rows.filter(person=person).exists()
    return rows.filter(organisation=organisation).exists()


@transaction.atomic
def application_create(
    *,
    actor: User | None,
    programme: Programme,
    person: Person | None = None,
    organisation: Organisation | None = None,
    channel: str = Channel.STAFF,
    submitted_on: date | None = None,
    submission_key: str = "",
    **values: Any,
) -> Application:
    """Record an application; the same applicant applies once to a programme."""
    if person is None and organisation is None:
        raise ValidationError(_("Choose the applicant: a project holder or an enterprise."))
    values = {k: v for k, v in values.items() if k in APPLICATION_FIELDS}
    _check_money(values)
    if already_applied(programme, person, organisation):
        raise ValidationError(
            _("This applicant has already applied to this programme: follow that application.")
        )
    application = Application(
        holder=programme.operator,
        programme=programme,
        person=person,
        organisation=organisation,
        receipt=new_receipt(programme),
        channel=channel,
        submitted_on=submitted_on or timezone.localdate(),
        submission_key=submission_key,
        entered_by=actor,
        **values,
    )
    save_audited(application, actor=actor, verb="programmes.application.submitted")
    return application


# --- The public form -------------------------------------------------------------------------

PUBLIC_PURPOSE = "Candidature au programme %(code)s"


@transaction.atomic
def public_apply(
    *,
    programme: Programme,
    person_data: dict[str, Any],
    application_data: dict[str, Any],
    submission_key: str,
    information_text: str,
) -> tuple[Application, bool]:
    """Apply through the public form; return (application, created).

    The same form sent twice (same ``submission_key``) gives back the first application. A CIN
    already in the registry is the same person: the application links to them (the form never
    shows what essor holds). A second application of the same person to the programme is
    refused without telling its receipt, which only its author has.
    """
    from essor.registry import services as registry
    from essor.registry.models import Person

    existing = Application.objects.filter(submission_key=submission_key).first()
    if submission_key and existing is not None:
        return existing, False
    today = timezone.localdate()
    if programme.closes_on and programme.closes_on < today:
        raise ValidationError(_("Applications to this programme are closed."))
    if programme.opens_on and programme.opens_on > today:
        raise ValidationError(_("Applications to this programme are not open yet."))
    clean = registry.person_clean(person_data)
    person = Person.objects.filter(cin=clean["cin"]).first() if clean.get("cin") else None
    if person is not None and not _same_person(person, clean):
        # A CIN typed with other details: never hand that record to the programme's partner.
        raise ValidationError(
            {
                "cin": _(
                    "This CIN is registered with other details. Check it, or apply at the "
                    "maison des TPE with your identity card."
                )
            }
        )
    if person is not None and already_applied(programme, person, None):
        raise ValidationError(
            {
                "cin": _(
                    "An application with this CIN is already registered for this programme. "
                    "Follow it with the receipt number you were given."
                )
            }
        )
    try:
        with transaction.atomic():
            if person is None:
                person = registry.person_create(
                    actor=None, partner=programme.operator, source="public form", **person_data
                )
            else:
                registry.person_hold(
                    person=person, partner=programme.operator, source="public form"
                )
            registry.consent_record(
                actor=None,
                person=person,
                partner=programme.operator,
                given_on=today,
                purpose=PUBLIC_PURPOSE % {"code": programme.code},
                information_text=information_text,
            )
            application = application_create(
                actor=None,
                programme=programme,
                person=person,
                channel=Channel.PUBLIC,
                submission_key=submission_key,
                **application_data,
            )
    except IntegrityError:  # the same form sent twice at the same moment: the first one won
        first = Application.objects.filter(submission_key=submission_key).first()
        if first is None:
            raise
        return first, False
    return application, True


def _same_person(person: Person, typed: dict[str, Any]) -> bool:
    """The registry's person is the one typing: same birth date and same family name."""
    from essor.registry.names import fold

    if person.birth_date is None or person.birth_date != typed.get("birth_date"):
        return False
    known = {fold(n) for n in (person.last_name, person.last_name_ar) if n}
    given = {fold(str(typed.get(k) or "")) for k in ("last_name", "last_name_ar")} - {""}
    return bool(known & given)


def follow(receipt: str, cin: str) -> Application | None:
    """The application of a receipt, if the CIN given is the applicant's (public follow-up)."""
    from essor.registry.identifiers import clean_cin

    try:
        cin = clean_cin(cin)
    except ValidationError:
        return None
    if not cin:
        return None
    return (
        Application.objects.select_related("programme")
        .filter(receipt=receipt.strip().upper(), person__cin=cin)
        .first()
    )


# --- Screening --------------------------------------------------------------------------------


def prior_support(
    *, person: Person | None, organisation: Organisation | None, codes: list[str]
) -> list[PriorSupport]:
    """Supports the applicant already had from the named programmes, with where each was found.

    Read from ``essor.linkage.support`` (the "already supported?" panel reads the same), so a
    person's sure duplicates not yet merged count as them.
    """
    from essor.linkage.support import supports

    seen = dict.fromkeys(
        (s.code, s.year, s.source)
        for s in supports(person=person, organisation=organisation, codes=codes)
    )
    return [PriorSupport(code, year, source) for code, year, source in seen]


def subject_for(application: Application, *, on: date | None = None) -> Subject:
    """What the registry and the application tell about the applicant."""
    from essor.registry.models import OrganisationKind
    from essor.registry.selectors import cooperative_shares

    person, org = application.person, application.organisation
    on = on or application.submitted_on
    commune = (org.commune if org is not None and org.commune_id else None) or (
        person.commune if person is not None else None
    )
    subject = Subject(on=on)
    if person is not None:
        subject.age = person.age(on)
        subject.sex = person.sex or None
    if commune is not None:
        subject.commune = commune.code
        subject.province = commune.province.code
        subject.region = commune.region.code
        subject.rural = commune.is_rural
        subject.place = commune.name_fr
    if org is not None:
        subject.legal_form = org.kind
        subject.sector = org.sector.code if org.sector is not None else None
        if org.created_on:
            subject.organisation_age = (
                on.year
                - org.created_on.year
                - ((on.month, on.day) < (org.created_on.month, org.created_on.day))
            )
        subject.turnover = org.annual_turnover
        if org.employees_women is not None or org.employees_men is not None:
            subject.employees = (org.employees_women or 0) + (org.employees_men or 0)
        shares = cooperative_shares(org)
        subject.women_pct, subject.young_pct = shares["women_pct"], shares["young_pct"]
        subject.beneficiary_kind = (
            "cooperative" if org.kind == OrganisationKind.COOPERATIVE else "tpe"
        )
    else:
        subject.legal_form = OrganisationKind.INFORMAL
    if application.sector_id and not subject.sector:
        subject.sector = application.sector.code if application.sector else None
    subject.project_cost = application.project_cost
    subject.requested = application.requested
    subject.own_contribution = application.own_contribution
    return subject


@transaction.atomic
def application_screen(*, actor: User | None, application: Application) -> Screening:
    """Evaluate every rule; the application becomes eligible, not eligible or incomplete."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    rules = list(application.programme.eligibility_rules.all())
    subject = subject_for(application)
    codes = sorted(
        {
            code
            for rule in rules
            if rule.kind == RuleKind.PRIOR_SUPPORT
            for code in rule.params["programmes"]
        }
    )
    person, org = application.person, application.organisation
    has_key = bool((person and person.cin) or (org and org.ice))
    evidence: dict[str, Any] = {}
    if codes:
        supports = prior_support(person=person, organisation=org, codes=codes)
        # Without a CIN or ICE, exclusion lists cannot be searched: a clean record is not proof.
        subject.prior = supports if (has_key or supports) else None
        evidence["prior_support"] = [s.__dict__ for s in supports]
        evidence["looked_up"] = {"programmes": codes, "cin_or_ice": has_key}
    results = evaluate(rules, subject)
    result = outcome(results)
    screening = Screening.objects.create(
        application=application,
        ran_at=timezone.now(),
        ran_by=actor,
        outcome=result,
        results=[r.as_dict() for r in results],
        evidence=evidence | {"subject": _subject_evidence(subject)},
    )
    if application.status in (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.ELIGIBLE,
        ApplicationStatus.INELIGIBLE,
        ApplicationStatus.INCOMPLETE,
    ):
        application.status = result
        save_audited(
            application,
            actor=actor,
            verb=f"programmes.application.{result}",
            update_fields=["status", "updated_at"],
        )
    return screening


def _subject_evidence(subject: Subject) -> dict[str, Any]:
    values = {k: v for k, v in subject.__dict__.items() if k not in {"prior", "on"}}
    return {k: (str(v) if isinstance(v, (Decimal, date)) else v) for k, v in values.items()}
