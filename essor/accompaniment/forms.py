from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from essor.accounts.models import User
from essor.conventions.forms import date_field
from essor.core.forms import CleanTextMixin
from essor.registry.models import Sector

from .models import MobileUnit, Service, Venue

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class SessionForm(CleanTextMixin, forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.all())
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=Venue.objects.all())
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    counsellors = forms.ModelMultipleChoiceField(
        label=_("Counsellors"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=500, initial=20)
    weeks = forms.IntegerField(
        label=_("Every week for"),
        min_value=1,
        max_value=52,
        initial=1,
        help_text=_("Number of weeks: 1 for a single session."),
    )

    def __init__(self, *args: Any, partner: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counsellors"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            partner=partner, is_active=True
        ).order_by("last_name")


class TourForm(CleanTextMixin, forms.Form):
    mobile_unit = forms.ModelChoiceField(label=_("Bus"), queryset=MobileUnit.objects.all())
    start_on = date_field(_("From"), required=True)
    end_on = date_field(_("To"), required=True)
    rest_days = forms.TypedMultipleChoiceField(
        label=_("Rest days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=[5, 6],
    )


class GroupLogForm(CleanTextMixin, forms.Form):
    on = date_field(_("Date"), required=True)
    needs = forms.CharField(
        label=_("Needs that came up"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    problems = forms.CharField(
        label=_("Problems discussed"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    solutions = forms.CharField(
        label=_("Solutions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    follow_up_by = forms.CharField(label=_("Who follows up"), max_length=200, required=False)


class DiagnosticForm(CleanTextMixin, forms.Form):
    """One 1-4 choice per area of the needs questionnaire."""

    on = date_field(_("Date"), required=True)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import Area

        super().__init__(*args, **kwargs)
        scale = [
            ("1", _("1 — serious need")),
            ("2", _("2 — need")),
            ("3", _("3 — minor need")),
            ("4", _("4 — no need")),
        ]
        for value, label in Area.choices:
            self.fields[f"area_{value}"] = forms.ChoiceField(
                label=label, choices=scale, widget=forms.RadioSelect
            )

    def scores(self) -> dict[str, int]:
        return {
            name.removeprefix("area_"): int(value)
            for name, value in self.cleaned_data.items()
            if name.startswith("area_")
        }


class PlanItemForm(CleanTextMixin, forms.Form):
    area = forms.ChoiceField(label=_("Area"), choices=[])
    text = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.CharField(label=_("Who"), max_length=200)
    due_on = date_field(_("Due on"), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import Area

        super().__init__(*args, **kwargs)
        self.fields["area"].choices = Area.choices  # type: ignore[attr-defined]


class GroupForm(CleanTextMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    sector: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.none()
    )
    counsellor = forms.ModelChoiceField(label=_("Counsellor"), queryset=User.objects.none())
    started_on = date_field(_("Started on"), required=True)

    def __init__(self, *args: Any, partner: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.filter(disabled_on__isnull=True)  # type: ignore[attr-defined]
        self.fields["counsellor"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            partner=partner, is_active=True
        ).order_by("last_name")


class MemberForm(CleanTextMixin, forms.Form):
    enterprise = forms.CharField(
        label=_("Enterprise"),
        max_length=40,
        help_text=_("ICE of the enterprise, or its number in the registry (E45)."),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
