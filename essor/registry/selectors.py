"""Reads of the registry: search as a counsellor types, and filtered lists for export."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from essor.accounts.models import User

from . import identifiers
from .models import (
    Organisation,
    OrganisationKind,
    OrganisationNameKey,
    Person,
    PersonNameKey,
)
from .names import ARTICLES, fold, query_keys

SEARCH_LIMIT = 25
MIN_TOKEN = 2
CIN_LIKE = re.compile(r"^[A-Za-z]{1,2}\s*\d{1,7}$")
DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class PersonFilters:
    query: str = ""
    sex: str = ""
    commune: str = ""  # HCP code prefix: a region "01", a province "01.511" or a commune
    include_archived: bool = False


def _phone_or_none(text: str) -> str | None:
    if len(DIGITS.findall(text)) < 9:
        return None
    try:
        return identifiers.clean_phone(text)
    except Exception:
        return None


SKELETON_MIN = 4  # a short word's skeleton ("zz" -> "z") would match far too much


def _key_filter(model: type[Any], fk: str, token: str) -> Exists:
    folded, skel = query_keys(token)
    condition = Q(key__startswith=folded)
    if len(token) >= SKELETON_MIN or token in ARTICLES:
        condition |= Q(key__startswith=skel)
    return Exists(model.objects.filter(**{fk: OuterRef("pk")}).filter(condition))


def _exact_filter(model: type[Any], fk: str, token: str) -> Exists:
    folded, _ = query_keys(token)
    return Exists(model.objects.filter(**{fk: OuterRef("pk")}, key__startswith=folded))


def person_list(*, actor: User, filters: PersonFilters | None = None) -> QuerySet[Person]:
    """Persons the actor may see, matching the filters; exact spellings rank first."""
    filters = filters or PersonFilters()
    persons = Person.objects.visible_to(actor).select_related("commune")
    if not filters.include_archived:
        persons = persons.filter(archived_at__isnull=True)
    if filters.sex:
        persons = persons.filter(sex=filters.sex)
    if filters.commune:
        persons = persons.filter(commune__code__startswith=filters.commune)
    query = filters.query.strip()
    if not query:
        return persons.order_by("last_name", "first_name", "id")
    if CIN_LIKE.match(query):
        try:
            return persons.filter(cin=identifiers.clean_cin(query))
        except Exception:
            pass
    if phone := _phone_or_none(query):
        return persons.filter(phone=phone)
    tokens = [t for t in fold(query).split() if len(t) >= MIN_TOKEN]
    if not tokens:
        return persons.none()
    for token in tokens:
        persons = persons.filter(_key_filter(PersonNameKey, "person", token))
    # Rank by how many typed words match a name as spelled, before the spelling variants.
    exact: Any = Value(0)
    for token in tokens:
        exact = exact + Case(
            When(_exact_filter(PersonNameKey, "person", token), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return persons.annotate(exact=exact).order_by("-exact", "last_name", "first_name", "id")


def person_search(*, actor: User, query: str, limit: int = SEARCH_LIMIT) -> list[Person]:
    return list(person_list(actor=actor, filters=PersonFilters(query=query))[:limit])


@dataclass(frozen=True)
class OrganisationFilters:
    query: str = ""
    kind: str = ""
    sector: str = ""
    commune: str = ""
    include_archived: bool = False


def organisation_list(
    *, actor: User, filters: OrganisationFilters | None = None
) -> QuerySet[Organisation]:
    filters = filters or OrganisationFilters()
    orgs = Organisation.objects.visible_to(actor).select_related("commune", "sector")
    if not filters.include_archived:
        orgs = orgs.filter(archived_at__isnull=True)
    if filters.kind and filters.kind in OrganisationKind.values:
        orgs = orgs.filter(kind=filters.kind)
    if filters.sector:
        orgs = orgs.filter(sector__code=filters.sector)
    if filters.commune:
        orgs = orgs.filter(commune__code__startswith=filters.commune)
    query = filters.query.strip()
    if not query:
        return orgs.order_by("name_fr", "id")
    digits = re.sub(r"\D", "", query)
    if len(digits) == 15:
        return orgs.filter(ice=digits)
    tokens = [t for t in fold(query).split() if len(t) >= MIN_TOKEN]
    if not tokens:
        return orgs.none()
    for token in tokens:
        orgs = orgs.filter(_key_filter(OrganisationNameKey, "organisation", token))
    return orgs.order_by("name_fr", "id")


def organisation_members(organisation: Organisation) -> QuerySet[Any]:
    return organisation.memberships.select_related("person").order_by("role", "person__last_name")


def cooperative_shares(organisation: Organisation) -> dict[str, Any]:
    """Share of women and of young members (18-35) among a cooperative's current members."""
    members = Person.objects.filter(
        memberships__organisation=organisation, memberships__until__isnull=True
    ).distinct()
    total = members.count()
    if not total:
        return {"members": 0, "women_pct": None, "young_pct": None}
    women = members.filter(sex="F").count()
    young = sum(1 for p in members.only("birth_date") if (age := p.age()) is not None and age <= 35)
    return {
        "members": total,
        "women_pct": round(100 * women / total),
        "young_pct": round(100 * young / total),
    }


def registry_counts(*, actor: User) -> dict[str, int]:
    return {
        "persons": Person.objects.visible_to(actor).filter(archived_at__isnull=True).count(),
        "organisations": Organisation.objects.visible_to(actor)
        .filter(archived_at__isnull=True)
        .count(),
    }
