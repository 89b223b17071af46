"""What users see: the seed conventions with the articles' figures, pages in French and Arabic,
forms that keep what was typed when refused, and the execution workbook opened by openpyxl."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from essor.accounts.models import User
from essor.conventions.models import Convention
from essor.conventions.selectors import convention_execution
from essor.core.testing import Personas
from essor.programmes.models import Programme

from .factories import make_convention, make_line

NBSP = "\u00a0"
pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db: None) -> None:
    call_command("demo", stdout=StringIO())


def signed_in(username: str, language: str = "fr") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(
        User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_the_demo_holds_the_three_seed_conventions_with_the_articles_figures(demo: None) -> None:
    envelopes = dict(Convention.objects.values_list("reference", "envelope"))
    assert envelopes == {
        "TTA-TPE-ESS-25MDH": Decimal("25000000.00"),
        "TTA-ESS-2023-2025": Decimal("10000000.00"),
        "LSH-CP-ESS-TPE": Decimal("105500000.00"),
    }
    tta = Convention.objects.get(reference="TTA-TPE-ESS-25MDH")
    assert set(tta.parties.values_list("partner__code", flat=True)) == {
        "cr-tta",
        "ccis-tta",
        "wilaya-tta",
        "irfd-tta",
        "indh-tta",
    }
    assert "bus" in tta.parties.get(partner__code="cr-tta").in_kind_fr
    assert tta.targets.get().value == Decimal("1500")
    ess = Convention.objects.get(reference="TTA-ESS-2023-2025")
    assert (ess.start_on, ess.end_on) == (date(2023, 1, 1), date(2025, 12, 31))
    assert ess.committee.chair.startswith("Le Wali")
    assert set(ess.parties.values_list("partner__code", flat=True)) == {
        "cr-tta",
        "wilaya-tta",
        "mtaess",
    }
    lsh = Convention.objects.get(reference="LSH-CP-ESS-TPE")
    assert (lsh.kind, list(lsh.regions.values_list("code", flat=True))) == (
        "programme_contract",
        ["11"],
    )
    indh = Programme.objects.get(code="indh-p3")
    grant = indh.eligibility_rules.get(kind="grant").params
    assert (grant["max_share_pct"], grant["cap_person"], grant["cap_cooperative"]) == (
        60,
        "100000.00",
        "300000.00",
    )
    execution = convention_execution(tta)
    assert execution.total.budgeted <= execution.envelope == Decimal("25000000.00")
    assert execution.total.committed > 0


def test_the_demo_loads_twice_without_duplicates(demo: None) -> None:
    call_command("demo", stdout=StringIO())
    assert Convention.objects.count() == 3
    assert Programme.objects.count() == 3


def test_the_committee_member_reads_the_convention_in_french(demo: None) -> None:
    tta = Convention.objects.get(reference="TTA-TPE-ESS-25MDH")
    content = (
        signed_in("committee.wilaya")
        .get(reverse("conventions:convention", args=[tta.pk]))
        .content.decode()
    )
    assert f"25{NBSP}000{NBSP}000,00{NBSP}DH" in content
    assert 'lang="fr"' in content
    for form in ("line_add", "party_add", "target_add", "convention_transition"):  # no forms
        assert reverse(f"conventions:{form}", args=[tta.pk]) not in content


def test_the_convention_page_in_arabic_is_right_to_left_with_arabic_amounts(demo: None) -> None:
    tta = Convention.objects.get(reference="TTA-TPE-ESS-25MDH")
    content = (
        signed_in("manager.region", "ar")
        .get(reverse("conventions:convention", args=[tta.pk]))
        .content.decode()
    )
    assert 'dir="rtl"' in content
    assert f"25.000.000,00{NBSP}درهم" in content
    assert tta.title_ar in content


def test_a_refused_line_shows_why_and_keeps_what_was_typed(personas: Personas) -> None:
    convention = make_convention(personas.own, envelope="1000000")
    make_line(convention, personas.own, "900000")
    client = Client()
    client.force_login(
        personas.user("programme_manager"), backend="django.contrib.auth.backends.ModelBackend"
    )
    response = client.post(
        reverse("conventions:line_add", args=[convention.pk]),
        {
            "partner": personas.own.pk,
            "category": "training",
            "label": "Ateliers",
            "amount": "150 000",
        },
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert f"100{NBSP}000,00{NBSP}DH" in content  # what is left to budget
    assert 'value="Ateliers"' in content
    assert 'value="150 000"' in content
    assert convention.budget_lines.count() == 1


def test_the_execution_workbook_holds_the_pages_figures(demo: None) -> None:
    tta = Convention.objects.get(reference="TTA-TPE-ESS-25MDH")
    response = signed_in("committee.wilaya").get(
        reverse("conventions:execution_export", args=[tta.pk])
    )
    workbook = load_workbook(BytesIO(response.content))
    assert len(workbook.sheetnames) == 4
    execution = convention_execution(tta)
    lines = workbook.worksheets[1]
    rows = list(lines.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(execution.lines) == 4
    by_label = {row[0]: row for row in rows}
    for line in execution.lines:
        row = by_label[line.label]
        assert Decimal(str(row[1])) == line.budgeted
        assert Decimal(str(row[2])) == line.committed
        assert Decimal(str(row[3])) == line.disbursed
    partners = {
        row[0]: row for row in workbook.worksheets[2].iter_rows(min_row=2, values_only=True)
    }
    assert Decimal(str(partners["CR-TTA"][1])) == Decimal("25000000")  # pledged


def test_the_conventions_list_costs_the_same_queries_for_one_or_many(
    personas: Personas, django_assert_max_num_queries: object
) -> None:
    for _ in range(6):
        convention = make_convention(personas.own)
        make_line(convention, personas.own, "1000")
    client = Client()
    client.force_login(
        personas.user("committee_member"), backend="django.contrib.auth.backends.ModelBackend"
    )
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert client.get(reverse("conventions:conventions")).status_code == 200


def test_overdue_actions_stand_out_on_the_committee_page(personas: Personas) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from essor.conventions import services

    convention = make_convention(personas.own)
    committee = services.committee_set(actor=None, convention=convention, name="Comité de suivi")
    today = timezone.localdate()
    services.action_add(
        actor=None, committee=committee, text="Rapport semestriel", due_on=today - timedelta(1)
    )
    services.action_add(
        actor=None, committee=committee, text="Visite du bus", due_on=today + timedelta(30)
    )
    client = Client()
    client.force_login(
        personas.user("committee_member"), backend="django.contrib.auth.backends.ModelBackend"
    )
    page = client.get(reverse("conventions:committee", args=[convention.pk])).content.decode()
    overdue_row = page[page.index('<tr class="overdue">') :].split("</tr>")[0]
    assert "Rapport semestriel" in overdue_row
    assert "en retard" in overdue_row
    assert page.count('class="overdue"') == 1
    detail = client.get(reverse("conventions:convention", args=[convention.pk])).content.decode()
    assert "1 action en retard" in detail


def test_a_rule_with_an_unknown_commune_is_refused_on_the_page(personas: Personas) -> None:
    from essor.conventions.tests.factories import make_programme

    programme = make_programme(personas.own)
    client = Client()
    client.force_login(
        personas.user("programme_manager"), backend="django.contrib.auth.backends.ModelBackend"
    )
    response = client.post(
        reverse("programmes:rule_set", args=[programme.pk]),
        {"kind": "territory", "values": "01, 99.999.99.9"},
    )
    assert response.status_code == 400
    assert "99.999.99.9" in response.content.decode()
    assert not programme.eligibility_rules.exists()


def test_a_lines_commitments_come_50_a_page(personas: Personas, client_for) -> None:
    from essor.funding import services as funding
    from essor.registry.tests.factories import make_person

    from .factories import make_programme

    convention = make_convention(personas.own, envelope="1000000")
    line = make_line(convention, personas.own, "500000")
    programme = make_programme(personas.own, line)
    manager = personas.user("programme_manager")
    for index in range(55):
        funding.commitment_create(
            actor=manager,
            budget_line=line,
            programme=programme,
            person=make_person(personas.own),
            amount=Decimal(1000 + index),
        )
    client = client_for(manager)
    first = client.get(reverse("conventions:line", args=[line.pk])).content.decode()
    second = client.get(reverse("conventions:line", args=[line.pk]) + "?page=2").content.decode()
    assert first.count("/funding/commitments/") == 50
    assert "1 / 2" in first
    assert second.count("/funding/commitments/") == 5
    assert "2 / 2" in second
