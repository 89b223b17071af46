"""Screening: each eligibility rule of a programme, evaluated for one applicant, with a reason.

A rule gives ``pass``, ``fail`` or ``unknown``; ``unknown`` says which data is missing and never
counts as a pass. Results are stored as codes with parameters (``RuleResult.as_dict``) and read
aloud in the reader's language when shown (``reason``), so a French screening reads in Arabic
for an Arabic-speaking committee member.

The subject of a screening is a :class:`Subject`: built from an application (the person and
their enterprise in the registry, the project's figures) or from the public finder's answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from essor.core.money import format_mad

from .models import EligibilityRule, RuleKind

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"


@dataclass
class PriorSupport:
    """A support the subject already had: a programme code, its year and where we learnt it."""

    programme: str
    year: int | None
    source: str  # "commitment", "enrolment" or "exclusion list: <name>"


@dataclass
class Subject:
    """What screening knows of an applicant; ``None`` means "not known"."""

    age: int | None = None
    sex: str | None = None
    region: str | None = None
    province: str | None = None
    commune: str | None = None
    rural: bool | None = None
    place: str | None = None  # the commune's (or province's) name, for the reasons
    legal_form: str | None = None  # an OrganisationKind; "informal" for a project without one
    sector: str | None = None
    organisation_age: int | None = None  # years
    turnover: Decimal | None = None
    employees: int | None = None
    women_pct: int | None = None
    young_pct: int | None = None  # members aged 35 or less
    prior: list[PriorSupport] | None = None  # None: not looked up; [] looked up, nothing found
    project_cost: Decimal | None = None
    requested: Decimal | None = None
    own_contribution: Decimal | None = None
    beneficiary_kind: str = "person"  # "person", "tpe" or "cooperative", for grant caps
    on: date = field(default_factory=date.today)


@dataclass
class RuleResult:
    kind: str
    status: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def reason(self) -> str:
        return reason(self.code, self.params)


# The reasons, by code. Parameters are plain values (numbers as strings), so that a stored
# screening renders again in any language.
REASONS: dict[str, Any] = {
    "age.ok": gettext_lazy("Age %(age)s: within %(band)s"),
    "age.out": gettext_lazy("Age %(age)s: the programme is for %(band)s"),
    "age.missing": gettext_lazy("Age unknown: the birth date is missing"),
    "sex.ok": gettext_lazy("Sex: %(value)s"),
    "sex.out": gettext_lazy("The programme is for: %(values)s"),
    "sex.missing": gettext_lazy("Sex unknown"),
    "territory.ok": gettext_lazy("Lives or works in the programme's territory (%(place)s)"),
    "territory.out": gettext_lazy("%(place)s is outside the programme's territory"),
    "territory.urban": gettext_lazy(
        "%(place)s is an urban commune: the programme is for rural ones"
    ),
    "territory.missing": gettext_lazy("Commune unknown"),
    "legal_form.ok": gettext_lazy("Legal form: %(value)s"),
    "legal_form.out": gettext_lazy("Legal form %(value)s: the programme is for %(values)s"),
    "legal_form.missing": gettext_lazy("Legal form unknown"),
    "sector.ok": gettext_lazy("Sector: %(value)s"),
    "sector.out": gettext_lazy("Sector %(value)s is not among the programme's sectors"),
    "sector.missing": gettext_lazy("Sector unknown"),
    "organisation_age.ok": gettext_lazy("Organisation created %(years)s years ago"),
    "organisation_age.out": gettext_lazy(
        "Organisation created %(years)s years ago: the programme asks %(band)s"
    ),
    "organisation_age.missing": gettext_lazy("Creation date of the organisation unknown"),
    "turnover.ok": gettext_lazy("Turnover %(value)s, within the cap of %(cap)s"),
    "turnover.out": gettext_lazy("Turnover %(value)s is above the cap of %(cap)s"),
    "turnover.missing": gettext_lazy("Annual turnover unknown"),
    "employees.ok": gettext_lazy("%(value)s employees, within the cap of %(cap)s"),
    "employees.out": gettext_lazy("%(value)s employees: the programme allows at most %(cap)s"),
    "employees.missing": gettext_lazy("Number of employees unknown"),
    "women_share.ok": gettext_lazy("%(value)s%% women members (at least %(min)s%% asked)"),
    "women_share.out": gettext_lazy("%(value)s%% women members: at least %(min)s%% are asked"),
    "women_share.missing": gettext_lazy("Members unknown: record the cooperative's members"),
    "young_share.ok": gettext_lazy("%(value)s%% young members (at least %(min)s%% asked)"),
    "young_share.out": gettext_lazy("%(value)s%% young members: at least %(min)s%% are asked"),
    "young_share.missing": gettext_lazy("Members unknown: record the cooperative's members"),
    "prior.ok": gettext_lazy("Not supported by %(names)s"),
    "prior.out": gettext_lazy("Already supported by %(name)s in %(year)s (%(source)s)"),
    "prior.out_undated": gettext_lazy("Already supported by %(name)s (%(source)s)"),
    "prior.missing": gettext_lazy("Prior support not checked: the CIN or ICE is missing"),
    "grant.ok": gettext_lazy("Requested %(value)s, within %(limit)s"),
    "grant.out": gettext_lazy("Requested %(value)s: the programme grants at most %(limit)s"),
    "grant.missing": gettext_lazy("Requested amount or project cost unknown"),
    "own_contribution.ok": gettext_lazy("Own contribution %(value)s%% of the cost"),
    "own_contribution.out": gettext_lazy(
        "Own contribution %(value)s%% of the cost: at least %(min)s%% is asked"
    ),
    "own_contribution.missing": gettext_lazy("Own contribution or project cost unknown"),
}


SOURCES: dict[str, Any] = {
    "commitment": gettext_lazy("a commitment recorded in essor"),
    "enrolment": gettext_lazy("an enrolment recorded in essor"),
    "declared": gettext_lazy("as you said"),
}


def _localised(code: str, params: dict[str, Any]) -> dict[str, Any]:
    """Codes and amounts stored in a screening, worded in the reader's language."""
    from essor.registry.models import OrganisationKind, Sex

    params = dict(params)
    if code.startswith(("turnover.", "grant.")):
        for key in ("value", "cap", "limit"):
            if params.get(key) not in (None, "", "—"):
                params[key] = format_mad(Decimal(params[key]))
    labels = {"sex.": dict(Sex.choices), "legal_form.": dict(OrganisationKind.choices)}
    for prefix, choices in labels.items():
        if code.startswith(prefix):
            for key in ("value", "values"):
                if key in params:
                    params[key] = _labels(params[key].split(","), choices)
    return params


def reason(code: str, params: dict[str, Any]) -> str:
    template = REASONS.get(code)
    if template is None:
        return code
    if "source" in params and params["source"] in SOURCES:
        params = params | {"source": str(SOURCES[params["source"]])}
    params = _localised(code, params)
    if "low" in params:  # a band, worded in the reader's language
        low, high = (None if params[k] == "None" else params[k] for k in ("low", "high"))
        params = params | {"band": _band(low, high)}
    return str(template) % params


def _band(low: Any, high: Any) -> str:
    """An age band in years: "18 to 35 years old", "18 years old or more"."""
    if low is not None and high is not None:
        return _("%(low)s to %(high)s years old") % {"low": low, "high": high}
    if low is not None:
        return _("%(low)s years old or more") % {"low": low}
    return _("%(high)s years old or less") % {"high": high}


def _within(value: int, low: int | None, high: int | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _labels(values: Iterable[str], choices: dict[str, Any]) -> str:
    return ", ".join(str(choices.get(v, v)) for v in values)


def evaluate_rule(rule_kind: str, params: dict[str, Any], s: Subject) -> RuleResult:
    """One rule for one subject."""

    def result(status: str, suffix: str, **values: Any) -> RuleResult:
        prefixes: dict[str, str] = {
            RuleKind.TURNOVER_MAX: "turnover",
            RuleKind.LEGAL_FORMS: "legal_form",
            RuleKind.SECTORS: "sector",
            RuleKind.EMPLOYEES_MAX: "employees",
            RuleKind.PRIOR_SUPPORT: "prior",
        }
        prefix = prefixes.get(rule_kind, rule_kind)
        return RuleResult(
            rule_kind, status, f"{prefix}.{suffix}", {k: str(v) for k, v in values.items()}
        )

    k = RuleKind
    if rule_kind == k.AGE:
        if s.age is None:
            return result(UNKNOWN, "missing")
        low, high = params.get("min"), params.get("max")
        ok = _within(s.age, low, high)
        return result(PASS if ok else FAIL, "ok" if ok else "out", age=s.age, low=low, high=high)
    if rule_kind == k.SEX:
        if not s.sex:
            return result(UNKNOWN, "missing")
        if s.sex in params["values"]:
            return result(PASS, "ok", value=s.sex)
        return result(FAIL, "out", values=",".join(params["values"]))
    if rule_kind == k.TERRITORY:
        if s.commune is None and s.province is None and s.region is None:
            return result(UNKNOWN, "missing")
        place = s.place or s.commune or s.province or s.region
        named = params.get("regions") or params.get("provinces") or params.get("communes")
        inside = not named or (
            (s.region in params.get("regions", []))
            or (s.province in params.get("provinces", []))
            or (s.commune in params.get("communes", []))
        )
        if not inside:
            return result(FAIL, "out", place=place)
        if params.get("rural_only"):
            if s.rural is None:
                return result(UNKNOWN, "missing")
            if not s.rural:
                return result(FAIL, "urban", place=place)
        return result(PASS, "ok", place=place)
    if rule_kind == k.LEGAL_FORMS:
        if not s.legal_form:
            return result(UNKNOWN, "missing")
        if s.legal_form in params["values"]:
            return result(PASS, "ok", value=s.legal_form)
        return result(FAIL, "out", value=s.legal_form, values=",".join(params["values"]))
    if rule_kind == k.SECTORS:
        if not s.sector:
            return result(UNKNOWN, "missing")
        ok = s.sector in params["values"]
        return result(PASS if ok else FAIL, "ok" if ok else "out", value=s.sector)
    if rule_kind == k.ORGANISATION_AGE:
        if s.organisation_age is None:
            return result(UNKNOWN, "missing")
        low, high = params.get("min_years"), params.get("max_years")
        ok = _within(s.organisation_age, low, high)
        return result(
            PASS if ok else FAIL,
            "ok" if ok else "out",
            years=s.organisation_age,
            low=low,
            high=high,
        )
    if rule_kind == k.TURNOVER_MAX:
        if s.turnover is None:
            return result(UNKNOWN, "missing")
        cap = Decimal(params["amount"])
        ok = s.turnover <= cap
        return result(
            PASS if ok else FAIL,
            "ok" if ok else "out",
            value=s.turnover,
            cap=cap,
        )
    if rule_kind == k.EMPLOYEES_MAX:
        if s.employees is None:
            return result(UNKNOWN, "missing")
        ok = s.employees <= params["count"]
        return result(
            PASS if ok else FAIL, "ok" if ok else "out", value=s.employees, cap=params["count"]
        )
    if rule_kind in (k.WOMEN_SHARE, k.YOUNG_SHARE):
        value = s.women_pct if rule_kind == k.WOMEN_SHARE else s.young_pct
        if value is None:
            return result(UNKNOWN, "missing")
        ok = value >= params["min_pct"]
        return result(
            PASS if ok else FAIL, "ok" if ok else "out", value=value, min=params["min_pct"]
        )
    if rule_kind == k.PRIOR_SUPPORT:
        names = ", ".join(params["programmes"])
        if s.prior is None:
            return result(UNKNOWN, "missing")
        window = params.get("within_years")
        for support in s.prior:
            if support.programme not in params["programmes"]:
                continue
            if window and support.year is not None and support.year < s.on.year - window:
                continue
            if support.year is None:
                return result(FAIL, "out_undated", name=support.programme, source=support.source)
            return result(
                FAIL, "out", name=support.programme, year=support.year, source=support.source
            )
        return result(PASS, "ok", names=names)
    if rule_kind == k.GRANT:
        from .rules import grant_cap

        if s.requested is None:
            return result(UNKNOWN, "missing")
        limits: list[Decimal] = []
        grant_limit = grant_cap(params, beneficiary_kind=s.beneficiary_kind)
        if grant_limit is not None:
            limits.append(grant_limit)
        if params.get("max_share_pct"):
            if s.project_cost is None:
                return result(UNKNOWN, "missing")
            limits.append(
                (s.project_cost * Decimal(params["max_share_pct"]) / 100).quantize(Decimal("0.01"))
            )
        if not limits:
            return result(PASS, "ok", value=s.requested, limit="—")
        limit = min(limits)
        ok = s.requested <= limit
        return result(
            PASS if ok else FAIL,
            "ok" if ok else "out",
            value=s.requested,
            limit=limit,
        )
    if rule_kind == k.OWN_CONTRIBUTION:
        if s.own_contribution is None or not s.project_cost:
            return result(UNKNOWN, "missing")
        pct = int(s.own_contribution * 100 / s.project_cost)  # shown rounded down
        ok = s.own_contribution * 100 >= params["min_pct"] * s.project_cost
        return result(PASS if ok else FAIL, "ok" if ok else "out", value=pct, min=params["min_pct"])
    return RuleResult(rule_kind, UNKNOWN, rule_kind, {})


def evaluate(rules: Iterable[EligibilityRule], subject: Subject) -> list[RuleResult]:
    return [evaluate_rule(rule.kind, rule.params, subject) for rule in rules]


def outcome(results: Iterable[RuleResult]) -> str:
    """``ineligible`` when one rule fails, ``incomplete`` when one is unknown, else ``eligible``."""
    statuses = {r.status for r in results}
    if FAIL in statuses:
        return "ineligible"
    if UNKNOWN in statuses:
        return "incomplete"
    return "eligible"
