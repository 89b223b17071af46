"""Plan and load an import: every row is created, updated, left unchanged or rejected, with why.

``plan_*`` reads nothing but the registry and writes nothing; ``apply_plan`` loads the rows
planned, in batches, each batch in its own transaction, reporting progress between batches.
In strict mode nothing is loaded when any row is rejected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from essor.accounts.models import Partner, User
from essor.registry import search_index
from essor.registry.models import (
    Organisation,
    OrganisationHolding,
    OrganisationNameKey,
    Person,
    PersonHolding,
    PersonNameKey,
)
from essor.registry.names import fold, identity_key, name_keys, person_name_keys
from essor.registry.services import (
    ORGANISATION_FIELDS,
    PERSON_FIELDS,
    organisation_clean,
    person_clean,
)

from . import values
from .columns import ORGANISATION_COLUMNS, PERSON_COLUMNS
from .reading import Sheet

BATCH = 2000

CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"

Progress = Callable[[int, int], None]


@dataclass
class RowOutcome:
    row: int
    action: str
    target: int | None = None
    changes: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    values: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> list[Any]:
        return [self.row, self.action, self.target, self.changes, self.errors]


@dataclass
class Plan:
    kind: str  # "persons" | "organisations"
    partner: Partner
    outcomes: list[RowOutcome]
    header: list[str]
    unmapped: list[str]
    # Row number -> registry persons the row may be (linkage), for rows that would be created.
    likely: dict[int, list[list[Any]]] = field(default_factory=dict)
    likely_skipped: bool = False

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def summary(self) -> dict[str, int]:
        return {a: self.count(a) for a in (CREATE, UPDATE, UNCHANGED, REJECT)}


def _column_titles(
    sheet: Sheet, mapping: dict[int, str], columns: dict[str, Any]
) -> dict[str, str]:
    """Field -> the title the file gives its column (what the user sees in messages)."""
    return {
        f: (sheet.header[i] if i < len(sheet.header) and sheet.header[i] else str(columns[f][0]))
        for i, f in mapping.items()
    }


def _raw_rows(sheet: Sheet, mapping: dict[int, str]) -> Iterable[tuple[int, dict[str, Any]]]:
    for offset, cells in enumerate(sheet.rows):
        raw = {f: (cells[i] if i < len(cells) else "") for i, f in mapping.items()}
        yield sheet.first_data_row + offset, raw


def _parse_person(
    raw: dict[str, Any], communes: values.CommuneIndex
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {}
    parsers: dict[str, Callable[[Any], Any]] = {
        "sex": values.parse_sex,
        "birth_date": values.parse_date,
        "education_level": values.parse_education,
        "commune": communes.parse,
    }
    for name, value in raw.items():
        try:
            data[name] = parsers[name](value) if name in parsers else str(value or "").strip()
        except ValidationError as error:
            errors[name] = error.messages
    if not errors or set(errors) <= {"commune"}:
        try:
            data = person_clean({k: v for k, v in data.items() if k not in errors})
        except ValidationError as error:
            errors.update(error.message_dict)
    return data, errors


def _outcome_errors(errors: dict[str, list[str]], titles: dict[str, str]) -> list[tuple[str, str]]:
    return [
        (titles.get(field, field), message)
        for field, messages in errors.items()
        for message in messages
    ]


def plan_persons(
    sheet: Sheet, mapping: dict[int, str], partner: Partner, progress: Progress | None = None
) -> Plan:
    titles = _column_titles(sheet, mapping, PERSON_COLUMNS)
    communes = values.CommuneIndex()
    outcomes: list[RowOutcome] = []
    for number, raw in _raw_rows(sheet, mapping):
        if not any(v not in ("", None) for v in raw.values()):
            continue
        data, errors = _parse_person(raw, communes)
        if "commune" in data:
            data["commune_id"] = data.pop("commune")
        outcome = RowOutcome(row=number, action=REJECT if errors else CREATE, values=data)
        outcome.errors = _outcome_errors(errors, titles)
        outcomes.append(outcome)
        if progress and len(outcomes) % BATCH == 0:
            progress(len(outcomes), len(sheet.rows))
    _match_persons(outcomes, partner, titles)
    creates = [o for o in outcomes if o.action == CREATE]
    skipped = len(creates) > LIKELY_MAX_ROWS
    return Plan(
        kind="persons",
        partner=partner,
        outcomes=outcomes,
        header=sheet.header,
        unmapped=[t for i, t in enumerate(sheet.header) if i not in mapping and t],
        likely={} if skipped else _likely_matches(creates),
        likely_skipped=skipped,
    )


# Above this many new rows, likely matches are left to the next linkage run (``essor link``):
# scoring each row against the registry would hold the import back.
LIKELY_MAX_ROWS = 5_000


def _likely_matches(creates: list[RowOutcome]) -> dict[int, list[list[Any]]]:
    """For each row that would create a person, the registry persons it may be (linkage)."""
    from essor.linkage.lookup import match_many

    likely: dict[int, list[list[Any]]] = {}
    for chunk in _chunks(creates, 1_000):
        rows = [o.values for o in chunk]
        for outcome, matches in zip(chunk, match_many(rows), strict=True):
            if matches:
                likely[outcome.row] = [
                    [m.person_id, round(m.scored.probability, 4), m.band, m.scored.levels]
                    for m in matches
                ]
    return likely


def _person_key(data: dict[str, Any]) -> str:
    return identity_key(
        data.get("first_name", ""),
        data.get("last_name", ""),
        data.get("first_name_ar", ""),
        data.get("last_name_ar", ""),
        data.get("birth_date"),
    )


def _chunks(items: list[Any], size: int = 900) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _match_persons(outcomes: list[RowOutcome], partner: Partner, titles: dict[str, str]) -> None:
    """Find the registry's person for each valid row; reject the second mention of one person."""
    valid = [o for o in outcomes if o.action != REJECT]
    cins = sorted({o.values["cin"] for o in valid if o.values.get("cin")})
    keys = sorted({_person_key(o.values) for o in valid})
    phones = sorted(
        {o.values["phone"] for o in valid if o.values.get("phone") and not o.values.get("cin")}
    )
    fields = [*PERSON_FIELDS, "id", "identity_key"]
    fields = [f if f != "commune" else "commune_id" for f in fields]
    by_cin: dict[str, dict[str, Any]] = {}
    merged: dict[str, int] = {}  # a CIN kept by a record merged into another -> that other
    for chunk in _chunks(cins):
        for row in Person.objects.filter(cin__in=chunk).values(*fields, "merged_into_id"):
            if row["merged_into_id"]:
                merged[row["cin"]] = row["merged_into_id"]
            else:
                by_cin[row["cin"]] = row
    for _step in range(5):  # follow merges of merges to the record that stands
        if not merged:
            break
        survivors = {
            r["id"]: r
            for r in Person.objects.filter(pk__in=set(merged.values())).values(
                *fields, "merged_into_id"
            )
        }
        for cin, pk in list(merged.items()):
            survivor = survivors.get(pk)
            if survivor is None:
                del merged[cin]
            elif survivor["merged_into_id"]:
                merged[cin] = survivor["merged_into_id"]
            else:
                by_cin[cin] = {**survivor, "via_merged_cin": True}
                del merged[cin]
    by_key: dict[str, list[dict[str, Any]]] = {}
    for chunk in _chunks(keys):
        for row in Person.objects.filter(identity_key__in=chunk, archived_at__isnull=True).values(
            *fields
        ):
            by_key.setdefault(row["identity_key"], []).append(row)
    by_phone: dict[str, list[dict[str, Any]]] = {}
    for chunk in _chunks(phones):
        for row in Person.objects.filter(phone__in=chunk, archived_at__isnull=True).values(*fields):
            by_phone.setdefault(row["phone"], []).append(row)
    held = set()
    candidate_ids = (
        {r["id"] for r in by_cin.values()}
        | {r["id"] for rs in by_key.values() for r in rs}
        | {r["id"] for rs in by_phone.values() for r in rs}
    )
    for chunk in _chunks(sorted(candidate_ids)):
        held |= set(
            PersonHolding.objects.filter(partner=partner, person_id__in=chunk).values_list(
                "person_id", flat=True
            )
        )

    seen: dict[str, int] = {}  # identity in this file -> first row number
    for outcome in valid:
        data = outcome.values
        cin, key = data.get("cin", ""), _person_key(data)
        in_file = f"cin:{cin}" if cin else f"key:{key}|{data.get('phone', '')}"
        if in_file in seen:
            outcome.action = REJECT
            outcome.errors = [
                (
                    titles.get("cin", titles.get("last_name", "")),
                    _("Same person as row %(row)s of this file: the row is left out.")
                    % {"row": seen[in_file]},
                )
            ]
            continue
        seen[in_file] = outcome.row
        match = by_cin.get(cin) if cin else None
        if match is not None and match.get("via_merged_cin"):
            # The CIN of a duplicate merged into this person: the row is theirs; the CIN stays
            # with the merged record (the kept record has its own).
            data.pop("cin", None)
        if match is None:
            candidates = [r for r in by_key.get(key, []) if not r["cin"] or r["cin"] == cin]
            if not data.get("birth_date"):
                # Without a birth date a name alone proves little: ask for the same phone, or the
                # same commune among this partner's own people.
                candidates = [
                    r
                    for r in candidates
                    if (data.get("phone") and r["phone"] == data["phone"])
                    or (r["id"] in held and r["commune_id"] == data.get("commune_id"))
                ]
            if not candidates and data.get("phone") and not cin:
                name = fold(
                    " ".join(
                        str(data.get(f, ""))
                        for f in ("first_name", "last_name", "first_name_ar", "last_name_ar")
                    )
                )
                candidates = [
                    r
                    for r in by_phone.get(data["phone"], [])
                    if fold(
                        " ".join(
                            str(r[f])
                            for f in ("first_name", "last_name", "first_name_ar", "last_name_ar")
                        )
                    )
                    == name
                ]
            if len(candidates) == 1:
                match = candidates[0]
        if match is None:
            continue
        outcome.target = match["id"]
        outcome.changes = [
            f
            for f, v in data.items()
            if v not in ("", None) and match.get(f) != v and f != "commune"
        ]
        if outcome.changes:
            outcome.action = UPDATE
        elif match["id"] in held:
            outcome.action = UNCHANGED
        else:
            outcome.action = UPDATE
            outcome.changes = ["holder"]


def apply_plan(
    plan: Plan, *, actor: User | None, source: str, progress: Progress | None = None
) -> dict[str, int]:
    """Load the rows planned for creation or update; return the counts loaded."""
    todo = [o for o in plan.outcomes if o.action in (CREATE, UPDATE)]
    done = 0
    loader = _apply_persons if plan.kind == "persons" else _apply_organisations
    for batch in _chunks(todo, BATCH):
        with transaction.atomic():
            loader(batch, plan.partner, actor, source)
        done += len(batch)
        if progress:
            progress(done, len(todo))
    return {"created": plan.count(CREATE), "updated": plan.count(UPDATE)}


def _names(person: Person) -> set[str]:
    return person_name_keys(
        person.first_name, person.last_name, person.first_name_ar, person.last_name_ar
    )


def _apply_persons(
    batch: list[RowOutcome], partner: Partner, actor: User | None, source: str
) -> None:
    reason = f"registry.person.imported: {source}"[:100]
    now = timezone.now()
    since = connection.ops.adapt_datetimefield_value(now)
    creates = [o for o in batch if o.action == CREATE]
    new = [
        Person(
            registered_by=partner,
            identity_key=_person_key(o.values),
            created_at=now,
            updated_at=now,
            **o.values,
        )
        for o in creates
    ]
    new_keys = [_names(person) for person in new]
    if search_index.enabled():  # a new person's vector is known: write it with the row
        for person, keys in zip(new, new_keys, strict=True):
            person.search = search_index.vector(keys, [partner.pk])
    created = insert_with_history(new, actor=actor, reason=reason, now=now)
    for outcome, person in zip(creates, created, strict=True):
        outcome.target = person.pk
    # New people have no holder yet: their holdings and keys go in without conflict checks.
    _insert_many(
        PersonHolding._meta.db_table,
        ["person_id", "partner_id", "since", "source"],
        [(p.pk, partner.pk, since, source[:120]) for p in created],
    )
    _insert_keys((p.pk, k[:64]) for p, keys in zip(created, new_keys, strict=True) for k in keys)

    updates = {o.target: o for o in batch if o.action == UPDATE and o.target is not None}
    if not updates:
        return
    changed_people = []
    touched_fields: set[str] = set()
    for person in Person.objects.filter(pk__in=list(updates)):
        outcome = updates[person.pk]
        fields = [f for f in outcome.changes if f != "holder"]
        for name in fields:
            setattr(person, name, outcome.values[name])
        if fields:
            person.identity_key = identity_key(
                person.first_name,
                person.last_name,
                person.first_name_ar,
                person.last_name_ar,
                person.birth_date,
            )
            touched_fields |= set(fields) | {"identity_key", "updated_at"}
            person.updated_at = now
            changed_people.append(person)
    if changed_people:
        bulk_update_with_history(
            changed_people,
            Person,
            sorted(touched_fields),
            default_user=actor,
            default_change_reason=reason,
        )
    _insert_many(
        PersonHolding._meta.db_table,
        ["person_id", "partner_id", "since", "source"],
        [(pk, partner.pk, since, source[:120]) for pk in updates],
        ignore_conflicts=True,
    )
    renamed = [
        p
        for p in changed_people
        if {"first_name", "last_name", "first_name_ar", "last_name_ar"} & set(updates[p.pk].changes)
    ]
    PersonNameKey.objects.filter(person__in=[p.pk for p in renamed]).delete()
    _insert_keys((p.pk, k[:64]) for p in renamed for k in sorted(_names(p)))
    search_index.refresh(updates)


def insert_with_history(
    records: list[Person], *, actor: User | None, reason: str, now: Any
) -> list[Person]:
    """Insert new persons and their "created" history rows with two prepared statements.

    The same rows as ``bulk_create_with_history`` writes, without building the SQL of every
    row through the ORM, which was most of an import's time (docs/performance.md). The ids the
    database gives come back on the records.
    """
    if not records:
        return records
    fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
    convert = [_converter(f) for f in fields]
    rows = [
        tuple(c(getattr(r, f.attname)) for f, c in zip(fields, convert, strict=True))
        for r in records
    ]
    ids = _insert_returning_ids(Person._meta.db_table, [f.column for f in fields], rows)
    for record, pk in zip(records, ids, strict=True):
        record.pk = pk
    history = Person.history.model
    stamp = connection.ops.adapt_datetimefield_value(now)
    extra = {
        "history_date": stamp,
        "history_change_reason": reason,
        "history_type": "+",
        "history_user_id": actor.pk if actor else None,
    }
    h_fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    h_convert = [_converter(f) for f in h_fields]
    h_rows = [
        tuple(
            extra[f.attname] if f.attname in extra else c(getattr(r, f.attname))
            for f, c in zip(h_fields, h_convert, strict=True)
        )
        for r in records
    ]
    _insert_many(history._meta.db_table, [f.column for f in h_fields], h_rows)
    return records


def _converter(field: Any) -> Callable[[Any], Any]:
    """How one column's Python value goes to the database driver (dates and amounts only
    need the backend's adaptation; text and numbers go as they are)."""
    from django.db import models

    from essor.core.crypto import EncryptedCharField

    ops = connection.ops
    if isinstance(field, EncryptedCharField):
        return field.get_prep_value
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        return lambda value: ops.adapt_decimalfield_value(
            value, field.max_digits, field.decimal_places
        )
    return lambda value: value


def _insert_sql(table: str, columns: list[str]) -> str:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    return f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"


def _insert_returning_ids(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> list[int]:
    sql = _insert_sql(table, columns)
    ids: list[int] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Take the ids from the table's sequence, then COPY the rows with them.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            numbered = ((pk, *row) for pk, row in zip(ids, rows, strict=True))
            _copy(cursor, table, ["id", *columns], numbered)
        else:
            for row in rows:
                cursor.execute(sql, row)
                ids.append(cursor.lastrowid)
    return ids


def _insert_many(
    table: str, columns: list[str], rows: list[tuple[Any, ...]], *, ignore_conflicts: bool = False
) -> None:
    sql = _insert_sql(table, columns)
    if ignore_conflicts:  # a partner that already holds the person stays one holder
        if connection.vendor == "postgresql":
            sql += " ON CONFLICT DO NOTHING"
        else:
            sql = sql.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not ignore_conflicts:
            _copy(cursor, table, columns, rows)
        else:
            cursor.executemany(sql, rows)


def _copy(cursor: Any, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """PostgreSQL's COPY: many rows in one stream, far faster than one INSERT each."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _insert_keys(rows: Iterable[tuple[int, str]]) -> None:
    """Name keys are many small rows: one prepared INSERT, not a model instance each."""
    _insert_many(PersonNameKey._meta.db_table, ["person_id", "key"], list(rows))


# --- Organisations -----------------------------------------------------------------------------


def plan_organisations(
    sheet: Sheet, mapping: dict[int, str], partner: Partner, progress: Progress | None = None
) -> Plan:
    titles = _column_titles(sheet, mapping, ORGANISATION_COLUMNS)
    communes = values.CommuneIndex()
    sectors = values.SectorIndex()
    parsers: dict[str, Callable[[Any], Any]] = {
        "kind": values.parse_kind,
        "created_on": values.parse_date,
        "commune": communes.parse,
        "sector": sectors.parse,
        "employees_women": values.parse_int,
        "employees_men": values.parse_int,
        "annual_turnover": values.parse_amount,
    }
    outcomes: list[RowOutcome] = []
    for number, raw in _raw_rows(sheet, mapping):
        if not any(v not in ("", None) for v in raw.values()):
            continue
        errors: dict[str, list[str]] = {}
        data: dict[str, Any] = {}
        if "kind" not in raw:
            raw["kind"] = ""
        for name, value in raw.items():
            try:
                data[name] = parsers[name](value) if name in parsers else str(value or "").strip()
            except ValidationError as error:
                errors[name] = error.messages
        try:
            data = organisation_clean({k: v for k, v in data.items() if k not in errors})
        except ValidationError as error:
            errors.update(error.message_dict)
        for fk in ("commune", "sector"):
            if fk in data:
                data[f"{fk}_id"] = data.pop(fk)
        outcome = RowOutcome(row=number, action=REJECT if errors else CREATE, values=data)
        outcome.errors = _outcome_errors(
            errors, titles | {"kind": titles.get("kind", _("Legal form"))}
        )
        outcomes.append(outcome)
    valid = [o for o in outcomes if o.action != REJECT]
    ices = sorted({o.values["ice"] for o in valid if o.values.get("ice")})
    fields = [f if f not in ("commune", "sector") else f"{f}_id" for f in ORGANISATION_FIELDS] + [
        "id"
    ]
    by_ice: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(ices):
        by_ice |= {r["ice"]: r for r in Organisation.objects.filter(ice__in=chunk).values(*fields)}
    held = set(
        OrganisationHolding.objects.filter(
            partner=partner, organisation_id__in=[r["id"] for r in by_ice.values()]
        ).values_list("organisation_id", flat=True)
    )
    by_name: dict[str, list[dict[str, Any]]] = {}
    names = {
        fold(o.values.get("name_fr") or o.values.get("name_ar") or "")
        for o in valid
        if not o.values.get("ice")
    }
    if names:
        for row in (
            Organisation.objects.filter(ice="", archived_at__isnull=True)
            .filter(holdings__partner=partner)
            .values(*fields, "name_fr", "name_ar")
        ):
            key = fold(row["name_fr"] or row["name_ar"] or "")
            if key in names:
                by_name.setdefault(key, []).append(row)
                held.add(row["id"])
    seen: dict[str, int] = {}
    for outcome in valid:
        data = outcome.values
        name_key = fold(data.get("name_fr") or data.get("name_ar") or "")
        ident = (
            f"ice:{data['ice']}" if data.get("ice") else f"name:{name_key}|{data.get('commune_id')}"
        )
        if ident in seen:
            outcome.action = REJECT
            outcome.errors = [
                (
                    titles.get("ice", titles.get("name_fr", "")),
                    _("Same organisation as row %(row)s of this file: the row is left out.")
                    % {"row": seen[ident]},
                )
            ]
            continue
        seen[ident] = outcome.row
        match = by_ice.get(data.get("ice", "")) if data.get("ice") else None
        if match is None and not data.get("ice"):
            same = [
                r for r in by_name.get(name_key, []) if r["commune_id"] == data.get("commune_id")
            ]
            match = same[0] if len(same) == 1 else None
        if match is None:
            continue
        outcome.target = match["id"]
        outcome.changes = [f for f, v in data.items() if v not in ("", None) and match.get(f) != v]
        if outcome.changes:
            outcome.action = UPDATE
        elif match["id"] in held:
            outcome.action = UNCHANGED
        else:
            outcome.action, outcome.changes = UPDATE, ["holder"]
    return Plan(
        kind="organisations",
        partner=partner,
        outcomes=outcomes,
        header=sheet.header,
        unmapped=[t for i, t in enumerate(sheet.header) if i not in mapping and t],
    )


def _apply_organisations(
    batch: list[RowOutcome], partner: Partner, actor: User | None, source: str
) -> None:
    reason = f"registry.organisation.imported: {source}"[:100]
    creates = [o for o in batch if o.action == CREATE]
    created = bulk_create_with_history(
        [Organisation(registered_by=partner, **o.values) for o in creates],
        Organisation,
        default_user=actor,
        default_change_reason=reason,
    )
    for outcome, organisation in zip(creates, created, strict=True):
        outcome.target = organisation.pk
    updates = {o.target: o for o in batch if o.action == UPDATE}
    changed, fields_touched = [], set()
    for organisation in Organisation.objects.filter(pk__in=list(updates)):
        fields = [f for f in updates[organisation.pk].changes if f != "holder"]
        for name in fields:
            setattr(organisation, name, updates[organisation.pk].values[name])
        if fields:
            changed.append(organisation)
            fields_touched |= set(fields)
    if changed:
        bulk_update_with_history(
            changed,
            Organisation,
            sorted(fields_touched),
            default_user=actor,
            default_change_reason=reason,
        )
    OrganisationHolding.objects.bulk_create(
        [
            OrganisationHolding(organisation_id=o.target, partner=partner, source=source[:120])
            for o in batch
            if o.target is not None
        ],
        ignore_conflicts=True,
    )
    OrganisationNameKey.objects.filter(organisation__in=[o.pk for o in changed]).delete()
    OrganisationNameKey.objects.bulk_create(
        [
            OrganisationNameKey(organisation_id=o.pk, key=k[:64])
            for o in [*created, *changed]
            for k in sorted(name_keys(o.name_fr, o.name_ar))
        ]
    )
