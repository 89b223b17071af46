from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from essor.conventions.forms import date_field
from essor.core.forms import CleanTextMixin
from essor.core.money import AmountFormField
from essor.programmes.models import Programme

from .models import CommitmentKind


class CommitmentForm(CleanTextMixin, forms.Form):
    programme: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none()
    )
    beneficiary = forms.CharField(
        label=_("Beneficiary"),
        max_length=40,
        help_text=_(
            "CIN of the project holder, ICE of the enterprise, or its number in the registry "
            "(P123 for a person, E45 for an enterprise)."
        ),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=CommitmentKind.choices)
    amount = AmountFormField(label=_("Amount (DH)"))
    project_cost = AmountFormField(label=_("Project cost (DH)"), required=False)
    committed_on = date_field(_("Committed on"))
    purpose = forms.CharField(label=_("Purpose"), max_length=300, required=False)

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]


class DisbursementForm(CleanTextMixin, forms.Form):
    amount = AmountFormField(label=_("Amount (DH)"))
    paid_on = date_field(_("Paid on"))
    reference = forms.CharField(label=_("Payment reference"), max_length=100, required=False)


class DecisionForm(CleanTextMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class CancelForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
