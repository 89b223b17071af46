"""In a real browser, on a phone: a manager pastes an article, unticks a partner (its inputs
grey out, and come back when ticked again), saves; the draft holds what was kept."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import ViewportSize, expect

from essor.accounts.models import PartnerKind
from essor.accounts.tests.factories import PartnerFactory
from essor.conventions.extraction.text import nlp
from essor.conventions.models import Convention, ConventionStatus
from essor.core.browser import chromium
from essor.core.testing import PASSWORD, make_personas
from essor.territory.models import Region

from .test_extraction_seeds import read

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE: ViewportSize = {"width": 390, "height": 844}
TTA = "Tanger-Tétouan-Al Hoceima"


def test_a_manager_pastes_an_article_drops_a_partner_and_saves_the_draft(live_server: Any) -> None:
    personas = make_personas()
    manager = personas.user("programme_manager")
    tta = Region.objects.get(code="01")
    for code, kind, name in (
        ("cr-tta", PartnerKind.REGIONAL_COUNCIL, f"Conseil de la région {TTA}"),
        ("wilaya-tta", PartnerKind.WILAYA, f"Wilaya de la région {TTA}"),
    ):
        PartnerFactory.create(code=code, kind=kind, name_fr=name, region=tta, acronym="")
    errors: list[str] = []
    nlp()  # spaCy is loaded once per process: before the page's timer starts

    with chromium() as browser:
        page = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
        page.set_default_timeout(30_000)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Nom d'utilisateur").fill(manager.username)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.goto(f"{live_server.url}/conventions/")
        page.locator('a[href="/conventions/new/from-text/"]').click()
        page.locator("textarea[name=text]").fill(read("001"))
        page.locator("[data-testid=extract-form] button[type=submit]").click()

        expect(page.locator("[data-draft]")).to_have_count(1)
        expect(page.locator("mark", has_text="10 millions de dirhams")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        wilaya = page.locator('[data-field="wilaya:01"]')
        keep = wilaya.locator("input[data-keep]")
        amount = wilaya.locator('input[name$="_amount"]')
        keep.uncheck()
        expect(amount).to_be_disabled()
        keep.check()
        expect(amount).to_be_enabled()
        keep.uncheck()
        page.locator('input[name="d0-reference"]').fill("TTA-ESS-NAV")
        page.locator("form.extract-review button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text("TTA-ESS-NAV")

    assert errors == []
    convention = Convention.objects.get(reference="TTA-ESS-NAV")
    assert convention.status == ConventionStatus.DRAFT
    assert list(convention.parties.values_list("partner__code", flat=True)) == ["cr-tta"]
    assert "Ministère du Tourisme" in convention.source  # not in essor: listed, not lost
