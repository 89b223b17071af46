"""Writes on the registry: one service per change, each in the audit trail.

Validation of a person or organisation lives in :func:`person_clean` and
:func:`organisation_clean`, shared by the pages, the API and the import, so that a rule is
stated once and every entry point answers with the same message.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from essor.accounts.models import Partner, User
from essor.accounts.roles import Cap
from essor.core.audit import save_audited
from essor.core.text import clean_line

from . import identifiers, search_index
from .models import (
    Consent,
    Membership,
    Organisation,
    OrganisationHolding,
    OrganisationNameKey,
    Person,
    PersonHolding,
    PersonNameKey,
)
from .names import identity_key, is_arabic, name_keys, person_name_keys

MIN_AGE = 15
MAX_AGE = 100

PERSON_FIELDS = (
    "first_name",
    "last_name",
    "first_name_ar",
    "last_name_ar",
    "sex",
    "birth_date",
    "cin",
    "phone",
    "email",
    "address",
    "commune",
    "education_level",
)
ORGANISATION_FIELDS = (
    "kind",
    "name_fr",
    "name_ar",
    "ice",
    "tax_id",
    "rc_number",
    "rc_court",
    "cnss",
    "cooperative_registration",
    "rnae_number",
    "sector",
    "created_on",
    "commune",
    "employees_women",
    "employees_men",
    "annual_turnover",
)


def person_clean(data: dict[str, Any], *, today: date | None = None) -> dict[str, Any]:
    """Normalise identifiers and check the rules; raise one ValidationError per field."""
    errors: dict[str, list[str]] = {}
    clean = dict(data)
    for field, cleaner in (("cin", identifiers.clean_cin), ("phone", identifiers.clean_phone)):
        if field in clean:
            try:
                clean[field] = cleaner(clean[field])
            except ValidationError as error:
                errors[field] = error.messages
    for field in ("first_name", "last_name", "first_name_ar", "last_name_ar", "email", "address"):
        if field in clean:
            clean[field] = clean_line(clean[field])  # no invisible characters (core.text)
    for latin, arabic in (("first_name", "first_name_ar"), ("last_name", "last_name_ar")):
        # A name typed in the other script's box goes to its own box (lists often have one).
        if is_arabic(clean.get(latin) or "") and not clean.get(arabic):
            clean[arabic], clean[latin] = clean[latin], ""
        elif (
            (clean.get(arabic) or "").strip()
            and not is_arabic(clean[arabic])
            and not clean.get(latin)
        ):
            clean[latin], clean[arabic] = clean[arabic], ""
    names = [clean.get(f) for f in ("first_name", "last_name", "first_name_ar", "last_name_ar")]
    if "first_name" in clean and not any(names):
        errors.setdefault("last_name", []).append(
            _("Give at least a name, in Latin or in Arabic script.")
        )
    birth = clean.get("birth_date")
    if birth:
        today = today or timezone.localdate()
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        if birth > today:
            errors.setdefault("birth_date", []).append(
                _("The birth date %(date)s is in the future.")
                % {"date": birth.strftime("%d/%m/%Y")}
            )
        elif age < MIN_AGE:
            errors.setdefault("birth_date", []).append(
                _("Born on %(date)s, this person is %(age)s: a project holder is at least %(min)s.")
                % {"date": birth.strftime("%d/%m/%Y"), "age": age, "min": MIN_AGE}
            )
        elif age > MAX_AGE:
            errors.setdefault("birth_date", []).append(
                _("Born on %(date)s, this person would be %(age)s: check the year.")
                % {"date": birth.strftime("%d/%m/%Y"), "age": age}
            )
    if errors:
        raise ValidationError(errors)
    return clean


def organisation_clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean = dict(data)
    if "ice" in clean:
        try:
            clean["ice"] = identifiers.clean_ice(clean["ice"])
        except ValidationError as error:
            errors["ice"] = error.messages
    for field, label in (("tax_id", "IF"), ("cnss", "CNSS"), ("rnae_number", "RNAE")):
        if field in clean:
            try:
                clean[field] = identifiers.clean_digits(clean[field], label=label)
            except ValidationError as error:
                errors[field] = error.messages
    for field in ("name_fr", "name_ar", "rc_number", "rc_court", "cooperative_registration"):
        if field in clean:
            clean[field] = clean_line(clean[field])  # no invisible characters (core.text)
    if "name_fr" in clean and not (clean.get("name_fr") or clean.get("name_ar")):
        errors.setdefault("name_fr", []).append(
            _("Give the organisation's name, in Latin or in Arabic script.")
        )
    created = clean.get("created_on")
    if created and created > timezone.localdate():
        errors.setdefault("created_on", []).append(_("The creation date is in the future."))
    if errors:
        raise ValidationError(errors)
    return clean


def _require_change(actor: User | None) -> None:
    if actor is not None and not actor.can(Cap.PERSONAL_CHANGE):
        raise PermissionDenied


def _duplicate_cin_error(cin: str) -> ValidationError:
    return ValidationError(
        {
            "cin": [
                _(
                    "A person with the CIN %(cin)s is already in the registry. Search for them "
                    "instead of creating them again."
                )
                % {"cin": identifiers.mask_cin(cin)}
            ]
        }
    )


def person_identity_key(person: Person) -> str:
    return identity_key(
        person.first_name,
        person.last_name,
        person.first_name_ar,
        person.last_name_ar,
        person.birth_date,
    )


def rebuild_person_keys(person: Person) -> None:
    rebuild_person_keys_many([person])


def rebuild_person_keys_many(persons: list[Person]) -> None:
    """The search and link keys of these persons, from their names as they now stand."""
    if not persons:
        return
    PersonNameKey.objects.filter(person__in=persons).delete()
    PersonNameKey.objects.bulk_create(
        (
            PersonNameKey(person=person, key=k[:64])
            for person in persons
            for k in sorted(
                person_name_keys(
                    person.first_name, person.last_name, person.first_name_ar, person.last_name_ar
                )
            )
        ),
        batch_size=5000,
    )
    search_index.refresh([person.pk for person in persons])


def rebuild_organisation_keys(organisation: Organisation) -> None:
    OrganisationNameKey.objects.filter(organisation=organisation).delete()
    keys = name_keys(organisation.name_fr, organisation.name_ar)
    OrganisationNameKey.objects.bulk_create(
        OrganisationNameKey(organisation=organisation, key=k[:64]) for k in sorted(keys)
    )


def person_hold(*, person: Person, partner: Partner, source: str = "") -> bool:
    """Make ``partner`` one of the person's holders; True when it was not one already."""
    _, created = PersonHolding.objects.get_or_create(
        person=person, partner=partner, defaults={"source": source[:120]}
    )
    if created:
        search_index.refresh([person.pk])
    return created


@transaction.atomic
def person_create(*, actor: User | None, partner: Partner, source: str = "", **data: Any) -> Person:
    """Register a person held by ``partner``. A CIN already in the registry is refused."""
    _require_change(actor)
    clean = person_clean({k: v for k, v in data.items() if k in PERSON_FIELDS})
    if clean.get("cin") and Person.objects.filter(cin=clean["cin"]).exists():
        raise _duplicate_cin_error(clean["cin"])
    person = Person(registered_by=partner, **clean)
    person.identity_key = person_identity_key(person)
    save_audited(person, actor=actor, verb="registry.person.created")
    person_hold(person=person, partner=partner, source=source or "entered")
    rebuild_person_keys(person)
    return person


@transaction.atomic
def person_update(*, actor: User | None, person: Person, **data: Any) -> list[str]:
    """Change the given fields; return the names of the fields that changed."""
    _require_change(actor)
    clean = person_clean({k: v for k, v in data.items() if k in PERSON_FIELDS})
    if clean.get("cin") and Person.objects.filter(cin=clean["cin"]).exclude(pk=person.pk).exists():
        raise _duplicate_cin_error(clean["cin"])
    changed = [name for name, value in clean.items() if getattr(person, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(person, name, clean[name])
    person.identity_key = person_identity_key(person)
    save_audited(person, actor=actor, verb="registry.person.updated")
    if {"first_name", "last_name", "first_name_ar", "last_name_ar"} & set(changed):
        rebuild_person_keys(person)
    return changed


@transaction.atomic
def person_archive(*, actor: User, person: Person, reason: str) -> None:
    _require_change(actor)
    person.archive(actor=actor, reason=reason)


@transaction.atomic
def consent_record(
    *,
    actor: User | None,
    person: Person,
    partner: Partner,
    given_on: date,
    purpose: str,
    information_text: str,
) -> Consent:
    consent = Consent(
        person=person,
        partner=partner,
        given_on=given_on,
        purpose=purpose,
        information_text=information_text,
        collected_by=actor,
    )
    save_audited(consent, actor=actor, verb="registry.consent.recorded")
    return consent


def _duplicate_ice_error(ice: str) -> ValidationError:
    return ValidationError(
        {
            "ice": [
                _("An organisation with the ICE %(ice)s is already in the registry.") % {"ice": ice}
            ]
        }
    )


@transaction.atomic
def organisation_create(
    *, actor: User | None, partner: Partner, source: str = "", **data: Any
) -> Organisation:
    _require_change(actor)
    clean = organisation_clean({k: v for k, v in data.items() if k in ORGANISATION_FIELDS})
    if clean.get("ice") and Organisation.objects.filter(ice=clean["ice"]).exists():
        raise _duplicate_ice_error(clean["ice"])
    organisation = Organisation(registered_by=partner, **clean)
    save_audited(organisation, actor=actor, verb="registry.organisation.created")
    OrganisationHolding.objects.get_or_create(
        organisation=organisation, partner=partner, defaults={"source": source or "entered"}
    )
    rebuild_organisation_keys(organisation)
    return organisation


@transaction.atomic
def organisation_update(
    *, actor: User | None, organisation: Organisation, **data: Any
) -> list[str]:
    _require_change(actor)
    clean = organisation_clean({k: v for k, v in data.items() if k in ORGANISATION_FIELDS})
    if (
        clean.get("ice")
        and Organisation.objects.filter(ice=clean["ice"]).exclude(pk=organisation.pk).exists()
    ):
        raise _duplicate_ice_error(clean["ice"])
    changed = [name for name, value in clean.items() if getattr(organisation, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(organisation, name, clean[name])
    save_audited(organisation, actor=actor, verb="registry.organisation.updated")
    if {"name_fr", "name_ar"} & set(changed):
        rebuild_organisation_keys(organisation)
    return changed


@transaction.atomic
def membership_add(
    *,
    actor: User | None,
    organisation: Organisation,
    person: Person,
    role: str,
    since: date | None = None,
) -> Membership:
    _require_change(actor)
    existing = Membership.objects.filter(
        organisation=organisation, person=person, role=role
    ).first()
    if existing is not None:
        return existing
    membership = Membership(organisation=organisation, person=person, role=role, since=since)
    save_audited(membership, actor=actor, verb="registry.membership.added")
    return membership
