"""Merging duplicates through the review page, undoing it, and "not the same" remembered."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from essor.accompaniment.models import Participant, Session
from essor.core.testing import Personas
from essor.funding.models import Commitment
from essor.linkage import lookup
from essor.linkage.models import Band, Merge, PairStatus, PersonPair
from essor.linkage.runs import person_run
from essor.linkage.services import merge_undo, pair_not_same
from essor.monitoring.models import FollowUp
from essor.monitoring.tests.conftest import World
from essor.programmes.models import Application
from essor.registry.models import Person, PersonHolding
from essor.registry.services import person_hold, rebuild_person_keys
from essor.registry.tests.factories import make_person

# Everything a merge may touch, compared row by row (the audit trail grows, on purpose).
COMPARED_APPS = {"registry", "programmes", "funding", "accompaniment", "monitoring"}
DERIVED = {"Fact", "FactStage", "FactsRefresh", "PersonNameKey", "OrganisationNameKey"}


def registry_state() -> dict[str, Any]:
    state: dict[str, Any] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label not in COMPARED_APPS or model.__name__.startswith("Historical"):
            continue
        if model.__name__ in DERIVED:
            continue
        columns = [f.attname for f in meta.concrete_fields]
        state[meta.label] = sorted(
            model._default_manager.order_by().values_list(*columns), key=repr
        )
    # Name keys are rebuilt (new ids): compared as (person, key).
    from essor.registry.models import PersonNameKey

    state["keys"] = sorted(PersonNameKey.objects.values_list("person_id", "key"))
    return state


@pytest.fixture
def duplicate(personas: Personas) -> dict[str, Any]:
    """Amina held by partner A with her support, and the same woman entered by partner B in
    Arabic script with her own application, one shared session and a follow-up."""
    world = World(personas)
    amina = world.amina
    Person.objects.filter(pk=amina.pk).update(
        last_name="El Idrissi", cin="AB123456", phone="+212612345678"
    )
    amina.refresh_from_db()
    rebuild_person_keys(amina)
    twin = make_person(
        personas.other,
        first_name="",
        last_name="",
        first_name_ar="أمينة",
        last_name_ar="الإدريسي",
        sex="F",
        birth_date=date(1995, 4, 1),
        phone="+212612345678",
        cin="AB123465",  # two digits swapped
    )
    person_hold(person=twin, partner=personas.own)  # both partners hold her now
    app = Application.objects.create(
        holder=personas.other,
        programme=world.p3_prog,
        person=twin,
        receipt="R-twin",
        channel="office",
        status="submitted",
        submitted_on=date(2025, 4, 2),
    )
    shared = Participant.objects.filter(person=amina).first()
    assert shared is not None
    Participant.objects.create(session=shared.session, person=twin, present=True)
    other_session = Session.objects.exclude(participants__person=amina).first()
    assert other_session is not None
    Participant.objects.create(session=other_session, person=twin, present=True)
    Commitment.objects.filter(person=world.khadija).update(person=twin)
    pair = PersonPair.objects.create(
        left=amina, right=twin, score=0.999, evidence={"cin": "one edit or a transposition"}
    )
    return {"world": world, "amina": amina, "twin": twin, "app": app, "pair": pair}


def test_merge_through_the_review_page_then_undo_leaves_the_registry_as_before(
    personas: Personas, duplicate: dict[str, Any], client_for: Any
) -> None:
    amina, twin, pair = duplicate["amina"], duplicate["twin"], duplicate["pair"]
    follow_ups = FollowUp.objects.filter(enrollment__application__person=amina).count()
    before = registry_state()
    clerk = personas.user("data_clerk")
    client = client_for(clerk)

    page = client.get(reverse("linkage:pair", args=["person", pair.pk]))
    assert page.status_code == 200
    assert "AB123465" in page.content.decode() or "AB12****" in page.content.decode()
    response = client.post(
        reverse("linkage:pair", args=["person", pair.pk]), {"action": "merge", "keep": "left"}
    )
    assert response.status_code == 302

    twin.refresh_from_db()
    amina.refresh_from_db()
    assert twin.merged_into_id == amina.pk
    assert twin.archived_at is not None
    assert Application.objects.filter(person=twin).count() == 0
    assert duplicate["app"].__class__.objects.get(pk=duplicate["app"].pk).person_id == amina.pk
    assert Participant.objects.filter(person=twin).count() == 0
    # The shared session keeps one attendance row, the survivor's.
    assert Participant.objects.filter(person=amina).count() == 3  # 2 of hers + 1 moved
    assert Commitment.objects.filter(person=amina).count() == 1
    assert FollowUp.objects.filter(enrollment__application__person=amina).count() == follow_ups
    assert amina.first_name_ar == "أمينة"  # an empty field filled from the merged record
    assert amina.cin == "AB123456"  # the survivor's own values are kept
    assert PersonHolding.objects.filter(person=amina).count() == 2
    assert PersonPair.objects.get(pk=pair.pk).status == PairStatus.MERGED
    verbs = list(twin.history.values_list("history_change_reason", flat=True))
    assert "registry.person.merged" in verbs

    merge = Merge.objects.get()
    response = client.post(reverse("linkage:merge_undo", args=[merge.pk]))
    assert response.status_code == 302
    after = registry_state()
    for label in before:
        assert after[label] == before[label], label
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert PersonPair.objects.get(pk=pair.pk).status == PairStatus.PENDING


def test_not_the_same_is_remembered_and_never_proposed_again(
    personas: Personas, duplicate: dict[str, Any], client_for: Any
) -> None:
    pair, amina, twin = duplicate["pair"], duplicate["amina"], duplicate["twin"]
    client = client_for(personas.user("data_clerk"))
    response = client.post(
        reverse("linkage:pair", args=["person", pair.pk]), {"action": "not_same"}
    )
    assert response.status_code == 302
    assert PersonPair.objects.get(pk=pair.pk).status == PairStatus.NOT_SAME

    run = person_run(actor=None)
    assert run.status == "done"
    assert PersonPair.objects.filter(left=amina, right=twin).count() == 1
    assert PersonPair.objects.get(pk=pair.pk).status == PairStatus.NOT_SAME
    twin.refresh_from_db()
    assert twin.merged_into_id is None
    assert not Merge.objects.exists()


def test_a_run_merges_the_sure_pair_and_queues_none_twice(
    personas: Personas, duplicate: dict[str, Any]
) -> None:
    PersonPair.objects.all().delete()
    amina, twin = duplicate["amina"], duplicate["twin"]
    run = person_run(actor=None, dry_run=True)
    assert run.auto_pairs >= 1
    twin.refresh_from_db()
    assert twin.merged_into_id is None  # a dry run changes nothing
    assert not PersonPair.objects.exists()

    run = person_run(actor=None)
    twin.refresh_from_db()
    assert twin.merged_into_id == amina.pk
    merge = Merge.objects.get()
    assert merge.automatic
    assert PersonPair.objects.get(left=amina, right=twin).band == Band.AUTO
    merge_undo(actor=personas.user("data_clerk"), merge=merge)
    pair = PersonPair.objects.get(left=amina, right=twin)
    pair_not_same(actor=personas.user("data_clerk"), pair=pair)
    person_run(actor=None)
    twin.refresh_from_db()
    assert twin.merged_into_id is None


def test_typing_an_arabic_name_finds_the_person_registered_in_latin_script(
    personas: Personas, duplicate: dict[str, Any], client_for: Any
) -> None:
    amina = duplicate["amina"]
    client = client_for(personas.user("data_clerk"))
    response = client.get(
        reverse("linkage:similar"),
        {"first_name_ar": "أمينة", "last_name_ar": "الادريسي", "birth_date": "1995-04-01"},
    )
    assert response.status_code == 200
    assert f"/registry/persons/{amina.pk}/" in response.content.decode()
    matches = lookup.match_one(
        {"first_name": "Amina", "last_name": "Idrissi", "birth_date": date(1995, 4, 1)}
    )
    assert amina.pk in [m.person_id for m in matches]


def test_a_counsellor_has_no_review_queue(
    personas: Personas, duplicate: dict[str, Any], client_for: Any
) -> None:
    client = client_for(personas.user("counsellor"))
    assert client.get(reverse("linkage:queue")).status_code == 404
    pair = duplicate["pair"]
    response = client.post(
        reverse("linkage:pair", args=["person", pair.pk]), {"action": "merge", "keep": "left"}
    )
    assert response.status_code == 404
    assert PersonPair.objects.get(pk=pair.pk).status == PairStatus.PENDING
    assert not Merge.objects.exists()


def test_the_other_partners_record_is_shown_masked(
    personas: Personas, duplicate: dict[str, Any], client_for: Any
) -> None:
    twin = duplicate["twin"]
    PersonHolding.objects.filter(person=twin, partner=personas.own).delete()
    client = client_for(personas.user("data_clerk"))
    page = client.get(reverse("linkage:pair", args=["person", duplicate["pair"].pk])).content
    text = page.decode()
    assert "الإدريسي" not in text
    assert "AB123465" not in text
    assert "1995" in text
    assert "01/04/1995" in text  # Amina's own record, visible in full


def test_the_queue_lists_names_masked_or_not_in_a_fixed_number_of_queries(
    personas: Personas, client_for: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(personas.user("data_clerk"))

    def add_pairs(count: int) -> None:
        for i in range(count):
            mine = make_person(personas.own, first_name="Nadia", last_name=f"Berrada{i}")
            theirs = make_person(personas.other, first_name="Nadia", last_name=f"Berada{i}")
            PersonPair.objects.create(
                left=min(mine, theirs, key=lambda p: p.pk),
                right=max(mine, theirs, key=lambda p: p.pk),
                score=0.8,
            )

    add_pairs(2)
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("linkage:queue"))
    add_pairs(6)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("linkage:queue"))
    assert len(many) == len(few)
    text = page.content.decode()
    assert "Nadia Berrada3" in text  # own partner's record, in full
    assert "Nadia Berada3" not in text  # the other partner's, as initials
    assert "N. B." in text


def test_an_undone_merge_is_not_merged_again_by_the_next_run(
    personas: Personas, duplicate: dict[str, Any]
) -> None:
    PersonPair.objects.all().delete()
    amina, twin = duplicate["amina"], duplicate["twin"]
    person_run(actor=None)
    merge = Merge.objects.get()
    merge_undo(actor=personas.user("data_clerk"), merge=merge)

    person_run(actor=None)
    twin.refresh_from_db()
    assert twin.merged_into_id is None
    pair = PersonPair.objects.get(left=amina, right=twin)
    assert (pair.status, pair.band) == (PairStatus.PENDING, Band.REVIEW)
    assert Merge.objects.count() == 1


def test_undo_keeps_later_corrections_and_refuses_when_what_it_brought_was_changed(
    personas: Personas, duplicate: dict[str, Any]
) -> None:
    from essor.linkage.services import MergeRefused, merge_persons
    from essor.registry.services import person_update

    clerk = personas.user("data_clerk")
    amina, twin, pair = duplicate["amina"], duplicate["twin"], duplicate["pair"]
    merge = merge_persons(actor=clerk, survivor=amina, merged=twin, pair=pair)
    amina.refresh_from_db()
    person_update(actor=clerk, person=amina, address="12 rue Ibn Batouta, Tanger")
    merge_undo(actor=clerk, merge=merge)
    amina.refresh_from_db()
    twin.refresh_from_db()
    assert amina.address == "12 rue Ibn Batouta, Tanger"  # the later correction stays
    assert amina.first_name_ar == ""  # what the merge brought went back
    assert twin.first_name_ar == "أمينة"
    assert twin.merged_into_id is None

    pair.refresh_from_db()
    merge = merge_persons(actor=clerk, survivor=amina, merged=twin, pair=pair)
    amina.refresh_from_db()
    person_update(actor=clerk, person=amina, first_name_ar="آمنة")
    with pytest.raises(MergeRefused):
        merge_undo(actor=clerk, merge=merge)
    twin.refresh_from_db()
    assert twin.merged_into_id == amina.pk  # nothing half-undone


def test_not_the_same_also_holds_for_already_supported_and_the_typing_hint(
    personas: Personas, duplicate: dict[str, Any], client_for: Any
) -> None:
    amina, twin, pair = duplicate["amina"], duplicate["twin"], duplicate["pair"]
    assert amina.pk in lookup.same_person_ids(twin)
    pair_not_same(actor=personas.user("data_clerk"), pair=pair)
    assert lookup.same_person_ids(twin) == [twin.pk]
    client = client_for(personas.user("data_clerk"))
    hint = client.get(
        reverse("linkage:similar"),
        {"first_name": "Amina", "last_name": "El Idrissi", "exclude": twin.pk},
    ).content.decode()
    assert f"/registry/persons/{amina.pk}/" not in hint


def test_the_typing_hint_reads_a_phone_as_typed_and_shows_no_verdict_on_hidden_records(
    personas: Personas, duplicate: dict[str, Any], client_for: Any
) -> None:
    amina, twin = duplicate["amina"], duplicate["twin"]
    client = client_for(personas.user("data_clerk", "other"))  # partner B: Amina is not theirs
    assert client.get(reverse("linkage:similar")).status_code == 200  # no input, no error
    hint = client.get(
        reverse("linkage:similar"),
        {"first_name": "Amina", "phone": "06 12 34 56 78", "exclude": twin.pk},
    ).content.decode()
    assert f"#{amina.pk}" in hint  # found by the phone, typed as people type it
    assert "El Idrissi" not in hint
    assert "badge" not in hint  # no field-by-field verdict on another partner's person


def test_a_partner_that_only_reads_anothers_records_cannot_merge_them(
    personas: Personas, client_for: Any
) -> None:
    from essor.accounts.services import sharing_grant

    sharing_grant(actor=None, holder=personas.other, grantee=personas.own, purpose="convention")
    a = make_person(personas.other, first_name="Laila", last_name="Fassi", cin="C111222")
    b = make_person(personas.other, first_name="Laila", last_name="Fassi", cin="C111212")
    pair = PersonPair.objects.create(left=a, right=b, score=0.995)
    client = client_for(personas.user("data_clerk"))
    page = client.get(reverse("linkage:pair", args=["person", pair.pk]))
    assert page.status_code == 200  # they may look
    assert 'value="merge"' not in page.content.decode()
    response = client.post(
        reverse("linkage:pair", args=["person", pair.pk]), {"action": "merge", "keep": "left"}
    )
    assert response.status_code == 404
    b.refresh_from_db()
    assert b.merged_into_id is None


def test_attendance_marked_on_the_merged_record_is_kept_and_undone(
    personas: Personas, duplicate: dict[str, Any]
) -> None:
    from essor.linkage.services import merge_persons

    amina, twin, pair = duplicate["amina"], duplicate["twin"], duplicate["pair"]
    shared = Participant.objects.get(person=twin, session__participants__person=amina)
    Participant.objects.filter(session=shared.session, person=amina).update(present=False)
    merge = merge_persons(actor=None, survivor=amina, merged=twin, pair=pair)
    assert Participant.objects.get(session=shared.session, person=amina).present is True
    merge_undo(actor=personas.user("data_clerk"), merge=merge)
    assert Participant.objects.get(session=shared.session, person=amina).present is False
    assert Participant.objects.get(session=shared.session, person=twin).present is True


def test_an_import_row_with_the_cin_of_a_merged_record_goes_to_the_kept_one(
    personas: Personas, duplicate: dict[str, Any]
) -> None:
    from essor.linkage.services import merge_persons
    from essor.registry.importing.engine import UNCHANGED, UPDATE

    amina, twin, pair = duplicate["amina"], duplicate["twin"], duplicate["pair"]
    merge_persons(actor=None, survivor=amina, merged=twin, pair=pair)
    from essor.registry.importing.engine import RowOutcome, _match_persons

    outcome = RowOutcome(row=2, action="create", values={"cin": "AB123465", "phone": ""})
    _match_persons([outcome], personas.other, {})
    assert outcome.target == amina.pk
    assert outcome.action in (UPDATE, UNCHANGED)  # B holds Amina since the merge
    assert "cin" not in outcome.values  # the kept record keeps its own CIN


def test_merges_made_in_bulk_move_the_same_rows_and_undo_exactly(
    personas: Personas, duplicate: dict[str, Any]
) -> None:
    from essor.linkage.services import merge_persons_many

    amina, twin, pair = duplicate["amina"], duplicate["twin"], duplicate["pair"]
    other = make_person(personas.other, first_name="Omar", last_name="Tahiri", cin="K998877")
    other_twin = make_person(personas.own, first_name="Omar", last_name="Tahiri", cin="K998878")
    before = registry_state()

    made = merge_persons_many([(amina.pk, twin.pk, pair.pk), (other.pk, other_twin.pk, None)])

    assert len(made) == 2
    twin.refresh_from_db()
    amina.refresh_from_db()
    assert twin.merged_into_id == amina.pk
    assert amina.first_name_ar == "أمينة"
    assert Application.objects.filter(person=twin).count() == 0
    assert Participant.objects.filter(person=amina).count() == 3
    assert Commitment.objects.filter(person=amina).count() == 1
    assert PersonHolding.objects.filter(person=amina).count() == 2
    assert PersonPair.objects.get(pk=pair.pk).status == PairStatus.MERGED
    assert "registry.person.merged" in twin.history.values_list("history_change_reason", flat=True)
    assert Person.objects.get(pk=other_twin.pk).merged_into_id == other.pk

    for merge in Merge.objects.order_by("-pk"):
        merge_undo(actor=personas.user("data_clerk"), merge=merge)
    after = registry_state()
    for label in before:
        assert after[label] == before[label], label
