"""Start Django for a benchmark on its own database, created afresh (never the demo's)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(engine: str, name: str, *, reuse: bool = False) -> str:
    """Point Django at a fresh ``name`` database on ``engine`` (sqlite|postgres); migrate it.

    With ``reuse`` (PostgreSQL), an existing database is kept as it is (and migrated)."""
    if engine == "postgres":
        import psycopg

        base = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not (reuse and exists):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
        url = f"{base}/{name}"
    else:
        path = Path(tempfile.gettempdir()) / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["ESSOR_TASK_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def report(**figures: Any) -> None:
    """One line the runner collects: ``RESULT {json}``."""
    print("RESULT " + json.dumps(figures, ensure_ascii=False), flush=True)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def insert_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    total: int | None = None,
    desc: str | None = None,
) -> int:
    """Write ``rows`` (tuples in the order of ``columns``) into ``table``; return how many.

    COPY on PostgreSQL, batched ``executemany`` on SQLite. No model, no ``save()``, no signal,
    no history row: the caller keeps the data valid (the database still checks its constraints).
    """
    from django.db import connection, transaction
    from tqdm import tqdm

    names = ", ".join(columns)
    count = 0
    # One transaction: in autocommit, SQLite would commit each row of an executemany.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in tqdm(rows, total=total, desc=desc or table, mininterval=2):
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch: list[tuple[Any, ...]] = []
        for row in tqdm(rows, total=total, desc=desc or table, mininterval=2):
            batch.append(tuple(_sqlite_value(connection, v) for v in row))
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _sqlite_value(connection: Any, value: Any) -> Any:
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
