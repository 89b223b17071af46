"""The permission matrix of conventions, budget lines, programmes and commitments.

Page and API agree for every role, own partner and other partner; a denied change changes
nothing. The rule of issue 4: a partner's manager changes only their own lines (even on a
convention their partner keeps, another partner's line is not theirs), and the committee
member reads everything and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from essor.accounts.models import User
from essor.accounts.roles import Role
from essor.accounts.tests.factories import UserFactory
from essor.conventions.models import BudgetLine, Convention
from essor.core.testing import MatrixRow, Personas, matrix_clients, matrix_id, matrix_params
from essor.funding import services as funding
from essor.funding.models import Commitment
from essor.programmes.models import Programme
from essor.registry.tests.factories import make_person

from .factories import make_convention, make_line, make_programme

ALL = frozenset(Role.values)
MANAGERS = frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER})
STAFF = frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER, Role.COUNSELLOR, Role.DATA_CLERK})
NONE: frozenset[str] = frozenset()

MATRIX: list[MatrixRow] = [
    ("convention", "view", "own", ALL),
    ("convention", "view", "other", ALL),
    ("convention", "change", "own", MANAGERS),
    ("convention", "change", "other", NONE),
    ("convention", "create", "own", MANAGERS),
    ("execution", "export", "other", ALL),
    # side = the partner executing the line; the convention is kept by the *other* side
    ("line", "change", "own", MANAGERS),
    ("line", "change", "other", NONE),
    ("line", "commit", "own", MANAGERS),
    ("line", "commit", "other", NONE),
    ("programme", "view", "other", ALL),
    ("programme", "change", "own", MANAGERS),
    ("programme", "change", "other", NONE),
    ("commitment", "view", "own", STAFF),
    ("commitment", "view", "other", NONE),
    ("commitment", "approve", "own", MANAGERS),
    ("commitment", "approve", "other", NONE),
]


def _agree(page_ok: bool, api_ok: bool) -> bool:
    assert page_ok == api_ok, f"page {page_ok}, API {api_ok}"
    return page_ok


def _partners(personas: Personas, side: str) -> tuple[Any, Any]:
    """(the side's partner, the opposite partner)."""
    return (personas.own, personas.other) if side == "own" else (personas.other, personas.own)


def probe_convention_view(personas: Personas, actor: User, side: str) -> bool:
    convention = make_convention(_partners(personas, side)[0], title_fr="Convention Tanger")
    page, api = matrix_clients(actor)
    listed = "Convention Tanger" in page.get(reverse("conventions:conventions")).content.decode()
    return _agree(
        page.get(reverse("conventions:convention", args=[convention.pk])).status_code == 200
        and listed,
        api.get(f"/api/v1/conventions/{convention.pk}").status_code == 200,
    )


def probe_convention_change(personas: Personas, actor: User, side: str) -> bool:
    convention = make_convention(_partners(personas, side)[0], objectives_fr="")
    page, api = matrix_clients(actor)
    page_status = page.post(
        reverse("conventions:target_add", args=[convention.pk]),
        {"indicator": "projects_supported", "value": "1500"},
    ).status_code
    api_status = api.patch(
        f"/api/v1/conventions/{convention.pk}", {"objectives_fr": "Appui"}, format="json"
    ).status_code
    allowed = _agree(page_status == 302, api_status == 200)
    convention.refresh_from_db()
    if allowed:
        assert (convention.targets.count(), convention.objectives_fr) == (1, "Appui")
    else:
        assert page_status == api_status == 404
        assert (convention.targets.count(), convention.objectives_fr) == (0, "")
    return allowed


def probe_convention_create(personas: Personas, actor: User, side: str) -> bool:
    page, api = matrix_clients(actor)
    before = Convention.objects.count()
    page_status = page.post(
        reverse("conventions:convention_create"),
        {
            "reference": "NEW-PAGE",
            "kind": "partnership",
            "title_fr": "Nouvelle",
            "envelope": "1 000",
        },
    ).status_code
    api_status = api.post(
        "/api/v1/conventions",
        {"reference": "NEW-API", "kind": "partnership", "title_fr": "Nouvelle", "envelope": "1000"},
        format="json",
    ).status_code
    allowed = _agree(page_status == 302, api_status == 201)
    assert Convention.objects.count() == before + (2 if allowed else 0)
    return allowed


def probe_execution_export(personas: Personas, actor: User, side: str) -> bool:
    convention = make_convention(_partners(personas, side)[0])
    page, api = matrix_clients(actor)
    return _agree(
        page.get(reverse("conventions:execution_export", args=[convention.pk])).status_code == 200,
        api.get(f"/api/v1/conventions/{convention.pk}/execution").status_code == 200,
    )


def _line_of(personas: Personas, side: str) -> tuple[BudgetLine, Programme]:
    executing, keeper = _partners(personas, side)
    convention = make_convention(keeper, envelope="5000000")
    line = make_line(convention, executing, "1000000")
    programme = make_programme(executing, line, threshold="1000000")
    return line, programme


def probe_line_change(personas: Personas, actor: User, side: str) -> bool:
    line, _programme = _line_of(personas, side)
    page, api = matrix_clients(actor)
    page_status = page.post(
        reverse("conventions:line_edit", args=[line.pk]), {"label": "Page", "amount": "900 000"}
    ).status_code
    api_status = api.patch(
        f"/api/v1/budget-lines/{line.pk}", {"label": "API"}, format="json"
    ).status_code
    allowed = _agree(page_status == 302, api_status == 200)
    line.refresh_from_db()
    if allowed:
        assert (line.label, line.amount) == ("API", Decimal("900000.00"))
    else:
        assert page_status == api_status == 404
        assert (line.label, line.amount) == ("", Decimal("1000000.00"))
    return allowed


def probe_line_commit(personas: Personas, actor: User, side: str) -> bool:
    line, programme = _line_of(personas, side)
    holder = line.partner
    person = make_person(holder, cin="AB100200")
    other = make_person(holder, cin="AB100201")
    # The actor must see the person to commit to them; give every actor a fair chance.
    page, api = matrix_clients(actor)
    page_status = page.post(
        reverse("funding:commitment_create", args=[line.pk]),
        {"programme": programme.pk, "beneficiary": "AB100200", "kind": "grant", "amount": "20 000"},
    ).status_code
    api_status = api.post(
        "/api/v1/commitments",
        {
            "budget_line": line.pk,
            "programme": programme.pk,
            "person": other.pk,
            "kind": "grant",
            "amount": "20000",
        },
        format="json",
    ).status_code
    allowed = _agree(page_status == 302, api_status == 201)
    assert Commitment.objects.filter(person__in=[person, other]).count() == (2 if allowed else 0)
    return allowed


def probe_programme_view(personas: Personas, actor: User, side: str) -> bool:
    programme = make_programme(_partners(personas, side)[0])
    page, api = matrix_clients(actor)
    return _agree(
        page.get(reverse("programmes:programme", args=[programme.pk])).status_code == 200,
        api.get(f"/api/v1/programmes/{programme.pk}").status_code == 200,
    )


def probe_programme_change(personas: Personas, actor: User, side: str) -> bool:
    programme = make_programme(_partners(personas, side)[0], capacity=10)
    page, api = matrix_clients(actor)
    page_status = page.post(
        reverse("programmes:rule_set", args=[programme.pk]),
        {"kind": "age", "minimum": "18", "maximum": "35"},
    ).status_code
    api_status = api.patch(
        f"/api/v1/programmes/{programme.pk}", {"capacity": 20}, format="json"
    ).status_code
    allowed = _agree(page_status == 302, api_status == 200)
    programme.refresh_from_db()
    if allowed:
        assert (programme.eligibility_rules.count(), programme.capacity) == (1, 20)
    else:
        assert (programme.eligibility_rules.count(), programme.capacity) == (0, 10)
    return allowed


def _commitment_of(personas: Personas, side: str) -> Commitment:
    line, programme = _line_of(personas, side)
    programme.approval_threshold = Decimal("1000")
    programme.save()
    author = UserFactory.create(
        username=f"author.{side}", partner=line.partner, roles=[Role.PROGRAMME_MANAGER]
    )
    return funding.commitment_create(
        actor=author,
        budget_line=line,
        programme=programme,
        person=make_person(line.partner, first_name="Salma", last_name="Bennis"),
        amount=Decimal("60000"),
    )


def probe_commitment_view(personas: Personas, actor: User, side: str) -> bool:
    commitment = _commitment_of(personas, side)
    page, api = matrix_clients(actor)
    return _agree(
        page.get(reverse("funding:commitment", args=[commitment.pk])).status_code == 200,
        api.get(f"/api/v1/commitments/{commitment.pk}").status_code == 200,
    )


def probe_commitment_approve(personas: Personas, actor: User, side: str) -> bool:
    page_commitment = _commitment_of(personas, side)
    api_commitment = funding.commitment_create(
        actor=page_commitment.author,
        budget_line=page_commitment.budget_line,
        programme=page_commitment.programme,
        person=page_commitment.person,
        amount=Decimal("70000"),
    )
    page, api = matrix_clients(actor)
    page_status = page.post(
        reverse("funding:commitment_decide", args=[page_commitment.pk]), {"decision": "approve"}
    ).status_code
    api_status = api.post(
        f"/api/v1/commitments/{api_commitment.pk}/approve", {}, format="json"
    ).status_code
    allowed = _agree(page_status == 302, api_status == 200)
    statuses = set(
        Commitment.objects.filter(pk__in=[page_commitment.pk, api_commitment.pk]).values_list(
            "status", flat=True
        )
    )
    assert statuses == ({"approved"} if allowed else {"pending"})
    return allowed


PROBES: dict[tuple[str, str], Callable[[Personas, User, str], bool]] = {
    ("convention", "view"): probe_convention_view,
    ("convention", "change"): probe_convention_change,
    ("convention", "create"): probe_convention_create,
    ("execution", "export"): probe_execution_export,
    ("line", "change"): probe_line_change,
    ("line", "commit"): probe_line_commit,
    ("programme", "view"): probe_programme_view,
    ("programme", "change"): probe_programme_change,
    ("commitment", "view"): probe_commitment_view,
    ("commitment", "approve"): probe_commitment_approve,
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "obj", "action", "side", "allowed"), matrix_params(MATRIX), ids=matrix_id
)
def test_permission_matrix(
    personas: Personas, role: str, obj: str, action: str, side: str, allowed: bool
) -> None:
    actor = personas.user(role)
    assert PROBES[(obj, action)](personas, actor, side) is allowed


def test_the_matrix_covers_every_probe() -> None:
    assert {(obj, action) for obj, action, _side, _roles in MATRIX} == set(PROBES)
