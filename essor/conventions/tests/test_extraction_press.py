"""Texts written for the second read, in the style of the Moroccan press (Le Matin,
L'Economiste, Hespress FR, MAP) and of a signed convention: what a programme officer would
check in each draft, exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from essor.conventions.extraction import ConventionProposal, extract

from .test_extraction_periods import period


def partners(draft: ConventionProposal) -> list[tuple[str, str, Decimal | None]]:
    return [(p.name, p.acronym, p.amount_mad) for p in draft.partners]


def envelope(draft: ConventionProposal) -> Decimal | None:
    return draft.envelope.value if draft.envelope else None


BENI_MELLAL = """Béni Mellal : une convention de 17 MDH pour soutenir les jeunes entrepreneurs

Une convention de partenariat a été signée, jeudi à Béni Mellal, entre le Conseil de la région \
Béni Mellal-Khénifra, l'Initiative nationale pour le développement humain (INDH) et l'Agence \
nationale de promotion de l'emploi et des compétences (ANAPEC), pour l'accompagnement de 3.000 \
jeunes âgés de 18 à 40 ans porteurs de projets. D'un montant global de 17 millions de dirhams, \
dont 12 MDH apportés par le Conseil régional et 5 MDH par l'INDH, cette convention s'étend sur \
trois ans (2024-2026). L'ANAPEC se charge de la formation et de l'accompagnement des \
bénéficiaires. Un comité de pilotage, présidé par le Wali de la région Béni Mellal-Khénifra, \
sera chargé du suivi de la mise en oeuvre de la convention.
"""


def test_each_partners_amount_the_total_young_people_by_age_and_the_walis_committee() -> None:
    (draft,) = extract(BENI_MELLAL)
    assert envelope(draft) == Decimal("17000000")
    assert [r.value for r in draft.regions] == ["05"]
    assert partners(draft) == [
        ("Conseil de la région Béni Mellal-Khénifra", "", Decimal("12000000")),
        ("Initiative nationale pour le développement humain", "INDH", Decimal("5000000")),
        ("Agence nationale de promotion de l'emploi et des compétences", "ANAPEC", None),
    ]
    assert draft.partners[2].roles == ["trainer"]
    assert period(draft) == (2024, 2026, 3)
    (target,) = draft.targets
    assert (target.value, target.unit, target.age_min, target.age_max) == (3000, "jeunes", 18, 40)
    assert draft.committee is not None
    committee = draft.committee.value
    assert (committee.name, committee.chair) == (
        "Comité de pilotage",
        "Wali de la région Béni Mellal-Khénifra",
    )
    assert committee.mandate == "suivi de la mise en oeuvre de la convention"


def test_a_billion_in_figures_over_five_years_with_a_bus_and_honour_loans() -> None:
    (draft,) = extract(
        "Souss-Massa: 1 MMDH pour l'emploi des jeunes\n\n"
        "Le Conseil de la région Souss-Massa a approuvé, lors de sa session ordinaire de mars, "
        "une convention-cadre d'un montant de 1 MMDH pour la promotion de l'emploi et de "
        "l'entrepreneuriat dans la région sur cinq ans. Le programme prévoit la création de "
        "2.500 TPE et l'octroi de prêts d'honneur aux porteurs de projets, ainsi que la mise en "
        "place d'une unité mobile sous la forme d'un bus qui servira de maison des TPE "
        "itinérante dans le monde rural."
    )
    assert envelope(draft) == Decimal("1000000000")
    assert period(draft) == (None, None, 5)
    assert [(t.value, t.unit, t.indicator) for t in draft.targets] == [
        (Decimal("2500"), "TPE", "enterprises_created")
    ]
    assert [s.value for s in draft.services] == ["mobile_unit", "honour_loans"]
    # The amount is not part of the title.
    assert draft.title.value == (
        "Convention-cadre pour la promotion de l'emploi et de l'entrepreneuriat dans la région "
        "sur cinq ans"
    )


def test_a_billion_in_words_said_in_the_headline_and_the_article() -> None:
    (draft,) = extract(
        "L'Oriental : un milliard de dirhams pour les TPE\n\n"
        "Un accord de partenariat portant sur un milliard de dirhams a été conclu à Oujda entre "
        "le Conseil de la région de l'Oriental, l'Agence de développement de l'Oriental et Maroc "
        "PME. Cet accord, au titre de 2024, vise à appuyer 1.200 auto-entrepreneurs et "
        "coopératives de la région."
    )
    assert envelope(draft) == Decimal("1000000000")
    assert [p.acronym for p in draft.partners] == ["", "Agence de l'Oriental", "Maroc PME"]
    assert period(draft) == (2024, 2024, 1)
    assert not draft.title.value.startswith("Accord de partenariat portant sur un milliard")


def test_two_conventions_of_donors_one_in_euros_with_dirhams_one_in_euros_alone() -> None:
    first, second = extract(
        "Coopération : l'AFD et la GIZ appuient les TPE de Marrakech-Safi\n\n"
        "Une convention de financement de 3 millions d'euros (environ 32 millions de dirhams) a "
        "été signée lundi à Marrakech entre l'Agence française de développement (AFD) et le "
        "Conseil de la région Marrakech-Safi. Parallèlement, la Coopération allemande (GIZ) a "
        "conclu avec Maroc PME un accord de 500.000 euros pour l'accompagnement de 400 très "
        "petites entreprises."
    )
    assert envelope(first) == Decimal("32000000")  # the dirhams the article gives
    assert first.envelope is not None
    assert first.envelope.note == ""
    assert [p.acronym for p in first.partners] == ["AFD", ""]
    assert envelope(second) == Decimal("5400000")  # converted, and said so
    assert second.envelope is not None
    assert "EUR" in second.envelope.note
    assert [p.acronym for p in second.partners] == ["GIZ", "Maroc PME"]
    assert [(t.value, t.unit) for t in second.targets] == [(400, "très petites entreprises")]
    assert second.title.value != first.title.value  # the headline is the first one's


def test_minutes_approving_two_conventions_told_one_by_one() -> None:
    first, second = extract(
        "Lors de sa session ordinaire du mois d'octobre, le Conseil de la région Fès-Meknès a "
        "approuvé deux conventions. La première convention, conclue avec la Chambre de "
        "commerce, d'industrie et de services de la région Fès-Meknès, porte sur un budget de "
        "2,96 millions de dirhams pour la formation de 500 porteurs de projets. La seconde "
        "convention, signée avec l'ANAPEC et l'OFPPT, d'un montant de 8,5 MDH, vise l'insertion "
        "de 1.000 jeunes diplômés."
    )
    assert envelope(first) == Decimal("2960000")
    assert [p.kind for p in first.partners] == ["regional_council", "chamber"]
    assert [(t.value, t.unit) for t in first.targets] == [(500, "porteurs de projets")]
    assert envelope(second) == Decimal("8500000")
    # The convention's amount, not the OFPPT's pledge.
    assert partners(second)[1:] == [
        ("Agence nationale de promotion de l'emploi et des compétences", "ANAPEC", None),
        ("Office de la formation professionnelle et de la promotion du travail", "OFPPT", None),
    ]
    assert [(t.value, t.unit) for t in second.targets] == [(1000, "jeunes")]


def test_a_ministry_with_a_long_portfolio_and_a_donor_in_euros_alone() -> None:
    (draft,) = extract(
        "Hespress FR - Le ministère de l'Inclusion économique, de la Petite entreprise, de "
        "l'Emploi et des Compétences et l'Agence espagnole de coopération internationale pour "
        "le développement (AECID) ont signé mercredi à Rabat une convention de partenariat "
        "d'une enveloppe de 2,96 millions d'euros destinée à l'autonomisation économique des "
        "femmes dans la région de Tanger-Tétouan-Al Hoceima. La convention, d'une durée de "
        "quatre ans, bénéficiera à 2.000 femmes et jeunes du monde rural."
    )
    assert [p.name for p in draft.partners] == [
        "Ministère de l'Inclusion économique, de la Petite entreprise, de l'Emploi et des "
        "Compétences",
        "Agence espagnole de coopération internationale pour le développement",
    ]
    assert envelope(draft) == Decimal("31968000.00")  # 2.96 M€ × 10.80
    assert [r.value for r in draft.regions] == ["01"]
    assert period(draft) == (None, None, 4)
    assert draft.title.value == (
        "Convention de partenariat destinée à l'autonomisation économique des femmes dans la "
        "région de Tanger-Tétouan-Al Hoceima"
    )


SIGNED_TEXT = """CONVENTION DE PARTENARIAT

Entre les soussignés :
Le Conseil de la région Casablanca-Settat, représenté par son Président, ci-après dénommé « le \
Conseil » ;
La Wilaya de la région Casablanca-Settat, représentée par le Wali ;
La Chambre de commerce, d'industrie et de services de la région Casablanca-Settat (CCIS-CS) ;
Maroc PME ;
Il a été convenu ce qui suit :
Article 1 : Objet. La présente convention a pour objet l'appui à la création et au \
développement de 800 très petites entreprises et de 200 coopératives dans la région.
Article 2 : Durée. La présente convention est conclue pour une durée de trois ans à compter du \
1er janvier 2025.
Article 3 : Financement. Le coût global du programme est de 45.000.000 dirhams, répartis comme \
suit : le Conseil : 30.000.000 dirhams ; Maroc PME : 10.000.000 dirhams ; la CCIS-CS : \
5.000.000 dirhams.
Article 4 : Comité de pilotage. Il est institué un comité de pilotage présidé par le Wali de la \
région Casablanca-Settat.
Fait à Casablanca, le 15 décembre 2024.
"""


def test_a_signed_convention_its_parties_shares_dates_and_committee() -> None:
    (draft,) = extract(SIGNED_TEXT)
    assert draft.title.value == "Convention de partenariat — Casablanca-Settat"
    assert envelope(draft) == Decimal("45000000")
    assert [r.value for r in draft.regions] == ["06"]
    assert [(p.kind, p.acronym, p.amount_mad) for p in draft.partners] == [
        ("regional_council", "", Decimal("30000000")),
        ("wilaya", "", None),
        ("chamber", "CCIS-CS", Decimal("5000000")),
        ("public_agency", "Maroc PME", Decimal("10000000")),
    ]
    assert (draft.start_on, draft.end_on) == (date(2025, 1, 1), date(2027, 12, 31))
    assert period(draft) == (2025, 2027, 3)
    assert draft.signed_on is not None
    assert draft.signed_on.value == date(2024, 12, 15)
    assert [(t.value, t.unit) for t in draft.targets] == [
        (800, "très petites entreprises"),
        (200, "coopératives"),
    ]
    assert draft.committee is not None
    assert draft.committee.value.chair == "Wali de la région Casablanca-Settat"


def test_a_convention_recalled_at_a_forum_is_not_announced() -> None:
    assert (
        extract(
            "Forum régional de l'entrepreneuriat à Tanger\n\n"
            "Le forum s'est tenu samedi à Tanger, en présence de représentants de la CCIS, de "
            "l'ANAPEC et de la GIZ. Les intervenants ont rappelé que la convention signée en "
            "2021 entre la région et l'INDH a permis d'accompagner plus de 2.000 porteurs de "
            "projets. Un budget de 20 MDH avait alors été mobilisé."
        )
        == []
    )


def test_shares_listed_as_amounts_for_each_partner_add_up_to_the_envelope() -> None:
    (draft,) = extract(
        "Le Conseil de la région Guelmim-Oued Noun a approuvé, lors de sa session "
        "extraordinaire, plusieurs points, dont une convention de partenariat avec l'Office du "
        "développement de la coopération (ODCO) et l'INDH pour l'appui à 250 coopératives. La "
        "contribution des partenaires se répartit comme suit : 5 MDH pour le Conseil régional, "
        "3 MDH pour l'INDH et 2 MDH pour l'ODCO."
    )
    assert {p.acronym or p.kind: p.amount_mad for p in draft.partners} == {
        "regional_council": Decimal("5000000"),
        "ODCO": Decimal("2000000"),
        "INDH": Decimal("3000000"),
    }
    assert envelope(draft) == Decimal("10000000")
    assert draft.envelope is not None
    assert draft.envelope.confidence == 0.5


def test_a_tripartite_convention_with_a_bank_and_a_fiscal_year() -> None:
    (draft,) = extract(
        "L'Economiste - Une convention tripartite a été signée entre le ministère de l'Economie "
        "et des Finances, Tamwilcom et Bank Of Africa pour un programme de garantie de 300 "
        "millions de DH destiné aux TPE au titre de l'exercice 2025."
    )
    assert [p.name for p in draft.partners] == [
        "Ministère de l'Economie et des Finances",
        "Tamwilcom",
        "Bank Of Africa",
    ]
    assert envelope(draft) == Decimal("300000000")
    assert draft.regions == []  # a national programme: no region invented
    assert period(draft) == (2025, 2025, 1)


def test_two_conventions_told_one_by_one_without_repeating_the_word() -> None:
    first, second = extract(
        "Le Conseil provincial de Taza et le Conseil de la région Fès-Meknès ont signé deux "
        "conventions de partenariat. La première, d'un montant de 4 MDH, porte sur "
        "l'accompagnement de 200 coopératives. La seconde concerne la formation de 300 jeunes "
        "porteurs de projets, pour un budget de 1,5 MDH."
    )
    assert (envelope(first), envelope(second)) == (Decimal("4000000"), Decimal("1500000"))
    assert [(t.value, t.unit) for t in first.targets] == [(200, "coopératives")]
    assert [(t.value, t.unit) for t in second.targets] == [(300, "jeunes")]
    # The signing sentence is both conventions': both councils are parties of each.
    assert [p.name for p in first.partners] == [p.name for p in second.partners]
    assert "Conseil de la région Fès-Meknès" in [p.name for p in second.partners]
