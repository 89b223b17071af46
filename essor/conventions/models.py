"""Partnership conventions: parties and their pledges, targets, the committee, budget lines.

A convention is kept by one partner (``owner``, usually the regional council that drafted it);
its administrators and programme managers change it. Each budget line belongs to the partner
that executes it, and only that partner's managers change it. Everyone signed in reads
conventions: they are public commitments, not personal data.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from essor.core.models import TimeStampedModel, bilingual
from essor.core.money import MoneyField


class ConventionKind(models.TextChoices):
    PARTNERSHIP = "partnership", _("Partnership convention")
    PROGRAMME_CONTRACT = "programme_contract", _("Programme contract")
    AMENDMENT = "amendment", _("Amendment")


class ConventionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved by the council")
    SIGNED = "signed", _("Signed")
    IN_EXECUTION = "in_execution", _("In execution")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


# The lifecycle: from each status, where a convention may go next.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ConventionStatus.DRAFT: (ConventionStatus.APPROVED,),
    ConventionStatus.APPROVED: (ConventionStatus.SIGNED, ConventionStatus.SUSPENDED),
    ConventionStatus.SIGNED: (ConventionStatus.IN_EXECUTION, ConventionStatus.SUSPENDED),
    ConventionStatus.IN_EXECUTION: (ConventionStatus.CLOSED, ConventionStatus.SUSPENDED),
    ConventionStatus.SUSPENDED: (
        ConventionStatus.SIGNED,
        ConventionStatus.IN_EXECUTION,
        ConventionStatus.CLOSED,
    ),
    ConventionStatus.CLOSED: (),
}
# Statuses in which a convention binds its parties (amendments count, money may be committed).
BINDING = (ConventionStatus.SIGNED, ConventionStatus.IN_EXECUTION, ConventionStatus.CLOSED)
COMMITTABLE = (ConventionStatus.SIGNED, ConventionStatus.IN_EXECUTION)


class Convention(TimeStampedModel):
    reference = models.CharField(_("reference"), max_length=60, unique=True)
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_ar = models.CharField(_("title (Arabic)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ConventionKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("amended convention"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    owner = models.ForeignKey(
        "accounts.Partner",
        verbose_name=_("partner keeping the record"),
        on_delete=models.PROTECT,
        related_name="kept_conventions",
    )
    regions = models.ManyToManyField(
        "territory.Region", verbose_name=_("regions"), blank=True, related_name="conventions"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ConventionStatus.choices,
        default=ConventionStatus.DRAFT,
    )
    approved_on = models.DateField(_("approved by the council on"), null=True, blank=True)
    approval_session = models.CharField(_("council session"), max_length=200, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    start_on = models.DateField(_("start"), null=True, blank=True)
    end_on = models.DateField(_("end"), null=True, blank=True)
    objectives_fr = models.TextField(_("objectives (French)"), blank=True)
    objectives_ar = models.TextField(_("objectives (Arabic)"), blank=True)
    envelope = MoneyField(
        _("envelope (DH)"),
        default=Decimal("0.00"),
        help_text=_(
            "For an amendment: by how much it changes the envelope (negative to lower it)."
        ),
    )
    source = models.TextField(_("source"), blank=True, help_text=_("Article, minutes or text."))

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_on", "reference"]
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def title(self) -> str:
        return bilingual(self, "title")

    @property
    def objectives(self) -> str:
        return bilingual(self, "objectives")

    @property
    def is_amendment(self) -> bool:
        return self.kind == ConventionKind.AMENDMENT

    def next_statuses(self) -> tuple[str, ...]:
        return TRANSITIONS.get(self.status, ())


class StatusChange(models.Model):
    """One step of a convention's lifecycle: when, by whom, from what to what, and why."""

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=ConventionStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ConventionStatus.choices)
    on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status} ({self.on})"


class PartyRole(models.TextChoices):
    FUNDER = "funder", _("Funder")
    IMPLEMENTER = "implementer", _("Implementer")
    TRAINER = "trainer", _("Trainer")
    HOST = "host", _("Host of spaces")
    CHAIR = "chair", _("Chair")


class Party(TimeStampedModel):
    """A partner's part in a convention: its roles, its pledge in money and in kind."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="parties")
    partner = models.ForeignKey(
        "accounts.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    roles = models.JSONField(_("roles"), default=list, blank=True)
    pledged = MoneyField(_("pledged amount (DH)"), default=Decimal("0.00"))
    in_kind_fr = models.TextField(_("in-kind commitments (French)"), blank=True)
    in_kind_ar = models.TextField(_("in-kind commitments (Arabic)"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(fields=["convention", "partner"], name="party_once"),
        ]

    def __str__(self) -> str:
        return str(self.partner)

    @property
    def in_kind(self) -> str:
        return bilingual(self, "in_kind")

    def role_labels(self) -> list[str]:
        labels = dict(PartyRole.choices)
        return [str(labels.get(role, role)) for role in self.roles]


class PaymentKind(models.TextChoices):
    CALL = "call", _("Call for funds")
    RECEIPT = "receipt", _("Payment received")


class PartnerPayment(TimeStampedModel):
    """Money a party was asked for (call) or actually paid into the programme (receipt)."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("kind"), max_length=10, choices=PaymentKind.choices)
    amount = MoneyField(_("amount (DH)"))
    on = models.DateField(_("date"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["on", "pk"]


class TargetIndicator(models.TextChoices):
    PROJECTS_SUPPORTED = "projects_supported", _("Projects supported")
    HOLDERS_TRAINED = "holders_trained", _("Project holders trained")
    HOLDERS_COACHED = "holders_coached", _("Project holders coached")
    ENTERPRISES_CREATED = "enterprises_created", _("Enterprises created")
    COOPERATIVES_SUPPORTED = "cooperatives_supported", _("Cooperatives supported")
    JOBS_CREATED = "jobs_created", _("Jobs created")
    WOMEN_SHARE = "women_share", _("Share of women (%)")
    YOUNG_SHARE = "young_share", _("Share of young people (%)")
    OTHER = "other", _("Other")


class Target(TimeStampedModel):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(_("indicator"), max_length=40, choices=TargetIndicator.choices)
    label_fr = models.CharField(_("wording (French)"), max_length=300, blank=True)
    label_ar = models.CharField(_("wording (Arabic)"), max_length=300, blank=True)
    value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)
    due_on = models.DateField(_("to reach by"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]

    @property
    def label(self) -> str:
        return bilingual(self, "label") or self.get_indicator_display()


class BudgetCategory(models.TextChoices):
    TRAINING = "training", _("Training and coaching")
    GRANTS = "grants", _("Grants")
    LOANS = "loans", _("Honour loans")
    EQUIPMENT = "equipment", _("Equipment")
    OPERATIONS = "operations", _("Operations")
    MOBILE_UNIT = "mobile_unit", _("Mobile unit")


class BudgetLine(TimeStampedModel):
    """Money of a convention that one partner executes for one purpose.

    Commitments on a line never exceed its amount; lines never exceed the convention's envelope
    (with its signed amendments).
    """

    convention = models.ForeignKey(
        Convention, on_delete=models.PROTECT, related_name="budget_lines"
    )
    partner = models.ForeignKey(
        "accounts.Partner",
        verbose_name=_("executing partner"),
        on_delete=models.PROTECT,
        related_name="budget_lines",
    )
    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory.choices)
    label = models.CharField(_("wording"), max_length=200, blank=True)
    amount = MoneyField(_("amount (DH)"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["convention", "pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        text = f"{self.partner.short_label} — {self.get_category_display()}"
        return f"{text} ({self.label})" if self.label else text


class Committee(TimeStampedModel):
    """The convention's monitoring committee (comité de suivi)."""

    convention = models.OneToOneField(
        Convention, on_delete=models.CASCADE, related_name="committee"
    )
    name = models.CharField(_("name"), max_length=200)
    chair = models.CharField(_("chaired by"), max_length=200, blank=True)
    mandate = models.TextField(_("mandate"), blank=True)

    def __str__(self) -> str:
        return self.name


class CommitteeMember(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    partner = models.ForeignKey(
        "accounts.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    is_chair = models.BooleanField(_("chair"), default=False)

    class Meta:
        ordering = ["-is_chair", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.title})" if self.title else self.name


class Meeting(TimeStampedModel):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.ManyToManyField(
        CommitteeMember, verbose_name=_("attendees"), blank=True, related_name="meetings"
    )
    other_attendees = models.TextField(_("other attendees"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class ActionItem(TimeStampedModel):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    text = models.TextField(_("action"))
    owner = models.ForeignKey(
        "accounts.Partner",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_name = models.CharField(_("person in charge"), max_length=200, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    history = HistoricalRecords()

    OPEN_STATUSES: ClassVar[tuple[str, ...]] = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)

    class Meta:
        ordering = ["due_on", "pk"]

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status in self.OPEN_STATUSES and self.due_on is not None and self.due_on < today
