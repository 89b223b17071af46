"""``essor research_export --convention REF [--programme CODE] --format csv -o evaluation.csv``

The pseudonymised export of the page "Export for evaluation" (the same rows, columns and
dictionary, under the same key), from the command line with a progress bar: for files too
large to be made within a web request (tens of thousands of rows). Run on the server by an
operator, it may export any convention or programme; what it exported is logged.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from tqdm import tqdm

from essor.conventions.models import Convention
from essor.monitoring.research import ExportScope, Pseudonymiser, applications
from essor.monitoring.research.files import csv_chunks, file_name, xlsx_file
from essor.monitoring.research.scope import check_scope, log_export
from essor.programmes.models import Programme


class Command(BaseCommand):
    help = "Write the pseudonymised export for evaluation of a convention or programme."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--convention", help="the convention's reference")
        parser.add_argument("--programme", help="the programme's code")
        parser.add_argument(
            "--rows",
            choices=["applications", "enrollments"],
            default="applications",
            help="one row per application, or per enrolment (enrolled holders only)",
        )
        parser.add_argument("--format", dest="fmt", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--lang", choices=["fr", "ar"], default="fr")
        parser.add_argument("-o", "--output", type=Path, help="file to write (default: its name)")

    def handle(self, *args: Any, **options: Any) -> None:
        convention = programme = None
        if options["convention"]:
            convention = Convention.objects.filter(
                reference=options["convention"], parent__isnull=True
            ).first()
            if convention is None:
                known = ", ".join(
                    Convention.objects.filter(parent__isnull=True).values_list(
                        "reference", flat=True
                    )[:10]
                )
                raise CommandError(
                    f"No convention has the reference {options['convention']!r}. Known: {known}"
                )
        if options["programme"]:
            programme = Programme.objects.filter(code=options["programme"]).first()
            if programme is None:
                known = ", ".join(Programme.objects.values_list("code", flat=True)[:10])
                raise CommandError(
                    f"No programme has the code {options['programme']!r}. Known: {known}"
                )
        with translation.override(options["lang"]):
            try:
                scope = check_scope(
                    ExportScope(convention=convention, programme=programme, rows=options["rows"])
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self._write(scope, options)

    def _write(self, scope: ExportScope, options: Any) -> None:
        names = Pseudonymiser()
        output: Path = options["output"] or Path(file_name(scope, options["fmt"]))
        bar = tqdm(
            total=applications(scope).count(),
            desc="export",
            unit="row",
            disable=options["verbosity"] == 0,
        )
        log_export(None, scope, options["fmt"])
        written = 0

        def progress(rows: int) -> None:
            nonlocal written
            written += rows
            bar.update(rows)

        if options["fmt"] == "csv":
            with output.open("w", encoding="utf-8", newline="") as out:
                for piece in csv_chunks(scope, names=names, progress=progress):
                    out.write(piece)
        else:
            content, _count = xlsx_file(scope, names=names, progress=progress)
            with content, output.open("wb") as binary:
                shutil.copyfileobj(content, binary)
        bar.close()
        self.stdout.write(
            f"{output}: {written} rows, {output.stat().st_size // 1024} KB, "
            f"pseudonym key {names.fingerprint}"
        )
