"""The permission matrix of applications, scores and decisions (page and API).

Sides: ``own`` an application of the actor's partner; ``other`` one of another partner;
``assigned`` one of another partner assigned to the actor for scoring (when the actor's role can
score at all). An evaluator sees only the files assigned to them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.urls import reverse

from essor.accounts.models import User
from essor.accounts.roles import Cap, Role
from essor.conventions.tests.factories import make_programme
from essor.core.testing import MatrixRow, Personas, matrix_clients, matrix_id, matrix_params
from essor.programmes import applications, selection, services
from essor.programmes.models import Application, Programme, Score
from essor.registry.tests.factories import make_person

STAFF = frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER, Role.COUNSELLOR, Role.DATA_CLERK})
MANAGE = frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER, Role.DATA_CLERK})
SCORERS = frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER, Role.EVALUATOR})
NONE: frozenset[str] = frozenset()

MATRIX: list[MatrixRow] = [
    ("application", "view", "own", STAFF),
    ("application", "view", "other", NONE),
    ("application", "view", "assigned", SCORERS),
    ("application", "create", "own", MANAGE),
    ("application", "screen", "own", MANAGE),
    ("application", "screen", "other", NONE),
    ("score", "set", "assigned", SCORERS),
    ("score", "set", "own", NONE),  # not assigned: nobody scores it, not even the staff
    ("decision", "record", "own", MANAGE),
    ("decision", "record", "other", NONE),
    ("decision", "record", "assigned", NONE),  # an evaluator scores; the committee decides
]


def _agree(page_ok: bool, api_ok: bool) -> bool:
    assert page_ok == api_ok, f"page {page_ok}, API {api_ok}"
    return page_ok


def _application(personas: Personas, actor: User, side: str) -> Application:
    partner = personas.own if side == "own" else personas.other
    programme: Programme = make_programme(partner, capacity=5)
    services.rule_set(actor=None, programme=programme, kind="age", params={"min": 18, "max": 40})
    services.criterion_add(actor=None, programme=programme, label_fr="Viabilité", scale_max=5)
    person = make_person(partner, first_name="Hajar", last_name="Tazi", birth_date=date(1998, 1, 2))
    application = applications.application_create(actor=None, programme=programme, person=person)
    if side == "assigned" and actor.can(Cap.APPLICATIONS_SCORE):
        selection.evaluator_assign(actor=None, application=application, evaluator=actor)
    return application


def probe_application_view(personas: Personas, actor: User, side: str) -> bool:
    application = _application(personas, actor, side)
    page, api = matrix_clients(actor)
    page_ok = page.get(reverse("programmes:application", args=[application.pk])).status_code == 200
    listed = api.get("/api/v1/applications").json().get("count", 0) == 1
    api_ok = api.get(f"/api/v1/applications/{application.pk}").status_code == 200
    assert listed == api_ok
    return _agree(page_ok, api_ok)


def probe_application_create(personas: Personas, actor: User, side: str) -> bool:
    programme = make_programme(personas.own)
    first = make_person(personas.own, cin="AB300001")
    second = make_person(personas.own, cin="AB300002")
    page, api = matrix_clients(actor)
    page_status = page.post(
        reverse("programmes:application_create", args=[programme.pk]),
        {"beneficiary": "AB300001", "project_title": "Épicerie"},
    ).status_code
    api_status = api.post(
        "/api/v1/applications",
        {"programme": programme.pk, "person": second.pk, "project_title": "Épicerie"},
        format="json",
    ).status_code
    allowed = _agree(page_status == 302, api_status == 201)
    assert Application.objects.filter(person__in=[first, second]).count() == (2 if allowed else 0)
    return allowed


def probe_application_screen(personas: Personas, actor: User, side: str) -> bool:
    application = _application(personas, actor, side)
    twin = applications.application_create(
        actor=None,
        programme=application.programme,
        person=make_person(application.holder, first_name="Ilyas", birth_date=date(1999, 5, 5)),
    )
    page, api = matrix_clients(actor)
    page_status = page.post(
        reverse("programmes:application_screen", args=[application.pk])
    ).status_code
    api_status = api.post(f"/api/v1/applications/{twin.pk}/screen").status_code
    allowed = _agree(page_status == 302, api_status == 200)
    screened = {a.status for a in Application.objects.filter(pk__in=[application.pk, twin.pk])}
    assert screened == ({"eligible"} if allowed else {"submitted"})
    return allowed


def probe_score_set(personas: Personas, actor: User, side: str) -> bool:
    application = _application(personas, actor, side)
    criterion = application.programme.scoring_criteria.get()
    page, api = matrix_clients(actor)
    page_status = page.post(
        reverse("programmes:score", args=[application.pk]), {f"criterion_{criterion.pk}": "4"}
    ).status_code
    api_status = api.post(
        f"/api/v1/applications/{application.pk}/scores",
        {"criterion": criterion.pk, "value": 5},
        format="json",
    ).status_code
    allowed = _agree(page_status == 302, api_status == 200)
    values = list(Score.objects.filter(application=application).values_list("value", flat=True))
    assert values == ([5] if allowed else [])
    return allowed


def probe_decision_record(personas: Personas, actor: User, side: str) -> bool:
    application = _application(personas, actor, side)
    applications.application_screen(actor=None, application=application)
    page, api = matrix_clients(actor)
    page_status = page.post(
        reverse("programmes:decide", args=[application.pk]), {"outcome": "waiting"}
    ).status_code
    api_status = api.post(
        f"/api/v1/applications/{application.pk}/decide", {"outcome": "selected"}, format="json"
    ).status_code
    allowed = _agree(page_status == 302, api_status == 200)
    application.refresh_from_db()
    assert application.status == ("selected" if allowed else "eligible")
    assert application.decisions.count() == (2 if allowed else 0)
    return allowed


PROBES: dict[tuple[str, str], Callable[[Personas, User, str], bool]] = {
    ("application", "view"): probe_application_view,
    ("application", "create"): probe_application_create,
    ("application", "screen"): probe_application_screen,
    ("score", "set"): probe_score_set,
    ("decision", "record"): probe_decision_record,
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
