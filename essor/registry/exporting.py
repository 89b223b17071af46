"""Export lists to XLSX and CSV, as the user is allowed to see them, safe from formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from essor.accounts.models import User
from essor.accounts.roles import Cap
from essor.core.text import spreadsheet_cell

from .identifiers import format_phone, mask_cin
from .models import Organisation, Person

# The one guard against formula injection is essor.core.text.spreadsheet_cell; this name stays
# for the callers written before it moved there.
neutralise = spreadsheet_cell


def person_columns(actor: User) -> list[tuple[str, Any]]:
    full_cin = actor.can(Cap.IDENTIFIERS_VIEW)
    return [
        (_("Id"), lambda p: p.pk),
        (_("Last name"), lambda p: p.last_name),
        (_("First name"), lambda p: p.first_name),
        (_("Last name (Arabic)"), lambda p: p.last_name_ar),
        (_("First name (Arabic)"), lambda p: p.first_name_ar),
        (_("Sex"), lambda p: p.sex),
        (_("Birth date"), lambda p: p.birth_date),
        (_("CIN"), (lambda p: p.cin) if full_cin else (lambda p: mask_cin(p.cin))),
        (_("Phone"), lambda p: format_phone(p.phone)),
        (_("E-mail"), lambda p: p.email),
        (_("Commune (HCP code)"), lambda p: p.commune.code if p.commune else ""),
        (_("Commune"), lambda p: p.commune.label if p.commune else ""),
        (
            _("Education level"),
            lambda p: p.get_education_level_display() if p.education_level else "",
        ),
    ]


def organisation_columns(actor: User) -> list[tuple[str, Any]]:
    return [
        (_("Id"), lambda o: o.pk),
        (_("Name"), lambda o: o.name_fr),
        (_("Name (Arabic)"), lambda o: o.name_ar),
        (_("Legal form"), lambda o: o.get_kind_display()),
        (_("ICE"), lambda o: o.ice),
        (_("IF"), lambda o: o.tax_id),
        (_("RC"), lambda o: o.rc_number),
        (_("Sector"), lambda o: o.sector.label if o.sector else ""),
        (_("Creation date"), lambda o: o.created_on),
        (_("Commune (HCP code)"), lambda o: o.commune.code if o.commune else ""),
        (_("Employees (women)"), lambda o: o.employees_women),
        (_("Employees (men)"), lambda o: o.employees_men),
        (_("Annual turnover"), lambda o: o.annual_turnover),
    ]


def _rows(records: Iterable[Any], columns: Sequence[tuple[str, Any]]) -> Iterable[list[Any]]:
    for record in records:
        yield [spreadsheet_cell(getter(record)) for _, getter in columns]


def to_csv(records: Iterable[Person | Organisation], columns: Sequence[tuple[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(title) for title, _ in columns])
    for row in _rows(records, columns):
        writer.writerow(
            [
                v.strftime("%d/%m/%Y") if isinstance(v, date) else ("" if v is None else v)
                for v in row
            ]
        )
    return "\ufeff" + out.getvalue()  # the BOM lets Excel read the Arabic names


def to_xlsx(
    records: Iterable[Person | Organisation], columns: Sequence[tuple[str, Any]], title: str
) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([str(t) for t, _ in columns])
    for row in _rows(records, columns):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
