"""Guards of conventions and budget lines: every signed-in user reads them; few change them.

A convention is changed by the administrators and programme managers of the partner that keeps
it. A budget line is changed, and its money committed, only by the partner that executes it:
a partner's manager changes only their own lines. The committee reads and changes nothing.
"""

from __future__ import annotations

from typing import Literal

from django.http import Http404

from essor.accounts.models import User
from essor.accounts.roles import Cap

from .models import BudgetLine, Convention

Action = Literal["view", "change"]
LineAction = Literal["view", "change", "commit"]


def can_view(actor: User) -> bool:
    return bool(actor.is_authenticated and actor.can(Cap.AGGREGATES_VIEW))


def can_change_convention(actor: User, convention: Convention) -> bool:
    if not actor.can(Cap.CONVENTIONS_MANAGE):
        return False
    return actor.is_superuser or convention.owner_id == actor.partner_id


def can_add_line(actor: User, convention: Convention) -> bool:
    """The keeper adds lines for any party; a party's manager adds its own."""
    if can_change_convention(actor, convention):
        return True
    return bool(
        actor.can(Cap.CONVENTIONS_MANAGE)
        and actor.partner_id
        and convention.parties.filter(partner_id=actor.partner_id).exists()
    )


def can_change_line(actor: User, line: BudgetLine) -> bool:
    if not actor.can(Cap.CONVENTIONS_MANAGE):
        return False
    return actor.is_superuser or line.partner_id == actor.partner_id


def can_commit_on(actor: User, line: BudgetLine) -> bool:
    if not actor.can(Cap.FUNDING_COMMIT):
        return False
    return actor.is_superuser or line.partner_id == actor.partner_id


def access_convention(actor: User, pk: int, *, action: Action = "view") -> Convention:
    if not can_view(actor):
        raise Http404
    try:
        convention = Convention.objects.select_related("owner", "parent").get(pk=pk)
    except (Convention.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "change" and not can_change_convention(actor, convention):
        raise Http404
    return convention


def access_budget_line(actor: User, pk: int, *, action: LineAction = "view") -> BudgetLine:
    if not can_view(actor):
        raise Http404
    try:
        line = BudgetLine.objects.select_related("convention", "partner").get(pk=pk)
    except (BudgetLine.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "change" and not can_change_line(actor, line):
        raise Http404
    if action == "commit" and not can_commit_on(actor, line):
        raise Http404
    return line
