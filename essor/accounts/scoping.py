"""Data isolation between partners: the base of every personal record.

Every personal record carries the partner that holds it (``holder``). A user sees the records
of their own partner, of partners whose sharing rule in force opens theirs to the user's
partner, and of every partner only with the ``personal.all_partners`` capability. Users
without the ``personal.view`` capability (the committee) see no personal record at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Cap

if TYPE_CHECKING:
    from .models import User

M = TypeVar("M", bound=models.Model)

ALL = None  # visible_partner_ids() returns None when every partner is visible


def visible_partner_ids(user: User) -> set[int] | None:
    """Partners whose personal records ``user`` may see; ``None`` means all of them."""
    if not user.is_authenticated or not user.can(Cap.PERSONAL_VIEW):
        return set()
    if user.can(Cap.PERSONAL_ALL_PARTNERS):
        return ALL
    cached: set[int] | None = getattr(user, "_visible_partner_ids", None)
    if cached is not None:
        return cached
    from .models import SharingRule

    ids = {user.partner_id} if user.partner_id else set()
    ids |= set(
        SharingRule.objects.in_force()
        .filter(grantee_id=user.partner_id)
        .values_list("holder_id", flat=True)
    )
    user._visible_partner_ids = ids  # type: ignore[attr-defined]
    return ids


class PartnerHeldQuerySet(models.QuerySet[M]):
    def visible_to(self, user: User) -> PartnerHeldQuerySet[M]:
        ids = visible_partner_ids(user)
        if ids is ALL:
            return self
        return self.filter(holder_id__in=ids)

    def changeable_by(self, user: User) -> PartnerHeldQuerySet[M]:
        """Records the user may change: only their own partner's (sharing gives reading)."""
        if not user.can(Cap.PERSONAL_CHANGE):
            return self.none()
        if user.can(Cap.PERSONAL_ALL_PARTNERS):
            return self
        return self.filter(holder_id=user.partner_id)


class PartnerHeld(models.Model):
    """Abstract base of a personal record: it carries the partner that holds it."""

    holder = models.ForeignKey(
        "accounts.Partner",
        verbose_name=_("holding partner"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects: Any = PartnerHeldQuerySet.as_manager()

    class Meta:
        abstract = True


class HeldQuerySet(models.QuerySet[M]):
    """Records that several partners may hold at once (persons, organisations).

    A subclass names its holding table (``holding_model_name``, e.g.
    ``"registry.PersonHolding"``) and the holding's foreign key to the record
    (``holding_field``). A record is visible when one of its holders is in the user's scope.
    """

    holding_model_name: str
    holding_field: str

    def _holdings(self) -> models.QuerySet[Any]:
        from django.apps import apps

        return apps.get_model(self.holding_model_name).objects.filter(
            **{self.holding_field: models.OuterRef("pk")}
        )

    def visible_to(self, user: User) -> HeldQuerySet[M]:
        ids = visible_partner_ids(user)
        if ids is ALL:
            return self
        if not ids:
            return self.none()
        return self.filter(models.Exists(self._holdings().filter(partner_id__in=ids)))

    def changeable_by(self, user: User) -> HeldQuerySet[M]:
        if not user.can(Cap.PERSONAL_CHANGE):
            return self.none()
        if user.can(Cap.PERSONAL_ALL_PARTNERS):
            return self
        return self.filter(models.Exists(self._holdings().filter(partner_id=user.partner_id)))
