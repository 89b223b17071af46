"""Every display of a full CIN is in the access log, and a masked one is not: the person's page,
the persons' list, the API, the exports, the duplicate review. The exports log in one
statement, whatever their length."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from essor.core.testing import Personas
from essor.linkage.models import PersonPair
from essor.privacy.models import AccessLogEntry, AccessPurpose
from essor.registry.tests.factories import make_person

pytestmark = pytest.mark.django_db


def logged() -> list[tuple[int, int | None, str, str]]:
    return sorted(AccessLogEntry.objects.values_list("person_id", "user_id", "purpose", "path"))


def test_the_persons_page_logs_the_full_cin_and_not_the_masked_one(
    personas: Personas, client_for
) -> None:
    person = make_person(personas.own, cin="AB123456")
    url = reverse("registry:person", args=[person.pk])
    counsellor = personas.user("counsellor")
    assert "AB12****" in client_for(counsellor).get(url).content.decode()
    assert logged() == []
    clerk = personas.user("data_clerk")
    assert "AB123456" in client_for(clerk).get(url).content.decode()
    assert logged() == [(person.pk, clerk.pk, AccessPurpose.PAGE, url)]


def test_a_person_without_cin_leaves_no_line(personas: Personas, client_for) -> None:
    person = make_person(personas.own)
    client_for(personas.user("admin")).get(reverse("registry:person", args=[person.pk]))
    assert logged() == []


def test_the_list_logs_each_full_cin_it_shows(personas: Personas, client_for) -> None:
    shown = [make_person(personas.own, first_name=f"N{i}", cin=f"AB1234{i}") for i in range(3)]
    make_person(personas.own, first_name="Sans CIN")
    url = reverse("registry:persons")
    client_for(personas.user("counsellor")).get(url)
    assert logged() == []
    manager = personas.user("programme_manager")
    client_for(manager).get(url)
    assert logged() == sorted((p.pk, manager.pk, AccessPurpose.PAGE, url) for p in shown)


def test_the_api_logs_the_full_cins_it_returns(personas: Personas, api_for) -> None:
    shown = [make_person(personas.own, first_name=f"N{i}", cin=f"AB1234{i}") for i in range(2)]
    make_person(personas.other, first_name="Autre", cin="CD999999")
    api_for(personas.user("counsellor")).get("/api/v1/persons")
    assert logged() == []
    clerk = personas.user("data_clerk")
    api = api_for(clerk)
    assert api.get("/api/v1/persons").status_code == 200
    assert logged() == sorted((p.pk, clerk.pk, AccessPurpose.API, "/api/v1/persons") for p in shown)
    AccessLogEntry.objects.all().delete()
    assert api.get(f"/api/v1/persons/{shown[0].pk}").json()["cin"] == "AB12340"
    assert logged() == [
        (shown[0].pk, clerk.pk, AccessPurpose.API, f"/api/v1/persons/{shown[0].pk}")
    ]


def test_exports_log_their_full_cins_in_one_statement_whatever_their_length(
    personas: Personas, client_for
) -> None:
    clerk = personas.user("data_clerk")
    client = client_for(clerk)
    url = reverse("registry:persons_export", args=["csv"])

    def export() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = [make_person(personas.own, first_name=f"A{i}", cin=f"AB10000{i}") for i in range(3)]
    queries_for_few = export()
    assert len(logged()) == 3
    AccessLogEntry.objects.all().delete()
    many = few + [
        make_person(personas.own, first_name=f"B{i}", cin=f"AB2000{i:02}") for i in range(30)
    ]
    assert export() == queries_for_few  # no query per row
    assert logged() == sorted((p.pk, clerk.pk, AccessPurpose.EXPORT, url) for p in many)


def test_the_eligible_list_logs_its_full_cins(personas: Personas, client_for) -> None:
    from essor.conventions.tests.factories import make_convention, make_line, make_programme

    programme = make_programme(personas.own, make_line(make_convention(personas.own), personas.own))
    person = make_person(personas.own, cin="AB123456")
    make_person(personas.own, first_name="Sans CIN")
    clerk = personas.user("data_clerk")
    url = reverse("programmes:bulk_export", args=[programme.pk, "xlsx"])
    assert client_for(clerk).get(url).status_code == 200
    assert logged() == [(person.pk, clerk.pk, AccessPurpose.EXPORT, url)]


def test_the_duplicate_review_logs_the_full_cins_it_shows(personas: Personas, client_for) -> None:
    mine = make_person(personas.own, first_name="Amina", last_name="Alaoui", cin="AB123456")
    twin = make_person(personas.own, first_name="Amina", last_name="Alaoui", cin="AB123465")
    theirs = make_person(personas.other, first_name="Amina", last_name="Alaoui", cin="CD123456")
    clerk = personas.user("data_clerk")
    client = client_for(clerk)
    pair = PersonPair.objects.create(left=mine, right=twin, score=0.9)
    url = reverse("linkage:pair", args=["person", pair.pk])
    assert client.get(url).status_code == 200
    assert logged() == sorted((p.pk, clerk.pk, AccessPurpose.REVIEW, url) for p in (mine, twin))
    AccessLogEntry.objects.all().delete()
    # The other partner's record is shown masked: only the clerk's own is logged.
    pair = PersonPair.objects.create(left=mine, right=theirs, score=0.9)
    url = reverse("linkage:pair", args=["person", pair.pk])
    page = client.get(url).content.decode()
    assert "CD12****" in page
    assert "CD123456" not in page
    assert logged() == [(mine.pk, clerk.pk, AccessPurpose.REVIEW, url)]


def test_the_privacy_manager_reads_the_log_of_a_person(personas: Personas, client_for) -> None:
    person = make_person(personas.own, cin="AB123456")
    manager = personas.user("programme_manager")
    client_for(manager).get(reverse("registry:person", args=[person.pk]))
    clerk = personas.user("data_clerk")
    page = client_for(clerk).get(reverse("privacy:access_log", args=[person.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert str(manager) in text
    assert reverse("registry:person", args=[person.pk]) in text
    assert (
        client_for(manager).get(reverse("privacy:access_log", args=[person.pk])).status_code == 404
    )
