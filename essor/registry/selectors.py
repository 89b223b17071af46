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


def _scoped_persons(actor: User, filters: PersonFilters) -> QuerySet[Person]:
    persons = Person.objects.visible_to(actor).select_related("commune")
    if not filters.include_archived:
        persons = persons.filter(archived_at__isnull=True)
    if filters.sex:
        persons = persons.filter(sex=filters.sex)
    if filters.commune:
        persons = persons.filter(commune__code__startswith=filters.commune)
    return persons


def _identifier_match(persons: QuerySet[Person], query: str) -> QuerySet[Person] | None:
    """A query that is a CIN or a phone number finds by it, exactly."""
    if CIN_LIKE.match(query):
        try:
            return persons.filter(cin=identifiers.clean_cin(query))
        except Exception:
            pass
    if phone := _phone_or_none(query):
        return persons.filter(phone=phone)
    if len(DIGITS.findall(query)) >= 6 and not re.search(r"[^\d\s+().-]", query):
        return persons.none()  # a number that is no valid phone: nobody, rather than a name search
    return None


def _tokens(query: str) -> list[str]:
    """The words that search: an article (el, al) counts only when typed alone."""
    words = [t for t in fold(query).split() if len(t) >= MIN_TOKEN]
    meaningful = [t for t in words if t not in ARTICLES]
    return meaningful or words


ORDER = ("last_name", "first_name", "id")


def person_list(*, actor: User, filters: PersonFilters | None = None) -> QuerySet[Person]:
    """Every person the actor may see that matches the filters, by name (exports, API)."""
    filters = filters or PersonFilters()
    persons = _scoped_persons(actor, filters)
    query = filters.query.strip()
    if not query:
        return persons.order_by(*ORDER)
    if (found := _identifier_match(persons, query)) is not None:
        return found
    tokens = _tokens(query)
    if not tokens:
        return persons.none()
    for token in tokens:
        persons = persons.filter(_key_filter(PersonNameKey, "person", token))
    return persons.order_by(*ORDER)


@dataclass(frozen=True)
class SearchPage:
    results: list[Person]
    has_more: bool
    next_offset: int


CANDIDATE_CAP = 20_000


def _conditions(tokens: list[str], *, exact: bool) -> list[Q]:
    conditions = []
    for token in tokens:
        folded, skel = query_keys(token)
        condition = Q(key__startswith=folded)
        if token in ARTICLES:
            condition |= Q(key=skel)  # el, al, l' meet each other, not every name in l-
        elif not exact and len(token) >= SKELETON_MIN:
            condition |= Q(key__startswith=skel)
        conditions.append(condition)
    return conditions


def _has_key(condition: Q) -> Exists:
    return Exists(PersonNameKey.objects.filter(condition, person=OuterRef("pk")))


def _rarest(conditions: list[Q]) -> Q | None:
    """The condition that the fewest name keys meet, if it is rare enough to start from."""
    best, best_count = None, CANDIDATE_CAP + 1
    for condition in conditions:
        count = PersonNameKey.objects.filter(condition)[: CANDIDATE_CAP + 1].count()
        if count < best_count:
            best, best_count = condition, count
    return best if best_count <= CANDIDATE_CAP else None


def person_search_page(
    *, actor: User, filters: PersonFilters, limit: int = SEARCH_LIMIT, offset: int = 0
) -> SearchPage:
    """One page of results as the counsellor types, names as spelled before their variants.

    When one typed word is rare, its few thousand candidates are ranked in one query. When
    every word is common, names as spelled are listed first, then the variants, each query an
    ordered filter with a limit that the database stops early: no query reads a million rows.
    """
    persons = _scoped_persons(actor, filters)
    query = filters.query.strip()
    window = slice(offset, offset + limit + 1)
    if query and (found := _identifier_match(persons, query)) is not None:
        rows = list(found.order_by(*ORDER)[window])
        return SearchPage(rows[:limit], len(rows) > limit, offset + limit)
    tokens = _tokens(query) if query else []
    if not tokens:
        rows = [] if query else list(persons.order_by(*ORDER)[window])
        return SearchPage(rows[:limit], len(rows) > limit, offset + limit)
    loose = _conditions(tokens, exact=False)
    strict = _conditions(tokens, exact=True)
    matching = persons
    for condition in loose:
        matching = matching.filter(_has_key(condition))
    if (rarest := _rarest(loose)) is not None:
        candidates = PersonNameKey.objects.filter(rarest).values("person_id")
        score: Any = Value(0)
        for condition in strict:
            score = score + Case(
                When(_has_key(condition), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        ranked = matching.filter(pk__in=candidates).annotate(score=score)
        rows = list(ranked.order_by("-score", *ORDER)[window])
        return SearchPage(rows[:limit], len(rows) > limit, offset + limit)
    exact = persons
    for condition in strict:
        exact = exact.filter(_has_key(condition))
    rows = list(exact.order_by(*ORDER)[window])
    if len(rows) > limit:
        return SearchPage(rows[:limit], True, offset + limit)
    exact_count = offset + len(rows) if rows or not offset else exact.count()
    exact_all = Q()
    for condition in strict:
        exact_all &= Q(_has_key(condition))
    start = max(0, offset - exact_count)
    wanted = limit - len(rows)
    more = list(matching.exclude(exact_all).order_by(*ORDER)[start : start + wanted + 1])
    return SearchPage(rows + more[:wanted], len(more) > wanted, offset + limit)


def person_search(*, actor: User, query: str, limit: int = SEARCH_LIMIT) -> list[Person]:
    return person_search_page(actor=actor, filters=PersonFilters(query=query), limit=limit).results


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
