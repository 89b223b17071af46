"""Retention: the dry run lists exactly the persons whose data expired and changes nothing;
applying anonymises them (and nothing else), purges their history, keeps the figures; the
page asks for confirmation; the nightly task keeps itself queued; programmes set their time."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from essor.accompaniment.models import Participant
from essor.accompaniment.tests.factories import make_session
from essor.conventions.tests.factories import make_convention, make_line, make_programme
from essor.core.testing import Personas
from essor.funding.models import ApprovalStatus, Commitment, Disbursement
from essor.linkage.models import Merge
from essor.privacy.models import Anonymisation, AnonymisationTrigger, RetentionPolicy
from essor.privacy.retention import add_months, expired_persons, retention_apply
from essor.privacy.services import retention_policy_set
from essor.programmes.models import Application, ApplicationStatus, Enrollment
from essor.programmes.selection import exit_record
from essor.registry import services as registry
from essor.registry.models import Person, PersonNameKey
from essor.registry.tests.factories import make_person
from essor.territory.models import Commune

from .conftest import at, snapshot

pytestmark = pytest.mark.django_db


def months_ago(months: int) -> date:
    return add_months(timezone.localdate(), -months)


class Registry:
    """Persons whose retention ran out (a, b and b's merged duplicate, z held by partner B)
    and persons whose data is kept, each for one reason."""

    def __init__(self, personas: Personas) -> None:
        own, other = personas.own, personas.other
        self.clerk = personas.user("data_clerk")
        manager = personas.user("programme_manager")
        counsellor = personas.user("counsellor")
        communes = list(Commune.objects.filter(region__code="01").order_by("code")[:2])
        line = make_line(make_convention(own), own)
        # p1 keeps data 24 months after exit; p2 the default (60).
        self.p1 = make_programme(own, line, code="p1")
        self.p2 = make_programme(own, line, code="p2")
        retention_policy_set(actor=None, programme=self.p1, months=24, reason="Petit programme")
        numbers = iter(range(100001, 100100))

        def person(name: str, sex: str, partner: Any = own, commune: int = 0) -> Person:
            number = next(numbers)
            return make_person(
                partner,
                first_name=name,
                last_name="Tazi",
                first_name_ar="اسم",
                sex=sex,
                cin=f"AB{number}",
                phone=f"0661{number}",
                email=f"{name.lower()}@example.ma",
                address=f"{number} rue des Orangers",
                birth_date=date(1985, 11, 3),
                commune=communes[commune],
                education_level="secondary",
            )

        def applied(who: Person, programme: Any, on: date, status: str) -> Application:
            return Application.objects.create(
                holder=own,
                programme=programme,
                person=who,
                receipt=f"R-{Application.objects.count() + 1}",
                channel="staff",
                status=status,
                submitted_on=on,
                interview_note=f"Rencontré {who.first_name} au souk",
            )

        def enrolled(who: Person, programme: Any, start: date, exit_on: date | None) -> None:
            app = applied(who, programme, start, ApplicationStatus.ENROLLED)
            enrollment = Enrollment.objects.create(application=app, started_on=start)
            if exit_on:
                exit_record(actor=None, enrollment=enrollment, outcome="employed", on=exit_on)

        def attended(who: Person, programme: Any, on: Any) -> None:
            session = make_session(own, counsellor, programme=programme, starts_at=on)
            Participant.objects.create(session=session, person=who, present=True)

        # Expired: left p1 30 months ago (p1 keeps 24).
        self.a = person("Amal", "F")
        enrolled(self.a, self.p1, months_ago(40), months_ago(30))
        attended(self.a, self.p1, at(months_ago(35)))
        # Expired: not selected by p2 seven years ago (default 60); a duplicate merged into
        # her, and her name corrected once (two history rows with names).
        self.b = person("Btissam", "F", commune=1)
        applied(self.b, self.p2, months_ago(84), ApplicationStatus.REJECTED)
        registry.person_update(actor=None, person=self.b, last_name="Tazi-Alami")
        self.duplicate = person("Btisam", "F", commune=1)
        self.duplicate.merged_into = self.b
        self.duplicate.archived_at = timezone.now()
        self.duplicate.save()
        Merge.objects.create(
            kind="person",
            survivor_id=self.b.pk,
            merged_id=self.duplicate.pk,
            changes={
                "survivor": {"first_name": "Btissam", "cin": self.b.cin, "sex": "F"},
                "merged": {"first_name": "Btisam", "phone": self.duplicate.phone, "sex": "F"},
                "filled": [],
                "survivor_after": {},
                "moved": [],
                "removed": [["registry.PersonNameKey", {"key": "f:btisam"}]],
            },
        )
        # Expired, held by partner B only: for the command, not for A's page.
        self.z = person("Zineb", "F", partner=other)
        applied(self.z, self.p2, months_ago(90), ApplicationStatus.WITHDRAWN)

        # Kept: left p1 a year ago.
        self.recent = person("Rachid", "M")
        enrolled(self.recent, self.p1, months_ago(20), months_ago(12))
        # Kept: an application still waiting for a decision, however old.
        self.pending = person("Said", "M")
        applied(self.pending, self.p2, months_ago(96), ApplicationStatus.WAITING)
        # Kept: a grant not fully paid.
        self.unpaid = person("Hamid", "M", commune=1)
        commitment = Commitment.objects.create(
            holder=own,
            budget_line=line,
            programme=self.p2,
            person=self.unpaid,
            kind="grant",
            amount=Decimal("10000"),
            committed_on=months_ago(100),
            status=ApprovalStatus.APPROVED,
            author=manager,
        )
        Disbursement.objects.create(
            commitment=commitment,
            tranche=1,
            amount=Decimal("5000"),
            paid_on=months_ago(99),
            status=ApprovalStatus.APPROVED,
            author=manager,
        )
        # Kept: expired in p1, but p2 (60 months) saw her three years ago.
        self.two = person("Touria", "F")
        enrolled(self.two, self.p1, months_ago(40), months_ago(30))
        attended(self.two, self.p2, at(months_ago(36)))
        # Kept: a session to come.
        self.coming = person("Chama", "F")
        enrolled(self.coming, self.p1, months_ago(60), months_ago(50))
        attended(self.coming, self.p1, timezone.now() + timedelta(days=7))
        # Kept: in no programme (registered only).
        self.registered = person("Nabil", "M")

        self.expired = {self.a.pk, self.b.pk, self.z.pk}
        self.kept = [self.recent, self.pending, self.unpaid, self.two, self.coming]


@pytest.fixture
def world(personas: Personas) -> Registry:
    return Registry(personas)


def _state() -> tuple[Any, ...]:
    return (
        snapshot(Person),
        snapshot(Person.history.model),
        snapshot(Merge),
        snapshot(Application),
        Anonymisation.objects.count(),
    )


def test_the_dry_run_lists_exactly_the_expired_persons_and_changes_nothing(
    world: Registry,
) -> None:
    before = _state()
    expired = {e.person_id: e for e in expired_persons()}
    assert set(expired) == world.expired
    [held] = expired[world.a.pk].held
    assert (held.code, held.months, held.exit) == ("p1", 24, months_ago(30))
    assert expired[world.a.pk].since == add_months(months_ago(30), 24)
    [held] = expired[world.b.pk].held
    assert (held.code, held.months, held.exit) == ("p2", 60, months_ago(84))
    assert expired[world.a.pk].label == f"#{world.a.pk} A. T. · 1985 · AB10****"

    out = StringIO()
    call_command("retention", "--dry-run", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "3 persons would be anonymised" in text
    assert f"#{world.b.pk} B. T. · 1985 · AB10****" in text
    assert f"p1: exit {months_ago(30):%Y-%m-%d} + 24 months" in text
    assert "Amal" not in text
    assert world.a.cin not in text
    assert "Dry run: nothing changed" in text
    assert _state() == before


def test_apply_anonymises_exactly_the_expired_persons_and_keeps_what_counts(
    world: Registry,
) -> None:
    kept_before = snapshot(Person)
    out = StringIO()
    call_command("retention", "--apply", stdout=out, stderr=StringIO())
    assert "3 persons anonymised." in out.getvalue()
    gone = {world.a.pk, world.b.pk, world.z.pk, world.duplicate.pk}
    for person in Person.objects.filter(pk__in=gone):
        identity = (
            person.first_name,
            person.last_name,
            person.first_name_ar,
            person.last_name_ar,
            person.cin,
            person.phone,
            person.email,
            person.address,
            person.identity_key,
        )
        assert identity == ("",) * 9, person.pk
        assert person.birth_date == date(1985, 7, 1)  # the year stays
        assert person.sex == "F"
        assert person.commune_id is not None
        assert person.education_level == "secondary"
        assert person.display_name == f"#{person.pk}"
    assert not PersonNameKey.objects.filter(person_id__in=gone).exists()
    assert not Application.objects.filter(person_id__in=gone).exclude(interview_note="").exists()
    # Everybody else is as they were.
    untouched = [row for row in kept_before if row[0] not in gone]
    assert [row for row in snapshot(Person) if row[0] not in gone] == untouched
    records = {a.person_id: a for a in Anonymisation.objects.all()}
    assert set(records) == world.expired
    assert records[world.b.pk].merged_records == [world.duplicate.pk]
    assert records[world.a.pk].trigger == AnonymisationTrigger.COMMAND
    assert records[world.a.pk].programmes == [
        {"programme": world.p1.pk, "code": "p1", "exit": months_ago(30).isoformat(), "months": 24}
    ]
    # A second run finds nothing more to do.
    assert expired_persons() == []


def test_the_history_and_the_merge_snapshots_of_an_anonymised_person_are_purged(
    world: Registry,
) -> None:
    history = Person.history.model
    rows_before = history.objects.filter(id__in=[world.b.pk, world.duplicate.pk]).count()
    retention_apply(actor=None, trigger=AnonymisationTrigger.SCHEDULE)
    rows = list(history.objects.filter(id__in=[world.b.pk, world.duplicate.pk]))
    # Each record keeps its trail (one more row: the anonymisation), without identity.
    assert len(rows) == rows_before + 2
    for row in rows:
        assert (row.first_name, row.last_name, row.cin, row.phone, row.email) == ("",) * 5
        assert row.birth_date in (None, date(1985, 7, 1))
    assert {r.history_change_reason for r in rows} >= {
        "registry.person.updated",
        "privacy.person.anonymised",
    }
    merge = Merge.objects.get(merged_id=world.duplicate.pk)
    assert merge.changes["survivor"] == {"first_name": "", "cin": "", "sex": "F"}
    assert merge.changes["merged"] == {"first_name": "", "phone": "", "sex": "F"}
    assert merge.changes["removed"] == []
    # The kept persons' history is untouched.
    assert history.objects.filter(id=world.recent.pk).exclude(first_name="Rachid").count() == 0


def test_the_figures_are_the_same_after_anonymisation(world: Registry) -> None:
    from essor.monitoring.facts import refresh
    from essor.monitoring.models import Fact

    def counts() -> tuple[Any, ...]:
        refresh()
        return (
            sorted(Person.objects.values_list("sex", "commune").annotate(n=Count("pk"))),
            sorted(
                Fact.objects.filter(kind="reach")
                .values_list("sex", "programme", "year")
                .annotate(n=Count("pk"))
            ),
            sorted(Fact.objects.values_list("kind").annotate(n=Count("pk"))),
        )

    before = counts()
    assert retention_apply(actor=None, trigger=AnonymisationTrigger.SCHEDULE)
    assert counts() == before


def test_the_page_shows_the_dry_run_of_the_partners_persons_and_applies_on_confirmation(
    world: Registry, client_for
) -> None:
    client = client_for(world.clerk)
    url = reverse("privacy:retention")
    page = client.get(url)
    text = page.content.decode()
    assert f"#{world.a.pk} A. T." in text
    assert f"#{world.b.pk} B. T." in text
    assert f"#{world.z.pk} Z. T." not in text  # held by partner B only
    assert "Amal" not in text
    digest = page.context["form"].initial["digest"]
    before = _state()
    # Not confirmed, or a list that changed since: nothing happens, the page says why.
    response = client.post(url, {"digest": digest})
    assert response.status_code == 400
    response = client.post(url, {"digest": "0" * 16, "confirm": "on"})
    assert response.status_code == 400
    with translation.override("fr"):
        stale = translation.gettext(
            "The list changed since you looked at it: check it again, then confirm."
        )
    assert stale in response.content.decode()  # {% translate %} is not escaped
    assert _state() == before
    response = client.post(url, {"digest": digest, "confirm": "on"})
    assert response.status_code == 302
    records = Anonymisation.objects.all()
    assert {r.person_id for r in records} == {world.a.pk, world.b.pk}
    assert {(r.trigger, r.actor) for r in records} == {(AnonymisationTrigger.PAGE, world.clerk)}
    assert Person.objects.get(pk=world.z.pk).first_name == "Zineb"


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_the_nightly_task_keeps_one_run_queued_for_the_next_night(world: Registry) -> None:
    from django_tasks_db.models import DBTaskResult

    from essor.privacy.tasks import RUN_AT, ensure_scheduled, retention_nightly

    path = retention_nightly.module_path
    assert ensure_scheduled() is False  # the tests' immediate backend cannot wait
    with override_settings(TASKS=DB_TASKS):
        assert ensure_scheduled() is True
        assert ensure_scheduled() is False  # one is waiting already
        [queued] = DBTaskResult.objects.filter(task_path=path)
        run_after = timezone.localtime(queued.run_after)
        assert run_after.time() == RUN_AT
        assert run_after > timezone.now()
        # The worker takes it and runs it: the day's work is done and the next night queued.
        queued.status = "RUNNING"
        queued.save()
        assert retention_nightly.func() == 3
        assert DBTaskResult.objects.filter(task_path=path, status="READY").count() == 1
        with override_settings(ESSOR_RETENTION_SCHEDULE="0"):
            DBTaskResult.objects.filter(task_path=path).delete()
            assert ensure_scheduled() is False
    assert Anonymisation.objects.filter(trigger=AnonymisationTrigger.SCHEDULE).count() == 3


def test_the_programmes_managers_set_its_retention_and_others_cannot(
    world: Registry, personas: Personas, client_for
) -> None:
    url = reverse("privacy:retention_policy", args=[world.p2.pk])
    manager = client_for(personas.user("programme_manager"))
    response = manager.post(url, {"months": "12", "reason": "Trop court"})
    assert response.status_code == 200
    assert "24" in response.content.decode()  # the least it may be
    assert not RetentionPolicy.objects.filter(programme=world.p2).exists()
    response = manager.post(url, {"months": "36", "reason": "Évaluation finale à 3 ans"})
    assert response.status_code == 302
    policy = RetentionPolicy.objects.get(programme=world.p2)
    assert (policy.months, policy.set_by) == (36, personas.user("programme_manager"))
    assert policy.history.latest().history_change_reason == "privacy.retention_policy.set"
    for user in (personas.user("counsellor"), personas.user("programme_manager", "other")):
        client = client_for(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"months": "240"}).status_code == 404
    assert RetentionPolicy.objects.get(programme=world.p2).months == 36
    # With 36 months, b (84 months ago) still expired; the change is read at once.
    assert world.b.pk in {e.person_id for e in expired_persons()}
