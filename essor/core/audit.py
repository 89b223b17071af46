"""The audit trail: every create, change, archive and merge says who, when and what changed.

Row-level history is kept by django-simple-history (a ``history`` table per audited model).
Services save through :func:`save_audited`, which stamps the actor and a verb such as
``"accounts.user.roles_changed"`` on the history row, so the trail reads as actions, not
only as diffs. Changes made outside services (admin, shell) are recorded too, without a verb.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from essor.accounts.models import User


def save_audited(
    obj: models.Model,
    *,
    actor: User | None,
    verb: str,
    update_fields: Iterable[str] | None = None,
) -> None:
    """Save ``obj`` and record the actor and the verb in its history row."""
    obj._history_user = actor  # type: ignore[attr-defined]
    obj._change_reason = verb  # type: ignore[attr-defined]
    if update_fields is not None:
        obj.save(update_fields=list(update_fields))
    else:
        obj.save()


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: Any
    kind: str  # "+" created, "~" changed, "-" deleted
    verb: str
    changes: list[FieldChange] = field(default_factory=list)


HIDDEN_FIELDS = {"password", "updated_at", "last_login"}


def history_of(obj: models.Model) -> list[HistoryEntry]:
    """The record's history, newest first, each entry with the fields it changed."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")  # type: ignore[attr-defined]
    )
    entries: list[HistoryEntry] = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[FieldChange] = []
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in HIDDEN_FIELDS:
                    continue
                model_field = obj._meta.get_field(change.field)
                changes.append(
                    FieldChange(
                        field=change.field,
                        label=str(getattr(model_field, "verbose_name", change.field)),
                        old=change.old,
                        new=change.new,
                    )
                )
        entries.append(
            HistoryEntry(
                at=record.history_date,
                actor=record.history_user,
                kind=record.history_type,
                verb=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries
