"""The five seed articles, read by essor: what each states, and nothing it does not.

The expected values were written by hand from the articles (``shared/seeds``):

- 000 (Kiosque360 / Aujourd'hui Le Maroc): a *projet de convention* in Tanger-Tétouan-Al
  Hoceima; the region (its council) mobilises 25 MDH and buys a bus as a mobile *maison des
  TPE*; CCIS-TTA sets up the urban spaces and trains; the wilaya adds money if needed; the
  Institution régionale de la formation et de développement takes part; INDH trains and funds
  more than 1,500 projects. No period, no committee. Intilaka and INDH named as programmes the
  TPE never had are not what makes INDH a party: its own commitment is.
- 001 (L'Opinion): about 10 MDH; council, wilaya and the ministry of tourism, handicraft and
  ESS; 2023-2025; a committee chaired by the Wali. The AECID is party to *another* convention
  (the ministry's), named as a frame: not a party here. The page's related articles (5 MMDH,
  10.000 visitors, a thousand cooperatives) are other stories.
- 002 (MAP): a programme contract in Laâyoune-Boujdour-Sakia El Hamra (today's region 11) over
  5 years, 105.5 MDH through the Fonds d'économie sociale (a fund, not a partner); the
  ministry of general affairs ("son département") and the Agence du Sud. Rabat-Salé-Zemmour-Zaër
  is the earlier experience, not this convention's region.
- 003 (ALM): a GIZ-ministry partnership that trained counsellors, and a strategy to come: no
  convention is announced.
- 004 (MAP): a meeting in Fès within an agreement concluded earlier between the chamber and
  the IME: no convention is announced.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings

from essor.conventions.extraction import ConventionProposal, extract

SEEDS = settings.ESSOR_SHARED_DIR / "seeds"
TTA = "Tanger-Tétouan-Al Hoceima"


def read(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


Drafts = dict[str, list[ConventionProposal]]


@pytest.fixture(scope="module")
def drafts() -> Drafts:
    return {prefix: extract(read(prefix)) for prefix in ("000", "001", "002", "003", "004")}


def partners(draft: ConventionProposal) -> dict[str, tuple[str, Decimal | None]]:
    return {p.name: (p.acronym, p.amount_mad) for p in draft.partners}


def period(draft: ConventionProposal) -> tuple[int | None, int | None, int | None]:
    return (
        draft.start_year.value if draft.start_year else None,
        draft.end_year.value if draft.end_year else None,
        draft.duration_years.value if draft.duration_years else None,
    )


def targets(draft: ConventionProposal) -> list[tuple[Decimal, str, str, str]]:
    return [(t.value, t.unit, t.text, t.indicator) for t in draft.targets]


def test_000_the_tta_council_mobilises_25_mdh_with_four_partners(drafts: Drafts) -> None:
    (draft,) = drafts["000"]
    assert draft.kind == "partnership"
    assert draft.envelope is not None
    assert draft.envelope.value == Decimal("25000000.00")
    assert draft.envelope.evidence is not None
    assert draft.envelope.evidence.words == ["25 millions de DH"]
    assert [r.value for r in draft.regions] == ["01"]
    assert partners(draft) == {
        f"Conseil de la région {TTA}": ("", Decimal("25000000.00")),
        f"Chambre de commerce, d'industrie et de services de la région {TTA}": ("CCIS-TTA", None),
        f"Wilaya de la région {TTA}": ("", None),
        "Institution régionale de la formation et de développement": ("IRFD", None),
        "Initiative nationale pour le développement humain": ("INDH", None),
    }
    roles = {p.acronym or p.kind: p.roles for p in draft.partners}
    assert roles["regional_council"] == ["funder"]
    assert roles["CCIS-TTA"] == ["host", "trainer"]
    assert roles["INDH"] == ["trainer"]
    assert period(draft) == (None, None, None)
    assert draft.signed_on is None
    assert targets(draft) == [
        (Decimal("1500"), "projets", "plus de 1.500 projets", "projects_supported")
    ]
    assert draft.committee is None
    assert [g.value for g in draft.target_groups] == ["tpe", "rural", "project_holders", "ess"]
    assert [s.value for s in draft.services] == [
        "training",
        "coaching",
        "mobile_unit",
        "maison_des_tpe",
        "financing",
    ]
    assert draft.title.value.startswith("Convention de partenariat visant à soutenir les porteurs")


def test_001_about_10_mdh_for_2023_2025_with_a_committee_chaired_by_the_wali(
    drafts: Drafts,
) -> None:
    (draft,) = drafts["001"]
    assert draft.envelope is not None
    assert draft.envelope.value == Decimal("10000000.00")
    assert draft.envelope.confidence < 0.9  # "environ"
    assert [r.value for r in draft.regions] == ["01"]
    assert partners(draft) == {
        f"Conseil de la région {TTA}": ("", None),
        f"Wilaya de la région {TTA}": ("", None),
        "Ministère du Tourisme, de l'Artisanat et de l'Economie sociale et solidaire": ("", None),
    }
    assert {p.kind: p.roles for p in draft.partners}["ministry"] == ["funder"]
    assert period(draft) == (2023, 2025, 3)
    assert draft.start_year is not None
    assert draft.start_year.evidence is not None
    assert draft.start_year.evidence.words == ["période 2023-2025"]
    assert targets(draft) == []
    assert draft.committee is not None
    assert draft.committee.value.name == "Comité de suivi"
    assert draft.committee.value.chair == "Wali de la région"
    assert draft.committee.value.mandate.startswith("élaborer les programmes et plans d'action")
    assert [g.value for g in draft.target_groups] == [
        "young_people",
        "women",
        "project_holders",
        "ess",
    ]
    assert [s.value for s in draft.services] == ["training", "coaching", "financing", "fair"]
    assert draft.title.value == (
        "Région TTA : Accompagnement des acteurs de l'Economie sociale et solidaire"
    )


def test_001_the_aecid_of_another_convention_is_not_a_party(drafts: Drafts) -> None:
    (draft,) = drafts["001"]
    assert not any("AECID" in p.acronym or "espagnole" in p.name for p in draft.partners)


def test_002_a_five_year_programme_contract_of_105_5_mdh_in_laayoune(drafts: Drafts) -> None:
    (draft,) = drafts["002"]
    assert draft.kind == "programme_contract"
    assert draft.envelope is not None
    assert draft.envelope.value == Decimal("105500000.00")
    assert draft.envelope.evidence is not None
    assert draft.envelope.evidence.words == ["105,5 millions dirhams"]
    assert [r.value for r in draft.regions] == ["11"]
    assert draft.regions[0].note  # an older name of the region, said so
    assert partners(draft) == {
        "Ministère chargé des Affaires économiques et générales": ("", None),
        "Agence pour la promotion et le développement économique et social des provinces du "
        "Sud du Royaume": ("Agence du Sud", None),
    }
    assert period(draft) == (None, None, 5)
    assert targets(draft) == []
    assert draft.committee is None
    assert [g.value for g in draft.target_groups] == ["tpe", "sme", "cooperatives", "ess"]
    assert [s.value for s in draft.services] == ["coaching"]
    assert draft.title.value == (
        "Contrat programme destiné à la promotion de l'économie sociale et solidaire"
    )


def test_003_and_004_announce_no_convention(drafts: Drafts) -> None:
    assert drafts["003"] == []
    assert drafts["004"] == []


def test_every_proposed_value_shows_the_sentence_it_came_from(drafts: Drafts) -> None:
    for prefix in ("000", "001", "002"):
        text = " ".join(read(prefix).replace("’", "'").split())
        (draft,) = drafts[prefix]
        items = [
            draft.envelope,
            *draft.regions,
            *draft.partners,
            *draft.targets,
            *draft.target_groups,
            *draft.services,
        ]
        for item in items:
            assert item is not None
            assert item.evidence is not None
            assert " ".join(item.evidence.sentence.split()) in text
            assert item.evidence.words, item
