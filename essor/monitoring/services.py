"""Writes of the monitoring app: follow-up surveys are scheduled, then recorded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from essor.core.audit import save_audited
from essor.core.money import check_amount

from .models import WAVES, FollowUp, FollowUpChannel, FollowUpStatus

if TYPE_CHECKING:
    from essor.accounts.models import User
    from essor.programmes.models import Enrollment


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the last day of a shorter month)."""
    import calendar

    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def follow_ups_schedule(*, actor: User | None, enrollment: Enrollment) -> list[FollowUp]:
    """Surveys 6, 12 and 24 months after the holder's support ended (their exit)."""
    if enrollment.exited_on is None:
        return []
    created = []
    for wave in WAVES:
        follow_up, made = FollowUp.objects.get_or_create(
            enrollment=enrollment,
            wave=wave,
            defaults={"due_on": add_months(enrollment.exited_on, wave)},
        )
        if made:
            created.append(follow_up)
        elif follow_up.status == FollowUpStatus.DUE:
            # The exit date was corrected: the survey moves with it.
            follow_up.due_on = add_months(enrollment.exited_on, wave)
            save_audited(follow_up, actor=actor, verb="monitoring.follow_up.rescheduled")
    return created


@transaction.atomic
def follow_up_record(
    *,
    actor: User | None,
    follow_up: FollowUp,
    reached: bool,
    done_on: date | None = None,
    channel: str = FollowUpChannel.PHONE,
    active: bool | None = None,
    jobs_created: int | None = None,
    jobs_kept: int | None = None,
    turnover: Decimal | None = None,
    needs: str = "",
) -> FollowUp:
    """Record the survey: what the holder said, or that they could not be reached."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    done_on = done_on or timezone.localdate()
    errors: dict[str, Any] = {}
    if done_on > timezone.localdate():
        errors["done_on"] = _("The survey date is in the future.")
    if channel not in FollowUpChannel.values:
        errors["channel"] = _("Say how the holder was surveyed.")
    if reached and active is None:
        errors["active"] = _("Say whether the activity is still running.")
    for name, value in (("jobs_created", jobs_created), ("jobs_kept", jobs_kept)):
        if value is not None and not 0 <= value <= 10000:
            errors[name] = _("Type a number of jobs between 0 and 10 000.")
    if errors:
        raise ValidationError(errors)
    if turnover is not None:
        turnover = check_amount(turnover, field="turnover", allow_zero=True)
    follow_up.status = FollowUpStatus.DONE if reached else FollowUpStatus.UNREACHABLE
    follow_up.done_on = done_on
    follow_up.channel = channel
    follow_up.active = active if reached else None
    follow_up.jobs_created = jobs_created if reached else None
    follow_up.jobs_kept = jobs_kept if reached else None
    follow_up.turnover = turnover if reached else None
    follow_up.needs = needs.strip() if reached else ""
    follow_up.surveyed_by = actor
    save_audited(follow_up, actor=actor, verb=f"monitoring.follow_up.{follow_up.status}")
    return follow_up
