"""The page's forms: the text to read, then one review form per proposed convention.

Each proposed field is a row: a "keep" box (ticked when the confidence is at least 0.5), the
value as an editable input, the sentence it came from with the matched words marked, and the
confidence. A row the user unticks is not validated and not saved.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from essor.accounts.models import Partner
from essor.core.forms import CleanTextMixin
from essor.core.money import AmountFormField
from essor.territory.models import Region

from ..forms import date_field, partners
from ..models import Convention, ConventionKind, PartyRole, TargetIndicator
from .drafts import (
    GROUP_LABELS,
    SERVICE_LABELS,
    AcceptedDraft,
    CommitteeChoice,
    PartyChoice,
    TargetChoice,
)
from .files import MAX_FILE_BYTES, read_upload, too_big
from .proposal import ConventionProposal
from .review import Section, review_sections
from .text import ExtractionError

KEEP_AT = 0.5
# Values read from a French text and kept in French: in an Arabic page, they run left to right.
FRENCH = {"lang": "fr", "dir": "auto"}


class ExtractForm(CleanTextMixin, forms.Form):
    text = forms.CharField(
        label=_("Text of the article or convention"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "lang": "fr", "dir": "ltr"}),
        help_text=_("In French. Paste the whole article: its title, its body, its date."),
    )
    file = forms.FileField(
        label=_("Or a file (.txt, .docx or .pdf)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx,.pdf,text/plain"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Up to %(size)s MB.") % {
            "size": MAX_FILE_BYTES // 1_000_000
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        upload = data.get("file")
        if upload:
            if upload.size > MAX_FILE_BYTES:  # refused on its size, before it is read
                raise ValidationError(too_big(upload.name, upload.size).message)
            try:
                data["content"] = read_upload(upload.name, upload.read())
                data["filename"] = upload.name
            except ExtractionError as error:
                raise ValidationError(error.message) from None
        else:  # an empty text is refused by the extraction, with its message
            data["content"] = data.get("text") or ""
            data["filename"] = ""
        return data


class _DraftFields(forms.Form):
    """The fields proposed for one convention, each kept, edited or dropped by the user."""

    def __init__(
        self, *args: Any, proposal: ConventionProposal, reference: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        self.rows: dict[str, tuple[str | None, list[str]]] = {}
        f = self.fields
        p = proposal
        f["keep"] = forms.BooleanField(
            label=_("Create this draft"),
            required=False,
            initial=True,
            widget=forms.CheckboxInput(attrs={"data-keep-draft": ""}),
        )
        f["reference"] = forms.CharField(
            label=_("Reference"), max_length=60, required=False, initial=reference
        )
        f["title"] = forms.CharField(
            label=_("Title (French)"),
            max_length=300,
            required=False,
            initial=p.title.value,
            widget=forms.TextInput(attrs=FRENCH),
        )
        f["kind"] = forms.ChoiceField(
            label=_("Kind"),
            choices=[
                (ConventionKind.PARTNERSHIP, ConventionKind.PARTNERSHIP.label),
                (ConventionKind.PROGRAMME_CONTRACT, ConventionKind.PROGRAMME_CONTRACT.label),
            ],
            initial=p.kind,
        )
        self._row("title", None, ["reference", "title", "kind"])
        if p.objectives:
            self._keep("objectives", p.objectives.confidence)
            f["objectives"] = forms.CharField(
                label=_("Objectives (French)"),
                required=False,
                initial=p.objectives.value,
                widget=forms.Textarea(attrs={"rows": 2, **FRENCH}),
            )
            self._row("objectives", "objectives_keep", ["objectives"])
        if p.envelope:
            self._keep("envelope", p.envelope.confidence)
            f["envelope"] = AmountFormField(
                label=_("Envelope (DH)"), allow_zero=True, required=False, initial=p.envelope.value
            )
            self._row("envelope", "envelope_keep", ["envelope"])
        known = Region.objects.in_bulk([r.value for r in p.regions], field_name="code")
        self.region_labels = {code: region.label for code, region in known.items()}
        for i, region in enumerate(p.regions):
            self._keep(f"region_{i}", region.confidence)
            f[f"region_{i}"] = forms.ModelChoiceField(
                label=_("Region"),
                queryset=Region.objects.order_by("code"),
                required=False,
                initial=known.get(region.value),
                to_field_name="code",
            )
            self._row(f"region_{i}", f"region_{i}_keep", [f"region_{i}"])
        if p.start_year or p.end_year or p.duration_years or p.start_on:
            confidence = min(
                x.confidence for x in (p.start_year, p.end_year, p.duration_years) if x
            )
            self._keep("period", confidence)
            start = p.start_on or (date(p.start_year.value, 1, 1) if p.start_year else None)
            end = p.end_on or (date(p.end_year.value, 12, 31) if p.end_year else None)
            f["start_on"] = date_field(_("Start"))
            f["start_on"].initial = start
            f["end_on"] = date_field(_("End"))
            f["end_on"].initial = end
            self._row("period", "period_keep", ["start_on", "end_on"])
        if p.signed_on:
            self._keep("signed", p.signed_on.confidence)
            f["signed_on"] = date_field(_("Signed on"))
            f["signed_on"].initial = p.signed_on.value
            self._row("signed", "signed_keep", ["signed_on"])
        for i, partner in enumerate(p.partners):
            name = f"partner_{i}"
            self._keep(name, partner.confidence)
            f[name] = forms.ModelChoiceField(
                label=_("Partner in essor"),
                queryset=partners(),
                required=False,
                initial=partner.partner_id,
                empty_label=_("— a new partner, named below —"),
            )
            f[f"{name}_name"] = forms.CharField(
                label=_("Name"),
                max_length=255,
                required=False,
                initial=partner.name,
                widget=forms.TextInput(attrs=FRENCH),
            )
            f[f"{name}_acronym"] = forms.CharField(
                label=_("Acronym"),
                max_length=40,
                required=False,
                initial=partner.acronym,
                widget=forms.TextInput(attrs=FRENCH),
            )
            f[f"{name}_amount"] = AmountFormField(
                label=_("Pledged amount (DH)"),
                allow_zero=True,
                required=False,
                initial=partner.amount_mad,
            )
            f[f"{name}_roles"] = forms.MultipleChoiceField(
                label=_("Roles"),
                choices=PartyRole.choices,
                required=False,
                initial=partner.roles,
                widget=forms.CheckboxSelectMultiple,
            )
            self._row(
                name,
                f"{name}_keep",
                [name, f"{name}_name", f"{name}_acronym", f"{name}_amount", f"{name}_roles"],
            )
        for i, target in enumerate(p.targets):
            name = f"target_{i}"
            self._keep(name, target.confidence)
            f[f"{name}_indicator"] = forms.ChoiceField(
                label=_("Indicator"), choices=TargetIndicator.choices, initial=target.indicator
            )
            f[f"{name}_value"] = forms.DecimalField(
                label=_("Target value"),
                max_digits=14,
                decimal_places=2,
                required=False,
                initial=target.value,
            )
            f[f"{name}_label"] = forms.CharField(
                label=_("Wording (French)"),
                max_length=300,
                required=False,
                initial=target.text,
                widget=forms.TextInput(attrs=FRENCH),
            )
            self._row(name, f"{name}_keep", [f"{name}_indicator", f"{name}_value", f"{name}_label"])
        for i, group in enumerate(p.target_groups):
            self._keep(f"group_{i}", group.confidence, label=GROUP_LABELS.get(group.value))
            self._row(f"group_{i}", f"group_{i}_keep", [])
        for i, service in enumerate(p.services):
            self._keep(f"service_{i}", service.confidence, label=SERVICE_LABELS.get(service.value))
            self._row(f"service_{i}", f"service_{i}_keep", [])
        if p.committee:
            committee = p.committee.value
            self._keep("committee", p.committee.confidence)
            f["committee_name"] = forms.CharField(
                label=_("Name"),
                max_length=200,
                required=False,
                initial=committee.name,
                widget=forms.TextInput(attrs=FRENCH),
            )
            f["committee_chair"] = forms.CharField(
                label=_("Chaired by"),
                max_length=200,
                required=False,
                initial=committee.chair,
                widget=forms.TextInput(attrs=FRENCH),
            )
            f["committee_mandate"] = forms.CharField(
                label=_("Mandate"),
                required=False,
                initial=committee.mandate,
                widget=forms.Textarea(attrs={"rows": 2, **FRENCH}),
            )
            self._row(
                "committee",
                "committee_keep",
                ["committee_name", "committee_chair", "committee_mandate"],
            )
        if self.is_bound:
            self._disable_dropped()

    def _keep(self, name: str, confidence: float, label: Any = None) -> None:
        self.fields[f"{name}_keep"] = forms.BooleanField(
            label=label or _("Keep"),
            required=False,
            initial=confidence >= KEEP_AT,
            widget=forms.CheckboxInput(attrs={"data-keep": ""}),
        )

    def _row(self, name: str, keep: str | None, inputs: list[str]) -> None:
        self.rows[name] = (keep, inputs)

    def _ticked(self, name: str) -> bool:
        return bool(self.data.get(self.add_prefix(name)))

    def _disable_dropped(self) -> None:
        """A dropped row, or every row of a dropped draft, is neither validated nor saved."""
        dropped_draft = not self._ticked("keep")
        for keep, inputs in self.rows.values():
            if dropped_draft or (keep is not None and not self._ticked(keep)):
                for name in inputs:
                    self.fields[name].disabled = True

    def kept(self, row: str) -> bool:
        keep, _inputs = self.rows[row]
        return keep is None or bool(self.cleaned_data.get(keep))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("keep"):
            return data
        if not (data.get("reference") or "").strip():
            self.add_error(
                "reference", _("Give the draft a reference, for example CONV-01-2024-01.")
            )
        elif Convention.objects.filter(reference=data["reference"].strip()).exists():
            self.add_error(
                "reference",
                _("The reference %(ref)s is already used: choose another.")
                % {"ref": data["reference"].strip()},
            )
        if not (data.get("title") or "").strip():
            self.add_error("title", _("Give the draft a title: a convention needs one."))
        for i in range(len(self.proposal.partners)):
            name = f"partner_{i}"
            if (
                self.kept(name)
                and not data.get(name)
                and not (data.get(f"{name}_name") or "").strip()
            ):
                self.add_error(
                    f"{name}_name",
                    _("Choose the partner in essor or type the new partner's name, or drop it."),
                )
        for i in range(len(self.proposal.targets)):
            name = f"target_{i}"
            value = data.get(f"{name}_value")
            if self.kept(name) and (value is None or value <= 0):
                self.add_error(
                    f"{name}_value", _("A target is a number greater than zero, or drop it.")
                )
        if self.kept("period") if "period" in self.rows else False:
            start, end = data.get("start_on"), data.get("end_on")
            if start and end and end < start:
                self.add_error("end_on", _("The end is before the start."))
        return data

    def accepted(self, *, source: str) -> AcceptedDraft:
        """What the user kept, as edited (call on a valid form whose draft is kept)."""
        data = self.cleaned_data
        p = self.proposal
        draft = AcceptedDraft(
            reference=data["reference"].strip(),
            title=data["title"].strip(),
            kind=data["kind"],
            source=source,
        )
        if "objectives" in self.rows and self.kept("objectives"):
            draft.objectives = data.get("objectives") or ""
        if "envelope" in self.rows and self.kept("envelope"):
            draft.envelope = data.get("envelope")
        for i in range(len(p.regions)):
            region = data.get(f"region_{i}")
            if self.kept(f"region_{i}") and region is not None and region not in draft.regions:
                draft.regions.append(region)
        if "period" in self.rows and self.kept("period"):
            draft.start_on, draft.end_on = data.get("start_on"), data.get("end_on")
        if "signed" in self.rows and self.kept("signed"):
            draft.signed_on = data.get("signed_on")
        regions = {r.code: r for r in draft.regions}
        for i, partner in enumerate(p.partners):
            name = f"partner_{i}"
            if not self.kept(name):
                continue
            chosen: Partner | None = data.get(name)
            draft.parties.append(
                PartyChoice(
                    partner=chosen,
                    name=(data.get(f"{name}_name") or "").strip(),
                    acronym=(data.get(f"{name}_acronym") or "").strip(),
                    kind=partner.kind,
                    region=regions.get(partner.region_code or ""),
                    amount=data.get(f"{name}_amount"),
                    roles=list(data.get(f"{name}_roles") or []),
                )
            )
        for i in range(len(p.targets)):
            name = f"target_{i}"
            if self.kept(name):
                value: Decimal = data[f"{name}_value"]
                draft.targets.append(
                    TargetChoice(
                        indicator=data[f"{name}_indicator"],
                        value=value,
                        label=data.get(f"{name}_label") or "",
                    )
                )
        draft.target_groups = [
            g.value for i, g in enumerate(p.target_groups) if self.kept(f"group_{i}")
        ]
        draft.services = [s.value for i, s in enumerate(p.services) if self.kept(f"service_{i}")]
        if "committee" in self.rows and self.kept("committee"):
            draft.committee = CommitteeChoice(
                name=(data.get("committee_name") or "").strip() or "Comité de suivi",
                chair=(data.get("committee_chair") or "").strip(),
                mandate=(data.get("committee_mandate") or "").strip(),
            )
        return draft

    def sections(self) -> list[Section]:
        return review_sections(self)


class DraftReviewForm(CleanTextMixin, _DraftFields):
    """The review form of one draft, its text fields cleaned as in every form of essor (the
    mixin runs after the proposal's fields are added)."""
