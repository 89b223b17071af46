"""``essor retention --dry-run`` lists the persons whose data expired; ``--apply`` anonymises
them (recorded as anonymisations). The nightly task does ``--apply`` by itself.

Each person is shown masked (registry number, initials, birth year, CIN's first four
characters), with every programme that held them: their exit, the months it keeps the data,
and since when it expired. ``--today`` computes as of another day (to see what is coming).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from essor.privacy.models import AnonymisationTrigger
from essor.privacy.retention import anonymise, default_months, expired_persons


class Command(BaseCommand):
    help = "Retention of personal data: list what expired (--dry-run) or anonymise it (--apply)."

    def add_arguments(self, parser: Any) -> None:
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--dry-run", action="store_true", help="list, change nothing")
        what.add_argument("--apply", action="store_true", help="anonymise what expired")
        parser.add_argument("--today", help="compute as of this day (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    f"--today {options['today']!r} is not a date: write it as 2026-11-24."
                ) from None
        expired = expired_persons(today=today)
        day = today or date.today()
        verb = "would be anonymised" if options["dry_run"] else "to anonymise"
        self.stdout.write(
            f"Retention on {day:%Y-%m-%d} (default {default_months()} months after exit): "
            f"{len(expired)} persons {verb}"
        )
        for item in expired:
            self.stdout.write(f"{item.label}\texpired since {item.since:%Y-%m-%d}")
            for held in item.held:
                where = held.code or "sessions outside a programme"
                self.stdout.write(
                    f"\t{where}: exit {held.exit:%Y-%m-%d} + {held.months} months"
                    f" = {held.until:%Y-%m-%d}"
                )
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing changed. --apply anonymises them.")
            return
        done = 0
        for item in tqdm(expired, unit="person", file=self.stderr, leave=False):
            if anonymise(item, actor=None, trigger=AnonymisationTrigger.COMMAND) is not None:
                done += 1
        self.stdout.write(f"{done} persons anonymised.")
