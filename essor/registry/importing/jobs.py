"""Import jobs: upload, check (dry run), load; the same steps for the page, the API and the CLI."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.utils import timezone
from django.utils.translation import gettext as _

from essor.accounts.models import Partner, User
from essor.accounts.roles import Cap
from essor.core.text import spreadsheet_cell
from essor.registry.models import ImportJob, ImportKind, ImportStatus

from .columns import ORGANISATION_COLUMNS, PERSON_COLUMNS, guess_mapping
from .engine import CREATE, REJECT, Plan, apply_plan, plan_organisations, plan_persons
from .reading import FileRefused, Sheet, read_sheet

COLUMNS = {ImportKind.PERSONS: PERSON_COLUMNS, ImportKind.ORGANISATIONS: ORGANISATION_COLUMNS}


def import_job_create(
    *,
    actor: User | None,
    partner: Partner,
    kind: str,
    file: File[Any],
    name: str,
    strict: bool = False,
) -> ImportJob:
    if actor is not None and not (
        actor.can(Cap.REGISTRY_IMPORT) and (actor.partner_id == partner.pk or actor.is_superuser)
    ):
        raise PermissionDenied
    job = ImportJob(
        kind=kind, partner=partner, created_by=actor, original_name=name[:255], strict=strict
    )
    job.file.save(name, file, save=False)
    job.save()
    return job


Progress = Callable[[str, int, int], None]


def _progress(
    job: ImportJob, stage: str, on_progress: Progress | None
) -> Callable[[int, int], None]:
    """Progress goes to the job row (the page polls it) and to the caller (the command's bar)."""

    def report(done: int, total: int) -> None:
        job.progress_done, job.progress_total = done, total
        ImportJob.objects.filter(pk=job.pk).update(progress_done=done, progress_total=total)
        if on_progress:
            on_progress(stage, done, total)

    return report


def _read(job: ImportJob) -> Sheet | None:
    try:
        return read_sheet(job.file.path)
    except FileRefused as refusal:
        job.status, job.message = ImportStatus.REFUSED, str(refusal)
        job.save(update_fields=["status", "message", "updated_at"])
        return None


def _plan(job: ImportJob, sheet: Sheet, on_progress: Progress | None) -> Plan:
    columns = COLUMNS[ImportKind(job.kind)]
    if not job.mapping:
        job.mapping = {str(i): f for i, f in guess_mapping(sheet.header, columns).items()}
    mapping = {int(i): f for i, f in job.mapping.items() if f in columns}
    planner = plan_persons if job.kind == ImportKind.PERSONS else plan_organisations
    return planner(sheet, mapping, job.partner, _progress(job, "check", on_progress))


def _store(job: ImportJob, plan: Plan, sheet: Sheet) -> None:
    job.header = sheet.header
    job.unmapped = plan.unmapped
    job.summary = plan.summary | {
        "rows": len(plan.outcomes),
        "encoding": sheet.encoding,
        "likely": {str(row): matches for row, matches in plan.likely.items()},
        "likely_skipped": plan.likely_skipped,
    }
    job.outcomes = [o.as_json() for o in plan.outcomes]


def import_job_plan(job: ImportJob, *, on_progress: Progress | None = None) -> ImportJob:
    """The dry run: what each row would do, and why a row is rejected. Writes nothing else."""
    job.status, job.message = ImportStatus.PLANNING, ""
    job.save(update_fields=["status", "message", "updated_at"])
    sheet = _read(job)
    if sheet is None:
        return job
    if not sheet.rows:
        job.status, job.message = ImportStatus.REFUSED, _("The file has a header row but no data.")
        job.save()
        return job
    plan = _plan(job, sheet, on_progress)
    if not job.mapping:
        job.status = ImportStatus.REFUSED
        job.message = _(
            "No column title was recognised. Match the file's columns to the registry's fields, "
            "then check again."
        )
    else:
        job.status = ImportStatus.PLANNED
    _store(job, plan, sheet)
    job.save()
    return job


def import_job_load(
    job: ImportJob, *, actor: User | None, on_progress: Progress | None = None
) -> ImportJob:
    """Load the file: rows are checked again against today's registry, then loaded.

    In strict mode nothing is loaded when any row is rejected.
    """
    sheet = _read(job)
    if sheet is None:
        return job
    plan = _plan(job, sheet, on_progress)
    _store(job, plan, sheet)
    if job.strict and plan.count(REJECT):
        job.status = ImportStatus.PLANNED
        job.message = _(
            "Strict mode: %(count)s rows are rejected, so nothing was loaded. Correct them and "
            "import again, or load without strict mode."
        ) % {"count": plan.count(REJECT)}
        job.save()
        return job
    job.status = ImportStatus.LOADING
    job.save()
    try:
        loaded = apply_plan(
            plan,
            actor=actor,
            source=f"import #{job.pk} {job.original_name}",
            progress=_progress(job, "load", on_progress),
        )
    except Exception as error:
        job.refresh_from_db(fields=["progress_done"])
        job.status = ImportStatus.FAILED
        job.message = _(
            "Loading stopped after %(done)s rows (they are saved) because of an error: %(error)s"
        ) % {"done": job.progress_done, "error": error}
        job.save()
        raise
    _store(job, plan, sheet)  # now with the ids of the records created
    job.summary |= {"loaded": loaded["created"] + loaded["updated"]}
    _queue_likely(plan)
    job.status, job.loaded_at, job.message = ImportStatus.DONE, timezone.now(), ""
    job.save()
    return job


def _queue_likely(plan: Plan) -> None:
    """The new records that may be known persons go to the duplicates' review queue."""
    from essor.linkage.services import pairs_record

    created = {o.row: o.target for o in plan.outcomes if o.action == CREATE and o.target}
    pairs_record(
        [
            (created[row], person_id, probability, band, levels)
            for row, matches in plan.likely.items()
            if row in created
            for person_id, probability, band, levels in matches
        ]
    )


def rejected_rows_csv(job: ImportJob) -> str:
    """The rejected rows, their original cells and the reasons: to correct and import again."""
    sheet = read_sheet(job.file.path)
    reasons = {row: errors for row, action, _t, _c, errors in job.outcomes if action == REJECT}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*sheet.header, _("Errors")])
    for offset, cells in enumerate(sheet.rows):
        number = sheet.first_data_row + offset
        if number in reasons:
            text = " | ".join(f"{column}: {message}" for column, message in reasons[number])
            writer.writerow([_neutral(c) for c in cells] + [text])
    return "\ufeff" + out.getvalue()


def _neutral(value: Any) -> str:
    return spreadsheet_cell(value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else value)
