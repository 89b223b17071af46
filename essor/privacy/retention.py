"""Retention: a person's identity is kept while a programme needs it, then anonymised.

Each programme keeps personal data a number of months after the holder's exit
(:class:`~essor.privacy.models.RetentionPolicy`, else :func:`default_months`). A person's data
**expires** when every programme that holds them has passed exit + retention and nothing of
theirs is still open (an application being processed, an enrollment without an exit, a
commitment not fully paid, a session to come).

What "exit" is, per programme, is the last thing that happened there: the enrollment's exit,
a follow-up survey done, a session attended, a commitment or a tranche paid, or the
application itself when it went no further. A session under no programme counts as a
programme of its own with the default retention. A person in no programme at all (only
registered, or only imported) is not covered: their record is kept under the holding
partner's consent and is not expired by this rule.

Anonymising keeps the row (the ledger, attendance and the figures point at it) and what the
statistics need (sex, commune, education, birth **year**, holders, memberships) and removes
the identity: names, CIN, phone, e-mail, address, identity and search keys, the archive note,
and the same values from every history row of the person and of the records merged into it,
from the snapshots the merges kept for undo, and the interview notes of their applications.
``docs/decisions/0018-rights-retention-and-access-log.md`` says why.
"""

from __future__ import annotations

import calendar
import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from essor.core.audit import save_audited

from .models import Anonymisation, RetentionPolicy

if TYPE_CHECKING:
    from essor.accounts.models import User
    from essor.registry.models import Person

DEFAULT_MONTHS = 60

# What anonymisation keeps of a person: the row's links and what the statistics count.
# Every other stored field is emptied, so that a field added later is emptied too.
KEPT_FIELDS = frozenset(
    {
        "id",
        "sex",
        "commune",
        "education_level",
        "registered_by",
        "created_at",
        "updated_at",
        "archived_at",
        "archived_by",
        "merged_into",
        "birth_date",  # kept as its year only (see _birth_year)
    }
)


def default_months() -> int:
    """Months a programme without a policy keeps the data after exit: 60, or the setting
    (or environment variable) ``ESSOR_RETENTION_DEFAULT_MONTHS``."""
    value = getattr(settings, "ESSOR_RETENTION_DEFAULT_MONTHS", None)
    return int(value or os.environ.get("ESSOR_RETENTION_DEFAULT_MONTHS") or DEFAULT_MONTHS)


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months; the 31st becomes the month's last day when it has none."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Held:
    """One programme that holds the person: their exit from it and how long it keeps them."""

    programme_id: int | None
    code: str
    exit: date
    months: int

    @property
    def until(self) -> date:
        return add_months(self.exit, self.months)


@dataclass
class Expired:
    person_id: int
    held: list[Held]
    label: str = ""  # masked: initials, birth year, CIN's first four characters

    @property
    def since(self) -> date:
        return max(h.until for h in self.held)


@dataclass
class Activity:
    """Per person: the last activity in each programme, and whether anything is still open."""

    last: dict[int, dict[int | None, date]] = field(default_factory=lambda: defaultdict(dict))
    open: set[int] = field(default_factory=set)

    def note(self, person_id: int | None, programme_id: int | None, day: Any) -> None:
        if person_id is None or day is None:
            return
        if hasattr(day, "date"):  # a datetime: the local day it fell on
            day = timezone.localdate(day)
        current = self.last[person_id].get(programme_id)
        if current is None or day > current:
            self.last[person_id][programme_id] = day


def _activity(scope: Any = None) -> Activity:
    """Every person's last activity by programme, in a few grouped queries (no query per
    person). ``scope`` (a queryset of persons' ids) narrows it to those persons."""
    from essor.accompaniment.models import Participant
    from essor.funding.models import ApprovalStatus, Commitment
    from essor.funding.selectors import disbursed_sum
    from essor.monitoring.models import FollowUp, FollowUpStatus
    from essor.programmes.models import Application, ApplicationStatus

    found = Activity()
    open_statuses = [
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.ELIGIBLE,
        ApplicationStatus.INCOMPLETE,
        ApplicationStatus.SELECTED,
        ApplicationStatus.WAITING,
    ]
    still_open = (
        Q(status__in=open_statuses)
        | Q(status=ApplicationStatus.ENROLLED, enrollment__isnull=True)
        | Q(enrollment__isnull=False, enrollment__exited_on__isnull=True)
    )
    # A person's own records, and those of the enterprises they are a member of (their
    # manager or founder is who the programme deals with).
    for path in ("person_id", "organisation__memberships__person_id"):
        rows = Application.objects.filter(**{f"{path}__isnull": False})
        if scope is not None:
            rows = rows.filter(**{f"{path}__in": scope})
        for row in rows.values(path, "programme_id").annotate(
            submitted=Max("submitted_on"),
            exited=Max("enrollment__exited_on"),
            opened=Count("pk", filter=still_open),
        ):
            person = row[path]
            found.note(person, row["programme_id"], row["submitted"])
            found.note(person, row["programme_id"], row["exited"])
            if row["opened"]:
                found.open.add(person)

        commitments = Commitment.objects.filter(**{f"{path}__isnull": False})
        if scope is not None:
            commitments = commitments.filter(**{f"{path}__in": scope})
        for row in commitments.values(path, "programme_id").annotate(
            committed=Max("committed_on"),
            paid=Max(
                "disbursements__paid_on",
                filter=Q(disbursements__status=ApprovalStatus.APPROVED),
            ),
        ):
            found.note(row[path], row["programme_id"], row["committed"])
            found.note(row[path], row["programme_id"], row["paid"])
        unpaid = (
            commitments.annotate(disbursed=disbursed_sum())
            .filter(
                Q(status=ApprovalStatus.PENDING)
                | Q(
                    status=ApprovalStatus.APPROVED,
                    disbursed__lt=models.F("amount") - models.F("released"),
                )
            )
            .values_list(path, flat=True)
        )
        found.open.update(unpaid)

    now = timezone.now()
    participants = Participant.objects.all()
    if scope is not None:
        participants = participants.filter(person_id__in=scope)
    for row in participants.values("person_id", "session__programme_id").annotate(
        last=Max("session__starts_at", filter=Q(session__starts_at__lte=now)),
        coming=Count("pk", filter=Q(session__starts_at__gt=now)),
    ):
        found.note(row["person_id"], row["session__programme_id"], row["last"])
        if row["coming"]:
            found.open.add(row["person_id"])

    person_path = "enrollment__application__person_id"
    surveys = FollowUp.objects.filter(
        status=FollowUpStatus.DONE, **{f"{person_path}__isnull": False}
    )
    if scope is not None:
        surveys = surveys.filter(**{f"{person_path}__in": scope})
    for row in surveys.values(person_path, "enrollment__application__programme_id").annotate(
        last=Max("done_on")
    ):
        found.note(row[person_path], row["enrollment__application__programme_id"], row["last"])
    return found


def expired_persons(*, today: date | None = None, persons: Any = None) -> list[Expired]:
    """The persons whose data expired on ``today``, the longest expired first.

    ``persons`` (a queryset) narrows the search, e.g. to those a user's partner may change.
    Persons already anonymised, and records merged into another, are left out (a merged
    record goes with its survivor)."""
    from essor.programmes.models import Programme
    from essor.registry.models import Person

    today = today or timezone.localdate()
    scope = persons.values("pk") if persons is not None else None
    activity = _activity(scope)
    months = dict(RetentionPolicy.objects.values_list("programme_id", "months"))
    default = default_months()
    codes = dict(Programme.objects.values_list("pk", "code"))
    skip = set(Anonymisation.objects.values_list("person_id", flat=True))
    skip |= set(Person.objects.filter(merged_into__isnull=False).values_list("pk", flat=True))
    found: list[Expired] = []
    for person_id, last in activity.last.items():
        if person_id in activity.open or person_id in skip:
            continue
        held = [
            Held(
                programme_id=programme_id,
                code=codes.get(programme_id, "") if programme_id is not None else "",
                exit=exit_on,
                months=months.get(programme_id, default) if programme_id is not None else default,
            )
            for programme_id, exit_on in sorted(last.items(), key=lambda kv: kv[0] or 0)
        ]
        if held and all(h.until <= today for h in held):
            found.append(Expired(person_id=person_id, held=held))
    found.sort(key=lambda e: (e.since, e.person_id))
    _label(found)
    return found


def digest(expired: Iterable[Expired]) -> str:
    """A short fingerprint of a list, so that "apply" anonymises the list that was shown."""
    ids = ",".join(str(e.person_id) for e in sorted(expired, key=lambda e: e.person_id))
    return hashlib.sha256(ids.encode()).hexdigest()[:16]


def _initials(*parts: str) -> str:
    return " ".join(word[:1] + "." for part in parts for word in part.split())


def masked_label(person: Person) -> str:
    """``#1043 A. A. · 1987 · AB12****``: enough to find the record, not to read it."""
    from essor.registry.identifiers import mask_cin

    names = _initials(person.first_name, person.last_name) or _initials(
        person.first_name_ar, person.last_name_ar
    )
    year = str(person.birth_date.year) if person.birth_date else "—"
    return f"#{person.pk} {names or '—'} · {year} · {mask_cin(person.cin) or '—'}"


def _label(found: list[Expired]) -> None:
    from essor.registry.models import Person

    by_id = {e.person_id: e for e in found}
    ids = list(by_id)
    fields = ["first_name", "last_name", "first_name_ar", "last_name_ar", "birth_date", "cin"]
    for start in range(0, len(ids), 1000):
        for person in Person.objects.filter(pk__in=ids[start : start + 1000]).only(*fields):
            by_id[person.pk].label = masked_label(person)


# --- Anonymisation ------------------------------------------------------------------------------


def _blank(model_field: models.Field[Any, Any]) -> Any:
    if model_field.null:
        return None
    if model_field.has_default():
        return model_field.get_default()
    return ""


def _wiped_fields() -> list[models.Field[Any, Any]]:
    """The person's stored fields that anonymisation empties (all but :data:`KEPT_FIELDS`)."""
    from essor.registry.models import Person

    return [f for f in Person._meta.concrete_fields if f.name not in KEPT_FIELDS]


def _birth_year(day: date | None) -> date | None:
    """The birth year kept, as 1 July of it: an age is then at most six months off."""
    return date(day.year, 7, 1) if day else None


def _scrub(obj: Any, wiped: list[models.Field[Any, Any]], present: set[str]) -> list[str]:
    """Empty the identity of a person or of one of its history rows; the attnames changed."""
    changed = []
    for model_field in wiped:
        if model_field.attname in present:
            setattr(obj, model_field.attname, _blank(model_field))
            changed.append(model_field.attname)
    obj.birth_date = _birth_year(obj.birth_date)
    return [*changed, "birth_date"]


def _scrub_snapshot(values: Any, wiped: list[models.Field[Any, Any]]) -> Any:
    """A merge's copy of a person's row (``{attname: value}``), scrubbed the same way."""
    if not isinstance(values, dict):
        return values
    clean = dict(values)
    for model_field in wiped:
        if model_field.attname in clean:
            clean[model_field.attname] = _blank(model_field)
    if clean.get("birth_date"):
        clean["birth_date"] = f"{str(clean['birth_date'])[:4]}-07-01"
    return clean


def _with_merged(person_id: int) -> list[int]:
    """The person and every record merged into it, at any depth."""
    from essor.registry.models import Person

    ids = [person_id]
    frontier = [person_id]
    while frontier:
        frontier = list(
            Person.objects.filter(merged_into_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids += frontier
    return ids


def anonymise(
    expired: Expired, *, actor: User | None, trigger: str, at: Any = None
) -> Anonymisation | None:
    """Anonymise one expired person (and the records merged into it); recorded. None when it
    was anonymised meanwhile."""
    from essor.linkage.models import Merge, RecordKind
    from essor.programmes.models import Application
    from essor.registry.models import Person
    from essor.registry.services import rebuild_person_keys_many

    with transaction.atomic():
        person = Person.objects.select_for_update().filter(pk=expired.person_id).first()
        if person is None or Anonymisation.objects.filter(person_id=person.pk).exists():
            return None
        ids = _with_merged(person.pk)
        wiped = _wiped_fields()
        stored = {f.attname for f in Person._meta.concrete_fields}
        records = list(Person.objects.filter(pk__in=ids).order_by("pk"))
        for record in records:
            _scrub(record, wiped, stored)
            save_audited(record, actor=actor, verb="privacy.person.anonymised")
        rebuild_person_keys_many(records)

        history = Person.history.model
        in_history = {f.attname for f in history._meta.concrete_fields}
        rows = list(history.objects.filter(id__in=ids))
        touched: set[str] = set()
        for row in rows:
            touched.update(_scrub(row, wiped, in_history))
        if rows:
            history.objects.bulk_update(rows, sorted(touched), batch_size=500)

        merges = list(
            Merge.objects.filter(kind=RecordKind.PERSON).filter(
                Q(survivor_id__in=ids) | Q(merged_id__in=ids)
            )
        )
        for merge in merges:
            changes = dict(merge.changes)
            for key in ("survivor", "merged", "survivor_after"):
                if key in changes:
                    changes[key] = _scrub_snapshot(changes[key], wiped)
            # Rows a merge removed: the search keys folded from the names go.
            changes["removed"] = [
                entry
                for entry in changes.get("removed", [])
                if not (entry and entry[0] == "registry.PersonNameKey")
            ]
            merge.changes = changes
        if merges:
            Merge.objects.bulk_update(merges, ["changes"])

        # What staff wrote about the person at their interview goes with their identity.
        Application.objects.filter(person_id__in=ids).update(interview_note="")
        Application.history.model.objects.filter(person_id__in=ids).update(interview_note="")

        return Anonymisation.objects.create(
            person=person,
            at=at or timezone.now(),
            actor=actor,
            trigger=trigger,
            expired_on=expired.since,
            programmes=[
                {
                    "programme": h.programme_id,
                    "code": h.code,
                    "exit": h.exit.isoformat(),
                    "months": h.months,
                }
                for h in expired.held
            ],
            merged_records=ids[1:],
        )


def retention_apply(
    *,
    actor: User | None,
    trigger: str,
    persons: Any = None,
    today: date | None = None,
    expired: list[Expired] | None = None,
) -> list[Anonymisation]:
    """Anonymise every expired person (of ``persons`` when given); one transaction each, so
    that a long run commits as it goes and a failure leaves the others done."""
    if expired is None:
        expired = expired_persons(today=today, persons=persons)
    at = timezone.now()
    done = []
    for item in expired:
        record = anonymise(item, actor=actor, trigger=trigger, at=at)
        if record is not None:
            done.append(record)
    return done
