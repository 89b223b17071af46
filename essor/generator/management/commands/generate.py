"""``essor generate --scale demo|region|nation [--seed N] [--records N]``: synthetic data.

See ``essor.generator.services`` for what each scale holds, and ``docs/how-to/generate-data.md``
for the shares the draws follow and where they come from.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from essor.generator.loader import NotEmpty
from essor.generator.models import Scale
from essor.generator.services import AlreadyGenerated, generate


class Command(BaseCommand):
    help = "Generate realistic synthetic data: demo (one region), region or nation scale."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", choices=[s.value for s in Scale], default=Scale.DEMO)
        parser.add_argument("--seed", type=int, default=1, help="the same seed, the same data")
        parser.add_argument(
            "--records", type=int, default=None, help="registry records (default: the scale's)"
        )
        parser.add_argument("--no-link", action="store_true", help="skip the linkage run")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (but reset the demo logins) when the database already holds data",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale = options["scale"]
        # Splink warns about every comparison level a small registry does not show: noise here.
        logging.getLogger("splink").setLevel(logging.ERROR)

        def say(text: str) -> None:
            self.stderr.write(f"-- {text}")

        def logins(rows: list[Any]) -> None:
            self.print_logins(rows)

        try:
            generation = generate(
                scale=scale,
                seed=options["seed"],
                records=options["records"],
                say=say,
                progress=options["verbosity"] > 0,
                link=not options["no_link"],
                on_logins=logins,
            )
        except (AlreadyGenerated, NotEmpty) as error:
            if options["if_empty"]:
                self.stdout.write(
                    "The database already holds data: nothing generated "
                    "(a new database file starts afresh)."
                )
                from essor.core.demo import reset_demo_logins

                reset = reset_demo_logins()
                if reset:
                    self.print_logins(reset)
                return
            what = (
                f"a {error} data set was already generated here"
                if isinstance(error, AlreadyGenerated)
                else f"the table {error} already holds rows"
            )
            raise CommandError(
                f"Nothing generated: {what}. Generate into a new, migrated database."
            ) from None
        counts = "  ".join(f"{name} {value:,}" for name, value in generation.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated the {generation.scale} data set (seed {generation.seed}) in "
                f"{generation.seconds} s."
            )
        )
        self.stdout.write(counts)

    def print_logins(self, rows: list[Any]) -> None:
        self.stdout.write(self.style.SUCCESS("Demo logins:"))
        self.stdout.write(f"  {'user name':<20}{'password':<18}{'partner':<12}roles")
        for demo, password in rows:
            roles = ", ".join(demo.roles) or "platform operator (superuser)"
            self.stdout.write(
                f"  {demo.username:<20}{password:<18}{demo.partner or '—':<12}{roles}"
            )
