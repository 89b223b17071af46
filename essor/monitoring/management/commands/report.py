"""``essor report convention REF --period 2025 --lang ar --format pdf -o report.pdf``

The monitoring committee's report of a convention for a period, in French or Arabic, as PDF or
XLSX: the same figures as the convention's dashboard. ``--refresh`` recomputes the figures from
the records first (otherwise they are as of the last recomputation, which the report states).
``--public`` hides groups of fewer than 5 people, for a report meant for publication.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from essor.conventions.models import Convention
from essor.monitoring.facts import last_refresh, refresh
from essor.monitoring.indicators import Period, PeriodError
from essor.monitoring.reports import report_file


class Command(BaseCommand):
    help = "Write the monitoring committee's report of a convention (PDF or XLSX, FR or AR)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["convention"], help="what the report is about")
        parser.add_argument("reference", help="the convention's reference")
        parser.add_argument("--period", required=True, help="a year (2025) or two (2023-2025)")
        parser.add_argument("--lang", choices=["fr", "ar"], default="fr")
        parser.add_argument("--format", dest="fmt", choices=["pdf", "xlsx"], default="pdf")
        parser.add_argument("-o", "--output", type=Path, help="file to write (default: its name)")
        parser.add_argument("--public", action="store_true", help="hide groups under 5 people")
        parser.add_argument("--refresh", action="store_true", help="recompute the figures first")

    def handle(self, *args: Any, **options: Any) -> None:
        convention = Convention.objects.filter(reference=options["reference"]).first()
        if convention is None:
            known = ", ".join(Convention.objects.values_list("reference", flat=True)[:10])
            raise CommandError(
                f"No convention has the reference {options['reference']!r}. Known: {known}"
            )
        try:
            period = Period.parse(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        steps = 4 if options["refresh"] or last_refresh() is None else 3
        bar = tqdm(total=steps, desc="report", unit="step", disable=options["verbosity"] == 0)

        def progress(step: str) -> None:
            bar.set_postfix_str(step)
            bar.update(1)

        if steps == 4:
            progress("figures recomputed from the records")
            refresh()
        content, _type, name = report_file(
            convention,
            period,
            lang=options["lang"],
            fmt=options["fmt"],
            public=options["public"],
            progress=progress,
        )
        bar.close()
        output: Path = options["output"] or Path(name)
        output.write_bytes(content)
        self.stdout.write(f"{output} ({len(content) // 1024} KB)")
