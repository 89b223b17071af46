"""What the other apps ask of the privacy app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models

from .models import AccessLogEntry, AccessPurpose, Objection

if TYPE_CHECKING:
    from essor.accounts.models import User

Q = TypeVar("Q", bound=models.QuerySet[Any])


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
