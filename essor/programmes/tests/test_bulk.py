"""Bulk screening: the person-level rules as one query over the registry, and the counts.

The screening date is fixed (``ON``) so that ages are exact; birth dates are written as "the
day someone turns N on ``ON``" to make every boundary visible.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from essor.accounts.models import Partner
from essor.conventions.tests.factories import make_convention, make_line, make_programme
from essor.core.testing import Personas
from essor.funding import services as funding
from essor.programmes.bulk import AGE_BANDS, age_band, bulk_counts, eligible_persons, years_before
from essor.programmes.models import (
    Application,
    Channel,
    Enrollment,
    ExclusionEntry,
    ExclusionList,
    Programme,
)
from essor.programmes.services import rule_set
from essor.registry.models import Person
from essor.registry.tests.factories import make_person
from essor.territory.models import Commune

pytestmark = pytest.mark.django_db

ON = date(2026, 6, 15)
TANGER = "01.511.01.0"  # urban, province Tanger-Assilah 01.511, region 01
TANGER_RURAL = "01.511.05.19"  # rural, same province
TETOUAN = "01.571.01.11"  # urban, province Tétouan 01.571, region 01
OUJDA = "02.411.01.23"  # urban, province Oujda-Angad 02.411, region 02
OUJDA_RURAL = "02.411.03.01"  # rural, same province

_cins = count(100001)


def aged(years: int, *, days: int = 0, on: date = ON) -> date:
    """The birth date of someone who turns ``years`` on ``on``, moved by ``days``."""
    return years_before(on, years) + timedelta(days=days)


def person(partner: Partner, **data: Any) -> Person:
    """A person aged 30, a woman, in Tanger, with a CIN, unless told otherwise."""
    values: dict[str, Any] = {
        "birth_date": aged(30),
        "sex": "F",
        "cin": f"AB{next(_cins)}",
        "last_name": f"Nom{next(_cins)}",
    }
    values |= data
    commune = values.pop("commune", TANGER)
    values["commune"] = Commune.objects.get(code=commune) if commune else None
    return make_person(partner, **values)


def rule(programme: Programme, kind: str, **params: Any) -> None:
    rule_set(actor=None, programme=programme, kind=kind, params=params)


def eligible(programme: Programme, **kwargs: Any) -> set[int]:
    queryset, _not_applied = eligible_persons(programme, on=ON, **kwargs)
    return set(queryset.values_list("pk", flat=True))


@pytest.fixture
def programme(personas: Personas) -> Programme:
    return make_programme(personas.own, code="tahfiz")


# --- Each person-level rule -------------------------------------------------------------------


def test_age_counts_whole_years_on_the_day_and_a_missing_birth_date_is_not_eligible(
    personas: Personas, programme: Programme
) -> None:
    rule(programme, "age", min=18, max=35)
    turns_18_today = person(personas.own, birth_date=aged(18))
    turns_18_tomorrow = person(personas.own, birth_date=aged(18, days=1))
    still_35 = person(personas.own, birth_date=aged(36, days=1))  # turns 36 tomorrow
    turns_36_today = person(personas.own, birth_date=aged(36))
    person(personas.own, birth_date=None)
    assert eligible(programme) == {turns_18_today.pk, still_35.pk}
    assert (turns_18_tomorrow.age(ON), turns_36_today.age(ON)) == (17, 36)


def test_an_open_ended_age_range(personas: Personas, programme: Programme) -> None:
    rule(programme, "age", min=45)
    older = person(personas.own, birth_date=aged(45))
    person(personas.own, birth_date=aged(45, days=1))
    person(personas.own, birth_date=None)
    assert eligible(programme) == {older.pk}


def test_sex_keeps_the_named_sexes_and_not_an_unrecorded_one(
    personas: Personas, programme: Programme
) -> None:
    rule(programme, "sex", values=["F"])
    woman = person(personas.own, sex="F")
    person(personas.own, sex="M")
    person(personas.own, sex="")
    assert eligible(programme) == {woman.pk}


def test_territory_by_region_province_or_commune_and_no_commune_is_outside(
    personas: Personas, programme: Programme
) -> None:
    tanger = person(personas.own, commune=TANGER)
    tanger_rural = person(personas.own, commune=TANGER_RURAL)
    tetouan = person(personas.own, commune=TETOUAN)
    oujda = person(personas.own, commune=OUJDA)
    oujda_rural = person(personas.own, commune=OUJDA_RURAL)
    person(personas.own, commune=None)

    rule(programme, "territory", regions=["01"])
    assert eligible(programme) == {tanger.pk, tanger_rural.pk, tetouan.pk}
    rule(programme, "territory", provinces=["02.411"])
    assert eligible(programme) == {oujda.pk, oujda_rural.pk}
    rule(programme, "territory", communes=[TETOUAN], provinces=["02.411"])
    assert eligible(programme) == {tetouan.pk, oujda.pk, oujda_rural.pk}
    rule(programme, "territory", regions=["01"], rural_only=True)
    assert eligible(programme) == {tanger_rural.pk}
    rule(programme, "territory", rural_only=True)
    assert eligible(programme) == {tanger_rural.pk, oujda_rural.pk}


def test_the_page_filter_narrows_to_a_region_or_a_province(
    personas: Personas, programme: Programme
) -> None:
    tanger = person(personas.own, commune=TANGER)
    tetouan = person(personas.own, commune=TETOUAN)
    oujda = person(personas.own, commune=OUJDA)
    person(personas.own, commune=None)
    assert eligible(programme, territory={"region": "02"}) == {oujda.pk}
    assert eligible(programme, territory={"province": "01.571"}) == {tetouan.pk}
    assert eligible(programme, territory={"region": "01", "province": ""}) == {
        tanger.pk,
        tetouan.pk,
    }
    assert len(eligible(programme, territory={})) == 4


def test_archived_persons_are_never_eligible(personas: Personas, programme: Programme) -> None:
    kept = person(personas.own)
    gone = person(personas.own)
    gone.archive(actor=personas.user("admin"), reason="Doublon")
    assert eligible(programme) == {kept.pk}


def test_rules_about_organisations_and_projects_are_returned_not_applied(
    personas: Personas, programme: Programme
) -> None:
    rule(programme, "legal_forms", values=["cooperative"])
    rule(programme, "age", min=18, max=40)
    rule(programme, "turnover_max", amount="500000")
    rule(programme, "grant", max_share_pct=80)
    young = person(personas.own, birth_date=aged(25))
    person(personas.own, birth_date=aged(50))
    queryset, not_applied = eligible_persons(programme, on=ON)
    assert not_applied == ["legal_forms", "turnover_max", "grant"]
    assert set(queryset.values_list("pk", flat=True)) == {young.pk}


# --- Prior support ----------------------------------------------------------------------------


@pytest.fixture
def intilaka(personas: Personas) -> dict[str, Any]:
    convention = make_convention(personas.own, envelope="1000000")
    line = make_line(convention, personas.own, "500000")
    return {
        "line": line,
        "programme": make_programme(personas.own, line, code="intilaka"),
        "manager": personas.user("programme_manager"),
    }


def commit(intilaka: dict[str, Any], beneficiary: Person, **extra: Any) -> Any:
    return funding.commitment_create(
        actor=intilaka["manager"],
        budget_line=intilaka["line"],
        programme=intilaka["programme"],
        person=beneficiary,
        amount=Decimal(extra.pop("amount", "10000")),
        **extra,
    )


def test_a_pending_or_approved_commitment_in_a_named_programme_excludes(
    personas: Personas, programme: Programme, intilaka: dict[str, Any]
) -> None:
    rule(programme, "prior_support", programmes=["intilaka"])
    approved, pending, cancelled, never = (person(personas.own) for _ in range(4))
    assert commit(intilaka, approved).status == "approved"
    assert commit(intilaka, pending, amount="60000").status == "pending"
    funding.commitment_cancel(
        actor=intilaka["manager"], commitment=commit(intilaka, cancelled), reason="Désistement"
    )
    other_programme = make_programme(personas.own, intilaka["line"], code="moukawalati")
    funding.commitment_create(
        actor=intilaka["manager"],
        budget_line=intilaka["line"],
        programme=other_programme,
        person=never,
        amount=Decimal("10000"),
    )
    assert eligible(programme) == {cancelled.pk, never.pk}


def test_within_years_forgets_commitments_before_the_window(
    personas: Personas, programme: Programme, intilaka: dict[str, Any]
) -> None:
    rule(programme, "prior_support", programmes=["intilaka"], within_years=5)
    old, recent = person(personas.own), person(personas.own)
    commit(intilaka, old, committed_on=date(2020, 12, 31))  # before 1 January 2021
    commit(intilaka, recent, committed_on=date(2021, 1, 1))
    assert eligible(programme) == {old.pk}
    rule(programme, "prior_support", programmes=["intilaka"])
    assert eligible(programme) == set()


def test_a_cin_on_an_exclusion_list_excludes_and_the_year_counts_only_in_a_window(
    personas: Personas, programme: Programme
) -> None:
    listed_2018 = person(personas.own, cin="BK200001")
    listed_undated = person(personas.own, cin="BK200002")
    listed_2023 = person(personas.own, cin="BK200003")
    other_list_only = person(personas.own, cin="BK200004")
    clean = person(personas.own, cin="BK200005")
    without_cin = person(personas.own, cin="")
    intilaka = ExclusionList.objects.create(
        partner=personas.own, name="Bénéficiaires Intilaka", programme_code="intilaka"
    )
    ExclusionEntry.objects.bulk_create(
        [
            ExclusionEntry(exclusion_list=intilaka, cin="BK200001", year=2018),
            ExclusionEntry(exclusion_list=intilaka, cin="BK200002"),
            ExclusionEntry(exclusion_list=intilaka, cin="BK200003", year=2023),
            ExclusionEntry(exclusion_list=intilaka, ice="001234567000089"),  # no CIN
        ]
    )
    elsewhere = ExclusionList.objects.create(
        partner=personas.own, name="INDH phase 3", programme_code="indh-p3"
    )
    ExclusionEntry.objects.create(exclusion_list=elsewhere, cin="BK200004", year=2024)

    rule(programme, "prior_support", programmes=["intilaka"])
    assert eligible(programme) == {other_list_only.pk, clean.pk}
    rule(programme, "prior_support", programmes=["intilaka"], within_years=5)  # 2021 on
    assert eligible(programme) == {listed_2018.pk, other_list_only.pk, clean.pk}
    rule(programme, "prior_support", programmes=["intilaka", "indh-p3"], within_years=5)
    assert eligible(programme) == {listed_2018.pk, clean.pk}
    # Without a CIN the lists cannot be checked: unknown, as in screening, so not counted.
    assert without_cin.pk not in eligible(programme)
    assert {listed_undated.pk, listed_2023.pk}.isdisjoint(eligible(programme))


def test_an_enrolment_in_a_named_programme_excludes(
    personas: Personas, programme: Programme
) -> None:
    rule(programme, "prior_support", programmes=["intilaka"], within_years=3)
    intilaka = make_programme(personas.own, code="intilaka")
    enrolled, enrolled_long_ago, applied_only = (person(personas.own) for _ in range(3))
    for number, (who, started) in enumerate(
        (
            (enrolled, date(2024, 9, 1)),
            (enrolled_long_ago, date(2022, 12, 31)),
            (applied_only, None),
        )
    ):
        application = Application.objects.create(
            holder=personas.own,
            programme=intilaka,
            person=who,
            receipt=f"INT-{number}",
            channel=Channel.STAFF,
            submitted_on=date(2022, 1, 10),
        )
        if started:
            Enrollment.objects.create(application=application, started_on=started)
    assert eligible(programme) == {enrolled_long_ago.pk, applied_only.pk}


# --- Counts -----------------------------------------------------------------------------------


def test_counts_by_province_sex_and_age_band_are_exact(
    personas: Personas, programme: Programme
) -> None:
    rule(programme, "age", min=18, max=50)
    for commune, sex, age in [
        (TANGER, "F", 18),
        (TANGER, "F", 24),
        (TANGER_RURAL, "M", 25),
        (TETOUAN, "M", 34),
        (TETOUAN, "F", 35),
        (OUJDA, "F", 50),
        (None, "", 44),
        (OUJDA, "M", 51),  # too old: not counted
    ]:
        person(personas.own, commune=commune, sex=sex, birth_date=aged(age))
    queryset, _not_applied = eligible_persons(programme, on=ON)
    counts = bulk_counts(queryset, on=ON)
    assert counts["total"] == 7
    rows = {
        key: [(row["code"], row["count"]) for row in counts[key]]
        for key in ("by_province", "by_sex", "by_age_band")
    }
    assert rows == {
        "by_province": [("01.511", 3), ("01.571", 2), ("02.411", 1), ("unknown", 1)],
        "by_sex": [("F", 4), ("M", 2), ("unknown", 1)],
        "by_age_band": [
            ("under_18", 0),
            ("18-24", 2),
            ("25-34", 2),
            ("35-44", 2),
            ("45-54", 1),
            ("55+", 0),
        ],
    }
    assert counts["by_province"][0]["label"] == "Tanger-Assilah"
    assert counts["by_sex"][0]["pct"] == 57.1


def test_counts_of_nobody_are_zeros_without_shares(programme: Programme) -> None:
    queryset, _not_applied = eligible_persons(programme, on=ON)
    counts = bulk_counts(queryset, on=ON)
    assert counts["total"] == 0
    assert counts["by_province"] == []
    assert [(row["count"], row["pct"]) for row in counts["by_sex"]] == [(0, None), (0, None)]


def test_age_band_boundaries_are_birthdays(personas: Personas, programme: Programme) -> None:
    """Each band starts on the birthday of its lowest age: 25 today is 25-34, not 18-24."""
    assert [(code, low, high) for code, low, high in AGE_BANDS] == [
        ("under_18", None, 17),
        ("18-24", 18, 24),
        ("25-34", 25, 34),
        ("35-44", 35, 44),
        ("45-54", 45, 54),
        ("55+", 55, None),
    ]
    expected: dict[date | None, str] = {
        aged(18, days=1): "under_18",  # turns 18 tomorrow
        aged(18): "18-24",
        aged(25, days=1): "18-24",
        aged(25): "25-34",
        aged(35, days=1): "25-34",
        aged(35): "35-44",
        aged(45, days=1): "35-44",
        aged(45): "45-54",
        aged(55, days=1): "45-54",
        aged(55): "55+",
    }
    for born in expected:
        person(personas.own, birth_date=born)
    person(personas.own, birth_date=None)
    bands = dict(Person.objects.annotate(band=age_band(ON)).values_list("birth_date", "band"))
    assert bands == {**expected, None: "unknown"}
    counts = bulk_counts(Person.objects.all(), on=ON)
    assert [row["count"] for row in counts["by_age_band"]] == [1, 2, 2, 2, 2, 1, 1]
    assert counts["by_age_band"][-1]["code"] == "unknown"


def test_a_leap_day_birthday_falls_on_28_february_in_common_years(
    personas: Personas, programme: Programme
) -> None:
    """On 29 February 2024 a person born on 28 February 1999 is 25, one born on 1 March 24."""
    leap_day = date(2024, 2, 29)
    assert years_before(leap_day, 25) == date(1999, 2, 28)
    rule(programme, "age", min=25)
    born_28 = person(personas.own, birth_date=date(1999, 2, 28))
    born_1st = person(personas.own, birth_date=date(1999, 3, 1))
    assert (born_28.age(leap_day), born_1st.age(leap_day)) == (25, 24)
    queryset, _not_applied = eligible_persons(programme, on=leap_day)
    assert set(queryset.values_list("pk", flat=True)) == {born_28.pk}


def test_bulk_counts_cost_three_queries_whatever_the_number_of_persons(
    personas: Personas, programme: Programme, django_assert_max_num_queries: Any
) -> None:
    rule(programme, "territory", regions=["01", "02"])
    rule(programme, "prior_support", programmes=["intilaka"])
    for commune in (TANGER, TANGER_RURAL, TETOUAN, OUJDA, OUJDA_RURAL) * 3:
        person(personas.own, commune=commune)
    queryset, _not_applied = eligible_persons(programme, on=ON)
    with django_assert_max_num_queries(3):
        counts = bulk_counts(queryset, on=ON)
    assert counts["total"] == 15


# --- The page and the export ------------------------------------------------------------------


@pytest.fixture
def targeted(personas: Personas, programme: Programme) -> dict[str, Any]:
    """Three eligible persons of partner A, one of partner B, and some who are not eligible."""
    rule(programme, "age", min=18, max=40)
    rule(programme, "territory", regions=["01"])
    rule(programme, "employees_max", count=10)
    return {
        "own": [
            person(personas.own, commune=TANGER, birth_date=aged(20)),
            person(personas.own, commune=TETOUAN, sex="M", birth_date=aged(30)),
            person(personas.own, commune=TANGER_RURAL, birth_date=aged(40)),
        ],
        "other": [person(personas.other, commune=TETOUAN, birth_date=aged(22))],
        "not_eligible": [
            person(personas.own, commune=OUJDA),
            person(personas.own, birth_date=aged(41)),
        ],
    }


def test_the_page_shows_counts_breakdowns_and_the_rules_not_applied(
    personas: Personas, programme: Programme, targeted: dict[str, Any], client_for: Any
) -> None:
    url = reverse("programmes:bulk_screening", args=[programme.pk])
    response = client_for(personas.user("programme_manager")).get(url)
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts["total"] == 3
    assert [(r["code"], r["count"]) for r in counts["by_province"]] == [
        ("01.511", 2),
        ("01.571", 1),
    ]
    html = response.content.decode()
    assert "Tanger-Assilah" in html
    assert "Tétouan" in html
    assert 'id="eligible-total">3<' in html
    assert [r.kind for r in response.context["not_applied"]] == ["employees_max"]
    assert [r.kind for r in response.context["applied"]] == ["age", "territory"]
    assert 'id="not-applied"' in html
    assert reverse("programmes:bulk_export", args=[programme.pk, "csv"]) in html

    narrowed = client_for(personas.user("programme_manager")).get(url, {"province": "01.571"})
    assert narrowed.context["counts"]["total"] == 1
    assert "?province=01.571" in narrowed.content.decode()
    unknown = client_for(personas.user("programme_manager")).get(url, {"province": "99.999"})
    assert list(unknown.context["form"].errors) == ["province"]
    assert unknown.context["counts"]["total"] == 3  # the unknown code is shown, not applied


def csv_ids(response: Any) -> list[int]:
    text = response.content.decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    return [int(row[0]) for row in rows[1:]]


def test_the_csv_export_holds_exactly_the_eligible_persons(
    personas: Personas, programme: Programme, targeted: dict[str, Any], client_for: Any
) -> None:
    response = client_for(personas.user("data_clerk")).get(
        reverse("programmes:bulk_export", args=[programme.pk, "csv"])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        f"essor-eligible-tahfiz-{timezone.localdate():%Y%m%d}.csv"
        in response["Content-Disposition"]
    )
    assert sorted(csv_ids(response)) == sorted(p.pk for p in targeted["own"])

    only_tetouan = client_for(personas.user("data_clerk")).get(
        reverse("programmes:bulk_export", args=[programme.pk, "csv"]), {"province": "01.571"}
    )
    assert csv_ids(only_tetouan) == [targeted["own"][1].pk]


def test_the_xlsx_export_opens_with_the_same_persons(
    personas: Personas, programme: Programme, targeted: dict[str, Any], client_for: Any
) -> None:
    response = client_for(personas.user("admin")).get(
        reverse("programmes:bulk_export", args=[programme.pk, "xlsx"])
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert sorted(int(str(row[0])) for row in rows[1:]) == sorted(p.pk for p in targeted["own"])


def test_a_user_of_another_partner_counts_and_exports_only_their_scope(
    personas: Personas, programme: Programme, targeted: dict[str, Any], client_for: Any
) -> None:
    client = client_for(personas.user("programme_manager", "other"))
    page = client.get(reverse("programmes:bulk_screening", args=[programme.pk]))
    assert page.context["counts"]["total"] == 1
    export = client.get(reverse("programmes:bulk_export", args=[programme.pk, "csv"]))
    assert csv_ids(export) == [targeted["other"][0].pk]


def test_the_committee_sees_no_personal_data_and_a_counsellor_cannot_export(
    personas: Personas, programme: Programme, targeted: dict[str, Any], client_for: Any
) -> None:
    page = reverse("programmes:bulk_screening", args=[programme.pk])
    export = reverse("programmes:bulk_export", args=[programme.pk, "csv"])
    committee = client_for(personas.user("committee_member"))
    assert committee.get(page).status_code == 404
    assert committee.get(export).status_code == 404
    counsellor = client_for(personas.user("counsellor"))
    response = counsellor.get(page)
    assert response.status_code == 200
    assert export not in response.content.decode()
    assert counsellor.get(export).status_code == 404


def test_an_unknown_programme_or_format_is_missing(
    personas: Personas, programme: Programme, client_for: Any
) -> None:
    client = client_for(personas.user("admin"))
    assert client.get(reverse("programmes:bulk_screening", args=[99999])).status_code == 404
    response = client.get(reverse("programmes:bulk_export", args=[programme.pk, "pdf"]))
    assert response.status_code == 404


def test_the_page_reads_right_to_left_in_arabic_with_arabic_province_names(
    personas: Personas, programme: Programme, targeted: dict[str, Any], client_for: Any
) -> None:
    client = client_for(personas.user("programme_manager"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    response = client.get(
        reverse("programmes:bulk_screening", args=[programme.pk]), HTTP_ACCEPT_LANGUAGE="ar"
    )
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "طنجة-أصيلة" in html
    assert [row["label"] for row in response.context["counts"]["by_province"]] == [
        "طنجة-أصيلة",
        "تطوان",
    ]


@pytest.mark.django_db
def test_the_screen_command_counts_and_exports_as_the_user_may_see(
    personas: Personas, tmp_path: Path
) -> None:
    from io import StringIO

    from django.core.management import call_command

    programme = make_programme(personas.own, code="cmd-test")
    rule_set(actor=None, programme=programme, kind="age", params={"min": 18, "max": 35})
    make_person(personas.own, cin="AB400001", birth_date=date(2000, 1, 1))
    make_person(personas.own, cin="AB400002", birth_date=date(1950, 1, 1))
    make_person(personas.other, cin="AB400003", birth_date=date(2001, 1, 1))
    out = StringIO()
    target = tmp_path / "eligible.csv"
    call_command(
        "screen",
        "cmd-test",
        "--on",
        "2025-06-01",
        "--export",
        str(target),
        "--user",
        personas.user("data_clerk").username,
        stdout=out,
    )
    first_line = out.getvalue().splitlines()[0]
    assert re.search(r"\b1\b", first_line)
    assert "01/06/2025" in first_line
    rows = list(csv.reader(target.open(encoding="utf-8-sig")))
    assert [row[7] for row in rows[1:]] == ["AB400001"]  # the other partner's person is not listed
