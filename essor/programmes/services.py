"""Writes of programmes: the scheme, the lines that fund it, its rules and its scoring grid."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from essor.accounts.roles import Cap
from essor.core.audit import save_audited
from essor.core.money import check_amount

from .models import EligibilityRule, Programme, ScoringCriterion
from .rules import clean_params

if TYPE_CHECKING:
    from essor.accounts.models import Partner, User
    from essor.conventions.models import BudgetLine

PROGRAMME_FIELDS = [
    "code",
    "name_fr",
    "name_ar",
    "description_fr",
    "description_ar",
    "audience_fr",
    "audience_ar",
    "services_fr",
    "services_ar",
    "capacity",
    "opens_on",
    "closes_on",
    "approval_threshold",
]


def _check(values: dict[str, Any]) -> None:
    opens, closes = values.get("opens_on"), values.get("closes_on")
    if opens and closes and closes < opens:
        raise ValidationError({"closes_on": _("Applications cannot close before they open.")})
    threshold = values.get("approval_threshold")
    if threshold is not None:
        check_amount(threshold, allow_zero=True, field="approval_threshold")


def _require_threshold_right(actor: User) -> None:
    """Whoever commits the money must not also set the amount above which a second person has
    to approve it: only an administrator sets it."""
    if not (actor.is_superuser or actor.can(Cap.USERS_MANAGE)):
        raise ValidationError(
            {
                "approval_threshold": _(
                    "Only an administrator changes the amount above which a second approval "
                    "is needed."
                )
            }
        )


@transaction.atomic
def programme_create(
    *,
    actor: User | None,
    operator: Partner,
    budget_lines: Iterable[BudgetLine] = (),
    **values: Any,
) -> Programme:
    values = {k: v for k, v in values.items() if k in PROGRAMME_FIELDS}
    if values.get("approval_threshold") is None:
        values.pop("approval_threshold", None)
    _check(values)
    default = Programme._meta.get_field("approval_threshold").default
    if actor is not None and values.get("approval_threshold", default) != default:
        _require_threshold_right(actor)
    if Programme.objects.filter(code=values.get("code")).exists():
        raise ValidationError(
            {"code": _("The code %(code)s is already used.") % {"code": values["code"]}}
        )
    programme = Programme(operator=operator, **values)
    save_audited(programme, actor=actor, verb="programmes.programme.created")
    programme.budget_lines.set(list(budget_lines))
    return programme


@transaction.atomic
def programme_update(
    *,
    actor: User,
    programme: Programme,
    budget_lines: Iterable[BudgetLine] | None = None,
    **values: Any,
) -> Programme:
    values = {k: v for k, v in values.items() if k in PROGRAMME_FIELDS and k != "code"}
    if "approval_threshold" in values and values["approval_threshold"] is None:
        values.pop("approval_threshold")
    _check({f: getattr(programme, f) for f in PROGRAMME_FIELDS} | values)
    if (
        "approval_threshold" in values
        and values["approval_threshold"] != programme.approval_threshold
    ):
        _require_threshold_right(actor)
    for field, value in values.items():
        setattr(programme, field, value)
    save_audited(programme, actor=actor, verb="programmes.programme.changed")
    if budget_lines is not None:
        lines = list(budget_lines)
        dropped = set(programme.budget_lines.values_list("pk", flat=True)) - {
            line.pk for line in lines
        }
        if dropped and programme.commitments.filter(budget_line_id__in=dropped).exists():
            raise ValidationError(
                {"budget_lines": _("A line with commitments of this programme cannot be removed.")}
            )
        programme.budget_lines.set(lines)
    return programme


@transaction.atomic
def rule_set(
    *, actor: User | None, programme: Programme, kind: str, params: dict[str, Any], note: str = ""
) -> EligibilityRule:
    """Add the rule of ``kind`` or replace its parameters (a programme has one rule per kind)."""
    cleaned = clean_params(kind, params)
    rule = programme.eligibility_rules.filter(kind=kind).first() or EligibilityRule(
        programme=programme, kind=kind
    )
    rule.params = cleaned
    rule.note = note
    save_audited(rule, actor=actor, verb="programmes.rule.set")
    return rule


def rule_remove(*, actor: User, rule: EligibilityRule) -> None:
    rule._history_user = actor  # type: ignore[attr-defined]
    rule._change_reason = "programmes.rule.removed"  # type: ignore[attr-defined]
    rule.delete()


def criterion_add(
    *,
    actor: User | None,
    programme: Programme,
    label_fr: str,
    label_ar: str = "",
    weight: int = 1,
    scale_max: int = 5,
) -> ScoringCriterion:
    if weight < 1 or weight > 100:
        raise ValidationError({"weight": _("A weight is between 1 and 100.")})
    if scale_max < 1 or scale_max > 100:
        raise ValidationError({"scale_max": _("A scale is between 1 and 100.")})
    position = programme.scoring_criteria.count()
    return ScoringCriterion.objects.create(
        programme=programme,
        label_fr=label_fr,
        label_ar=label_ar,
        weight=weight,
        scale_max=scale_max,
        position=position,
    )
