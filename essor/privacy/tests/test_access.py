"""The right of access: everything essor holds on a person, as a page, a JSON and a PDF in
French and Arabic, given by the privacy managers of a partner that holds them, and only what
that partner may read; and a walk of the app registry so that no model is forgotten."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext as _

from essor.core.testing import Personas
from essor.privacy.access import COVERED, EXCLUDED, WITH_TRAIL, access_report, report_dict
from essor.privacy.models import AccessLogEntry, AccessPurpose, Anonymisation, Objection
from essor.registry.models import Organisation, Person
from essor.registry.tests.factories import make_person

from .conftest import CIN, Subject, snapshot

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    return text.replace("\xa0", " ").replace("\u202f", " ")


def arabic_in(phrase: str, text: str) -> bool:
    """pdfplumber gives right-to-left runs in display order and reads a lam-alef ligature
    back as alef then lam: compare each line both ways (as the monitoring tests do)."""
    for ligature in ("لأ", "لإ", "لآ", "لا"):
        phrase = phrase.replace(ligature, ligature[::-1])
    return any(phrase in line or phrase in line[::-1] for line in text.splitlines())


def download(client: Any, person: Person, fmt: str, lang: str) -> Any:
    url = reverse("privacy:person_data", args=[person.pk, fmt])
    return client.get(url, {"lang": lang})


def rows(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return list(data["sections"][key]["rows"])


def test_the_json_export_holds_every_record_of_the_person(subject: Subject, client_for) -> None:
    client = client_for(subject.clerk)
    response = download(client, subject.person, "json", "fr")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert f"essor-data-{subject.person.pk}-" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["language"] == "fr"
    [person] = rows(data, "identity")
    assert person["cin"] == CIN  # in full: it is the person's own request
    assert (person["first_name"], person["last_name"]) == ("Fatima Zahra", "Bennani")
    assert person["last_name_ar"] == "بناني"
    assert person["sex"] == "Femme"
    assert person["birth_date"] == "1988-03-14"
    assert person["phone"] == "06 61 23 45 67"
    assert person["email"] == "fz.bennani@example.ma"
    assert person["address"] == "12 derb Sidi Bouloukat"
    assert subject.commune.code in person["commune"]

    assert sorted(r["partner"] for r in rows(data, "holders")) == ["Chambre test", "INDH test"]
    assert [r["purpose"] for r in rows(data, "consents")] == ["Suivi du programme"]
    assert [(r["organisation"], r["role"]) for r in rows(data, "organisations")] == [
        ("Coopérative Tiwizi", "Fondateur")
    ]
    [application] = rows(data, "applications")
    assert application["receipt"] == "TPE-0001"
    assert application["status"] == "Inscrit"
    assert application["requested"] == "30000.00"
    assert application["interview_note"] == "Motivée, déjà une clientèle à Sefrou."
    assert [r["outcome"] for r in rows(data, "screenings")] == ["eligible"]
    assert [(r["criterion"], r["value"]) for r in rows(data, "scores")] == [
        ("Viabilité du projet", 4)
    ]
    assert [(r["outcome"], r["score"]) for r in rows(data, "decisions")] == [("Retenu", "16.50")]
    [enrollment] = rows(data, "enrollments")
    assert (enrollment["started_on"], enrollment["exited_on"]) == ("2019-02-01", "2020-03-31")
    assert [r["stage"] for r in rows(data, "stage_changes")]
    assert [r["scheme"] for r in rows(data, "referrals")] == ["Intilaka"]
    assert [(r["programme"], r["present"]) for r in rows(data, "attendance")] == [
        ("Programme TPE test", True)
    ]
    assert [(r["kind"], r["amount"]) for r in rows(data, "commitments")] == [
        ("Subvention", "30000.00")
    ]
    assert [(r["tranche"], r["paid_on"]) for r in rows(data, "disbursements")] == [
        (1, "2019-05-02")
    ]
    surveys = rows(data, "follow_ups")
    assert sorted(r["wave"] for r in surveys) == [6, 12, 24]
    assert [r["jobs_created"] for r in surveys if r["done_on"]] == [2]
    assert [r["notes"] for r in rows(data, "diagnostics")] == ["Besoin d'un site de vente"]
    assert [r["text"] for r in rows(data, "plan_items")] == ["Ouvrir une page de vente"]
    assert [r["group"] for r in rows(data, "groups")] == ["Couture Sefrou"]
    assert [r["id"] for r in rows(data, "merged_records")] == [subject.duplicate.pk]
    assert [r["other"] for r in rows(data, "duplicate_checks")] == [subject.duplicate.pk]
    trail = rows(data, "audit_trail")
    assert any(r["action"] == "registry.person.created" for r in trail)
    assert any(r["action"] == "registry.consent.recorded" for r in trail)
    assert rows(data, "objection") == []
    assert rows(data, "anonymisation") == []
    # Partner B's application is counted and named by its partner, not shown.
    assert data["held_by_other_partners"] == [
        {"partner": "INDH-T", "what": "Candidatures", "count": 1}
    ]
    assert "INDH-0042" not in response.content.decode()
    assert "Projet confidentiel" not in response.content.decode()
    # The download showed the full CIN: it is in the log, with its purpose.
    assert list(AccessLogEntry.objects.values_list("person_id", "user_id", "purpose")) == [
        (subject.person.pk, subject.clerk.pk, AccessPurpose.RIGHTS)
    ]


def test_the_json_export_in_arabic_gives_labels_and_values_in_arabic(
    subject: Subject, client_for
) -> None:
    data = json.loads(download(client_for(subject.clerk), subject.person, "json", "ar").content)
    assert data["language"] == "ar"
    [person] = rows(data, "identity")
    assert person["sex"] == "امرأة"
    assert person["cin"] == CIN
    assert data["sections"]["identity"]["columns"]["id"] == "رقم القيد في السجل"
    assert data["sections"]["identity"]["columns"]["phone"] == "الهاتف"
    assert [r["role"] for r in rows(data, "organisations")] == ["مؤسس"]
    assert [r["kind"] for r in rows(data, "commitments")] == ["منحة"]


def test_the_pdf_export_is_readable_in_french(subject: Subject, client_for) -> None:
    response = download(client_for(subject.clerk), subject.person, "pdf", "fr")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "Numéro au registre",
        "Fatima Zahra",
        "Bennani",
        CIN,
        "06 61 23 45 67",
        "14/03/1988",
        "Femme",
        "Coopérative Tiwizi",
        "TPE-0001",
        "Intilaka",
        "30 000,00 DH",
        "Couture Sefrou",
        "INDH-T",
    ):
        assert expected in text, expected
    assert "INDH-0042" not in text


def test_the_pdf_export_in_arabic_is_shaped_right_to_left_text(
    subject: Subject, client_for
) -> None:
    response = download(client_for(subject.clerk), subject.person, "pdf", "ar")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert arabic_in("رقم القيد في السجل", text)
    assert arabic_in("البطاقة الوطنية", text)
    assert arabic_in("بناني", text)
    assert arabic_in("امرأة", text)
    assert CIN in text
    assert "30.000,00" in text
    assert "TPE-0001" in text


def test_the_page_shows_the_data_held_and_is_in_the_access_log(
    subject: Subject, client_for
) -> None:
    response = client_for(subject.clerk).get(reverse("privacy:person", args=[subject.person.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert CIN in page
    assert "TPE-0001" in page
    assert "Coopérative Tiwizi" in page
    assert "INDH-0042" not in page
    assert (
        AccessLogEntry.objects.filter(person=subject.person, purpose=AccessPurpose.RIGHTS).count()
        == 1
    )


def test_each_holder_reads_its_own_records_and_counts_the_others(
    subject: Subject, personas: Personas
) -> None:
    """Partner B's clerk answers the same person's request: B's application in full, A's
    counted."""
    report = access_report(subject.person, actor=personas.user("data_clerk", "other"))
    data = report_dict(report)
    assert [r["receipt"] for r in rows(data, "applications")] == ["INDH-0042"]
    assert rows(data, "commitments") == []
    counted = {(e["partner"], e["what"]): e["count"] for e in data["held_by_other_partners"]}
    assert counted[("CCIS-T", _("Applications"))] == 1
    assert counted[("CCIS-T", _("Commitments"))] == 1
    assert counted[("CCIS-T", _("Sessions and attendance"))] == 1


def test_another_partners_person_is_missing_and_nothing_is_logged(
    personas: Personas, client_for
) -> None:
    theirs = make_person(personas.other, first_name="Nadia", cin="CD987654")
    client = client_for(personas.user("data_clerk"))
    for name, args, method in (
        ("privacy:person", [theirs.pk], "get"),
        ("privacy:person_data", [theirs.pk, "json"], "get"),
        ("privacy:person_data", [theirs.pk, "pdf"], "get"),
        ("privacy:rectify", [theirs.pk], "get"),
        ("privacy:access_log", [theirs.pk], "get"),
        ("privacy:objection", [theirs.pk], "post"),
    ):
        url = reverse(name, args=args)
        response = getattr(client, method)(url, {"reason": "Ne veut plus être contactée"})
        assert response.status_code == 404, url
    assert not AccessLogEntry.objects.exists()
    assert not Objection.objects.exists()


@pytest.mark.parametrize(
    "role", ["counsellor", "programme_manager", "committee_member", "evaluator"]
)
def test_roles_without_the_privacy_capability_are_refused_and_change_nothing(
    subject: Subject, personas: Personas, client_for, role: str
) -> None:
    pk = subject.person.pk
    before = (snapshot(Person), AccessLogEntry.objects.count())
    client = client_for(personas.user(role))
    assert client.get(reverse("privacy:index")).status_code == 404
    assert client.get(reverse("privacy:person", args=[pk])).status_code == 404
    assert client.get(reverse("privacy:person_data", args=[pk, "json"])).status_code == 404
    assert client.get(reverse("privacy:retention")).status_code == 404
    posts = [
        (reverse("privacy:objection", args=[pk]), {"reason": "Je refuse"}),
        (reverse("privacy:rectify", args=[pk]), {"first_name": "X", "reason": "Demande"}),
        (reverse("privacy:retention"), {"digest": "0" * 16, "confirm": "on"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert (snapshot(Person), AccessLogEntry.objects.count()) == before
    assert not Objection.objects.exists()
    assert not Anonymisation.objects.exists()


def test_the_menu_and_the_person_page_lead_privacy_managers_to_the_requests(
    subject: Subject, personas: Personas, client_for
) -> None:
    url = reverse("privacy:person", args=[subject.person.pk])
    page = client_for(subject.clerk).get(reverse("registry:person", args=[subject.person.pk]))
    assert reverse("privacy:index") in page.content.decode()
    assert url in page.content.decode()
    counsellor = client_for(personas.user("counsellor"))
    page = counsellor.get(reverse("registry:person", args=[subject.person.pk]))
    assert reverse("privacy:index") not in page.content.decode()
    assert url not in page.content.decode()


# --- Nothing forgotten ----------------------------------------------------------------------


def _pointing_at(targets: set[type]) -> list[tuple[str, type]]:
    """(label, model) of every model with a foreign key, one-to-one or many-to-many field to
    one of ``targets``."""
    found = []
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if (
                model_field.is_relation
                and not model_field.auto_created
                and model_field.related_model in targets
            ):
                found.append((model._meta.label, model))
                break
    return found


def test_every_model_pointing_at_a_person_or_their_organisation_is_in_the_export(
    subject: Subject,
) -> None:
    """Walk the app registry from Person and Organisation along the models that point at
    them (and at those, and so on). Each one is in a section of the export, in its audit
    trail, or left out with a reason (essor/privacy/access/coverage.py). A new model pointing at a
    person fails here until it is given a place."""
    seen: dict[str, str] = {}
    frontier: set[type] = {Person, Organisation}
    done: set[type] = set()
    while frontier:
        done |= frontier
        following: set[type] = set()
        for label, model in _pointing_at(frontier):
            if label in seen:
                continue
            base = getattr(model, "instance_type", None)  # a simple-history model
            if label in EXCLUDED:
                seen[label] = "excluded"
            elif base is not None:
                seen[label] = (
                    "audit_trail" if base._meta.label in WITH_TRAIL else "missing (history)"
                )
            elif label in COVERED:
                seen[label] = COVERED[label]
                if model not in done:
                    following.add(model)
            else:
                seen[label] = "missing"
        frontier = following
    missing = sorted(label for label, where in seen.items() if where.startswith("missing"))
    assert missing == [], (
        "These models point at a person (or at their organisations) and are not in the "
        f"right-of-access export: {missing}. Add them to COVERED (and a section), to "
        "WITH_TRAIL for a history model, or to EXCLUDED with the reason, in "
        "essor/privacy/access/coverage.py."
    )
    # And the sections named are in the export.
    data = report_dict(access_report(subject.person, actor=subject.clerk))
    assert set(COVERED.values()) <= set(data["sections"])
    assert "audit_trail" in data["sections"]
    assert set(WITH_TRAIL) <= set(COVERED)
    # Nothing is both given and left out.
    assert not set(COVERED) & set(EXCLUDED)
