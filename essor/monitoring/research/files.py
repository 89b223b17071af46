"""The files of a pseudonymised export: CSV streamed row by row, XLSX with its data dictionary.

Every text cell that a spreadsheet would run as a formula (starting with = + - @, a tab or a
carriage return) is written with a leading apostrophe, in the CSV and in the XLSX alike. The
CSV starts with a byte-order mark so that Excel reads it as UTF-8 (Arabic names of communes).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from essor.core.text import spreadsheet_cell

from .columns import Column, columns
from .pseudonyms import Pseudonymiser
from .rows import export_rows
from .scope import ExportScope

ROWS_PER_WRITE = 500


def cell(value: Any) -> Any:
    """A value as a file holds it: flags as 1/0, nothing as an empty cell, text made safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        return spreadsheet_cell(value)
    return value


def csv_text(value: Any) -> str:
    value = cell(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


KIND_LABELS = {
    "pseudonym": lambda: _("pseudonym"),
    "code": lambda: _("code"),
    "text": lambda: _("text"),
    "month": lambda: _("month (YYYY-MM)"),
    "integer": lambda: _("whole number"),
    "decimal": lambda: _("number (decimal point)"),
    "flag": lambda: _("1 = yes, 0 = no"),
}


def dictionary_header() -> list[str]:
    return [_("Column"), _("Label"), _("Type"), _("Description"), _("Values")]


def dictionary_row(column: Column) -> list[str]:
    codes = column.codes() if column.codes is not None else []
    values = "; ".join(f"{code} = {label}" if code else f"({label})" for code, label in codes)
    return [
        column.name,
        column.label,
        KIND_LABELS[column.kind](),
        column.description,
        values,
    ]


def about_rows(scope: ExportScope, names: Pseudonymiser, count: int | None) -> list[list[Any]]:
    """What the dictionary says of the file itself: its scope, its date, its key."""
    rows: list[list[Any]] = [
        [_("Pseudonymised export for evaluation (essor)")],
        [_("Convention"), scope.convention.reference if scope.convention else _("(all)")],
        [_("Programme"), scope.programme.code if scope.programme else _("(all of the convention)")],
        [
            _("Rows"),
            _("one per application")
            if scope.rows == "applications"
            else _("one per enrolment (applications of enrolled holders only)"),
        ],
        [_("Exported on"), timezone.localdate().strftime("%Y-%m-%d")],
        [
            _("Pseudonym key"),
            names.fingerprint,
            _(
                "Files with the same key fingerprint share their pseudonyms; a new key gives "
                "new pseudonyms."
            ),
        ],
        [
            _("Left out"),
            _(
                "Persons who objected to the processing of their data, and records archived "
                "without being merged. Names, CIN, phone numbers, e-mail, address and birth "
                "dates are never exported."
            ),
        ],
    ]
    if count is not None:
        rows.insert(4, [_("Number of rows"), count])
    return [[spreadsheet_cell(v) if isinstance(v, str) else v for v in row] for row in rows]


Progress = Callable[[int], object]


def csv_chunks(
    scope: ExportScope, *, names: Pseudonymiser, progress: Progress | None = None
) -> Iterator[str]:
    """The CSV's text, a few hundred rows at a time, starting with the BOM and the header.
    ``progress`` is told how many rows each piece held."""
    names_of_columns = [column.name for column in columns()]
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(names_of_columns)
    pending = 0
    for _pk, row in export_rows(scope, names=names):
        writer.writerow([csv_text(row[name]) for name in names_of_columns])
        pending += 1
        if pending == ROWS_PER_WRITE:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            if progress is not None:
                progress(pending)
            pending = 0
    yield out.getvalue()
    if progress is not None and pending:
        progress(pending)


def csv_stream(scope: ExportScope, *, language: str, names: Pseudonymiser) -> Iterator[str]:
    """The CSV for a streamed response: the rows are read after the view has returned, so the
    language is set here again."""
    with translation.override(language):
        yield from csv_chunks(scope, names=names)


def dictionary_csv() -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(dictionary_header())
    for column in columns():
        writer.writerow([spreadsheet_cell(v) for v in dictionary_row(column)])
    return out.getvalue()


def xlsx_file(
    scope: ExportScope, *, names: Pseudonymiser, progress: Progress | None = None
) -> tuple[IO[bytes], int]:
    """The workbook in a temporary file (openpyxl's write-only mode keeps no row in memory):
    the rows, then the data dictionary. Returns the file, at its start, and the row count."""
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(title=_("Data")[:31])
    names_of_columns = [column.name for column in columns()]
    data.append(names_of_columns)
    count = 0
    for _pk, row in export_rows(scope, names=names):
        data.append([cell(row[name]) for name in names_of_columns])
        count += 1
        if progress is not None and count % ROWS_PER_WRITE == 0:
            progress(ROWS_PER_WRITE)
    if progress is not None and count % ROWS_PER_WRITE:
        progress(count % ROWS_PER_WRITE)
    dictionary = workbook.create_sheet(title=_("Dictionary")[:31])
    for line in about_rows(scope, names, count):
        dictionary.append(line)
    dictionary.append([])
    dictionary.append(dictionary_header())
    for column in columns():
        dictionary.append([spreadsheet_cell(v) for v in dictionary_row(column)])
    # The caller's response closes (and so deletes) the file once it is sent.
    out = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(out)
    out.seek(0)
    return out, count


def file_name(scope: ExportScope, fmt: str, on: date | None = None) -> str:
    on = on or timezone.localdate()
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in scope.slug)
    return f"essor-evaluation-{safe}-{on:%Y%m%d}.{fmt}"
