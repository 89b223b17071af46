from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from essor.core.forms import CleanTextMixin
from essor.core.money import AmountFormField

from .models import FollowUpChannel


class FollowUpForm(CleanTextMixin, forms.Form):
    reached = forms.ChoiceField(
        label=_("Was the holder reached?"),
        choices=[("yes", _("Yes")), ("no", _("No, could not be reached"))],
        widget=forms.RadioSelect,
    )
    done_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label=_("How"), choices=FollowUpChannel.choices)
    active = forms.NullBooleanField(
        label=_("Is the activity still running?"),
        required=False,
        widget=forms.Select(choices=[("unknown", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )
    jobs_created = forms.IntegerField(label=_("Jobs created"), min_value=0, required=False)
    jobs_kept = forms.IntegerField(label=_("Jobs kept"), min_value=0, required=False)
    turnover = AmountFormField(label=_("Annual turnover (DH)"), required=False)
    needs = forms.CharField(
        label=_("Needs expressed"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
