from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from essor.registry.forms import PersonForm

from .models import RETENTION_MAX_MONTHS, RETENTION_MIN_MONTHS
from .services import REASON_MAX


class RectificationForm(PersonForm):
    """The registry's person form, and the reason the person gave (kept in the trail)."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=REASON_MAX,
        help_text=_("For example: written request of 12/11/2026, name misspelled."),
    )


class ObjectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason the person gave"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class WithdrawalForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=70)


class RetentionPolicyForm(forms.Form):
    months = forms.IntegerField(
        label=_("Months kept after the holder's exit"),
        min_value=RETENTION_MIN_MONTHS,
        max_value=RETENTION_MAX_MONTHS,
    )
    reason = forms.CharField(label=_("Why this length"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["months"].help_text = gettext(
            "At least %(min)s months (the last follow-up survey is at 24 months), at most %(max)s."
        ) % {"min": RETENTION_MIN_MONTHS, "max": RETENTION_MAX_MONTHS}


class RetentionApplyForm(forms.Form):
    digest = forms.CharField(widget=forms.HiddenInput, max_length=16)
    confirm = forms.BooleanField(
        label=_("I have checked the list: anonymise these persons. This cannot be undone."),
        error_messages={"required": _("Tick the box to confirm, after checking the list.")},
    )
