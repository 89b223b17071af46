"""Who sees the dashboards, the people behind a figure, and who records a follow-up (page and
API). Sides: ``own`` the actor's partner runs the programme; ``other`` another partner does.

Figures are for every role (they hold no personal data); the people behind them are listed only
to roles that see personal data, and only those their partner holds; a follow-up is recorded by
the staff of the partner that runs the programme.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from essor.accounts.models import Partner, User
from essor.accounts.roles import Role
from essor.conventions.tests.factories import make_convention, make_line, make_programme
from essor.core.testing import MatrixRow, Personas, matrix_clients, matrix_id, matrix_params
from essor.monitoring.facts import refresh
from essor.monitoring.models import FollowUp, FollowUpStatus
from essor.programmes.models import Application, ApplicationStatus, Enrollment
from essor.programmes.selection import exit_record
from essor.registry.tests.factories import make_person

EVERYONE = frozenset(Role)
PERSONAL = frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER, Role.COUNSELLOR, Role.DATA_CLERK})
NONE: frozenset[str] = frozenset()

MATRIX: list[MatrixRow] = [
    ("dashboard", "view", "own", EVERYONE),
    ("dashboard", "view", "other", EVERYONE),
    ("records", "view", "own", PERSONAL),
    ("records", "view", "other", NONE),
    ("follow_up", "record", "own", PERSONAL),
    ("follow_up", "record", "other", NONE),
]


def _supported(partner: Partner) -> tuple[Any, Enrollment]:
    """A convention whose programme (run by ``partner``) enrolled Rachid Ouazzani in 2025."""
    convention = make_convention(partner)
    programme = make_programme(partner, make_line(convention, partner))
    person = make_person(partner, first_name="Rachid", last_name="Ouazzani", sex="M")
    application = Application.objects.create(
        holder=partner,
        programme=programme,
        person=person,
        receipt=f"M-{partner.pk}",
        channel="office",
        status=ApplicationStatus.ENROLLED,
        submitted_on=date(2025, 1, 5),
    )
    enrollment = Enrollment.objects.create(application=application, started_on=date(2025, 1, 20))
    exit_record(actor=None, enrollment=enrollment, outcome="employed", on=date(2025, 2, 1))
    refresh()
    return convention, enrollment


def _partner(personas: Personas, side: str) -> Partner:
    return personas.own if side == "own" else personas.other


def probe_dashboard_view(personas: Personas, actor: User, side: str) -> bool:
    convention, _ = _supported(_partner(personas, side))
    page, api = matrix_clients(actor)
    page_ok = page.get(f"/monitoring/conventions/{convention.pk}/?period=2025").status_code == 200
    answer = api.get(
        "/api/v1/indicators", {"scope": "convention", "id": convention.pk, "period": "2025"}
    )
    api_ok = answer.status_code == 200
    if api_ok:
        values = {row["code"]: row["value"] for row in answer.json()["indicators"]}
        assert values["holders_reached"] == 1
    assert page_ok == api_ok
    return page_ok


def probe_records_view(personas: Personas, actor: User, side: str) -> bool:
    convention, _ = _supported(_partner(personas, side))
    page, _api = matrix_clients(actor)
    response = page.get(
        f"/monitoring/records/convention/{convention.pk}/holders_reached/?period=2025"
    )
    if response.status_code != 200:
        return False
    return "Ouazzani" in response.content.decode()


def probe_follow_up_record(personas: Personas, actor: User, side: str) -> bool:
    _, enrollment = _supported(_partner(personas, side))
    first, second = FollowUp.objects.filter(enrollment=enrollment).order_by("wave")[:2]
    page, api = matrix_clients(actor)
    page_status = page.post(
        f"/monitoring/follow-ups/{first.pk}/",
        {"reached": "no", "done_on": "2025-08-02", "channel": "phone"},
    ).status_code
    api_status = api.post(
        f"/api/v1/follow-ups/{second.pk}/record",
        {"reached": False, "done_on": "2025-08-02"},
        format="json",
    ).status_code
    allowed = page_status == 302
    assert allowed == (api_status == 200), (page_status, api_status)
    statuses = set(
        FollowUp.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    )
    assert statuses == ({FollowUpStatus.UNREACHABLE} if allowed else {FollowUpStatus.DUE})
    return allowed


PROBES: dict[tuple[str, str], Callable[[Personas, User, str], bool]] = {
    ("dashboard", "view"): probe_dashboard_view,
    ("records", "view"): probe_records_view,
    ("follow_up", "record"): probe_follow_up_record,
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
