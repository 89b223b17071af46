"""Reads of the registry: search as a counsellor types, and filtered lists for export."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from essor.accounts.models import User
from essor.accounts.scoping import ALL, visible_partner_ids

from . import identifiers, search_index
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


def _loose(token: str, *, exact: bool) -> bool:
    """Whether a typed word also matches by its whole skeleton (spelling variants).

    Articles (el, al, l') always meet each other; other words only when variants are asked
    for and the word has 4 letters or more (a short word's skeleton matches far too much).
    """
    return token in ARTICLES or (not exact and len(token) >= SKELETON_MIN)


def _token_condition(token: str, *, exact: bool) -> Q:
    """Keys that match a typed word: its spelling as a prefix (the word may be unfinished) or
    a finished word's whole skeleton (a skeleton prefix matches too much)."""
    folded, skel = query_keys(token)
    if _loose(token, exact=exact):
        return Q(key__startswith=folded) | Q(key=skel)
    return Q(key__startswith=folded)


def _has_word(
    token: str, *, exact: bool, model: type[Any] = PersonNameKey, fk: str = "person"
) -> Exists:
    condition = _token_condition(token, exact=exact)
    return Exists(model.objects.filter(condition, **{fk: OuterRef("pk")}))


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
        persons = persons.filter(_has_word(token, exact=False))
    return persons.order_by(*ORDER)


@dataclass(frozen=True)
class SearchPage:
    results: list[Person]
    has_more: bool
    next_offset: int


RANGE_CAP = 2_000  # ids read from one word's key range before the word counts as "common"
COUNT_CAP = 20_000


def _walk_range(token: str, *, exact: bool) -> tuple[str, str]:
    """``[low, high)`` of the keys one phase walks in order for a word."""
    folded, skel = query_keys(token)
    if not _loose(token, exact=exact):
        return folded, folded[:-1] + chr(ord(folded[-1]) + 1)
    return skel, skel + "\x01"  # exactly the skeleton: keys hold no control characters


def _range_ids(token: str, *, exact: bool, cap: int) -> set[int] | None:
    """The people in one word's key range (an index-only scan), or None past ``cap`` keys."""
    ids = list(
        PersonNameKey.objects.filter(_token_condition(token, exact=exact))
        .order_by()
        .values_list("person_id", flat=True)[: cap + 1]
    )
    return None if len(ids) > cap else set(ids)


def _candidates(tokens: list[str], *, exact: bool) -> tuple[set[int], list[str]] | None:
    """A small set of people that every match is among, and the words left to check.

    A rare word's range is the set (the other words are checked on it). When every word is
    common, the database intersects their ranges (a semi-join of index scans) and the set is
    the intersection, if small. ``None`` otherwise: the caller walks the names instead.
    """
    for token in tokens:
        ids = _range_ids(token, exact=exact, cap=RANGE_CAP)
        if ids is not None:
            return ids, [t for t in tokens if t != token]
    if len(tokens) < 2:
        return None
    both = PersonNameKey.objects.filter(_token_condition(tokens[0], exact=exact))
    for token in tokens[1:]:
        both = both.filter(
            person_id__in=PersonNameKey.objects.filter(_token_condition(token, exact=exact)).values(
                "person_id"
            )
        )
    ids = set(both.order_by().values_list("person_id", flat=True)[: RANGE_CAP + 1])
    return (ids, []) if len(ids) <= RANGE_CAP else None


WALK_CHUNK = 500
WALK_MAX_CHUNKS = 12  # 6,000 keys: past that a rare pair of common words shows fewer hits


def _walk(persons: QuerySet[Person], tokens: list[str], *, exact: bool, count: int) -> list[int]:
    """Every word is common: read the key range of the least common one in key order, a chunk
    at a time (keyset pagination, each chunk an index range with a limit), and keep the people
    who are visible and meet the other words, until ``count`` are found.

    Reading in chunks keeps the cost to the page being built, whatever the database planner
    would do with one big query, on PostgreSQL and SQLite alike.
    """
    sizes = {
        token: PersonNameKey.objects.filter(_token_condition(token, exact=exact))[
            :COUNT_CAP
        ].count()
        for token in tokens
    }
    walked = min(tokens, key=lambda token: sizes[token])
    check = persons
    for other in tokens:
        if other != walked:
            check = check.filter(_has_word(other, exact=exact))
    low, high = _walk_range(walked, exact=exact)
    found: dict[int, None] = {}
    last: tuple[str, int] | None = None
    for _ in range(WALK_MAX_CHUNKS):
        chunk = PersonNameKey.objects.filter(key__gte=low, key__lt=high)
        if last is not None:
            chunk = chunk.filter(Q(key__gt=last[0]) | Q(key=last[0], person_id__gt=last[1]))
        rows = list(chunk.order_by("key", "person_id").values_list("key", "person_id")[:WALK_CHUNK])
        if not rows:
            break
        last = rows[-1]
        ids = [person_id for _, person_id in rows if person_id not in found]
        kept = set(check.filter(pk__in=ids).order_by().values_list("pk", flat=True))
        for person_id in ids:
            if person_id in kept:
                found.setdefault(person_id, None)
        if len(found) >= count or len(rows) < WALK_CHUNK:
            break
    return list(found)[:count]


def _tsquery(actor: User, tokens: list[str], *, exact: bool) -> str | None:
    """The words and the partner scope as one tsquery over the search vectors."""
    operands = []
    for token in tokens:
        folded, skel = query_keys(token)
        operand = search_index.term(folded)
        if _loose(token, exact=exact):
            operand = f"({operand} | {search_index.term(skel, whole=True)})"
        operands.append(operand)
    partners = visible_partner_ids(actor)
    if partners is not ALL:
        if not partners:
            return None
        operands.append("(" + " | ".join(f"'p_{pk}'" for pk in sorted(partners)) + ")")
    return " & ".join(operands)


def _indexed_phase(
    actor: User, filters: PersonFilters, tokens: list[str], *, exact: bool, count: int
) -> list[Person]:
    """PostgreSQL: one GIN lookup for the words and the scope, then the page by name."""
    query = _tsquery(actor, tokens, exact=exact)
    if query is None:
        return []
    persons = _indexed_persons(query, filters)
    keyed = persons.order_by("id").values_list("last_name", "first_name", "pk")[: max(count, 200)]
    return _in_order([pk for *_, pk in sorted(keyed)[:count]])


def _in_order(ids: list[int]) -> list[Person]:
    """The persons with these ids, in this order (one query, communes joined)."""
    by_id = Person.objects.select_related("commune").in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


ALL_MATCHES_CAP = 300


def _indexed_ranked(
    actor: User, filters: PersonFilters, tokens: list[str]
) -> tuple[list[int], bool]:
    """PostgreSQL: the first few hundred matches (all of them when there are fewer), ranked:
    spelled as typed first, then by name. The flag says whether that is every match."""
    query = _tsquery(actor, tokens, exact=False)
    if query is None:
        return [], True
    persons = _indexed_persons(query, filters)
    names = ("first_name", "last_name", "first_name_ar", "last_name_ar")
    rows = list(persons.order_by().values_list("pk", *names)[: ALL_MATCHES_CAP + 1])

    def rank(row: tuple[Any, ...]) -> tuple[Any, ...]:
        words = fold(" ".join(filter(None, row[1:]))).split()
        spelled = all(any(w.startswith(t) for w in words) for t in tokens)
        return (not spelled, row[2] or "", row[1] or "", row[0])

    return [row[0] for row in sorted(rows, key=rank)], len(rows) <= ALL_MATCHES_CAP


def _indexed_persons(query: str, filters: PersonFilters) -> QuerySet[Person]:
    persons = Person.objects.alias(
        hit=RawSQL("registry_person.search @@ %s::tsquery", [query], output_field=BooleanField())
    ).filter(hit=True)
    if not filters.include_archived:
        persons = persons.filter(archived_at__isnull=True)
    if filters.sex:
        persons = persons.filter(sex=filters.sex)
    if filters.commune:
        persons = persons.filter(commune__code__startswith=filters.commune)
    return persons


def _phase(
    persons: QuerySet[Person], tokens: list[str], *, exact: bool, count: int
) -> list[Person]:
    """The first ``count`` people matching every word (spelled, or with variants)."""
    candidates = _candidates(tokens, exact=exact)
    if candidates is not None:
        pool, others = candidates
        for other in others:
            persons = persons.filter(_has_word(other, exact=exact))
        # Order the few candidates here: an ORDER BY would tempt the database to walk the
        # whole name index instead of fetching them by id.
        keyed = persons.filter(pk__in=pool).order_by().values_list("last_name", "first_name", "pk")
        ids = [pk for *_, pk in sorted(keyed)[:count]]
    else:
        ids = _walk(persons, tokens, exact=exact, count=count)
    return _in_order(ids)


def person_search_page(
    *, actor: User, filters: PersonFilters, limit: int = SEARCH_LIMIT, offset: int = 0
) -> SearchPage:
    """One page of results as the counsellor types: names as spelled first, then variants.

    A CIN or a phone is an exact lookup. Names: on PostgreSQL one GIN query over the search
    vectors (words and partner scope together) returns the first few hundred matches, ranked
    here; on SQLite, or past those few hundred, the page is built by phases (spelled, then
    variants) from the key table. See docs/decisions/0005-registry-search.md.
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
    end = offset + limit + 1

    def phase(exact: bool, count: int) -> list[Person]:
        if search_index.enabled():
            return _indexed_phase(actor, filters, tokens, exact=exact, count=count)
        return _phase(persons, tokens, exact=exact, count=count)

    if search_index.enabled():
        ranked, complete = _indexed_ranked(actor, filters, tokens)
        if complete or end <= len(ranked):
            hits = _in_order(ranked[offset:end])
            return SearchPage(hits[:limit], len(hits) > limit, offset + limit)

    spelled = phase(True, end)
    if len(spelled) < end:
        # The spelled matches end before this page does: the spelling variants follow them.
        seen = {p.pk for p in spelled}
        variants = phase(False, end + len(seen))
        spelled += [p for p in variants if p.pk not in seen]
    rows = spelled[offset:end]
    return SearchPage(rows[:limit], len(rows) > limit, offset + limit)


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
    tokens = _tokens(query)
    if not tokens:
        return orgs.none()
    for token in tokens:
        orgs = orgs.filter(
            _has_word(token, exact=False, model=OrganisationNameKey, fk="organisation")
        )
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
