"""The rows of an export, read a chunk of applications at a time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Case, Count, F, Q, Sum, When
from django.db.models.functions import Coalesce
from django.utils import translation

from essor.monitoring.models import WAVES

from .pseudonyms import Pseudonymiser, age_band, month
from .scope import ExportScope, applications

CHUNK = 1000


def _survivor(path: str, attribute: str) -> Case:
    """The attribute of the record, or of the one it was merged into: a merged duplicate's row
    reads as its survivor (as in ``facts.py``)."""
    return Case(
        When(
            **{f"{path}__merged_into__isnull": False}, then=F(f"{path}__merged_into__{attribute}")
        ),
        default=F(f"{path}__{attribute}"),
    )


APPLICATION_FIELDS: dict[str, Any] = {
    "person_key": Coalesce("person__merged_into_id", "person_id"),
    "org_key": Coalesce("organisation__merged_into_id", "organisation_id"),
    "sex": _survivor("person", "sex"),
    "birth_date": _survivor("person", "birth_date"),
    "education_level": _survivor("person", "education_level"),
    "person_commune": _survivor("person", "commune_id"),
    "org_kind": _survivor("organisation", "kind"),
    "org_sector": _survivor("organisation", "sector_id"),
    "org_commune": _survivor("organisation", "commune_id"),
}


@dataclass
class _Reference:
    """Reference data read once per export (a few thousand rows at most)."""

    communes: dict[int, dict[str, Any]]
    sectors: dict[int, dict[str, Any]]
    programmes: dict[int, dict[str, Any]]
    conventions: dict[int, str]
    criteria: dict[int, list[tuple[int, int, int]]]


def _label(row: Mapping[str, Any], arabic: bool, prefix: str = "") -> str:
    """The name in the active language (Arabic when it is filled, else French)."""
    name_ar = row.get(f"{prefix}name_ar") or ""
    if arabic and name_ar:
        return str(name_ar)
    return str(row.get(f"{prefix}name_fr") or name_ar)


def _reference(scope: ExportScope, programme_ids: list[int]) -> _Reference:
    from essor.programmes.models import Programme, ScoringCriterion
    from essor.registry.models import Sector
    from essor.territory.models import Commune

    arabic = translation.get_language() == "ar"
    communes = {
        row["pk"]: {
            **row,
            "label": _label(row, arabic),
            "province_label": _label(row, arabic, "province__"),
            "region_label": _label(row, arabic, "region__"),
        }
        for row in Commune.objects.values(
            "pk",
            "code",
            "name_fr",
            "name_ar",
            "kind",
            "province__code",
            "province__name_fr",
            "province__name_ar",
            "region__code",
            "region__name_fr",
            "region__name_ar",
        )
    }
    sectors = {
        row["pk"]: {**row, "label": _label(row, arabic)}
        for row in Sector.objects.values("pk", "code", "name_fr", "name_ar")
    }
    programmes: dict[int, dict[str, Any]] = {}
    conventions: dict[int, set[str]] = defaultdict(set)
    for row in Programme.objects.filter(pk__in=programme_ids).values(
        "pk",
        "code",
        "name_fr",
        "name_ar",
        "budget_lines__convention__reference",
        "budget_lines__convention__parent__reference",
    ):
        programmes[row["pk"]] = {**row, "label": _label(row, arabic)}
        reference = (
            row["budget_lines__convention__parent__reference"]
            or row["budget_lines__convention__reference"]
        )
        if reference:
            conventions[row["pk"]].add(reference)
    criteria: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for pk, programme, weight, scale in ScoringCriterion.objects.filter(
        programme_id__in=programme_ids
    ).values_list("pk", "programme_id", "weight", "scale_max"):
        criteria[programme].append((pk, weight, scale))
    chosen = scope.convention.reference if scope.convention is not None else None
    return _Reference(
        communes=communes,
        sectors=sectors,
        programmes=programmes,
        conventions={pk: chosen or "; ".join(sorted(conventions.get(pk, ()))) for pk in programmes},
        criteria=criteria,
    )


def _total_score(
    criteria: Sequence[tuple[int, int, int]], means: dict[int, Decimal]
) -> Decimal | None:
    """As ``programmes.selection.total_score``: weighted, out of 100, averaged over evaluators."""
    if not criteria or not means:
        return None
    weights = sum(weight for _pk, weight, _scale in criteria)
    if not weights:
        return None
    total = sum(
        (means.get(pk, Decimal(0)) / scale * weight for pk, weight, scale in criteria if scale),
        Decimal(0),
    )
    return (total * 100 / weights).quantize(Decimal("0.01"))


def _merged_into(model: Any, keys: set[int]) -> dict[int, int]:
    """Every record id that stands for one of ``keys`` (the key itself and the records merged
    into it), mapped to its key."""
    found = {key: key for key in keys}
    if keys:
        for pk, survivor in model.objects.filter(merged_into_id__in=keys).values_list(
            "pk", "merged_into_id"
        ):
            found[pk] = survivor
    return found


def _chunk_extras(
    scope: ExportScope, rows: list[dict[str, Any]], money_lines: list[int]
) -> dict[str, Any]:
    """Scores, attendance, money and follow-ups of a chunk of applications: a fixed number of
    queries, whatever the chunk's size."""
    from essor.accompaniment.models import Participant
    from essor.funding.models import RESERVING, ApprovalStatus, Commitment, Disbursement
    from essor.monitoring.facts import DurationHours
    from essor.monitoring.models import FollowUp
    from essor.programmes.models import Score
    from essor.registry.models import Organisation, Person

    ids = [row["pk"] for row in rows]
    programmes = {row["programme_id"] for row in rows}
    persons = _merged_into(Person, {r["person_key"] for r in rows if r["person_key"]})
    organisations = _merged_into(Organisation, {r["org_key"] for r in rows if r["org_key"]})

    means: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for app, criterion, mean in (
        Score.objects.filter(application_id__in=ids)
        .values("application_id", "criterion_id")
        .annotate(mean=Avg("value"))
        .values_list("application_id", "criterion_id", "mean")
    ):
        means[app][criterion] = Decimal(str(mean))

    attendance: dict[tuple[int, int], list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    if persons:
        for person, programme, sessions, hours in (
            Participant.objects.filter(
                present=True, person_id__in=list(persons), session__programme_id__in=programmes
            )
            .values("person_id", "session__programme_id")
            .annotate(
                n=Count("pk"), hours=Sum(DurationHours("session__starts_at", "session__ends_at"))
            )
            .values_list("person_id", "session__programme_id", "n", "hours")
        ):
            total = attendance[(persons[person], programme)]
            total[0] += sessions
            total[1] += Decimal(str(hours or 0))

    money: dict[tuple[str, int, int], dict[str, Any]] = defaultdict(
        lambda: {"committed": Decimal(0), "disbursed": Decimal(0), "kinds": set(), "first": None}
    )
    commitments = Commitment.objects.filter(
        Q(person_id__in=list(persons)) | Q(organisation_id__in=list(organisations)),
        programme_id__in=programmes,
        status__in=RESERVING,
    )
    if scope.convention is not None:
        commitments = commitments.filter(budget_line__convention_id__in=money_lines)
    keys: dict[int, tuple[str, int, int]] = {}
    for pk, person, organisation, programme, kind, amount, released, on in commitments.values_list(
        "pk",
        "person_id",
        "organisation_id",
        "programme_id",
        "kind",
        "amount",
        "released",
        "committed_on",
    ):
        key = (
            ("P", persons[person], programme)
            if person is not None
            else ("O", organisations[organisation], programme)
        )
        keys[pk] = key
        entry = money[key]
        entry["committed"] += amount - released
        entry["kinds"].add(kind)
        entry["first"] = on if entry["first"] is None else min(entry["first"], on)
    if keys:
        for commitment, paid in (
            Disbursement.objects.filter(
                commitment_id__in=list(keys), status=ApprovalStatus.APPROVED
            )
            .values("commitment_id")
            .annotate(paid=Sum("amount"))
            .values_list("commitment_id", "paid")
        ):
            money[keys[commitment]]["disbursed"] += paid

    follow_ups: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for row in FollowUp.objects.filter(enrollment__application_id__in=ids).values(
        "enrollment__application_id",
        "wave",
        "status",
        "active",
        "jobs_created",
        "jobs_kept",
        "turnover",
    ):
        follow_ups[row["enrollment__application_id"]][row["wave"]] = dict(row)
    return {
        "means": means,
        "attendance": attendance,
        "money": money,
        "follow_ups": follow_ups,
    }


def _row(
    app: dict[str, Any],
    extras: dict[str, Any],
    reference: _Reference,
    names: Pseudonymiser,
) -> dict[str, Any]:
    programme = reference.programmes[app["programme_id"]]
    commune = reference.communes.get(app["person_commune"] or app["org_commune"] or 0)
    sector = reference.sectors.get(app["sector_id"] or app["org_sector"] or 0)
    enrolled = app["enrollment__pk"] is not None
    person, organisation = app["person_key"], app["org_key"]
    sessions, hours = 0, Decimal(0)
    if person is not None:
        sessions, hours = extras["attendance"].get((person, app["programme_id"]), (0, Decimal(0)))
    committed, disbursed, kinds, first = Decimal(0), Decimal(0), set(), None
    for key in (("P", person, app["programme_id"]), ("O", organisation, app["programme_id"])):
        entry = extras["money"].get(key)
        if entry is not None:
            committed += entry["committed"]
            disbursed += entry["disbursed"]
            kinds |= entry["kinds"]
            first = entry["first"] if first is None else min(first, entry["first"])
    row: dict[str, Any] = {
        "person": names.person(person),
        "organisation": names.organisation(organisation),
        "organisation_kind": app["org_kind"] or "",
        "sex": app["sex"] or "",
        "age_band": age_band(app["birth_date"], app["submitted_on"]),
        "education_level": app["education_level"] or "",
        "sector_code": sector["code"] if sector else "",
        "sector": sector["label"] if sector else "",
        "commune_code": commune["code"] if commune else "",
        "commune": commune["label"] if commune else "",
        "commune_kind": commune["kind"] if commune else "",
        "province_code": commune["province__code"] if commune else "",
        "province": commune["province_label"] if commune else "",
        "region_code": commune["region__code"] if commune else "",
        "region": commune["region_label"] if commune else "",
        "programme_code": programme["code"],
        "programme": programme["label"],
        "conventions": reference.conventions.get(app["programme_id"], ""),
        "channel": app["channel"],
        "status": app["status"],
        "submitted_month": month(app["submitted_on"]),
        "score": _total_score(
            reference.criteria.get(app["programme_id"], []), extras["means"].get(app["pk"], {})
        ),
        "enrolled": enrolled,
        "enrolled_month": month(app["enrollment__started_on"]),
        "stage": app["enrollment__stage"] or "",
        "exit_month": month(app["enrollment__exited_on"]),
        "exit_outcome": app["enrollment__exit_outcome"] or "",
        "sessions_attended": sessions,
        "hours_attended": hours.quantize(Decimal("0.01")),
        "committed": committed.quantize(Decimal("0.01")),
        "disbursed": disbursed.quantize(Decimal("0.01")),
        "funding_kinds": "; ".join(sorted(kinds)),
        "first_commitment_month": month(first),
    }
    surveys = extras["follow_ups"].get(app["pk"], {})
    for wave in WAVES:
        survey = surveys.get(wave, {})
        row[f"follow_up_{wave}_status"] = survey.get("status", "")
        row[f"follow_up_{wave}_active"] = survey.get("active")
        row[f"follow_up_{wave}_jobs_created"] = survey.get("jobs_created")
        row[f"follow_up_{wave}_jobs_kept"] = survey.get("jobs_kept")
        row[f"follow_up_{wave}_turnover"] = survey.get("turnover")
    return row


def export_rows(
    scope: ExportScope,
    *,
    names: Pseudonymiser | None = None,
    after: int = 0,
    limit: int | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows of the export, in the order of the applications, with each application's id
    (for paging; it never goes into a file).

    Reads ``CHUNK`` applications at a time as plain values (no model instances), and then the
    scores, attendance, money and follow-ups of that chunk in a fixed number of queries: memory
    stays flat and the number of queries grows with the chunks, not with the rows.
    """
    names = names or Pseudonymiser()
    programme_ids = scope.programme_ids()
    reference = _reference(scope, programme_ids)
    money_lines = scope.convention_ids
    base: Any = applications(scope).values(
        "pk",
        "programme_id",
        "status",
        "channel",
        "submitted_on",
        "sector_id",
        "enrollment__pk",
        "enrollment__started_on",
        "enrollment__stage",
        "enrollment__exited_on",
        "enrollment__exit_outcome",
        **APPLICATION_FIELDS,
    )
    given = 0
    while limit is None or given < limit:
        size = CHUNK if limit is None else min(CHUNK, limit - given)
        chunk = list(base.filter(pk__gt=after).order_by("pk")[:size])
        if not chunk:
            return
        extras = _chunk_extras(scope, chunk, money_lines)
        for app in chunk:
            yield app["pk"], _row(app, extras, reference, names)
        given += len(chunk)
        after = chunk[-1]["pk"]
        if len(chunk) < size:
            return
