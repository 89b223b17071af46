"""The API of conventions, programmes and money: the pages' guards and services, as JSON.

A denied write answers 404 and changes nothing; a service's refusal answers 400 with its
message; amounts travel as strings with two decimals.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from essor.accounts.models import User
from essor.conventions.models import BudgetLine, Convention, ConventionStatus, Party
from essor.conventions.tests.factories import make_convention, make_line, make_programme
from essor.core.money import format_mad
from essor.core.testing import Personas, matrix_clients
from essor.funding.models import ApprovalStatus, Commitment, Disbursement
from essor.programmes.models import EligibilityRule, Programme
from essor.registry.tests.factories import make_person
from essor.territory.models import Region

pytestmark = pytest.mark.django_db

API = "/api/v1"


def api_as(user: User) -> Any:
    return matrix_clients(user)[1]


def french(message: str, **values: Any) -> str:
    """A service's message as the API says it to a client that asks for no language (French)."""
    with translation.override("fr"):
        return gettext(message) % {
            k: format_mad(v) if isinstance(v, Decimal) else v for k, v in values.items()
        }


@pytest.fixture
def money(personas: Personas) -> dict[str, Any]:
    """A convention in execution kept by partner A: one line of 1 000 000 DH funding a programme
    whose second approval starts above 50 000 DH, and a project holder of partner A."""
    convention = make_convention(personas.own, envelope="2000000")
    line = make_line(convention, personas.own, "1000000")
    programme = make_programme(personas.own, line, threshold="50000")
    return {
        "convention": convention,
        "line": line,
        "programme": programme,
        "person": make_person(personas.own),
    }


def commit(api: Any, money: dict[str, Any], amount: str) -> Any:
    return api.post(
        f"{API}/commitments",
        {
            "budget_line": money["line"].pk,
            "programme": money["programme"].pk,
            "person": money["person"].pk,
            "kind": "grant",
            "amount": amount,
            "committed_on": "2025-03-01",
        },
        format="json",
    )


def test_a_programme_manager_creates_a_convention_its_party_and_a_line(
    personas: Personas,
) -> None:
    api = api_as(personas.user("programme_manager"))
    region = Region.objects.order_by("code").first()
    assert region is not None

    response = api.post(
        f"{API}/conventions",
        {
            "reference": "CONV-API-1",
            "title_fr": "Convention API",
            "kind": "partnership",
            "envelope": "1000000",
            "regions": [region.code],
            "start_on": "2025-01-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    convention = response.json()
    assert convention["owner"] == "ccis-test"
    assert convention["status"] == "draft"
    assert convention["envelope"] == "1000000.00"
    assert convention["regions"] == [region.code]
    assert convention["parent"] is None

    response = api.post(
        f"{API}/parties",
        {
            "convention": convention["id"],
            "partner": "ccis-test",
            "roles": ["funder", "implementer"],
            "pledged": "400000",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["pledged"] == "400000.00"
    assert response.json()["roles"] == ["funder", "implementer"]

    response = api.post(
        f"{API}/budget-lines",
        {
            "convention": convention["id"],
            "partner": "ccis-test",
            "category": "grants",
            "label": "Subventions",
            "amount": "600000",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    line = response.json()
    assert (line["partner"], line["category"], line["amount"]) == (
        "ccis-test",
        "grants",
        "600000.00",
    )

    for to in ("approved", "signed"):
        response = api.post(
            f"{API}/conventions/{convention['id']}/transition",
            {"to": to, "on": "2025-02-01"},
            format="json",
        )
        assert response.status_code == 200, response.json()
    assert response.json()["status"] == "signed"
    assert response.json()["signed_on"] == "2025-02-01"

    listed = api.get(f"{API}/budget-lines", {"convention": convention["id"]}).json()
    assert listed["count"] == 1
    assert listed["results"][0]["id"] == line["id"]


def test_a_line_over_the_envelope_is_400_with_its_message_and_saves_nothing(
    personas: Personas,
) -> None:
    convention = make_convention(personas.own, envelope="1000000", status="draft")
    make_line(convention, personas.own, "600000")
    api = api_as(personas.user("programme_manager"))

    response = api.post(
        f"{API}/budget-lines",
        {
            "convention": convention.pk,
            "partner": "ccis-test",
            "category": "training",
            "amount": "400000.01",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "amount": [
            french(
                "The budget lines would add up to %(total)s, more than the envelope of "
                "%(envelope)s. At most %(left)s is left to budget.",
                total=Decimal("1000000.01"),
                envelope=Decimal("1000000"),
                left=Decimal("400000"),
            )
        ]
    }
    assert list(BudgetLine.objects.values_list("amount", flat=True)) == [Decimal("600000.00")]


def test_a_convention_cannot_skip_a_step_of_its_lifecycle(personas: Personas) -> None:
    convention = make_convention(personas.own, status="draft")
    api = api_as(personas.user("admin"))

    response = api.post(
        f"{API}/conventions/{convention.pk}/transition", {"to": "signed"}, format="json"
    )

    assert response.status_code == 400
    with translation.override("fr"):
        expected = gettext("A convention that is “%(status)s” cannot become “%(to)s”.") % {
            "status": ConventionStatus.DRAFT.label,
            "to": ConventionStatus.SIGNED.label,
        }
    assert response.json() == {"non_field_errors": [expected]}
    convention.refresh_from_db()
    assert convention.status == "draft"
    assert convention.status_changes.count() == 0


def test_the_committee_reads_conventions_and_execution_and_every_write_is_404(
    personas: Personas, money: dict[str, Any]
) -> None:
    convention, line, programme = money["convention"], money["line"], money["programme"]
    assert commit(api_as(personas.user("programme_manager")), money, "40000").status_code == 201
    api = api_as(personas.user("committee_member"))

    for path in (
        "conventions",
        f"conventions/{convention.pk}",
        "budget-lines",
        f"budget-lines/{line.pk}",
        "programmes",
        f"programmes/{programme.pk}",
        f"parties?convention={convention.pk}",
    ):
        assert api.get(f"{API}/{path}").status_code == 200, path
    execution = api.get(f"{API}/conventions/{convention.pk}/execution").json()
    assert execution["envelope"] == "2000000.00"
    assert execution["unbudgeted"] == "1000000.00"
    assert execution["lines"] == [
        {
            "label": str(line),
            "budgeted": "1000000.00",
            "committed": "40000.00",
            "disbursed": "0.00",
            "remaining": "960000.00",
            "committed_pct": "4.0",
            "disbursed_pct": "0.0",
            "budget_line": line.pk,
        }
    ]
    assert execution["partners"][0]["partner"] == "ccis-test"
    assert execution["programmes"][0]["programme"] == programme.pk
    assert execution["programmes"][0]["committed"] == "40000.00"

    writes = [
        ("post", "conventions", {"reference": "X-1", "title_fr": "X", "envelope": "1"}),
        ("patch", f"conventions/{convention.pk}", {"title_fr": "Changed"}),
        ("post", f"conventions/{convention.pk}/transition", {"to": "closed"}),
        ("post", "parties", {"convention": convention.pk, "partner": "indh-test"}),
        ("post", "budget-lines", {"convention": convention.pk, "partner": "ccis-test"}),
        ("patch", f"budget-lines/{line.pk}", {"amount": "1"}),
        ("post", "programmes", {"code": "x", "name_fr": "X"}),
        ("patch", f"programmes/{programme.pk}", {"name_fr": "Changed"}),
        ("post", f"programmes/{programme.pk}/rules", {"kind": "age", "params": {"min": 18}}),
        ("post", "commitments", {"budget_line": line.pk}),
    ]
    for method, path, body in writes:
        response = getattr(api, method)(f"{API}/{path}", body, format="json")
        assert response.status_code == 404, (method, path, response.json())
    assert api.get(f"{API}/commitments").status_code == 404  # commitments name people

    convention.refresh_from_db()
    line.refresh_from_db()
    programme.refresh_from_db()
    assert (convention.title_fr, convention.status) != ("Changed", "closed")
    assert convention.status == "in_execution"
    assert line.amount == Decimal("1000000.00")
    assert programme.name_fr != "Changed"
    assert Convention.objects.count() == 1
    assert Party.objects.count() == 1
    assert BudgetLine.objects.count() == 1
    assert Programme.objects.count() == 1
    assert EligibilityRule.objects.count() == 0
    assert Commitment.objects.count() == 1


def test_another_partners_manager_gets_404_and_adds_lines_only_for_their_own_partner(
    personas: Personas, money: dict[str, Any]
) -> None:
    convention, line = money["convention"], money["line"]
    Party.objects.create(convention=convention, partner=personas.other, roles=["funder"])
    api = api_as(personas.user("programme_manager", "other"))

    assert (
        api.patch(
            f"{API}/conventions/{convention.pk}", {"title_fr": "Changed"}, format="json"
        ).status_code
        == 404
    )
    assert (
        api.patch(f"{API}/budget-lines/{line.pk}", {"amount": "1"}, format="json").status_code
        == 404
    )
    assert commit(api, money, "1000").status_code == 404  # not their line
    body = {"convention": convention.pk, "category": "training", "amount": "100000"}
    assert (
        api.post(f"{API}/budget-lines", body | {"partner": "ccis-test"}, format="json").status_code
        == 404
    )
    response = api.post(f"{API}/budget-lines", body | {"partner": "indh-test"}, format="json")
    assert response.status_code == 201, response.json()

    convention.refresh_from_db()
    line.refresh_from_db()
    assert convention.title_fr != "Changed"
    assert line.amount == Decimal("1000000.00")
    assert sorted(BudgetLine.objects.values_list("partner__code", "amount")) == [
        ("ccis-test", Decimal("1000000.00")),
        ("indh-test", Decimal("100000.00")),
    ]
    assert Commitment.objects.count() == 0


def test_a_commitment_above_the_threshold_waits_for_another_manager_of_the_partner(
    personas: Personas, money: dict[str, Any]
) -> None:
    author = api_as(personas.user("programme_manager"))

    response = commit(author, money, "80000")
    assert response.status_code == 201, response.json()
    commitment = response.json()
    assert (commitment["status"], commitment["amount"]) == ("pending", "80000.00")
    assert commitment["author"] == "programme_manager.own"
    assert commitment["holder"] == "ccis-test"
    url = f"{API}/commitments/{commitment['id']}/approve"

    response = author.post(url, {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            french("You entered this yourself: a second person must approve it (four eyes).")
        ]
    }
    other = api_as(personas.user("programme_manager", "other"))
    assert other.post(url, {}, format="json").status_code == 404
    assert Commitment.objects.get().status == ApprovalStatus.PENDING

    response = api_as(personas.user("admin")).post(url, {"note": "OK"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["approver"]) == ("approved", "admin.own")
    assert Commitment.objects.get().approver == personas.user("admin")


def test_a_disbursement_over_what_is_left_is_400_and_saves_nothing(
    personas: Personas, money: dict[str, Any]
) -> None:
    api = api_as(personas.user("programme_manager"))
    commitment = commit(api, money, "40000").json()
    assert commitment["status"] == "approved"  # under the threshold: no second approval
    url = f"{API}/commitments/{commitment['id']}/disburse"

    response = api.post(url, {"amount": "30000", "paid_on": "2025-04-01"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["tranche"] == 1
    assert (response.json()["amount"], response.json()["status"]) == ("30000.00", "approved")

    response = api.post(url, {"amount": "10000.01", "paid_on": "2025-05-01"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "amount": [
            french(
                "Only %(left)s is left to pay on this commitment of %(total)s.",
                left=Decimal("10000"),
                total=Decimal("40000"),
            )
        ]
    }
    assert list(Disbursement.objects.values_list("amount", flat=True)) == [Decimal("30000.00")]
    shown = api.get(f"{API}/commitments/{commitment['id']}").json()
    assert (shown["disbursed"], shown["left_to_pay"]) == ("30000.00", "10000.00")


def test_no_commitment_to_someone_the_user_cannot_see(
    personas: Personas, money: dict[str, Any]
) -> None:
    stranger = make_person(personas.other, first_name="Karim")
    api = api_as(personas.user("programme_manager"))

    response = commit(api, money | {"person": stranger}, "1000")

    assert response.status_code == 404
    assert Commitment.objects.count() == 0


def test_the_openapi_schema_describes_the_new_endpoints(personas: Personas) -> None:
    response = api_as(personas.user("admin")).get(f"{API}/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    for path in (
        "/api/v1/conventions/{id}/execution",
        "/api/v1/conventions/{id}/transition",
        "/api/v1/programmes/{id}/rules",
        "/api/v1/commitments/{id}/disburse",
        "/api/v1/disbursements/{id}/approve",
    ):
        assert path in schema["paths"], path
    amount = schema["components"]["schemas"]["BudgetLine"]["properties"]["amount"]
    assert (amount["type"], amount["format"]) == ("string", "decimal")


def test_the_committee_its_meetings_and_actions_through_the_api(
    personas: Personas, api_for: Any
) -> None:
    convention = make_convention(personas.own)
    api = api_for(personas.user("programme_manager"))
    assert api.get(f"/api/v1/conventions/{convention.pk}/committee").status_code == 404
    response = api.post(
        "/api/v1/action-items", {"convention": convention.pk, "text": "Rapport"}, format="json"
    )
    assert response.status_code == 400  # no committee yet: nothing is created
    assert "convention" in response.json()
    committee = api.post(
        f"/api/v1/conventions/{convention.pk}/committee",
        {"name": "Comité de suivi", "chair": "Le Wali"},
        format="json",
    )
    assert committee.status_code == 200
    member = api.post(
        "/api/v1/committee-members",
        {"convention": convention.pk, "name": "Le Wali", "is_chair": True},
        format="json",
    ).json()
    meeting = api.post(
        "/api/v1/meetings",
        {
            "convention": convention.pk,
            "held_on": "2025-03-12",
            "attendees": [member["id"]],
            "decisions": ["Lancer l'appel à candidatures", "Visiter Chefchaouen"],
        },
        format="json",
    )
    assert meeting.status_code == 201
    assert meeting.json()["decision_texts"] == [
        "Lancer l'appel à candidatures",
        "Visiter Chefchaouen",
    ]
    action = api.post(
        "/api/v1/action-items",
        {
            "convention": convention.pk,
            "meeting": meeting.json()["id"],
            "text": "Préparer le rapport d'évaluation",
            "owner": personas.own.code,
            "due_on": "2025-04-30",
        },
        format="json",
    )
    assert action.status_code == 201
    read = api_for(personas.user("committee_member")).get(
        "/api/v1/action-items", {"convention": convention.pk}
    )
    assert [row["text"] for row in read.json()["results"]] == ["Préparer le rapport d'évaluation"]
    denied = api_for(personas.user("committee_member")).post(
        "/api/v1/meetings", {"convention": convention.pk, "held_on": "2025-05-01"}, format="json"
    )
    assert denied.status_code == 404
    assert convention.committee.meetings.count() == 1
