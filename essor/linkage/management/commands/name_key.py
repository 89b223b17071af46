from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from essor.linkage.namekey import name_key


class Command(BaseCommand):
    help = (
        "Print the linkage key of each name (arguments, or lines of standard input).\n"
        "Each line reads NAME<TAB>KEY: two names meet when their keys are equal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", help="names in Arabic or Latin script")

    def handle(self, *args: Any, **options: Any) -> None:
        names: list[str] = options["names"] or [line.rstrip("\r\n") for line in sys.stdin]
        for name in names:
            self.stdout.write(f"{name}\t{name_key(name)}")
