"""Commitments never overspend a line; disbursements never exceed their commitment; four eyes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from essor.conventions.tests.factories import make_convention, make_line, make_programme
from essor.core.testing import Personas
from essor.funding import services
from essor.funding.models import ApprovalStatus, Commitment, Disbursement
from essor.programmes import services as programme_services
from essor.registry.tests.factories import make_organisation, make_person

NBSP = "\u00a0"
pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(personas: Personas) -> dict[str, Any]:
    convention = make_convention(personas.own, envelope="1000000")
    line = make_line(convention, personas.own, "100000")
    programme = make_programme(personas.own, line, threshold="50000")
    return {
        "line": line,
        "programme": programme,
        "person": make_person(personas.own),
        "manager": personas.user("programme_manager"),
        "admin": personas.user("admin"),
    }


def commit(setting: dict[str, Any], amount: str, **extra: object) -> Commitment:
    values = {
        "actor": setting["manager"],
        "budget_line": setting["line"],
        "programme": setting["programme"],
        "person": setting["person"],
        "amount": Decimal(amount),
    }
    return services.commitment_create(**(values | extra))


def test_a_commitment_above_what_is_left_on_the_line_is_refused(setting: dict[str, Any]) -> None:
    commit(setting, "45000")
    commit(setting, "45000")
    with pytest.raises(ValidationError) as error:
        commit(setting, "10000.01")
    message = error.value.message_dict["amount"][0]
    assert f"10{NBSP}000,00{NBSP}DH" in message  # what is left
    assert Commitment.objects.count() == 2
    commit(setting, "10000")  # exactly what is left is fine


def test_pending_commitments_reserve_their_money(setting: dict[str, Any]) -> None:
    big = commit(setting, "60000")
    assert big.status == ApprovalStatus.PENDING
    with pytest.raises(ValidationError):
        commit(setting, "45000")
    services.commitment_decide(
        actor=setting["admin"], commitment=big, approve=False, note="Dossier incomplet"
    )
    commit(setting, "45000")  # the rejected one gave its money back


def test_four_eyes_the_author_cannot_approve_their_own_commitment(setting: dict[str, Any]) -> None:
    big = commit(setting, "60000")
    with pytest.raises(ValidationError):
        services.commitment_decide(actor=setting["manager"], commitment=big, approve=True)
    big.refresh_from_db()
    assert (big.status, big.approver_id) == ("pending", None)
    services.commitment_decide(actor=setting["admin"], commitment=big, approve=True)
    big.refresh_from_db()
    assert (big.status, big.approver_id) == ("approved", setting["admin"].pk)
    reasons = list(big.history.values_list("history_change_reason", "history_user"))
    assert ("funding.commitment.approved", setting["admin"].pk) in reasons


def test_another_partners_manager_cannot_approve(
    setting: dict[str, Any], personas: Personas
) -> None:
    big = commit(setting, "60000")
    with pytest.raises(ValidationError):
        services.commitment_decide(
            actor=personas.user("programme_manager", "other"), commitment=big, approve=True
        )
    big.refresh_from_db()
    assert big.status == "pending"


def test_a_committee_member_cannot_approve(setting: dict[str, Any], personas: Personas) -> None:
    big = commit(setting, "60000")
    with pytest.raises(ValidationError):
        services.commitment_decide(
            actor=personas.user("committee_member"), commitment=big, approve=True
        )


def test_disbursements_never_exceed_their_commitment(setting: dict[str, Any]) -> None:
    commitment = commit(setting, "40000")
    first = services.disbursement_create(
        actor=setting["manager"], commitment=commitment, amount=Decimal("25000")
    )
    with pytest.raises(ValidationError) as error:
        services.disbursement_create(
            actor=setting["manager"], commitment=commitment, amount=Decimal("15000.01")
        )
    assert f"15{NBSP}000,00{NBSP}DH" in error.value.message_dict["amount"][0]
    second = services.disbursement_create(
        actor=setting["manager"], commitment=commitment, amount=Decimal("15000")
    )
    assert (first.tranche, second.tranche) == (1, 2)
    assert Disbursement.objects.filter(commitment=commitment).count() == 2


def test_a_pending_commitment_is_not_paid(setting: dict[str, Any]) -> None:
    big = commit(setting, "60000")
    with pytest.raises(ValidationError):
        services.disbursement_create(actor=setting["manager"], commitment=big, amount=Decimal("1"))
    assert not Disbursement.objects.exists()


def test_a_large_disbursement_waits_for_a_second_person(setting: dict[str, Any]) -> None:
    commitment = commit(setting, "90000")
    services.commitment_decide(actor=setting["admin"], commitment=commitment, approve=True)
    tranche = services.disbursement_create(
        actor=setting["manager"], commitment=commitment, amount=Decimal("60000")
    )
    assert tranche.status == "pending"
    with pytest.raises(ValidationError):
        services.disbursement_decide(actor=setting["manager"], disbursement=tranche, approve=True)
    services.disbursement_decide(actor=setting["admin"], disbursement=tranche, approve=True)
    tranche.refresh_from_db()
    assert tranche.status == "approved"


def test_the_programmes_grant_rule_caps_each_grant(personas: Personas) -> None:
    convention = make_convention(personas.own, envelope="1000000")
    line = make_line(convention, personas.own, "900000")
    programme = make_programme(personas.own, line, threshold="1000000")
    programme_services.rule_set(
        actor=None,
        programme=programme,
        kind="grant",
        params={"max_share_pct": 60, "cap_person": "100000", "cap_cooperative": "300000"},
    )
    manager = personas.user("programme_manager")
    person = make_person(personas.own)
    cooperative = make_organisation(personas.own)
    with pytest.raises(ValidationError) as error:
        services.commitment_create(
            actor=manager,
            budget_line=line,
            programme=programme,
            person=person,
            amount=Decimal("120000"),
            project_cost=Decimal("400000"),
        )
    assert f"100{NBSP}000,00{NBSP}DH" in error.value.message_dict["amount"][0]
    with pytest.raises(ValidationError) as error:
        services.commitment_create(
            actor=manager,
            budget_line=line,
            programme=programme,
            organisation=cooperative,
            amount=Decimal("250000"),
            project_cost=Decimal("400000"),
        )
    assert f"240{NBSP}000,00{NBSP}DH" in error.value.message_dict["amount"][0]  # 60 % of cost
    services.commitment_create(
        actor=manager,
        budget_line=line,
        programme=programme,
        organisation=cooperative,
        amount=Decimal("240000"),
        project_cost=Decimal("400000"),
    )


def test_money_is_committed_only_once_the_convention_is_signed(personas: Personas) -> None:
    convention = make_convention(personas.own, envelope="1000000", status="approved")
    line = make_line(convention, personas.own, "500000")
    programme = make_programme(personas.own, line)
    with pytest.raises(ValidationError):
        services.commitment_create(
            actor=personas.user("programme_manager"),
            budget_line=line,
            programme=programme,
            person=make_person(personas.own),
            amount=Decimal("1000"),
        )
    assert not Commitment.objects.exists()


def test_a_line_that_does_not_fund_the_programme_is_refused(personas: Personas) -> None:
    convention = make_convention(personas.own, envelope="1000000")
    line = make_line(convention, personas.own, "500000")
    programme = make_programme(personas.own)
    with pytest.raises(ValidationError) as error:
        services.commitment_create(
            actor=personas.user("programme_manager"),
            budget_line=line,
            programme=programme,
            person=make_person(personas.own),
            amount=Decimal("1000"),
        )
    assert "budget_line" in error.value.message_dict


def test_splitting_a_grant_does_not_avoid_the_second_approval(setting: dict[str, Any]) -> None:
    first = commit(setting, "30000")
    second = commit(setting, "30000")  # together 60 000, above the 50 000 threshold
    assert (first.status, second.status) == ("approved", "pending")


def test_a_manager_cannot_raise_the_threshold_that_guards_their_own_commitments(
    setting: dict[str, Any],
) -> None:
    from essor.programmes import services as programme_services

    programme = setting["programme"]
    with pytest.raises(ValidationError):
        programme_services.programme_update(
            actor=setting["manager"], programme=programme, approval_threshold=Decimal("1000000")
        )
    programme.refresh_from_db()
    assert programme.approval_threshold == Decimal("50000.00")
    programme_services.programme_update(
        actor=setting["admin"], programme=programme, approval_threshold=Decimal("80000")
    )
