from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from essor.accounts.models import Partner
from essor.core.forms import CleanTextMixin
from essor.core.money import AmountFormField
from essor.territory.models import Region

from .models import (
    ActionStatus,
    BudgetCategory,
    CommitteeMember,
    Convention,
    ConventionKind,
    PartyRole,
    PaymentKind,
    TargetIndicator,
)
from .services import CloseChoice


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label: Any, *, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput())


def partners() -> Any:
    return Partner.objects.filter(archived_at__isnull=True).order_by("name_fr")


class ConventionForm(CleanTextMixin, forms.Form):
    reference = forms.CharField(label=_("Reference"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=ConventionKind.choices)
    parent = forms.ModelChoiceField(
        label=_("Amended convention"),
        queryset=Convention.objects.exclude(kind=ConventionKind.AMENDMENT),
        required=False,
        help_text=_("Only for an amendment."),
    )
    title_fr = forms.CharField(label=_("Title (French)"), max_length=300)
    title_ar = forms.CharField(label=_("Title (Arabic)"), max_length=300, required=False)
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions"),
        queryset=Region.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    envelope = AmountFormField(
        label=_("Envelope (DH)"),
        allow_zero=True,
        allow_negative=True,
        required=False,
        help_text=_(
            "For example 25 000 000. For an amendment: by how much it changes the envelope "
            "(negative to lower it)."
        ),
    )
    approval_session = forms.CharField(label=_("Council session"), max_length=200, required=False)
    approved_on = date_field(_("Approved by the council on"))
    signed_on = date_field(_("Signed on"))
    start_on = date_field(_("Start"))
    end_on = date_field(_("End"))
    objectives_fr = forms.CharField(
        label=_("Objectives (French)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    objectives_ar = forms.CharField(
        label=_("Objectives (Arabic)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "rtl", "lang": "ar"}),
    )
    source = forms.CharField(
        label=_("Source"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title_ar"].widget.attrs.update({"dir": "rtl", "lang": "ar"})


class TransitionForm(CleanTextMixin, forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    on = date_field(_("Date"))
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
    open_commitments_choice = forms.ChoiceField(
        label=_("Commitments not yet disbursed"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            (CloseChoice.RELEASE, _("Release the undisbursed money back to the lines")),
            (CloseChoice.KEEP, _("Keep them payable after closing")),
        ],
    )


class PartyForm(CleanTextMixin, forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=PartyRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    pledged = AmountFormField(label=_("Pledged amount (DH)"), allow_zero=True, required=False)
    in_kind_fr = forms.CharField(
        label=_("In-kind commitments (French)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    in_kind_ar = forms.CharField(
        label=_("In-kind commitments (Arabic)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "rtl", "lang": "ar"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners()  # type: ignore[attr-defined]


class PaymentForm(CleanTextMixin, forms.Form):
    party = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=PaymentKind.choices)
    amount = AmountFormField(label=_("Amount (DH)"))
    on = date_field(_("Date"), required=True)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

    def __init__(self, *args: Any, convention: Convention, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = convention.parties.select_related("partner")  # type: ignore[attr-defined]


class TargetForm(CleanTextMixin, forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), choices=TargetIndicator.choices)
    value = forms.DecimalField(label=_("Target value"), max_digits=14, decimal_places=2)
    label_fr = forms.CharField(label=_("Wording (French)"), max_length=300, required=False)
    label_ar = forms.CharField(label=_("Wording (Arabic)"), max_length=300, required=False)
    due_on = date_field(_("To reach by"))


class BudgetLineForm(CleanTextMixin, forms.Form):
    partner = forms.ModelChoiceField(label=_("Executing partner"), queryset=Partner.objects.none())
    category = forms.ChoiceField(label=_("Category"), choices=BudgetCategory.choices)
    label = forms.CharField(label=_("Wording"), max_length=200, required=False)
    amount = AmountFormField(label=_("Amount (DH)"))

    def __init__(self, *args: Any, partner_choices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partner_choices  # type: ignore[attr-defined]


class BudgetLineEditForm(CleanTextMixin, forms.Form):
    label = forms.CharField(label=_("Wording"), max_length=200, required=False)
    amount = AmountFormField(label=_("Amount (DH)"))


class CommitteeForm(CleanTextMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    chair = forms.CharField(label=_("Chaired by"), max_length=200, required=False)
    mandate = forms.CharField(
        label=_("Mandate"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MemberForm(CleanTextMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=Partner.objects.none(), required=False
    )
    is_chair = forms.BooleanField(label=_("Chair"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners()  # type: ignore[attr-defined]


class MeetingForm(CleanTextMixin, forms.Form):
    held_on = date_field(_("Date"), required=True)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"),
        queryset=CommitteeMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_attendees = forms.CharField(label=_("Other attendees"), required=False)
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    decisions = forms.CharField(
        label=_("Decisions (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = members  # type: ignore[attr-defined]


class ActionForm(CleanTextMixin, forms.Form):
    text = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=Partner.objects.none(), required=False
    )
    owner_name = forms.CharField(label=_("Person in charge"), max_length=200, required=False)
    due_on = date_field(_("Due on"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = partners()  # type: ignore[attr-defined]


class ActionStatusForm(CleanTextMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
