"""Monitoring and evaluation: follow-up surveys, and the analytics table the indicators read.

Follow-ups are personal data held by the partner that runs the programme. ``Fact`` is not a
source of truth: it is rebuilt from the records by :func:`essor.monitoring.facts.refresh`
(set-based SQL), so that a national dashboard reads a few hundred thousand pre-grouped rows
instead of ten million attendance records. Every indicator, on a page, in a report or through
the API, is computed from it by :mod:`essor.monitoring.indicators` and so is the same number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from essor.core.models import TimeStampedModel
from essor.core.money import MoneyField

WAVES = (6, 12, 24)


class FollowUpStatus(models.TextChoices):
    DUE = "due", _("To do")
    DONE = "done", _("Done")
    UNREACHABLE = "unreachable", _("Could not be reached")


class FollowUpChannel(models.TextChoices):
    PHONE = "phone", _("By phone")
    VISIT = "visit", _("Visit")
    OFFICE = "office", _("At the office")


class FollowUp(TimeStampedModel):
    """A survey of a holder 6, 12 or 24 months after their support ended."""

    enrollment = models.ForeignKey(
        "programmes.Enrollment", on_delete=models.PROTECT, related_name="follow_ups"
    )
    wave = models.PositiveSmallIntegerField(_("months after support"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.DUE
    )
    done_on = models.DateField(_("surveyed on"), null=True, blank=True)
    channel = models.CharField(_("how"), max_length=10, choices=FollowUpChannel.choices, blank=True)
    active = models.BooleanField(_("activity still running"), null=True, blank=True)
    jobs_created = models.PositiveIntegerField(_("jobs created"), null=True, blank=True)
    jobs_kept = models.PositiveIntegerField(_("jobs kept"), null=True, blank=True)
    turnover = MoneyField(_("annual turnover (DH)"), null=True, blank=True)
    needs = models.TextField(_("needs expressed"), blank=True)
    surveyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "wave"], name="one_follow_up_per_wave")
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.enrollment} — {self.wave}"


class FactKind(models.TextChoices):
    APPLICATION = "application", _("Application")
    ATTENDANCE = "attendance", _("Attendance")
    SESSION = "session", _("Session")
    COMMITMENT = "commitment", _("Commitment")
    DISBURSEMENT = "disbursement", _("Disbursement")
    FOLLOW_UP = "follow_up", _("Follow-up")
    JOBS = "jobs", _("Jobs (latest follow-up)")
    FORMALISED = "formalised", _("Enterprise formalised")
    ORG_SUPPORT = "org_support", _("Enterprise funded")
    # A holder reached (present at a session, enrolled, or funded): parts while rebuilding,
    # then once per programme and year, then once per year.
    REACH_PART = "reach_part", _("Holder reached (part)")
    REACH = "reach", _("Holder reached, by programme")
    REACH_CONV = "reach_conv", _("Holder reached, by convention")
    REACH_YEAR = "reach_year", _("Holder reached, in the year")
    # Holders of a year counted by place, sex, age and what they followed (for the country
    # and region figures); enterprises once a year.
    REACH_CUBE = "reach_cube", _("Holders reached, counted")
    REACH_CONV_CUBE = "reach_ccube", _("Holders reached by a convention, counted")
    REACH_PROG_CUBE = "reach_pcube", _("Holders reached by a programme, counted")
    ORG_YEAR = "org_year", _("Enterprise, in the year")


class FactColumns(models.Model):
    """The columns of the analytics table (and of its staging table). The foreign keys are
    plain numbers: the table is rebuilt whole, and only the indexes its reads need are kept."""

    kind = models.CharField(max_length=12, choices=FactKind.choices)
    # Summed rows come at several grains: "total" (by programme, convention, line, partner,
    # region and detail) and that plus one breakdown ("province", "sex", "age_band" with the
    # band's first age in ``age``, "commune_kind", "sector"). Holder and enterprise rows: "".
    grain = models.CharField(max_length=12, blank=True)
    year = models.PositiveSmallIntegerField()
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    convention = models.ForeignKey(
        "conventions.Convention",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    budget_line = models.ForeignKey(
        "conventions.BudgetLine",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    partner = models.ForeignKey(
        "accounts.Partner",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    sex = models.CharField(max_length=1, blank=True)
    age = models.SmallIntegerField(null=True)
    region = models.ForeignKey(
        "territory.Region",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    province = models.ForeignKey(
        "territory.Province",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    commune_kind = models.CharField(max_length=5, blank=True)
    sector = models.ForeignKey(
        "registry.Sector",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    detail = models.CharField(max_length=30, blank=True)
    org_kind = models.CharField(max_length=20, blank=True)
    events = models.IntegerField(default=0)
    decided = models.IntegerField(default=0)
    selected = models.IntegerField(default=0)
    hours = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    jobs_created = models.IntegerField(default=0)
    jobs_kept = models.IntegerField(default=0)
    active = models.IntegerField(default=0)
    trained = models.SmallIntegerField(default=0)
    coached = models.SmallIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.kind} {self.year}"


class Fact(FactColumns):
    """A group of records of one kind and year (the analytics table, rebuilt whole).

    Summed rows (applications, attendance, sessions, money, follow-ups) hold no holder: they
    are grouped by programme, convention, line, partner, region and detail, and by one
    breakdown (``grain``). Holder rows (``reach``: once per programme and year;
    ``reach_year``: once per year) and enterprise rows keep the holder or the enterprise, to
    be counted once. ``person`` is the surviving record of a merged duplicate; archived
    records that were not merged are left out.
    """

    class Meta:
        indexes = [
            models.Index(fields=["grain", "kind", "year"]),
            models.Index(fields=["programme", "kind", "year"]),
            models.Index(fields=["region", "kind", "year"]),
            models.Index(fields=["convention", "kind", "year"]),
        ]


class FactStage(FactColumns):
    """Where a rebuild puts its fine-grained rows before grouping them into ``Fact``; emptied
    at the end of each rebuild (so the analytics table does not fill with dead rows)."""


class FactsRefresh(models.Model):
    """When the analytics table was last rebuilt, so that every figure says "as of"."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    rows = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return str(self.finished_at or self.started_at)
