from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from essor.accounts.models import Partner, User
from essor.registry.importing.engine import REJECT
from essor.registry.importing.jobs import (
    import_job_create,
    import_job_load,
    import_job_plan,
    rejected_rows_csv,
)
from essor.registry.models import ImportKind, ImportStatus


class Command(BaseCommand):
    help = "Import a partner's list of persons or organisations (XLSX or CSV), with a dry run."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=[k.value for k in ImportKind])
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--partner", required=True, help="code of the partner that brings the list"
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, load nothing")
        parser.add_argument(
            "--strict", action="store_true", help="load nothing if any row is rejected"
        )
        parser.add_argument("--user", help="user name recorded in the audit trail")
        parser.add_argument(
            "--rejected", type=Path, help="write the rejected rows to this CSV file"
        )
        parser.add_argument(
            "--lang", choices=["fr", "ar"], default="fr", help="language of the messages"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(options["lang"])
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            partner = Partner.objects.get(code=options["partner"])
        except Partner.DoesNotExist:
            raise CommandError(f"No partner has the code {options['partner']!r}.") from None
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user is called {options['user']!r}.")
        with path.open("rb") as handle:
            job = import_job_create(
                actor=actor,
                partner=partner,
                kind=options["kind"],
                file=File(handle),
                name=path.name,
                strict=options["strict"],
            )
        bars: dict[str, tqdm[Any]] = {}

        def show(stage: str, done: int, total: int) -> None:
            if stage not in bars:
                label = "checking" if stage == "check" else "loading"
                bars[stage] = tqdm(total=total, desc=label, unit=" rows", file=sys.stderr)
            bars[stage].total = total
            bars[stage].n = done
            bars[stage].refresh()

        if options["dry_run"]:
            job = import_job_plan(job, on_progress=show)
        else:
            job = import_job_load(job, actor=actor, on_progress=show)
        for bar in bars.values():
            bar.close()
        if job.status == ImportStatus.REFUSED:
            raise CommandError(job.message)
        summary = job.summary
        self.stdout.write(
            _(
                "%(file)s: %(rows)s rows (%(encoding)s) — to create %(create)s, to update "
                "%(update)s, unchanged %(unchanged)s, rejected %(reject)s"
            )
            % {
                "file": path.name,
                "rows": summary.get("rows", 0),
                "encoding": summary.get("encoding"),
                "create": summary.get("create", 0),
                "update": summary.get("update", 0),
                "unchanged": summary.get("unchanged", 0),
                "reject": summary.get("reject", 0),
            }
        )
        if job.unmapped:
            self.stdout.write(
                _("Columns not used: %(columns)s") % {"columns": ", ".join(job.unmapped)}
            )
        for row, action, _target, _changes, errors in job.outcomes:
            if action == REJECT:
                for column, message in errors:
                    self.stdout.write(
                        "  "
                        + _("row %(row)s, column %(column)s: %(message)s")
                        % {"row": row, "column": column, "message": message}
                    )
        if job.message:
            self.stdout.write(self.style.WARNING(job.message))
        if options["rejected"] and summary.get("reject"):
            options["rejected"].write_text(rejected_rows_csv(job), encoding="utf-8")
            self.stdout.write(
                _("Rejected rows written to %(path)s") % {"path": options["rejected"]}
            )
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was loaded."))
        elif job.status == ImportStatus.DONE:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Loaded %(count)s rows (import #%(job)s).")
                    % {"count": summary.get("loaded", 0), "job": job.pk}
                )
            )
        elif job.strict:
            raise CommandError(_("Strict mode: nothing was loaded."))
