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


def enabled() -> bool:
    return connection.vendor == "postgresql"


def lexeme(key: str) -> str:
    """``f:mohamed`` -> ``f_mohamed`` (a colon would start a tsvector position)."""
    return key.replace(":", "_", 1).replace("'", "").replace("\\\\", "")


def vector(keys: Iterable[str], partner_ids: Iterable[int]) -> str:
    lexemes = sorted({lexeme(k) for k in keys} | {f"p_{p}" for p in partner_ids})
    return " ".join(f"'{x}'" for x in lexemes)


REFRESH_SQL = """
UPDATE registry_person p SET search = array_to_tsvector(
    ARRAY(SELECT DISTINCT replace(k.key, ':', '_') FROM registry_personnamekey k
          WHERE k.person_id = p.id)
    || ARRAY(SELECT DISTINCT 'p_' || h.partner_id FROM registry_personholding h
             WHERE h.person_id = p.id))
WHERE p.id = ANY(%s)
"""


def refresh(person_ids: Iterable[int]) -> None:
    """Rebuild the search vector of these persons from their keys and holdings (one statement)."""
    if not enabled():
        return
    ids = sorted(set(person_ids))
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(REFRESH_SQL, [ids])


def term(prefix: str, *, whole: bool = False) -> str:
    """One tsquery operand: a key prefix (``'f_moham':*``) or a whole key."""
    return f"'{lexeme(prefix)}'" + ("" if whole else ":*")
