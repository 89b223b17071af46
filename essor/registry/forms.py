from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from essor.core.forms import CleanTextMixin
from essor.territory.models import Commune

from .importing.reading import FileRefused, check_upload
from .models import EducationLevel, ImportKind, Membership, OrganisationKind, Sector, Sex


class CommuneField(forms.CharField):
    """A commune typed as its HCP code (the page offers a search list as you type)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Commune (HCP code)"))
        kwargs.setdefault("help_text", _("For example 01.511.01.0; search the list while typing."))
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {
                "list": "commune-options",
                "autocomplete": "off",
                "dir": "ltr",
                "hx-get": reverse_lazy("territory:commune_options"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#commune-options",
            }
        )

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Commune):
            return value.code
        if isinstance(value, int):
            commune = Commune.objects.filter(pk=value).first()
            return commune.code if commune else value
        return value

    def clean(self, value: Any) -> Commune | None:
        value = super().clean(value)
        if not value:
            return None
        code = str(value).split(" ")[0].strip()
        commune = Commune.objects.filter(code=code).first()
        if commune is None:
            raise forms.ValidationError(
                _("There is no commune with the HCP code %(value)s.") % {"value": code}
            )
        return commune


class PersonForm(CleanTextMixin, forms.Form):
    first_name = forms.CharField(
        label=_("First name (Latin script)"), required=False, max_length=80
    )
    last_name = forms.CharField(label=_("Last name (Latin script)"), required=False, max_length=80)
    first_name_ar = forms.CharField(
        label=_("First name (Arabic script)"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )
    last_name_ar = forms.CharField(
        label=_("Last name (Arabic script)"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    birth_date = forms.DateField(
        label=_("Birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    cin = forms.CharField(
        label=_("CIN"), required=False, max_length=20, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"dir": "ltr", "type": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(label=_("Address"), required=False, max_length=255)
    commune = CommuneField()
    education_level = forms.ChoiceField(
        label=_("Education level"), choices=[("", "—"), *EducationLevel.choices], required=False
    )


class ConsentForm(CleanTextMixin, forms.Form):
    given_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    purpose = forms.CharField(label=_("Purpose"), max_length=255)
    information_text = forms.CharField(
        label=_("Information text shown"), widget=forms.Textarea(attrs={"rows": 3})
    )


class OrganisationForm(CleanTextMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Legal form"), choices=OrganisationKind.choices)
    name_fr = forms.CharField(label=_("Name (Latin script)"), required=False, max_length=200)
    name_ar = forms.CharField(
        label=_("Name (Arabic script)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )
    ice = forms.CharField(
        label=_("ICE"), required=False, max_length=20, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    tax_id = forms.CharField(label=_("Tax identifier (IF)"), required=False, max_length=20)
    rc_number = forms.CharField(
        label=_("Trade register number (RC)"), required=False, max_length=20
    )
    rc_court = forms.CharField(label=_("Trade register court"), required=False, max_length=80)
    cnss = forms.CharField(label=_("CNSS number"), required=False, max_length=20)
    cooperative_registration = forms.CharField(
        label=_("Cooperative registration number"), required=False, max_length=40
    )
    rnae_number = forms.CharField(
        label=_("Auto-entrepreneur number (RNAE)"), required=False, max_length=20
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.filter(disabled_on__isnull=True), required=False
    )
    created_on = forms.DateField(
        label=_("Creation date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    commune = CommuneField()
    employees_women = forms.IntegerField(label=_("Employees (women)"), required=False, min_value=0)
    employees_men = forms.IntegerField(label=_("Employees (men)"), required=False, min_value=0)
    annual_turnover = forms.DecimalField(
        label=_("Annual turnover (DH)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )


class MembershipForm(CleanTextMixin, forms.Form):
    person = forms.IntegerField(label=_("Person (registry number)"), min_value=1)
    role = forms.ChoiceField(label=_("Role"), choices=Membership._meta.get_field("role").choices)  # type: ignore[arg-type]
    since = forms.DateField(
        label=_("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ImportForm(CleanTextMixin, forms.Form):
    kind = forms.ChoiceField(label=_("The file lists"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("File (XLSX or CSV)"),
        help_text=_("The first row holds the column titles, in French or Arabic."),
    )
    strict = forms.BooleanField(
        label=_("Strict: load nothing if any row is rejected"), required=False
    )

    def clean_file(self) -> Any:
        """Size, kind and (for a workbook) unpacked size, before anything is saved."""
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload)
        except FileRefused as refusal:
            raise forms.ValidationError(str(refusal)) from None
        return upload
