"""The public finder: open programmes that fit, almost fit or not, with why; nothing stored."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from essor.conventions.tests.factories import make_programme
from essor.core.testing import Personas
from essor.programmes import services
from essor.programmes.finder import (
    AGE_LABEL,
    NONE_OF_THEM,
    FinderForm,
    match,
    open_programmes,
    subject_from,
)
from essor.programmes.models import Application, Programme, RuleKind
from essor.programmes.rules import describe
from essor.programmes.screening import Subject, evaluate_rule
from essor.registry.models import Person
from essor.territory.models import Commune

URL = "/programmes/which-support/"
YOUTH = {"min": 18, "max": 35}


def _rural_commune_of_region_01() -> Commune:
    commune: Commune | None = (
        Commune.objects.select_related("province")
        .filter(region__code="01", kind="rural")
        .order_by("code")
        .first()
    )
    assert commune is not None
    return commune


def _young_rural_women_programme(personas: Personas, **values: Any) -> Programme:
    """Open today: women aged 18 to 35 in the rural communes of region 01, never in Intilaka."""
    today = timezone.localdate()
    programme = make_programme(
        personas.own,
        opens_on=values.pop("opens_on", today - timedelta(days=10)),
        closes_on=values.pop("closes_on", today + timedelta(days=20)),
        name_fr=values.pop("name_fr", "Femmes rurales entreprenantes"),
        name_ar=values.pop("name_ar", "نساء قرويات مقاولات"),
        services_fr="Formation à la gestion, accompagnement de six mois.",
        **values,
    )
    for kind, params in (
        (RuleKind.AGE, YOUTH),
        (RuleKind.SEX, {"values": ["F"]}),
        (RuleKind.TERRITORY, {"regions": ["01"], "rural_only": True}),
    ):
        services.rule_set(actor=None, programme=programme, kind=kind, params=params)
    return programme


def _answers(commune: Commune, **overrides: Any) -> dict[str, Any]:
    answers = {"age": "24", "sex": "F", "province": commune.province.code, "commune": commune.code}
    answers.update(overrides)
    return {k: v for k, v in answers.items() if v is not None}


def _cards(html: str, testid: str) -> list[str]:
    return re.findall(
        rf'<article class="card verdict \w+" data-testid="{testid}">(.*?)</article>', html, re.S
    )


def _reason_fr(kind: str, params: dict[str, Any], subject: Subject) -> str:
    with translation.override("fr"):
        return escape(evaluate_rule(kind, params, subject).reason)


def test_anonymous_visitor_gets_the_finder_without_signing_in(db: None, client: Client) -> None:
    assert reverse("programmes:finder") == URL
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="answers"' in html
    assert 'data-testid="privacy"' in html
    assert 'data-testid="results"' not in html  # no answer yet, no result


def test_young_rural_woman_of_region_01_sees_the_fitting_programme_and_why(
    personas: Personas, client: Client
) -> None:
    programme = _young_rural_women_programme(personas)
    commune = _rural_commune_of_region_01()

    response = client.get(URL, _answers(commune))

    assert response.status_code == 200
    html = response.content.decode()
    fits = _cards(html, "fit")
    assert len(fits) == 1
    assert _cards(html, "almost") == []
    assert programme.name_fr in fits[0]
    assert _reason_fr("age", YOUTH, Subject(age=24)) in fits[0]
    assert _reason_fr("sex", {"values": ["F"]}, Subject(sex="F")) in fits[0]
    with translation.override("fr"):
        place = escape(commune.label)
    assert place in fits[0]  # the commune by its name, not its HCP code
    assert "Formation à la gestion" in fits[0]
    assert personas.own.label in fits[0]
    assert f'href="{reverse("programmes:apply", args=[programme.pk])}"' in fits[0]


def test_fifty_year_old_sees_the_programme_among_those_that_almost_fit_with_the_age_reason(
    personas: Personas, client: Client
) -> None:
    programme = _young_rural_women_programme(personas)
    commune = _rural_commune_of_region_01()

    html = client.get(URL, _answers(commune, age="50")).content.decode()

    assert _cards(html, "fit") == []
    almost = _cards(html, "almost")
    assert len(almost) == 1
    assert programme.name_fr in almost[0]
    with translation.override("en"):
        reason = evaluate_rule("age", YOUTH, Subject(age=50)).reason
    assert reason.startswith("Age 50: the programme is for 18 to 35")
    assert _reason_fr("age", YOUTH, Subject(age=50)) in almost[0]


def test_a_closed_programme_never_appears(personas: Personas, client: Client) -> None:
    today = timezone.localdate()
    closed = make_programme(personas.own, name_fr="Clos hier", closes_on=today - timedelta(days=1))
    future = make_programme(personas.own, name_fr="Ouvre demain", opens_on=today + timedelta(1))
    always = make_programme(personas.own, name_fr="Toujours ouvert")
    commune = _rural_commune_of_region_01()

    for answers in ({}, _answers(commune)):
        html = client.get(URL, answers).content.decode()
        assert closed.name_fr not in html
        assert future.name_fr not in html
    assert always.name_fr in "".join(_cards(html, "fit"))
    assert 'data-testid="others"' not in html  # closed programmes are not counted either


def test_an_unanswered_age_is_unknown_and_the_question_is_listed(
    personas: Personas, client: Client
) -> None:
    programme = _young_rural_women_programme(personas)
    commune = _rural_commune_of_region_01()

    html = client.get(URL, _answers(commune, age=None)).content.decode()

    assert _cards(html, "fit") == []  # never a silent pass
    almost = _cards(html, "almost")
    assert len(almost) == 1
    assert programme.name_fr in almost[0]
    with translation.override("fr"):
        assert escape(describe("age", YOUTH)) in almost[0]
        assert escape(str(AGE_LABEL)) in almost[0]


def test_the_page_in_arabic_is_right_to_left_with_the_arabic_name(
    personas: Personas,
) -> None:
    programme = _young_rural_women_programme(personas)
    commune = _rural_commune_of_region_01()
    client = Client(HTTP_ACCEPT_LANGUAGE="ar")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    html = client.get(URL, _answers(commune)).content.decode()

    assert '<html lang="ar" dir="rtl">' in html
    fits = _cards(html, "fit")
    assert len(fits) == 1
    assert programme.name_ar in fits[0]
    assert programme.name_fr not in fits[0]
    assert commune.name_ar in fits[0]


def test_a_finder_request_writes_nothing_and_reads_in_a_handful_of_queries(
    personas: Personas, client: Client, django_assert_max_num_queries: Any
) -> None:
    for number in range(8):
        programme = _young_rural_women_programme(
            personas, name_fr=f"Programme {number}", code=f"finder-{number}"
        )
        services.rule_set(
            actor=None,
            programme=programme,
            kind=RuleKind.PRIOR_SUPPORT,
            params={"programmes": ["intilaka"]},
        )
    commune = _rural_commune_of_region_01()
    before = (Application.objects.count(), Person.objects.count(), Session.objects.count())
    answers = _answers(
        commune,
        sector="agriculture",
        legal_form="informal",
        organisation_age="0",
        stage="idea",
        needs=["training", "financing"],
        prior=[NONE_OF_THEM],
    )

    with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as queries:
        response = client.get(URL, answers)

    assert response.status_code == 200
    assert len(_cards(response.content.decode(), "fit")) == 8
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert writes == []
    after = (Application.objects.count(), Person.objects.count(), Session.objects.count())
    assert after == before
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert "no-store" in response["Cache-Control"]


def test_choosing_a_province_lists_its_communes(db: None, client: Client) -> None:
    commune = _rural_commune_of_region_01()

    html = client.get(
        URL, {"province": commune.province.code}, headers={"HX-Request": "true"}
    ).content.decode()

    assert f'<option value="{commune.code}">' in html
    assert 'hx-select="#field-commune"' in html


def test_the_finder_does_not_accept_posts(db: None, client: Client) -> None:
    assert client.post(URL, {"age": "24"}).status_code == 405


# --- The matching itself ----------------------------------------------------------------------


def _form(programmes: list[Programme], answers: dict[str, Any]) -> FinderForm:
    form = FinderForm(answers, programmes=programmes)
    assert form.is_valid(), form.errors
    return form


@pytest.mark.parametrize(
    ("prior", "expected"),
    [([], None), ([NONE_OF_THEM], []), (["intilaka"], ["intilaka"])],
    ids=["unanswered", "none-of-them", "ticked"],
)
def test_prior_support_is_unknown_none_or_declared(
    personas: Personas, prior: list[str], expected: list[str] | None
) -> None:
    programme = make_programme(personas.own, opens_on=None, closes_on=None)
    services.rule_set(
        actor=None,
        programme=programme,
        kind=RuleKind.PRIOR_SUPPORT,
        params={"programmes": ["intilaka", "forsa"]},
    )
    programmes = open_programmes(timezone.localdate())
    form = _form(programmes, {"prior": prior})
    assert [box.data["value"] for box in form["prior"]] == ["forsa", "intilaka", "none"]

    subject = subject_from(form)

    if expected is None:
        assert subject.prior is None
    else:
        assert subject.prior is not None
        assert [(p.programme, p.year, p.source) for p in subject.prior] == [
            (code, None, "declared") for code in expected
        ]
    result = match(programmes, subject, timezone.localdate())
    assert (len(result.fits), len(result.almost), result.others_count) == {
        "unanswered": (0, 1, 0),
        "none-of-them": (1, 0, 0),
        "ticked": (0, 1, 0),
    }["unanswered" if expected is None else "ticked" if expected else "none-of-them"]


def test_ticking_a_programme_and_none_of_them_is_refused(personas: Personas) -> None:
    programme = make_programme(personas.own)
    services.rule_set(
        actor=None,
        programme=programme,
        kind=RuleKind.PRIOR_SUPPORT,
        params={"programmes": ["intilaka"]},
    )
    form = FinderForm(
        {"prior": ["intilaka", NONE_OF_THEM]}, programmes=open_programmes(timezone.localdate())
    )
    assert not form.is_valid()
    assert list(form.errors) == ["prior"]


def test_a_province_alone_gives_its_region_and_the_commune_stays_unknown(
    personas: Personas,
) -> None:
    commune = _rural_commune_of_region_01()
    form = _form([], {"province": commune.province.code})

    subject = subject_from(form)

    assert (subject.region, subject.province, subject.commune) == (
        "01",
        commune.province.code,
        None,
    )


def test_an_idea_is_an_informal_project_of_no_years(db: None) -> None:
    subject = subject_from(_form([], {"stage": "idea"}))

    assert (subject.legal_form, subject.organisation_age) == ("informal", 0)
    assert (subject.age, subject.sex, subject.prior) == (None, None, None)


def test_two_failing_rules_are_counted_not_shown(personas: Personas) -> None:
    _young_rural_women_programme(personas)
    today = timezone.localdate()

    result = match(open_programmes(today), Subject(age=50, sex="M"), today)

    assert (result.fits, result.almost, result.others_count) == ([], [], 1)


def test_match_leaves_out_programmes_closed_on_the_day(personas: Personas) -> None:
    programme = make_programme(personas.own, opens_on=date(2025, 1, 1), closes_on=date(2025, 3, 31))

    inside = match([programme], Subject(), date(2025, 3, 31))
    after = match([programme], Subject(), date(2025, 4, 1))

    assert [v.programme for v in inside.fits] == [programme]
    assert (after.fits, after.almost, after.others_count) == ([], [], 0)


def test_rules_the_finder_does_not_ask_are_listed_for_the_application(
    personas: Personas,
) -> None:
    programme = make_programme(personas.own, services_fr="Subvention d'équipement")
    services.rule_set(
        actor=None, programme=programme, kind=RuleKind.EMPLOYEES_MAX, params={"count": 5}
    )
    services.rule_set(
        actor=None, programme=programme, kind=RuleKind.GRANT, params={"max_share_pct": 50}
    )
    today = timezone.localdate()

    with translation.override("fr"):
        result = match(
            open_programmes(today), Subject(), today, needs=["equipment", "financing", "training"]
        )
        expected_rule = describe("employees_max", {"count": 5})

    assert len(result.fits) == 1
    found = result.fits[0]
    assert found.on_application == [expected_rule]
    assert len(found.offers) == 1
    assert len(found.needs) == 2  # equipment (its text) and financing (its grant), not training


# --- In a browser, on a phone ------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_phone_in_arabic_the_answers_find_the_programme(live_server: Any) -> None:
    from playwright.sync_api import expect

    from essor.core.browser import chromium
    from essor.core.testing import make_personas

    programme = _young_rural_women_programme(make_personas())
    commune = _rural_commune_of_region_01()
    with chromium() as browser:
        context = browser.new_context(
            viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
        )
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}]
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}{URL}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")

        page.locator("#id_age").fill("24")
        page.locator("label[for=id_sex_1]").tap()
        page.locator("#id_province").select_option(commune.province.code)
        # The commune list arrives by htmx once the province is chosen.
        expect(page.locator(f"#id_commune option[value='{commune.code}']")).to_have_count(1)
        page.locator("#id_commune").select_option(commune.code)
        page.locator("#answers button[type=submit]").tap()

        fit = page.get_by_test_id("fit")
        expect(fit).to_have_count(1)
        expect(fit).to_contain_text(programme.name_ar)
        expect(fit).to_contain_text(commune.name_ar)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        # Large tap targets: the answer buttons are at least 44 px high.
        box = page.locator("label[for=id_sex_1]").bounding_box()
        assert box is not None
        assert box["height"] >= 44
        shots = os.environ.get("ESSOR_SCREENSHOTS")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / "finder-ar-phone.png"), full_page=True)
        context.close()
