"""The tour planner on a fixed set of communes: every stop rural and in the region, one stop a
day on working days, the communes with the most holders waiting first, a commune visited often
yielding to one never visited, and a route without zigzags."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from essor.accompaniment import planner
from essor.accompaniment.models import MobileUnit, Tour, TourStop
from essor.core.testing import Personas
from essor.registry.tests.factories import make_person
from essor.territory.models import Commune

pytestmark = pytest.mark.django_db

MONDAY = date(2025, 3, 3)


def fixed_communes() -> list[Commune]:
    communes = list(
        Commune.objects.filter(region__code="01", kind="rural", latitude__isnull=False).order_by(
            "code"
        )[:12]
    )
    assert len(communes) == 12
    return communes


def populate(personas: Personas, communes: list[Commune], counts: list[int]) -> None:
    for commune, count in zip(communes, counts, strict=False):
        for index in range(count):
            make_person(personas.own, first_name=f"P{commune.pk}-{index}", commune=commune)


def test_every_stop_is_rural_in_the_region_one_a_day_on_working_days(personas: Personas) -> None:
    communes = fixed_communes()
    populate(personas, communes, [5, 1, 4, 0, 3, 0, 2, 6, 0, 0, 1, 0])
    home = Commune.objects.get(code="01.511.01.0")  # Tanger, urban: the bus's base
    stops = planner.plan(
        region_code="01", home=home, start=MONDAY, end=date(2025, 3, 11), communes=communes
    )
    assert len(stops) == 7  # 9 days minus a weekend
    assert all(s.commune.kind == "rural" and s.commune.region.code == "01" for s in stops)
    assert len({s.on for s in stops}) == len(stops)
    assert all(s.on.weekday() < 5 for s in stops)
    # The seven communes with the most holders are the ones visited.
    expected = {
        c.pk for c, n in zip(communes, [5, 1, 4, 0, 3, 0, 2, 6, 0, 0, 1, 0], strict=True) if n
    }
    assert {s.commune.pk for s in stops} == expected


def test_a_commune_visited_often_yields_to_one_never_visited(personas: Personas) -> None:
    communes = fixed_communes()[:3]
    populate(personas, communes, [2, 2, 2])
    unit = MobileUnit.objects.create(name="Bus", operator=personas.own, home=communes[0])
    tour = Tour.objects.create(
        mobile_unit=unit,
        region=communes[0].region,
        start_on=date(2024, 1, 1),
        end_on=date(2024, 1, 2),
    )
    TourStop.objects.create(tour=tour, on=date(2024, 1, 1), commune=communes[0])
    TourStop.objects.create(tour=tour, on=date(2024, 1, 2), commune=communes[1])
    stops = planner.plan(
        region_code="01", home=communes[0], start=MONDAY, end=MONDAY, communes=communes
    )
    assert [s.commune for s in stops] == [communes[2]]


def test_the_route_goes_to_the_nearest_commune_next(personas: Personas) -> None:
    communes = fixed_communes()
    populate(personas, communes, [1] * 12)
    home = communes[0]
    stops = planner.plan(
        region_code="01", home=home, start=MONDAY, end=date(2025, 3, 14), communes=communes
    )
    here = home
    for stop in stops:
        remaining = [s.commune for s in stops[stops.index(stop) :]]
        from essor.territory.geo import distance_km

        nearest = min(remaining, key=lambda c: distance_km(here, c) or 0)
        assert distance_km(here, stop.commune) == distance_km(here, nearest)
        here = stop.commune


def test_a_period_without_working_days_or_rural_communes_is_refused() -> None:
    home = Commune.objects.get(code="01.511.01.0")
    with pytest.raises(ValidationError):
        planner.plan(region_code="01", home=home, start=date(2025, 3, 8), end=date(2025, 3, 9))
    urban = list(Commune.objects.filter(region__code="01", kind="urban")[:3])
    with pytest.raises(ValidationError):
        planner.plan(region_code="01", home=home, start=MONDAY, end=MONDAY, communes=urban)


def test_the_manager_confirms_the_proposal_then_edits_a_stop(personas: Personas) -> None:
    from django.test import Client
    from django.urls import reverse

    communes = fixed_communes()
    populate(personas, communes, [3, 2, 1])
    unit = MobileUnit.objects.create(name="Bus", operator=personas.own, home=communes[0])
    client = Client()
    client.force_login(
        personas.user("programme_manager"), backend="django.contrib.auth.backends.ModelBackend"
    )
    data: dict[str, Any] = {
        "mobile_unit": unit.pk,
        "start_on": "2025-03-03",
        "end_on": "2025-03-05",
        "rest_days": [5, 6],
    }
    proposal = client.get(reverse("accompaniment:tour_plan"), data)
    assert proposal.status_code == 200
    assert 'id="proposal"' in proposal.content.decode()
    confirmed = client.post(reverse("accompaniment:tour_plan"), data)
    tour = Tour.objects.get()
    assert confirmed["Location"] == reverse("accompaniment:tour", args=[tour.pk])
    assert [s.venue.kind for s in tour.stops.all()] == ["bus_stop"] * 3  # type: ignore[union-attr]
    first = tour.stops.first()
    assert first is not None
    # Another day already taken is refused; a rural commune of the region is accepted.
    client.post(
        reverse("accompaniment:tour", args=[tour.pk]), {"stop": first.pk, "on": "2025-03-04"}
    )
    first.refresh_from_db()
    assert first.on == date(2025, 3, 3)
    client.post(
        reverse("accompaniment:tour", args=[tour.pk]),
        {"stop": first.pk, "commune": communes[5].code},
    )
    first.refresh_from_db()
    assert first.commune == communes[5]
    urban = Commune.objects.get(code="01.511.01.0")
    client.post(
        reverse("accompaniment:tour", args=[tour.pk]), {"stop": first.pk, "commune": urban.code}
    )
    first.refresh_from_db()
    assert first.commune == communes[5]
    counsellor = Client()
    counsellor.force_login(
        personas.user("counsellor"), backend="django.contrib.auth.backends.ModelBackend"
    )
    assert (
        counsellor.post(
            reverse("accompaniment:tour", args=[tour.pk]), {"stop": first.pk, "remove": "1"}
        ).status_code
        == 404
    )
    assert tour.stops.count() == 3
