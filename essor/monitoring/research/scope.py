"""Who may export, what they may choose, and which applications go into a file."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from essor.accounts.roles import Cap

if TYPE_CHECKING:
    from essor.accounts.models import User
    from essor.conventions.models import Convention
    from essor.programmes.models import Application, Programme


logger = logging.getLogger("essor.monitoring.research")

# --- What a user may export ------------------------------------------------------------------


def can_export(actor: User) -> bool:
    return bool(actor.is_authenticated and actor.can(Cap.RESEARCH_EXPORT))


def selectable_conventions(actor: User) -> QuerySet[Convention]:
    """Conventions the actor's partner keeps or is party to (or one of their amendments);
    platform operators: all of them. Amendments are exported with their convention."""
    from essor.conventions.models import Convention

    if not can_export(actor):
        return Convention.objects.none()
    rows = Convention.objects.filter(parent__isnull=True)
    if not actor.is_superuser:
        if not actor.partner_id:
            return Convention.objects.none()
        mine = (
            Q(owner_id=actor.partner_id)
            | Q(parties__partner_id=actor.partner_id)
            | Q(amendments__parties__partner_id=actor.partner_id)
        )
        rows = rows.filter(pk__in=Convention.objects.filter(mine).values("pk"))
    return rows.order_by("reference")


def selectable_programmes(actor: User) -> QuerySet[Programme]:
    """Programmes the actor's partner runs, or that a convention it may export funds."""
    from essor.programmes.models import Programme

    if not can_export(actor):
        return Programme.objects.none()
    if actor.is_superuser:
        return Programme.objects.order_by("name_fr")
    if not actor.partner_id:
        return Programme.objects.none()
    conventions = selectable_conventions(actor).values("pk")
    funded = Programme.objects.filter(
        Q(budget_lines__convention_id__in=conventions)
        | Q(budget_lines__convention__parent_id__in=conventions)
    )
    return Programme.objects.filter(
        Q(operator_id=actor.partner_id) | Q(pk__in=funded.values("pk"))
    ).order_by("name_fr")


RowsKind = Literal["applications", "enrollments"]


@dataclass(frozen=True)
class ExportScope:
    """What one export holds: a convention's programmes, one programme, or one programme under
    one convention (its money then counted on that convention's lines only)."""

    convention: Convention | None = None
    programme: Programme | None = None
    rows: RowsKind = "applications"

    @property
    def convention_ids(self) -> list[int]:
        """The convention and its amendments."""
        from essor.conventions.models import Convention

        if self.convention is None:
            return []
        pk = self.convention.pk
        return list(
            Convention.objects.filter(Q(pk=pk) | Q(parent_id=pk)).values_list("pk", flat=True)
        )

    def programme_ids(self) -> list[int]:
        from essor.programmes.models import Programme

        if self.programme is not None:
            return [self.programme.pk]
        return list(
            Programme.objects.filter(budget_lines__convention_id__in=self.convention_ids)
            .distinct()
            .values_list("pk", flat=True)
        )

    @property
    def slug(self) -> str:
        """For the file's name: the convention's reference and the programme's code."""
        parts = []
        if self.convention is not None:
            parts.append(self.convention.reference)
        if self.programme is not None:
            parts.append(self.programme.code)
        return "-".join(parts)


def export_scope(
    actor: User,
    *,
    convention_id: int | None = None,
    programme_id: int | None = None,
    rows: RowsKind = "applications",
) -> ExportScope:
    """The scope the actor asked for. 404 when a convention or programme is missing or not
    theirs to export (forbidden looks like missing); a ValidationError by field when the two
    do not go together."""
    if not can_export(actor):
        raise Http404
    if convention_id is None and programme_id is None:
        raise ValidationError({"convention": _("Choose a convention, a programme, or both.")})
    convention = programme = None
    if convention_id is not None:
        convention = selectable_conventions(actor).filter(pk=convention_id).first()
        if convention is None:
            raise Http404
    if programme_id is not None:
        programme = selectable_programmes(actor).filter(pk=programme_id).first()
        if programme is None:
            raise Http404
    return check_scope(ExportScope(convention=convention, programme=programme, rows=rows))


def check_scope(scope: ExportScope) -> ExportScope:
    """The scope, if its choices go together: something chosen, and a programme chosen with a
    convention funded by it. A ValidationError by field otherwise."""
    convention, programme = scope.convention, scope.programme
    if convention is None and programme is None:
        raise ValidationError({"convention": _("Choose a convention, a programme, or both.")})
    if (
        convention is not None
        and programme is not None
        and not programme.budget_lines.filter(convention_id__in=scope.convention_ids).exists()
    ):
        raise ValidationError(
            {
                "programme": _(
                    "The programme %(programme)s is not funded by the convention "
                    "%(convention)s: choose one of its programmes, or only one of the two."
                )
                % {"programme": programme.code, "convention": convention.reference}
            }
        )
    return scope


def applications(scope: ExportScope) -> QuerySet[Application]:
    """The applications of the scope that may go into an export.

    Left out: an applicant archived without being merged (as in the figures), a person who
    objected (or whose surviving record did), and an enterprise's application without a person
    when its founder or manager objected (for an auto-entrepreneur the enterprise is the person).
    """
    from essor.privacy.models import Objection
    from essor.privacy.services import without_objections
    from essor.programmes.models import Application
    from essor.registry.models import MemberRole, Membership

    rows = Application.objects.filter(programme_id__in=scope.programme_ids())
    rows = rows.filter(
        Q(person__isnull=True)
        | Q(person__archived_at__isnull=True)
        | Q(person__merged_into__isnull=False)
    ).filter(
        Q(person__isnull=False)
        | Q(organisation__archived_at__isnull=True)
        | Q(organisation__merged_into__isnull=False)
    )
    rows = without_objections(without_objections(rows, "person"), "person__merged_into")
    objectors = Objection.objects.values("person_id")
    leaders = Membership.objects.filter(
        Q(organisation_id=OuterRef("organisation_id"))
        | Q(organisation_id=OuterRef("organisation__merged_into_id")),
        role__in=(MemberRole.FOUNDER, MemberRole.MANAGER),
    ).filter(Q(person_id__in=objectors) | Q(person__merged_into_id__in=objectors))
    rows = rows.exclude(Q(person__isnull=True) & Exists(leaders))
    if scope.rows == "enrollments":
        rows = rows.filter(enrollment__isnull=False)
    return rows


def log_export(actor: User | None, scope: ExportScope, fmt: str) -> None:
    """Who exported what, for the operators (no row, no pseudonym); no user: the command."""
    logger.info(
        "research export: user=%s convention=%s programme=%s rows=%s format=%s",
        actor.pk if actor is not None else "command",
        scope.convention.pk if scope.convention else None,
        scope.programme.pk if scope.programme else None,
        scope.rows,
        fmt,
    )
