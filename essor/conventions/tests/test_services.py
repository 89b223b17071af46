"""Conventions: the envelope holds the lines, amendments move it, the lifecycle is recorded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from essor.conventions import services
from essor.conventions.models import Convention, ConventionKind, ConventionStatus
from essor.core.testing import Personas
from essor.funding import services as funding
from essor.registry.tests.factories import make_person

from .factories import make_convention, make_line, make_programme

NBSP = "\u00a0"
pytestmark = pytest.mark.django_db


def test_budget_lines_never_add_up_to_more_than_the_envelope(personas: Personas) -> None:
    convention = make_convention(personas.own, envelope="1000000")
    make_line(convention, personas.own, "600000")
    with pytest.raises(ValidationError) as error:
        make_line(convention, personas.other, "500000")
    assert list(error.value.message_dict) == ["amount"]
    message = error.value.message_dict["amount"][0]
    assert f"1{NBSP}100{NBSP}000,00{NBSP}DH" in message  # what the lines would reach
    assert f"400{NBSP}000,00{NBSP}DH" in message  # what is left to budget
    assert convention.budget_lines.count() == 1


def test_a_signed_amendment_raises_the_envelope_for_new_lines(personas: Personas) -> None:
    convention = make_convention(personas.own, envelope="1000000")
    make_line(convention, personas.own, "1000000")
    amendment = services.convention_create(
        actor=None,
        owner=personas.own,
        parent=convention,
        reference="TEST-AV1",
        title_fr="Avenant n° 1",
        kind=ConventionKind.AMENDMENT,
        envelope=Decimal("500000"),
    )
    with pytest.raises(ValidationError):  # a draft amendment does not count yet
        make_line(convention, personas.own, "500000", category="training")
    for step in ("approved", "signed"):
        services.convention_transition(actor=None, convention=amendment, to=step)
    assert services.effective_envelope(convention) == Decimal("1500000.00")
    make_line(convention, personas.own, "500000", category="training")
    assert services.lines_total(convention) == Decimal("1500000.00")


def test_an_amendment_cannot_lower_the_envelope_below_what_is_committed(
    personas: Personas,
) -> None:
    convention = make_convention(personas.own, envelope="1000000")
    line = make_line(convention, personas.own, "300000")
    programme = make_programme(personas.own, line)
    manager = personas.user("programme_manager")
    funding.commitment_create(
        actor=manager,
        budget_line=line,
        programme=programme,
        person=make_person(personas.own),
        amount=Decimal("250000"),
    )
    with pytest.raises(ValidationError) as error:
        services.convention_create(
            actor=None,
            owner=personas.own,
            parent=convention,
            reference="TEST-AV-DOWN",
            title_fr="Avenant de réduction",
            kind=ConventionKind.AMENDMENT,
            envelope=Decimal("-800000"),
        )
    assert f"250{NBSP}000,00{NBSP}DH" in error.value.message_dict["envelope"][0]
    assert not Convention.objects.filter(reference="TEST-AV-DOWN").exists()


def test_the_envelope_cannot_drop_below_its_lines(personas: Personas) -> None:
    convention = make_convention(personas.own, envelope="1000000")
    make_line(convention, personas.own, "800000")
    with pytest.raises(ValidationError) as error:
        services.convention_update(
            actor=personas.user("admin"), convention=convention, envelope=Decimal("700000")
        )
    assert "envelope" in error.value.message_dict
    convention.refresh_from_db()
    assert convention.envelope == Decimal("1000000.00")


def test_bad_dates_and_amounts_are_refused_with_the_field_named(personas: Personas) -> None:
    with pytest.raises(ValidationError) as error:
        services.convention_create(
            actor=None,
            owner=personas.own,
            reference="BAD-1",
            title_fr="Dates à l'envers",
            start_on=date(2025, 1, 1),
            end_on=date(2023, 12, 31),
            envelope=Decimal("-5"),
        )
    assert set(error.value.message_dict) == {"end_on", "envelope"}
    assert "31/12/2023" in error.value.message_dict["end_on"][0]
    assert not Convention.objects.filter(reference="BAD-1").exists()


def test_a_partner_cannot_pledge_twice_to_one_convention(personas: Personas) -> None:
    convention = make_convention(personas.own)
    services.party_add(
        actor=None, convention=convention, partner=personas.other, pledged=Decimal("1000")
    )
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        services.party_add(
            actor=None, convention=convention, partner=personas.other, pledged=Decimal("2000")
        )
    assert "INDH test" in error.value.message_dict["partner"][0]
    assert convention.parties.get().pledged == Decimal("1000.00")


def test_the_lifecycle_refuses_skipped_steps_and_records_each_one(personas: Personas) -> None:
    admin = personas.user("admin")
    convention = make_convention(personas.own, status=ConventionStatus.DRAFT)
    with pytest.raises(ValidationError):
        services.convention_transition(actor=admin, convention=convention, to="in_execution")
    services.convention_transition(
        actor=admin, convention=convention, to="approved", on=date(2023, 7, 4), note="Session"
    )
    services.convention_transition(
        actor=admin, convention=convention, to="signed", on=date(2023, 9, 15)
    )
    convention.refresh_from_db()
    assert (convention.status, convention.approved_on, convention.signed_on) == (
        "signed",
        date(2023, 7, 4),
        date(2023, 9, 15),
    )
    steps = list(convention.status_changes.values_list("from_status", "to_status", "actor"))
    assert steps == [("draft", "approved", admin.pk), ("approved", "signed", admin.pk)]
    verbs = list(convention.history.values_list("history_change_reason", flat=True))
    assert "conventions.convention.signed" in verbs


def test_closing_with_undisbursed_commitments_asks_what_to_do(personas: Personas) -> None:
    convention = make_convention(personas.own, envelope="1000000")
    line = make_line(convention, personas.own, "500000")
    programme = make_programme(personas.own, line)
    manager = personas.user("programme_manager")
    commitment = funding.commitment_create(
        actor=manager,
        budget_line=line,
        programme=programme,
        person=make_person(personas.own),
        amount=Decimal("40000"),
    )
    funding.disbursement_create(actor=manager, commitment=commitment, amount=Decimal("10000"))

    with pytest.raises(ValidationError) as error:
        services.convention_transition(actor=manager, convention=convention, to="closed")
    assert f"30{NBSP}000,00{NBSP}DH" in error.value.message_dict["open_commitments_choice"][0]
    convention.refresh_from_db()
    commitment.refresh_from_db()
    assert (convention.status, commitment.released) == ("in_execution", Decimal("0.00"))

    services.convention_transition(
        actor=manager,
        convention=convention,
        to="closed",
        open_commitments_choice=services.CloseChoice.RELEASE,
        note="Clôture 2025",
    )
    commitment.refresh_from_db()
    assert (commitment.status, commitment.released) == ("approved", Decimal("30000.00"))
    assert services.committed_total(convention) == Decimal("10000.00")


def test_closing_may_keep_commitments_payable(personas: Personas) -> None:
    convention = make_convention(personas.own, envelope="1000000")
    line = make_line(convention, personas.own, "500000")
    programme = make_programme(personas.own, line)
    manager = personas.user("programme_manager")
    commitment = funding.commitment_create(
        actor=manager,
        budget_line=line,
        programme=programme,
        person=make_person(personas.own),
        amount=Decimal("40000"),
    )
    services.convention_transition(
        actor=manager, convention=convention, to="closed", open_commitments_choice="keep"
    )
    commitment.refresh_from_db()
    assert (commitment.status, commitment.released) == ("approved", Decimal("0.00"))
    funding.disbursement_create(actor=manager, commitment=commitment, amount=Decimal("40000"))


def test_only_the_keeping_partner_amends_a_convention(personas: Personas) -> None:
    convention = make_convention(personas.own, envelope="1000000")
    with pytest.raises(ValidationError):
        services.convention_create(
            actor=personas.user("programme_manager", "other"),
            owner=personas.other,
            parent=convention,
            reference="AV-OTHER",
            title_fr="Avenant d'un autre partenaire",
            kind=ConventionKind.AMENDMENT,
            envelope=Decimal("5000000"),
        )
    assert services.effective_envelope(convention) == Decimal("1000000.00")


def test_a_convention_is_not_executed_without_being_signed(personas: Personas) -> None:
    convention = make_convention(personas.own, status=ConventionStatus.APPROVED)
    services.convention_transition(actor=None, convention=convention, to="suspended")
    with pytest.raises(ValidationError):
        services.convention_transition(actor=None, convention=convention, to="in_execution")
    convention.refresh_from_db()
    assert convention.status == "suspended"


def test_suspending_a_signed_amendment_cannot_leave_lines_uncovered(personas: Personas) -> None:
    convention = make_convention(personas.own, envelope="1000000")
    amendment = services.convention_create(
        actor=None,
        owner=personas.own,
        parent=convention,
        reference="AV-UP",
        title_fr="Avenant",
        kind=ConventionKind.AMENDMENT,
        envelope=Decimal("1000000"),
    )
    for step in ("approved", "signed"):
        services.convention_transition(actor=None, convention=amendment, to=step)
    make_line(convention, personas.own, "2000000")
    with pytest.raises(ValidationError):
        services.convention_transition(actor=None, convention=amendment, to="suspended")
    assert services.effective_envelope(convention) == Decimal("2000000.00")
