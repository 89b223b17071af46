from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from essor.conventions.forms import date_field
from essor.conventions.models import BudgetLine
from essor.core.forms import CleanTextMixin
from essor.core.money import AmountFormField

from .models import RuleKind


class ProgrammeForm(CleanTextMixin, forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name_fr = forms.CharField(label=_("Name (French)"), max_length=300)
    name_ar = forms.CharField(label=_("Name (Arabic)"), max_length=300, required=False)
    description_fr = forms.CharField(
        label=_("Description (French)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_ar = forms.CharField(
        label=_("Description (Arabic)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "rtl", "lang": "ar"}),
    )
    audience_fr = forms.CharField(
        label=_("Who it is for (French)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    audience_ar = forms.CharField(
        label=_("Who it is for (Arabic)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "rtl", "lang": "ar"}),
    )
    services_fr = forms.CharField(
        label=_("Services offered (French)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    services_ar = forms.CharField(
        label=_("Services offered (Arabic)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "rtl", "lang": "ar"}),
    )
    capacity = forms.IntegerField(label=_("Capacity (holders)"), required=False, min_value=1)
    opens_on = date_field(_("Applications open on"))
    closes_on = date_field(_("Applications close on"))
    approval_threshold = AmountFormField(
        label=_("Second approval above (DH)"),
        allow_zero=True,
        required=False,
        help_text=_(
            "A commitment or a disbursement above this amount needs a second person's approval."
        ),
    )
    budget_lines = forms.ModelMultipleChoiceField(
        label=_("Funded by the budget lines"),
        queryset=BudgetLine.objects.select_related("convention", "partner"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name_ar"].widget.attrs.update({"dir": "rtl", "lang": "ar"})
        field = self.fields["budget_lines"]
        field.label_from_instance = lambda line: f"{line.convention.reference} — {line}"  # type: ignore[attr-defined]


class RuleForm(CleanTextMixin, forms.Form):
    """One form for every kind of rule: the fields a kind does not use are ignored."""

    kind = forms.ChoiceField(label=_("Rule"), choices=RuleKind.choices)
    minimum = forms.IntegerField(
        label=_("Minimum"), required=False, help_text=_("Age, years, per cent or employees.")
    )
    maximum = forms.IntegerField(label=_("Maximum"), required=False)
    values = forms.CharField(
        label=_("Codes"),
        required=False,
        help_text=_(
            "Separated by commas: sexes (F, M), legal forms, sectors, HCP codes of regions, "
            "provinces or communes, or programme codes."
        ),
    )
    rural_only = forms.BooleanField(label=_("Rural communes only"), required=False)
    amount = AmountFormField(label=_("Amount (DH)"), required=False)
    cap_person = AmountFormField(label=_("Cap for an individual (DH)"), required=False)
    cap_tpe = AmountFormField(label=_("Cap for a TPE (DH)"), required=False)
    cap_cooperative = AmountFormField(label=_("Cap for a cooperative (DH)"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind, low, high, codes = data["kind"], data["minimum"], data["maximum"], data["values"]
        if kind in (RuleKind.AGE,):
            return {"min": low, "max": high}
        if kind == RuleKind.ORGANISATION_AGE:
            return {"min_years": low, "max_years": high}
        if kind in (RuleKind.SEX, RuleKind.LEGAL_FORMS, RuleKind.SECTORS):
            return {"values": codes}
        if kind == RuleKind.TERRITORY:
            parts = [c.strip() for c in codes.split(",") if c.strip()]
            return {
                "regions": [c for c in parts if c.count(".") == 0],
                "provinces": [c for c in parts if c.count(".") == 1],
                "communes": [c for c in parts if c.count(".") >= 2],
                "rural_only": data["rural_only"],
            }
        if kind == RuleKind.TURNOVER_MAX:
            return {"amount": data["amount"]}
        if kind == RuleKind.EMPLOYEES_MAX:
            return {"count": high if high is not None else low}
        if kind in (RuleKind.WOMEN_SHARE, RuleKind.OWN_CONTRIBUTION):
            return {"min_pct": low}
        if kind == RuleKind.YOUNG_SHARE:
            return {"min_pct": low, "max_age": high}
        if kind == RuleKind.PRIOR_SUPPORT:
            return {"programmes": codes, "within_years": high if high is not None else low}
        if kind == RuleKind.GRANT:
            return {
                "max_share_pct": high,
                "cap_person": data["cap_person"],
                "cap_tpe": data["cap_tpe"],
                "cap_cooperative": data["cap_cooperative"],
            }
        return {}


class CriterionForm(CleanTextMixin, forms.Form):
    label_fr = forms.CharField(label=_("Criterion (French)"), max_length=200)
    label_ar = forms.CharField(label=_("Criterion (Arabic)"), max_length=200, required=False)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100, initial=1)
    scale_max = forms.IntegerField(label=_("Scored out of"), min_value=1, max_value=100, initial=5)
