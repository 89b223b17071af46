"""Programmes (support schemes), their eligibility rules and scoring grids, as data.

A programme is run by one partner (``operator``) and funded by budget lines of one or more
conventions. Its eligibility rules are rows with a kind and parameters (``rules.py`` checks
them); the screening of applications (next issue) evaluates them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from essor.core.crypto import EncryptedCharField
from essor.core.models import TimeStampedModel, bilingual
from essor.core.money import MoneyField

if TYPE_CHECKING:
    from essor.accounts.models import User


class Programme(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=300)
    name_ar = models.CharField(_("name (Arabic)"), max_length=300, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    audience_fr = models.TextField(_("who it is for (French)"), blank=True)
    audience_ar = models.TextField(_("who it is for (Arabic)"), blank=True)
    services_fr = models.TextField(_("services offered (French)"), blank=True)
    services_ar = models.TextField(_("services offered (Arabic)"), blank=True)
    operator = models.ForeignKey(
        "accounts.Partner",
        verbose_name=_("operating partner"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    capacity = models.PositiveIntegerField(_("capacity (holders)"), null=True, blank=True)
    opens_on = models.DateField(_("applications open on"), null=True, blank=True)
    closes_on = models.DateField(_("applications close on"), null=True, blank=True)
    approval_threshold = MoneyField(
        _("second approval above (DH)"),
        default=Decimal("50000.00"),
        help_text=_(
            "A commitment or a disbursement above this amount needs a second person's approval."
        ),
    )
    budget_lines = models.ManyToManyField(
        "conventions.BudgetLine",
        verbose_name=_("funded by the budget lines"),
        blank=True,
        related_name="programmes",
    )

    history = HistoricalRecords(m2m_fields=[budget_lines])

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self, "name")

    @property
    def description(self) -> str:
        return bilingual(self, "description")

    @property
    def audience(self) -> str:
        return bilingual(self, "audience")

    @property
    def services(self) -> str:
        return bilingual(self, "services")


class RuleKind(models.TextChoices):
    AGE = "age", _("Age range")
    SEX = "sex", _("Sex")
    TERRITORY = "territory", _("Territory")
    LEGAL_FORMS = "legal_forms", _("Legal forms")
    SECTORS = "sectors", _("Sectors")
    ORGANISATION_AGE = "organisation_age", _("Age of the organisation")
    TURNOVER_MAX = "turnover_max", _("Turnover cap")
    EMPLOYEES_MAX = "employees_max", _("Employee cap")
    WOMEN_SHARE = "women_share", _("Share of women members")
    YOUNG_SHARE = "young_share", _("Share of young members")
    PRIOR_SUPPORT = "prior_support", _("Prior support excluded")
    GRANT = "grant", _("Grant share and cap")
    OWN_CONTRIBUTION = "own_contribution", _("Own contribution")


class EligibilityRule(TimeStampedModel):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="eligibility_rules"
    )
    kind = models.CharField(_("rule"), max_length=30, choices=RuleKind.choices)
    params = models.JSONField(_("parameters"), default=dict)
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="one_rule_of_a_kind"),
        ]

    def __str__(self) -> str:
        from .rules import describe

        return describe(self.kind, self.params)


class ScoringCriterion(TimeStampedModel):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="scoring_criteria"
    )
    label_fr = models.CharField(_("criterion (French)"), max_length=200)
    label_ar = models.CharField(_("criterion (Arabic)"), max_length=200, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("scored out of"), default=5)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["programme", "position", "pk"]

    @property
    def label(self) -> str:
        return bilingual(self, "label")


# --- Applications, screening, selection, journey (issue 5) ------------------------------------


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Not eligible")
    INCOMPLETE = "incomplete", _("Incomplete: information missing")
    SELECTED = "selected", _("Selected")
    WAITING = "waiting", _("On the waiting list")
    REJECTED = "rejected", _("Not selected")
    ENROLLED = "enrolled", _("Enrolled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Channel(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    PUBLIC = "public", _("Public form")


class ApplicationQuerySet(models.QuerySet["Application"]):
    def visible_to(self, user: User) -> ApplicationQuerySet:
        """Staff see their partner scope's applications; an evaluator only the files assigned."""
        from essor.accounts.roles import Cap
        from essor.accounts.scoping import ALL, visible_partner_ids

        if not user.is_authenticated:
            return self.none()
        ids = visible_partner_ids(user)
        if ids is ALL:
            return self
        assigned = models.Q(evaluators=user) if user.can(Cap.APPLICATIONS_SCORE) else models.Q()
        if ids:
            scope = models.Q(holder_id__in=ids)
            return self.filter(scope | assigned).distinct() if assigned else self.filter(scope)
        return self.filter(assigned).distinct() if assigned else self.none()

    def changeable_by(self, user: User) -> ApplicationQuerySet:
        from essor.accounts.roles import Cap

        if not user.can(Cap.APPLICATIONS_MANAGE):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(holder_id=user.partner_id)


class Application(TimeStampedModel):
    """A person's (or an enterprise's) application to a programme.

    Held by the programme's operating partner: personal data, scoped like the registry.
    """

    holder = models.ForeignKey(
        "accounts.Partner",
        verbose_name=_("holding partner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("project holder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    receipt = models.CharField(_("receipt number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    project_title = models.CharField(_("project"), max_length=300, blank=True)
    project_description = models.TextField(_("project description"), blank=True)
    sector = models.ForeignKey(
        "registry.Sector",
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    project_cost = MoneyField(_("project cost (DH)"), null=True, blank=True)
    requested = MoneyField(_("amount requested (DH)"), null=True, blank=True)
    own_contribution = MoneyField(_("own contribution (DH)"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"))
    interview_note = models.TextField(_("interview note"), blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawing"), max_length=500, blank=True)
    evaluators = models.ManyToManyField(
        "accounts.User",
        verbose_name=_("evaluators"),
        blank=True,
        related_name="assigned_applications",
    )
    submission_key = models.CharField(max_length=64, blank=True, editable=False)
    entered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects: ClassVar[Any] = ApplicationQuerySet.as_manager()
    # Who was given a file to score is in the trail too.
    history = HistoricalRecords(m2m_fields=[evaluators])

    class Meta:
        ordering = ["-submitted_on", "-pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(organisation__isnull=False),
                name="application_has_an_applicant",
            ),
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=~models.Q(submission_key=""),
                name="application_submitted_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt} — {self.person or self.organisation}"

    @property
    def applicant(self) -> Any:
        return self.person or self.organisation


class Screening(models.Model):
    """One evaluation of every rule of the programme for an application, with its evidence."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="screenings"
    )
    ran_at = models.DateTimeField(_("screened at"))
    ran_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=20)
    results = models.JSONField(_("results"), default=list)
    evidence = models.JSONField(_("evidence"), default=dict)

    class Meta:
        ordering = ["-ran_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.application} — {self.outcome}"

    def rule_results(self) -> list[Any]:
        from .screening import RuleResult

        return [RuleResult(**row) for row in self.results]


class ExclusionList(TimeStampedModel):
    """A partner's list of people or enterprises already supported elsewhere (e.g. Intilaka)."""

    partner = models.ForeignKey(
        "accounts.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    programme_code = models.SlugField(
        _("programme code"),
        max_length=40,
        help_text=_("The code eligibility rules name, e.g. intilaka or indh-p3."),
    )
    imported_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ExclusionEntry(models.Model):
    exclusion_list = models.ForeignKey(
        ExclusionList, on_delete=models.CASCADE, related_name="entries"
    )
    cin = EncryptedCharField(_("CIN"), max_length=20, blank=True, db_index=True, kind="cin")
    ice = models.CharField(_("ICE"), max_length=15, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.cin or self.ice


class Score(TimeStampedModel):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    evaluator = models.ForeignKey(
        "accounts.User", verbose_name=_("evaluator"), on_delete=models.PROTECT, related_name="+"
    )
    criterion = models.ForeignKey(ScoringCriterion, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(_("score"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "evaluator", "criterion"], name="one_score_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion} = {self.value}"


class SelectionSession(TimeStampedModel):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="selection_sessions"
    )
    held_on = models.DateField(_("date"))
    members = models.TextField(_("members present"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.programme} — {self.held_on}"


class DecisionOutcome(models.TextChoices):
    SELECTED = "selected", _("Selected")
    WAITING = "waiting", _("Waiting list")
    REJECTED = "rejected", _("Not selected")


class SelectionDecision(TimeStampedModel):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    session = models.ForeignKey(
        SelectionSession, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    outcome = models.CharField(_("decision"), max_length=20, choices=DecisionOutcome.choices)
    reason = models.TextField(_("reason"), blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.application} — {self.outcome}"


class Stage(models.TextChoices):
    IDEA = "idea", _("Idea")
    PREPARATION = "preparation", _("Project preparation")
    CREATION = "creation", _("Creation and formalisation")
    LAUNCH = "launch", _("Launch")
    GROWTH = "growth", _("Growth")


class ExitOutcome(models.TextChoices):
    ENTERPRISE_CREATED = "enterprise_created", _("Enterprise created")
    EMPLOYED = "employed", _("Employed")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    REFERRED = "referred", _("Referred elsewhere")


class Enrollment(TimeStampedModel):
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="enrollment"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.IDEA)
    started_on = models.DateField(_("enrolled on"))
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    exit_outcome = models.CharField(
        _("exit"), max_length=30, choices=ExitOutcome.choices, blank=True
    )

    history = HistoricalRecords()

    def __str__(self) -> str:
        return str(self.application)


class StageChange(models.Model):
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="stage_changes"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    on = models.DateField(_("date"))
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.stage} ({self.on})"


class Referral(TimeStampedModel):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="referrals")
    scheme = models.CharField(_("referred to"), max_length=200)
    referred_on = models.DateField(_("date"))
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)

    class Meta:
        ordering = ["referred_on", "pk"]

    def __str__(self) -> str:
        return self.scheme
