"""One person with a record in every app, built through the services where they exist.

Fatima Zahra Bennani is held by partner A (the personas' "own"): a consent, a cooperative she
founded, an application to a programme of A (screened, scored, selected, enrolled, exited,
followed up, referred), sessions attended, a grant paid in full, a diagnostic and an action
plan of her cooperative, its sector group, a duplicate record merged into her, and an
application to partner B's programme (which A's staff may not read).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from essor.accompaniment.models import Diagnostic, Group, Participant, PlanItem
from essor.accompaniment.tests.factories import make_service, make_session
from essor.conventions.tests.factories import make_convention, make_line, make_programme
from essor.core.testing import Personas
from essor.funding.models import ApprovalStatus, Commitment, Disbursement
from essor.linkage.models import PersonPair
from essor.monitoring.models import FollowUp
from essor.monitoring.services import follow_up_record
from essor.programmes.models import (
    Application,
    ApplicationStatus,
    Enrollment,
    Referral,
    Score,
    ScoringCriterion,
    Screening,
    SelectionDecision,
    StageChange,
)
from essor.programmes.selection import exit_record
from essor.registry import services as registry
from essor.registry.models import Membership, Person, Sector
from essor.registry.tests.factories import make_organisation, make_person
from essor.territory.models import Commune

CIN = "BK123456"


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


class Subject:
    """The person and the records that point at her; attributes name them."""

    def __init__(self, personas: Personas) -> None:
        own, other = personas.own, personas.other
        self.manager = personas.user("programme_manager")
        self.clerk = personas.user("data_clerk")
        counsellor = personas.user("counsellor")
        self.commune = Commune.objects.filter(region__code="01", kind="rural").order_by("code")[0]
        self.person = make_person(
            own,
            first_name="Fatima Zahra",
            last_name="Bennani",
            first_name_ar="فاطمة الزهراء",
            last_name_ar="بناني",
            sex="F",
            birth_date=date(1988, 3, 14),
            cin=CIN,
            phone="0661234567",
            email="fz.bennani@example.ma",
            address="12 derb Sidi Bouloukat",
            commune=self.commune,
            education_level="bachelor",
        )
        person = self.person
        registry.consent_record(
            actor=self.clerk,
            person=person,
            partner=own,
            given_on=date(2019, 1, 5),
            purpose="Suivi du programme",
            information_text="Vos données servent au suivi du programme (loi 09-08).",
        )
        self.coop = make_organisation(own, kind="cooperative", name_fr="Coopérative Tiwizi")
        Membership.objects.create(organisation=self.coop, person=person, role="founder")

        convention = make_convention(own)
        line = make_line(convention, own)
        self.programme = make_programme(own, line, code="tpe-test", name_fr="Programme TPE test")
        self.application = Application.objects.create(
            holder=own,
            programme=self.programme,
            person=person,
            receipt="TPE-0001",
            channel="staff",
            status=ApplicationStatus.ENROLLED,
            submitted_on=date(2019, 1, 10),
            project_title="Atelier de couture",
            requested=Decimal("30000"),
            interview_note="Motivée, déjà une clientèle à Sefrou.",
        )
        Screening.objects.create(
            application=self.application, ran_at=at(date(2019, 1, 12)), outcome="eligible"
        )
        criterion = ScoringCriterion.objects.create(
            programme=self.programme, label_fr="Viabilité du projet", scale_max=5
        )
        Score.objects.create(
            application=self.application,
            evaluator=self.manager,
            criterion=criterion,
            value=4,
            note="Marché local solide",
        )
        SelectionDecision.objects.create(
            application=self.application,
            outcome="selected",
            reason="Classée 3e sur 40",
            score=Decimal("16.50"),
        )
        self.enrollment = Enrollment.objects.create(
            application=self.application, started_on=date(2019, 2, 1)
        )
        StageChange.objects.create(enrollment=self.enrollment, stage="launch", on=date(2019, 9, 1))
        Referral.objects.create(
            enrollment=self.enrollment, scheme="Intilaka", referred_on=date(2020, 1, 15)
        )
        exit_record(
            actor=None,
            enrollment=self.enrollment,
            outcome="enterprise_created",
            on=date(2020, 3, 31),
        )
        follow_up_record(
            actor=counsellor,
            follow_up=FollowUp.objects.get(enrollment=self.enrollment, wave=6),
            reached=True,
            done_on=date(2020, 9, 30),
            active=True,
            jobs_created=2,
            jobs_kept=1,
        )
        session = make_session(
            own,
            counsellor,
            service=make_service(),
            programme=self.programme,
            starts_at=at(date(2019, 3, 4)),
        )
        Participant.objects.create(session=session, person=person, present=True)
        commitment = Commitment.objects.create(
            holder=own,
            budget_line=line,
            programme=self.programme,
            person=person,
            kind="grant",
            amount=Decimal("30000"),
            committed_on=date(2019, 4, 1),
            status=ApprovalStatus.APPROVED,
            author=self.manager,
        )
        Disbursement.objects.create(
            commitment=commitment,
            tranche=1,
            amount=Decimal("30000"),
            paid_on=date(2019, 5, 2),
            status=ApprovalStatus.APPROVED,
            author=self.manager,
        )
        diagnostic = Diagnostic.objects.create(
            holder=own,
            organisation=self.coop,
            counsellor=counsellor,
            on=date(2019, 6, 1),
            scores={"marketing": 1, "finance": 3},
            notes="Besoin d'un site de vente",
        )
        PlanItem.objects.create(
            diagnostic=diagnostic,
            area="marketing",
            text="Ouvrir une page de vente",
            owner="Fatima Zahra",
            due_on=date(2019, 9, 1),
        )
        sector = Sector.objects.order_by("pk").first()
        assert sector is not None
        group = Group.objects.create(
            holder=own,
            name="Couture Sefrou",
            sector=sector,
            counsellor=counsellor,
            started_on=date(2019, 5, 1),
        )
        group.members.add(self.coop)

        # A duplicate entered by another clerk, merged into her.
        self.duplicate = make_person(
            own, first_name="Fatimazahra", last_name="Benani", birth_date=date(1988, 3, 14)
        )
        self.duplicate.merged_into = person
        self.duplicate.archived_at = timezone.now()
        self.duplicate.save()
        PersonPair.objects.create(
            left=person, right=self.duplicate, score=0.97, status="merged", band="auto"
        )

        # Partner B knows her too: its records are counted, not shown, to partner A.
        other_convention = make_convention(other)
        other_line = make_line(other_convention, other)
        self.other_programme = make_programme(other, other_line, code="indh-test")
        registry.person_hold(person=person, partner=other, source="INDH list")
        Application.objects.create(
            holder=other,
            programme=self.other_programme,
            person=person,
            receipt="INDH-0042",
            channel="staff",
            status=ApplicationStatus.REJECTED,
            submitted_on=date(2018, 5, 1),
            project_title="Projet confidentiel INDH",
        )

    def reload(self) -> Person:
        return Person.objects.get(pk=self.person.pk)


@pytest.fixture
def subject(personas: Personas) -> Subject:
    return Subject(personas)


def snapshot(model: Any) -> list[tuple[Any, ...]]:
    """Every row of a model as a tuple, to compare before and after an action."""
    fields = [f.attname for f in model._meta.concrete_fields]
    return [tuple(getattr(o, f) for f in fields) for o in model.objects.order_by("pk")]


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)
