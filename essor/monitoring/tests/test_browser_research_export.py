"""In a real browser: an evaluator finds "Export for evaluation" on the monitoring page, picks a
programme and CSV, and downloads a file with the applicant's pseudonym and not her name."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from essor.conventions.tests.factories import make_convention, make_line, make_programme
from essor.core.browser import chromium
from essor.core.testing import PASSWORD, make_personas
from essor.monitoring.research import KEY_ENV, Pseudonymiser
from essor.programmes.models import Application, ApplicationStatus
from essor.registry.tests.factories import make_person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_evaluator_downloads_the_pseudonymised_csv(
    live_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, "browser-test-key-0123456789abcdef0123456789abcdef")
    personas = make_personas()
    evaluator = personas.user("evaluator")
    convention = make_convention(personas.own)
    programme = make_programme(personas.own, make_line(convention, personas.own))
    person = make_person(
        personas.own, first_name="Rachida", last_name="Bennani", birth_date=date(1992, 5, 4)
    )
    Application.objects.create(
        holder=personas.own,
        programme=programme,
        person=person,
        receipt="BR-1",
        channel="staff",
        status=ApplicationStatus.SUBMITTED,
        submitted_on=date(2025, 3, 10),
    )

    with chromium() as browser:
        page = browser.new_context(locale="fr-FR", accept_downloads=True).new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Nom d'utilisateur").fill(evaluator.username)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()

        page.goto(f"{live_server.url}/monitoring/")
        page.locator("a[href='/monitoring/export/']").click()
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.locator("table.list")).to_contain_text("age_band")
        page.locator("select[name=programme]").select_option(str(programme.pk))
        page.locator("input[name=format][value=csv]").check()
        with page.expect_download() as download:
            page.locator("main form button[type=submit]").click()
        # The browser's copy goes when the browser closes: read it now.
        raw = Path(download.value.path()).read_bytes()
        assert download.value.suggested_filename.endswith(".csv")
        assert errors == []

    assert b"Rachida" not in raw
    assert b"Bennani" not in raw
    assert b"1992" not in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["person"], r["age_band"], r["submitted_month"]) for r in rows] == [
        (Pseudonymiser().person(person.pk), "30-35", "2025-03")
    ]
