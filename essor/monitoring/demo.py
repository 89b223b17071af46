"""Monitoring in the demo: the enrolled holder left the programme, their 6-month survey is done
and the 12-month one is due; the figures are computed from the records."""

from __future__ import annotations

from datetime import date

from essor.accounts.models import User
from essor.programmes.models import Enrollment
from essor.programmes.selection import exit_record

from .facts import refresh
from .models import FollowUp, FollowUpStatus
from .services import follow_up_record


def load_demo_monitoring(*, counsellor: User) -> None:
    # The story's enrollment: the last one made (after any generated population).
    enrollment = (
        Enrollment.objects.filter(exited_on__isnull=True, started_on__lte=date(2025, 3, 31))
        .order_by("-pk")
        .first()
    )
    if enrollment is not None and not enrollment.follow_ups.exists():
        exit_record(
            actor=counsellor,
            enrollment=enrollment,
            outcome="enterprise_created",
            on=date(2025, 3, 31),
        )
        first = FollowUp.objects.get(enrollment=enrollment, wave=6)
        if first.status == FollowUpStatus.DUE:
            follow_up_record(
                actor=counsellor,
                follow_up=first,
                reached=True,
                done_on=date(2025, 10, 2),
                channel="phone",
                active=True,
                jobs_created=2,
                jobs_kept=1,
                needs="Accès à un local au souk hebdomadaire; formation en vente en ligne.",
            )
    refresh()
