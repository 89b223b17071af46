"""A real browser signs in, switches to Arabic and finds the page right-to-left.

With ``ESSOR_SCREENSHOTS=DIR`` (``make screenshots``) it also saves the README's screenshots.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from essor.core.browser import chromium
from essor.core.testing import PASSWORD, make_personas

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = os.environ.get("ESSOR_SCREENSHOTS")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name), full_page=False)


def test_sign_in_switch_to_arabic_and_read_right_to_left(live_server) -> None:
    make_personas()
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 760}, locale="fr-FR")
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/")
        expect(page).to_have_url(re.compile(r"/accounts/login/"))
        expect(page.locator("html")).to_have_attribute("dir", "ltr")
        page.get_by_label("Nom d'utilisateur").fill("admin.own")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.locator("h1")).to_contain_text("Bienvenue")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        _shot(page, "home-fr.png")

        page.get_by_test_id("lang-switch").click()
        html = page.locator("html")
        expect(html).to_have_attribute("dir", "rtl")
        expect(html).to_have_attribute("lang", "ar")
        expect(page.locator("h1")).to_contain_text("مرحبا")
        nav = page.locator("nav.nav")
        expect(nav).to_contain_text("الرئيسية")
        expect(nav).not_to_contain_text("Accueil")
        # The layout itself flips: the brand sits at the right edge in Arabic.
        brand = page.locator(".brand").bounding_box()
        assert brand is not None
        assert brand["x"] > 600
        _shot(page, "home-ar.png")

        page.goto(f"{live_server.url}/territories/")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("table.list")).to_contain_text("طنجة-تطوان-الحسيمة")

        # A phone screen: the table becomes a list of cards and nothing overflows sideways.
        phone = browser.new_page(viewport={"width": 375, "height": 740})
        phone.context.add_cookies(page.context.cookies())  # type: ignore[arg-type]
        phone.goto(f"{live_server.url}/territories/")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 375
        _shot(phone, "territories-ar-phone.png")
