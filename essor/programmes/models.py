"""Programmes (support schemes), their eligibility rules and scoring grids, as data.

A programme is run by one partner (``operator``) and funded by budget lines of one or more
conventions. Its eligibility rules are rows with a kind and parameters (``rules.py`` checks
them); the screening of applications (next issue) evaluates them.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from essor.core.models import TimeStampedModel, bilingual
from essor.core.money import MoneyField


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
