"""The bus's tour: which rural communes it visits over a period, on which day, in what order.

How it chooses (``docs/decisions/0011-tour-planner.md``):

1. Candidates are the region's rural communes (never an urban one).
2. Each gets a priority: the holders waiting for support there (enrolled in a programme, or
   eligible applicants) count most, then the registry's project holders living there; each
   earlier visit of the bus lowers it, so that a commune seen often yields to one never seen.
3. The days are the period's days minus the rest days; one stop a day. The best communes by
   priority fill the days (ties broken by fewer visits, then by population).
4. The chosen communes are ordered as a route: starting at the bus's home base, always to the
   nearest commune not yet visited (from the communes' coordinates), so the bus does not zigzag.

The result is a proposal: the manager edits it before confirming.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from essor.territory.geo import distance_km
from essor.territory.models import Commune


@dataclass
class Stop:
    on: date
    commune: Commune
    priority: float
    waiting: int
    holders: int
    visits: int
    distance_km: float | None


def days(start: date, end: date, rest_weekdays: Iterable[int]) -> list[date]:
    rest = set(rest_weekdays)
    count = (end - start).days + 1
    return [
        start + timedelta(d) for d in range(count) if (start + timedelta(d)).weekday() not in rest
    ]


def priorities(
    region_code: str, *, communes: Iterable[Commune] | None = None
) -> list[dict[str, Any]]:
    """Each rural commune of the region with its holders waiting, holders and past visits."""
    from essor.programmes.models import Application
    from essor.registry.models import Person

    from .models import TourStop

    rural = Commune.objects.filter(region__code=region_code, kind="rural", disabled_on__isnull=True)
    if communes is not None:
        rural = rural.filter(pk__in=[c.pk for c in communes])
    waiting = dict(
        Application.objects.filter(
            Q(status__in=["enrolled", "selected", "eligible"]), person__commune__in=rural
        )
        .values("person__commune")
        .annotate(n=Count("pk"))
        .values_list("person__commune", "n")
    )
    holders = dict(
        Person.objects.filter(commune__in=rural, archived_at__isnull=True)
        .values("commune")
        .annotate(n=Count("pk"))
        .values_list("commune", "n")
    )
    visits = dict(
        TourStop.objects.filter(commune__in=rural)
        .values("commune")
        .annotate(n=Count("pk"))
        .values_list("commune", "n")
    )
    rows = []
    for commune in rural.select_related("province"):
        w, h, v = waiting.get(commune.pk, 0), holders.get(commune.pk, 0), visits.get(commune.pk, 0)
        rows.append(
            {
                "commune": commune,
                "waiting": w,
                "holders": h,
                "visits": v,
                "priority": (3 * w + h) / (1 + v),
            }
        )
    rows.sort(
        key=lambda r: (
            -r["priority"],
            r["visits"],
            -(r["commune"].population_2024 or 0),
            r["commune"].code,
        )
    )
    return rows


def _leg(origin: Commune, row: dict[str, Any]) -> tuple[float, float]:
    """Nearest first; a commune without a point goes last, the most urgent first among them."""
    distance = distance_km(origin, row["commune"])
    return (distance if distance is not None else float("inf"), -row["priority"])


def plan(
    *,
    region_code: str,
    home: Commune,
    start: date,
    end: date,
    rest_weekdays: Iterable[int] = (5, 6),
    communes: Iterable[Commune] | None = None,
) -> list[Stop]:
    """Propose one stop a day over the period's working days; see the module's docstring."""
    if end < start:
        raise ValidationError({"end_on": _("The tour ends after it starts.")})
    calendar = days(start, end, rest_weekdays)
    if not calendar:
        raise ValidationError(_("The period has no working day: change the dates or rest days."))
    ranked = priorities(region_code, communes=communes)
    if not ranked:
        raise ValidationError(
            _("No rural commune of this region is in scope: the bus tours rural communes only.")
        )
    chosen = ranked[: len(calendar)]
    route: list[dict[str, Any]] = []
    here: Commune = home
    left = list(chosen)
    while left:
        origin = here
        nearest = min(left, key=lambda row: _leg(origin, row))
        left.remove(nearest)
        nearest["distance"] = distance_km(here, nearest["commune"])
        route.append(nearest)
        here = nearest["commune"]
    return [
        Stop(
            on=day,
            commune=row["commune"],
            priority=round(row["priority"], 2),
            waiting=row["waiting"],
            holders=row["holders"],
            visits=row["visits"],
            distance_km=None if row["distance"] is None else round(row["distance"], 1),
        )
        for day, row in zip(calendar, route, strict=False)
    ]
