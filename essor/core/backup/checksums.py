"""Row counts and checksums of tables: what the manifest records and a restore checks again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypedDict
from uuid import UUID

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

CHUNK = 2000
MODULUS = 2**256


class TableStat(TypedDict):
    rows: int
    checksum: str | None  # None: a table that essor's code does not know, only counted
    columns: list[str]


# A table's checksum must not depend on the order in which the database returns rows (SQLite and
# PostgreSQL order text keys by different collations), nor on how a vendor stores a type. Each
# row is turned into a canonical text (the values as the ORM reads them: Decimal, aware datetime,
# JSON…, written one way), hashed with SHA-256, and the row hashes are *added* modulo 2**256: a
# sum does not depend on order, and one changed, missing or extra row changes it.


def canonical(value: object) -> object:
    """A value as JSON text writes it the same way whichever database it was read from."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        # 12.5 and 12.50 are one amount; SQLite and PostgreSQL may give either.
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = value.astimezone(UTC)
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value // timedelta(microseconds=1))
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def row_text(row: Sequence[object]) -> str:
    """The canonical text of one row (its values in the table's column order)."""
    return json.dumps(
        [canonical(value) for value in row], ensure_ascii=False, separators=(",", ":")
    )


def row_digest(row: Sequence[object]) -> int:
    return int.from_bytes(hashlib.sha256(row_text(row).encode()).digest(), "big")


def model_tables() -> dict[str, type[models.Model]]:
    """Every table that essor's code knows, by name, with the model that reads it."""
    tables: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.proxy or not opts.managed or opts.swapped:
            continue
        tables.setdefault(opts.db_table, model)
    recorder_model = MigrationRecorder.Migration
    tables[recorder_model._meta.db_table] = recorder_model
    return dict(sorted(tables.items()))


def _columns(model: type[models.Model]) -> dict[str, models.Field[Any, Any]]:
    return {f.column: f for f in model._meta.local_concrete_fields}


def table_stat(
    model: type[models.Model], columns: Sequence[str], using: str = DEFAULT_DB_ALIAS
) -> TableStat:
    """Row count and checksum of a model's table over ``columns``."""
    fields = _columns(model)
    names = [fields[column].attname for column in columns]
    rows = total = 0
    # The base manager: a default manager may leave rows out (archived ones, for instance).
    query = model._base_manager.using(using).order_by().values_list(*names)
    for row in query.iterator(chunk_size=CHUNK):
        total = (total + row_digest(row)) % MODULUS
        rows += 1
    return {"rows": rows, "checksum": f"{total:064x}", "columns": list(columns)}


def count_rows(table: str, using: str = DEFAULT_DB_ALIAS) -> int:
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        return int(cursor.fetchone()[0])


def table_stats(using: str = DEFAULT_DB_ALIAS) -> dict[str, TableStat]:
    """Row count and checksum of every table in the database.

    A table is read through its model, over the columns that both the model and the database
    have (a migration not applied yet adds none); a table that no model reads (an app removed
    since) is only counted."""
    connection = connections[using]
    known = model_tables()
    stats: dict[str, TableStat] = {}
    quote = connection.ops.quote_name
    described: dict[str, set[str]] = {}
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        for table in tables:
            if table in known:
                # The columns as the database has them (introspection parses SQL: slower).
                cursor.execute(f"SELECT * FROM {quote(table)} WHERE 1 = 0")
                described[table] = {column[0] for column in cursor.description}
    for table in tables:
        model = known.get(table)
        if model is None:
            stats[table] = {"rows": count_rows(table, using), "checksum": None, "columns": []}
            continue
        columns = [column for column in _columns(model) if column in described[table]]
        stats[table] = table_stat(model, columns, using)
    return stats
