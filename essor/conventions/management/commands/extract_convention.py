from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _

from essor.conventions.extraction import ExtractionError, extract, match_partners, read_upload


class Command(BaseCommand):
    help = (
        "Read a French article or convention text and print the conventions it announces.\n"
        "FILE is a .txt, .docx or .pdf file, or - for standard input. Prints a JSON list, one "
        "object per convention (title, envelope_mad, regions, partners, period, targets, "
        "target_groups, services, committee, evidence, confidence); [] when the text announces "
        "none. Nothing is saved."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .txt, .docx or .pdf file, or - for standard input")
        parser.add_argument(
            "--compact", action="store_true", help="one line of JSON instead of indented"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        try:
            if name == "-":
                stream = getattr(sys.stdin, "buffer", None)
                data = stream.read() if stream is not None else sys.stdin.read().encode()
                # Nothing piped in is an empty text, not an empty file called "stdin".
                text = read_upload("-", data) if data else ""
            else:
                path = Path(name)
                if not path.is_file():
                    raise CommandError(_("%(name)s: no such file.") % {"name": name})
                text = read_upload(path.name, path.read_bytes())
            proposals = extract(text)
        except ExtractionError as error:
            raise CommandError(error.message) from None
        try:
            match_partners(proposals)
        except DatabaseError:
            # The text is read without the database; only the matching of partners needs it.
            self.stderr.write(
                _(
                    "essor's database cannot be read (run `essor migrate`): partners are not "
                    "matched to those essor holds."
                )
            )
        output = [proposal.to_json() for proposal in proposals]
        indent = None if options["compact"] else 2
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=indent))
