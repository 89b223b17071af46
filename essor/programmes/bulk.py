"""Bulk screening for targeting: a programme's person-level rules over the whole registry.

Where ``screening.py`` judges one applicant in Python, this module compiles the same rules into
one filtered ``Person`` queryset, so that a million persons are screened by the database
(filters, ``EXISTS`` sub-queries and ``GROUP BY`` counts), never by a loop over rows.

The two agree on what "eligible" means: a rule the data cannot decide (no birth date, no sex,
no commune, no CIN to look up prior support) is never a pass, so such a person is not counted.
Rules about an organisation or a project (legal form, sector, turnover, grant…) cannot be judged
on a person alone: they are returned as "not applied in bulk", for the page to say so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext as _

from essor.funding.models import RESERVING, Commitment
from essor.registry.models import Person, Sex
from essor.territory.models import Commune, CommuneKind, Province

from .models import Enrollment, ExclusionEntry, Programme, RuleKind

# Age bands of the indicators (DESIGN: values by … sex × age band): code, lowest and highest
# age in whole years (``None``: open). A person aged exactly 25 is in "25-34".
AGE_BANDS: list[tuple[str, int | None, int | None]] = [
    ("under_18", None, 17),
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-54", 45, 54),
    ("55+", 55, None),
]
UNKNOWN = "unknown"


def years_before(on: date, years: int) -> date:
    """The same day ``years`` earlier; 29 February falls back to the 28th.

    A person is aged ``n`` or more on ``on`` exactly when born on or before
    ``years_before(on, n)``: the birthday rule of ``Person.age`` turned into a date bound. The
    28th is right on both sides: no one is born on 29 February of a common year.
    """
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


# --- Rules compiled to conditions on Person ---------------------------------------------------


def _age(params: dict[str, Any], on: date) -> Q:
    """Aged ``min`` to ``max`` on ``on``; no birth date never passes (NULL compares false)."""
    condition = Q(birth_date__isnull=False)
    if params.get("min") is not None:
        condition &= Q(birth_date__lte=years_before(on, params["min"]))
    if params.get("max") is not None:
        condition &= Q(birth_date__gt=years_before(on, params["max"] + 1))
    return condition


def _sex(params: dict[str, Any], on: date) -> Q:
    return Q(sex__in=params["values"])


def _territory(params: dict[str, Any], on: date) -> Q:
    """The person's commune is one the rule names (by region, province or commune code).

    Compiled to ``commune_id IN (communes of the territory)``: the 1,503 communes are filtered
    once, and a person without a commune is never inside.
    """
    named = Q()
    for key, lookup in (
        ("regions", "region__code__in"),
        ("provinces", "province__code__in"),
        ("communes", "code__in"),
    ):
        if params.get(key):
            named |= Q(**{lookup: params[key]})
    communes = Commune.objects.filter(named)
    if params.get("rural_only"):
        communes = communes.filter(kind=CommuneKind.RURAL)
    return Q(commune__in=communes.values("pk"))


def _prior_support(params: dict[str, Any], on: date) -> Q:
    """Not already supported by one of the named programmes (within the window, if any).

    Supported means: a commitment awaiting approval or approved, an enrolment, or the person's
    CIN on a partner's exclusion list for that programme. With ``within_years`` a support dated
    before 1 January of ``on.year - within_years`` no longer counts (as in ``screening.py``);
    an undated exclusion entry always counts. Without a CIN the exclusion lists cannot be
    checked: screening says "unknown", so the person is not counted as eligible.

    One difference with screening an application: screening also looks through the person's
    sure duplicates not yet merged (``essor.linkage.lookup.same_person_ids``, one lookup per
    person); this count, in one SQL statement over the registry, does not. The two agree once
    ``essor link`` has merged the duplicates.
    """
    codes: list[str] = params["programmes"]
    window: int | None = params.get("within_years")
    commitments = Commitment.objects.filter(
        person=OuterRef("pk"), programme__code__in=codes, status__in=RESERVING
    )
    enrolments = Enrollment.objects.filter(
        application__person=OuterRef("pk"), application__programme__code__in=codes
    )
    entries = ExclusionEntry.objects.filter(
        cin=OuterRef("cin"), exclusion_list__programme_code__in=codes
    )
    if window:
        since = date(on.year - window, 1, 1)
        commitments = commitments.filter(committed_on__gte=since)
        enrolments = enrolments.filter(started_on__gte=since)
        entries = entries.filter(Q(year__isnull=True) | Q(year__gte=since.year))
    return Q(~Q(cin=""), ~Exists(commitments), ~Exists(enrolments), ~Exists(entries))


COMPILERS: dict[str, Callable[[dict[str, Any], date], Q]] = {
    RuleKind.AGE: _age,
    RuleKind.SEX: _sex,
    RuleKind.TERRITORY: _territory,
    RuleKind.PRIOR_SUPPORT: _prior_support,
}


def _narrowed(territory: dict[str, str] | None) -> Q:
    """The page's optional filter: one region and/or one province, by HCP code."""
    territory = territory or {}
    lookups = {
        field: territory[key]
        for key, field in (("region", "region__code"), ("province", "province__code"))
        if territory.get(key)
    }
    if not lookups:
        return Q()
    return Q(commune__in=Commune.objects.filter(**lookups).values("pk"))


def eligible_persons(
    programme: Programme,
    *,
    on: date,
    territory: dict[str, str] | None = None,
    persons: QuerySet[Person] | None = None,
) -> tuple[QuerySet[Person], list[str]]:
    """The persons the programme's person-level rules admit on ``on``, and the kinds not applied.

    ``persons`` is the scope to screen (``Person.objects.visible_to(user)`` for a page: the
    partner scope holds); by default the whole registry. Archived persons are never eligible.
    The second element lists, in rule order, the kinds that judge an organisation or a project
    and were therefore not applied.
    """
    queryset = persons if persons is not None else Person.objects.all()
    condition = Q(archived_at__isnull=True) & _narrowed(territory)
    skipped: list[str] = []
    for rule in programme.eligibility_rules.order_by("pk"):
        compile_rule = COMPILERS.get(rule.kind)
        if compile_rule is None:
            skipped.append(rule.kind)
        else:
            condition &= compile_rule(rule.params, on)
    return queryset.filter(condition), skipped


# --- Counts -----------------------------------------------------------------------------------


def age_band_label(code: str) -> str:
    for band, low, high in AGE_BANDS:
        if band == code:
            if low is None:
                return _("Under %(age)s") % {"age": (high or 0) + 1}
            if high is None:
                return _("%(low)s or more") % {"low": low}
            return _("%(low)s to %(high)s") % {"low": low, "high": high}
    return _("Birth date unknown")


def age_band(on: date) -> Case:
    """The age band of each row on ``on``, as SQL: bounds are dates computed once, here."""
    whens = [When(birth_date__isnull=True, then=Value(UNKNOWN))]
    for code, _low, high in AGE_BANDS:
        if high is not None:
            # Aged ``high`` or less: born after the day one turns ``high + 1``.
            whens.append(When(birth_date__gt=years_before(on, high + 1), then=Value(code)))
    return Case(*whens, default=Value(AGE_BANDS[-1][0]), output_field=CharField())


def _share(count: int, total: int) -> float | None:
    return round(100 * count / total, 1) if total else None


def bulk_counts(queryset: QuerySet[Person], *, on: date) -> dict[str, Any]:
    """Total, and counts by province, by sex and by age band: three ``GROUP BY`` queries.

    The total is the sum of the age bands (every row falls in exactly one, "unknown" included),
    so it costs no fourth scan. Rows are ``{"code", "label", "count", "pct"}``; every band and
    both sexes are listed even at zero, provinces only where someone is eligible, persons
    without a commune (or a sex) in a last "unknown" row.
    """
    base = queryset.order_by()
    bands = {
        row["band"]: row["n"]
        for row in base.annotate(band=age_band(on)).values("band").annotate(n=Count("pk"))
    }
    total = sum(bands.values())

    by_age_band = [
        {"code": code, "label": age_band_label(code), "count": bands.get(code, 0)}
        for code in [*(code for code, _low, _high in AGE_BANDS), UNKNOWN]
        if code != UNKNOWN or bands.get(UNKNOWN)
    ]

    sexes = {row["sex"]: row["n"] for row in base.values("sex").annotate(n=Count("pk"))}
    by_sex = [
        {"code": code, "label": str(label), "count": sexes.get(code, 0)}
        for code, label in Sex.choices
    ]
    unknown_sex = sum(n for code, n in sexes.items() if code not in Sex.values)
    if unknown_sex:
        by_sex.append({"code": UNKNOWN, "label": _("Not recorded"), "count": unknown_sex})

    provinces = base.values(
        code=F("commune__province__code"),
        name_fr=F("commune__province__name_fr"),
        name_ar=F("commune__province__name_ar"),
    ).annotate(n=Count("pk"))
    by_province: list[dict[str, Any]] = []
    no_commune = 0
    # One result row per province, not per person: sorting them here costs nothing.
    for row in sorted(provinces, key=lambda row: row["code"] or ""):
        if row["code"] is None:
            no_commune = row["n"]
        else:
            label = Province(name_fr=row["name_fr"], name_ar=row["name_ar"]).label
            by_province.append({"code": row["code"], "label": label, "count": row["n"]})
    if no_commune:
        by_province.append({"code": UNKNOWN, "label": _("Commune unknown"), "count": no_commune})

    for rows in (by_province, by_sex, by_age_band):
        for row in rows:
            row["pct"] = _share(row["count"], total)
    return {
        "total": total,
        "by_province": by_province,
        "by_sex": by_sex,
        "by_age_band": by_age_band,
    }
