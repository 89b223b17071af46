"""Open a partner's file: XLSX or CSV in whatever encoding, refused clearly when it is neither.

Returns the header row and the data rows as lists of strings (dates from XLSX stay dates).
Every refusal is a :class:`FileRefused` whose message says what is wrong and what to do.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes
from django.conf import settings
from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
MAX_UNCOMPRESSED_RATIO = 100  # a zip bomb inflates far more than a real sheet
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
BINARY_MAGICS = {
    b"%PDF": "PDF",
    b"\xd0\xcf\x11\xe0": "Excel 97-2003 (.xls)",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"Rar!": "RAR",
}
ARABIC = re.compile("[\u0600-\u06ff]")


class FileRefused(Exception):
    """The file cannot be read as a list; the message is for the user."""


@dataclass
class Sheet:
    header: list[str]
    rows: list[list[Any]]
    encoding: str  # "xlsx" or the text encoding detected
    first_data_row: int  # the file's row number of rows[0] (1-based, header is the row before)


def _max_bytes() -> int:
    return int(settings.ESSOR_MAX_UPLOAD_MB) * 1024 * 1024


def read_sheet(path: Path | str) -> Sheet:
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise FileRefused(_("The file is empty. Choose the file that holds the list."))
    if size > _max_bytes():
        raise FileRefused(
            _(
                "The file is %(size)s MB; the limit is %(max)s MB. "
                "Split the list into several files."
            )
            % {"size": round(size / 1024 / 1024, 1), "max": settings.ESSOR_MAX_UPLOAD_MB}
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(XLSX_MAGIC):
        return _read_xlsx(path)
    for magic, kind in BINARY_MAGICS.items():
        if head.startswith(magic):
            raise FileRefused(
                _("This file is a %(kind)s document, not a list. Save the list as XLSX or CSV.")
                % {"kind": kind}
            )
    return _read_csv(path.read_bytes())


def _check_zip(path: Path) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise FileRefused(_("This file is damaged: it cannot be opened as XLSX.")) from None
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise FileRefused(
            _("This ZIP file is not an Excel workbook. Save the list as XLSX or CSV.")
        )
    inflated = sum(info.file_size for info in archive.infolist())
    compressed = max(sum(info.compress_size for info in archive.infolist()), 1)
    if inflated > MAX_UNCOMPRESSED_BYTES or inflated / compressed > MAX_UNCOMPRESSED_RATIO:
        raise FileRefused(
            _("This workbook would unpack to %(mb)s MB, far more than a list holds; it is refused.")
            % {"mb": inflated // (1024 * 1024)}
        )
    return archive


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(path: Path) -> Sheet:
    """Read the first sheet with calamine (a Rust reader, far faster than openpyxl at 100k rows)."""
    from python_calamine import CalamineWorkbook

    _check_zip(path).close()
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        values = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except Exception:
        raise FileRefused(_("This file is damaged: it cannot be opened as XLSX.")) from None
    header_index = next(
        (i for i, row in enumerate(values) if any(v not in (None, "") for v in row)), None
    )
    if header_index is None:
        raise FileRefused(_("The first sheet of the workbook is empty."))
    touching = [
        f"{_column_letter(c1)}{r1 + 1}:{_column_letter(c2)}{r2 + 1}"
        for (r1, c1), (r2, c2) in merged
        if r1 <= header_index <= r2
    ]
    if touching:
        raise FileRefused(
            _(
                "The header row has merged cells (%(cells)s). Unmerge them so that each "
                "column has its own title on one row, then import again."
            )
            % {"cells": ", ".join(touching)}
        )
    header = [str(_cell(v)) for v in values[header_index]]
    data = [[_cell(v) for v in row] for row in values[header_index + 1 :]]
    return Sheet(header=header, rows=_trim(data), encoding="xlsx", first_data_row=header_index + 2)


def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    if len(raw) > 4 and raw[1::2].count(0) > len(raw) // 4:  # UTF-16 without a BOM
        return raw.decode("utf-16-le", "replace"), "utf-16-le"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw[:200_000], cp_isolation=["cp1256", "latin_1", "cp1252"]).best()
    encoding = best.encoding if best else "cp1256"
    text = raw.decode(encoding, "replace")
    # Arabic bytes read as Latin-1 give accented gibberish: prefer Windows-1256 if it reads Arabic.
    if encoding != "cp1256":
        arabic = raw.decode("cp1256", "replace")
        if len(ARABIC.findall(arabic)) > len(raw) // 20:
            return arabic, "cp1256"
    return text, encoding


def _read_csv(raw: bytes) -> Sheet:
    if (
        b"\x00" in raw[:4096]
        and not raw.startswith((b"\xff\xfe", b"\xfe\xff"))
        and raw[1::2].count(0) < len(raw) // 4
    ):
        raise FileRefused(_("This file is not a spreadsheet. Save the list as XLSX or CSV."))
    text, encoding = _decode(raw)
    sample = text[:20_000]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
        if sample.count(";") > sample.count(","):
            dialect = type("Semicolon", (csv.excel,), {"delimiter": ";"})
    reader: Iterator[list[str]] = csv.reader(io.StringIO(text, newline=""), dialect)
    header: list[str] = []
    header_row = 0
    for values in reader:
        header_row += 1
        if any(v.strip() for v in values):
            header = [v.strip() for v in values]
            break
    if not header:
        raise FileRefused(_("The file has no rows."))
    if len(header) == 1 and len(header[0]) > 200:
        raise FileRefused(_("This file is not a spreadsheet. Save the list as XLSX or CSV."))
    data = [[v.strip() for v in values] for values in reader]
    return Sheet(header=header, rows=_trim(data), encoding=encoding, first_data_row=header_row + 1)


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    """Drop trailing empty rows (sheets often carry formatting far below the data)."""
    while rows and not any(v not in ("", None) for v in rows[-1]):
        rows.pop()
    return rows
