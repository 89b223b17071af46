"""Writes of conventions: one service per change, each in a transaction, each in the audit trail.

The envelope invariant lives here: the budget lines of a convention never add up to more than its
envelope plus its signed amendments. Services that change either side lock the convention row
(``select_for_update``) first, so two managers adding lines at once cannot overshoot it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from essor.core.audit import save_audited
from essor.core.money import ZERO, check_amount, format_mad

from .models import (
    BINDING,
    ActionItem,
    ActionStatus,
    BudgetLine,
    Committee,
    CommitteeMember,
    Convention,
    ConventionKind,
    ConventionStatus,
    Decision,
    Meeting,
    PartnerPayment,
    Party,
    PartyRole,
    Target,
)

if TYPE_CHECKING:
    from essor.accounts.models import Partner, User
    from essor.territory.models import Region

CONVENTION_FIELDS = [
    "reference",
    "title_fr",
    "title_ar",
    "kind",
    "approved_on",
    "approval_session",
    "signed_on",
    "start_on",
    "end_on",
    "objectives_fr",
    "objectives_ar",
    "envelope",
    "source",
]


# --- Figures the invariants need -------------------------------------------------------------


def effective_envelope(convention: Convention) -> Decimal:
    """The envelope with the changes of the convention's signed amendments."""
    changes = convention.amendments.filter(status__in=BINDING).aggregate(s=Sum("envelope"))["s"]
    return convention.envelope + (changes or ZERO)


def lines_total(convention: Convention, *, excluding: BudgetLine | None = None) -> Decimal:
    lines = convention.budget_lines.all()
    if excluding is not None:
        lines = lines.exclude(pk=excluding.pk)
    return lines.aggregate(s=Sum("amount"))["s"] or ZERO


def committed_total(convention: Convention) -> Decimal:
    """Money reserved by commitments (awaiting or approved) on the convention's lines."""
    from essor.funding.selectors import reserved_on_lines

    return reserved_on_lines(convention.budget_lines.all())


def _locked(convention: Convention) -> Convention:
    return Convention.objects.select_for_update().get(pk=convention.pk)


# --- Conventions ----------------------------------------------------------------------------


def _check_convention(values: dict[str, Any], *, convention: Convention | None) -> None:
    errors: dict[str, str] = {}
    kind = values.get("kind")
    parent = values.get("parent")
    start, end = values.get("start_on"), values.get("end_on")
    if start and end and end < start:
        errors["end_on"] = _("The end (%(end)s) is before the start (%(start)s).") % {
            "end": end.strftime("%d/%m/%Y"),
            "start": start.strftime("%d/%m/%Y"),
        }
    signed, approved = values.get("signed_on"), values.get("approved_on")
    if signed and approved and signed < approved:
        errors["signed_on"] = _("A convention is signed after the council approves it.")
    envelope = values.get("envelope")
    if kind == ConventionKind.AMENDMENT:
        if parent is None:
            errors["parent"] = _("An amendment amends a convention: choose which one.")
        elif parent.is_amendment:
            errors["parent"] = _("Amend the convention itself, not one of its amendments.")
        elif convention is not None and parent.pk == convention.pk:
            errors["parent"] = _("A convention cannot amend itself.")
        if envelope is not None and abs(envelope) > Decimal("50000000000"):
            check_amount(abs(envelope), field="envelope")
    else:
        if parent is not None:
            errors["parent"] = _("Only an amendment has an amended convention.")
        if envelope is not None:
            try:
                check_amount(envelope, allow_zero=True, field="envelope")
            except ValidationError as error:
                errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)


def _check_amendment_floor(parent: Convention, change: Decimal, *, replacing: Decimal) -> None:
    """Refuse an amendment that would bring the envelope below what is committed or budgeted."""
    new_envelope = effective_envelope(parent) - replacing + change
    committed = committed_total(parent)
    if new_envelope < committed:
        raise ValidationError(
            {
                "envelope": _(
                    "This amendment would bring the envelope to %(new)s, below the %(committed)s "
                    "already committed. Cancel or reduce commitments first."
                )
                % {"new": format_mad(new_envelope), "committed": format_mad(committed)}
            }
        )
    budgeted = lines_total(parent)
    if new_envelope < budgeted:
        raise ValidationError(
            {
                "envelope": _(
                    "This amendment would bring the envelope to %(new)s, below the %(lines)s of "
                    "its budget lines. Reduce the lines first."
                )
                % {"new": format_mad(new_envelope), "lines": format_mad(budgeted)}
            }
        )


@transaction.atomic
def convention_create(
    *,
    actor: User | None,
    owner: Partner,
    regions: Iterable[Region] = (),
    parent: Convention | None = None,
    **values: Any,
) -> Convention:
    values = {k: v for k, v in values.items() if k in CONVENTION_FIELDS}
    values.setdefault("kind", ConventionKind.PARTNERSHIP)
    values["envelope"] = values.get("envelope") or ZERO
    _check_convention({**values, "parent": parent}, convention=None)
    if Convention.objects.filter(reference=values.get("reference")).exists():
        raise ValidationError(
            {
                "reference": _("The reference %(ref)s is already used.")
                % {"ref": values["reference"]}
            }
        )
    if parent is not None and actor is not None:
        from .permissions import can_change_convention

        if not can_change_convention(actor, parent):
            raise ValidationError({"parent": _("Only the partner keeping a convention amends it.")})
    if parent is not None and parent.status == ConventionStatus.CLOSED:
        raise ValidationError({"parent": _("This convention is closed: it cannot be amended.")})
    if parent is not None and values["envelope"] < 0:
        _check_amendment_floor(_locked(parent), values["envelope"], replacing=ZERO)
    convention = Convention(owner=owner, parent=parent, **values)
    save_audited(convention, actor=actor, verb="conventions.convention.created")
    convention.regions.set(list(regions))
    return convention


@transaction.atomic
def convention_update(
    *, actor: User, convention: Convention, regions: Iterable[Region] | None = None, **values: Any
) -> Convention:
    convention = _locked(convention)
    values = {k: v for k, v in values.items() if k in CONVENTION_FIELDS and k != "kind"}
    if "envelope" in values and values["envelope"] is None:
        values["envelope"] = ZERO
    merged = {f: getattr(convention, f) for f in CONVENTION_FIELDS} | values
    _check_convention({**merged, "parent": convention.parent}, convention=convention)
    new_reference = values.get("reference")
    if (
        new_reference
        and new_reference != convention.reference
        and Convention.objects.filter(reference=new_reference).exists()
    ):
        raise ValidationError(
            {"reference": _("The reference %(ref)s is already used.") % {"ref": new_reference}}
        )
    if "envelope" in values and values["envelope"] != convention.envelope:
        if convention.is_amendment and convention.parent and convention.status in BINDING:
            _check_amendment_floor(
                _locked(convention.parent), values["envelope"], replacing=convention.envelope
            )
        elif not convention.is_amendment:
            _check_envelope_covers(convention, values["envelope"])
    for field, value in values.items():
        setattr(convention, field, value)
    save_audited(convention, actor=actor, verb="conventions.convention.changed")
    if regions is not None:
        convention.regions.set(list(regions))
    return convention


def _check_envelope_covers(convention: Convention, envelope: Decimal) -> None:
    amendments = effective_envelope(convention) - convention.envelope
    budgeted = lines_total(convention)
    if envelope + amendments < budgeted:
        raise ValidationError(
            {
                "envelope": _(
                    "The budget lines already add up to %(lines)s: the envelope cannot be lower. "
                    "Reduce the lines first."
                )
                % {"lines": format_mad(budgeted)}
            }
        )


class CloseChoice:
    """What to do with commitments not yet disbursed when a convention closes."""

    RELEASE = "release"  # give the undisbursed part back to the line; nothing more is paid
    KEEP = "keep"  # keep them payable after closing


def open_commitments(convention: Convention) -> Any:
    from essor.funding.selectors import undisbursed_commitments

    return undisbursed_commitments(convention)


@transaction.atomic
def convention_transition(
    *,
    actor: User | None,
    convention: Convention,
    to: str,
    on: date | None = None,
    note: str = "",
    open_commitments_choice: str | None = None,
) -> Convention:
    """Move a convention along its lifecycle; a step that is not allowed changes nothing."""
    convention = _locked(convention)
    on = on or timezone.localdate()
    if to not in convention.next_statuses():
        raise ValidationError(
            _("A convention that is “%(status)s” cannot become “%(to)s”.")
            % {
                "status": convention.get_status_display(),
                "to": dict(ConventionStatus.choices).get(to, to),
            }
        )
    if to == ConventionStatus.APPROVED and not convention.approved_on:
        convention.approved_on = on
    if to == ConventionStatus.SIGNED:
        if convention.approved_on and on < convention.approved_on:
            raise ValidationError(_("A convention is signed after the council approves it."))
        convention.signed_on = convention.signed_on or on
    if to == ConventionStatus.IN_EXECUTION and not convention.signed_on:
        raise ValidationError(_("A convention goes into execution once it is signed."))
    if to == ConventionStatus.IN_EXECUTION and not convention.start_on:
        convention.start_on = on
    if (
        convention.is_amendment
        and convention.parent
        and ((to in BINDING) != (convention.status in BINDING))
    ):
        # The amendment starts or stops counting: the envelope must still cover the money.
        change = convention.envelope if to in BINDING else -convention.envelope
        if change < 0:
            _check_amendment_floor(_locked(convention.parent), change, replacing=ZERO)
    if to == ConventionStatus.CLOSED:
        _close_commitments(convention, actor=actor, choice=open_commitments_choice, note=note)
    previous = convention.status
    convention.status = to
    save_audited(convention, actor=actor, verb=f"conventions.convention.{to}")
    convention.status_changes.create(
        from_status=previous, to_status=to, on=on, note=note, actor=actor
    )
    return convention


def _close_commitments(
    convention: Convention, *, actor: User | None, choice: str | None, note: str
) -> None:
    from essor.funding.services import commitment_release

    pending = list(open_commitments(convention))
    if not pending:
        return
    if choice not in (CloseChoice.RELEASE, CloseChoice.KEEP):
        remaining = sum((c.payable - c.disbursed for c in pending), ZERO)
        raise ValidationError(
            {
                "open_commitments_choice": ngettext(
                    "%(count)s commitment still has %(amount)s to disburse. Say whether to "
                    "release that money or keep it payable after closing.",
                    "%(count)s commitments still have %(amount)s to disburse. Say whether to "
                    "release that money or keep the commitments payable after closing.",
                    len(pending),
                )
                % {"count": len(pending), "amount": format_mad(remaining)}
            }
        )
    if choice == CloseChoice.RELEASE:
        for commitment in pending:
            commitment_release(actor=actor, commitment=commitment, reason=note)


# --- Parties and their payments ------------------------------------------------------------


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    unknown = [r for r in roles if r not in PartyRole.values]
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %(role)s.") % {"role": unknown[0]}})
    return roles


@transaction.atomic
def party_add(
    *,
    actor: User | None,
    convention: Convention,
    partner: Partner,
    roles: Iterable[str] = (),
    pledged: Decimal | None = None,
    in_kind_fr: str = "",
    in_kind_ar: str = "",
) -> Party:
    pledged = check_amount(pledged or ZERO, allow_zero=True, field="pledged")
    if convention.parties.filter(partner=partner).exists():
        raise ValidationError(
            {
                "partner": _(
                    "%(partner)s is already a party to this convention: change its pledge "
                    "instead of adding it twice."
                )
                % {"partner": partner}
            }
        )
    party = Party(
        convention=convention,
        partner=partner,
        roles=_check_roles(roles),
        pledged=pledged,
        in_kind_fr=in_kind_fr,
        in_kind_ar=in_kind_ar,
    )
    try:
        with transaction.atomic():
            save_audited(party, actor=actor, verb="conventions.party.added")
    except IntegrityError:  # the same partner added at the same moment by someone else
        raise ValidationError(
            {
                "partner": _("%(partner)s is already a party to this convention.")
                % {"partner": partner}
            }
        ) from None
    return party


@transaction.atomic
def party_update(*, actor: User, party: Party, **values: Any) -> Party:
    if "pledged" in values:
        values["pledged"] = check_amount(
            values["pledged"] or ZERO, allow_zero=True, field="pledged"
        )
    if "roles" in values:
        values["roles"] = _check_roles(values["roles"])
    for field in ("roles", "pledged", "in_kind_fr", "in_kind_ar"):
        if field in values:
            setattr(party, field, values[field])
    save_audited(party, actor=actor, verb="conventions.party.changed")
    return party


def payment_record(
    *, actor: User | None, party: Party, kind: str, amount: Decimal, on: date, reference: str = ""
) -> PartnerPayment:
    payment = PartnerPayment(
        party=party,
        kind=kind,
        amount=check_amount(amount, field="amount"),
        on=on,
        reference=reference,
        recorded_by=actor,
    )
    save_audited(payment, actor=actor, verb=f"conventions.payment.{kind}")
    return payment


# --- Targets --------------------------------------------------------------------------------


def target_add(*, actor: User | None, convention: Convention, **values: Any) -> Target:
    value = values.get("value")
    if value is None or value <= 0:
        raise ValidationError({"value": _("A target is a number greater than zero.")})
    if values.get("indicator") in ("women_share", "young_share") and value > 100:
        raise ValidationError({"value": _("A share is at most 100%.")})
    target = Target(convention=convention, **values)
    save_audited(target, actor=actor, verb="conventions.target.added")
    return target


# --- Budget lines ---------------------------------------------------------------------------


@transaction.atomic
def budget_line_create(
    *,
    actor: User | None,
    convention: Convention,
    partner: Partner,
    category: str,
    amount: Decimal,
    label: str = "",
) -> BudgetLine:
    """Add a line; the lines never add up to more than the envelope with its signed amendments."""
    convention = _locked(convention)
    amount = check_amount(amount, field="amount")
    if convention.is_amendment:
        raise ValidationError(_("Budget lines belong to the convention, not to its amendments."))
    if convention.status == ConventionStatus.CLOSED:
        raise ValidationError(_("This convention is closed: its budget cannot change."))
    _check_within_envelope(convention, amount, excluding=None)
    line = BudgetLine(
        convention=convention, partner=partner, category=category, label=label, amount=amount
    )
    save_audited(line, actor=actor, verb="conventions.budget_line.created")
    return line


def _check_within_envelope(
    convention: Convention, amount: Decimal, *, excluding: BudgetLine | None
) -> None:
    envelope = effective_envelope(convention)
    others = lines_total(convention, excluding=excluding)
    if others + amount > envelope:
        raise ValidationError(
            {
                "amount": _(
                    "The budget lines would add up to %(total)s, more than the envelope of "
                    "%(envelope)s. At most %(left)s is left to budget."
                )
                % {
                    "total": format_mad(others + amount),
                    "envelope": format_mad(envelope),
                    "left": format_mad(max(envelope - others, ZERO)),
                }
            }
        )


@transaction.atomic
def budget_line_update(
    *, actor: User, line: BudgetLine, amount: Decimal | None = None, label: str | None = None
) -> BudgetLine:
    from essor.funding.selectors import reserved_on_lines

    convention = _locked(line.convention)
    line = BudgetLine.objects.select_for_update().get(pk=line.pk)
    if amount is not None:
        amount = check_amount(amount, field="amount")
        committed = reserved_on_lines(BudgetLine.objects.filter(pk=line.pk))
        if amount < committed:
            raise ValidationError(
                {
                    "amount": _(
                        "%(committed)s is already committed on this line: it cannot be lower."
                    )
                    % {"committed": format_mad(committed)}
                }
            )
        _check_within_envelope(convention, amount, excluding=line)
        line.amount = amount
    if label is not None:
        line.label = label
    save_audited(line, actor=actor, verb="conventions.budget_line.changed")
    return line


# --- The committee --------------------------------------------------------------------------


def committee_set(
    *, actor: User | None, convention: Convention, name: str, chair: str = "", mandate: str = ""
) -> Committee:
    committee, _created = Committee.objects.update_or_create(
        convention=convention, defaults={"name": name, "chair": chair, "mandate": mandate}
    )
    return committee


def committee_member_add(
    *,
    actor: User | None,
    committee: Committee,
    name: str,
    title: str = "",
    partner: Partner | None = None,
    is_chair: bool = False,
) -> CommitteeMember:
    if is_chair:
        committee.members.filter(is_chair=True).update(is_chair=False)
    return CommitteeMember.objects.create(
        committee=committee, name=name, title=title, partner=partner, is_chair=is_chair
    )


@transaction.atomic
def meeting_record(
    *,
    actor: User | None,
    committee: Committee,
    held_on: date,
    place: str = "",
    attendees: Iterable[CommitteeMember] = (),
    other_attendees: str = "",
    minutes: str = "",
    decisions: Iterable[str] = (),
) -> Meeting:
    meeting = Meeting(
        committee=committee,
        held_on=held_on,
        place=place,
        other_attendees=other_attendees,
        minutes=minutes,
    )
    save_audited(meeting, actor=actor, verb="conventions.meeting.recorded")
    members = [m for m in attendees if m.committee_id == committee.pk]
    meeting.attendees.set(members)
    Decision.objects.bulk_create(
        [Decision(meeting=meeting, text=text.strip()) for text in decisions if text.strip()]
    )
    return meeting


def action_add(
    *,
    actor: User | None,
    committee: Committee,
    text: str,
    due_on: date | None = None,
    owner: Partner | None = None,
    owner_name: str = "",
    meeting: Meeting | None = None,
) -> ActionItem:
    if not text.strip():
        raise ValidationError({"text": _("Say what is to be done.")})
    action = ActionItem(
        committee=committee,
        meeting=meeting,
        text=text.strip(),
        due_on=due_on,
        owner=owner,
        owner_name=owner_name,
    )
    save_audited(action, actor=actor, verb="conventions.action.added")
    return action


def action_set_status(
    *, actor: User | None, action: ActionItem, status: str, on: date | None = None
) -> ActionItem:
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    action.status = status
    action.done_on = (on or timezone.localdate()) if status == ActionStatus.DONE else None
    save_audited(action, actor=actor, verb=f"conventions.action.{status}")
    return action
