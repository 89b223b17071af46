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
from datetime import datetime, time
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _

from essor.accounts.models import User
from essor.accounts.roles import Cap
from essor.core.audit import save_audited
from essor.registry import search_index
from essor.registry.models import Organisation, Person
from essor.registry.services import (
    ORGANISATION_FIELDS,
    PERSON_FIELDS,
    person_identity_key,
    rebuild_organisation_keys,
    rebuild_person_keys,
)

from .models import Merge, OrganisationPair, PairStatus, PersonPair, RecordKind

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
    """Every stored column of the row, as JSON-safe values."""
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    return json.loads(json.dumps(values, cls=_ExactEncoder))


def _python(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return {name: fields[name].to_python(value) for name, value in values.items()}


def _blank(value: Any) -> bool:
    return value in ("", None)


def _is_cascading(obj: models.Model) -> bool:
    """Whether deleting this row would delete others with it."""
    collector = Collector(using="default")
    collector.collect([obj])
    return sum(len(objs) for objs in collector.data.values()) > 1


def _move_rows(
    model: type[models.Model], survivor: models.Model, merged: models.Model
) -> tuple[list[list[Any]], list[list[Any]]]:
    moved: list[list[Any]] = []
    removed: list[list[Any]] = []
    for field in references(model):
        related = field.model
        label = related._meta.label
        for row in related._default_manager.filter(**{field.attname: merged.pk}).order_by("pk"):
            try:
                with transaction.atomic():
                    related._default_manager.filter(pk=row.pk).update(
                        **{field.attname: survivor.pk}
                    )
                moved.append([label, row.pk, field.attname])
            except IntegrityError:
                # The survivor already has the same row (same partner, same session…).
                if _is_cascading(row):
                    raise MergeRefused(
                        _(
                            "Both records have a %(what)s that cannot be combined "
                            "automatically: resolve it on one of the records, then merge."
                        )
                        % {"what": related._meta.verbose_name}
                    ) from None
                removed.append([label, _row(row)])
                row.delete()
    return moved, removed


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
    _require(actor)
    survivor, merged = _lock(Person, survivor.pk, merged.pk)
    _check_mergeable(survivor, merged)
    before = {"survivor": _row(survivor), "merged": _row(merged)}
    filled = _fill_blanks(survivor, merged, PERSON_FIELDS)
    if "cin" in filled:
        Person.objects.filter(pk=merged.pk).update(cin="")  # the CIN is unique: it moves
        merged.cin = ""
    moved, removed = _move_rows(Person, survivor, merged)
    merged.merged_into = survivor
    merged.archived_at = timezone.now()
    merged.archived_by = actor
    merged.archive_reason = _("Merged into #%(pk)s") % {"pk": survivor.pk}
    save_audited(merged, actor=actor, verb="registry.person.merged")
    if filled:
        for attname, value in filled.items():
            setattr(survivor, attname, value)
        survivor.identity_key = person_identity_key(survivor)
        save_audited(survivor, actor=actor, verb="registry.person.merge_kept")
        rebuild_person_keys(survivor)
    search_index.refresh([survivor.pk, merged.pk])
    merge = Merge.objects.create(
        kind=RecordKind.PERSON,
        survivor_id=survivor.pk,
        merged_id=merged.pk,
        person_pair=pair,
        automatic=automatic,
        actor=actor,
        changes={**before, "filled": sorted(filled), "moved": moved, "removed": removed},
    )
    if pair is not None:
        _decide(pair, actor, PairStatus.MERGED)
    return merge


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
    _require(actor)
    survivor, merged = _lock(Organisation, survivor.pk, merged.pk)
    _check_mergeable(survivor, merged)
    before = {"survivor": _row(survivor), "merged": _row(merged)}
    filled = _fill_blanks(survivor, merged, ORGANISATION_FIELDS)
    if "ice" in filled:
        Organisation.objects.filter(pk=merged.pk).update(ice="")
        merged.ice = ""
    moved, removed = _move_rows(Organisation, survivor, merged)
    merged.merged_into = survivor
    merged.archived_at = timezone.now()
    merged.archived_by = actor
    merged.archive_reason = _("Merged into #%(pk)s") % {"pk": survivor.pk}
    save_audited(merged, actor=actor, verb="registry.organisation.merged")
    if filled:
        for attname, value in filled.items():
            setattr(survivor, attname, value)
        save_audited(survivor, actor=actor, verb="registry.organisation.merge_kept")
        rebuild_organisation_keys(survivor)
    merge = Merge.objects.create(
        kind=RecordKind.ORGANISATION,
        survivor_id=survivor.pk,
        merged_id=merged.pk,
        organisation_pair=pair,
        automatic=automatic,
        actor=actor,
        changes={**before, "filled": sorted(filled), "moved": moved, "removed": removed},
    )
    if pair is not None:
        _decide(pair, actor, PairStatus.MERGED)
    return merge


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


@transaction.atomic
def merge_undo(*, actor: User | None, merge: Merge) -> None:
    """Put both records and every moved row back as they were before the merge."""
    _require(actor)
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise MergeRefused(_("This merge was already undone."))
    model: type[Any] = Person if merge.kind == RecordKind.PERSON else Organisation
    survivor, merged = _lock(model, merge.survivor_id, merge.merged_id)
    if merged.merged_into_id != survivor.pk:
        raise MergeRefused(_("The merged record has changed since: it cannot be undone here."))
    if survivor.merged_into_id is not None:
        raise MergeRefused(
            _("The kept record was merged again since: undo that merge first (#%(pk)s).")
            % {"pk": survivor.merged_into_id}
        )
    changes = merge.changes
    for label, pk, attname in changes["moved"]:
        apps.get_model(label)._default_manager.filter(pk=pk, **{attname: survivor.pk}).update(
            **{attname: merged.pk}
        )
    for label, values in changes["removed"]:
        related = apps.get_model(label)
        related._default_manager.create(**_python(related, values))
    # Both rows get their stored values back, every column (the survivor first: a CIN or ICE
    # that moved must leave it before the merged record takes it back).
    verb = f"registry.{merge.kind}.merge_undone"
    for role, record in (("survivor", survivor), ("merged", merged)):
        values = _python(model, changes[role])
        for attname, value in values.items():
            setattr(record, attname, value)
        save_audited(record, actor=actor, verb=verb)
        model.objects.filter(pk=record.pk).update(updated_at=values["updated_at"])
    if merge.kind == RecordKind.PERSON:
        rebuild_person_keys(survivor)
        rebuild_person_keys(merged)
        search_index.refresh([survivor.pk, merged.pk])
    else:
        rebuild_organisation_keys(survivor)
        rebuild_organisation_keys(merged)
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by", "updated_at"])
    pair = merge.person_pair or merge.organisation_pair
    if pair is not None:
        pair.status = PairStatus.PENDING
        pair.decided_by = actor
        pair.decided_at = timezone.now()
        pair.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])


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


def not_same_ids(kind: str, ids: Iterable[int]) -> set[tuple[int, int]]:
    """The pairs among ``ids`` already judged different."""
    model: type[Any] = PersonPair if kind == RecordKind.PERSON else OrganisationPair
    id_list = sorted(set(ids))
    found: set[tuple[int, int]] = set()
    for start in range(0, len(id_list), 900):
        chunk = id_list[start : start + 900]
        found |= set(
            model.objects.filter(status=PairStatus.NOT_SAME, left_id__in=chunk).values_list(
                "left_id", "right_id"
            )
        )
        found |= set(
            model.objects.filter(status=PairStatus.NOT_SAME, right_id__in=chunk).values_list(
                "left_id", "right_id"
            )
        )
    return found


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
