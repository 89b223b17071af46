"""Writes of the money: commitments and disbursements, each under a row lock.

Commitments on a budget line never exceed it: :func:`commitment_create` locks the line row
(``SELECT … FOR UPDATE``) before summing what is already reserved, so concurrent requests from
separate connections queue on the line and each sees the others' accepted commitments.
Disbursements lock their commitment the same way. Above the programme's threshold, a second
person approves (four eyes); the author can never approve their own entry.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from essor.accounts.roles import Cap
from essor.conventions.models import COMMITTABLE, BudgetLine
from essor.core.audit import save_audited
from essor.core.money import ZERO, check_amount, format_mad
from essor.programmes.models import RuleKind

from .models import RESERVING, ApprovalStatus, Commitment, CommitmentKind, Disbursement
from .selectors import MONEY, reserved_on_commitment, reserved_on_lines

if TYPE_CHECKING:
    from essor.accounts.models import User
    from essor.programmes.models import Programme
    from essor.registry.models import Organisation, Person


def already_committed(
    programme: Programme, *, person: Person | None, organisation: Organisation | None
) -> Decimal:
    """What the beneficiary already holds from the programme (awaiting or approved)."""
    rows = Commitment.objects.filter(programme=programme, status__in=RESERVING)
    rows = (
        rows.filter(person=person) if person is not None else rows.filter(organisation=organisation)
    )
    total = rows.aggregate(s=Sum(F("amount") - F("released"), output_field=MONEY))["s"]
    return total or ZERO


def _check_grant_rule(
    programme: Programme,
    *,
    amount: Decimal,
    project_cost: Decimal | None,
    person: Person | None,
    organisation: Organisation | None,
) -> None:
    """The grant rule caps what one beneficiary receives from the programme, all grants together."""
    from essor.programmes.rules import grant_cap
    from essor.registry.models import OrganisationKind

    rule = programme.eligibility_rules.filter(kind=RuleKind.GRANT).first()
    if rule is None:
        return
    if person is not None:
        beneficiary_kind = "person"
    elif organisation is not None and organisation.kind == OrganisationKind.COOPERATIVE:
        beneficiary_kind = "cooperative"
    else:
        beneficiary_kind = "tpe"
    cap = grant_cap(rule.params, beneficiary_kind=beneficiary_kind)
    amount = amount + already_committed(programme, person=person, organisation=organisation)
    if cap is not None and amount > cap:
        raise ValidationError(
            {
                "amount": _("%(programme)s grants at most %(cap)s to this beneficiary.")
                % {"programme": programme, "cap": format_mad(cap)}
            }
        )
    share = rule.params.get("max_share_pct")
    if share:
        if project_cost is None:
            raise ValidationError(
                {"project_cost": _("Give the project cost: the grant is a share of it.")}
            )
        ceiling = (project_cost * Decimal(share) / 100).quantize(Decimal("0.01"))
        if amount > ceiling:
            raise ValidationError(
                {
                    "amount": _(
                        "The grant may cover at most %(pct)s%% of the project cost, %(ceiling)s."
                    )
                    % {"pct": share, "ceiling": format_mad(ceiling)}
                }
            )


@transaction.atomic
def commitment_create(
    *,
    actor: User,
    budget_line: BudgetLine,
    programme: Programme,
    amount: Decimal,
    kind: str = CommitmentKind.GRANT,
    person: Person | None = None,
    organisation: Organisation | None = None,
    committed_on: date | None = None,
    project_cost: Decimal | None = None,
    purpose: str = "",
) -> Commitment:
    """Commit money of a line to one beneficiary; the line is never overspent."""
    amount = check_amount(amount, field="amount")
    if project_cost is not None:
        project_cost = check_amount(project_cost, field="project_cost")
    if (person is None) == (organisation is None):
        raise ValidationError(_("Choose one beneficiary: a project holder or an enterprise."))
    if kind not in CommitmentKind.values:
        raise ValidationError({"kind": _("Unknown kind of commitment.")})
    line = (
        BudgetLine.objects.select_for_update().select_related("convention").get(pk=budget_line.pk)
    )
    if line.convention.status not in COMMITTABLE:
        raise ValidationError(
            _("Money is committed once the convention is signed; %(ref)s is “%(status)s”.")
            % {"ref": line.convention.reference, "status": line.convention.get_status_display()}
        )
    if not programme.budget_lines.filter(pk=line.pk).exists():
        raise ValidationError(
            {
                "budget_line": _("This budget line does not fund %(programme)s.")
                % {"programme": programme}
            }
        )
    if kind == CommitmentKind.GRANT:
        _check_grant_rule(
            programme,
            amount=amount,
            project_cost=project_cost,
            person=person,
            organisation=organisation,
        )
    reserved = reserved_on_lines(BudgetLine.objects.filter(pk=line.pk))
    if reserved + amount > line.amount:
        raise ValidationError(
            {
                "amount": _(
                    "Only %(left)s is left on this line (%(line)s, of which %(reserved)s is "
                    "committed): %(amount)s cannot be committed."
                )
                % {
                    "left": format_mad(line.amount - reserved),
                    "line": format_mad(line.amount),
                    "reserved": format_mad(reserved),
                    "amount": format_mad(amount),
                }
            }
        )
    # Splitting a grant into small ones does not avoid the second approval: what the beneficiary
    # already holds from the programme counts.
    held = already_committed(programme, person=person, organisation=organisation)
    needs_approval = amount + held > programme.approval_threshold
    commitment = Commitment(
        holder_id=line.partner_id,
        budget_line=line,
        programme=programme,
        person=person,
        organisation=organisation,
        kind=kind,
        amount=amount,
        project_cost=project_cost,
        committed_on=committed_on or timezone.localdate(),
        purpose=purpose,
        status=ApprovalStatus.PENDING if needs_approval else ApprovalStatus.APPROVED,
        author=actor,
    )
    save_audited(commitment, actor=actor, verb="funding.commitment.created")
    return commitment


def _decide(entry: Commitment | Disbursement, *, actor: User, approve: bool, note: str) -> None:
    holder_id = entry.holder_id if isinstance(entry, Commitment) else entry.commitment.holder_id
    if not actor.can(Cap.FUNDING_APPROVE) or (
        not actor.is_superuser and actor.partner_id != holder_id
    ):
        raise ValidationError(_("Only a manager of the partner executing the line approves."))
    if entry.status != ApprovalStatus.PENDING:
        raise ValidationError(_("This entry is not awaiting approval."))
    if entry.author_id == actor.pk:
        raise ValidationError(
            _("You entered this yourself: a second person must approve it (four eyes).")
        )
    if not approve and not note.strip():
        raise ValidationError({"note": _("Say why it is rejected.")})
    entry.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    entry.approver = actor
    entry.decided_at = timezone.now()
    entry.decision_note = note.strip()


@transaction.atomic
def commitment_decide(
    *, actor: User, commitment: Commitment, approve: bool, note: str = ""
) -> Commitment:
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    _decide(commitment, actor=actor, approve=approve, note=note)
    verb = "approved" if approve else "rejected"
    save_audited(commitment, actor=actor, verb=f"funding.commitment.{verb}")
    return commitment


@transaction.atomic
def commitment_cancel(*, actor: User, commitment: Commitment, reason: str) -> Commitment:
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the commitment is cancelled.")})
    if commitment.status not in (ApprovalStatus.PENDING, ApprovalStatus.APPROVED):
        raise ValidationError(_("Only a pending or approved commitment can be cancelled."))
    if reserved_on_commitment(commitment) > 0:
        raise ValidationError(
            _("Money was already disbursed or is awaiting payment: release the rest instead.")
        )
    commitment.status = ApprovalStatus.CANCELLED
    commitment.decision_note = reason.strip()
    save_audited(commitment, actor=actor, verb="funding.commitment.cancelled")
    return commitment


@transaction.atomic
def commitment_release(*, actor: User | None, commitment: Commitment, reason: str = "") -> Decimal:
    """Give the part not yet disbursed back to the line (the convention closes, the holder left)."""
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    paid = reserved_on_commitment(commitment)
    released = commitment.amount - paid
    if released <= 0:
        return ZERO
    commitment.released = released
    if commitment.status == ApprovalStatus.PENDING and paid == 0:
        commitment.status = ApprovalStatus.CANCELLED
    commitment.decision_note = reason.strip() or commitment.decision_note
    save_audited(commitment, actor=actor, verb="funding.commitment.released")
    return released


@transaction.atomic
def disbursement_create(
    *,
    actor: User,
    commitment: Commitment,
    amount: Decimal,
    paid_on: date | None = None,
    reference: str = "",
) -> Disbursement:
    """Pay a tranche; the tranches of a commitment never add up to more than it."""
    amount = check_amount(amount, field="amount")
    commitment = (
        Commitment.objects.select_for_update().select_related("programme").get(pk=commitment.pk)
    )
    if commitment.status != ApprovalStatus.APPROVED:
        raise ValidationError(
            _("Only an approved commitment is paid; this one is “%(status)s”.")
            % {"status": commitment.get_status_display()}
        )
    reserved = reserved_on_commitment(commitment)
    if reserved + amount > commitment.payable:
        raise ValidationError(
            {
                "amount": _("Only %(left)s is left to pay on this commitment of %(total)s.")
                % {
                    "left": format_mad(commitment.payable - reserved),
                    "total": format_mad(commitment.payable),
                }
            }
        )
    last = commitment.disbursements.aggregate(m=Max("tranche"))["m"] or 0
    needs_approval = amount > commitment.programme.approval_threshold
    disbursement = Disbursement(
        commitment=commitment,
        tranche=last + 1,
        amount=amount,
        paid_on=paid_on or timezone.localdate(),
        reference=reference,
        status=ApprovalStatus.PENDING if needs_approval else ApprovalStatus.APPROVED,
        author=actor,
    )
    save_audited(disbursement, actor=actor, verb="funding.disbursement.created")
    return disbursement


@transaction.atomic
def disbursement_decide(
    *, actor: User, disbursement: Disbursement, approve: bool, note: str = ""
) -> Disbursement:
    disbursement = (
        Disbursement.objects.select_for_update()
        .select_related("commitment")
        .get(pk=disbursement.pk)
    )
    _decide(disbursement, actor=actor, approve=approve, note=note)
    verb = "approved" if approve else "rejected"
    save_audited(disbursement, actor=actor, verb=f"funding.disbursement.{verb}")
    return disbursement


@transaction.atomic
def disbursement_reverse(*, actor: User, disbursement: Disbursement, reason: str) -> Disbursement:
    """Record that a paid tranche came back: it stops counting as paid, and its amount may be
    paid again on the commitment."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the payment is reversed.")})
    disbursement = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
    if disbursement.status != ApprovalStatus.APPROVED:
        raise ValidationError(_("Only a paid tranche can be reversed."))
    disbursement.status = ApprovalStatus.REVERSED
    disbursement.decision_note = reason.strip()[:500]
    save_audited(disbursement, actor=actor, verb="funding.disbursement.reversed")
    return disbursement
