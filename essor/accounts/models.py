"""Partners, users and their roles, and the sharing rules between partners."""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from essor.core.models import ArchivableModel, BilingualNameMixin, TimeStampedModel

from .roles import ALL_CAPABILITIES, Role, capabilities_for


class PartnerKind(models.TextChoices):
    REGIONAL_COUNCIL = "regional_council", _("Regional council")
    WILAYA = "wilaya", _("Wilaya / prefecture")
    CHAMBER = "chamber", _("Chamber of commerce (CCIS)")
    INDH = "indh", _("INDH")
    ANAPEC = "anapec", _("ANAPEC")
    MINISTRY = "ministry", _("Ministry")
    TRAINING_INSTITUTION = "training_institution", _("Training institution")
    PUBLIC_AGENCY = "public_agency", _("Public agency")
    DONOR = "donor", _("Donor / international cooperation")
    ASSOCIATION = "association", _("Association")
    BANK = "bank", _("Bank or financing body")
    OTHER = "other", _("Other")


class Partner(BilingualNameMixin, ArchivableModel, TimeStampedModel):
    """An organisation that takes part in conventions and holds records in essor."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=255)
    name_ar = models.CharField(_("name (Arabic)"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=PartnerKind.choices)
    region = models.ForeignKey(
        "territory.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partners",
        help_text=_("Leave empty for a national or international partner."),
    )
    website = models.URLField(_("website"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.label

    @property
    def short_label(self) -> str:
        return self.acronym or self.label


class User(AbstractUser):
    """A person who signs in. Belongs to one partner; platform operators may have none."""

    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="fr"
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(self.role_grants.values_list("role", flat=True))

    @cached_property
    def capabilities(self) -> frozenset[str]:
        if self.is_superuser:
            return ALL_CAPABILITIES
        if not self.is_active or self.partner_id is None:
            return frozenset()
        return capabilities_for(set(self.roles))

    def can(self, capability: str) -> bool:
        return capability in self.capabilities

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in sorted(self.roles)]


class RoleGrant(TimeStampedModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="accounts_rolegrant_unique")
        ]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class SharingRuleQuerySet(models.QuerySet["SharingRule"]):
    def in_force(self) -> SharingRuleQuerySet:
        today = timezone.localdate()
        return self.filter(revoked_at__isnull=True, starts_on__lte=today).filter(
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=today)
        )


class SharingRule(TimeStampedModel):
    """The holder partner lets the grantee partner's users see its personal records.

    The ActivityInfo model: by default a user sees their own partner's records; a sharing
    rule (typically signed with a convention) opens another partner's records to them.
    """

    holder = models.ForeignKey(
        Partner,
        verbose_name=_("partner sharing its records"),
        on_delete=models.PROTECT,
        related_name="sharing_given",
    )
    grantee = models.ForeignKey(
        Partner,
        verbose_name=_("partner receiving access"),
        on_delete=models.PROTECT,
        related_name="sharing_received",
    )
    purpose = models.CharField(_("purpose"), max_length=255)
    starts_on = models.DateField(_("from"), default=timezone.localdate)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects: ClassVar[Any] = SharingRuleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(holder=models.F("grantee")),
                name="accounts_sharingrule_not_self",
            )
        ]
        verbose_name = _("sharing rule")
        verbose_name_plural = _("sharing rules")

    def __str__(self) -> str:
        return f"{self.holder} → {self.grantee}"
