"""Eligibility rules as data: the parameters each kind takes, checked, and read aloud.

A rule is stored as ``(kind, params)``. :func:`clean_params` turns what a form or the API sent
into the stored parameters or raises a ``ValidationError`` that names the parameter; the
screening of the next issue compiles the same parameters into database queries.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from essor.core.money import check_amount, format_mad, parse_amount

from .models import RuleKind


def _int(params: dict[str, Any], key: str, *, low: int, high: int) -> int | None:
    value = params.get(key)
    if value in (None, ""):
        return None
    try:
        number = int(str(value))
    except ValueError:
        raise ValidationError(
            {"params": _("%(key)s must be a whole number.") % {"key": key}}
        ) from None
    if not low <= number <= high:
        raise ValidationError(
            {
                "params": _("%(key)s must be between %(low)s and %(high)s.")
                % {"key": key, "low": low, "high": high}
            }
        )
    return number


def _amount(params: dict[str, Any], key: str) -> str | None:
    value = params.get(key)
    if value in (None, ""):
        return None
    try:
        amount = parse_amount(str(value))
    except ValueError:
        raise ValidationError(
            {"params": _("%(key)s must be an amount in dirhams.") % {"key": key}}
        ) from None
    check_amount(amount, field="params")
    return str(amount)


def _codes(params: dict[str, Any], key: str, allowed: set[str] | None = None) -> list[str]:
    value = params.get(key) or []
    if isinstance(value, str):
        value = [part for part in (p.strip() for p in value.split(",")) if part]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError({"params": _("%(key)s must be a list of codes.") % {"key": key}})
    if allowed is not None:
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise ValidationError(
                {
                    "params": _("Unknown codes in %(key)s: %(codes)s.")
                    % {"key": key, "codes": ", ".join(unknown)}
                }
            )
    return list(dict.fromkeys(value))


def _range(params: dict[str, Any], low_key: str, high_key: str, high: int) -> dict[str, Any]:
    low_value = _int(params, low_key, low=0, high=high)
    high_value = _int(params, high_key, low=0, high=high)
    if low_value is None and high_value is None:
        raise ValidationError({"params": _("Give a minimum, a maximum or both.")})
    if low_value is not None and high_value is not None and low_value > high_value:
        raise ValidationError({"params": _("The minimum is above the maximum.")})
    return {low_key: low_value, high_key: high_value}


def clean_params(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """The stored parameters of a rule of ``kind``, or a ``ValidationError`` saying why not."""
    from essor.registry.models import OrganisationKind, Sector, Sex
    from essor.territory.models import Commune, Province, Region

    if not isinstance(params, dict):
        raise ValidationError({"params": _("The parameters must be an object.")})
    if kind == RuleKind.AGE:
        return _range(params, "min", "max", 120)
    if kind == RuleKind.SEX:
        values = _codes(params, "values", set(Sex.values))
        if not values:
            raise ValidationError({"params": _("Choose at least one sex.")})
        return {"values": values}
    if kind == RuleKind.TERRITORY:
        result: dict[str, Any] = {
            "regions": _codes(params, "regions"),
            "provinces": _codes(params, "provinces"),
            "communes": _codes(params, "communes"),
            "rural_only": bool(params.get("rural_only")),
        }
        for key, model in (("regions", Region), ("provinces", Province), ("communes", Commune)):
            known = set(model.objects.filter(code__in=result[key]).values_list("code", flat=True))
            unknown = sorted(set(result[key]) - known)
            if unknown:
                raise ValidationError(
                    {
                        "params": _("Unknown HCP codes in %(key)s: %(codes)s.")
                        % {"key": key, "codes": ", ".join(unknown)}
                    }
                )
        if (
            not (result["regions"] or result["provinces"] or result["communes"])
            and not result["rural_only"]
        ):
            raise ValidationError({"params": _("Name regions, provinces, communes or rural only.")})
        return result
    if kind == RuleKind.LEGAL_FORMS:
        values = _codes(params, "values", set(OrganisationKind.values))
        if not values:
            raise ValidationError({"params": _("Choose at least one legal form.")})
        return {"values": values}
    if kind == RuleKind.SECTORS:
        known = set(Sector.objects.values_list("code", flat=True))
        values = _codes(params, "values", known)
        if not values:
            raise ValidationError({"params": _("Choose at least one sector.")})
        return {"values": values}
    if kind == RuleKind.ORGANISATION_AGE:
        return _range(params, "min_years", "max_years", 200)
    if kind == RuleKind.TURNOVER_MAX:
        amount = _amount(params, "amount")
        if amount is None:
            raise ValidationError({"params": _("Give the turnover cap in dirhams.")})
        return {"amount": amount}
    if kind == RuleKind.EMPLOYEES_MAX:
        count = _int(params, "count", low=0, high=100000)
        if count is None:
            raise ValidationError({"params": _("Give the largest number of employees.")})
        return {"count": count}
    if kind in (RuleKind.WOMEN_SHARE, RuleKind.YOUNG_SHARE, RuleKind.OWN_CONTRIBUTION):
        pct = _int(params, "min_pct", low=0, high=100)
        if pct is None:
            raise ValidationError({"params": _("Give the minimum share, in per cent.")})
        result = {"min_pct": pct}
        if kind == RuleKind.YOUNG_SHARE:
            result["max_age"] = _int(params, "max_age", low=15, high=60) or 35
        return result
    if kind == RuleKind.PRIOR_SUPPORT:
        programmes = _codes(params, "programmes")
        if not programmes:
            raise ValidationError(
                {"params": _("Name the programmes whose beneficiaries are excluded.")}
            )
        return {
            "programmes": programmes,
            "within_years": _int(params, "within_years", low=1, high=50),
        }
    if kind == RuleKind.GRANT:
        share = _int(params, "max_share_pct", low=1, high=100)
        caps = {key: _amount(params, key) for key in ("cap_person", "cap_tpe", "cap_cooperative")}
        if share is None and not any(caps.values()):
            raise ValidationError({"params": _("Give the largest share of the cost or a cap.")})
        return {"max_share_pct": share, **caps}
    raise ValidationError({"kind": _("Unknown kind of rule.")})


def _join(values: list[str], labels: dict[str, Any]) -> str:
    return ", ".join(str(labels.get(v, v)) for v in values)


def describe(kind: str, params: dict[str, Any]) -> str:
    """The rule in a sentence of the active language, for pages, letters and the finder."""
    from essor.registry.models import OrganisationKind, Sex

    p = params
    if kind == RuleKind.AGE:
        if p.get("min") is not None and p.get("max") is not None:
            return _("Aged %(min)s to %(max)s") % p
        if p.get("min") is not None:
            return _("Aged %(min)s or more") % p
        return _("Aged %(max)s or less") % p
    if kind == RuleKind.SEX:
        return _("Sex: %(values)s") % {"values": _join(p["values"], dict(Sex.choices))}
    if kind == RuleKind.TERRITORY:
        parts = [*p.get("regions", []), *p.get("provinces", []), *p.get("communes", [])]
        text = _("Territory: %(codes)s") % {"codes": ", ".join(parts)} if parts else ""
        if p.get("rural_only"):
            rural = _("rural communes only")
            text = f"{text} — {rural}" if text else _("Rural communes only")
        return text
    if kind == RuleKind.LEGAL_FORMS:
        return _("Legal forms: %(values)s") % {
            "values": _join(p["values"], dict(OrganisationKind.choices))
        }
    if kind == RuleKind.SECTORS:
        return _("Sectors: %(values)s") % {"values": ", ".join(p["values"])}
    if kind == RuleKind.ORGANISATION_AGE:
        return _("Organisation aged %(low)s to %(high)s years") % {
            "low": p.get("min_years") if p.get("min_years") is not None else 0,
            "high": p.get("max_years") if p.get("max_years") is not None else "∞",
        }
    if kind == RuleKind.TURNOVER_MAX:
        return _("Annual turnover at most %(amount)s") % {
            "amount": format_mad(Decimal(p["amount"]))
        }
    if kind == RuleKind.EMPLOYEES_MAX:
        return _("At most %(count)s employees") % p
    if kind == RuleKind.WOMEN_SHARE:
        return _("At least %(min_pct)s%% women members") % p
    if kind == RuleKind.YOUNG_SHARE:
        return _("At least %(min_pct)s%% members aged %(max_age)s or less") % p
    if kind == RuleKind.OWN_CONTRIBUTION:
        return _("Own contribution of at least %(min_pct)s%% of the cost") % p
    if kind == RuleKind.PRIOR_SUPPORT:
        names = ", ".join(p["programmes"])
        if p.get("within_years"):
            return _("Not supported by %(names)s in the last %(years)s years") % {
                "names": names,
                "years": p["within_years"],
            }
        return _("Never supported by %(names)s") % {"names": names}
    if kind == RuleKind.GRANT:
        parts = []
        if p.get("max_share_pct"):
            parts.append(_("at most %(pct)s%% of the project cost") % {"pct": p["max_share_pct"]})
        for key, label in (
            ("cap_person", _("individuals")),
            ("cap_tpe", _("TPE")),
            ("cap_cooperative", _("cooperatives")),
        ):
            if p.get(key):
                parts.append(
                    _("%(amount)s for %(who)s")
                    % {"amount": format_mad(Decimal(p[key])), "who": label}
                )
        return _("Grant: %(parts)s") % {"parts": "; ".join(parts)}
    return kind


def grant_cap(params: dict[str, Any], *, beneficiary_kind: str) -> Decimal | None:
    """The grant cap of a ``grant`` rule for a person, a TPE or a cooperative (``None``: none)."""
    key = {"person": "cap_person", "cooperative": "cap_cooperative"}.get(
        beneficiary_kind, "cap_tpe"
    )
    value = params.get(key)
    return Decimal(value) if value else None
