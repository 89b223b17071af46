"""In a real browser, on a phone: a data clerk goes from a person's registry page to the data
held on her, records her objection, downloads the Arabic PDF, and reads the page in Arabic."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import ViewportSize, expect

from essor.core.browser import chromium
from essor.core.testing import PASSWORD, make_personas
from essor.privacy.models import AccessLogEntry, AccessPurpose, Objection
from essor.registry.tests.factories import make_person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE: ViewportSize = {"width": 390, "height": 844}


def test_a_clerk_answers_a_persons_requests_on_a_phone(live_server) -> None:
    personas = make_personas()
    clerk = personas.user("data_clerk")
    person = make_person(
        personas.own,
        first_name="Hanane",
        last_name="Chaoui",
        first_name_ar="حنان",
        last_name_ar="الشاوي",
        birth_date=date(1991, 6, 2),
        cin="AB600001",
        phone="0661000111",
    )

    with chromium() as browser:
        context = browser.new_context(viewport=PHONE, locale="fr-FR", accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Nom d'utilisateur").fill(clerk.username)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()

        page.goto(f"{live_server.url}/registry/persons/{person.pk}/")
        page.locator(f"a[href='/privacy/persons/{person.pk}/']").click()
        expect(page.locator("#identity")).to_contain_text("AB600001")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        form = page.locator(f"form[action='/privacy/persons/{person.pk}/objection/']")
        page.locator("#requests details summary").click()
        form.locator("textarea[name=reason]").fill("Ne veut plus recevoir d'appels")
        form.locator("button[type=submit]").click()
        expect(page.get_by_test_id("objection")).to_be_visible()

        with page.expect_download() as info:
            page.locator(f"a[href='/privacy/persons/{person.pk}/data.pdf?lang=ar']").click()
        download = info.value
        assert download.suggested_filename.endswith("-ar.pdf")
        with open(download.path(), "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"

        page.get_by_test_id("lang-switch").click()
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("#identity")).to_contain_text("الشاوي")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    objection = Objection.objects.get(person=person)
    assert (objection.reason, objection.recorded_by) == ("Ne veut plus recevoir d'appels", clerk)
    purposes = set(AccessLogEntry.objects.filter(person=person).values_list("purpose", flat=True))
    assert purposes == {AccessPurpose.PAGE, AccessPurpose.RIGHTS}
