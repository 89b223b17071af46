"""Exclusion lists: partners' lists of people or enterprises already supported elsewhere
(Intilaka, INDH…), imported from CSV or XLSX and looked up by screening, by CIN or ICE.

Every valid row is loaded and every invalid one is reported by row and column; a file that
holds no valid row loads nothing. Identifiers are normalised the registry's way.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from essor.registry.identifiers import clean_cin, clean_ice
from essor.registry.importing.reading import FileRefused, read_sheet

from .models import ExclusionEntry, ExclusionList

if TYPE_CHECKING:
    from essor.accounts.models import Partner, User

HEADERS = {
    "cin": {"cin", "cnie", "numero cin", "n cin", "رقم البطاقة", "البطاقة الوطنية"},
    "ice": {"ice", "identifiant commun de l'entreprise", "المعرف الموحد"},
    "year": {"year", "annee", "année", "السنة"},
}


@dataclass
class ImportReport:
    exclusion_list: ExclusionList | None
    loaded: int = 0
    errors: list[str] = field(default_factory=list)


def _column(header: list[str], key: str) -> int | None:
    names = {slugify(name).replace("-", " ") for name in HEADERS[key]} | HEADERS[key]
    for index, title in enumerate(header):
        text = str(title or "").strip().lower()
        if text in names or slugify(text).replace("-", " ") in names:
            return index
    return None


def exclusion_list_import(
    *,
    actor: User | None,
    partner: Partner,
    name: str,
    programme_code: str,
    content: bytes,
    suffix: str,
) -> ImportReport:
    """Load a list; the report says how many rows loaded and which rows were refused, and why."""
    if not name.strip() or not programme_code.strip():
        raise ValidationError(_("Give the list a name and the code of the programme it lists."))
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        handle.write(content)
        handle.flush()
        try:
            sheet = read_sheet(Path(handle.name))
        except FileRefused as refusal:
            raise ValidationError({"file": str(refusal)}) from None
    cin_at, ice_at, year_at = (_column(sheet.header, key) for key in ("cin", "ice", "year"))
    if cin_at is None and ice_at is None:
        raise ValidationError(
            {
                "file": _(
                    "The first row must name a CIN or an ICE column (for example “CIN”). "
                    "Columns found: %(columns)s."
                )
                % {"columns": ", ".join(str(h) for h in sheet.header) or "—"}
            }
        )
    report = ImportReport(exclusion_list=None)
    entries: list[ExclusionEntry] = []
    for offset, row in enumerate(sheet.rows):
        number = sheet.first_data_row + offset
        values: dict[str, Any] = {}
        try:
            if cin_at is not None and cin_at < len(row):
                values["cin"] = clean_cin(str(row[cin_at] or ""))
            if ice_at is not None and ice_at < len(row):
                values["ice"] = clean_ice(str(row[ice_at] or ""))
        except ValidationError as error:
            report.errors.append(
                _("Row %(row)s: %(message)s") % {"row": number, "message": " ".join(error.messages)}
            )
            continue
        if not values.get("cin") and not values.get("ice"):
            report.errors.append(_("Row %(row)s: no CIN and no ICE.") % {"row": number})
            continue
        if year_at is not None and year_at < len(row) and str(row[year_at] or "").strip():
            text = str(row[year_at]).strip()[:4]
            if not (text.isascii() and text.isdigit()) or not 1990 <= int(text) <= 2100:
                report.errors.append(
                    _("Row %(row)s: the year “%(value)s” is not a year.")
                    % {"row": number, "value": row[year_at]}
                )
                continue
            values["year"] = int(text)
        entries.append(ExclusionEntry(**values))
    if not entries:
        return report
    with transaction.atomic():
        listing = ExclusionList.objects.create(
            partner=partner,
            name=name.strip(),
            programme_code=programme_code.strip(),
            imported_by=actor,
        )
        for entry in entries:
            entry.exclusion_list = listing
        ExclusionEntry.objects.bulk_create(entries, batch_size=2000)
    report.exclusion_list, report.loaded = listing, len(entries)
    return report
