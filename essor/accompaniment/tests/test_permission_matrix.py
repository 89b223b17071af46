"""Who sees which sessions and groups, and the holders in them (page and API).

Sides: ``mine`` run by the actor (own partner); ``colleague`` run by another counsellor of the
actor's partner; ``other`` another partner's. A counsellor sees their own groups and sessions and
the holders in them, not their colleagues' nor other partners'; managers see their partner's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.urls import reverse

from essor.accompaniment import services
from essor.accompaniment.models import Participant
from essor.accounts.models import Partner, User
from essor.accounts.roles import Role
from essor.accounts.tests.factories import UserFactory
from essor.core.testing import MatrixRow, Personas, matrix_clients, matrix_id, matrix_params
from essor.registry.models import Sector
from essor.registry.tests.factories import make_person

from .factories import make_session

MANAGERS = frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER})
SEEING = frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER, Role.COUNSELLOR, Role.DATA_CLERK})
NONE: frozenset[str] = frozenset()

MATRIX: list[MatrixRow] = [
    ("session", "view", "mine", SEEING),
    ("session", "view", "colleague", MANAGERS),
    ("session", "view", "other", NONE),
    ("attendance", "take", "mine", SEEING),
    ("attendance", "take", "colleague", MANAGERS),
    ("attendance", "take", "other", NONE),
    ("group", "view", "mine", SEEING),
    ("group", "view", "colleague", MANAGERS),
    ("group", "view", "other", NONE),
]


def _agree(page_ok: bool, api_ok: bool) -> bool:
    assert page_ok == api_ok, f"page {page_ok}, API {api_ok}"
    return page_ok


def _runner(personas: Personas, actor: User, side: str) -> tuple[Partner, User]:
    if side == "mine":
        return personas.own, actor
    partner = personas.own if side == "colleague" else personas.other
    colleague = UserFactory.create(
        username=f"runner.{side}", partner=partner, roles=[Role.COUNSELLOR]
    )
    return partner, colleague


def probe_session_view(personas: Personas, actor: User, side: str) -> bool:
    partner, runner = _runner(personas, actor, side)
    session = make_session(partner, runner)
    holder = make_person(partner, first_name="Khadija", last_name="Ouali")
    services.participant_add(actor=None, session=session, person=holder)
    page, api = matrix_clients(actor)
    response = page.get(reverse("accompaniment:session", args=[session.pk]))
    page_ok = response.status_code == 200
    if page_ok:
        assert "Ouali" in response.content.decode()  # and the holders in it
    listed = any(
        s["id"] == session.pk for s in api.get("/api/v1/sessions").json().get("results", [])
    )
    api_ok = api.get(f"/api/v1/sessions/{session.pk}").status_code == 200
    assert listed == api_ok
    return _agree(page_ok, api_ok)


def probe_attendance_take(personas: Personas, actor: User, side: str) -> bool:
    partner, runner = _runner(personas, actor, side)
    session = make_session(partner, runner)
    first = services.participant_add(
        actor=None, session=session, person=make_person(partner, cin="AB500001")
    )
    second = services.participant_add(
        actor=None, session=session, person=make_person(partner, cin="AB500002")
    )
    page, api = matrix_clients(actor)
    page_status = page.post(
        reverse("accompaniment:attendance", args=[session.pk]), {"present": [first.pk]}
    ).status_code
    api_status = api.post(
        f"/api/v1/sessions/{session.pk}/attendance", {"present": [second.pk]}, format="json"
    ).status_code
    allowed = _agree(page_status == 302, api_status == 200)
    marks = dict(Participant.objects.filter(session=session).values_list("pk", "present"))
    if allowed:
        assert marks == {first.pk: True, second.pk: True}
    else:
        assert marks == {first.pk: None, second.pk: None}
    return allowed


def probe_group_view(personas: Personas, actor: User, side: str) -> bool:
    partner, runner = _runner(personas, actor, side)
    group = services.group_create(
        actor=None,
        holder=partner,
        name="Couturières de Tétouan",
        sector=Sector.objects.first(),
        counsellor=runner,
        started_on=date(2025, 1, 6),
    )
    page, api = matrix_clients(actor)
    return _agree(
        page.get(reverse("accompaniment:group", args=[group.pk])).status_code == 200,
        api.get(f"/api/v1/groups/{group.pk}").status_code == 200,
    )


PROBES: dict[tuple[str, str], Callable[[Personas, User, str], bool]] = {
    ("session", "view"): probe_session_view,
    ("attendance", "take"): probe_attendance_take,
    ("group", "view"): probe_group_view,
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
