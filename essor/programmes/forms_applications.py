from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from essor.accounts.models import User
from essor.accounts.roles import Role
from essor.conventions.forms import date_field
from essor.core.forms import CleanTextMixin
from essor.core.money import AmountFormField
from essor.registry.models import Sector

from .models import DecisionOutcome, ExitOutcome, SelectionSession, Stage


class ApplicationForm(CleanTextMixin, forms.Form):
    beneficiary = forms.CharField(
        label=_("Applicant"),
        max_length=40,
        help_text=_(
            "CIN of the project holder, ICE of the enterprise, or its number in the registry "
            "(P123 for a person, E45 for an enterprise)."
        ),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    project_title = forms.CharField(label=_("Project"), max_length=300, required=False)
    project_description = forms.CharField(
        label=_("Project description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.all(), required=False
    )
    project_cost = AmountFormField(label=_("Project cost (DH)"), required=False)
    requested = AmountFormField(label=_("Amount requested (DH)"), required=False)
    own_contribution = AmountFormField(
        label=_("Own contribution (DH)"), required=False, allow_zero=True
    )
    submitted_on = date_field(_("Submitted on"))


class EvaluatorForm(CleanTextMixin, forms.Form):
    evaluator = forms.ModelChoiceField(label=_("Evaluator"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(
                is_active=True,
                role_grants__role__in=[Role.EVALUATOR, Role.PROGRAMME_MANAGER, Role.ADMIN],
            )
            .distinct()
            .order_by("last_name", "first_name")
        )


class ScoreForm(CleanTextMixin, forms.Form):
    """One field per criterion of the programme's grid."""

    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, criteria: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.label} (/{criterion.scale_max})",
                min_value=0,
                max_value=criterion.scale_max,
                required=False,
            )


class InterviewForm(CleanTextMixin, forms.Form):
    interview_note = forms.CharField(
        label=_("Interview note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionForm(CleanTextMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    session = forms.ModelChoiceField(
        label=_("Selection committee"), queryset=SelectionSession.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, programme: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = programme.selection_sessions.all()  # type: ignore[attr-defined]


class SessionForm(CleanTextMixin, forms.Form):
    held_on = date_field(_("Date"), required=True)
    members = forms.CharField(label=_("Members present"), required=False)
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StageForm(CleanTextMixin, forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    on = date_field(_("Date"))


class ExitForm(CleanTextMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Exit"), choices=ExitOutcome.choices)
    on = date_field(_("Date"))


class ReferralForm(CleanTextMixin, forms.Form):
    scheme = forms.CharField(
        label=_("Referred to"),
        max_length=200,
        help_text=_("INDH, ANAPEC, Intelaka, Forsa, a bank…"),
    )
    referred_on = date_field(_("Date"), required=True)
    outcome = forms.CharField(label=_("Outcome"), max_length=300, required=False)


class WithdrawForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
