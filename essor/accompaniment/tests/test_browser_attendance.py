"""A counsellor takes attendance for a bus session on a phone: ticks the expected holders,
finds a walk-in in the registry, adds them, saves; the marks are in the database."""

from __future__ import annotations

import pytest
from playwright.sync_api import ViewportSize, expect

from essor.accompaniment import services
from essor.accompaniment.models import Participant
from essor.core.browser import chromium
from essor.core.testing import PASSWORD, make_personas
from essor.registry.tests.factories import make_person

from .factories import make_session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE: ViewportSize = {"width": 390, "height": 844}


def test_attendance_for_a_bus_session_on_a_phone(live_server) -> None:
    personas = make_personas()
    counsellor = personas.user("counsellor")
    session = make_session(personas.own, counsellor)
    assert session.venue.mobile_unit is not None
    came = make_person(personas.own, first_name="Hanane", last_name="Chaoui", cin="AB600001")
    absent = make_person(personas.own, first_name="Yassine", last_name="Rifi", cin="AB600002")
    walk_in = make_person(personas.own, first_name="Siham", last_name="Zerouali", cin="AB600003")
    for person in (came, absent):
        services.participant_add(actor=None, session=session, person=person)

    with chromium() as browser:
        page = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Nom d'utilisateur").fill(counsellor.username)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.goto(f"{live_server.url}/accompaniment/sessions/{session.pk}/")
        expect(page.locator("h1")).to_be_visible()
        # Nothing overflows the phone's width.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_label("Hanane Chaoui", exact=False).check()
        page.fill("#q", "AB600003")
        page.locator("form[role=search] button").click()
        expect(page.locator(".walk-in input")).to_be_checked()  # found, ticked, nothing lost
        expect(page.get_by_label("Hanane Chaoui", exact=False)).to_be_checked()
        page.locator("#save-attendance").click()
        expect(page.locator(".messages")).to_contain_text("Présences enregistrées")

    marks = {
        p.person_id: (p.present, p.expected) for p in Participant.objects.filter(session=session)
    }
    assert marks == {
        came.pk: (True, True),
        absent.pk: (False, True),
        walk_in.pk: (True, False),
    }
