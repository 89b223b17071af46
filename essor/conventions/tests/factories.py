"""Conventions, lines and programmes for tests, built through the services."""

from __future__ import annotations

from decimal import Decimal
from itertools import count
from typing import Any

from essor.accounts.models import Partner
from essor.conventions import services
from essor.conventions.models import BudgetLine, Convention, ConventionStatus
from essor.programmes import services as programme_services
from essor.programmes.models import Programme

_numbers = count(1)


def make_convention(
    owner: Partner,
    *,
    envelope: str = "25000000",
    status: str = ConventionStatus.IN_EXECUTION,
    **values: Any,
) -> Convention:
    number = next(_numbers)
    convention = services.convention_create(
        actor=None,
        owner=owner,
        reference=values.pop("reference", f"TEST-{number}"),
        title_fr=values.pop("title_fr", f"Convention de test {number}"),
        envelope=Decimal(envelope),
        **values,
    )
    path: list[str] = [
        ConventionStatus.APPROVED,
        ConventionStatus.SIGNED,
        ConventionStatus.IN_EXECUTION,
    ]
    for step in path[: path.index(status) + 1] if status in path else []:
        services.convention_transition(actor=None, convention=convention, to=step)
    convention.refresh_from_db()
    return convention


def make_line(
    convention: Convention, partner: Partner, amount: str = "1000000", category: str = "grants"
) -> BudgetLine:
    if not convention.parties.filter(partner=partner).exists():
        services.party_add(actor=None, convention=convention, partner=partner, roles=["funder"])
    return services.budget_line_create(
        actor=None,
        convention=convention,
        partner=partner,
        category=category,
        amount=Decimal(amount),
    )


def make_programme(
    operator: Partner, *lines: BudgetLine, threshold: str = "50000", **values: Any
) -> Programme:
    number = next(_numbers)
    return programme_services.programme_create(
        actor=None,
        operator=operator,
        budget_lines=lines,
        code=values.pop("code", f"prog-{number}"),
        name_fr=values.pop("name_fr", f"Programme {number}"),
        approval_threshold=Decimal(threshold),
        **values,
    )
