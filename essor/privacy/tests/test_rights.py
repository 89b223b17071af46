"""Rectification and objection, as a privacy manager meets them; and the objection honoured by
every export and named list (and not by what the programmes must do)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils.translation import ngettext
from openpyxl import load_workbook

from essor.core.testing import Personas
from essor.privacy.models import Objection
from essor.privacy.services import RECTIFIED, objection_record, without_objections
from essor.registry.models import Person
from essor.registry.tests.factories import make_person

from .conftest import CIN, Subject

pytestmark = pytest.mark.django_db


def form_of(person: Person, **changes: object) -> dict[str, object]:
    """The rectification form as the page fills it, with the changes typed."""
    data: dict[str, object] = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "first_name_ar": person.first_name_ar,
        "last_name_ar": person.last_name_ar,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "cin": person.cin,
        "phone": person.phone,
        "email": person.email,
        "address": person.address,
        "commune": person.commune.code if person.commune else "",
        "education_level": person.education_level,
    }
    return data | changes


def test_a_rectification_is_saved_with_the_persons_reason_in_the_trail(
    subject: Subject, client_for
) -> None:
    url = reverse("privacy:rectify", args=[subject.person.pk])
    client = client_for(subject.clerk)
    assert CIN in client.get(url).content.decode()  # the form shows it in full
    response = client.post(
        url,
        form_of(
            subject.person,
            last_name="Bennani-Smires",
            phone="+212 6 62 00 11 22",
            reason="Courrier du 12/11/2026 : nom d'épouse",
        ),
    )
    assert response.status_code == 302
    person = subject.reload()
    assert person.last_name == "Bennani-Smires"
    assert person.phone == "+212662001122"  # normalised by the registry's own rules
    latest = person.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == RECTIFIED + "Courrier du 12/11/2026 : nom d'épouse"
    assert latest.history_user == subject.clerk
    assert latest.last_name == "Bennani-Smires"
    assert latest.prev_record.last_name == "Bennani"


def test_a_rectification_without_reason_or_with_a_wrong_cin_changes_nothing_and_keeps_the_typing(
    subject: Subject, client_for
) -> None:
    url = reverse("privacy:rectify", args=[subject.person.pk])
    client = client_for(subject.clerk)
    before = subject.person.history.count()
    response = client.post(url, form_of(subject.person, last_name="Bennani-Smires", reason=""))
    assert response.status_code == 200
    assert "Bennani-Smires" in response.content.decode()  # what was typed stays
    response = client.post(
        url, form_of(subject.person, cin="12AB", reason="Carte renouvelée", last_name="Smires")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "12AB" in page
    assert "Smires" in page
    assert "CIN" in page
    person = subject.reload()
    assert (person.last_name, person.cin) == ("Bennani", CIN)
    assert person.history.count() == before


def test_an_objection_is_recorded_shown_and_withdrawn_with_its_trail(
    subject: Subject, client_for
) -> None:
    client = client_for(subject.clerk)
    pk = subject.person.pk
    response = client.post(reverse("privacy:objection", args=[pk]), {"reason": "  "})
    assert response.status_code == 400
    assert not Objection.objects.exists()
    response = client.post(
        reverse("privacy:objection", args=[pk]), {"reason": "Ne veut plus être démarchée"}
    )
    assert response.status_code == 302
    objection = Objection.objects.get(person_id=pk)
    assert (objection.reason, objection.recorded_by) == (
        "Ne veut plus être démarchée",
        subject.clerk,
    )
    page = client.get(reverse("registry:person", args=[pk])).content.decode()
    assert 'data-testid="objection"' in page
    page = client.get(reverse("privacy:person", args=[pk])).content.decode()
    assert "Ne veut plus être démarchée" in page
    response = client.post(
        reverse("privacy:objection_withdraw", args=[pk]), {"reason": "Nouvelle demande"}
    )
    assert response.status_code == 302
    assert not Objection.objects.exists()
    trail = list(Objection.history.filter(person_id=pk).order_by("history_date"))
    assert [(h.history_type, h.history_user) for h in trail] == [
        ("+", subject.clerk),
        ("-", subject.clerk),
    ]
    assert trail[1].history_change_reason == "privacy.objection.withdrawn: Nouvelle demande"
    page = client.get(reverse("registry:person", args=[pk])).content.decode()
    assert 'data-testid="objection"' not in page


def test_the_registry_export_leaves_out_the_persons_who_objected(
    subject: Subject, personas: Personas, client_for
) -> None:
    other = make_person(personas.own, first_name="Karim", last_name="Idrissi")
    objection_record(actor=subject.clerk, person=subject.person, reason="Refuse les listes")
    client = client_for(subject.clerk)
    text = client.get(reverse("registry:persons_export", args=["csv"])).content.decode()
    ids = {row[0] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))}
    assert str(other.pk) in ids
    assert str(subject.person.pk) not in ids
    book = load_workbook(
        io.BytesIO(client.get(reverse("registry:persons_export", args=["xlsx"])).content)
    )
    sheet = book.active
    assert sheet is not None
    ids = {str(row[0]) for row in sheet.iter_rows(values_only=True)}
    assert str(other.pk) in ids
    assert str(subject.person.pk) not in ids


def test_the_eligible_list_of_a_programme_leaves_out_the_persons_who_objected(
    subject: Subject, personas: Personas, client_for
) -> None:
    other = make_person(personas.own, first_name="Karim", sex="M", birth_date=date(1990, 1, 1))
    objection_record(actor=subject.clerk, person=subject.person, reason="Refuse les listes")
    url = reverse("programmes:bulk_export", args=[subject.programme.pk, "csv"])
    text = client_for(subject.clerk).get(url).content.decode()
    ids = {row[0] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))}
    assert str(other.pk) in ids
    assert str(subject.person.pk) not in ids


def test_the_named_list_behind_a_figure_counts_the_person_who_objected_without_naming_her(
    subject: Subject, client_for
) -> None:
    from essor.monitoring.facts import refresh

    refresh()
    url = reverse("monitoring:records", args=["programme", subject.programme.pk, "holders_reached"])
    client = client_for(subject.clerk)
    before = client.get(url, {"period": "2019"}).content.decode()
    assert "Fatima Zahra Bennani" in before
    objection_record(actor=subject.clerk, person=subject.person, reason="Refuse les listes")
    after = client.get(url, {"period": "2019"}).content.decode()
    assert "Fatima Zahra Bennani" not in after
    assert "Ce chiffre repose sur 1 fiche." in after
    told = ngettext(
        "%(n)s of them objected to being named in lists (law 09-08).",
        "%(n)s of them objected to being named in lists (law 09-08).",
        1,
    ) % {"n": 1}
    assert told in after


def test_what_the_programmes_must_do_goes_on_after_an_objection(subject: Subject) -> None:
    """The person's page, their applications and the ledger are not filtered: only exports
    and named lists are (decision 0018)."""
    from essor.funding.models import Commitment
    from essor.programmes.models import Application

    objection_record(actor=subject.clerk, person=subject.person, reason="Refuse les listes")
    assert Application.objects.filter(person=subject.person).count() == 2
    assert Commitment.objects.filter(person=subject.person).count() == 1
    assert not without_objections(Person.objects.filter(pk=subject.person.pk)).exists()
    assert (
        without_objections(Application.objects.filter(person=subject.person), "person").count() == 0
    )
