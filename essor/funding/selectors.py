"""Reads of commitments and disbursements, and the sums the invariants and the pages need."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from essor.core.money import ZERO

from .models import RESERVING, ApprovalStatus, Commitment, Disbursement

if TYPE_CHECKING:
    from essor.accounts.models import User
    from essor.conventions.models import BudgetLine, Convention

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


def reserved_on_lines(lines: QuerySet[BudgetLine]) -> Decimal:
    """Money held by commitments on ``lines``: awaiting approval or approved, less releases."""
    total = Commitment.objects.filter(budget_line__in=lines, status__in=RESERVING).aggregate(
        s=Sum(F("amount") - F("released"), output_field=MONEY)
    )["s"]
    return total or ZERO


def reserved_on_commitment(commitment: Commitment) -> Decimal:
    total = commitment.disbursements.filter(status__in=RESERVING).aggregate(s=Sum("amount"))["s"]
    return total or ZERO


def disbursed_sum() -> Any:
    """Subquery: what was paid out on the commitment of the outer row."""
    return Coalesce(
        Subquery(
            Disbursement.objects.filter(commitment=OuterRef("pk"), status=ApprovalStatus.APPROVED)
            .values("commitment")
            .annotate(s=Sum("amount"))
            .values("s"),
            output_field=MONEY,
        ),
        Value(ZERO),
        output_field=MONEY,
    )


def undisbursed_commitments(convention: Convention) -> list[Commitment]:
    """Approved or pending commitments of the convention with money still to pay."""
    rows = (
        Commitment.objects.filter(budget_line__convention=convention, status__in=RESERVING)
        .annotate(disbursed=disbursed_sum())
        .filter(disbursed__lt=F("amount") - F("released"))
        .select_related("person", "organisation")
    )
    return list(rows)


def commitment_list(
    *,
    actor: User,
    line: BudgetLine | None = None,
    programme_id: int | None = None,
    status: str = "",
) -> QuerySet[Commitment]:
    """Commitments the actor may see (they name beneficiaries: personal data)."""
    rows = Commitment.objects.visible_to(actor)
    if line is not None:
        rows = rows.filter(budget_line=line)
    if programme_id is not None:
        rows = rows.filter(programme_id=programme_id)
    if status:
        rows = rows.filter(status=status)
    return rows.select_related(
        "person", "organisation", "programme", "budget_line__partner", "author", "approver"
    ).annotate(disbursed=disbursed_sum())


def approvals_waiting(*, actor: User) -> tuple[QuerySet[Commitment], QuerySet[Disbursement]]:
    """What the actor may approve: others' entries of their partner, awaiting a second person."""
    commitments = (
        Commitment.objects.filter(holder_id=actor.partner_id, status=ApprovalStatus.PENDING)
        .exclude(author=actor)
        .select_related("person", "organisation", "programme", "budget_line__partner", "author")
    )
    disbursements = (
        Disbursement.objects.filter(
            commitment__holder_id=actor.partner_id, status=ApprovalStatus.PENDING
        )
        .exclude(author=actor)
        .select_related("commitment__person", "commitment__organisation", "author")
    )
    return commitments, disbursements
