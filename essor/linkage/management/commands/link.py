"""``essor link [--dry-run] [--organisations]``: link the registry's records, with a progress bar.

Sure pairs are merged (unless ``--dry-run``), likely ones go to the review queue; the run is
recorded as on the page (Duplicates → Runs).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from tqdm import tqdm

from essor.linkage.batch import LinkageTooLarge
from essor.linkage.runs import RunUnderWay, organisation_run, person_run


class Command(BaseCommand):
    help = "Find duplicates in the registry: merge the sure ones, queue the likely ones."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
        parser.add_argument("--organisations", action="store_true", help="link organisations")
        parser.add_argument("--lang", default="fr", choices=["fr", "ar"])

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(options["lang"])
        dry_run = options["dry_run"]
        if options["organisations"]:
            run = organisation_run(actor=None, dry_run=dry_run)
        else:
            steps = tqdm(total=6, unit="step", file=self.stderr, leave=False)

            def progress(text: str) -> None:
                steps.set_description(text)
                steps.update(1)

            try:
                run = person_run(actor=None, dry_run=dry_run, progress=progress)
            except (LinkageTooLarge, RunUnderWay) as error:
                raise CommandError(str(error)) from None
            finally:
                steps.close()
        self.stdout.write(
            f"records\t{run.records}\ncomparisons\t{run.comparisons}\n"
            f"sure pairs\t{run.auto_pairs}\npairs to review\t{run.review_pairs}\n"
            f"merged\t{run.merged}" + ("\t(dry run: nothing changed)" if dry_run else "")
        )
