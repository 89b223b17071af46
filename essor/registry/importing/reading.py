"""Open a partner's file: XLSX or CSV in whatever encoding, refused clearly when it is neither.

Returns the header row and the data rows as lists of strings (dates from XLSX stay dates).
Every refusal is a :class:`FileRefused` whose message says what is wrong and what to do.
"""

from __future__ import annotations

import copy
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from charset_normalizer import from_bytes
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from essor.core.text import clean_line

XLSX_MAGIC = b"PK\x03\x04"
MAX_UNCOMPRESSED_RATIO = 100  # a zip bomb inflates far more than a real sheet
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
BINARY_MAGICS = {
    b"%PDF": "PDF",
    b"\xd0\xcf\x11\xe0": "Excel 97-2003 (.xls)",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"Rar!": "RAR",
    b"\x1f\x8b": "GZIP",
    b"7z\xbc\xaf": "7-Zip",
}
# Inflating a workbook to check it reads this much at a time: memory stays bounded.
CHUNK = 1024 * 1024
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


def _check_size(size: int) -> None:
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


def _check_kind(head: bytes) -> None:
    """Refuse a file whose first bytes say it is a document or an archive, not a list."""
    for magic, kind in BINARY_MAGICS.items():
        if head.startswith(magic):
            raise FileRefused(
                _("This file is a %(kind)s document, not a list. Save the list as XLSX or CSV.")
                % {"kind": kind}
            )


def _looks_binary(raw: bytes) -> bool:
    """NUL bytes in a text that is not UTF-16: the file is binary data, not a CSV."""
    return (
        b"\x00" in raw[:4096]
        and not raw.startswith((b"\xff\xfe", b"\xfe\xff"))
        and raw[1::2].count(0) < len(raw) // 4
    )


def check_upload(upload: UploadedFile) -> None:
    """The checks made as a file arrives, before anything is saved: its size, its kind (by its
    first bytes, whatever its name says), and for a workbook, the sizes it declares once
    unpacked. Raises :class:`FileRefused` with the message for the user."""
    _check_size(upload.size or 0)
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if head.startswith(XLSX_MAGIC):
        _check_zip(upload, inflate=False)
    else:
        _check_kind(head)
        if _looks_binary(head):
            raise FileRefused(_not_text())
    upload.seek(0)


def read_sheet(path: Path | str) -> Sheet:
    path = Path(path)
    _check_size(path.stat().st_size)
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(XLSX_MAGIC):
        return _read_xlsx(path)
    _check_kind(head)
    return _read_csv(path.read_bytes())


def _not_text() -> str:
    return _(
        "This file holds binary data, not text: it is neither a CSV list nor an XLSX workbook. "
        "Open it in the program that made it and save the list as XLSX, or as CSV (UTF-8)."
    )


def _bomb(inflated: int) -> FileRefused:
    return FileRefused(
        _("This workbook would unpack to %(mb)s MB, far more than a list holds; it is refused.")
        % {"mb": inflated // (1024 * 1024)}
    )


def _check_zip(source: Path | IO[bytes], *, inflate: bool = True) -> None:
    """Refuse a workbook that is not one, or that would unpack to far more than a list holds
    (a "zip bomb": a few kilobytes that inflate to gigabytes and exhaust the memory).

    The sizes the archive declares are checked first, at once. They can lie; with ``inflate``
    every part is then unpacked a megabyte at a time, counting, and a part that does not match
    its declared size and checksum is refused as damaged, before the spreadsheet reader (which
    trusts the archive) ever opens it.
    """
    damaged = FileRefused(_("This file is damaged: it cannot be opened as XLSX."))
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise damaged from None
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise FileRefused(
                _("This ZIP file is not an Excel workbook. Save the list as XLSX or CSV.")
            )
        declared = sum(info.file_size for info in infos)
        compressed = max(sum(info.compress_size for info in infos), 1)
        if declared > MAX_UNCOMPRESSED_BYTES or declared / compressed > MAX_UNCOMPRESSED_RATIO:
            raise _bomb(declared)
        if not inflate:
            return
        try:
            for info in infos:
                _inflate(archive, info)
        except FileRefused:
            raise damaged from None
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
            # a wrong checksum, an unknown compression, a password
            raise damaged from None


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Unpack one part as its data really is (not as it declares itself), a megabyte at a
    time; refuse it as soon as it holds more than it declares, or when its checksum differs."""
    probe = copy.copy(info)
    probe.file_size = info.file_size + CHUNK + 1  # zipfile would stop at the declared size
    probe.CRC = None  # type: ignore[assignment]  # checked below, on what was really read
    size, crc = 0, 0
    with archive.open(probe) as part:
        while chunk := part.read(CHUNK):
            size += len(chunk)
            if size > info.file_size:
                raise FileRefused(info.filename)
            crc = zlib.crc32(chunk, crc)
    if size != info.file_size or crc != info.CRC:
        raise FileRefused(info.filename)


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
    return clean_line(value)


def _read_xlsx(path: Path) -> Sheet:
    """Read the first sheet with calamine (a Rust reader, far faster than openpyxl at 100k rows)."""
    from python_calamine import CalamineWorkbook

    _check_zip(path)
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
    if _looks_binary(raw):
        raise FileRefused(_not_text())
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
            header = [clean_line(v) for v in values]
            break
    if not header:
        raise FileRefused(_("The file has no rows."))
    if len(header) == 1 and len(header[0]) > 200:
        raise FileRefused(_("This file is not a spreadsheet. Save the list as XLSX or CSV."))
    # Every cell as a one-line text without invisible characters (NUL, direction overrides):
    # what the import stores, reports and shows is harmless (essor.core.text).
    data = [[clean_line(v) for v in values] for values in reader]
    return Sheet(header=header, rows=_trim(data), encoding=encoding, first_data_row=header_row + 1)


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    """Drop trailing empty rows (sheets often carry formatting far below the data)."""
    while rows and not any(v not in ("", None) for v in rows[-1]):
        rows.pop()
    return rows
