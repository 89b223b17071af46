"""In a real browser: a clerk types a person in Arabic script and is told she may already be
registered in Latin script; a data clerk then merges a pair from the review page, in Arabic."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from essor.core.browser import chromium
from essor.core.testing import PASSWORD, make_personas
from essor.linkage.models import PairStatus, PersonPair
from essor.registry.models import Person
from essor.registry.tests.factories import make_person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_typing_a_known_person_warns_and_the_review_page_merges(live_server) -> None:
    personas = make_personas()
    clerk = personas.user("data_clerk")
    fatima = make_person(
        personas.own,
        first_name="Fatima Zahra",
        last_name="El Idrissi",
        birth_date=date(1994, 3, 21),
        cin="AB123456",
    )
    twin = make_person(
        personas.own,
        first_name_ar="فاطمة الزهراء",
        last_name_ar="الادريسي",
        birth_date=date(1994, 3, 21),
    )
    pair = PersonPair.objects.create(left=fatima, right=twin, score=0.97)

    with chromium() as browser:
        page = browser.new_context(locale="fr-FR").new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Nom d'utilisateur").fill(clerk.username)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()

        page.goto(f"{live_server.url}/registry/persons/new/")
        page.get_by_label("Prénom (caractères arabes)", exact=True).fill("فاطمة الزهراء")
        page.get_by_label("Nom (caractères arabes)", exact=True).fill("الإدريسي")
        page.get_by_label("Date de naissance").fill("1994-03-21")
        warning = page.get_by_test_id("similar")
        expect(warning).to_contain_text("existe peut-être déjà")
        expect(warning.get_by_role("link", name="Fatima Zahra El Idrissi")).to_be_visible()

        page.get_by_test_id("lang-switch").click()  # the review page, in Arabic
        page.goto(f"{live_server.url}/linkage/person/pairs/{pair.pk}/")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.get_by_test_id("evidence")).to_contain_text("متطابق")
        page.get_by_role("button", name="دمج").click()
        expect(page.locator(".messages")).to_contain_text("تم الدمج")

    twin.refresh_from_db()
    assert twin.merged_into_id == fatima.pk
    assert Person.objects.get(pk=fatima.pk).first_name_ar == "فاطمة الزهراء"
    assert PersonPair.objects.get(pk=pair.pk).status == PairStatus.MERGED
