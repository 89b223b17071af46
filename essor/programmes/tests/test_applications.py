"""Applications from entry to exit: screening with evidence, selection within capacity, the
waiting list, the journey, and the public form's defences."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from essor.conventions.tests.factories import make_convention, make_line, make_programme
from essor.core.testing import Personas
from essor.funding import services as funding
from essor.programmes import applications, selection, services
from essor.programmes.models import (
    Application,
    ExclusionEntry,
    ExclusionList,
    Programme,
)
from essor.registry.models import Person
from essor.registry.tests.factories import make_person
from essor.territory.models import Commune

pytestmark = pytest.mark.django_db


def rural_commune() -> Commune:
    commune = Commune.objects.filter(region__code="01", kind="rural").order_by("code").first()
    assert commune is not None
    return commune


@pytest.fixture
def programme(personas: Personas) -> Programme:
    programme = make_programme(personas.own, capacity=1, code="tpe-test")
    services.rule_set(actor=None, programme=programme, kind="age", params={"min": 18, "max": 35})
    services.rule_set(actor=None, programme=programme, kind="territory", params={"regions": ["01"]})
    services.rule_set(
        actor=None,
        programme=programme,
        kind="prior_support",
        params={"programmes": ["indh-p3", "intilaka"], "within_years": 5},
    )
    services.criterion_add(actor=None, programme=programme, label_fr="Viabilité", weight=2)
    services.criterion_add(actor=None, programme=programme, label_fr="Motivation", weight=1)
    return programme


def young(personas: Personas, **data: Any) -> Person:
    values = {
        "birth_date": date(2000, 3, 1),
        "commune": rural_commune(),
        "cin": data.pop("cin", "AB123456"),
    }
    return make_person(personas.own, **(values | data))


def test_an_eligible_application_keeps_each_rule_and_its_evidence(
    personas: Personas, programme: Programme
) -> None:
    application = applications.application_create(
        actor=personas.user("data_clerk"), programme=programme, person=young(personas)
    )
    screening = applications.application_screen(actor=None, application=application)
    assert screening.outcome == "eligible"
    assert [r.status for r in screening.rule_results()] == ["pass", "pass", "pass"]
    assert screening.evidence["looked_up"] == {
        "programmes": ["indh-p3", "intilaka"],
        "cin_or_ice": True,
    }
    application.refresh_from_db()
    assert application.status == "eligible"


def test_prior_support_found_in_essors_commitments_excludes(
    personas: Personas, programme: Programme
) -> None:
    person = young(personas)
    convention = make_convention(personas.own)
    line = make_line(convention, personas.own, "500000")
    indh = make_programme(personas.own, line, code="indh-p3", threshold="1000000")
    funding.commitment_create(
        actor=personas.user("programme_manager"),
        budget_line=line,
        programme=indh,
        person=person,
        amount=Decimal("20000"),
        committed_on=date(2022, 5, 3),
    )
    application = applications.application_create(actor=None, programme=programme, person=person)
    screening = applications.application_screen(actor=None, application=application)
    prior = screening.rule_results()[2]
    assert (screening.outcome, prior.status) == ("ineligible", "fail")
    with translation.override("fr"):
        assert prior.reason == (
            "Déjà soutenu par indh-p3 en 2022 (un engagement enregistré dans essor)"
        )
    assert screening.evidence["prior_support"] == [
        {"programme": "indh-p3", "year": 2022, "source": "commitment"}
    ]


def test_prior_support_found_in_a_partners_exclusion_list_excludes(
    personas: Personas, programme: Programme
) -> None:
    listing = ExclusionList.objects.create(
        partner=personas.other, name="Bénéficiaires Intilaka 2023", programme_code="intilaka"
    )
    ExclusionEntry.objects.create(exclusion_list=listing, cin="AB123456", year=2023)
    application = applications.application_create(
        actor=None, programme=programme, person=young(personas)
    )
    screening = applications.application_screen(actor=None, application=application)
    assert screening.outcome == "ineligible"
    assert screening.evidence["prior_support"][0]["source"] == "Bénéficiaires Intilaka 2023"


def test_without_a_cin_prior_support_is_unknown_not_a_pass(
    personas: Personas, programme: Programme
) -> None:
    application = applications.application_create(
        actor=None, programme=programme, person=young(personas, cin="")
    )
    screening = applications.application_screen(actor=None, application=application)
    assert screening.outcome == "incomplete"
    assert screening.rule_results()[2].status == "unknown"


def test_one_application_per_person_and_programme(personas: Personas, programme: Programme) -> None:
    person = young(personas)
    applications.application_create(actor=None, programme=programme, person=person)
    with pytest.raises(ValidationError):
        applications.application_create(actor=None, programme=programme, person=person)
    assert Application.objects.count() == 1


def _eligible(personas: Personas, programme: Programme, cin: str) -> Application:
    application = applications.application_create(
        actor=None, programme=programme, person=young(personas, cin=cin)
    )
    applications.application_screen(actor=None, application=application)
    application.refresh_from_db()
    assert application.status == "eligible"
    return application


def test_capacity_is_respected_and_the_waiting_list_moves_up(
    personas: Personas, programme: Programme
) -> None:
    manager = personas.user("programme_manager")
    first = _eligible(personas, programme, "AB100001")
    second = _eligible(personas, programme, "AB100002")
    third = _eligible(personas, programme, "AB100003")
    evaluator = personas.user("evaluator", "other")
    criteria = list(programme.scoring_criteria.all())
    for application, marks in ((second, (2, 3)), (third, (5, 4))):
        selection.evaluator_assign(actor=manager, application=application, evaluator=evaluator)
        for criterion, value in zip(criteria, marks, strict=True):
            selection.score_set(
                evaluator=evaluator, application=application, criterion=criterion, value=value
            )
    session = selection.session_create(actor=manager, programme=programme, held_on=date(2025, 3, 1))
    selection.decide(actor=manager, application=first, outcome="selected", session=session)
    with pytest.raises(ValidationError) as error:  # one place only
        selection.decide(actor=manager, application=second, outcome="selected", session=session)
    assert "outcome" in error.value.message_dict
    selection.decide(actor=manager, application=second, outcome="waiting", session=session)
    selection.decide(actor=manager, application=third, outcome="waiting", session=session)
    assert selection.total_score(third) == Decimal("93.33")  # (5/5*2 + 4/5*1) / 3

    selection.withdraw(actor=manager, application=first, reason="A trouvé un emploi")
    for application in (first, second, third):
        application.refresh_from_db()
    assert (first.status, second.status, third.status) == ("withdrawn", "waiting", "selected")
    assert third.decisions.first().reason.startswith("Remonté")  # type: ignore[union-attr]


def test_a_rejection_needs_a_reason(personas: Personas, programme: Programme) -> None:
    application = _eligible(personas, programme, "AB100004")
    with pytest.raises(ValidationError):
        selection.decide(actor=personas.user("admin"), application=application, outcome="rejected")
    application.refresh_from_db()
    assert application.status == "eligible"


def test_the_journey_is_dated_and_ends_with_an_outcome(
    personas: Personas, programme: Programme
) -> None:
    manager = personas.user("programme_manager")
    application = _eligible(personas, programme, "AB100005")
    selection.decide(actor=manager, application=application, outcome="selected")
    enrollment = selection.enroll(actor=manager, application=application, on=date(2025, 4, 1))
    selection.stage_set(
        actor=manager, enrollment=enrollment, stage="preparation", on=date(2025, 5, 2)
    )
    with pytest.raises(ValidationError):  # not before the last change
        selection.stage_set(
            actor=manager, enrollment=enrollment, stage="launch", on=date(2025, 4, 2)
        )
    selection.referral_add(
        actor=manager, enrollment=enrollment, scheme="Forsa", referred_on=date(2025, 6, 1)
    )
    selection.exit_record(
        actor=manager, enrollment=enrollment, outcome="enterprise_created", on=date(2025, 12, 1)
    )
    assert list(enrollment.stage_changes.values_list("stage", "on", "by")) == [
        ("idea", date(2025, 4, 1), manager.pk),
        ("preparation", date(2025, 5, 2), manager.pk),
    ]
    enrollment.refresh_from_db()
    assert (enrollment.exit_outcome, enrollment.referrals.get().scheme) == (
        "enterprise_created",
        "Forsa",
    )


# --- The public form ---------------------------------------------------------------------------


def public_form(programme: Programme, client: Client) -> dict[str, str]:
    page = client.get(reverse("programmes:apply", args=[programme.pk])).content.decode()
    key = page.split('name="submission_key" value="')[1].split('"')[0]
    return {
        "first_name_ar": "سلمى",
        "last_name_ar": "البقالي",
        "cin": "ab 654321",
        "sex": "F",
        "birth_date": "2001-04-12",
        "phone": "06 12 34 56 78",
        "commune": rural_commune().code,
        "project_title": "Atelier de couture",
        "requested": "30 000",
        "project_cost": "60 000",
        "consent": "on",
        "submission_key": key,
    }


def test_the_public_form_sent_twice_gives_one_application(programme: Programme) -> None:
    cache.clear()
    client = Client()
    data = public_form(programme, client)
    first = client.post(reverse("programmes:apply", args=[programme.pk]), data)
    second = client.post(reverse("programmes:apply", args=[programme.pk]), data)
    assert first.status_code == second.status_code == 302
    application = Application.objects.get()
    assert (application.channel, application.person.cin) == ("public", "AB654321")  # type: ignore[union-attr]
    assert application.person.consents.count() == 1  # type: ignore[union-attr]
    receipt_page = client.get(first["Location"]).content.decode()
    assert application.receipt in receipt_page


def test_a_second_application_with_the_same_cin_is_refused_without_revealing_it(
    programme: Programme,
) -> None:
    cache.clear()
    client = Client()
    client.post(reverse("programmes:apply", args=[programme.pk]), public_form(programme, client))
    again = public_form(programme, Client())
    response = Client().post(reverse("programmes:apply", args=[programme.pk]), again)
    assert response.status_code == 400
    content = response.content.decode()
    assert Application.objects.get().receipt not in content
    assert 'value="Atelier de couture"' in content  # nothing typed is lost
    assert Application.objects.count() == 1


def test_a_malformed_cin_and_phone_are_named_and_what_was_typed_stays(programme: Programme) -> None:
    cache.clear()
    client = Client(HTTP_ACCEPT_LANGUAGE="ar")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    data = public_form(programme, client) | {"cin": "123", "phone": "12"}
    response = client.post(reverse("programmes:apply", args=[programme.pk]), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert 'dir="rtl"' in content
    assert "123" in content
    assert 'value="Atelier de couture"' in content
    assert not Application.objects.exists()
    assert not Person.objects.exists()


def test_a_bot_filling_the_hidden_field_is_turned_away(programme: Programme) -> None:
    cache.clear()
    client = Client()
    data = public_form(programme, client) | {"website": "http://spam.example"}
    response = client.post(reverse("programmes:apply", args=[programme.pk]), data)
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_too_many_forms_from_one_address_are_slowed_down(
    programme: Programme, settings: Any
) -> None:
    cache.clear()
    settings.ESSOR_PUBLIC_FORM_RATE = "3/h"
    client = Client()
    statuses = [
        client.post(reverse("programmes:apply", args=[programme.pk]), {"cin": "x"}).status_code
        for _ in range(5)
    ]
    assert statuses == [400, 400, 400, 429, 429]


def test_a_closed_programme_takes_no_application(personas: Personas) -> None:
    closed = make_programme(personas.own, closes_on=timezone.localdate() - timedelta(days=1))
    assert Client().get(reverse("programmes:apply", args=[closed.pk])).status_code == 404


def test_the_holder_follows_the_file_with_receipt_and_cin(programme: Programme) -> None:
    cache.clear()
    client = Client()
    client.post(reverse("programmes:apply", args=[programme.pk]), public_form(programme, client))
    application = Application.objects.get()
    follow = reverse("programmes:follow")
    wrong = Client().post(follow, {"receipt": application.receipt, "cin": "AB111111"})
    assert application.get_status_display() not in wrong.content.decode().split("<form")[0]
    right = Client().post(follow, {"receipt": application.receipt.lower(), "cin": "ab654321"})
    assert 'id="follow-result"' in right.content.decode()
    assert "AB654321" not in Client().get(follow, {"receipt": application.receipt}).content.decode()


def test_an_exclusion_list_loads_valid_rows_and_names_the_refused_ones(
    personas: Personas,
) -> None:
    from essor.programmes.exclusions import exclusion_list_import

    content = "CIN;Année\nAB123456;2023\nab 234567;2022\n123;2021\nBK345678;deux mille\n".encode()
    with translation.override("fr"):
        report = exclusion_list_import(
            actor=personas.user("data_clerk"),
            partner=personas.own,
            name="Intilaka 2023",
            programme_code="intilaka",
            content=content,
            suffix=".csv",
        )
    assert report.loaded == 2
    assert [e.split(" :")[0] for e in report.errors] == ["Ligne 4", "Ligne 5"]
    assert list(ExclusionEntry.objects.values_list("cin", "year")) == [
        ("AB123456", 2023),
        ("AB234567", 2022),
    ]


def test_the_exclusion_page_takes_a_file_and_reports(personas: Personas) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    client.force_login(
        personas.user("data_clerk"), backend="django.contrib.auth.backends.ModelBackend"
    )
    response = client.post(
        reverse("programmes:exclusions"),
        {
            "name": "INDH 2022",
            "programme_code": "indh-p3",
            "file": SimpleUploadedFile("liste.csv", b"CIN\nAB123456\nZZ\n", "text/csv"),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "INDH 2022" in response.content.decode()
    assert ExclusionEntry.objects.count() == 1
    counsellor = Client()
    counsellor.force_login(
        personas.user("counsellor"), backend="django.contrib.auth.backends.ModelBackend"
    )
    refused = counsellor.post(reverse("programmes:exclusions"), {"name": "x"})
    assert refused.status_code == 404


def test_a_cin_typed_with_other_details_does_not_hand_the_record_over(
    personas: Personas, programme: Programme
) -> None:
    cache.clear()
    known = make_person(
        personas.other,
        first_name="Nadia",
        last_name="Berrada",
        cin="AB654321",
        birth_date=date(1990, 1, 1),
    )
    client = Client()
    response = client.post(
        reverse("programmes:apply", args=[programme.pk]), public_form(programme, client)
    )
    assert response.status_code == 400
    assert "Berrada" not in response.content.decode()
    assert not Application.objects.exists()
    assert list(known.holdings.values_list("partner__code", flat=True)) == [personas.other.code]


def test_the_same_person_applying_again_on_the_form_is_recognised(
    programme: Programme, personas: Personas
) -> None:
    cache.clear()
    known = make_person(
        personas.other,
        first_name_ar="سلمى",
        last_name_ar="البقالي",
        cin="AB654321",
        birth_date=date(2001, 4, 12),
    )
    client = Client()
    response = client.post(
        reverse("programmes:apply", args=[programme.pk]), public_form(programme, client)
    )
    assert response.status_code == 302
    assert Application.objects.get().person == known
