"""What a dashboard and the committee's report show, assembled once for the page, the PDF,
the XLSX and the API.

Figures come from :func:`essor.monitoring.indicators.compute`; charts and the map are SVG
drawn on the server (``essor.territory.maps``) so the page and the PDF show the same picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import formats, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from essor.core.money import format_mad

from . import indicators as ind
from .facts import last_refresh
from .indicators import BY_CODE, Indicator, Period, Row, Scope
from .models import FactsRefresh

if TYPE_CHECKING:
    from essor.accounts.models import User

# Key figures in the order a committee reads them.
KEY = (
    "holders_reached",
    "applications",
    "selection_rate",
    "women_pct",
    "young_pct",
    "rural_pct",
    "holders_trained",
    "holders_coached",
    "sessions_held",
    "training_hours",
    "enterprises_formalised",
    "cooperatives_supported",
    "jobs_created",
    "jobs_kept",
    "survival_12",
    "survival_24",
    "grants_committed",
    "loans_committed",
    "funding_committed",
    "funding_disbursed",
    "cost_per_holder",
    "budget_execution_pct",
    "contributions_pledged",
    "contributions_received",
)
# Indicators that count people: in a report meant for publication, a cell of fewer than
# five people is shown as "< 5" (and the shares computed on it are not shown).
PEOPLE = {"holders_reached", "applications", "holders_trained", "holders_coached"}
SMALL_CELL = 5
TABLE_COLUMNS = ("holders_reached", "women_pct", "young_pct", "training_hours", "funding_disbursed")


def display(
    indicator: Indicator | str,
    value: Any,
    *,
    public: bool = False,
    cell: Any = None,
    base: Any = None,
) -> str:
    """A value as people read it in the active language: 1 234, 45,3 %, 25 000,00 DH.

    For publication (``public``), a figure that could point at fewer than five people is not
    shown: a count of people under 5 reads "< 5"; a share computed on fewer than 5 (``base``),
    and any share or amount in a group (``cell``) of fewer than 5 people, reads "—"."""
    indicator = BY_CODE[indicator] if isinstance(indicator, str) else indicator
    if public:
        small_group = cell is not None and 0 < cell < SMALL_CELL
        if indicator.code in PEOPLE and (small_group or (value and 0 < value < SMALL_CELL)):
            return "< 5"
        if indicator.unit == "pct" and base is not None and base < SMALL_CELL:
            return "—"
        if small_group and indicator.unit in ("pct", "mad", "hours"):
            return "—"
    if value is None:
        return "—"
    if indicator.unit == "mad":
        return format_mad(Decimal(value))
    if indicator.unit == "pct":
        return f"{formats.number_format(value, 1, use_l10n=True)} %"
    if indicator.unit == "hours":
        hours = formats.number_format(value, 1, use_l10n=True, force_grouping=True)
        return _("%(hours)s h") % {"hours": hours}
    return str(formats.number_format(value, 0, use_l10n=True, force_grouping=True))


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    value: Any
    text: str
    url: str | None


@dataclass
class Breakdown:
    title: str
    dimension: str
    rows: list[Row]
    columns: tuple[str, ...] = TABLE_COLUMNS
    public: bool = False

    @property
    def table(self) -> list[tuple[str, list[str]]]:
        return self.cells(self.public)

    def cells(self, public: bool = False) -> list[tuple[str, list[str]]]:
        return [
            (
                row.label,
                [
                    display(
                        c,
                        row.values[c],
                        public=public,
                        cell=row.values["holders_reached"],
                        base=row.bases.get(c),
                    )
                    for c in self.columns
                ],
            )
            for row in self.rows
        ]

    @property
    def headers(self) -> list[str]:
        return [BY_CODE[c].label for c in self.columns]


@dataclass
class Dashboard:
    scope: Scope
    period: Period
    refreshed: FactsRefresh | None
    values: dict[str, Any]
    figures: list[Figure]
    breakdowns: list[Breakdown]
    map_svg: str
    charts: list[tuple[str, str]]
    public: bool = False
    attribution: str = ""
    bases: dict[str, int] = field(default_factory=dict)
    targets: list[Any] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def groups(self) -> list[tuple[str, list[Figure]]]:
        """The key figures under the headings a committee reads them by."""
        labels = {
            "reach": _("Who was reached"),
            "accompaniment": _("Training and coaching"),
            "results": _("Results"),
            "finance": _("Money"),
        }
        return [
            (str(label), [f for f in self.figures if f.indicator.group == group])
            for group, label in labels.items()
        ]


def scope_key(scope: Scope) -> tuple[str, str]:
    if scope.kind == "national":
        return "national", "ma"
    if scope.kind == "region":
        return "region", scope.obj.code
    return scope.kind, str(scope.obj.pk)


def dashboard_url(scope: Scope, period: Period) -> str:
    kind, key = scope_key(scope)
    if kind == "national":
        url = reverse("monitoring:national")
    elif kind == "region":
        url = reverse("monitoring:region", args=[key])
    else:
        url = reverse(f"monitoring:{kind}", args=[int(key)])
    return f"{url}?{urlencode({'period': period.label})}"


def records_url(scope: Scope, period: Period, code: str) -> str | None:
    if not BY_CODE[code].lists:
        return None
    kind, key = scope_key(scope)
    url = reverse("monitoring:records", args=[kind, key, code])
    return f"{url}?{urlencode({'period': period.label})}"


def _region_code(scope: Scope) -> str | None:
    if scope.kind == "region":
        return str(scope.obj.code)
    if scope.kind == "convention":
        regions = list(scope.obj.regions.values_list("code", flat=True)[:2])
        return regions[0] if len(regions) == 1 else None
    if scope.kind == "programme":
        from essor.territory.models import Region

        codes = set(
            Region.objects.filter(conventions__budget_lines__programmes=scope.obj).values_list(
                "code", flat=True
            )
        )
        return codes.pop() if len(codes) == 1 else None
    return None


def build(
    scope: Scope,
    period: Period,
    *,
    public: bool = False,
    links: bool = True,
    actor: User | None = None,
) -> Dashboard:
    """The figures, breakdowns, map and charts of a scope for a period."""
    from essor.territory.maps import attribution, bar_chart_svg, choropleth_svg

    values, bases = ind.compute_with_bases(scope, period)
    figures = [
        Figure(
            BY_CODE[code],
            values[code],
            display(code, values[code], public=public, base=bases.get(code)),
            records_url(scope, period, code) if links else None,
        )
        for code in KEY
    ]
    rtl = translation.get_language_bidi()
    by_sex = ind.breakdown(scope, period, "sex", enterprises=False)
    by_age = ind.breakdown(scope, period, "age_band", enterprises=False)
    by_province = ind.breakdown(scope, period, "province", enterprises=False)
    second = "partner" if scope.kind == "programme" else "programme"
    if scope.kind == "national":
        second = "region"
    by_second = ind.breakdown(scope, period, second, enterprises=False)
    breakdowns = [
        Breakdown(_("By sex"), "sex", by_sex, public=public),
        Breakdown(_("By age band"), "age_band", by_age, public=public),
        Breakdown(
            {
                "programme": _("By programme"),
                "partner": _("By partner"),
                "region": _("By region"),
            }[second],
            second,
            by_second,
            public=public,
        ),
        Breakdown(_("By province or prefecture"), "province", by_province, public=public),
    ]
    from essor.territory.models import Province

    codes = dict(Province.objects.values_list("pk", "code"))
    reached = {
        codes[row.key]: row.values["holders_reached"] for row in by_province if row.key in codes
    }
    if public:
        shown = {k: (None if 0 < (v or 0) < SMALL_CELL else v) for k, v in reached.items()}
    else:
        shown = dict(reached)
    map_svg = choropleth_svg(
        shown,
        region_code=_region_code(scope),
        title=_("Holders reached by province, %(period)s") % {"period": period.label},
        formatter=lambda v: display("holders_reached", v, public=public),
    )

    def chart(title: str, rows: list[Row], code: str) -> tuple[str, str]:
        data = [
            (row.label, row.values[code])
            for row in rows
            if row.values[code] is not None
            and not (row.key in (None, "") and not row.values[code])
            and not (public and 0 < row.values["holders_reached"] < SMALL_CELL)
        ]
        return title, bar_chart_svg(
            data, title=title, formatter=lambda v: display(code, v, public=public), rtl=rtl
        )

    charts = [
        chart(_("Holders reached by age band"), by_age, "holders_reached"),
        chart(_("Holders reached by sex"), by_sex, "holders_reached"),
        chart(
            {
                "programme": _("Funding disbursed by programme"),
                "partner": _("Funding disbursed by partner"),
                "region": _("Funding disbursed by region"),
            }[second],
            by_second,
            "funding_disbursed",
        ),
    ]
    return Dashboard(
        scope=scope,
        period=period,
        refreshed=last_refresh(),
        values=values,
        figures=figures,
        breakdowns=breakdowns,
        map_svg=map_svg,
        charts=charts,
        public=public,
        attribution=attribution(),
        bases=bases,
    )


def convention_extra(dashboard: Dashboard) -> None:
    """What the committee adds for a convention: targets, execution, actions and decisions."""
    from essor.conventions.models import ActionItem, Decision
    from essor.conventions.selectors import convention_execution

    from .selectors import targets_against_actuals

    convention = dashboard.scope.obj
    period = dashboard.period
    dashboard.targets = targets_against_actuals(convention, period)
    first, last = date(period.first, 1, 1), date(period.last, 12, 31)
    dashboard.extra = {
        "execution": convention_execution(convention),
        "actions": list(
            ActionItem.objects.filter(committee__convention=convention).order_by("due_on", "pk")
        ),
        "decisions": list(
            Decision.objects.filter(
                meeting__committee__convention=convention,
                meeting__held_on__gte=first,
                meeting__held_on__lte=last,
            ).select_related("meeting")
        ),
    }
