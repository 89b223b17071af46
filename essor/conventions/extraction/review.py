"""What the review page shows of one draft: a row per proposed field, by section, with the
sentence it came from (escaped, the matched words in ``<mark>``) and its confidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .drafts import GROUP_LABELS, SERVICE_LABELS
from .proposal import Evidence

if TYPE_CHECKING:
    from .forms import _DraftFields


def highlight(evidence: Evidence | None) -> SafeString:
    """The sentence, escaped, with the matched words in ``<mark>``."""
    if evidence is None:
        return mark_safe("")
    out, pos = [], 0
    for start, end in evidence.spans:
        if start < pos:
            continue
        out.append(escape(evidence.sentence[pos:start]))
        out.append(format_html("<mark>{}</mark>", evidence.sentence[start:end]))
        pos = end
    out.append(escape(evidence.sentence[pos:]))
    return mark_safe("".join(str(part) for part in out))


@dataclass
class Row:
    label: Any
    keep: forms.BoundField | None
    inputs: list[forms.BoundField]
    evidence: SafeString
    confidence: int | None  # percent
    note: Any = ""
    known: str = ""  # for a partner: the partner essor has, or "" when new
    partner: bool = False
    key: str = ""  # what the row proposes: "envelope", "women", "wilaya:01"…

    @property
    def level(self) -> str:
        if self.confidence is None:
            return ""
        return "agree" if self.confidence >= 80 else "close" if self.confidence >= 60 else "differ"


@dataclass
class Section:
    title: Any
    rows: list[Row] = field(default_factory=list)


def _percent(confidence: float | None) -> int | None:
    return None if confidence is None else round(confidence * 100)


def review_sections(form: _DraftFields) -> list[Section]:
    """The rows of one draft's review, by section, as the template shows them."""
    p = form.proposal

    def row(
        name: str, label: Any, evidence: Evidence | None, confidence: float | None, **extra: Any
    ) -> Row:
        keep, inputs = form.rows[name]
        extra.setdefault("key", name)
        return Row(
            label=label,
            keep=form[keep] if keep else None,
            inputs=[form[i] for i in inputs],
            evidence=highlight(evidence),
            confidence=_percent(confidence),
            **extra,
        )

    general = Section(_("The convention"))
    general.rows.append(
        row(
            "title",
            pgettext_lazy("convention field", "Title"),
            p.title.evidence,
            p.title.confidence,
        )
    )
    if p.objectives:
        general.rows.append(
            row("objectives", _("Objectives"), p.objectives.evidence, p.objectives.confidence)
        )
    if p.envelope:
        general.rows.append(
            row(
                "envelope",
                _("Envelope"),
                p.envelope.evidence,
                p.envelope.confidence,
                note=_note(p.envelope.note),
            )
        )
    for i, region in enumerate(p.regions):
        general.rows.append(
            row(
                f"region_{i}",
                form.region_labels.get(region.value, region.value),
                region.evidence,
                region.confidence,
                note=_note(region.note),
            )
        )
    if "period" in form.rows:
        evidence = next(
            (x.evidence for x in (p.start_year, p.duration_years, p.end_year) if x), None
        )
        confidence = min(x.confidence for x in (p.start_year, p.end_year, p.duration_years) if x)
        note: Any = ""
        if p.duration_years:
            note = _("Duration: %(years)s years.") % {"years": p.duration_years.value}
            if not p.start_year:
                note = _("Duration: %(years)s years; the text gives no start: type the dates.") % {
                    "years": p.duration_years.value
                }
        general.rows.append(row("period", _("Period"), evidence, confidence, note=note))
    if p.signed_on:
        general.rows.append(
            row("signed", _("Signature"), p.signed_on.evidence, p.signed_on.confidence)
        )
    parties = Section(_("Partners"))
    for i, partner in enumerate(p.partners):
        parties.rows.append(
            row(
                f"partner_{i}",
                partner.name,
                partner.evidence.merged(partner.amount_evidence)
                if partner.evidence and partner.amount_evidence
                else partner.evidence,
                partner.confidence,
                known=partner.partner_label,
                partner=True,
                key=partner.key,
                note=_note(partner.amount_note),
            )
        )
        if (
            partner.amount_evidence
            and partner.evidence
            and (partner.amount_evidence.sentence != partner.evidence.sentence)
        ):
            parties.rows[-1].evidence = mark_safe(
                f"{parties.rows[-1].evidence}<br>{highlight(partner.amount_evidence)}"
            )
    targets = Section(_("Targets"))
    for i, target in enumerate(p.targets):
        targets.rows.append(row(f"target_{i}", target.text, target.evidence, target.confidence))
    groups = Section(_("Target groups"))
    for i, group in enumerate(p.target_groups):
        groups.rows.append(
            row(
                f"group_{i}",
                GROUP_LABELS.get(group.value, group.value),
                group.evidence,
                group.confidence,
                key=group.value,
            )
        )
    offered = Section(_("Services promised"))
    for i, service in enumerate(p.services):
        offered.rows.append(
            row(
                f"service_{i}",
                SERVICE_LABELS.get(service.value, service.value),
                service.evidence,
                service.confidence,
                key=service.value,
            )
        )
    committee = Section(_("Committee"))
    if p.committee:
        committee.rows.append(
            row("committee", _("Committee"), p.committee.evidence, p.committee.confidence)
        )
    return [s for s in (general, parties, targets, groups, offered, committee) if s.rows]


def _note(note: str) -> Any:
    """The extraction's notes, said in the user's language."""
    if not note:
        return ""
    if "MAD/EUR" in note:
        return _("Converted from euros at %(rate)s: check the amount in dirhams.") % {
            "rate": note.split("×", 1)[1].strip()
        }
    if "1997-2015" in note:
        return _("The text uses the region's name before 2015; check the region.")
    if note.startswith("“région du Nord”"):
        return _("“Région du Nord” read as Tanger-Tétouan-Al Hoceima; check the region.")
    if note.startswith("sum of"):
        return _("The sum of the partners' amounts: the text gives no total.")
    return note
