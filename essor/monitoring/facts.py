"""Rebuild the analytics table (``Fact``) from the records, in set-based SQL.

Each source is a Django queryset grouped by holder, programme, year and the breakdown columns;
its SQL (compiled by Django for the database in use, SQLite or PostgreSQL) feeds an
``INSERT INTO monitoring_fact (...) SELECT ...``, so that ten million attendance records never
travel through Python. The rebuild runs in one transaction: readers see the old table or the
new one, never half of it.

Rules every indicator inherits from here:

- a merged duplicate counts as its survivor (``merged_into``), so a person counts once;
- an archived record that was not merged is left out (archived by mistake, a test entry);
- a reversed or rejected payment is not paid; a cancelled or rejected commitment is not
  committed (committed = awaiting approval or approved, less what was released, as on the
  convention's execution page);
- a person's sex, age (in the year of the event), commune, province and region are the
  survivor's; a session's place is its venue's commune.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractYear
from django.utils import timezone

from .models import Fact, FactKind, FactsRefresh, FactStage

COACHING = ("coaching", "group_counselling", "mentoring")
HOURS: DecimalField[Any, Any] = DecimalField(max_digits=14, decimal_places=2)
MONEY: DecimalField[Any, Any] = DecimalField(max_digits=16, decimal_places=2)

# The columns of monitoring_fact that a source fills, in this order.
COLUMNS = [
    "kind",
    "grain",
    "year",
    "person_id",
    "organisation_id",
    "programme_id",
    "convention_id",
    "budget_line_id",
    "partner_id",
    "sex",
    "age",
    "region_id",
    "province_id",
    "commune_kind",
    "sector_id",
    "detail",
    "org_kind",
    "events",
    "decided",
    "selected",
    "hours",
    "amount",
    "jobs_created",
    "jobs_kept",
    "active",
    "trained",
    "coached",
]
DEFAULTS: dict[str, Any] = {
    "grain": "",
    "person_id": None,
    "organisation_id": None,
    "programme_id": None,
    "convention_id": None,
    "budget_line_id": None,
    "partner_id": None,
    "sex": "",
    "age": None,
    "region_id": None,
    "province_id": None,
    "commune_kind": "",
    "sector_id": None,
    "detail": "",
    "org_kind": "",
    "events": 0,
    "decided": 0,
    "selected": 0,
    "hours": 0,
    "amount": 0,
    "jobs_created": 0,
    "jobs_kept": 0,
    "active": 0,
    "trained": 0,
    "coached": 0,
}
GROUPED = {
    "grain",
    "trained",
    "coached",
    "person_id",
    "organisation_id",
    "programme_id",
    "convention_id",
    "budget_line_id",
    "partner_id",
    "sex",
    "age",
    "region_id",
    "province_id",
    "commune_kind",
    "sector_id",
    "detail",
    "org_kind",
    "year",
}


class DurationHours(Func):
    """Hours between two datetimes, as a number, on SQLite and PostgreSQL alike."""

    output_field = HOURS

    def __init__(self, start: str, end: str) -> None:
        super().__init__(F(start), F(end))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        start, start_params = compiler.compile(self.source_expressions[0])
        end, end_params = compiler.compile(self.source_expressions[1])
        return (
            f"(EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0)::numeric(14, 2)",
            (*end_params, *start_params),
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        start, start_params = compiler.compile(self.source_expressions[0])
        end, end_params = compiler.compile(self.source_expressions[1])
        return (
            f"ROUND((julianday({end}) - julianday({start})) * 24.0, 2)",
            (*end_params, *start_params),
        )


def _person(path: str) -> dict[str, Any]:
    """The survivor's identity and place, reached through ``path`` (a person foreign key).

    Every attribute comes from one record: the survivor's when the person was merged (even
    where the survivor's is empty), else the person's own, so that a merged person's rows
    never disagree and split into two."""
    merged = Q(**{f"{path}__merged_into__isnull": False})

    def pick(field: str, output: Any, empty: Any = None) -> Any:
        own: Any = F(f"{path}__{field}")
        survivor: Any = F(f"{path}__merged_into__{field}")
        if empty is not None:
            own, survivor = Coalesce(own, Value(empty)), Coalesce(survivor, Value(empty))
        return Case(When(merged, then=survivor), default=own, output_field=output)

    return {
        "person_id": Coalesce(f"{path}__merged_into_id", f"{path}_id", output_field=IntegerField()),
        "sex": pick("sex", CharField(), ""),
        "birth_year": ExtractYear(pick("birth_date", DateField())),
        "region_id": pick("commune__region_id", IntegerField()),
        "province_id": pick("commune__province_id", IntegerField()),
        "commune_kind": pick("commune__kind", CharField(), ""),
    }


def _counted(path: str) -> Q:
    """A person who counts: not archived, or archived because merged into another record."""
    return (
        Q(**{f"{path}__isnull": True})
        | Q(**{f"{path}__archived_at__isnull": True})
        | Q(**{f"{path}__merged_into__isnull": False})
    )


def _organisation(path: str) -> dict[str, Any]:
    return {
        "organisation_id": F(f"{path}_id"),
        "region_id": F(f"{path}__commune__region_id"),
        "province_id": F(f"{path}__commune__province_id"),
        "commune_kind": Coalesce(f"{path}__commune__kind", Value("")),
    }


def _beneficiary(prefix: str) -> dict[str, Any]:
    """A commitment's beneficiary: a person (with their dimensions) or an enterprise."""
    person = _person(f"{prefix}person")
    org = _organisation(f"{prefix}organisation")
    return {
        **person,
        "organisation_id": org["organisation_id"],
        "org_kind": Coalesce(f"{prefix}organisation__kind", Value("")),
        "region_id": Coalesce(person["region_id"], org["region_id"], output_field=IntegerField()),
        "province_id": Coalesce(
            person["province_id"], org["province_id"], output_field=IntegerField()
        ),
        "commune_kind": Case(
            When(**{f"{prefix}person__isnull": True}, then=org["commune_kind"]),
            default=person["commune_kind"],
        ),
    }


def _default(column: str) -> Any:
    """The value of a column a row kind does not fill, typed for the INSERT … SELECT."""
    default = DEFAULTS[column]
    if column in ("hours", "amount"):
        return Cast(Value(default), output_field=HOURS)
    if default is None:
        return Value(None, output_field=IntegerField())
    return Value(default)


def _source(
    kind: str,
    rows: QuerySet[Any],
    dims: dict[str, Any],
    aggs: dict[str, Any],
    *,
    keep: tuple[str, ...] = (),
) -> Any:
    """``rows`` grouped by ``dims`` with ``aggs``: a queryset whose columns are COLUMNS.

    Holders and enterprises are grouped away unless ``keep`` names them: sums do not need them,
    and the rows that count distinct holders (``reach``) or enterprises keep them."""
    dims = {k: v for k, v in dims.items() if k not in ("person_id", "organisation_id") or k in keep}
    birth_year = dims.pop("birth_year", None)
    if birth_year is not None and "year" in dims:
        dims["age"] = ExpressionWrapper(dims["year"] - birth_year, output_field=IntegerField())
    select: dict[str, Any] = {}
    for column in COLUMNS:
        if column == "kind":
            select[column] = Value(kind)
        elif column in dims:
            select[column] = dims[column]
        elif column in aggs:
            select[column] = aggs[column]
        else:
            select[column] = _default(column)
    grouped = [c for c in COLUMNS if c in GROUPED and c in dims]
    aliases = {f"f_{c}": select[c] for c in COLUMNS}
    return (
        rows.annotate(**{f"f_{c}": select[c] for c in grouped})
        .values(*[f"f_{c}" for c in grouped])
        .annotate(**{k: v for k, v in aliases.items() if k[2:] not in grouped})
        .values_list(*aliases)
        .order_by()
    )


def _sources() -> list[tuple[str, Callable[[], Any]]]:
    from essor.accompaniment.models import Participant, Session
    from essor.funding.models import RESERVING, ApprovalStatus, Commitment, Disbursement
    from essor.programmes.models import Application, ApplicationStatus, Enrollment
    from essor.registry.models import Membership, OrganisationKind

    from .models import FollowUp, FollowUpStatus

    decided = [
        ApplicationStatus.SELECTED,
        ApplicationStatus.WAITING,
        ApplicationStatus.REJECTED,
        ApplicationStatus.ENROLLED,
    ]
    selected = [ApplicationStatus.SELECTED, ApplicationStatus.ENROLLED]

    def applications() -> Any:
        return _source(
            FactKind.APPLICATION,
            Application.objects.filter(_counted("person")),
            {
                **_person("person"),
                "organisation_id": F("organisation_id"),
                "programme_id": F("programme_id"),
                "partner_id": F("programme__operator_id"),
                "sector_id": F("sector_id"),
                "year": ExtractYear("submitted_on"),
            },
            {
                "events": Count("pk"),
                "decided": Count("pk", filter=Q(status__in=decided)),
                "selected": Count("pk", filter=Q(status__in=selected)),
            },
        )

    def reach_enrolled() -> Any:
        return _source(
            FactKind.REACH_PART,
            Enrollment.objects.filter(_counted("application__person")),
            {
                **_person("application__person"),
                "programme_id": F("application__programme_id"),
                "partner_id": F("application__programme__operator_id"),
                "sector_id": F("application__sector_id"),
                "year": ExtractYear("started_on"),
            },
            {"events": Count("pk")},
            keep=("person_id",),
        )

    def reach_attended() -> Any:
        return _source(
            FactKind.REACH_PART,
            Participant.objects.filter(_counted("person"), present=True),
            {
                **_person("person"),
                "programme_id": F("session__programme_id"),
                "partner_id": Coalesce(
                    "session__programme__operator_id",
                    "session__holder_id",
                    output_field=IntegerField(),
                ),
                "year": ExtractYear("session__starts_at"),
            },
            {
                "events": Count("pk"),
                "trained": Max(Case(When(session__service__kind="training", then=1), default=0)),
                "coached": Max(Case(When(session__service__kind__in=COACHING, then=1), default=0)),
            },
            keep=("person_id",),
        )

    def reach_funded() -> Any:
        return _source(
            FactKind.REACH_PART,
            Commitment.objects.filter(person__isnull=False, status__in=RESERVING).filter(
                _counted("person")
            ),
            {
                **_person("person"),
                "programme_id": F("programme_id"),
                "partner_id": F("programme__operator_id"),
                "year": ExtractYear("committed_on"),
            },
            {"events": Count("pk")},
            keep=("person_id",),
        )

    def organisations_funded() -> Any:
        return _source(
            FactKind.ORG_SUPPORT,
            Commitment.objects.filter(
                organisation__isnull=False,
                organisation__archived_at__isnull=True,
                status__in=RESERVING,
            ),
            {
                **_organisation("organisation"),
                "org_kind": F("organisation__kind"),
                "sector_id": F("organisation__sector_id"),
                "programme_id": F("programme_id"),
                "convention_id": F("budget_line__convention_id"),
                "partner_id": F("budget_line__partner_id"),
                "year": ExtractYear("committed_on"),
            },
            {"events": Count("pk")},
            keep=("organisation_id",),
        )

    def attendance() -> Any:
        return _source(
            FactKind.ATTENDANCE,
            Participant.objects.filter(_counted("person"), present=True),
            {
                **_person("person"),
                "programme_id": F("session__programme_id"),
                "partner_id": F("session__holder_id"),
                "sector_id": F("session__group__sector_id"),
                "detail": F("session__service__kind"),
                "year": ExtractYear("session__starts_at"),
            },
            {
                "events": Count("pk"),
                "hours": Sum(DurationHours("session__starts_at", "session__ends_at")),
            },
        )

    def sessions() -> Any:
        held = Participant.objects.filter(session=OuterRef("pk"), present=True)
        return _source(
            FactKind.SESSION,
            Session.objects.filter(Exists(held)),
            {
                "programme_id": F("programme_id"),
                "partner_id": F("holder_id"),
                "region_id": F("venue__commune__region_id"),
                "province_id": F("venue__commune__province_id"),
                "commune_kind": F("venue__commune__kind"),
                "detail": F("venue__kind"),
                "year": ExtractYear("starts_at"),
            },
            {"events": Count("pk"), "hours": Sum(DurationHours("starts_at", "ends_at"))},
        )

    def commitments() -> Any:
        return _source(
            FactKind.COMMITMENT,
            # Money counts whatever became of the person's record (as in the ledger).
            Commitment.objects.filter(status__in=RESERVING),
            {
                **_beneficiary(""),
                "programme_id": F("programme_id"),
                "convention_id": F("budget_line__convention_id"),
                "budget_line_id": F("budget_line_id"),
                "partner_id": F("budget_line__partner_id"),
                "detail": F("kind"),
                "year": ExtractYear("committed_on"),
            },
            {
                "events": Count("pk"),
                "amount": Sum(F("amount") - F("released"), output_field=MONEY),
            },
        )

    def disbursements() -> Any:
        return _source(
            FactKind.DISBURSEMENT,
            Disbursement.objects.filter(status=ApprovalStatus.APPROVED),
            {
                **_beneficiary("commitment__"),
                "programme_id": F("commitment__programme_id"),
                "convention_id": F("commitment__budget_line__convention_id"),
                "budget_line_id": F("commitment__budget_line_id"),
                "partner_id": F("commitment__budget_line__partner_id"),
                "detail": F("commitment__kind"),
                "year": ExtractYear("paid_on"),
            },
            {"events": Count("pk"), "amount": Sum("amount")},
        )

    def follow_ups() -> Any:
        return _source(
            FactKind.FOLLOW_UP,
            FollowUp.objects.filter(
                _counted("enrollment__application__person"), status=FollowUpStatus.DONE
            ),
            {
                **_person("enrollment__application__person"),
                "programme_id": F("enrollment__application__programme_id"),
                "partner_id": F("enrollment__application__programme__operator_id"),
                "sector_id": F("enrollment__application__sector_id"),
                "detail": Cast("wave", output_field=CharField()),
                "year": ExtractYear("done_on"),
            },
            {"events": Count("pk"), "active": Count("pk", filter=Q(active=True))},
        )

    def jobs() -> Any:
        later = FollowUp.objects.filter(
            enrollment=OuterRef("enrollment"),
            status=FollowUpStatus.DONE,
            wave__gt=OuterRef("wave"),
        )
        return _source(
            FactKind.JOBS,
            FollowUp.objects.filter(
                _counted("enrollment__application__person"), status=FollowUpStatus.DONE
            ).filter(~Exists(later)),
            {
                **_person("enrollment__application__person"),
                "programme_id": F("enrollment__application__programme_id"),
                "partner_id": F("enrollment__application__programme__operator_id"),
                "sector_id": F("enrollment__application__sector_id"),
                "year": ExtractYear("done_on"),
            },
            {
                "events": Count("pk"),
                "jobs_created": Coalesce(Sum("jobs_created"), 0),
                "jobs_kept": Coalesce(Sum("jobs_kept"), 0),
            },
        )

    def formalised() -> Any:
        # An enterprise formalised by a holder after they enrolled in a programme.
        return _source(
            FactKind.FORMALISED,
            Membership.objects.filter(
                _counted("person"),
                organisation__archived_at__isnull=True,
                organisation__kind__in=[
                    OrganisationKind.AUTO_ENTREPRENEUR,
                    OrganisationKind.COOPERATIVE,
                    OrganisationKind.GIE,
                    OrganisationKind.SARL,
                    OrganisationKind.SARL_AU,
                    OrganisationKind.OTHER_COMPANY,
                ],
                organisation__created_on__isnull=False,
                person__applications__enrollment__started_on__lte=F("organisation__created_on"),
            ),
            {
                **_person("person"),
                "organisation_id": F("organisation_id"),
                "programme_id": F("person__applications__programme_id"),
                "partner_id": F("person__applications__programme__operator_id"),
                "sector_id": F("organisation__sector_id"),
                "org_kind": F("organisation__kind"),
                "year": ExtractYear("organisation__created_on"),
            },
            {"events": Count("organisation_id", distinct=True)},
            keep=("organisation_id",),
        )

    return [
        (FactKind.APPLICATION, applications),
        (FactKind.REACH_PART, reach_enrolled),
        (FactKind.REACH_PART, reach_attended),
        (FactKind.REACH_PART, reach_funded),
        (FactKind.ORG_SUPPORT, organisations_funded),
        (FactKind.ATTENDANCE, attendance),
        (FactKind.SESSION, sessions),
        (FactKind.COMMITMENT, commitments),
        (FactKind.DISBURSEMENT, disbursements),
        (FactKind.FOLLOW_UP, follow_ups),
        (FactKind.JOBS, jobs),
        (FactKind.FORMALISED, formalised),
    ]


def _collapsed() -> list[tuple[str, Any]]:
    """Holders reached, from the parts the sources inserted: once per programme and year
    (``reach``), once per convention and year (``reach_conv``), once per year whatever the
    programme (``reach_year``). Each row is one holder, so a figure of one year counts rows."""
    person_dims = {
        "person_id": F("person_id"),
        "year": F("year"),
        "sex": F("sex"),
        "age": F("age"),
        "region_id": F("region_id"),
        "province_id": F("province_id"),
        "commune_kind": F("commune_kind"),
    }
    flags = {"events": Sum("events"), "trained": Max("trained"), "coached": Max("coached")}
    reach = _source(
        FactKind.REACH,
        FactStage.objects.filter(kind=FactKind.REACH_PART),
        {**person_dims, "programme_id": F("programme_id")},
        # Every part names the programme's operator (or, for a session under no programme,
        # the partner that held it); the sector is that of the holder's application.
        {**flags, "partner_id": Max("partner_id"), "sector_id": Max("sector_id")},
        keep=("person_id",),
    )
    per_convention = _source(
        FactKind.REACH_CONV,
        Fact.objects.filter(kind=FactKind.REACH, programme__budget_lines__convention__isnull=False),
        {**person_dims, "convention_id": F("programme__budget_lines__convention_id")},
        flags,
        keep=("person_id",),
    )
    per_year = _source(
        FactKind.REACH_YEAR,
        Fact.objects.filter(kind=FactKind.REACH),
        person_dims,
        flags,
        keep=("person_id",),
    )
    # Holders counted by place, sex, age band (its first age) and what they followed: a few
    # thousand rows a year, for the country, a region or a convention.
    counted = {
        **{k: v for k, v in person_dims.items() if k not in ("person_id", "age")},
        "age": GRAINS["age_band"]["age"],
        "trained": F("trained"),
        "coached": F("coached"),
    }
    cube = _source(
        FactKind.REACH_CUBE,
        Fact.objects.filter(kind=FactKind.REACH_YEAR),
        counted,
        {"events": Count("pk")},
    )
    convention_cube = _source(
        FactKind.REACH_CONV_CUBE,
        Fact.objects.filter(kind=FactKind.REACH_CONV),
        {**counted, "convention_id": F("convention_id")},
        {"events": Count("pk")},
    )
    programme_cube = _source(
        FactKind.REACH_PROG_CUBE,
        Fact.objects.filter(kind=FactKind.REACH),
        {**counted, "programme_id": F("programme_id")},
        {"events": Count("pk")},
    )
    organisations = _source(
        FactKind.ORG_YEAR,
        Fact.objects.filter(kind__in=(FactKind.FORMALISED, FactKind.ORG_SUPPORT)),
        {"organisation_id": F("organisation_id"), "year": F("year"), "org_kind": F("org_kind")},
        {
            # ``events`` is 1 when the enterprise was formalised that year.
            "events": Max(Case(When(kind=FactKind.FORMALISED, then=1), default=0)),
            "region_id": Max("region_id"),
            "province_id": Max("province_id"),
        },
        keep=("organisation_id",),
    )
    return [
        (FactKind.REACH, reach),
        (FactKind.REACH_CONV, per_convention),
        (FactKind.REACH_YEAR, per_year),
        (FactKind.REACH_CUBE, cube),
        (FactKind.REACH_CONV_CUBE, convention_cube),
        (FactKind.REACH_PROG_CUBE, programme_cube),
        (FactKind.ORG_YEAR, organisations),
    ]


SUM_KINDS = (
    FactKind.APPLICATION,
    FactKind.ATTENDANCE,
    FactKind.SESSION,
    FactKind.COMMITMENT,
    FactKind.DISBURSEMENT,
    FactKind.FOLLOW_UP,
    FactKind.JOBS,
)
# Rows grouped further before they land in the analytics table.
STAGED = (*SUM_KINDS, FactKind.REACH_PART)
AGE_BAND_STARTS = ((0, 17), (18, 24), (25, 35), (36, 45), (46, 60), (61, 200))
GRAINS: dict[str, dict[str, Any]] = {
    "total": {},
    "province": {"province_id": F("province_id")},
    "sex": {"sex": F("sex")},
    "age_band": {
        "age": Case(
            *[When(age__gte=low, age__lte=high, then=Value(low)) for low, high in AGE_BAND_STARTS],
            default=Value(None),
            output_field=IntegerField(),
        )
    },
    "commune_kind": {"commune_kind": F("commune_kind")},
    "sector": {"sector_id": F("sector_id")},
}


def _grains() -> list[tuple[str, Any]]:
    """The summed rows at each grain, from the fine rows the sources inserted."""
    base = {
        "kind": F("kind"),
        "year": F("year"),
        "programme_id": F("programme_id"),
        "convention_id": F("convention_id"),
        "budget_line_id": F("budget_line_id"),
        "partner_id": F("partner_id"),
        "region_id": F("region_id"),
        "detail": F("detail"),
    }
    sums = {
        name: Sum(name)
        for name in (
            "events",
            "decided",
            "selected",
            "hours",
            "amount",
            "jobs_created",
            "jobs_kept",
            "active",
        )
    }
    fine = FactStage.objects.filter(kind__in=SUM_KINDS)
    return [(grain, _regrain(grain, fine, base | extra, sums)) for grain, extra in GRAINS.items()]


def _regrain(grain: str, rows: Any, dims: dict[str, Any], sums: dict[str, Any]) -> Any:
    select: dict[str, Any] = {}
    for column in COLUMNS:
        if column == "grain":
            select[column] = Value(grain)
        elif column in dims:
            select[column] = dims[column]
        elif column in sums:
            select[column] = sums[column]
        else:
            select[column] = _default(column)
    grouped = [c for c in COLUMNS if c in dims]
    return (
        rows.annotate(**{f"g_{c}": select[c] for c in grouped})
        .values(*[f"g_{c}" for c in grouped])
        .annotate(**{f"g_{c}": select[c] for c in COLUMNS if c not in grouped})
        .values_list(*[f"g_{c}" for c in COLUMNS])
        .order_by()
    )


def refresh(*, progress: Callable[[str], None] | None = None) -> FactsRefresh:
    """Rebuild the analytics table from the records and record when it was done."""
    started = time.perf_counter()
    log = FactsRefresh.objects.create(started_at=timezone.now())
    table = Fact._meta.db_table
    try:
        _rebuild(log, started, progress)
    except BaseException:
        # A failed rebuild leaves the previous figures; it must not look like one running.
        log.delete()
        raise
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                cursor.execute(f"ANALYZE {table}")
            else:
                # The rebuild replaced every row: mark the new ones visible and clear the old
                # ones now, as autovacuum would later, so that reads stay index-only.
                cursor.execute(f"VACUUM ANALYZE {table}")
                cursor.execute(f"VACUUM {FactStage._meta.db_table}")
    from .selectors import warm_cumulative_actuals

    if progress:
        progress("targets")
    transaction.on_commit(warm_cumulative_actuals)
    return log


def _rebuild(log: FactsRefresh, started: float, progress: Callable[[str], None] | None) -> None:
    table = Fact._meta.db_table
    stage = FactStage._meta.db_table
    columns = ", ".join(COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One rebuild at a time: a second waits for the first, then rebuilds from scratch
            # (SQLite's single writer does the same by itself).
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('essor.monitoring.refresh'))")
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(f"DELETE FROM {stage}")
        for kind, build in _sources():
            if progress:
                progress(kind)
            sql, params = build().query.sql_with_params()
            into = stage if kind in STAGED else table
            cursor.execute(f"INSERT INTO {into} ({columns}) {sql}", params)
        for kind, query in [*_collapsed(), *_grains()]:
            if progress:
                progress(kind)
            sql, params = query.query.sql_with_params()
            cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
        cursor.execute(f"DELETE FROM {stage}")
        log.rows = Fact.objects.count()
        log.finished_at = timezone.now()
        log.seconds = round(time.perf_counter() - started, 3)
        log.save(update_fields=["rows", "finished_at", "seconds"])


def last_refresh() -> FactsRefresh | None:
    return FactsRefresh.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()


def refresh_running(within: timedelta = timedelta(minutes=30)) -> bool:
    """Whether a rebuild started recently and has not finished (one at a time is enough)."""
    since = timezone.now() - within
    return FactsRefresh.objects.filter(started_at__gte=since, finished_at__isnull=True).exists()
