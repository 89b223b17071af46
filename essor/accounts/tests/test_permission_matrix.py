"""The permission matrix of partners, users, history and the personal-record scope.

Every role of partner A ("own") against the objects of partner A and of partner B ("other"),
by page and by API. Later apps add their own matrix modules with the same harness.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from essor.accounts.models import Partner, User
from essor.accounts.roles import Role
from essor.accounts.scoping import visible_partner_ids
from essor.accounts.services import sharing_grant
from essor.core.testing import MatrixRow, Personas, matrix_clients, matrix_id, matrix_params

ALL = frozenset(Role.values)
NONE: frozenset[str] = frozenset()
ADMIN = frozenset({Role.ADMIN})
STAFF_WITH_PERSONAL = frozenset(
    {Role.ADMIN, Role.PROGRAMME_MANAGER, Role.COUNSELLOR, Role.DATA_CLERK}
)

MATRIX: list[MatrixRow] = [
    ("partner", "view", "own", ALL),
    ("partner", "view", "other", ALL),
    ("partner", "change", "own", ADMIN),
    ("partner", "change", "other", NONE),
    ("user", "view", "own", frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER})),
    ("user", "view", "other", NONE),
    ("user", "change", "own", ADMIN),
    ("user", "change", "other", NONE),
    ("user", "create", "own", ADMIN),
    ("user", "list", "own", frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER})),
    ("user", "list", "other", NONE),
    ("history", "view", "own", frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER})),
    ("personal", "view", "own", STAFF_WITH_PERSONAL),
    ("personal", "view", "other", NONE),
    ("personal", "view", "shared", STAFF_WITH_PERSONAL),
]


def _agree(page_status: int, api_status: int, ok_page: set[int], ok_api: set[int]) -> bool:
    page_ok, api_ok = page_status in ok_page, api_status in ok_api
    assert page_ok == api_ok, f"page answered {page_status} but API answered {api_status}"
    if not page_ok:
        assert page_status == 404, page_status
        assert api_status == 404, api_status
    return page_ok


def _partner_of(personas: Personas, side: str) -> Partner:
    return personas.own if side == "own" else personas.other


def _target_user(personas: Personas, actor: User, side: str) -> User:
    """A colleague of the actor (own side) or a user of the other partner."""
    role = Role.DATA_CLERK if actor.roles != {Role.DATA_CLERK} else Role.COUNSELLOR
    return personas.user(role, side)


def probe_partner_view(personas: Personas, actor: User, side: str) -> bool:
    partner = _partner_of(personas, side)
    page, api = matrix_clients(actor)
    return _agree(
        page.get(reverse("accounts:partner", args=[partner.pk])).status_code,
        api.get(f"/api/v1/partners/{partner.pk}").status_code,
        {200},
        {200},
    )


def probe_partner_change(personas: Personas, actor: User, side: str) -> bool:
    partner = _partner_of(personas, side)
    before = partner.name_fr
    page, api = matrix_clients(actor)
    page_status = page.post(
        reverse("accounts:partner_edit", args=[partner.pk]),
        {"name_fr": "Nom changé", "kind": partner.kind, "acronym": partner.acronym},
    ).status_code
    api_status = api.patch(
        f"/api/v1/partners/{partner.pk}", {"name_ar": "اسم جديد"}, format="json"
    ).status_code
    allowed = _agree(page_status, api_status, {302}, {200})
    partner.refresh_from_db()
    if allowed:
        assert (partner.name_fr, partner.name_ar) == ("Nom changé", "اسم جديد")
    else:
        assert partner.name_fr == before
        assert partner.name_ar != "اسم جديد"
    return allowed


def probe_user_view(personas: Personas, actor: User, side: str) -> bool:
    target = _target_user(personas, actor, side)
    page, api = matrix_clients(actor)
    return _agree(
        page.get(reverse("accounts:user", args=[target.pk])).status_code,
        api.get(f"/api/v1/users/{target.pk}").status_code,
        {200},
        {200},
    )


def probe_user_change(personas: Personas, actor: User, side: str) -> bool:
    target = _target_user(personas, actor, side)
    before = (target.first_name, set(target.roles))
    page, api = matrix_clients(actor)
    page_status = page.post(
        reverse("accounts:user_edit", args=[target.pk]),
        {
            "first_name": "Changé",
            "last_name": target.last_name,
            "preferred_language": "fr",
            "roles": [Role.COUNSELLOR, Role.DATA_CLERK],
        },
    ).status_code
    api_status = api.patch(
        f"/api/v1/users/{target.pk}", {"last_name": "Modifié"}, format="json"
    ).status_code
    allowed = _agree(page_status, api_status, {302}, {200})
    target = User.objects.get(pk=target.pk)
    if allowed:
        assert (target.first_name, target.last_name) == ("Changé", "Modifié")
        assert target.roles == {Role.COUNSELLOR, Role.DATA_CLERK}
    else:
        assert (target.first_name, set(target.roles)) == before
        assert target.last_name != "Modifié"
    return allowed


def probe_user_create(personas: Personas, actor: User, side: str) -> bool:
    page, api = matrix_clients(actor)
    count = User.objects.count()
    page_status = page.post(
        reverse("accounts:user_create"),
        {
            "username": "new.page",
            "password": "a-long-password-1",
            "first_name": "Nouvelle",
            "last_name": "Recrue",
            "preferred_language": "ar",
            "roles": [Role.COUNSELLOR],
        },
    ).status_code
    api_status = api.post(
        "/api/v1/users",
        {"username": "new.api", "password": "a-long-password-2", "roles": [Role.DATA_CLERK]},
        format="json",
    ).status_code
    allowed = _agree(page_status, api_status, {302}, {201})
    if allowed:
        created = User.objects.filter(username__in=["new.page", "new.api"])
        assert {u.partner_id for u in created} == {actor.partner_id}
        assert User.objects.count() == count + 2
    else:
        assert User.objects.count() == count
    return allowed


def probe_user_list(personas: Personas, actor: User, side: str) -> bool:
    """Seeing the list of users of a partner, by page and API."""
    partner = _partner_of(personas, side)
    page, api = matrix_clients(actor)
    listed_ids = {row["id"] for row in api.get("/api/v1/users?limit=500").json()["results"]}
    partner_user_ids = set(partner.users.exclude(pk=actor.pk).values_list("pk", flat=True))
    api_sees = bool(listed_ids & partner_user_ids)
    if side == "own":
        page_sees = page.get(reverse("accounts:users")).status_code == 200
    else:
        content = page.get(reverse("accounts:partner", args=[partner.pk])).content.decode()
        page_sees = any(f"/accounts/users/{pk}/" in content for pk in partner_user_ids)
    assert page_sees == api_sees, (page_sees, api_sees)
    return api_sees


def probe_history_view(personas: Personas, actor: User, side: str) -> bool:
    partner = _partner_of(personas, side)
    page, _ = matrix_clients(actor)
    status = page.get(reverse("core:history", args=["accounts.partner", partner.pk])).status_code
    assert status in {200, 404}
    return status == 200


def probe_personal_view(personas: Personas, actor: User, side: str) -> bool:
    """The scope of personal records (persons arrive with the registry and use this scope)."""
    if side == "shared":
        sharing_grant(actor=None, holder=personas.other, grantee=personas.own, purpose="test")
        partner = personas.other
    else:
        partner = _partner_of(personas, side)
    fresh = User.objects.get(pk=actor.pk)
    visible = visible_partner_ids(fresh)
    return visible is None or partner.pk in visible


PROBES: dict[tuple[str, str], Callable[[Personas, User, str], bool]] = {
    ("partner", "view"): probe_partner_view,
    ("partner", "change"): probe_partner_change,
    ("user", "view"): probe_user_view,
    ("user", "change"): probe_user_change,
    ("user", "create"): probe_user_create,
    ("user", "list"): probe_user_list,
    ("history", "view"): probe_history_view,
    ("personal", "view"): probe_personal_view,
}


@pytest.mark.parametrize(
    ("role", "obj", "action", "side", "allowed"), matrix_params(MATRIX), ids=matrix_id
)
def test_permission_matrix(
    personas: Personas, role: str, obj: str, action: str, side: str, allowed: bool
) -> None:
    actor = personas.user(role, "own")
    assert PROBES[(obj, action)](personas, actor, side) is allowed


def test_operator_manages_every_partner_and_user(personas: Personas) -> None:
    assert personas.operator is not None
    for side in ("own", "other"):
        assert probe_partner_change(personas, personas.operator, side) is True
        assert probe_user_view(personas, personas.operator, side) is True


def test_matrix_covers_every_probe() -> None:
    assert {(obj, action) for obj, action, _, _ in MATRIX} == set(PROBES)
