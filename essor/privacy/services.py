"""What the other apps ask of the privacy app, and the writes of a person's requests.

Reads the other apps call: :func:`without_objections` (exports and named lists leave out the
persons who objected), :func:`has_objected`, and the access log (:func:`log_full_cin`,
:class:`ShownCins` for exports, written in one statement after the file is built).

Writes: :func:`objection_record`, :func:`objection_withdraw` and :func:`person_rectify` (a
correction asked by the person, through the registry's own service so that the CIN and phone
are checked and normalised as anywhere else, with the person's reason in the audit trail).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from essor.accounts.roles import Cap
from essor.core.audit import save_audited

from .models import (
    RETENTION_MAX_MONTHS,
    RETENTION_MIN_MONTHS,
    AccessLogEntry,
    AccessPurpose,
    Objection,
    RetentionPolicy,
)

if TYPE_CHECKING:
    from essor.accounts.models import User
    from essor.registry.models import Person

Q = TypeVar("Q", bound=models.QuerySet[Any])
R = TypeVar("R")

# simple-history keeps a change reason of at most 100 characters: the verb and the reason.
RECTIFIED = "privacy.rectified: "
REASON_MAX = 100 - len(RECTIFIED)


def without_objections(queryset: Q, person_field: str = "pk") -> Q:
    """The rows of ``queryset`` whose person has not objected (``person_field`` leads to it)."""
    return queryset.exclude(**{f"{person_field}__in": Objection.objects.values("person_id")})


def has_objected(person_id: int) -> bool:
    return Objection.objects.filter(person_id=person_id).exists()


def log_full_cin(
    user: User | None, person_ids: Iterable[int], purpose: str = AccessPurpose.PAGE, path: str = ""
) -> None:
    """Write one access-log line per person whose full CIN ``user`` is being shown."""
    acting = user if user is not None and user.is_authenticated else None
    AccessLogEntry.objects.bulk_create(
        [
            AccessLogEntry(user=acting, person_id=pk, purpose=purpose, path=path[:300])
            for pk in person_ids
        ],
        batch_size=1000,
    )


class ShownCins:
    """The persons of an export whose full CIN goes out, gathered while the rows are written.

    ``rows = shown.watch(rows)`` passes the records through untouched and notes the ids of
    those with a CIN (no query per row); ``shown.write()`` then logs them in bulk. Nothing is
    noted for a user who sees CINs masked."""

    def __init__(self, user: User, purpose: str = AccessPurpose.EXPORT, path: str = "") -> None:
        self.user = user
        self.purpose = purpose
        self.path = path
        self.full = user.is_authenticated and user.can(Cap.IDENTIFIERS_VIEW)
        self.ids: list[int] = []

    def watch(self, records: Iterable[R]) -> Iterator[R]:
        for record in records:
            if self.full and getattr(record, "cin", None):
                self.ids.append(record.pk)  # type: ignore[attr-defined]
            yield record

    def write(self) -> None:
        if self.ids:
            log_full_cin(self.user, self.ids, self.purpose, self.path)
            self.ids = []


def _require_privacy(actor: User) -> None:
    if not actor.can(Cap.PRIVACY_MANAGE):
        raise PermissionDenied


@transaction.atomic
def objection_record(*, actor: User, person: Person, reason: str) -> Objection:
    """The person objects to the processing that is not mandatory; the reason is theirs."""
    _require_privacy(actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": [_("Write the reason the person gave, as they gave it.")]})
    objection = Objection.objects.filter(person=person).first()
    if objection is not None:
        raise ValidationError(
            {
                "reason": [
                    _("This person's objection is already recorded (%(date)s).")
                    % {"date": objection.recorded_at.strftime("%d/%m/%Y")}
                ]
            }
        )
    objection = Objection(person=person, recorded_by=actor, reason=reason)
    save_audited(objection, actor=actor, verb="privacy.objection.recorded")
    return objection


@transaction.atomic
def objection_withdraw(*, actor: User, person: Person, reason: str = "") -> bool:
    """The person withdraws their objection; False when there was none."""
    _require_privacy(actor)
    objection = Objection.objects.filter(person=person).first()
    if objection is None:
        return False
    objection._history_user = actor  # type: ignore[attr-defined]
    objection._change_reason = (  # type: ignore[attr-defined]
        ("privacy.objection.withdrawn: " + " ".join(reason.split()))[:100]
        if reason.strip()
        else "privacy.objection.withdrawn"
    )
    objection.delete()
    return True


@transaction.atomic
def person_rectify(*, actor: User, person: Person, reason: str, **data: Any) -> list[str]:
    """Correct personal fields at the person's request; their reason goes in the trail.

    The registry's ``person_update`` checks and normalises the values (CIN, phone, names,
    birth date) as every other entry point does; the history row it writes then carries
    ``privacy.rectified: <reason>`` instead of the plain update verb."""
    from essor.registry import services as registry

    _require_privacy(actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            {"reason": [_("Say why the data is corrected: the person's request, in short.")]}
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": [_("Keep the reason under %(max)s characters.") % {"max": REASON_MAX}]}
        )
    changed = registry.person_update(actor=actor, person=person, **data)
    if changed:
        # The row person_update just wrote (it is the newest: we are in its transaction).
        latest = person.history.order_by("-history_date", "-history_id").first()
        latest.history_change_reason = RECTIFIED + reason
        latest.save(update_fields=["history_change_reason"])
    return changed


@transaction.atomic
def retention_policy_set(
    *, actor: User | None, programme: Any, months: int, reason: str = ""
) -> RetentionPolicy:
    """How long ``programme`` keeps personal data after the holder's exit (months)."""
    from essor.programmes.permissions import can_change_programme

    if actor is not None and not can_change_programme(actor, programme):
        raise PermissionDenied
    if not RETENTION_MIN_MONTHS <= months <= RETENTION_MAX_MONTHS:
        raise ValidationError(
            {
                "months": [
                    _("Give between %(min)s and %(max)s months.")
                    % {"min": RETENTION_MIN_MONTHS, "max": RETENTION_MAX_MONTHS}
                ]
            }
        )
    policy = RetentionPolicy.objects.filter(programme=programme).first() or RetentionPolicy(
        programme=programme
    )
    policy.months, policy.reason, policy.set_by = months, reason.strip(), actor
    save_audited(policy, actor=actor, verb="privacy.retention_policy.set")
    return policy
