"""Reads of conventions and budget execution: pledged, budgeted, committed, disbursed, left.

Every figure is one aggregate query over the ledger (no Python loop over commitments), so that
the page, the XLSX export and the committee's report (issue 7) show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, Q, QuerySet, Sum
from django.utils import timezone

from essor.core.money import ZERO
from essor.funding.models import RESERVING, ApprovalStatus, Commitment, Disbursement

from .models import (
    ActionItem,
    BudgetLine,
    Convention,
    PartnerPayment,
    PaymentKind,
)
from .services import effective_envelope

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"))


@dataclass
class Execution:
    """One row of budget execution: a line, a partner, a programme or the whole convention."""

    label: str
    budgeted: Decimal = ZERO
    committed: Decimal = ZERO
    disbursed: Decimal = ZERO
    pledged: Decimal | None = None
    called: Decimal | None = None
    received: Decimal | None = None
    key: Any = None

    @property
    def remaining(self) -> Decimal:
        """Budgeted money not yet committed."""
        return self.budgeted - self.committed

    @property
    def committed_pct(self) -> Decimal | None:
        return _pct(self.committed, self.budgeted)

    @property
    def disbursed_pct(self) -> Decimal | None:
        return _pct(self.disbursed, self.budgeted)


@dataclass
class ConventionExecution:
    convention: Convention
    envelope: Decimal
    total: Execution
    lines: list[Execution] = field(default_factory=list)
    partners: list[Execution] = field(default_factory=list)
    programmes: list[Execution] = field(default_factory=list)

    @property
    def unbudgeted(self) -> Decimal:
        return self.envelope - self.total.budgeted


def _committed_by(lines: QuerySet[BudgetLine], key: str) -> dict[Any, Decimal]:
    rows = (
        Commitment.objects.filter(budget_line__in=lines, status__in=RESERVING)
        .values(key)
        .annotate(s=Sum(F("amount") - F("released"), output_field=MONEY))
    )
    return {row[key]: row["s"] or ZERO for row in rows}


def _disbursed_by(lines: QuerySet[BudgetLine], key: str) -> dict[Any, Decimal]:
    rows = (
        Disbursement.objects.filter(
            commitment__budget_line__in=lines, status=ApprovalStatus.APPROVED
        )
        .values(f"commitment__{key}")
        .annotate(s=Sum("amount"))
    )
    return {row[f"commitment__{key}"]: row["s"] or ZERO for row in rows}


def convention_execution(convention: Convention) -> ConventionExecution:
    """Budget execution of a convention by line, by partner and by programme."""
    from essor.programmes.models import Programme

    lines_qs = convention.budget_lines.all()
    lines = list(lines_qs.select_related("partner"))
    committed = _committed_by(lines_qs, "budget_line")
    disbursed = _disbursed_by(lines_qs, "budget_line")
    line_rows = [
        Execution(
            label=str(line),
            budgeted=line.amount,
            committed=committed.get(line.pk, ZERO),
            disbursed=disbursed.get(line.pk, ZERO),
            key=line,
        )
        for line in lines
    ]

    payments = (
        PartnerPayment.objects.filter(party__convention=convention)
        .values("party__partner", "kind")
        .annotate(s=Sum("amount"))
    )
    paid: dict[tuple[int, str], Decimal] = {
        (row["party__partner"], row["kind"]): row["s"] for row in payments
    }
    partner_rows: dict[int, Execution] = {}
    for party in convention.parties.select_related("partner"):
        partner_rows[party.partner_id] = Execution(
            label=party.partner.short_label,
            pledged=party.pledged,
            called=paid.get((party.partner_id, PaymentKind.CALL), ZERO),
            received=paid.get((party.partner_id, PaymentKind.RECEIPT), ZERO),
            key=party.partner,
        )
    for row in line_rows:
        line = row.key
        entry = partner_rows.setdefault(
            line.partner_id, Execution(label=line.partner.short_label, key=line.partner)
        )
        entry.budgeted += row.budgeted
        entry.committed += row.committed
        entry.disbursed += row.disbursed

    by_programme_committed = _committed_by(lines_qs, "programme")
    by_programme_disbursed = _disbursed_by(lines_qs, "programme")
    programme_rows = []
    programmes = Programme.objects.filter(
        Q(budget_lines__convention=convention) | Q(pk__in=by_programme_committed.keys())
    ).distinct()
    for programme in programmes.prefetch_related("budget_lines"):
        budgeted = sum(
            (
                line.amount
                for line in programme.budget_lines.all()
                if line.convention_id == convention.pk
            ),
            ZERO,
        )
        programme_rows.append(
            Execution(
                label=programme.name,
                budgeted=budgeted,
                committed=by_programme_committed.get(programme.pk, ZERO),
                disbursed=by_programme_disbursed.get(programme.pk, ZERO),
                key=programme,
            )
        )

    total = Execution(
        label=convention.reference,
        budgeted=sum((r.budgeted for r in line_rows), ZERO),
        committed=sum((r.committed for r in line_rows), ZERO),
        disbursed=sum((r.disbursed for r in line_rows), ZERO),
        pledged=sum((r.pledged or ZERO for r in partner_rows.values()), ZERO),
        called=sum((r.called or ZERO for r in partner_rows.values()), ZERO),
        received=sum((r.received or ZERO for r in partner_rows.values()), ZERO),
    )
    return ConventionExecution(
        convention=convention,
        envelope=effective_envelope(convention),
        total=total,
        lines=line_rows,
        partners=list(partner_rows.values()),
        programmes=programme_rows,
    )


def line_execution(line: BudgetLine) -> Execution:
    lines = BudgetLine.objects.filter(pk=line.pk)
    return Execution(
        label=str(line),
        budgeted=line.amount,
        committed=_committed_by(lines, "budget_line").get(line.pk, ZERO),
        disbursed=_disbursed_by(lines, "budget_line").get(line.pk, ZERO),
        key=line,
    )


def programme_execution(programme: Any) -> Execution:
    """A programme's money across every convention that funds it."""
    committed = Commitment.objects.filter(programme=programme, status__in=RESERVING).aggregate(
        s=Sum(F("amount") - F("released"), output_field=MONEY)
    )["s"]
    disbursed = Disbursement.objects.filter(
        commitment__programme=programme, status=ApprovalStatus.APPROVED
    ).aggregate(s=Sum("amount"))["s"]
    budgeted = programme.budget_lines.aggregate(s=Sum("amount"))["s"]
    return Execution(
        label=programme.name,
        budgeted=budgeted or ZERO,
        committed=committed or ZERO,
        disbursed=disbursed or ZERO,
        key=programme,
    )


@dataclass(frozen=True)
class ConventionFilters:
    query: str = ""
    status: str = ""
    region: str = ""


def convention_list(*, filters: ConventionFilters | None = None) -> QuerySet[Convention]:
    """Conventions (not amendments) with their effective envelope and committed money."""
    filters = filters or ConventionFilters()
    rows = Convention.objects.exclude(kind="amendment").select_related("owner")
    if filters.query:
        rows = rows.filter(
            Q(reference__icontains=filters.query)
            | Q(title_fr__icontains=filters.query)
            | Q(title_ar__icontains=filters.query)
        )
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.region:
        rows = rows.filter(regions__code=filters.region)
    return rows.prefetch_related("regions").order_by("reference")


def convention_totals(conventions: list[Convention]) -> dict[int, Execution]:
    """Budgeted, committed and disbursed per convention, in three queries for the whole list."""
    ids = [c.pk for c in conventions]
    budgeted = dict(
        BudgetLine.objects.filter(convention_id__in=ids)
        .values("convention")
        .annotate(s=Sum("amount"))
        .values_list("convention", "s")
    )
    committed = dict(
        Commitment.objects.filter(budget_line__convention_id__in=ids, status__in=RESERVING)
        .values("budget_line__convention")
        .annotate(s=Sum(F("amount") - F("released"), output_field=MONEY))
        .values_list("budget_line__convention", "s")
    )
    disbursed = dict(
        Disbursement.objects.filter(
            commitment__budget_line__convention_id__in=ids, status=ApprovalStatus.APPROVED
        )
        .values("commitment__budget_line__convention")
        .annotate(s=Sum("amount"))
        .values_list("commitment__budget_line__convention", "s")
    )
    return {
        pk: Execution(
            label="",
            budgeted=budgeted.get(pk) or ZERO,
            committed=committed.get(pk) or ZERO,
            disbursed=disbursed.get(pk) or ZERO,
        )
        for pk in ids
    }


def overdue_actions(convention: Convention) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(
        committee__convention=convention,
        status__in=ActionItem.OPEN_STATUSES,
        due_on__lt=timezone.localdate(),
    )
