"""The search vector of a person on PostgreSQL: name keys and holders in one GIN index.

Each person's ``search`` column holds, as ``tsvector`` lexemes, its name keys (``f_<folded>``,
``s_<skeleton>``, see ``names.py``) and its holders (``p_<partner id>``). A search is then one
GIN lookup that intersects the words' postings and the partner scope at once, however common
the words (``docs/decisions/0005-registry-search.md``). SQLite leaves the column empty and
searches through the key table.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from .models import PersonHolding, PersonNameKey


def enabled() -> bool:
    return connection.vendor == "postgresql"


def lexeme(key: str) -> str:
    """``f:mohamed`` -> ``f_mohamed`` (a colon would start a tsvector position)."""
    return key.replace(":", "_", 1).replace("'", "").replace("\\\\", "")


def vector(keys: Iterable[str], partner_ids: Iterable[int]) -> str:
    lexemes = sorted({lexeme(k) for k in keys} | {f"p_{p}" for p in partner_ids})
    return " ".join(f"'{x}'" for x in lexemes)


def refresh(person_ids: Iterable[int]) -> None:
    """Rebuild the search vector of these persons from their keys and holdings."""
    if not enabled():
        return
    ids = list(person_ids)
    if not ids:
        return
    keys: dict[int, set[str]] = {pk: set() for pk in ids}
    holders: dict[int, set[int]] = {pk: set() for pk in ids}
    for person_id, key in PersonNameKey.objects.filter(person_id__in=ids).values_list(
        "person_id", "key"
    ):
        keys[person_id].add(key)
    for person_id, partner_id in PersonHolding.objects.filter(person_id__in=ids).values_list(
        "person_id", "partner_id"
    ):
        holders[person_id].add(partner_id)
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE registry_person SET search = %s::tsvector WHERE id = %s",
            [(vector(keys[pk], holders[pk]), pk) for pk in ids],
        )


def term(prefix: str, *, whole: bool = False) -> str:
    """One tsquery operand: a key prefix (``'f_moham':*``) or a whole key."""
    return f"'{lexeme(prefix)}'" + ("" if whole else ":*")
