"""Periods, partners' names and targets as the press writes them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from essor.conventions.extraction import ConventionProposal, extract

SIGNED = (
    "Une convention de partenariat a été signée entre le Conseil régional de Fès-Meknès et l'ANAPEC"
)


def one(text: str) -> ConventionProposal:
    (draft,) = extract(text)
    return draft


def period(draft: ConventionProposal) -> tuple[int | None, int | None, int | None]:
    return (
        draft.start_year.value if draft.start_year else None,
        draft.end_year.value if draft.end_year else None,
        draft.duration_years.value if draft.duration_years else None,
    )


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("pour la période 2023-2025", (2023, 2025, 3)),
        ("de 2024 à 2026", (2024, 2026, 3)),
        ("entre 2022 et 2023", (2022, 2023, 2)),
        ("au titre de 2024", (2024, 2024, 1)),
        ("au titre de l'année 2025", (2025, 2025, 1)),
        ("sur cinq ans", (None, None, 5)),
        ("d'une durée de trois ans", (None, None, 3)),
        ("pour une période de 4 années", (None, None, 4)),
        ("sur trois ans à partir de 2024", (2024, 2026, 3)),
        ("sur cinq ans à l'horizon 2030", (2026, 2030, 5)),
        ("dans le cadre d'un programme quinquennal", (None, None, 5)),
        ("en 2013", (None, None, None)),
        ("", (None, None, None)),
    ],
)
def test_periods(words: str, expected: tuple[int | None, int | None, int | None]) -> None:
    assert period(one(f"{SIGNED} {words}.")) == expected


def test_dates_of_a_period_and_of_the_signature() -> None:
    draft = one(
        "Une convention de partenariat, signée le 1er mars 2024 entre le Conseil régional de "
        "l'Oriental et l'ADS, court du 1er avril 2024 au 31 mars 2027."
    )
    assert (draft.start_on, draft.end_on) == (date(2024, 4, 1), date(2027, 3, 31))
    assert period(draft) == (2024, 2027, 3)  # three years, not the four calendar years
    assert draft.signed_on is not None
    assert draft.signed_on.value == date(2024, 3, 1)


def test_the_date_of_the_article_is_not_the_period() -> None:
    draft = one(f"{SIGNED}.\nLe 08/08/2023\nSource web par : lopinion")
    assert period(draft) == (None, None, None)
    assert draft.signed_on is None


def test_partners_by_acronym_and_long_name() -> None:
    draft = one(
        "Une convention a été signée en partenariat avec Maroc PME, l'Agence de développement "
        "social (ADS), la coopération allemande (GIZ), l'AFD, la Fondation Mohammed V pour la "
        "solidarité, le Comité provincial de développement humain (CPDH) de Taza et l'OFPPT."
    )
    assert [(p.acronym, p.kind) for p in draft.partners] == [
        ("Maroc PME", "public_agency"),
        ("ADS", "public_agency"),
        ("GIZ", "donor"),
        ("AFD", "donor"),
        ("FM5", "association"),
        ("CPDH", "indh"),
        ("OFPPT", "training_institution"),
    ]


def test_an_organisation_outside_the_lists_is_proposed_with_less_confidence() -> None:
    draft = one(
        "Une convention de partenariat a été signée entre la Chambre de commerce, d'industrie et "
        "de services de la région Fès-Meknès et l'Instance marocaine des entreprises (IME)."
    )
    names = {p.name: p for p in draft.partners}
    assert set(names) == {
        "Chambre de commerce, d'industrie et de services de la région Fès-Meknès",
        "Instance marocaine des entreprises",
    }
    ime = names["Instance marocaine des entreprises"]
    assert ime.acronym == "IME"
    assert ime.confidence < names[next(n for n in names if n.startswith("Chambre"))].confidence


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("au profit de 3.000 jeunes âgés de 18 à 40 ans", (Decimal(3000), "jeunes", "other")),
        (
            "pour former 1 200 porteurs de projets",
            (Decimal(1200), "porteurs de projets", "holders_trained"),
        ),
        ("visant la création de 500 emplois", (Decimal(500), "emplois", "jobs_created")),
        (
            "pour accompagner 250 coopératives",
            (Decimal(250), "coopératives", "cooperatives_supported"),
        ),
        (
            "et la création de deux mille entreprises",
            (Decimal(2000), "entreprises", "enterprises_created"),
        ),
    ],
)
def test_targets(words: str, expected: tuple[Decimal, str, str]) -> None:
    (target,) = one(f"{SIGNED} {words}.").targets
    assert (target.value, target.unit, target.indicator) == expected


def test_a_share_of_women_is_a_target_in_percent() -> None:
    (target,) = one(f"{SIGNED}, avec au moins 30 % de femmes parmi les bénéficiaires.").targets
    assert (target.value, target.unit, target.indicator) == (Decimal(30), "%", "women_share")
