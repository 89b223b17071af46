"""A holder applies on the public form in Arabic, on a phone; staff screen the file and the
committee's decision is recorded; the holder follows the file to that decision, in Arabic."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from playwright.sync_api import ViewportSize, expect

from essor.conventions.tests.factories import make_programme
from essor.core.browser import chromium
from essor.core.testing import PASSWORD, make_personas
from essor.programmes import services
from essor.programmes.models import Application
from essor.territory.models import Commune

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE: ViewportSize = {"width": 390, "height": 844}


def test_apply_in_arabic_then_follow_the_file_to_the_committees_decision(live_server) -> None:
    cache.clear()
    personas = make_personas()
    programme = make_programme(
        personas.own,
        name_fr="Appui aux jeunes porteurs de projets",
        name_ar="دعم الشباب حاملي المشاريع",
        capacity=10,
    )
    services.rule_set(actor=None, programme=programme, kind="age", params={"min": 18, "max": 35})
    commune = Commune.objects.filter(region__code="01", kind="rural").order_by("code").first()
    assert commune is not None

    with chromium() as browser:
        holder = browser.new_context(viewport=PHONE, locale="ar-MA")
        holder.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}]
        )
        page = holder.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/programmes/{programme.pk}/apply/")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("h1")).to_contain_text("دعم الشباب حاملي المشاريع")
        expect(page.locator(".notice")).to_contain_text("09-08")
        page.fill("[name=first_name_ar]", "سلمى")
        page.fill("[name=last_name_ar]", "البقالي")
        page.fill("[name=cin]", "AB 654321")  # a space typed, as people do
        page.check("[name=sex][value=F]")
        page.fill("[name=birth_date]", "2001-04-12")
        page.fill("[name=phone]", "0612345678")
        page.fill("[name=commune]", commune.code)
        page.fill("[name=project_title]", "ورشة خياطة")
        page.fill("[name=requested]", "30 000")
        page.check("[name=consent]")
        page.locator("#apply-submit").click()

        receipt = page.locator("#receipt")
        expect(receipt).to_have_text(re.compile(r"^[A-Z0-9]+-[A-Z0-9]{4}-[A-Z0-9]{4}$"))
        number = receipt.inner_text()
        application = Application.objects.get(receipt=number)
        assert (application.person.cin, application.channel) == ("AB654321", "public")  # type: ignore[union-attr]

        # Staff screen the file and record the committee's decision, in their own browser.
        staff = browser.new_context(viewport={"width": 1200, "height": 900}, locale="fr-FR")
        desk = staff.new_page()
        desk.set_default_timeout(10_000)
        desk.goto(f"{live_server.url}/accounts/login/")
        desk.get_by_label("Nom d'utilisateur").fill("programme_manager.own")
        desk.get_by_label("Mot de passe").fill(PASSWORD)
        desk.get_by_role("button", name="Se connecter").click()
        desk.goto(f"{live_server.url}/programmes/applications/{application.pk}/")
        desk.get_by_role("button", name="Examiner").click()
        expect(desk.locator("#application-status")).to_have_text("Éligible")
        expect(desk.locator("#screening")).to_contain_text(
            re.compile(r"Âge \d+ : dans la tranche des 18 à 35 ans")
        )
        desk.locator("#decision-details summary").click()
        desk.check("#decision-form [name=outcome][value=selected]")
        desk.locator("#decision-form button[type=submit]").click()
        expect(desk.locator("#application-status")).to_have_text("Retenu")

        # The holder follows the file with the receipt and the CIN.
        page.goto(f"{live_server.url}/programmes/follow/")
        page.fill("[name=receipt]", number)
        page.fill("[name=cin]", "ab654321")
        page.locator("#follow-submit").click()
        result = page.locator("#follow-result")
        expect(result).to_contain_text(number)
        expect(result).to_contain_text("دعم الشباب حاملي المشاريع")
        expect(result.locator(".status")).to_have_text("تم انتقاؤه")
        assert application.decisions.get().outcome == "selected"
