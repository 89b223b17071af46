"""Screening: every rule type gives pass, fail and unknown, with its reason in French and Arabic."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from essor.programmes.screening import (
    FAIL,
    PASS,
    UNKNOWN,
    PriorSupport,
    Subject,
    evaluate_rule,
    outcome,
)

ON = date(2025, 6, 1)
FULL = Subject(
    age=28,
    sex="F",
    region="01",
    province="01.511",
    commune="01.511.01.0",
    rural=True,
    legal_form="cooperative",
    sector="agriculture",
    organisation_age=3,
    turnover=Decimal("400000"),
    employees=4,
    women_pct=70,
    young_pct=55,
    prior=[],
    project_cost=Decimal("200000"),
    requested=Decimal("100000"),
    own_contribution=Decimal("30000"),
    beneficiary_kind="cooperative",
    on=ON,
)

# kind, params, what makes it fail, what makes it unknown
CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    ("age", {"min": 18, "max": 35}, {"age": 41}, {"age": None}),
    ("sex", {"values": ["F"]}, {"sex": "M"}, {"sex": None}),
    (
        "territory",
        {"regions": ["01"], "provinces": [], "communes": [], "rural_only": True},
        {"rural": False},
        {"region": None, "province": None, "commune": None},
    ),
    ("legal_forms", {"values": ["cooperative"]}, {"legal_form": "sarl"}, {"legal_form": None}),
    ("sectors", {"values": ["agriculture"]}, {"sector": "tourism"}, {"sector": None}),
    (
        "organisation_age",
        {"min_years": 1, "max_years": 5},
        {"organisation_age": 9},
        {"organisation_age": None},
    ),
    ("turnover_max", {"amount": "500000.00"}, {"turnover": Decimal("900000")}, {"turnover": None}),
    ("employees_max", {"count": 10}, {"employees": 25}, {"employees": None}),
    ("women_share", {"min_pct": 50}, {"women_pct": 20}, {"women_pct": None}),
    ("young_share", {"min_pct": 30, "max_age": 35}, {"young_pct": 10}, {"young_pct": None}),
    (
        "prior_support",
        {"programmes": ["indh-p3", "intilaka"], "within_years": 5},
        {"prior": [PriorSupport("indh-p3", 2022, "commitment")]},
        {"prior": None},
    ),
    (
        "grant",
        {"max_share_pct": 60, "cap_person": "100000.00", "cap_cooperative": "300000.00"},
        {"requested": Decimal("150000")},
        {"requested": None},
    ),
    (
        "own_contribution",
        {"min_pct": 10},
        {"own_contribution": Decimal("5000")},
        {"own_contribution": None},
    ),
]
ARABIC = re.compile(r"[\u0600-\u06FF]")


@pytest.mark.parametrize(("kind", "params", "failing", "missing"), CASES, ids=[c[0] for c in CASES])
def test_every_rule_passes_fails_and_says_when_it_cannot_tell(
    kind: str, params: dict[str, Any], failing: dict[str, Any], missing: dict[str, Any]
) -> None:
    results = {
        PASS: evaluate_rule(kind, params, FULL),
        FAIL: evaluate_rule(kind, params, replace(FULL, **failing)),
        UNKNOWN: evaluate_rule(kind, params, replace(FULL, **missing)),
    }
    assert {status: r.status for status, r in results.items()} == {
        PASS: PASS,
        FAIL: FAIL,
        UNKNOWN: UNKNOWN,
    }
    for result in results.values():
        with translation.override("fr"):
            french = result.reason
        with translation.override("ar"):
            arabic = result.reason
        assert french
        assert not ARABIC.search(french), french
        assert ARABIC.search(arabic), f"{result.code}: {arabic}"
        with translation.override("en"):
            english = result.reason
        for value in result.params.values():  # the figures shown appear in both languages
            if value.isdigit() and value in english:
                assert value in french
                assert value in arabic


def test_reasons_read_as_a_committee_expects() -> None:
    age = evaluate_rule("age", {"min": 18, "max": 35}, replace(FULL, age=41))
    prior = evaluate_rule(
        "prior_support",
        {"programmes": ["indh-p3"], "within_years": None},
        replace(FULL, prior=[PriorSupport("indh-p3", 2022, "commitment")]),
    )
    missing = evaluate_rule("age", {"min": 18, "max": 35}, replace(FULL, age=None))
    with translation.override("fr"):
        assert age.reason == "Âge 41 : le programme est pour les 18 à 35 ans"
        assert prior.reason.startswith("Déjà soutenu par indh-p3 en 2022")
        assert "date de naissance" in missing.reason


def test_support_older_than_the_window_does_not_exclude() -> None:
    rule = {"programmes": ["intilaka"], "within_years": 2}
    old = replace(FULL, prior=[PriorSupport("intilaka", 2020, "Liste Intilaka")])
    recent = replace(FULL, prior=[PriorSupport("intilaka", 2024, "Liste Intilaka")])
    assert evaluate_rule("prior_support", rule, old).status == PASS
    assert evaluate_rule("prior_support", rule, recent).status == FAIL


def test_the_grant_is_capped_by_the_share_of_the_cost_and_by_the_kind_of_beneficiary() -> None:
    rule = {"max_share_pct": 60, "cap_person": "100000.00", "cap_cooperative": "300000.00"}
    cost = Decimal("400000")
    person = replace(FULL, beneficiary_kind="person", project_cost=cost)
    assert evaluate_rule("grant", rule, replace(person, requested=Decimal("100000"))).status == PASS
    assert evaluate_rule("grant", rule, replace(person, requested=Decimal("100001"))).status == FAIL
    coop = replace(FULL, project_cost=cost)
    assert evaluate_rule("grant", rule, replace(coop, requested=Decimal("240000"))).status == PASS
    assert evaluate_rule("grant", rule, replace(coop, requested=Decimal("240001"))).status == FAIL


def test_an_unknown_rule_never_passes_the_application() -> None:
    results = [
        evaluate_rule("age", {"min": 18, "max": 35}, FULL),
        evaluate_rule("sex", {"values": ["F"]}, replace(FULL, sex=None)),
    ]
    assert outcome(results) == "incomplete"
    results.append(evaluate_rule("sex", {"values": ["M"]}, FULL))
    assert outcome(results) == "ineligible"
