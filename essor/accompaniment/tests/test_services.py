"""Sessions: no double-booking of a counsellor, a venue or the bus; capacity; attendance once
per person; a reported session no longer changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from essor.accompaniment import services
from essor.accompaniment.models import Participant, Service, Session, Venue, VenueKind
from essor.core.testing import Personas
from essor.registry.tests.factories import make_person

from .factories import bus_stop, make_service, make_session

pytestmark = pytest.mark.django_db


def test_a_counsellor_is_not_booked_twice_at_once(personas: Personas) -> None:
    counsellor = personas.user("counsellor")
    first = make_session(personas.own, counsellor)
    with pytest.raises(ValidationError) as error:
        make_session(personas.own, counsellor, starts_at=first.starts_at + timedelta(minutes=30))
    assert "counsellors" in error.value.message_dict
    assert Session.objects.count() == 1


def test_the_bus_is_not_in_two_communes_at_once(personas: Personas) -> None:
    first = make_session(personas.own, personas.user("counsellor"))
    other_stop = Venue.objects.create(
        kind=VenueKind.BUS_STOP,
        name="Autre arrêt",
        commune=first.venue.commune,
        capacity=25,
        host=personas.own,
        mobile_unit=first.venue.mobile_unit,
    )
    with pytest.raises(ValidationError) as error:
        make_session(
            personas.own,
            personas.user("programme_manager"),
            venue=other_stop,
            starts_at=first.starts_at,
        )
    assert "venue" in error.value.message_dict


def test_a_weekly_schedule_creates_one_session_a_week(personas: Personas) -> None:
    start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
    sessions = services.session_create(
        actor=None,
        holder=personas.own,
        service=make_service(),
        venue=bus_stop(personas.own),
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        counsellors=[personas.user("counsellor")],
        weeks=8,
    )
    assert [s.starts_at for s in sessions] == [start + timedelta(weeks=w) for w in range(8)]
    assert len({s.series for s in sessions}) == 1


def test_capacity_and_one_line_per_person(personas: Personas) -> None:
    session = make_session(personas.own, personas.user("counsellor"), capacity=2)
    person = make_person(personas.own, cin="AB700001")
    services.participant_add(actor=None, session=session, person=person)
    services.participant_add(actor=None, session=session, person=person)  # listed once
    services.participant_add(
        actor=None, session=session, person=make_person(personas.own, cin="AB700002")
    )
    with pytest.raises(ValidationError):
        services.participant_add(
            actor=None, session=session, person=make_person(personas.own, cin="AB700003")
        )
    assert session.participants.count() == 2


def test_attendance_taken_twice_keeps_one_mark_and_a_report_locks_it(personas: Personas) -> None:
    counsellor = personas.user("counsellor")
    session = make_session(personas.own, counsellor)
    line = services.participant_add(actor=None, session=session, person=make_person(personas.own))
    services.attendance_mark(actor=counsellor, session=session, marks={line.pk: True})
    services.attendance_mark(actor=counsellor, session=session, marks={line.pk: False})
    assert list(Participant.objects.values_list("present", flat=True)) == [False]
    services.session_report(actor=counsellor, session=session)
    with pytest.raises(ValidationError):
        services.attendance_mark(actor=counsellor, session=session, marks={line.pk: True})
    assert list(Participant.objects.values_list("present", flat=True)) == [False]
    assert services.training_hours(line.person) == 0.0


def test_hours_of_training_follow_attendance(personas: Personas) -> None:
    counsellor = personas.user("counsellor")
    session = make_session(personas.own, counsellor)
    line = services.participant_add(actor=None, session=session, person=make_person(personas.own))
    services.attendance_mark(actor=counsellor, session=session, marks={line.pk: True})
    assert services.training_hours(line.person) == 3.0


def test_the_holders_page_shows_the_sessions_attended_and_the_hours(personas: Personas) -> None:
    from django.test import Client
    from django.urls import reverse

    counsellor = personas.user("counsellor")
    session = make_session(personas.own, counsellor)
    line = services.participant_add(actor=None, session=session, person=make_person(personas.own))
    services.attendance_mark(actor=counsellor, session=session, marks={line.pk: True})
    client = Client()
    client.force_login(counsellor, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("registry:person", args=[line.person.pk])).content.decode()
    support = page[page.index('id="support"') :]
    assert session.service.title_fr in support
    assert "3.0" in support or "3,0" in support


def test_a_diagnostic_gives_a_profile_suggested_services_and_a_plan(personas: Personas) -> None:
    from datetime import date

    from django.test import Client
    from django.urls import reverse

    from essor.registry.tests.factories import make_organisation

    counsellor = personas.user("counsellor")
    cooperative = make_organisation(personas.own)
    fair = Service.objects.create(code="salon", kind="fair", title_fr="Salon régional de l'ESS")
    Service.objects.create(code="num", kind="training", title_fr="Vendre en ligne")
    scores = {
        "project": 4,
        "management": 3,
        "quality": 4,
        "finance": 3,
        "organisation": 4,
        "marketing": 1,
        "digital": 4,
    }
    with pytest.raises(ValidationError):  # every area is scored
        services.diagnostic_record(
            actor=counsellor,
            holder=personas.own,
            organisation=cooperative,
            on=date(2025, 2, 1),
            scores={"marketing": 1},
        )
    diagnostic = services.diagnostic_record(
        actor=counsellor,
        holder=personas.own,
        organisation=cooperative,
        on=date(2025, 2, 1),
        scores=scores,
    )
    assert diagnostic.needs() == ["marketing"]
    suggested = services.suggested_services(diagnostic)
    assert fair in suggested
    item = services.plan_item_add(
        actor=counsellor,
        diagnostic=diagnostic,
        area="marketing",
        text="S'inscrire au salon de l'ESS",
        owner="La présidente",
        due_on=date(2025, 3, 1),
    )
    assert list(services.overdue_plan_items(counsellor, today=date(2025, 3, 2))) == [item]
    services.plan_item_follow(actor=counsellor, item=item, status="done")
    assert not services.overdue_plan_items(counsellor, today=date(2025, 3, 2)).exists()
    client = Client()
    client.force_login(counsellor, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("accompaniment:diagnostic", args=[diagnostic.pk])).content.decode()
    assert "Salon régional de l&#x27;ESS" in page
    other = Client()
    other.force_login(
        personas.user("counsellor", "other"), backend="django.contrib.auth.backends.ModelBackend"
    )
    assert other.get(reverse("accompaniment:diagnostic", args=[diagnostic.pk])).status_code == 404


def test_a_manager_creates_a_group_and_adds_an_enterprise_by_its_ice(personas: Personas) -> None:
    from django.test import Client
    from django.urls import reverse

    from essor.accompaniment.models import Group
    from essor.registry.models import Sector
    from essor.registry.tests.factories import make_organisation

    cooperative = make_organisation(personas.own, ice="001561191000066")
    client = Client()
    client.force_login(
        personas.user("programme_manager"), backend="django.contrib.auth.backends.ModelBackend"
    )
    response = client.post(
        reverse("accompaniment:group_create"),
        {
            "name": "Coopératives d'argan",
            "sector": Sector.objects.first().pk,  # type: ignore[union-attr]
            "counsellor": personas.user("counsellor").pk,
            "started_on": "2025-01-06",
        },
    )
    group = Group.objects.get()
    assert response["Location"] == reverse("accompaniment:group", args=[group.pk])
    client.post(
        reverse("accompaniment:group_member_add", args=[group.pk]),
        {"enterprise": "001561191000066"},
    )
    assert list(group.members.all()) == [cooperative]
    assert client.get(reverse("accompaniment:catalogue")).status_code == 200


def test_the_api_lists_services_tours_and_the_diagnostics_in_scope(personas: Personas) -> None:
    from datetime import date

    from essor.core.testing import matrix_clients
    from essor.registry.tests.factories import make_organisation

    make_service()
    counsellor = personas.user("counsellor")
    services.diagnostic_record(
        actor=counsellor,
        holder=personas.own,
        organisation=make_organisation(personas.own),
        on=date(2025, 2, 1),
        scores={
            "project": 1,
            "management": 3,
            "quality": 4,
            "finance": 2,
            "organisation": 4,
            "marketing": 4,
            "digital": 4,
        },
    )
    _page, api = matrix_clients(counsellor)
    assert api.get("/api/v1/services").json()["count"] == 1
    diagnostics = api.get("/api/v1/diagnostics").json()["results"]
    assert [d["needs"] for d in diagnostics] == [["project", "finance"]]
    _page, outsider = matrix_clients(personas.user("counsellor", "other"))
    assert outsider.get("/api/v1/diagnostics").json()["count"] == 0
    assert api.get("/api/v1/tours").status_code == 200
    assert (
        matrix_clients(personas.user("committee_member"))[1]
        .get("/api/v1/diagnostics")
        .json()["count"]
        == 0
    )
