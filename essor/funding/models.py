"""Commitments of a budget line's money to a beneficiary, and their disbursements in tranches.

Both are personal data (they name a person or an enterprise): a commitment is held by the
partner executing its budget line. Above the programme's threshold, a commitment or a
disbursement waits for a second person's approval (four eyes); until then it already reserves
its money, so that two pending commitments cannot together overspend a line.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from essor.accounts.scoping import PartnerHeldQuerySet
from essor.core.models import TimeStampedModel
from essor.core.money import MoneyField


class CommitmentKind(models.TextChoices):
    GRANT = "grant", _("Grant")
    HONOUR_LOAN = "honour_loan", _("Honour loan")
    EQUIPMENT = "equipment", _("Equipment")
    IN_KIND = "in_kind", _("In kind")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    # A payment that came back (rejected by the bank, refunded): it no longer counts as paid.
    REVERSED = "reversed", _("Reversed")


# Statuses whose amount counts against the line (or the commitment): awaiting or approved.
RESERVING = (ApprovalStatus.PENDING, ApprovalStatus.APPROVED)


class Commitment(TimeStampedModel):
    holder = models.ForeignKey(
        "accounts.Partner",
        verbose_name=_("holding partner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    budget_line = models.ForeignKey(
        "conventions.BudgetLine",
        verbose_name=_("budget line"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("project holder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CommitmentKind.choices)
    amount = MoneyField(_("amount (DH)"))
    project_cost = MoneyField(_("project cost (DH)"), null=True, blank=True)
    committed_on = models.DateField(_("committed on"))
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    released = MoneyField(
        _("released (DH)"),
        default=Decimal("0.00"),
        help_text=_("The undisbursed part given back to the line when the convention closed."),
    )
    author = models.ForeignKey(
        "accounts.User", verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    approver = models.ForeignKey(
        "accounts.User",
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    objects: ClassVar[Any] = PartnerHeldQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-committed_on", "-pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, organisation__isnull=True)
                | models.Q(person__isnull=True, organisation__isnull=False),
                name="commitment_one_beneficiary",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="commitment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary} — {self.get_kind_display()}"

    @property
    def beneficiary(self) -> Any:
        return self.person or self.organisation

    @property
    def payable(self) -> Decimal:
        """What may still be disbursed at most: the amount less what was released."""
        return self.amount - self.released


class Disbursement(TimeStampedModel):
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="disbursements"
    )
    tranche = models.PositiveSmallIntegerField(_("tranche"))
    amount = MoneyField(_("amount (DH)"))
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    author = models.ForeignKey(
        "accounts.User", verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    approver = models.ForeignKey(
        "accounts.User",
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["commitment", "tranche"]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        constraints = [
            models.UniqueConstraint(fields=["commitment", "tranche"], name="tranche_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="disbursement_positive"),
        ]
