"""The permission matrix of persons and organisations (page and API, own and other partner)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from essor.accounts.models import User
from essor.accounts.roles import Role
from essor.accounts.services import sharing_grant
from essor.core.testing import MatrixRow, Personas, matrix_clients, matrix_id, matrix_params
from essor.registry.models import Organisation, Person

from .factories import make_organisation, make_person

STAFF = frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER, Role.COUNSELLOR, Role.DATA_CLERK})
NONE: frozenset[str] = frozenset()

MATRIX: list[MatrixRow] = [
    ("person", "view", "own", STAFF),
    ("person", "view", "other", NONE),
    ("person", "view", "shared", STAFF),
    ("person", "change", "own", STAFF),
    ("person", "change", "other", NONE),
    ("person", "change", "shared", NONE),  # sharing gives reading, not changing
    ("person", "create", "own", STAFF),
    ("person", "export", "own", frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER, Role.DATA_CLERK})),
    ("person", "full_cin", "own", frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER, Role.DATA_CLERK})),
    ("person", "import", "own", frozenset({Role.ADMIN, Role.DATA_CLERK})),
    ("organisation", "view", "own", STAFF),
    ("organisation", "view", "other", NONE),
    ("organisation", "change", "own", STAFF),
    ("organisation", "change", "other", NONE),
]


def _agree(page_ok: bool, api_ok: bool) -> bool:
    assert page_ok == api_ok, (
        f"page {'allowed' if page_ok else 'denied'}, API {'allowed' if api_ok else 'denied'}"
    )
    return page_ok


def _person_of(personas: Personas, side: str) -> Person:
    if side == "shared":
        sharing_grant(actor=None, holder=personas.other, grantee=personas.own, purpose="convention")
    partner = personas.own if side == "own" else personas.other
    return make_person(
        partner, first_name="Zineb", last_name="Chraibi", cin="AB654321", phone="0612345678"
    )


def probe_person_view(personas: Personas, actor: User, side: str) -> bool:
    person = _person_of(personas, side)
    page, api = matrix_clients(actor)
    page_status = page.get(reverse("registry:person", args=[person.pk])).status_code
    api_status = api.get(f"/api/v1/persons/{person.pk}").status_code
    listed_page = (
        "Chraibi" in page.get(reverse("registry:persons"), {"q": "chraibi"}).content.decode()
    )
    listed_api = api.get("/api/v1/persons", {"q": "chraibi"}).json().get("count", 0) == 1
    assert page_status in (200, 404)
    assert api_status in (200, 404)
    assert (page_status == 200) == listed_page == listed_api == (api_status == 200)
    return page_status == 200


def probe_person_change(personas: Personas, actor: User, side: str) -> bool:
    person = _person_of(personas, side)
    page, api = matrix_clients(actor)
    page_status = page.post(
        reverse("registry:person_edit", args=[person.pk]),
        {
            "first_name": "Zineb",
            "last_name": "Chraibi",
            "cin": "AB654321",
            "phone": "0612345678",
            "address": "Rue 1",
        },
    ).status_code
    api_status = api.patch(
        f"/api/v1/persons/{person.pk}", {"email": "z@example.ma"}, format="json"
    ).status_code
    allowed = _agree(page_status == 302, api_status == 200)
    person.refresh_from_db()
    if allowed:
        assert (person.address, person.email) == ("Rue 1", "z@example.ma")
    else:
        assert page_status == api_status == 404
        assert (person.address, person.email) == ("", "")
    return allowed


def probe_person_create(personas: Personas, actor: User, side: str) -> bool:
    page, api = matrix_clients(actor)
    before = Person.objects.count()
    page_status = page.post(
        reverse("registry:person_create"), {"first_name": "Imane", "last_name": "Saidi"}
    ).status_code
    api_status = api.post(
        "/api/v1/persons", {"first_name": "Omar", "last_name": "Kettani"}, format="json"
    ).status_code
    allowed = _agree(page_status == 302, api_status == 201)
    assert Person.objects.count() == before + (2 if allowed else 0)
    return allowed


def probe_person_export(personas: Personas, actor: User, side: str) -> bool:
    _person_of(personas, side)
    page, _ = matrix_clients(actor)
    response = page.get(reverse("registry:persons_export", args=["csv"]))
    assert response.status_code in (200, 404)
    return response.status_code == 200


def probe_person_full_cin(personas: Personas, actor: User, side: str) -> bool:
    person = _person_of(personas, side)
    page, api = matrix_clients(actor)
    content = page.get(reverse("registry:person", args=[person.pk])).content.decode()
    data = api.get(f"/api/v1/persons/{person.pk}").json()
    if "cin" not in data:
        assert "AB654321" not in content
        return False
    return _agree("AB654321" in content, data["cin"] == "AB654321")


def probe_person_import(personas: Personas, actor: User, side: str) -> bool:
    page, api = matrix_clients(actor)
    return _agree(
        page.get(reverse("registry:imports")).status_code == 200,
        api.get("/api/v1/imports").status_code == 200,
    )


def _organisation_of(personas: Personas, side: str) -> Organisation:
    partner = personas.own if side == "own" else personas.other
    return make_organisation(partner, name_fr="Coopérative Tifawin", ice="001561191000066")


def probe_organisation_view(personas: Personas, actor: User, side: str) -> bool:
    organisation = _organisation_of(personas, side)
    page, api = matrix_clients(actor)
    return _agree(
        page.get(reverse("registry:organisation", args=[organisation.pk])).status_code == 200,
        api.get(f"/api/v1/organisations/{organisation.pk}").status_code == 200,
    )


def probe_organisation_change(personas: Personas, actor: User, side: str) -> bool:
    organisation = _organisation_of(personas, side)
    page, api = matrix_clients(actor)
    page_status = page.post(
        reverse("registry:organisation_edit", args=[organisation.pk]),
        {
            "kind": "cooperative",
            "name_fr": "Coopérative Tifawin",
            "ice": "001561191000066",
            "employees_women": 7,
        },
    ).status_code
    api_status = api.patch(
        f"/api/v1/organisations/{organisation.pk}", {"employees_men": 2}, format="json"
    ).status_code
    allowed = _agree(page_status == 302, api_status == 200)
    organisation.refresh_from_db()
    expected: tuple[Any, Any] = (7, 2) if allowed else (None, None)
    assert (organisation.employees_women, organisation.employees_men) == expected
    return allowed


PROBES: dict[tuple[str, str], Callable[[Personas, User, str], bool]] = {
    ("person", "view"): probe_person_view,
    ("person", "change"): probe_person_change,
    ("person", "create"): probe_person_create,
    ("person", "export"): probe_person_export,
    ("person", "full_cin"): probe_person_full_cin,
    ("person", "import"): probe_person_import,
    ("organisation", "view"): probe_organisation_view,
    ("organisation", "change"): probe_organisation_change,
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "obj", "action", "side", "allowed"), matrix_params(MATRIX), ids=matrix_id
)
def test_registry_permission_matrix(
    personas: Personas, role: str, obj: str, action: str, side: str, allowed: bool
) -> None:
    actor = personas.user(role, "own")
    assert PROBES[(obj, action)](personas, actor, side) is allowed


def test_matrix_covers_every_probe() -> None:
    assert {(obj, action) for obj, action, _, _ in MATRIX} == set(PROBES)
