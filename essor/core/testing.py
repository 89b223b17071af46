"""Shared test personas: a partner's staff in every role, and an outsider's.

``personas`` gives, for partner A (the user's own) and partner B (another one), one user per
role, so that every app's permission matrix test can ask "role R of partner A on an object of
partner B". Personas sign in with :data:`PASSWORD`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from essor.accounts.models import Partner, PartnerKind, User
from essor.accounts.roles import Role
from essor.accounts.tests.factories import PartnerFactory, UserFactory

PASSWORD = "correct-horse-battery"
ROLES = [role.value for role in Role]


@dataclass
class Personas:
    own: Partner
    other: Partner
    users: dict[tuple[str, str], User] = field(default_factory=dict)
    operator: User | None = None

    def user(self, role: str, side: str = "own") -> User:
        return self.users[(role, side)]


def make_personas() -> Personas:
    own: Partner = PartnerFactory.create(
        code="ccis-test", acronym="CCIS-T", name_fr="Chambre test", kind=PartnerKind.CHAMBER
    )
    other: Partner = PartnerFactory.create(
        code="indh-test", acronym="INDH-T", name_fr="INDH test", kind=PartnerKind.INDH
    )
    personas = Personas(own=own, other=other)
    for side, partner in (("own", own), ("other", other)):
        for role in ROLES:
            personas.users[(role, side)] = UserFactory.create(
                username=f"{role}.{side}", partner=partner, roles=[role]
            )
    personas.operator = UserFactory.create(
        username="operator", partner=None, is_superuser=True, is_staff=True
    )
    return personas


# --- The permission matrix --------------------------------------------------------------------
#
# Each app declares rows "(object, action, side) -> roles allowed" and a probe per
# (object, action) that tries the action by page and by API as a given user and returns whether
# it was allowed (asserting that page and API agree, and that a denied action changed nothing).
# ``matrix_params`` expands the rows into one test case per role, so that a failure names the
# role, the object, the action and the side.

MatrixRow = tuple[str, str, str, frozenset[str]]


def matrix_params(rows: list[MatrixRow]) -> list[tuple[str, str, str, str, bool]]:
    params = []
    for obj, action, side, allowed in rows:
        for role in ROLES:
            params.append((role, obj, action, side, role in allowed))
    return params


def matrix_id(value: object) -> str:
    if isinstance(value, bool):
        return "allowed" if value else "denied"
    return str(value)


def matrix_clients(actor: User) -> tuple[Any, Any]:
    """A page client and an API client (token) signed in as ``actor``."""
    from django.test import Client
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    page = Client()
    page.force_login(actor, backend="django.contrib.auth.backends.ModelBackend")
    api = APIClient()
    token, _ = Token.objects.get_or_create(user=actor)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return page, api
