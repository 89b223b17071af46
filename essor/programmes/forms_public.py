"""The public application form: what a holder types, checked the registry's way."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from essor.conventions.forms import date_field
from essor.core.forms import CleanTextMixin
from essor.core.money import AmountFormField
from essor.registry.forms import CommuneField
from essor.registry.models import Sector, Sex


class PublicApplicationForm(CleanTextMixin, forms.Form):
    first_name = forms.CharField(
        label=_("First name (Latin script)"), max_length=80, required=False
    )
    last_name = forms.CharField(label=_("Last name (Latin script)"), max_length=80, required=False)
    first_name_ar = forms.CharField(
        label=_("First name (Arabic script)"), max_length=80, required=False
    )
    last_name_ar = forms.CharField(
        label=_("Last name (Arabic script)"), max_length=80, required=False
    )
    cin = forms.CharField(
        label=_("CIN"),
        max_length=20,
        help_text=_("One or two letters then digits, for example AB123456."),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date = date_field(_("Birth date"), required=True)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        help_text=_("For example 06 12 34 56 78."),
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel", "autocomplete": "tel"}),
    )
    commune = CommuneField(required=True)
    project_title = forms.CharField(label=_("Your project in a few words"), max_length=300)
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.none(), required=False
    )
    project_cost = AmountFormField(label=_("Project cost (DH)"), required=False)
    requested = AmountFormField(label=_("Amount requested (DH)"), required=False)
    own_contribution = AmountFormField(
        label=_("Own contribution (DH)"), required=False, allow_zero=True
    )
    consent = forms.BooleanField(
        label=_("I have read how my data is used and I agree."), required=True
    )
    # Left empty by people; bots fill every field. Hidden by CSS and from screen readers.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    submission_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.filter(disabled_on__isnull=True)  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("submission_key", secrets.token_urlsafe(24))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("first_name") or data.get("first_name_ar")) or not (
            data.get("last_name") or data.get("last_name_ar")
        ):
            raise forms.ValidationError(
                _("Give your first and last name, in Latin or in Arabic script (or both).")
            )
        return data

    def person_data(self) -> dict[str, Any]:
        keys = [
            "first_name",
            "last_name",
            "first_name_ar",
            "last_name_ar",
            "cin",
            "sex",
            "birth_date",
            "phone",
            "commune",
        ]
        return {k: self.cleaned_data[k] for k in keys}

    def application_data(self) -> dict[str, Any]:
        keys = ["project_title", "sector", "project_cost", "requested", "own_contribution"]
        return {k: self.cleaned_data[k] for k in keys}


class FollowForm(CleanTextMixin, forms.Form):
    receipt = forms.CharField(
        label=_("Receipt number"),
        max_length=20,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    cin = forms.CharField(
        label=_("CIN"),
        max_length=20,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
