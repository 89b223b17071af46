"""Writing many rows fast: COPY on PostgreSQL, batched ``executemany`` on SQLite.

Large tables are written from generators with explicit ids, after their secondary indexes,
unique and foreign-key constraints are dropped (PostgreSQL); these are rebuilt, and so every key
checked, once at the end. No model, ``save()``, signal or history row is involved: the caller
keeps the data valid, and the database checks it when the constraints come back.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from tqdm import tqdm

Say = Callable[[str], None]


def insert_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    total: int | None = None,
    desc: str | None = None,
    progress: bool = True,
) -> int:
    """Write ``rows`` (tuples in the order of ``columns``) into ``table``; return how many."""
    names = ", ".join(columns)
    count = 0
    bar = tqdm(rows, total=total, desc=desc or table, mininterval=2, disable=not progress)
    # One transaction: in autocommit, SQLite would commit each row of an executemany.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in bar:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch: list[tuple[Any, ...]] = []
        for row in bar:
            batch.append(tuple(_sqlite_value(v) for v in row))
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _sqlite_value(value: Any) -> Any:
    """A value as Django stores it in SQLite (datetimes as naive UTC text)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def strip(tables: list[str]) -> list[str]:
    """PostgreSQL: drop the secondary indexes, unique and foreign-key constraints of ``tables``
    (primary keys and checks stay); return the statements that make them again."""
    if connection.vendor != "postgresql" or not tables:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('f', 'u')
            ORDER BY c.contype DESC, c.conrelid::regclass::text, c.conname
            """,
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _kind, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    # Indexes, then unique constraints, then foreign keys (ordered so by contype DESC).
    return [definition for _name, definition in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, _kind, definition in constraints
    ]


def rebuild(tables: list[str], statements: list[str], *, progress: bool = True) -> None:
    """Run the statements ``strip`` returned, after analysing the tables (plans for key checks)."""
    if not statements:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
        for statement in tqdm(statements, desc="indexes and keys", disable=not progress):
            cursor.execute(statement)
        cursor.execute("RESET maintenance_work_mem")


def reset_sequences() -> None:
    """Sequences past the explicit ids written (PostgreSQL; SQLite follows by itself)."""
    from django.apps import apps
    from django.core.management.color import no_style

    # Auto-created many-to-many tables too: their ids were written explicitly as well.
    models = apps.get_models(include_auto_created=True)
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class Timer:
    """Seconds per step, told as each step ends."""

    def __init__(self, say: Say | None = None) -> None:
        self.steps: dict[str, float] = {}
        self.say = say or (lambda _text: None)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.steps[name] = round(time.perf_counter() - started, 1)
        self.say(f"{name}: {self.steps[name]} s")
