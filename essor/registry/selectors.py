"""Reads of the registry: search as a counsellor types, and filtered lists for export."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from essor.accounts.models import User
from essor.accounts.scoping import ALL, visible_partner_ids

from . import identifiers
from .models import (
    Organisation,
    OrganisationKind,
    OrganisationNameKey,
    Person,
    PersonHolding,
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


WALK_COUNT_CAP = 5_000


def _person_conditions(actor: User, filters: PersonFilters) -> list[Any]:
    """The person-level filters, as conditions on a name key's ``person_id``."""
    conditions: list[Any] = []
    ids = visible_partner_ids(actor)
    if ids is not ALL:
        if not ids:
            return [Q(pk__in=[])]
        conditions.append(
            Exists(
                PersonHolding.objects.filter(person_id=OuterRef("person_id"), partner_id__in=ids)
            )
        )
    person = Person.objects.filter(pk=OuterRef("person_id"))
    narrowed = False
    if not filters.include_archived:
        person, narrowed = person.filter(archived_at__isnull=True), True
    if filters.sex:
        person, narrowed = person.filter(sex=filters.sex), True
    if filters.commune:
        person, narrowed = person.filter(commune__code__startswith=filters.commune), True
    if narrowed:
        conditions.append(Exists(person))
    return conditions


def _prefix(prefix: str) -> Q:
    return Q(key__startswith=prefix)


def _token_condition(token: str, *, exact: bool) -> Q:
    folded, skel = query_keys(token)
    if token in ARTICLES:
        return _prefix(folded) | Q(key=skel)  # el, al, l' meet each other, not every l- name
    if exact or len(token) < SKELETON_MIN:
        return _prefix(folded)
    return _prefix(folded) | _prefix(skel)


def _walk_prefix(token: str, *, exact: bool) -> str:
    """The key range a phase walks for this word: its spelling, or its skeleton."""
    folded, skel = query_keys(token)
    if exact or len(token) < SKELETON_MIN or token in ARTICLES:
        return folded
    return skel


def _walk(
    token: str,
    others: list[str],
    *,
    exact: bool,
    base: list[Any],
    exclude_exact: list[str] | None,
    offset: int,
    count: int,
) -> list[int]:
    """Person ids in the order of the walked word's keys, each meeting every other condition.

    The database reads the key index in order and stops once it has enough rows: the cost
    follows the page, not the number of people who share a common name.
    """
    keys = PersonNameKey.objects.filter(_prefix(_walk_prefix(token, exact=exact)))
    for condition in base:
        keys = keys.filter(condition)
    for other in others:
        keys = keys.filter(
            Exists(
                PersonNameKey.objects.filter(
                    _token_condition(other, exact=exact), person_id=OuterRef("person_id")
                )
            )
        )
    if exclude_exact:
        spelled = Q()
        for word in exclude_exact:
            spelled &= Q(
                Exists(
                    PersonNameKey.objects.filter(
                        _token_condition(word, exact=True), person_id=OuterRef("person_id")
                    )
                )
            )
        keys = keys.exclude(spelled)
    ids: list[int] = []
    seen: set[int] = set()
    # A person may own several keys in the range (first and last name): read a little more.
    chunk = keys.order_by("key", "person_id").values_list("person_id", flat=True)
    for person_id in chunk[: offset + 2 * count + 10]:
        if person_id not in seen:
            seen.add(person_id)
            ids.append(person_id)
    return ids[offset : offset + count]


def _rarest_token(tokens: list[str], *, exact: bool) -> str:
    """The typed word whose key range is the shortest (counted up to a cap)."""
    best, best_count = tokens[0], WALK_COUNT_CAP + 1
    for token in tokens:
        prefix = _walk_prefix(token, exact=exact)
        count = PersonNameKey.objects.filter(_prefix(prefix))[: WALK_COUNT_CAP + 1].count()
        if count < best_count:
            best, best_count = token, count
    return best


def person_search_page(
    *, actor: User, filters: PersonFilters, limit: int = SEARCH_LIMIT, offset: int = 0
) -> SearchPage:
    """One page of results as the counsellor types: names as spelled first, then variants.

    Each phase walks the key index of the rarest typed word in order and stops at a page: a
    common surname shared by tens of thousands of people costs no more than a rare one.
    """
    persons = _scoped_persons(actor, filters)
    query = filters.query.strip()
    if query and (found := _identifier_match(persons, query)) is not None:
        rows = list(found.order_by(*ORDER)[offset : offset + limit + 1])
        return SearchPage(rows[:limit], len(rows) > limit, offset + limit)
    tokens = _tokens(query) if query else []
    if not tokens:
        rows = [] if query else list(persons.order_by(*ORDER)[offset : offset + limit + 1])
        return SearchPage(rows[:limit], len(rows) > limit, offset + limit)
    base = _person_conditions(actor, filters)
    walk = _rarest_token(tokens, exact=True)
    others = [t for t in tokens if t is not walk]
    ids = _walk(
        walk, others, exact=True, base=base, exclude_exact=None, offset=offset, count=limit + 1
    )
    if len(ids) <= limit:
        # Spelled matches end on this page: continue with the spelling variants.
        if ids or not offset:
            spelled_total = offset + len(ids)
        else:
            spelled_total = len(
                _walk(
                    walk, others, exact=True, base=base, exclude_exact=None, offset=0, count=offset
                )
            )
        loose_walk = _rarest_token(tokens, exact=False)
        ids += _walk(
            loose_walk,
            [t for t in tokens if t is not loose_walk],
            exact=False,
            base=base,
            exclude_exact=tokens,
            offset=max(0, offset - spelled_total),
            count=limit + 1 - len(ids),
        )
    by_id = Person.objects.select_related("commune").in_bulk(ids[:limit])
    return SearchPage(
        [by_id[i] for i in ids[:limit] if i in by_id], len(ids) > limit, offset + limit
    )


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
