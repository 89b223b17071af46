"""Start Django for a benchmark on its own database, created afresh (never the demo's)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterable, Sequence
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
    """Write ``rows`` into ``table`` (COPY on PostgreSQL): ``essor.generator.bulk.insert_rows``,
    imported once Django is set up."""
    from essor.core.crypto import seal
    from essor.generator.bulk import insert_rows as write

    # CINs and phones are stored encrypted (essor.core.crypto): seal them as the model would.
    if table in SEALED_TABLES:
        at = [(i, name) for i, name in enumerate(columns) if name in ("cin", "phone")]
        if at:
            rows = (_sealed(row, at, seal) for row in rows)
    return write(table, columns, rows, total=total, desc=desc)


SEALED_TABLES = {"registry_person", "registry_historicalperson", "programmes_exclusionentry"}


def _sealed(row: Sequence[Any], at: list[tuple[int, str]], seal: Any) -> list[Any]:
    values = list(row)
    for i, kind in at:
        values[i] = seal(values[i], kind)
    return values
