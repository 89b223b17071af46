"""The indicators: defined once, computed from the analytics table for a scope and a period.

A scope is a convention, a programme, a region or the whole country; a period is a year or a
span of years ("2025", "2023-2025"). Every page, report, export and API response asks
:func:`compute` and so shows the same number. How each indicator is computed is in its
``definition`` (shown on the catalogue page) and in ``docs/decisions/0012``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Sum, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .facts import SUM_KINDS
from .models import Fact, FactKind

Unit = Literal["count", "pct", "hours", "mad"]
ScopeKind = Literal["convention", "programme", "region", "national"]

# Rows attributed to a convention by the budget line the money comes from (and the holders
# counted once per convention).
MONEY_KINDS = (
    FactKind.COMMITMENT,
    FactKind.DISBURSEMENT,
    FactKind.ORG_SUPPORT,
    FactKind.REACH_CONV,
    FactKind.REACH_CONV_CUBE,
)
REACH_KINDS = (FactKind.REACH,)
# Rows that hold a distinct holder or enterprise each (counted with COUNT DISTINCT).
ORG_KINDS = (FactKind.FORMALISED, FactKind.ORG_SUPPORT)
YOUNG = (18, 35)
ZERO = Decimal("0")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    """Whole calendar years, from ``first`` to ``last``."""

    first: int
    last: int

    @property
    def label(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"

    @property
    def years(self) -> range:
        return range(self.first, self.last + 1)

    @classmethod
    def parse(cls, text: str) -> Period:
        """``"2025"`` or ``"2023-2025"``; anything else is refused with what to type."""
        match = re.fullmatch(r"\s*(\d{4})(?:\s*[-–/]\s*(\d{4}))?\s*", text or "")
        if not match:
            raise PeriodError(
                _("“%(text)s” is not a period: type a year (2025) or two years (2023-2025).")
                % {"text": text}
            )
        first, last = int(match[1]), int(match[2] or match[1])
        if not 2000 <= first <= last <= 2100:
            raise PeriodError(
                _("“%(text)s” is not a period: the first year comes first, between 2000 and 2100.")
                % {"text": text}
            )
        return cls(first, last)


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    obj: Any = None

    @property
    def label(self) -> str:
        if self.kind == "national":
            return str(_("Morocco"))
        return str(self.obj)

    def young_band(self) -> tuple[int, int]:
        """18-35, or the age band of the programme's own eligibility rule."""
        if self.kind == "programme":
            from essor.programmes.models import RuleKind

            rule = self.obj.eligibility_rules.filter(kind=RuleKind.AGE).first()
            if rule is not None:
                low = rule.params.get("min")
                high = rule.params.get("max")
                if low is not None and high is not None:
                    return int(low), int(high)
        return YOUNG

    def programme_ids(self) -> list[int]:
        from essor.programmes.models import Programme

        if self.kind == "convention":
            return list(
                Programme.objects.filter(budget_lines__convention=self.obj)
                .distinct()
                .values_list("pk", flat=True)
            )
        if self.kind == "programme":
            return [self.obj.pk]
        return []

    def filter(self, rows: QuerySet[Fact]) -> QuerySet[Fact]:
        if self.kind == "convention":
            return rows.filter(
                Q(kind__in=MONEY_KINDS, convention_id=self.obj.pk)
                | (~Q(kind__in=MONEY_KINDS) & Q(programme_id__in=self.programme_ids()))
            )
        if self.kind == "programme":
            return rows.filter(programme_id=self.obj.pk)
        if self.kind == "region":
            return rows.filter(region_id=self.obj.pk)
        return rows


UNIT_LABELS = {
    "count": gettext_lazy("number"),
    "pct": gettext_lazy("per cent"),
    "hours": gettext_lazy("hours"),
    "mad": gettext_lazy("dirhams"),
}


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Promise
    definition: Promise
    unit: Unit
    group: str
    # The analytics rows behind the figure (for the list of records), or () when none.
    kinds: tuple[str, ...] = ()
    lists: Literal["persons", "organisations", "applications", ""] = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(self.name)

    @property
    def unit_label(self) -> str:
        return str(UNIT_LABELS[self.unit])


CATALOGUE: tuple[Indicator, ...] = (
    Indicator(
        "holders_reached",
        gettext_lazy("Holders reached"),
        gettext_lazy(
            "Distinct persons who, in the period, attended at least one session, started a "
            "programme or received a commitment of funds. A person supported by two "
            "programmes counts once; a merged duplicate counts as its surviving record."
        ),
        "count",
        "reach",
        REACH_KINDS,
        "persons",
    ),
    Indicator(
        "applications",
        gettext_lazy("Applications submitted"),
        gettext_lazy("Applications submitted in the period, whatever became of them."),
        "count",
        "reach",
        (FactKind.APPLICATION,),
        "applications",
    ),
    Indicator(
        "selection_rate",
        gettext_lazy("Selection rate"),
        gettext_lazy(
            "Applications selected or enrolled, out of the applications submitted in the "
            "period on which a decision was taken (selected, waiting list, not selected)."
        ),
        "pct",
        "reach",
    ),
    Indicator(
        "women_pct",
        gettext_lazy("Women"),
        gettext_lazy("Share of women among the holders reached whose sex is known."),
        "pct",
        "reach",
        REACH_KINDS,
        "persons",
        {"sex": "F"},
    ),
    Indicator(
        "young_pct",
        gettext_lazy("Young people"),
        gettext_lazy(
            "Share of young people (18 to 35 years old in the year of their support, or the "
            "programme's own age band) among the holders reached whose birth date is known."
        ),
        "pct",
        "reach",
        REACH_KINDS,
        "persons",
    ),
    Indicator(
        "rural_pct",
        gettext_lazy("Living in a rural commune"),
        gettext_lazy(
            "Share of holders reached who live in a rural commune, among those whose commune "
            "is known."
        ),
        "pct",
        "reach",
        REACH_KINDS,
        "persons",
        {"commune_kind": "rural"},
    ),
    Indicator(
        "holders_trained",
        gettext_lazy("Holders trained"),
        gettext_lazy("Distinct persons present at least once at a training session in the period."),
        "count",
        "accompaniment",
        REACH_KINDS,
        "persons",
        {"trained": 1},
    ),
    Indicator(
        "holders_coached",
        gettext_lazy("Holders coached"),
        gettext_lazy(
            "Distinct persons present at least once at coaching, mentoring or group "
            "counselling in the period."
        ),
        "count",
        "accompaniment",
        REACH_KINDS,
        "persons",
        {"coached": 1},
    ),
    Indicator(
        "sessions_held",
        gettext_lazy("Sessions held"),
        gettext_lazy("Sessions in the period at which at least one holder was marked present."),
        "count",
        "accompaniment",
    ),
    Indicator(
        "training_hours",
        gettext_lazy("Hours of training"),
        gettext_lazy(
            "Hours attended by holders at training sessions: each session's length, once per "
            "holder present."
        ),
        "hours",
        "accompaniment",
    ),
    Indicator(
        "enterprises_formalised",
        gettext_lazy("Enterprises formalised"),
        gettext_lazy(
            "Auto-entrepreneurs, cooperatives and companies created in the period by a holder "
            "after they started a programme."
        ),
        "count",
        "results",
        (FactKind.FORMALISED,),
        "organisations",
    ),
    Indicator(
        "cooperatives_supported",
        gettext_lazy("Cooperatives supported"),
        gettext_lazy(
            "Distinct cooperatives that received a commitment of funds in the period or were "
            "created in it by a holder after they started a programme."
        ),
        "count",
        "results",
        ORG_KINDS,
        "organisations",
        {"org_kind": "cooperative"},
    ),
    Indicator(
        "jobs_created",
        gettext_lazy("Jobs created"),
        gettext_lazy(
            "Jobs created, as reported by the latest follow-up survey of each support (a holder "
            "who followed two programmes is surveyed for each), for the surveys done in the "
            "period."
        ),
        "count",
        "results",
    ),
    Indicator(
        "jobs_kept",
        gettext_lazy("Jobs kept"),
        gettext_lazy("Jobs that existed before the support and still exist, by the same surveys."),
        "count",
        "results",
    ),
    Indicator(
        "survival_12",
        gettext_lazy("Still active at 12 months"),
        gettext_lazy(
            "Share of holders surveyed 12 months after their support whose activity still runs."
        ),
        "pct",
        "results",
    ),
    Indicator(
        "survival_24",
        gettext_lazy("Still active at 24 months"),
        gettext_lazy(
            "Share of holders surveyed 24 months after their support whose activity still runs."
        ),
        "pct",
        "results",
    ),
    Indicator(
        "grants_committed",
        gettext_lazy("Grants committed"),
        gettext_lazy(
            "Grants committed in the period (awaiting approval or approved), less what was "
            "released at closing."
        ),
        "mad",
        "finance",
    ),
    Indicator(
        "loans_committed",
        gettext_lazy("Honour loans committed"),
        gettext_lazy("Honour loans committed in the period, counted as grants are."),
        "mad",
        "finance",
    ),
    Indicator(
        "funding_committed",
        gettext_lazy("Funding committed"),
        gettext_lazy("All commitments of the period (grants, honour loans, equipment, in kind)."),
        "mad",
        "finance",
    ),
    Indicator(
        "funding_disbursed",
        gettext_lazy("Funding disbursed"),
        gettext_lazy("Tranches paid in the period; a reversed payment is not paid."),
        "mad",
        "finance",
    ),
    Indicator(
        "cost_per_holder",
        gettext_lazy("Cost per holder"),
        gettext_lazy(
            "Funding disbursed in the period divided by the holders reached in the period."
        ),
        "mad",
        "finance",
    ),
    Indicator(
        "budget_execution_pct",
        gettext_lazy("Budget execution"),
        gettext_lazy(
            "Funding disbursed from the start up to the end of the period, out of the budget "
            "lines in scope."
        ),
        "pct",
        "finance",
    ),
    Indicator(
        "contributions_pledged",
        gettext_lazy("Partner contributions pledged"),
        gettext_lazy("What the partners of the conventions in scope pledged to bring."),
        "mad",
        "finance",
    ),
    Indicator(
        "contributions_received",
        gettext_lazy("Partner contributions received"),
        gettext_lazy("What the partners actually paid in, up to the end of the period."),
        "mad",
        "finance",
    ),
)
BY_CODE = {i.code: i for i in CATALOGUE}


def _sums() -> dict[str, Any]:
    """The summed parts of the indicators (one SQL query over the summed rows)."""
    apps = Q(kind=FactKind.APPLICATION)
    commit = Q(kind=FactKind.COMMITMENT)
    return {
        "applications": Sum("events", filter=apps),
        "decided": Sum("decided", filter=apps),
        "selected": Sum("selected", filter=apps),
        "sessions": Sum("events", filter=Q(kind=FactKind.SESSION)),
        "hours": Sum("hours", filter=Q(kind=FactKind.ATTENDANCE, detail="training")),
        "jobs_created": Sum("jobs_created", filter=Q(kind=FactKind.JOBS)),
        "jobs_kept": Sum("jobs_kept", filter=Q(kind=FactKind.JOBS)),
        "fu12": Sum("events", filter=Q(kind=FactKind.FOLLOW_UP, detail="12")),
        "fu12_active": Sum("active", filter=Q(kind=FactKind.FOLLOW_UP, detail="12")),
        "fu24": Sum("events", filter=Q(kind=FactKind.FOLLOW_UP, detail="24")),
        "fu24_active": Sum("active", filter=Q(kind=FactKind.FOLLOW_UP, detail="24")),
        "grants": Sum("amount", filter=commit & Q(detail="grant")),
        "loans": Sum("amount", filter=commit & Q(detail="honour_loan")),
        "committed": Sum("amount", filter=commit),
        "disbursed": Sum("amount", filter=Q(kind=FactKind.DISBURSEMENT)),
    }


Mode = Literal["distinct", "rows", "cube"]


def _distinct(young: tuple[int, int], *, mode: Mode) -> dict[str, Any]:
    """The counted parts: holders, each once.

    ``distinct`` counts distinct persons; ``rows`` counts rows that are one holder each (one
    year); ``cube`` adds up the holders of pre-counted rows (a country's or a region's year).
    Counting rows spares the database a sort per figure."""
    low, high = young

    def persons(condition: Q) -> Any:
        # The rows are holder rows already: only the condition filters them.
        only = condition or None
        if mode == "cube":
            return Sum("events", filter=only)
        if mode == "rows":
            return Count("pk", filter=only)
        return Count("person_id", distinct=True, filter=only)

    return {
        "reached": persons(Q()),
        "reached_women": persons(Q(sex="F")),
        "reached_sexed": persons(Q(sex__in=["F", "M"])),
        "reached_young": persons(Q(age__gte=low, age__lte=high)),
        "reached_aged": persons(Q(age__isnull=False)),
        "reached_rural": persons(Q(commune_kind="rural")),
        "reached_placed": persons(~Q(commune_kind="")),
        "trained": persons(Q(trained=1)),
        "coached": persons(Q(coached=1)),
    }


HOLDER_FLAGS = (
    "reached_women",
    "reached_sexed",
    "reached_young",
    "reached_aged",
    "reached_rural",
    "reached_placed",
    "trained",
    "coached",
)


def _per_holder(young: tuple[int, int]) -> dict[str, Any]:
    """For one holder's rows: whether any says woman, young, rural… (1 or 0)."""
    low, high = young

    def any_of(condition: Q) -> Max:
        return Max(Case(When(condition, then=1), default=0, output_field=IntegerField()))

    flags = {
        "reached_women": any_of(Q(sex="F")),
        "reached_sexed": any_of(Q(sex__in=["F", "M"])),
        "reached_young": any_of(Q(age__gte=low, age__lte=high)),
        "reached_aged": any_of(Q(age__isnull=False)),
        "reached_rural": any_of(Q(commune_kind="rural")),
        "reached_placed": any_of(~Q(commune_kind="")),
        "trained": Max("trained"),
        "coached": Max("coached"),
    }
    return {f"h_{k}": v for k, v in flags.items()}


def _organisations(*, per_year: bool) -> dict[str, Any]:
    """Enterprises, each once (a separate, small query: its DISTINCT would otherwise make the
    database sort every holder row). ``per_year`` reads the rows that are one enterprise a
    year (``org_year``)."""
    if per_year:
        return {
            "formalised": Sum("events"),
            "cooperatives": Count("pk", filter=Q(org_kind="cooperative")),
        }
    return {
        "formalised": Count("organisation_id", distinct=True, filter=Q(kind=FactKind.FORMALISED)),
        "cooperatives": Count(
            "organisation_id",
            distinct=True,
            filter=Q(kind__in=ORG_KINDS, org_kind="cooperative"),
        ),
    }


def _organisation_rows(scope: Scope, period: Period) -> tuple[Any, bool]:
    per_year = scope.kind in ("national", "region") and period.first == period.last
    kinds = (FactKind.ORG_YEAR,) if per_year else ORG_KINDS
    return facts(scope, period).filter(kind__in=kinds), per_year


def pct(part: Any, whole: Any) -> Decimal | None:
    if not whole:
        return None
    value = Decimal(part or 0) * 100 / Decimal(whole)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# The number of people (or surveys, or decisions) each share is computed on: a report for
# publication does not show a share computed on fewer than five.
BASES = {
    "selection_rate": "decided",
    "women_pct": "reached_sexed",
    "young_pct": "reached_aged",
    "rural_pct": "reached_placed",
    "survival_12": "fu12",
    "survival_24": "fu24",
}


def _bases(c: dict[str, Any]) -> dict[str, int]:
    return {code: int(c.get(part) or 0) for code, part in BASES.items()}


def _values(c: dict[str, Any]) -> dict[str, Any]:
    """Indicator values from one row of components."""

    def n(key: str) -> int:
        return int(c.get(key) or 0)

    def money(key: str) -> Decimal:
        return Decimal(c.get(key) or 0).quantize(Decimal("0.01"))

    reached = n("reached")
    disbursed = money("disbursed")
    return {
        "holders_reached": reached,
        "applications": n("applications"),
        "selection_rate": pct(n("selected"), n("decided")),
        "women_pct": pct(n("reached_women"), n("reached_sexed")),
        "young_pct": pct(n("reached_young"), n("reached_aged")),
        "rural_pct": pct(n("reached_rural"), n("reached_placed")),
        "holders_trained": n("trained"),
        "holders_coached": n("coached"),
        "sessions_held": n("sessions"),
        "training_hours": Decimal(c.get("hours") or 0).quantize(Decimal("0.1")),
        "enterprises_formalised": n("formalised"),
        "cooperatives_supported": n("cooperatives"),
        "jobs_created": n("jobs_created"),
        "jobs_kept": n("jobs_kept"),
        "survival_12": pct(n("fu12_active"), n("fu12")),
        "survival_24": pct(n("fu24_active"), n("fu24")),
        "grants_committed": money("grants"),
        "loans_committed": money("loans"),
        "funding_committed": money("committed"),
        "funding_disbursed": disbursed,
        "cost_per_holder": (disbursed / reached).quantize(Decimal("0.01")) if reached else None,
    }


def facts(scope: Scope, period: Period) -> QuerySet[Fact]:
    return scope.filter(Fact.objects.filter(year__gte=period.first, year__lte=period.last))


CUBE_DIMENSIONS = (None, "year", "region", "province", "commune_kind", "sex", "age_band")


def _counted_rows(scope: Scope, period: Period, by: str | None = None) -> tuple[Any, Mode]:
    """The holder rows a figure counts, and how to count them.

    Country, region and convention figures of one year add up pre-counted holders
    (``reach_cube``, ``reach_ccube``, and ``reach_pcube`` by programme: ages there are the
    first age of their band, which the 18-35 band and the age bands read alike; a programme
    with its own age band reads its holder rows instead);
    over several years they count holders once a year whatever the programme (``reach_year``),
    once. A convention's count holders once a year for the convention (``reach_conv``), a
    programme's once a year (``reach``). A breakdown by programme reads ``reach`` (one row per
    holder and programme); by partner, convention or sector, a holder may sit in several rows,
    counted once. Rows are distinct holders only within one year."""
    one_year = period.first == period.last
    young = scope.young_band()
    if (
        one_year
        and young == YOUNG
        and (by == "programme" or (scope.kind == "programme" and by in CUBE_DIMENSIONS))
    ):
        return facts(scope, period).filter(kind=FactKind.REACH_PROG_CUBE), "cube"
    if by in PROGRAMME_DIMENSIONS or scope.kind == "programme":
        reach = FactKind.REACH
    elif one_year and by in CUBE_DIMENSIONS:
        cube = FactKind.REACH_CONV_CUBE if scope.kind == "convention" else FactKind.REACH_CUBE
        return facts(scope, period).filter(kind=cube), "cube"
    elif scope.kind == "convention":
        reach = FactKind.REACH_CONV
    else:
        reach = FactKind.REACH_YEAR
    rows = facts(scope, period).filter(kind=reach)
    unique = one_year and by not in ("partner", "convention", "sector")
    return rows, "rows" if unique else "distinct"


# Breakdowns: the analytics column each dimension groups by.
DIMENSIONS: dict[str, str] = {
    "year": "year",
    "region": "region_id",
    "province": "province_id",
    "commune_kind": "commune_kind",
    "sex": "sex",
    "age_band": "age",
    "sector": "sector_id",
    "programme": "programme_id",
    "convention": "convention_id",
    "partner": "partner_id",
}
PROGRAMME_DIMENSIONS = ("programme", "partner", "convention", "sector")
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("< 18", 0, 17),
    ("18-24", 18, 24),
    ("25-35", 25, 35),
    ("36-45", 36, 45),
    ("46-60", 46, 60),
    ("> 60", 61, 200),
)


def _ledger_values(scope: Scope, period: Period) -> dict[str, Any]:
    """Figures read from the conventions' own tables (small): budget and contributions."""
    from essor.conventions.models import (
        BudgetLine,
        Convention,
        PartnerPayment,
        Party,
        PaymentKind,
    )

    lines = BudgetLine.objects.all()
    conventions = Convention.objects.all()
    if scope.kind == "convention":
        lines = lines.filter(convention=scope.obj)
        conventions = conventions.filter(pk=scope.obj.pk)
    elif scope.kind == "programme":
        lines = scope.obj.budget_lines.all()
        conventions = conventions.filter(budget_lines__in=lines).distinct()
    elif scope.kind == "region":
        conventions = conventions.filter(regions=scope.obj)
        lines = lines.filter(convention__in=conventions)
    budget = lines.aggregate(s=Sum("amount"))["s"] or ZERO
    paid = (
        Fact.objects.filter(kind=FactKind.DISBURSEMENT, grain="total", year__lte=period.last)
        .filter(budget_line_id__in=lines.values("pk"))
        .aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    pledged = (
        Party.objects.filter(convention__in=conventions).aggregate(s=Sum("pledged"))["s"] or ZERO
    )
    received = (
        PartnerPayment.objects.filter(
            party__convention__in=conventions, kind=PaymentKind.RECEIPT, on__year__lte=period.last
        ).aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    return {
        "budget_execution_pct": pct(paid, budget),
        "contributions_pledged": Decimal(pledged).quantize(Decimal("0.01")),
        "contributions_received": Decimal(received).quantize(Decimal("0.01")),
    }


def compute(scope: Scope, period: Period) -> dict[str, Any]:
    """Every indicator of the catalogue for the scope and the period."""
    return compute_with_bases(scope, period)[0]


def compute_with_bases(scope: Scope, period: Period) -> tuple[dict[str, Any], dict[str, int]]:
    """The indicators, and the number of people each share is computed on."""
    sums = facts(scope, period).filter(kind__in=SUM_KINDS, grain="total").aggregate(**_sums())
    rows, mode = _counted_rows(scope, period)
    young = scope.young_band()
    if mode == "distinct":
        # Once per holder first (one hash over the rows), then added up: the same numbers as
        # a COUNT(DISTINCT) per figure, without a sort per figure.
        per_holder = rows.values("person_id").annotate(**_per_holder(young)).order_by()
        counted = per_holder.aggregate(
            reached=Count("person_id"), **{k: Sum(f"h_{k}") for k in HOLDER_FLAGS}
        )
    else:
        counted = rows.aggregate(**_distinct(young, mode=mode))
    org_rows, per_year = _organisation_rows(scope, period)
    enterprises = org_rows.aggregate(**_organisations(per_year=per_year))
    parts = sums | counted | enterprises
    return _values(parts) | _ledger_values(scope, period), _bases(parts)


@dataclass(frozen=True)
class Row:
    key: Any
    label: str
    values: dict[str, Any]
    bases: dict[str, int] = field(default_factory=dict)


def _age_band() -> Case:
    return Case(
        *[When(age__gte=low, age__lte=high, then=Value(label)) for label, low, high in AGE_BANDS],
        default=Value(""),
    )


def breakdown(scope: Scope, period: Period, by: str, *, enterprises: bool = True) -> list[Row]:
    """The indicators, one row per member of ``by`` (two or three SQL queries, grouped).

    Without ``enterprises``, the enterprise counts are left out (None): a dashboard's tables
    do not show them, and they are the costly part of a breakdown."""
    if by not in DIMENSIONS:
        raise ValueError(by)
    if by == "convention":
        return _by_convention(scope, period)
    young = scope.young_band()
    rows, mode = _counted_rows(scope, period, by)
    grain = by if by in ("province", "sex", "age_band", "commune_kind", "sector") else "total"
    sums = facts(scope, period).filter(kind__in=SUM_KINDS, grain=grain)
    if by == "age_band":
        column = "band"
        rows = rows.annotate(band=_age_band())
        sums = sums.annotate(band=_age_band())
    else:
        column = DIMENSIONS[by]
    merged: dict[Any, dict[str, Any]] = {}
    for group in sums.values(column).annotate(**_sums()).order_by():
        merged.setdefault(group.pop(column), {}).update(group)
    for group in rows.values(column).annotate(**_distinct(young, mode=mode)).order_by():
        merged.setdefault(group.pop(column), {}).update(group)
    if enterprises:
        org_rows = facts(scope, period).filter(kind__in=ORG_KINDS)
        if by == "age_band":
            org_rows = org_rows.annotate(band=_age_band())
        for group in org_rows.values(column).annotate(**_organisations(per_year=False)).order_by():
            merged.setdefault(group.pop(column), {}).update(group)
    if by == "age_band":
        order = [label for label, _low, _high in AGE_BANDS] + [""]
        keys = [k for k in order if k in merged or k != ""]
        result = [
            Row(k, k or str(_("not known")), _values(merged.get(k, {})), _bases(merged.get(k, {})))
            for k in keys
        ]
        return result if enterprises else _without_enterprises(result)
    keys = sorted(merged, key=lambda k: (k is None or k == "", str(k)))
    labels = _labels(by, keys)
    result = [
        Row(k, labels.get(k, str(_("not known"))), _values(merged[k]), _bases(merged[k]))
        for k in keys
    ]
    return result if enterprises else _without_enterprises(result)


def _without_enterprises(rows: list[Row]) -> list[Row]:
    for row in rows:
        row.values["enterprises_formalised"] = row.values["cooperatives_supported"] = None
    return rows


def _by_convention(scope: Scope, period: Period) -> list[Row]:
    """Each convention in scope, with its own whole figures (a holder of two counts in each;
    for a region or a programme, the conventions it takes part in, each as a whole)."""
    from essor.conventions.models import Convention

    conventions = Convention.objects.filter(parent__isnull=True)
    if scope.kind == "convention":
        conventions = conventions.filter(pk=scope.obj.pk)
    elif scope.kind == "programme":
        conventions = conventions.filter(budget_lines__programmes=scope.obj).distinct()
    elif scope.kind == "region":
        conventions = conventions.filter(regions=scope.obj)
    rows = []
    for c in conventions.order_by("reference"):
        values, bases = compute_with_bases(Scope("convention", c), period)
        rows.append(Row(c.pk, str(c), values, bases))
    return rows


def _labels(by: str, keys: Sequence[Any]) -> dict[Any, str]:
    from essor.accounts.models import Partner
    from essor.conventions.models import Convention
    from essor.programmes.models import Programme
    from essor.registry.models import Sector, Sex
    from essor.territory.models import CommuneKind, Province, Region

    present = [k for k in keys if k not in (None, "")]
    models: dict[str, Any] = {
        "region": Region,
        "province": Province,
        "sector": Sector,
        "programme": Programme,
        "convention": Convention,
        "partner": Partner,
    }
    if by in models:
        return {o.pk: str(o) for o in models[by].objects.filter(pk__in=present)}
    if by == "sex":
        return {k: str(Sex(k).label) for k in present if k in Sex.values}
    if by == "commune_kind":
        return {k: str(CommuneKind(k).label) for k in present if k in CommuneKind.values}
    return {k: str(k) for k in present}


def record_filter(code: str, scope: Scope, period: Period) -> QuerySet[Fact]:
    """The analytics rows behind an indicator, for the list of its holders or enterprises."""
    indicator = BY_CODE[code]
    rows = facts(scope, period).filter(kind__in=indicator.kinds)
    if indicator.extra:
        rows = rows.filter(**indicator.extra)
    if code == "young_pct":
        low, high = scope.young_band()
        rows = rows.filter(age__gte=low, age__lte=high)
    return rows


def application_records(scope: Scope, period: Period) -> QuerySet[Any]:
    """The applications behind the "applications" figure, read from the records."""
    from essor.programmes.models import Application

    rows = Application.objects.filter(
        Q(person__isnull=True)
        | Q(person__archived_at__isnull=True)
        | Q(person__merged_into__isnull=False),
        submitted_on__year__gte=period.first,
        submitted_on__year__lte=period.last,
    )
    if scope.kind in ("convention", "programme"):
        rows = rows.filter(programme_id__in=scope.programme_ids())
    elif scope.kind == "region":
        rows = rows.filter(
            Q(person__commune__region=scope.obj) | Q(person__merged_into__commune__region=scope.obj)
        )
    return rows
