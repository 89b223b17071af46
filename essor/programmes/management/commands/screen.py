"""``essor screen PROGRAMME``: bulk screening from the command line, with the list exportable.

    essor screen tpe-ess-tta [--region 01 | --province 01.511] [--on 2025-06-01]
                             [--export eligible.csv --user manager.region] [--lang ar]

Prints how many persons of the registry the programme's person-level rules admit, by
province, sex and age band (one SQL query and three GROUP BYs), and the rules that judge an
organisation or a project and so were not applied. ``--export`` writes the list as CSV, as the
named user may see it (partner scope and CIN masking), with a progress bar.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from essor.accounts.models import User
from essor.core.text import spreadsheet_cell
from essor.programmes.bulk import bulk_counts, eligible_persons
from essor.programmes.models import Programme, RuleKind
from essor.registry.exporting import person_columns
from essor.registry.models import Person


class Command(BaseCommand):
    help = "Count (and export) the persons a programme's eligibility rules admit."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("programme", help="the programme's code")
        parser.add_argument("--region", help="HCP code of a region to narrow to")
        parser.add_argument("--province", help="HCP code of a province to narrow to")
        parser.add_argument("--on", type=date.fromisoformat, help="date of the screening")
        parser.add_argument("--export", type=Path, help="write the eligible persons to this CSV")
        parser.add_argument("--user", help="export as this user (their scope); needed to export")
        parser.add_argument("--lang", choices=["fr", "ar"], default="fr")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["lang"]):
            self._run(options)

    def _run(self, options: dict[str, Any]) -> None:
        programme = Programme.objects.filter(code=options["programme"]).first()
        if programme is None:
            raise CommandError(
                _("No programme has the code %(code)s.") % {"code": options["programme"]}
            )
        territory = {
            key: options[key] for key in ("region", "province") if options.get(key)
        } or None
        on = options["on"] or timezone.localdate()
        scope: QuerySet[Person] = Person.objects.all()
        user = None
        if options["export"]:
            user = User.objects.filter(username=options["user"] or "").first()
            if user is None:
                raise CommandError(_("Give --user: the list is exported as that user may see it."))
            scope = Person.objects.visible_to(user)
        persons, skipped = eligible_persons(programme, on=on, territory=territory, persons=scope)
        counts = bulk_counts(persons, on=on)
        self.stdout.write(
            _("%(programme)s: %(total)s eligible persons on %(on)s")
            % {"programme": programme, "total": counts["total"], "on": on.strftime("%d/%m/%Y")}
        )
        for title, key in (
            (_("By province"), "by_province"),
            (_("By sex"), "by_sex"),
            (_("By age band"), "by_age_band"),
        ):
            self.stdout.write(f"\n{title}")
            for row in counts.get(key, []):
                self.stdout.write(f"  {row['label']:<40}{row['count']:>10}")
        if skipped:
            labels = dict(RuleKind.choices)
            self.stdout.write(
                "\n"
                + _("Not applied in bulk (they judge an organisation or a project): %(rules)s")
                % {"rules": ", ".join(str(labels.get(k, k)) for k in skipped)}
            )
        if options["export"] and user is not None:
            columns = person_columns(user)
            with options["export"].open("w", newline="", encoding="utf-8-sig") as handle:
                writer = csv.writer(handle)
                writer.writerow([title for title, _getter in columns])
                for person in tqdm(
                    persons.iterator(chunk_size=2000), total=counts["total"], unit=" persons"
                ):
                    writer.writerow(
                        [spreadsheet_cell(getter(person)) for _title, getter in columns]
                    )
            self.stdout.write(_("Written: %(path)s") % {"path": options["export"]})
