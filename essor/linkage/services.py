"""Writes of identity resolution: merge two records, undo a merge, say "not the same", store the
pairs a run found.

A merge keeps the surviving record and archives the other with ``merged_into`` set. Every row
that pointed at the merged record (applications, session attendance, commitments, holdings,
memberships, consents…; follow-ups follow their application) is moved to the survivor; a row
that would then repeat one the survivor already has (the same partner holding both, the same
session) is removed. The survivor's empty fields are filled from the merged record. Everything
the merge changed is kept in ``Merge.changes``, so that undo puts the registry back exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _

from essor.accounts.models import User
from essor.accounts.roles import Cap
from essor.core.audit import save_audited
from essor.core.crypto import EncryptedCharField, unseal
from essor.registry import search_index
from essor.registry.models import Organisation, Person
from essor.registry.services import (
    ORGANISATION_FIELDS,
    PERSON_FIELDS,
    person_identity_key,
    rebuild_organisation_keys,
    rebuild_person_keys_many,
)

from .models import Band, Merge, OrganisationPair, PairStatus, PersonPair, RecordKind

# Rows that are not facts about the record but derived from it (rebuilt), or linkage's own.
NOT_MOVED = {
    "registry.PersonNameKey",
    "registry.OrganisationNameKey",
    "monitoring.Fact",
    "monitoring.FactStage",
    "linkage.PersonPair",
    "linkage.OrganisationPair",
}


class MergeRefused(Exception):
    """The merge or its undo cannot be done; the message says why and what to do."""


def _require(actor: User | None) -> None:
    if actor is not None and not actor.can(Cap.REGISTRY_MERGE):
        raise PermissionDenied


def references(model: type[models.Model]) -> list[models.ForeignKey[Any, Any]]:
    """Every foreign key that points at ``model`` from a row the merge must move."""
    result = []
    for candidate in apps.get_models(include_auto_created=True):
        label = candidate._meta.label
        if label in NOT_MOVED or candidate.__name__.startswith("Historical"):
            continue
        for field in candidate._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is model:
                result.append(field)
    return result


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder, without cutting times to milliseconds: undo restores them exactly."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | time):
            return o.isoformat()
        return super().default(o)


def _row(obj: models.Model) -> dict[str, Any]:
    """Every stored column of the row, as JSON-safe values (a CIN or phone stays encrypted,
    as in its own column: the undo snapshot is no clear copy of them)."""
    values = {
        f.attname: (
            f.get_prep_value(getattr(obj, f.attname))
            if isinstance(f, EncryptedCharField)
            else getattr(obj, f.attname)
        )
        for f in obj._meta.concrete_fields
    }
    return json.loads(json.dumps(values, cls=_ExactEncoder))


def _python(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return {
        name: (
            unseal(value, field.kind)
            if isinstance(field := fields[name], EncryptedCharField)
            else field.to_python(value)
        )
        for name, value in values.items()
    }


def _blank(value: Any) -> bool:
    return value in ("", None)


def _is_cascading(obj: models.Model) -> bool:
    """Whether deleting this row would delete or change others with it."""
    collector = Collector(using="default")
    collector.collect([obj])
    if sum(len(objs) for objs in collector.data.values()) > 1 or collector.field_updates:
        return True
    return any(qs.exists() for qs in collector.fast_deletes)


# When both records hold the same row (the same session), the kept one takes these fields from
# the other when they say more ("present" beats "absent" or "not marked").
KEEP_TRUE = {"accompaniment.Participant": ("present",)}


def _combine(row: models.Model, field: models.ForeignKey[Any, Any], survivor_pk: int) -> list[Any]:
    """The survivor's twin of ``row`` takes what ``row`` says more; returns the changes made."""
    label = row._meta.label
    names = KEEP_TRUE.get(label, ())
    if not names:
        return []
    unique = next(
        (
            c.fields
            for c in row._meta.constraints
            if isinstance(c, models.UniqueConstraint) and field.name in c.fields
        ),
        (),
    )
    lookup = {
        f: getattr(row, getattr(row._meta.get_field(f), "attname", f))
        for f in unique
        if f != field.name
    }
    twin = row.__class__._default_manager.filter(**lookup, **{field.attname: survivor_pk}).first()
    changed = []
    for name in names:
        if getattr(row, name) is True and getattr(twin, name) is not True and twin is not None:
            changed.append([label, twin.pk, name, getattr(twin, name)])
            row.__class__._default_manager.filter(pk=twin.pk).update(**{name: True})
    return changed


def _fill_blanks(
    survivor: models.Model, merged: models.Model, fields: Iterable[str]
) -> dict[str, Any]:
    filled: dict[str, Any] = {}
    for name in fields:
        attname = survivor._meta.get_field(name).attname  # type: ignore[union-attr]
        mine, theirs = getattr(survivor, attname), getattr(merged, attname)
        if _blank(mine) and not _blank(theirs):
            filled[attname] = theirs
    return filled


# The columns of the kept record that a later change would make an undo unsafe.
WATCHED = ("archived_at", "merged_into_id", "updated_at")


@dataclass(frozen=True)
class _Kind:
    model: type[Any]
    kind: str
    fields: tuple[str, ...]
    unique: str  # the identifier that may move (unique in the registry)
    pair_model: type[Any]

    def rebuild(self, records: list[Any]) -> None:
        """The records' search and link keys, from their names as they now stand."""
        if self.kind == RecordKind.PERSON:
            rebuild_person_keys_many(records)
        else:
            for record in records:
                rebuild_organisation_keys(record)


PERSONS = _Kind(Person, RecordKind.PERSON, PERSON_FIELDS, "cin", PersonPair)
ORGANISATIONS = _Kind(
    Organisation, RecordKind.ORGANISATION, ORGANISATION_FIELDS, "ice", OrganisationPair
)


def _merge_one(
    kind: _Kind, actor: User | None, survivor: Any, merged: Any, pair: Any, automatic: bool
) -> Merge:
    """One merge through the batched path, with a message when it cannot be done."""
    _require(actor)
    survivor, merged = _lock(kind.model, survivor.pk, merged.pk)
    _check_mergeable(survivor, merged)
    made, refused = _merge_many(
        kind, [(survivor.pk, merged.pk, pair.pk if pair else None)], actor, automatic
    )
    if not made:
        raise MergeRefused(
            _(
                "Both records have a %(what)s that cannot be combined "
                "automatically: resolve it on one of the records, then merge."
            )
            % {"what": refused.get(merged.pk, "")}
        )
    if pair is not None:
        pair.refresh_from_db()
    return made[0]


@transaction.atomic
def merge_persons(
    *,
    actor: User | None,
    survivor: Person,
    merged: Person,
    pair: PersonPair | None = None,
    automatic: bool = False,
) -> Merge:
    """Merge ``merged`` into ``survivor``; the survivor keeps its values and gains the rest."""
    return _merge_one(PERSONS, actor, survivor, merged, pair, automatic)


@transaction.atomic
def merge_organisations(
    *,
    actor: User | None,
    survivor: Organisation,
    merged: Organisation,
    pair: OrganisationPair | None = None,
    automatic: bool = False,
) -> Merge:
    """Merge one organisation into another, as for persons (the ICE is unique and moves)."""
    return _merge_one(ORGANISATIONS, actor, survivor, merged, pair, automatic)


@transaction.atomic
def merge_persons_many(
    merges: list[tuple[int, int, int | None]], *, actor: User | None = None
) -> list[int]:
    """Merge many (survivor, merged, pair) at once: what a run does with its sure pairs.

    A merge whose rows cannot be combined (a removal that would cascade), or whose records were
    merged or archived meanwhile, is left out; the ids of the ``Merge`` records made are
    returned, each of which can be undone alone.
    """
    _require(actor)
    made, _refused = _merge_many(PERSONS, merges, actor, automatic=True)
    return [merge.pk for merge in made]


def _lock(model: type[Any], *pks: int) -> list[Any]:
    rows = {r.pk: r for r in model.objects.select_for_update().filter(pk__in=pks)}
    if len(rows) != len(set(pks)):
        raise MergeRefused(_("One of the records no longer exists."))
    return [rows[pk] for pk in pks]


def _check_mergeable(survivor: Any, merged: Any) -> None:
    if survivor.pk == merged.pk:
        raise MergeRefused(_("A record cannot be merged into itself."))
    for record in (survivor, merged):
        if record.merged_into_id is not None:
            raise MergeRefused(
                _("Record #%(pk)s was already merged into #%(into)s: merge with that one.")
                % {"pk": record.pk, "into": record.merged_into_id}
            )
        if record.archived_at is not None:
            raise MergeRefused(
                _("Record #%(pk)s is archived: restore it first.") % {"pk": record.pk}
            )


def _restore(
    model: type[Any], record: Any, values: dict[str, Any], actor: User | None, verb: str
) -> None:
    for attname, value in values.items():
        setattr(record, attname, value)
    save_audited(record, actor=actor, verb=verb)
    if "updated_at" in values:
        model.objects.filter(pk=record.pk).update(updated_at=values["updated_at"])


@transaction.atomic
def merge_undo(*, actor: User | None, merge: Merge) -> None:
    """Put both records and every moved row back as they were before the merge.

    When the kept record was not changed since, it comes back exactly, every column. When it
    was (a phone corrected, say), only what the merge filled in is taken back and the later
    changes stay; when what the merge filled in was itself changed since, or the record was
    archived, the undo is refused: a person must look.
    """
    _require(actor)
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise MergeRefused(_("This merge was already undone."))
    kind = PERSONS if merge.kind == RecordKind.PERSON else ORGANISATIONS
    model = kind.model
    survivor, merged = _lock(model, merge.survivor_id, merge.merged_id)
    if merged.merged_into_id != survivor.pk:
        raise MergeRefused(_("The merged record has changed since: it cannot be undone here."))
    if survivor.merged_into_id is not None:
        raise MergeRefused(
            _("The kept record was merged again since: undo that merge first (#%(pk)s).")
            % {"pk": survivor.merged_into_id}
        )
    changes = merge.changes
    now = _row(survivor)
    after = changes["survivor_after"]
    changed = [k for k, v in after.items() if now.get(k) != v]
    untouched = not changed
    if {"archived_at", "merged_into_id"} & set(changed) or set(changes["filled"]) & set(changed):
        raise MergeRefused(
            _(
                "The kept record was changed since the merge in what the merge brought: "
                "separate the records by hand (edit them), then mark the pair as not the same."
            )
        )
    for label, pk, attname in changes["moved"]:
        apps.get_model(label)._default_manager.filter(pk=pk, **{attname: survivor.pk}).update(
            **{attname: merged.pk}
        )
    for label, values in changes["removed"]:
        related = apps.get_model(label)
        row = related._default_manager.create(**_python(related, values))
        stamps = {
            f.attname: getattr(row, f.attname)
            for f in related._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        }
        if stamps:  # created anew: its times come back as they were
            related._default_manager.filter(pk=row.pk).update(
                **{k: _python(related, values)[k] for k in stamps}
            )
    for label, pk, name, old in changes.get("combined", []):
        apps.get_model(label)._default_manager.filter(pk=pk).update(**{name: old})
    verb = f"registry.{merge.kind}.merge_undone"
    before = _python(model, changes["survivor"])
    # Later changes stay: take back only what the merge filled in.
    restored = before if untouched else {k: before[k] for k in changes["filled"]}
    # The survivor first: a CIN or ICE that moved must leave it before the merged record takes
    # it back.
    _restore(model, survivor, restored, actor, verb)
    _restore(model, merged, _python(model, changes["merged"]), actor, verb)
    if merge.kind == RecordKind.PERSON and not untouched:
        survivor.identity_key = person_identity_key(survivor)
        model.objects.filter(pk=survivor.pk).update(identity_key=survivor.identity_key)
    kind.rebuild([survivor, merged])
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by", "updated_at"])
    pair = merge.person_pair or merge.organisation_pair
    if pair is not None:
        # Back to the queue, for a person to decide: no run merges it again by itself.
        pair.status = PairStatus.PENDING
        pair.band = Band.REVIEW
        pair.decided_by = actor
        pair.decided_at = timezone.now()
        pair.save(update_fields=["status", "band", "decided_by", "decided_at", "updated_at"])


def _decide(pair: PersonPair | OrganisationPair, actor: User | None, status: str) -> None:
    pair.status = status
    pair.decided_by = actor
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])


@transaction.atomic
def pair_not_same(*, actor: User | None, pair: PersonPair | OrganisationPair) -> None:
    """Remember that the two records are different people (or organisations): never proposed
    again, by a run or by a lookup."""
    _require(actor)
    if pair.status == PairStatus.MERGED:
        raise MergeRefused(_("These records were merged: undo the merge first."))
    _decide(pair, actor, PairStatus.NOT_SAME)


def ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def decided_pairs(kind: str, ids: Iterable[int]) -> dict[tuple[int, int], str]:
    """The pairs touching ``ids`` that a person (or an undo) has decided, with their status."""
    model: type[Any] = PersonPair if kind == RecordKind.PERSON else OrganisationPair
    id_list = sorted(set(ids))
    found: dict[tuple[int, int], str] = {}
    for start in range(0, len(id_list), 900):
        chunk = id_list[start : start + 900]
        for side in ("left_id__in", "right_id__in"):
            for left, right, status in model.objects.filter(
                decided_at__isnull=False, **{side: chunk}
            ).values_list("left_id", "right_id", "status"):
                found[(left, right)] = status
    return found


def not_same_ids(kind: str, ids: Iterable[int]) -> set[tuple[int, int]]:
    """The pairs among ``ids`` already judged different."""
    return {k for k, status in decided_pairs(kind, ids).items() if status == PairStatus.NOT_SAME}


def pairs_record(found: Iterable[tuple[int, int, float, str, dict[str, str]]]) -> int:
    """Queue pairs found by a lookup (an import, a typed record); returns how many were new.

    Pairs already known (pending, merged or judged different) are left as they are: a "not the
    same" decision is never proposed again.
    """
    rows = {}
    for a, b, probability, band, levels in found:
        if a == b:
            continue
        left, right = ordered(a, b)
        rows[(left, right)] = PersonPair(
            left_id=left, right_id=right, score=probability, evidence=levels, band=band
        )
    if not rows:
        return 0
    known = not_same_ids(RecordKind.PERSON, {i for pair in rows for i in pair})
    existing = set(
        PersonPair.objects.filter(left_id__in=[a for a, _b in rows]).values_list(
            "left_id", "right_id"
        )
    )
    new = [p for key, p in rows.items() if key not in known and key not in existing]
    PersonPair.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _update_rows(
    model: type[models.Model], attnames: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """``UPDATE … FROM (VALUES …)``: each row ``(pk, *values)`` in one statement per 500 rows,
    without the ORM building an expression per row (``bulk_update``'s CASE), which was most of
    a national run's merge time. SQLite (3.33+) and PostgreSQL both read it; PostgreSQL needs
    each value cast to its column's type."""
    if not rows:
        return
    meta = model._meta
    fields = [meta.pk, *(meta.get_field(a) for a in attnames)]
    quote = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"
    slot = (
        "("
        + ", ".join(
            f"CAST(%s AS {f.db_type(connection)})" if postgres else "%s"  # type: ignore[union-attr]
            for f in fields
        )
        + ")"
    )
    table = quote(meta.db_table)
    sets = ", ".join(
        f"{quote(str(f.column))} = v.column{i}"  # type: ignore[union-attr]
        for i, f in enumerate(fields[1:], start=2)
    )
    where = f"{table}.{quote(str(meta.pk.column))} = v.column1"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            params = [
                f.get_db_prep_value(value, connection)  # type: ignore[union-attr]
                for row in chunk
                for f, value in zip(fields, row, strict=True)
            ]
            values = ", ".join([slot] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {values}) AS v WHERE {where}", params
            )


def _unique_others(field: models.ForeignKey[Any, Any]) -> list[tuple[str, ...]]:
    """For each unconditional unique constraint holding ``field``, its other columns."""
    result = []
    for constraint in field.model._meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.condition is None
            and field.name in constraint.fields
        ):
            others = tuple(
                field.model._meta.get_field(f).attname  # type: ignore[union-attr]
                for f in constraint.fields
                if f != field.name
            )
            result.append(others)
    for together in field.model._meta.unique_together:
        if field.name in together:
            result.append(
                tuple(
                    field.model._meta.get_field(f).attname  # type: ignore[union-attr]
                    for f in together
                    if f != field.name
                )
            )
    return result


def _merge_many(
    kind: _Kind, merges: list[tuple[int, int, int | None]], actor: User | None, automatic: bool
) -> tuple[list[Merge], dict[int, str]]:
    """The merges (survivor, merged, pair), in a few statements per table, not per merge.

    Every row that pointed at a merged record (found from the foreign keys to the model) moves
    to its survivor; a row that would repeat one the survivor has is removed, unless removing
    it would cascade (the merge is then refused, with the kind of row that stood in the way).
    ``Merge.changes`` keeps what undo needs. One by one a merge took 11 ms at national scale;
    in batches, under 2 (docs/decisions/0014).
    """
    model = kind.model
    ids = {i for sid, mid, _p in merges for i in (sid, mid)}
    people = {p.pk: p for p in model.objects.select_for_update().filter(pk__in=ids)}
    seen: set[int] = set()
    todo: list[tuple[Any, Any, int | None]] = []
    for sid, mid, pair_id in merges:
        survivor, merged = people.get(sid), people.get(mid)
        if survivor is None or merged is None or mid in seen or mid == sid:
            continue
        if any(r.merged_into_id or r.archived_at for r in (survivor, merged)):
            continue
        seen.add(mid)
        todo.append((survivor, merged, pair_id))
    if not todo:
        return [], {}
    # Survivors that are themselves merged in this batch are not allowed (clusters have one).
    merged_ids = {m.pk for _s, m, _p in todo}
    todo = [t for t in todo if t[0].pk not in merged_ids]
    target = {m.pk: s.pk for s, m, _p in todo}
    before = {m.pk: {"survivor": _row(s), "merged": _row(m)} for s, m, _p in todo}
    filled = {m.pk: _fill_blanks(s, m, kind.fields) for s, m, _p in todo}
    moved: dict[int, list[list[Any]]] = {pk: [] for pk in target}
    removed: dict[int, list[list[Any]]] = {pk: [] for pk in target}
    combined: dict[int, list[list[Any]]] = {pk: [] for pk in target}
    refused: dict[int, str] = {}
    plans = []
    for field in references(model):
        related = field.model
        rows = list(
            related._default_manager.filter(**{f"{field.attname}__in": list(target)}).order_by("pk")
        )
        if not rows:
            continue
        uniques = _unique_others(field)
        taken: set[tuple[Any, ...]] = set()
        if uniques:
            survivors = sorted(set(target.values()))
            for other in related._default_manager.filter(
                **{f"{field.attname}__in": survivors}
            ).values(field.attname, *{c for cols in uniques for c in cols}):
                for cols in uniques:
                    taken.add((cols, other[field.attname], *(other[c] for c in cols)))
        for row in rows:
            mid = getattr(row, field.attname)
            sid = target[mid]
            clash = any((cols, sid, *(getattr(row, c) for c in cols)) in taken for cols in uniques)
            if clash and _is_cascading(row):
                refused[mid] = str(related._meta.verbose_name)
            plans.append((field, row, mid, sid, clash))
            if not clash:
                for cols in uniques:  # two rows of one merged record may not meet either
                    taken.add((cols, sid, *(getattr(row, c) for c in cols)))
    for field, row, mid, sid, clash in plans:
        if mid in refused:
            continue
        label = row._meta.label
        if clash:
            combined[mid] += _combine(row, field, sid)
            removed[mid].append([label, _row(row)])
            row.delete()
        else:
            moved[mid].append([label, row.pk, field.attname, sid])
    for field in references(model):  # one UPDATE per table
        by_survivor: dict[int, list[int]] = {}
        for entries in moved.values():
            for label, pk, attname, sid in entries:
                if label == field.model._meta.label and attname == field.attname:
                    by_survivor.setdefault(sid, []).append(pk)
        if not by_survivor:
            continue
        _update_rows(
            field.model,
            [field.attname],
            [(pk, sid) for sid, group in by_survivor.items() for pk in group],
        )
    now = timezone.now()
    done = [(s, m, p) for s, m, p in todo if m.pk not in refused]
    survivors_changed: list[Any] = []
    for s, m, _p in done:
        fills = filled[m.pk]
        if kind.unique in fills:  # unique in the registry: it moves
            setattr(m, kind.unique, "")
        m.merged_into_id = s.pk
        m.archived_at, m.archived_by, m.updated_at = now, actor, now
        m.archive_reason = _("Merged into #%(pk)s") % {"pk": s.pk}
        if fills:
            for attname, value in fills.items():
                setattr(s, attname, value)
            if kind.kind == RecordKind.PERSON:
                s.identity_key = person_identity_key(s)
            s.updated_at = now
            if s not in survivors_changed:  # a survivor of two merges of the batch: once
                survivors_changed.append(s)
    merged_objs = [m for _s, m, _p in done]
    # A CIN or ICE leaves the merged record before the survivor takes it (unique).
    columns = [kind.unique, "merged_into_id", "archived_at", "archived_by_id", "archive_reason"]
    _update_rows(
        model,
        [*columns, "updated_at"],
        [(m.pk, *(getattr(m, c) for c in columns), now) for m in merged_objs],
    )
    fill_fields = sorted({a for s, m, _p in done for a in filled[m.pk]})
    if survivors_changed:
        columns = [*fill_fields, "updated_at"]
        if kind.kind == RecordKind.PERSON:
            columns.append("identity_key")
        _update_rows(
            model, columns, [(s.pk, *(getattr(s, c) for c in columns)) for s in survivors_changed]
        )
    history = model.history
    history.bulk_history_create(
        merged_objs,
        update=True,
        default_user=actor,
        default_change_reason=f"registry.{kind.kind}.merged",
    )
    if survivors_changed:
        history.bulk_history_create(
            survivors_changed,
            update=True,
            default_user=actor,
            default_change_reason=f"registry.{kind.kind}.merge_kept",
        )
    names = {"first_name", "last_name", "first_name_ar", "last_name_ar", "name_fr", "name_ar"}
    kind.rebuild([s for s in survivors_changed if names & set(fill_fields)])
    if kind.kind == RecordKind.PERSON:
        search_index.refresh([i for s, m, _p in done for i in (s.pk, m.pk)])
    records = [
        Merge(
            kind=kind.kind,
            survivor_id=s.pk,
            merged_id=m.pk,
            person_pair_id=p if kind.kind == RecordKind.PERSON else None,
            organisation_pair_id=p if kind.kind == RecordKind.ORGANISATION else None,
            automatic=automatic,
            actor=actor,
            changes={
                **before[m.pk],
                "filled": sorted(filled[m.pk]),
                "survivor_after": {
                    k: v for k, v in _row(s).items() if k in (*filled[m.pk], *WATCHED)
                },
                "moved": [[label, pk, attname] for label, pk, attname, _sid in moved[m.pk]],
                "removed": removed[m.pk],
                "combined": combined[m.pk],
            },
        )
        for s, m, p in done
    ]
    made = Merge.objects.bulk_create(records, batch_size=1000)
    pair_ids = [p for _s, _m, p in done if p is not None]
    kind.pair_model.objects.filter(pk__in=pair_ids).update(
        status=PairStatus.MERGED, decided_by=actor, decided_at=now
    )
    return made, refused
