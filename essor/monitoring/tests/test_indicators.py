"""Indicators computed by hand on a small fixed data set, compared exactly.

The data set (``conftest.World``) holds the edge cases: a person supported by two programmes
(counted once), a merged duplicate who attended a session (counted as the survivor), an
archived record (left out), a person marked absent (not reached), a reversed payment (not
paid), an application of another year, a convention that shares a person with another.
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

import pytest

from essor.core.testing import Personas
from essor.monitoring.indicators import (
    BY_CODE,
    Period,
    PeriodError,
    Scope,
    breakdown,
    compute,
)
from essor.monitoring.models import FollowUp, FollowUpStatus
from essor.monitoring.selectors import targets_against_actuals

from .conftest import World

Y2025 = Period(2025, 2025)


# What a programme officer computes by hand for convention 1 in 2025.
C1_2025 = {
    # Amina (2 programmes + her merged duplicate), Youssef (coaching), Khadija (grant).
    # Salma is archived; Omar was absent in 2025 and enrolled in 2023.
    "holders_reached": 3,
    "applications": 3,
    "selection_rate": Decimal("66.7"),
    "women_pct": Decimal("66.7"),
    "young_pct": Decimal("66.7"),  # Amina 30 and Khadija 25; Youssef is 45
    "rural_pct": Decimal("50.0"),  # Amina rural, Youssef urban, Khadija's commune unknown
    "holders_trained": 1,
    "holders_coached": 1,
    "sessions_held": 4,  # 3 training sessions and 1 coaching session of 2025 with someone present
    # Training only: Amina 2 × 3 h and her duplicate 3 h; Youssef's coaching is not training.
    "training_hours": Decimal("9.0"),
    "enterprises_formalised": 1,
    "cooperatives_supported": 1,
    "jobs_created": 2,  # Omar's latest survey (12 months, done in 2025)
    "jobs_kept": 1,
    "survival_12": Decimal("100.0"),
    "survival_24": None,
    "grants_committed": Decimal("50000.00"),
    "loans_committed": Decimal("0.00"),
    "funding_committed": Decimal("50000.00"),
    "funding_disbursed": Decimal("20000.00"),  # the second tranche was reversed
    "cost_per_holder": Decimal("6666.67"),
    "budget_execution_pct": Decimal("2.0"),
    "contributions_pledged": Decimal("600000.00"),
    "contributions_received": Decimal("200000.00"),  # the 2026 payment is after the period
}


def test_convention_indicators_match_the_hand_computation(world: World) -> None:
    assert compute(Scope("convention", world.c1), Y2025) == C1_2025


def test_a_person_in_two_conventions_counts_in_each_and_once_nationally(world: World) -> None:
    c2 = compute(Scope("convention", world.c2), Y2025)
    assert (c2["applications"], c2["holders_reached"]) == (1, 0)
    national = compute(Scope("national"), Y2025)
    assert (national["applications"], national["holders_reached"]) == (4, 3)


def test_an_earlier_year_holds_only_its_own_records(world: World) -> None:
    values = compute(Scope("convention", world.c1), Period(2023, 2024))
    # Omar: applied in 2023 (enrolled that year), present in June 2024.
    assert values["applications"] == 1
    assert values["holders_reached"] == 1
    assert values["holders_trained"] == 1
    assert values["jobs_created"] == 0  # his latest survey was done in 2025
    assert values["funding_disbursed"] == Decimal("0.00")


def test_breakdown_by_sex_and_age_band_adds_up_to_the_total(world: World) -> None:
    by_sex = {
        r.key: r.values["holders_reached"]
        for r in breakdown(Scope("convention", world.c1), Y2025, "sex")
    }
    # Sessions have no sex: their row ("not known") holds them and reaches nobody.
    assert by_sex == {"F": 2, "M": 1, "": 0}
    by_age = {
        r.key: r.values["holders_reached"]
        for r in breakdown(Scope("convention", world.c1), Y2025, "age_band")
    }
    # Sessions have no age: their row ("not known") reaches nobody.
    assert by_age == {"< 18": 0, "18-24": 0, "25-35": 2, "36-45": 1, "46-60": 0, "> 60": 0, "": 0}


def test_breakdown_by_programme_counts_a_person_in_each_programme(world: World) -> None:
    rows = {r.key: r.values for r in breakdown(Scope("convention", world.c1), Y2025, "programme")}
    assert rows[world.p1_prog.pk]["holders_reached"] == 2  # Amina, Khadija
    assert rows[world.p2_prog.pk]["holders_reached"] == 2  # Amina, Youssef


def test_a_region_scope_counts_the_people_living_there(world: World) -> None:
    region = world.rural.region
    values = compute(Scope("region", region), Y2025)
    assert values["holders_reached"] == 2  # Khadija has no commune


def test_targets_have_a_status_against_the_actuals(world: World) -> None:
    statuses = {
        t.target.indicator: (t.actual, t.status)
        for t in targets_against_actuals(world.c1, Y2025, today=date(2025, 12, 31))
    }
    # Holders reached since the start (2024): Amina, Youssef, Khadija and Omar (2024).
    # Two years out of three elapsed: 10 × 2/3 = 6.7 expected, 4 < 0.9 × 6.7.
    assert statuses["projects_supported"] == (4, "at_risk")
    assert statuses["women_share"] == (Decimal("50.0"), "reached")
    assert statuses["holders_trained"] == (2, "late")  # due in June 2025: 2 of 5


def test_follow_ups_are_scheduled_6_12_24_months_after_exit(world: World) -> None:
    assert {w: f.due_on for w, f in world.waves.items()} == {
        6: date(2024, 7, 15),
        12: date(2025, 1, 15),
        24: date(2026, 1, 15),
    }
    assert FollowUp.objects.get(pk=world.waves[24].pk).status == FollowUpStatus.DUE


def test_a_period_that_is_not_one_is_refused_with_what_to_type() -> None:
    with pytest.raises(PeriodError, match="2023-2025"):
        Period.parse("l'an dernier")
    with pytest.raises(PeriodError):
        Period.parse("2026-2024")
    assert Period.parse(" 2023 - 2025 ") == Period(2023, 2025)


def test_the_page_pdf_xlsx_and_api_show_the_same_figures(
    world: World, client_for: Any, api_for: Any, personas: Personas
) -> None:
    import pdfplumber
    from openpyxl import load_workbook

    from essor.monitoring.dashboards import display
    from essor.monitoring.reports import report_file

    member = personas.user("committee_member")
    page = client_for(member).get(f"/monitoring/conventions/{world.c1.pk}/?period=2025")
    assert page.status_code == 200
    html = page.content.decode()
    for code, value in C1_2025.items():
        # The figure sits in its own tile, above its name.
        tile = (
            r'<span class="figure">' + re.escape(display(code, value)) + r"</span>"
            r'<span class="caption">' + re.escape(escape(BY_CODE[code].label)) + "</span>"
        )
        assert re.search(tile, html), code

    api = api_for(member).get(
        "/api/v1/indicators", {"scope": "convention", "id": world.c1.pk, "period": "2025"}
    )
    assert api.status_code == 200
    from_api = {row["code"]: row["value"] for row in api.json()["indicators"]}
    for code, value in C1_2025.items():
        assert from_api[code] == (str(value) if isinstance(value, Decimal) else value), code

    content, _type, _name = report_file(world.c1, Y2025, lang="fr", fmt="xlsx")
    sheet = load_workbook(io.BytesIO(content))["Indicateurs"]
    from_xlsx = {row[0]: row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}
    for code, value in C1_2025.items():
        expected = (
            None if value is None else (float(value) if isinstance(value, Decimal) else value)
        )
        assert from_xlsx[code] == expected, code

    content, _type, _name = report_file(world.c1, Y2025, lang="fr", fmt="pdf")
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "Rapport du comité de suivi" in text
    lines = [line.replace("\xa0", " ") for line in text.splitlines()]
    from django.utils import translation

    with translation.override("fr"):
        for code, value in C1_2025.items():
            row = f"{BY_CODE[code].label} {display(code, value)}".replace("\xa0", " ")
            assert row in lines, code


def test_a_merged_person_counts_once_even_when_the_survivor_lacks_the_duplicates_details(
    world: World, personas: Personas
) -> None:
    from django.utils import timezone

    from essor.accompaniment.models import Participant, Session
    from essor.monitoring.facts import refresh
    from essor.registry.tests.factories import make_person

    survivor = make_person(personas.own, first_name="Hind", sex="F")  # no commune, no birth date
    duplicate = make_person(
        personas.own,
        first_name="Hind",
        sex="F",
        birth_date=date(1999, 1, 1),
        commune=world.rural,
    )
    duplicate.merged_into = survivor
    duplicate.archived_at = timezone.now()
    duplicate.save()
    sessions = Session.objects.filter(programme=world.p1_prog, starts_at__year=2025)
    first, second = sessions.order_by("starts_at")[:2]
    Participant.objects.create(session=first, person=survivor, present=True)
    Participant.objects.create(session=second, person=duplicate, present=True)
    refresh()
    # Before: 3 holders in the country and the convention, 2 in programme 1 (Amina, Khadija).
    expected = {"national": 4, "convention": 4, "programme": 3}
    scopes = (Scope("national"), Scope("convention", world.c1), Scope("programme", world.p1_prog))
    for scope in scopes:
        assert compute(scope, Y2025)["holders_reached"] == expected[scope.kind], scope.kind
    young = compute(Scope("national"), Y2025)
    assert young["young_pct"] == Decimal("66.7")  # Hind's age is the survivor's: unknown
