"""Text out of an uploaded file: ``.txt`` (UTF-8 or Windows-1252), ``.docx`` (python-docx) or
``.pdf`` (pypdf). A file essor cannot read gets a message saying why and what to do instead."""

from __future__ import annotations

import zipfile
from io import BytesIO

from django.utils.translation import gettext as _

from .text import ExtractionError

# An article or a convention is a few hundred KB even as a PDF; past this it is something else.
MAX_FILE_BYTES = 4_000_000


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB".replace(".", ",")


def too_big(name: str, size: int) -> ExtractionError:
    return ExtractionError(
        _(
            "The file %(name)s is %(size)s; essor reads files of up to %(max)s. Keep only the "
            "article or the convention, or paste its text."
        )
        % {"name": name, "size": _size(size), "max": _size(MAX_FILE_BYTES)}
    )


def read_upload(name: str, data: bytes) -> str:
    if not data:
        raise ExtractionError(
            _("The file %(name)s is empty. Choose the file that holds the text.") % {"name": name}
        )
    if len(data) > MAX_FILE_BYTES:
        raise too_big(name, len(data))
    lowered = name.lower()
    if data.startswith(b"%PDF"):
        return _pdf(name, data)
    if data.startswith(b"PK"):
        return _docx(name, data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ExtractionError(
            _(
                "%(name)s is an old Word document (.doc). Save it as .docx or PDF, or paste its "
                "text."
            )
            % {"name": name}
        )
    if lowered.endswith((".pdf", ".docx")):
        raise ExtractionError(
            _("%(name)s is not a readable %(kind)s file. Open it and paste its text instead.")
            % {"name": name, "kind": lowered.rsplit(".", 1)[-1].upper()}
        )
    return _txt(name, data)


def _txt(name: str, data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise ExtractionError(
            _("%(name)s is not a text file. Choose a .txt, .docx or .pdf file.") % {"name": name}
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _docx(name: str, data: bytes) -> str:
    import docx

    try:
        document = docx.Document(BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise ExtractionError(
            _("%(name)s is not a Word (.docx) document essor can open. Paste its text instead.")
            % {"name": name}
        ) from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ; ".join(cell.text.strip() for cell in row.cells))
    return "\n".join(lines)


def _pdf(name: str, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted:
            raise ExtractionError(
                _("%(name)s is protected by a password. Open it and paste its text instead.")
                % {"name": name}
            )
        text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError):
        raise ExtractionError(
            _("%(name)s is a damaged PDF. Open it and paste its text instead.") % {"name": name}
        ) from None
    if not any(c.isalpha() for c in text):
        raise ExtractionError(
            _(
                "%(name)s holds images of pages, not text (a scan): essor cannot read it. Paste "
                "the text, or ask the partner for the Word file."
            )
            % {"name": name}
        )
    return text
