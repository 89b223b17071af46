"""Collecting the report: the person's records, then the sections in their order, then what
other partners hold, counted by partner."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .records import gather_records
from .sections_person import (
    audit_trail_section,
    identity_sections,
    linkage_sections,
    privacy_sections,
)
from .sections_programmes import programme_sections, support_sections
from .structure import AccessReport

if TYPE_CHECKING:
    from essor.accounts.models import User
    from essor.registry.models import Person


def access_report(person: Person, *, actor: User) -> AccessReport:
    """Everything essor holds on ``person``, in the active language, as ``actor`` may give it."""
    r = gather_records(person, actor)
    sections = [
        *identity_sections(r),
        *programme_sections(r),
        *support_sections(r),
        *linkage_sections(r),
        audit_trail_section(r),
        *privacy_sections(r),
    ]
    scope = r.scope
    all_applications, all_participations = r.all_applications, r.all_participations
    all_commitments, all_diagnostics, all_groups = (
        r.all_commitments,
        r.all_diagnostics,
        r.all_groups,
    )

    elsewhere: dict[tuple[str, str], int] = {}
    for what, rows, holder in (
        (_("Applications"), all_applications, "holder"),
        (_("Sessions and attendance"), all_participations, "session__holder"),
        (_("Commitments"), all_commitments, "holder"),
        (_("Diagnostics of their enterprises"), all_diagnostics, "holder"),
        (_("Sector groups of their enterprises"), all_groups, "holder"),
    ):
        for row in (
            scope.outside(rows, holder)
            .values(f"{holder}__name_fr", f"{holder}__acronym")
            .annotate(n=Count("pk", distinct=True))
        ):
            partner = row[f"{holder}__acronym"] or row[f"{holder}__name_fr"]
            elsewhere[(partner, what)] = elsewhere.get((partner, what), 0) + row["n"]

    return AccessReport(
        person=person,
        language=translation.get_language() or "fr",
        generated_at=timezone.localtime(),
        generated_by=str(actor),
        sections=sections,
        elsewhere=[
            {"partner": p, "what": w, "count": n} for (p, w), n in sorted(elsewhere.items())
        ],
    )
