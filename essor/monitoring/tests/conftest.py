"""The fixed data set of the monitoring tests (see ``test_indicators`` for what it holds)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from essor.accompaniment.models import Participant, Service
from essor.accompaniment.tests.factories import bus_stop, make_session
from essor.conventions.models import PartnerPayment, Party, PaymentKind, Target
from essor.conventions.tests.factories import make_convention, make_line, make_programme
from essor.core.testing import Personas
from essor.funding.models import ApprovalStatus, Commitment, Disbursement
from essor.funding.services import disbursement_reverse
from essor.monitoring.facts import refresh
from essor.monitoring.models import FollowUp
from essor.monitoring.services import follow_up_record
from essor.programmes.models import Application, ApplicationStatus, Enrollment
from essor.programmes.selection import exit_record
from essor.registry.models import Membership
from essor.registry.tests.factories import make_organisation, make_person
from essor.territory.models import Commune


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


class World:
    """The fixed data set; attributes name its records."""

    def __init__(self, personas: Personas) -> None:
        own = personas.own
        counsellor = personas.user("counsellor")
        self.manager = personas.user("programme_manager")
        rural = Commune.objects.filter(region__code="01", kind="rural").order_by("code")[0]
        urban = Commune.objects.filter(region__code="01", kind="urban").order_by("code")[0]
        self.rural, self.urban = rural, urban
        self.c1 = make_convention(own, start_on=date(2024, 1, 1), end_on=date(2026, 12, 31))
        self.c2 = make_convention(own)
        self.l1 = make_line(self.c1, own, amount="1000000")
        self.l2 = make_line(self.c2, own, amount="500000")
        Party.objects.filter(convention=self.c1).update(pledged=Decimal("600000"))
        party = Party.objects.get(convention=self.c1)
        for amount, on in (("200000", date(2025, 3, 1)), ("50000", date(2026, 1, 10))):
            PartnerPayment.objects.create(
                party=party, kind=PaymentKind.RECEIPT, amount=Decimal(amount), on=on
            )
        self.p1_prog = make_programme(own, self.l1)
        self.p2_prog = make_programme(own, self.l1)
        self.p3_prog = make_programme(own, self.l2)

        self.amina = make_person(
            own, first_name="Amina", sex="F", birth_date=date(1995, 4, 1), commune=rural
        )
        self.youssef = make_person(
            own, first_name="Youssef", sex="M", birth_date=date(1980, 1, 1), commune=urban
        )
        self.khadija = make_person(own, first_name="Khadija", sex="F", birth_date=date(2000, 5, 5))
        self.amina_twin = make_person(
            own, first_name="Amina", last_name="Alaouie", sex="F", birth_date=date(1995, 4, 1)
        )
        self.amina_twin.merged_into = self.amina
        self.amina_twin.archived_at = timezone.now()
        self.amina_twin.save()
        self.archived = make_person(own, first_name="Salma", sex="F", birth_date=date(1990, 1, 1))
        self.archived.archived_at = timezone.now()
        self.archived.save()
        self.omar = make_person(
            own, first_name="Omar", sex="M", birth_date=date(1990, 1, 1), commune=rural
        )

        def apply(person: Any, programme: Any, on: date, status: str) -> Application:
            app = Application.objects.create(
                holder=own,
                programme=programme,
                person=person,
                receipt=f"R-{Application.objects.count() + 1}",
                channel="office",
                status=status,
                submitted_on=on,
            )
            if status == ApplicationStatus.ENROLLED:
                Enrollment.objects.create(application=app, started_on=on.replace(day=28))
            return app

        enrolled, rejected = ApplicationStatus.ENROLLED, ApplicationStatus.REJECTED
        apply(self.amina, self.p1_prog, date(2025, 1, 10), enrolled)
        apply(self.amina, self.p2_prog, date(2025, 2, 10), enrolled)
        apply(self.youssef, self.p1_prog, date(2025, 1, 12), rejected)
        apply(self.youssef, self.p3_prog, date(2025, 3, 1), ApplicationStatus.SUBMITTED)
        apply(self.archived, self.p1_prog, date(2025, 1, 15), enrolled)
        omar_app = apply(self.omar, self.p1_prog, date(2023, 11, 2), enrolled)

        training = Service.objects.create(code="gestion", kind="training", title_fr="Gestion")
        coaching = Service.objects.create(code="coaching", kind="coaching", title_fr="Coaching")
        venue = bus_stop(own)

        def session(service: Service, programme: Any, day: date, present: dict[Any, bool]) -> None:
            s = make_session(
                own,
                counsellor,
                service=service,
                venue=venue,
                programme=programme,
                starts_at=at(day),
            )
            for person, came in present.items():
                Participant.objects.create(session=s, person=person, present=came)

        session(training, self.p1_prog, date(2025, 3, 3), {self.amina: True})
        session(training, self.p1_prog, date(2025, 3, 10), {self.amina: True, self.omar: False})
        session(training, self.p1_prog, date(2025, 3, 17), {self.amina_twin: True})
        session(coaching, self.p2_prog, date(2025, 4, 1), {self.youssef: True})
        session(training, self.p1_prog, date(2024, 6, 1), {self.omar: True})

        commitment = Commitment.objects.create(
            holder=own,
            budget_line=self.l1,
            programme=self.p1_prog,
            person=self.khadija,
            kind="grant",
            amount=Decimal("50000"),
            committed_on=date(2025, 5, 1),
            status=ApprovalStatus.APPROVED,
            author=self.manager,
        )
        Disbursement.objects.create(
            commitment=commitment,
            tranche=1,
            amount=Decimal("20000"),
            paid_on=date(2025, 6, 1),
            status=ApprovalStatus.APPROVED,
            author=self.manager,
        )
        reversed_ = Disbursement.objects.create(
            commitment=commitment,
            tranche=2,
            amount=Decimal("10000"),
            paid_on=date(2025, 7, 1),
            status=ApprovalStatus.APPROVED,
            author=self.manager,
        )
        disbursement_reverse(actor=self.manager, disbursement=reversed_, reason="RIB erroné")

        coop = make_organisation(own, kind="cooperative", created_on=date(2025, 6, 1))
        Membership.objects.create(organisation=coop, person=self.amina, role="founder")

        exit_record(
            actor=None,
            enrollment=omar_app.enrollment,
            outcome="enterprise_created",
            on=date(2024, 1, 15),
        )
        waves = {f.wave: f for f in FollowUp.objects.filter(enrollment=omar_app.enrollment)}
        follow_up_record(
            actor=counsellor,
            follow_up=waves[6],
            reached=True,
            done_on=date(2024, 7, 20),
            active=True,
            jobs_created=1,
            jobs_kept=0,
        )
        follow_up_record(
            actor=counsellor,
            follow_up=waves[12],
            reached=True,
            done_on=date(2025, 1, 20),
            active=True,
            jobs_created=2,
            jobs_kept=1,
        )
        self.waves = waves
        Target.objects.create(
            convention=self.c1, indicator="projects_supported", value=10, due_on=date(2026, 12, 31)
        )
        Target.objects.create(
            convention=self.c1, indicator="women_share", value=50, due_on=date(2026, 12, 31)
        )
        Target.objects.create(
            convention=self.c1, indicator="holders_trained", value=5, due_on=date(2025, 6, 30)
        )
        refresh()


@pytest.fixture
def world(personas: Personas) -> World:
    return World(personas)
