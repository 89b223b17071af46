"""In Chromium, with the Content-Security-Policy enforced: every area's main pages load without
a single violation or script error, htmx still searches as one types, and an administrator
turns on two-step verification and signs in with a code from the secret the page shows."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response, expect

from essor.accompaniment import services as accompaniment_services
from essor.accompaniment.tests.factories import make_session
from essor.accounts.tests.totp import totp
from essor.conventions.tests.factories import make_convention, make_line, make_programme
from essor.core.browser import chromium
from essor.core.testing import PASSWORD, make_personas
from essor.funding import services as funding_services
from essor.linkage.models import PersonPair
from essor.registry.tests.factories import make_person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Collects what the browser refused: CSP violations (the event) and script errors.
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`);
});
"""


class Watched:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        page.add_init_script(WATCH)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        # A resource that failed is recorded with its address by the "response" listener; the
        # console's copy has none, and Chromium adds one for the favicon it asks by itself
        # (the admin's pages name none), which Playwright does not report.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"console: {message.text}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.errors.append(f"{response.status} {response.url}")

    def visit(self, url: str) -> None:
        answer = self.page.goto(url)
        assert answer is not None, url
        assert answer.status == 200, url
        self.check(url)

    def check(self, where: str) -> None:
        violations = self.page.evaluate("window.__violations || []")
        assert violations == [], where
        assert self.errors == [], where


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_every_area_under_the_policy_and_two_step_sign_in(live_server) -> None:
    personas = make_personas()
    admin = personas.user("admin")
    base = live_server.url
    person = make_person(
        personas.own,
        first_name="Hanane",
        last_name="Chaoui",
        cin="AB700001",
        birth_date=date(1990, 5, 1),
    )
    twin = make_person(personas.own, first_name="Hanan", last_name="Chaoui", cin="AB700002")
    PersonPair.objects.create(left=person, right=twin, score=0.93)
    convention = make_convention(personas.own)
    line = make_line(convention, personas.own)
    programme = make_programme(personas.own, line)
    commitment = funding_services.commitment_create(
        actor=personas.user("programme_manager"),
        budget_line=line,
        programme=programme,
        person=person,
        amount=Decimal("80000"),
    )
    session = make_session(personas.own, admin)
    accompaniment_services.participant_add(actor=None, session=session, person=person)

    with chromium() as browser:
        page = browser.new_context(locale="fr-FR").new_page()
        # Generous: the machine that runs the suite may be busy with other work.
        page.set_default_timeout(30_000)
        watched = Watched(page)
        _sign_in(page, base, admin.username)
        expect(page.locator("h1")).to_contain_text("Bienvenue")
        watched.check("home")
        for url in (
            "/",
            "/registry/persons/",
            f"/registry/persons/{person.pk}/",
            "/conventions/",
            f"/conventions/{convention.pk}/",
            "/programmes/",
            f"/programmes/{programme.pk}/",
            "/funding/approvals/",
            f"/funding/commitments/{commitment.pk}/",
            "/accompaniment/",
            f"/accompaniment/sessions/{session.pk}/",
            "/monitoring/",
            f"/monitoring/conventions/{convention.pk}/",
            "/linkage/",
            "/territories/",
            "/accounts/me/",
        ):
            watched.visit(f"{base}{url}")

        # htmx under the policy: the list narrows as one types, without a page load.
        page.goto(f"{base}/registry/persons/")
        page.fill("#q", "AB700002")
        expect(page.locator("#person-rows")).not_to_contain_text("Hanane")
        expect(page.locator("#person-rows")).to_contain_text("Hanan")
        expect(page).to_have_url(f"{base}/registry/persons/?q=AB700002&sex=&commune=")
        watched.check("htmx search")

        # Two-step verification: the QR code page, then a sign-in with a code.
        watched.visit(f"{base}/accounts/me/security/")
        expect(page.locator("svg.qr")).to_be_visible()
        secret = page.get_by_test_id("totp-secret").inner_text()
        page.locator("input[name=code]").fill(totp(secret))
        page.locator("form:has(input[value=confirm]) button").click()
        expect(page.locator(".messages")).to_be_visible()
        watched.check("enrolled")
        page.locator("form[action$='/accounts/logout/'] button").click()
        _sign_in(page, base, admin.username)
        expect(page).to_have_url(f"{base}/accounts/login/code/")
        page.locator("input[name=code]").fill(totp(secret, time.time() + 30))
        page.get_by_role("button").last.click()
        expect(page.locator("h1")).to_contain_text("Bienvenue")
        watched.check("second step")

        # The operator's pages that essor does not write: the admin and the API docs.
        operator = browser.new_context(locale="fr-FR").new_page()
        operator.set_default_timeout(30_000)
        watched_operator = Watched(operator)
        assert personas.operator is not None
        _sign_in(operator, base, personas.operator.username)
        watched_operator.visit(f"{base}/admin/")
        watched_operator.visit(f"{base}/admin/accounts/user/")
        watched_operator.visit(f"{base}/admin/accounts/user/{admin.pk}/change/")
        watched_operator.visit(f"{base}/api/v1/docs/")
        expect(operator.locator(".swagger-ui .info")).to_be_visible()
        watched_operator.check("API docs rendered")

        # The watch itself works: an image from another origin is refused and reported.
        operator.evaluate(
            "document.body.insertAdjacentHTML('beforeend', "
            '\'<img alt="" src="https://example.invalid/x.png">\')'
        )
        operator.wait_for_function("window.__violations.length > 0")
        assert "img-src" in operator.evaluate("window.__violations[0]")
