"""The columns of an export and what its data dictionary says of each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from django.utils.translation import gettext as _

from .pseudonyms import AGE_BANDS

Kind = Literal["pseudonym", "code", "text", "month", "integer", "decimal", "flag"]


def _choices(path: str) -> Callable[[], list[tuple[str, str]]]:
    """The codes of a TextChoices (by dotted path), read when the dictionary is written."""

    def read() -> list[tuple[str, str]]:
        from django.utils.module_loading import import_string

        return [(value, str(label)) for value, label in import_string(path).choices]

    return read


def _bands() -> list[tuple[str, str]]:
    described = []
    for label, low, high in AGE_BANDS:
        if high is None:
            text = _("%(n)s years or more") % {"n": low}
        elif low == 0:
            text = _("under %(n)s years") % {"n": high + 1}
        else:
            text = _("%(low)s to %(high)s years") % {"low": low, "high": high}
        described.append((label, text))
    return described


def _waves_status() -> list[tuple[str, str]]:
    return [*_choices("essor.monitoring.models.FollowUpStatus")(), ("", _("no follow-up planned"))]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    label: str
    description: str
    codes: Callable[[], list[tuple[str, str]]] | None = field(default=None, compare=False)


_YES_NO = lambda: [("1", _("yes")), ("0", _("no"))]  # noqa: E731


def _follow_up_columns(wave: int) -> list[Column]:
    after = {"n": wave}
    return [
        Column(
            f"follow_up_{wave}_status",
            "code",
            _("Follow-up at %(n)s months: status") % after,
            _("Whether the survey %(n)s months after the exit was done.") % after,
            _waves_status,
        ),
        Column(
            f"follow_up_{wave}_active",
            "flag",
            _("Follow-up at %(n)s months: activity running") % after,
            _("The activity was still running at the survey (empty: not asked).") % after,
            _YES_NO,
        ),
        Column(
            f"follow_up_{wave}_jobs_created",
            "integer",
            _("Follow-up at %(n)s months: jobs created") % after,
            _("Jobs created, as declared at the survey.") % after,
        ),
        Column(
            f"follow_up_{wave}_jobs_kept",
            "integer",
            _("Follow-up at %(n)s months: jobs kept") % after,
            _("Jobs kept, as declared at the survey.") % after,
        ),
        Column(
            f"follow_up_{wave}_turnover",
            "decimal",
            _("Follow-up at %(n)s months: turnover (DH)") % after,
            _("Annual turnover declared at the survey, in dirhams.") % after,
        ),
    ]


def columns() -> list[Column]:
    """Every column of the file, in order, with what the dictionary says of it."""
    from essor.monitoring.models import WAVES

    g = _
    return [
        Column(
            "person",
            "pseudonym",
            g("Person (pseudonym)"),
            g(
                "Stable pseudonym of the project holder: the same person has the same one in "
                "every export made with the same key, and a merged duplicate has the one of "
                "the record it was merged into. Empty for an enterprise's own application."
            ),
        ),
        Column(
            "organisation",
            "pseudonym",
            g("Enterprise (pseudonym)"),
            g("Stable pseudonym of the enterprise that applied, if any."),
        ),
        Column(
            "organisation_kind",
            "code",
            g("Legal form of the enterprise"),
            g("Legal form of the enterprise that applied."),
            _choices("essor.registry.models.OrganisationKind"),
        ),
        Column(
            "sex",
            "code",
            g("Sex"),
            g("Sex of the project holder."),
            _choices("essor.registry.models.Sex"),
        ),
        Column(
            "age_band",
            "code",
            g("Age band"),
            g(
                "Age of the project holder on the day the application was submitted, in bands "
                "(empty when the birth date is not known)."
            ),
            _bands,
        ),
        Column(
            "education_level",
            "code",
            g("Education level"),
            g("Highest level of education of the project holder."),
            _choices("essor.registry.models.EducationLevel"),
        ),
        Column(
            "sector_code",
            "code",
            g("Sector (code)"),
            g("Sector of the project (else of the enterprise), essor's list mapped to NMA 2010."),
        ),
        Column("sector", "text", g("Sector"), g("Name of the sector, in your language.")),
        Column(
            "commune_code",
            "code",
            g("Commune (HCP code)"),
            g("Commune of residence of the holder (else of the enterprise), official HCP code."),
        ),
        Column("commune", "text", g("Commune"), g("Name of the commune, in your language.")),
        Column(
            "commune_kind",
            "code",
            g("Urban or rural"),
            g("Kind of the commune."),
            _choices("essor.territory.models.CommuneKind"),
        ),
        Column("province_code", "code", g("Province (HCP code)"), g("Province or prefecture.")),
        Column("province", "text", g("Province"), g("Name of the province or prefecture.")),
        Column("region_code", "code", g("Region (HCP code)"), g("Region.")),
        Column("region", "text", g("Region"), g("Name of the region.")),
        Column("programme_code", "code", g("Programme (code)"), g("Programme applied to.")),
        Column("programme", "text", g("Programme"), g("Name of the programme.")),
        Column(
            "conventions",
            "text",
            g("Conventions"),
            g(
                "References of the conventions that fund the programme (separated by “; ”), or "
                "the one chosen for the export."
            ),
        ),
        Column(
            "channel",
            "code",
            g("Channel"),
            g("How the application came in."),
            _choices("essor.programmes.models.Channel"),
        ),
        Column(
            "status",
            "code",
            g("Application status"),
            g("Status of the application on the day of the export."),
            _choices("essor.programmes.models.ApplicationStatus"),
        ),
        Column(
            "submitted_month",
            "month",
            g("Month submitted"),
            g("Month the application was submitted (YYYY-MM)."),
        ),
        Column(
            "score",
            "decimal",
            g("Score (out of 100)"),
            g(
                "Weighted score of the programme's grid out of 100, averaged over the "
                "evaluators; empty before any score."
            ),
        ),
        Column(
            "enrolled",
            "flag",
            g("Enrolled"),
            g("The holder was enrolled in the programme."),
            _YES_NO,
        ),
        Column("enrolled_month", "month", g("Month enrolled"), g("Month of enrolment (YYYY-MM).")),
        Column(
            "stage",
            "code",
            g("Stage"),
            g("Stage of the project reached in the programme."),
            _choices("essor.programmes.models.Stage"),
        ),
        Column("exit_month", "month", g("Month of exit"), g("Month the holder left (YYYY-MM).")),
        Column(
            "exit_outcome",
            "code",
            g("Exit"),
            g("How the support ended."),
            _choices("essor.programmes.models.ExitOutcome"),
        ),
        Column(
            "sessions_attended",
            "integer",
            g("Sessions attended"),
            g(
                "Training, coaching and counselling sessions of the programme the holder was "
                "marked present at."
            ),
        ),
        Column(
            "hours_attended",
            "decimal",
            g("Hours attended"),
            g("Hours of those sessions."),
        ),
        Column(
            "committed",
            "decimal",
            g("Committed (DH)"),
            g(
                "Money committed to the holder or the enterprise under the programme (awaiting "
                "approval or approved, less what was released), in dirhams; with a convention "
                "chosen, on that convention's budget lines only."
            ),
        ),
        Column(
            "disbursed",
            "decimal",
            g("Disbursed (DH)"),
            g("Of which paid (approved payments; a reversed payment is not counted)."),
        ),
        Column(
            "funding_kinds",
            "text",
            g("Kinds of funding"),
            g("Kinds of the commitments (separated by “; ”)."),
            _choices("essor.funding.models.CommitmentKind"),
        ),
        Column(
            "first_commitment_month",
            "month",
            g("Month of the first commitment"),
            g("Month of the first commitment (YYYY-MM)."),
        ),
        *[column for wave in WAVES for column in _follow_up_columns(wave)],
    ]
