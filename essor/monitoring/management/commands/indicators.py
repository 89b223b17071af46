"""``essor indicators [--refresh]``: recompute the figures from the records, then print the
national indicators of a period (``--period 2025``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from essor.monitoring.dashboards import display
from essor.monitoring.facts import last_refresh, refresh
from essor.monitoring.indicators import BY_CODE, Period, PeriodError, Scope, compute


class Command(BaseCommand):
    help = "Recompute the indicators from the records and print the national figures."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--period", default=str(timezone.localdate().year))
        parser.add_argument("--no-refresh", action="store_true", help="use the last figures")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = Period.parse(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        if not options["no_refresh"] or last_refresh() is None:
            done = refresh(progress=lambda kind: self.stderr.write(f"  {kind}"))
            self.stderr.write(f"{done.rows} rows in {done.seconds:.1f} s")
        for code, value in compute(Scope("national"), period).items():
            self.stdout.write(f"{code}\t{display(BY_CODE[code], value)}")
