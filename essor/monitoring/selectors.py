"""Reads of the monitoring app: due follow-ups, targets against actuals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .indicators import BY_CODE, Indicator, Period, Scope, compute
from .models import FollowUp, FollowUpStatus

if TYPE_CHECKING:
    from essor.accounts.models import User
    from essor.conventions.models import Convention, Target

# How soon a survey shows in the counsellor's list before it is due.
DUE_SOON = timedelta(days=14)


def follow_ups_due(actor: User, *, today: date | None = None) -> QuerySet[FollowUp]:
    from .permissions import follow_ups_visible

    today = today or timezone.localdate()
    return follow_ups_visible(actor).filter(status=FollowUpStatus.DUE, due_on__lte=today + DUE_SOON)


TARGET_INDICATORS: dict[str, str | None] = {
    "projects_supported": "holders_reached",
    "holders_trained": "holders_trained",
    "holders_coached": "holders_coached",
    "enterprises_created": "enterprises_formalised",
    "cooperatives_supported": "cooperatives_supported",
    "jobs_created": "jobs_created",
    "women_share": "women_pct",
    "young_share": "young_pct",
    "other": None,
}

Status = Literal["reached", "on_track", "at_risk", "late", "not_measured"]
STATUS_LABELS = {
    "reached": _("Reached"),
    "on_track": _("On track"),
    "at_risk": _("At risk"),
    "late": _("Late"),
    "not_measured": _("Not measured by essor"),
}
# On track while the actual is at least this share of what the calendar expects by now.
ON_TRACK = Decimal("0.9")
# A share (women, young people) within this many points below its target is at risk.
SHARE_MARGIN = Decimal("5")


@dataclass(frozen=True)
class TargetStatus:
    target: Target
    indicator: Indicator | None
    actual: Any
    expected: Decimal | None
    status: Status

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def progress_pct(self) -> Decimal | None:
        if self.actual is None or not self.target.value:
            return None
        return (Decimal(self.actual) * 100 / self.target.value).quantize(Decimal("0.1"))


def _elapsed(start: date | None, due: date | None, as_of: date) -> Decimal:
    if start is None or due is None or due <= start:
        return Decimal(1)
    share = Decimal((min(as_of, due) - start).days) / Decimal((due - start).days)
    return max(Decimal(0), min(Decimal(1), share))


def target_status(
    target: Target, actual: Any, *, start: date | None, as_of: date
) -> tuple[Status, Decimal | None]:
    """Where a target stands: reached, on track, at risk or late, and what was expected by now.

    A count is on track when it has reached 90 % of the target prorated over the time elapsed
    since the convention started; late when its date has passed without reaching it. A share
    is on track within 5 points below its target, at risk further below, and late once its
    date has passed."""
    due = target.due_on
    value = Decimal(target.value)
    if actual is None:
        return "not_measured", None
    actual = Decimal(actual)
    if actual >= value:
        return "reached", value
    indicator = TARGET_INDICATORS.get(target.indicator)
    if indicator and BY_CODE[indicator].unit == "pct":
        if due is not None and as_of > due:
            return "late", value
        return ("on_track" if actual >= value - SHARE_MARGIN else "at_risk"), value
    if due is not None and as_of > due:
        return "late", value
    expected = (value * _elapsed(start, due, as_of)).quantize(Decimal("0.1"))
    return ("on_track" if actual >= expected * ON_TRACK else "at_risk"), expected


def cumulative_actuals(convention: Convention, span: Period) -> dict[str, Any]:
    """A convention's figures from its start to the end of a year, kept for the current
    rebuild of the analytics table (they change only when it is rebuilt; the rebuild computes
    them ahead for every year since each convention's start)."""
    from django.core.cache import cache

    from .facts import last_refresh

    refreshed = last_refresh()
    if refreshed is None:
        return compute(Scope("convention", convention), span)
    stamp = f"{refreshed.pk}.{refreshed.started_at.timestamp()}"
    key = f"essor:monitoring:{stamp}:convention:{convention.pk}:{span.label}"
    found = cache.get(key)
    if found is None:
        found = compute(Scope("convention", convention), span)
        cache.set(key, found, timeout=7 * 24 * 3600)
    return found


def warm_cumulative_actuals() -> None:
    """After a rebuild: each convention's cumulative figures, for every year since its start."""
    from essor.conventions.models import Convention

    from .models import Fact

    years = Fact.objects.order_by("-year").values_list("year", flat=True).first()
    if years is None:
        return
    for convention in Convention.objects.filter(parent__isnull=True):
        start = convention.start_on or convention.signed_on
        if start is None:
            continue
        for last in range(start.year, max(start.year, years) + 1):
            cumulative_actuals(convention, Period(start.year, last))


def targets_against_actuals(
    convention: Convention, period: Period, *, today: date | None = None
) -> list[TargetStatus]:
    """Each target of the convention against what was achieved from its start to the end of
    the period (targets are cumulative over the convention)."""
    today = today or timezone.localdate()
    as_of = min(today, date(period.last, 12, 31))
    start = convention.start_on or convention.signed_on
    first = min(start.year, period.last) if start else period.first
    actuals = cumulative_actuals(convention, Period(first, period.last))
    result = []
    for target in convention.targets.all():
        code = TARGET_INDICATORS.get(target.indicator)
        actual = actuals.get(code) if code else None
        status, expected = target_status(target, actual, start=start, as_of=as_of)
        result.append(
            TargetStatus(target, BY_CODE[code] if code else None, actual, expected, status)
        )
    return result
