"""Linkage where users meet it: an import's dry run, "already supported?", organisations, and
the commands."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from essor.core.testing import Personas
from essor.funding.models import Commitment
from essor.linkage.models import Merge, OrganisationPair, PairStatus, PersonPair
from essor.linkage.runs import organisation_run
from essor.linkage.services import merge_organisations, merge_undo
from essor.linkage.support import person_supports
from essor.monitoring.tests.conftest import World
from essor.programmes.models import ExclusionEntry, ExclusionList
from essor.registry.importing.jobs import import_job_create, import_job_load, import_job_plan
from essor.registry.models import Membership, Organisation, Person
from essor.registry.tests.factories import make_organisation, make_person

HEADER = ["Prénom", "Nom", "الاسم الشخصي بالعربية", "النسب بالعربية", "Date de naissance", "CIN"]


def _import(personas: Personas, tmp_path: Path, rows: list[list[Any]], *, load: bool) -> Any:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = tmp_path / "indh.xlsx"
    book.save(path)
    clerk = personas.user("data_clerk", "other")
    with path.open("rb") as handle:
        job = import_job_create(
            actor=clerk, partner=personas.other, kind="persons", file=File(handle), name=path.name
        )
    return import_job_load(job, actor=clerk) if load else import_job_plan(job)


def test_an_import_dry_run_shows_the_person_an_arabic_row_may_be(
    personas: Personas, tmp_path: Path, client_for: Any
) -> None:
    fatima = make_person(
        personas.own,
        first_name="Fatima Zahra",
        last_name="El Idrissi",
        birth_date=date(1994, 3, 21),
        cin="AB123456",
    )
    rows = [
        ["", "", "فاطمة الزهراء", "الإدريسي", date(1994, 3, 21), "AB123465"],
        ["", "", "يوسف", "بنعلي", date(1990, 1, 1), ""],
    ]
    job = _import(personas, tmp_path, rows, load=False)
    assert job.summary["create"] == 2
    likely = job.summary["likely"]
    assert list(likely) == ["2"]  # the first data row, and only it
    assert likely["2"][0][0] == fatima.pk
    assert likely["2"][0][2] == "auto"  # a CIN one transposition away, same names and birth
    page = client_for(personas.user("data_clerk", "other")).get(
        reverse("registry:import", args=[job.pk])
    )
    assert f"#{fatima.pk}" in page.content.decode()

    job = _import(personas, tmp_path, rows, load=True)
    assert job.status == "done"
    created = Person.objects.get(last_name_ar="الإدريسي")
    pair = PersonPair.objects.get()
    assert {pair.left_id, pair.right_id} == {fatima.pk, created.pk}
    assert pair.status == PairStatus.PENDING


def test_already_supported_looks_through_programmes_exclusion_lists_and_sure_duplicates(
    personas: Personas, client_for: Any
) -> None:
    world = World(personas)
    khadija = world.khadija  # a grant committed by partner A's programme
    Person.objects.filter(pk=khadija.pk).update(
        last_name="Bennani", cin="JB445566", phone="+212661112233"
    )
    khadija.refresh_from_db()
    twin = make_person(
        personas.other,
        first_name="Khadija",
        last_name="Bennani",
        birth_date=khadija.birth_date,
        phone="+212661112233",
        cin="JB445656",
    )
    intilaka = ExclusionList.objects.create(
        partner=personas.other, name="Bénéficiaires Intilaka 2023", programme_code="intilaka"
    )
    ExclusionEntry.objects.create(exclusion_list=intilaka, cin="JB445656", year=2023)

    supports = person_supports(twin)
    kinds = {(s.kind, s.via) for s in supports}
    assert ("commitment", khadija.pk) in kinds  # found through her not-yet-merged record
    assert ("exclusion", None) in kinds
    assert Commitment.objects.filter(person=twin).count() == 0

    page = client_for(personas.user("data_clerk", "other")).get(
        reverse("registry:person", args=[twin.pk])
    )
    text = page.content.decode()
    assert "Bénéficiaires Intilaka 2023" in text
    assert world.p1_prog.name_fr in text


def test_organisations_with_the_same_name_and_founders_go_to_review_and_merge_back_and_forth(
    personas: Personas, client_for: Any
) -> None:
    founder = make_person(personas.own, first_name="Rachida", last_name="Amrani")
    coop = make_organisation(
        personas.own, kind="cooperative", name_fr="Coopérative Al Amal", name_ar=""
    )
    twin = make_organisation(
        personas.other, kind="cooperative", name_fr="", name_ar="تعاونية الأمل"
    )
    other = make_organisation(personas.own, kind="cooperative", name_fr="Coopérative Nour")
    for org in (coop, twin):
        Membership.objects.create(organisation=org, person=founder, role="founder")
    run = organisation_run(actor=None)
    assert run.review_pairs == 1
    pair = OrganisationPair.objects.get()
    assert {pair.left_id, pair.right_id} == {coop.pk, twin.pk}
    assert pair.evidence["founders"] == "the same"
    assert other.pk not in {pair.left_id, pair.right_id}

    merge = merge_organisations(
        actor=personas.user("data_clerk"), survivor=coop, merged=twin, pair=pair
    )
    twin.refresh_from_db()
    coop.refresh_from_db()
    assert twin.merged_into_id == coop.pk
    assert coop.name_ar == "تعاونية الأمل"
    assert Membership.objects.filter(organisation=twin).count() == 0
    merge_undo(actor=personas.user("data_clerk"), merge=merge)
    twin.refresh_from_db()
    assert twin.merged_into_id is None
    assert twin.archived_at is None
    assert Membership.objects.filter(organisation=twin).count() == 1
    assert Organisation.objects.get(pk=coop.pk).name_ar == ""
    assert Merge.objects.get().undone_at is not None


def test_essor_link_dry_run_prints_its_figures_and_changes_nothing(personas: Personas) -> None:
    make_person(personas.own, first_name="Omar", last_name="Alaoui", cin="K123456")
    make_person(personas.other, first_name="Omar", last_name="Alaoui", cin="K123465")
    out = io.StringIO()
    call_command("link", "--dry-run", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "records\t2" in text
    assert "sure pairs\t1" in text
    assert "dry run" in text
    assert not PersonPair.objects.exists()
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_essor_name_key_prints_name_and_key_from_arguments_and_standard_input() -> None:
    essor = str(Path(sys.executable).with_name("essor"))
    given = subprocess.run(
        [essor, "name-key", "Mohammed El Alaoui", "محمد العلوي"],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = given.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["Mohammed El Alaoui", "محمد العلوي"]
    assert lines[0].split("\t")[1] == lines[1].split("\t")[1]
    piped = subprocess.run(
        [essor, "name-key"], input="Abdelkader\nعبد القادر\n", capture_output=True, text=True
    )
    keys = [line.split("\t")[1] for line in piped.stdout.splitlines()]
    assert len(keys) == 2
    assert keys[0] == keys[1]
