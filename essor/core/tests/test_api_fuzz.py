"""Fuzzing of the whole API from its OpenAPI schema (schemathesis): no server error, and every
answer is one the schema documents (its status code, content type and body).

Every operation is tried with generated requests, valid ones and invalid ones, as an
administrator of a partner with data; then, with fewer, as a read-only committee member.
Half of the time a generated id is replaced by a real record's, so that the requests reach
past the 404 into the serializers and services. Each request runs in a savepoint rolled back
after it: one request's writes never change what the next one sees. The run is derandomised,
so that a failure in CI fails again on a laptop; its size keeps it within a few minutes.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.files.base import ContentFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from essor.accompaniment import services as accompaniment_services
from essor.accompaniment.models import Diagnostic, MobileUnit, Participant, Tour, TourStop
from essor.accompaniment.tests.factories import make_session
from essor.accounts.models import User
from essor.conventions import services as convention_services
from essor.conventions.models import PartnerPayment, Party, PaymentKind, Target
from essor.conventions.tests.factories import make_convention, make_line, make_programme
from essor.core.testing import Personas
from essor.funding import services as funding_services
from essor.programmes import applications, selection
from essor.programmes.models import Application, ApplicationStatus, ScoringCriterion
from essor.registry.importing.jobs import import_job_create
from essor.registry.models import ImportKind, Sector
from essor.registry.tests.factories import make_organisation, make_person
from essor.territory.models import Commune

pytestmark = pytest.mark.django_db

SCHEMA_PATH = "/api/v1/openapi.json"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# To debug or to search longer: FUZZ_ONLY="POST /api/v1/persons" runs the operations whose
# label contains it; FUZZ_SCALE=10 tries ten times as many requests.
ONLY = os.environ.get("FUZZ_ONLY", "")
SCALE = int(os.environ.get("FUZZ_SCALE", "1"))


@dataclass
class World:
    """Real records, by the name the API gives them (a path's resource, a query parameter or a
    body field), so that generated requests can name them."""

    ids: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, names: str, *values: Any) -> None:
        for name in names.split():
            self.ids.setdefault(name, []).extend(values)


def build_world(personas: Personas) -> World:
    """A convention of partner A in execution with everything hanging from it, and a record of
    partner B here and there (which partner A's users must not reach)."""
    own, other = personas.own, personas.other
    manager = personas.user("programme_manager")
    counsellor = personas.user("counsellor")
    commune = Commune.objects.filter(region__code="01", kind="rural").order_by("code")[0]
    sector = Sector.objects.order_by("pk")[0]

    convention = make_convention(own, start_on=date(2024, 1, 1), end_on=date(2027, 12, 31))
    theirs = make_convention(other)
    line = make_line(convention, own, amount="1000000")
    programme = make_programme(own, line, threshold="50000")
    party = Party.objects.get(convention=convention, partner=own)
    payment = PartnerPayment.objects.create(
        party=party, kind=PaymentKind.RECEIPT, amount=Decimal("200000"), on=date(2025, 3, 1)
    )
    target = Target.objects.create(
        convention=convention, indicator="projects_supported", value=10, due_on=date(2026, 12, 31)
    )
    committee = convention_services.committee_set(
        actor=None, convention=convention, name="Comité régional de suivi"
    )
    member = convention_services.committee_member_add(
        actor=None, committee=committee, name="Le wali", is_chair=True
    )
    meeting = convention_services.meeting_record(
        actor=None,
        committee=committee,
        held_on=date(2025, 5, 2),
        attendees=[member],
        decisions=["Lancer l'appel à candidatures"],
    )
    item = convention_services.action_add(
        actor=None, committee=committee, text="Envoyer le rapport", meeting=meeting
    )
    criterion = ScoringCriterion.objects.create(programme=programme, label_fr="Viabilité")

    amina = make_person(own, first_name="Amina", cin="AB123456", commune=commune)
    omar = make_person(own, first_name="Omar", sex="M", birth_date=date(1990, 1, 1))
    nadia = make_person(other, first_name="Nadia")
    coop = make_organisation(own, commune=commune, sector=sector)
    applied = applications.application_create(
        actor=None, programme=programme, person=amina, project_title="Atelier de couture"
    )
    enrolled = applications.application_create(actor=None, programme=programme, person=omar)
    Application.objects.filter(pk=enrolled.pk).update(status=ApplicationStatus.SELECTED)
    enrollment = selection.enroll(actor=None, application=enrolled, on=date(2024, 1, 10))
    selection.exit_record(
        actor=None, enrollment=enrollment, outcome="enterprise_created", on=date(2024, 6, 1)
    )
    commitment = funding_services.commitment_create(
        actor=manager, budget_line=line, programme=programme, person=amina, amount=Decimal("20000")
    )
    disbursement = funding_services.disbursement_create(
        actor=manager, commitment=commitment, amount=Decimal("5000")
    )
    session = make_session(own, counsellor, starts_at=timezone.now() - timedelta(hours=4))
    participant = Participant.objects.create(session=session, person=amina, expected=True)
    group = accompaniment_services.group_create(
        actor=None,
        holder=own,
        name="Couturières de la vallée",
        sector=sector,
        counsellor=counsellor,
        started_on=date(2025, 1, 1),
    )
    diagnostic = Diagnostic.objects.create(
        holder=own,
        organisation=coop,
        counsellor=counsellor,
        on=date(2025, 2, 1),
        scores={"project": 2, "finance": 1},
    )
    unit = MobileUnit.objects.create(name="Le bus de l'Oriental", operator=own, home=commune)
    tour = Tour.objects.create(
        mobile_unit=unit, region=commune.region, start_on=date(2025, 9, 1), end_on=date(2025, 9, 5)
    )
    TourStop.objects.create(tour=tour, on=date(2025, 9, 1), commune=commune, reason="Éloignée")
    job = import_job_create(
        actor=None,
        partner=own,
        kind=ImportKind.PERSONS,
        file=ContentFile(b"nom,prenom\nAlaoui,Amina\n"),
        name="liste.csv",
    )

    world = World()
    world.add("conventions convention", convention.pk, theirs.pk)
    world.add("parent", convention.pk)
    world.add("budget-lines budget_line line", line.pk)
    world.add("budget_lines", [line.pk])
    world.add("programmes programme", programme.pk)
    world.add("parties party", party.pk)
    world.add("partner-payments", payment.pk)
    world.add("targets", target.pk)
    world.add("committee-members", member.pk)
    world.add("attendees", [member.pk])
    world.add("meetings meeting", meeting.pk)
    world.add("action-items", item.pk)
    world.add("criterion", criterion.pk)
    world.add("persons", amina.pk, nadia.pk)
    world.add("person", amina.pk, omar.pk, nadia.pk)
    world.add("organisations organisation", coop.pk)
    world.add("applications", applied.pk, enrolled.pk)
    world.add("commitments", commitment.pk)
    world.add("disbursements", disbursement.pk)
    world.add("follow-ups", *enrollment.follow_ups.values_list("pk", flat=True))
    world.add("sessions", session.pk)
    world.add("present absent", [participant.pk])
    world.add("walk_ins", [omar.pk])
    world.add("groups", group.pk)
    world.add("diagnostics", diagnostic.pk)
    world.add("tours", tour.pk)
    world.add("services", session.service_id)
    world.add("imports", job.pk)
    world.add("users", counsellor.pk, personas.user("admin", "other").pk)
    world.add("partners", own.pk, other.pk)
    world.add("partner owner", own.code, other.code)
    world.add("communes commune", commune.code)
    world.add("provinces province", commune.province.code)
    world.add("regions region", commune.region.code)
    world.add("region_codes", [commune.region.code])
    world.add("sector", sector.code)
    world.add("id", str(convention.pk), str(programme.pk), commune.region.code)
    world.add("period", "2025", "2024-2025")
    return world


# --- The API, in-process ---------------------------------------------------------------------


@pytest.fixture
def wsgi_app(settings: Any, tmp_path: Path) -> Iterator[Any]:
    """Django's WSGI handler on the test database: its connection stays open between requests
    (as Django's test client keeps it) and uploads go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True  # a server error fails with its traceback
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@functools.cache
def _schema(app: Any) -> Any:
    return schemathesis.openapi.from_wsgi(SCHEMA_PATH, app)


def _resource(operation: Any) -> str:
    """The collection an operation's path names (``/api/v1/persons/{id}/x`` -> ``persons``)."""
    parts = [p for p in operation.path.split("/") if p]
    for index, part in enumerate(parts):
        if part.startswith("{"):
            return parts[index - 1]
    return parts[-1]


def _real_ids(world: World, data: Any, case: Any) -> None:
    """Replace, half of the time, each generated id or code by a real record's."""

    def maybe(container: Any, name: str, key: str) -> None:
        choices = world.ids.get(key, [])
        if choices and data.draw(st.booleans()):
            container[name] = data.draw(st.sampled_from(choices))

    for name in list(case.path_parameters or {}):
        maybe(case.path_parameters, name, _resource(case.operation))
    for name in list(case.query or {}):
        maybe(case.query, name, name)
    if isinstance(case.body, dict):
        for name in list(case.body):
            maybe(case.body, name, "region_codes" if name == "regions" else name)


def _negatable(operation: Any) -> bool:
    """Whether there is anything to make invalid: a parameter (other than a code in the path,
    which any string is) or a body."""
    path = any(
        p.definition.get("schema", {}).get("type") != "string" for p in operation.path_parameters
    )
    return bool(path or list(operation.query) or operation.body)


def fuzz_operation(
    operation: Any, world: World, token: str, app: Any, *, mode: GenerationMode, examples: int
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        # No shrinking: the first failing request is reported as it was sent, in time.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case: Any, data: Any) -> None:
        if mode is GenerationMode.POSITIVE:
            _real_ids(world, data, case)
        with transaction.atomic():
            response = case.call(app=app, headers={"Authorization": f"Token {token}"})
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS)

    run()


def fuzz_api(world: World, user: User, app: Any, *, positive: int, negative: int) -> list[str]:
    """Every operation of the schema, fuzzed; the failures, one paragraph per operation."""
    token, _created = Token.objects.get_or_create(user=user)
    failures = []
    for result in _schema(app).get_all_operations():
        operation = result.ok()
        if ONLY and ONLY not in operation.label:
            continue
        runs = [(GenerationMode.POSITIVE, positive * SCALE)]
        if negative and _negatable(operation):
            runs.append((GenerationMode.NEGATIVE, negative * SCALE))
        for mode, examples in runs:
            try:
                fuzz_operation(operation, world, token.key, app, mode=mode, examples=examples)
            except Unsatisfiable:
                pass  # no invalid request can be made of it
            except (Exception, BaseExceptionGroup) as error:  # each operation's failure, in full
                report = "\n".join(str(error).splitlines()[:60])
                failures.append(f"{operation.label} ({mode.value} data):\n{report}")
    return failures


def test_fuzzing_as_an_administrator_finds_no_server_error_nor_undocumented_answer(
    personas: Personas, wsgi_app: Any
) -> None:
    world = build_world(personas)
    failures = fuzz_api(world, personas.user("admin"), wsgi_app, positive=12, negative=8)
    assert not failures, "\n\n".join(failures)


def test_fuzzing_as_a_read_only_committee_member_finds_no_server_error_nor_undocumented_answer(
    personas: Personas, wsgi_app: Any
) -> None:
    world = build_world(personas)
    failures = fuzz_api(world, personas.user("committee_member"), wsgi_app, positive=5, negative=0)
    assert not failures, "\n\n".join(failures)
