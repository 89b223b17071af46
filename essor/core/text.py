"""Text from outside (forms, the API, imported files) made harmless, in one place.

Two kinds of text, two rules:

- **A name or a one-line label** (a person's or an organisation's name, a title, a reference)
  keeps its letters, Latin or Arabic, and loses every invisible character: control characters
  (NUL, escapes), the bidirectional embeddings, overrides, isolates and marks (U+202A–U+202E,
  U+2066–U+2069, U+200E, U+200F, U+061C) and the zero-width characters. A name with a
  right-to-left override would otherwise reverse what follows it on the line, and one with a
  zero-width joiner would look like another person's name while escaping the duplicate check.
  Spaces are collapsed and the text is put in Unicode NFC, so that the same name typed on two
  keyboards is stored the same.
- **Free text** (a description, notes, minutes) is kept as typed, directional marks included
  (a sentence mixing Arabic and French may need them), less the control characters a database
  or a spreadsheet chokes on (NUL and the C0/C1 controls other than tab and line breaks).
  Pages show it isolated (``dir="auto"``, ``<bdi>``), so that it cannot reorder the page.

:func:`spreadsheet_cell` is the one guard against formula injection, for every CSV and XLSX
file essor writes.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Bidirectional formatting: embeddings and overrides (LRE, RLE, PDF, LRO, RLO), isolates (LRI,
# RLI, FSI, PDI) and marks (LRM, RLM, ALM).
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
# Zero-width space, non-joiner, joiner, word joiner, byte-order mark.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")

_SPACES = re.compile(r"\s+")
# Control characters a free text may not hold: C0 (less tab, line feed, carriage return), DEL
# and C1.
_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _invisible(char: str) -> bool:
    """A character with no place in a name: a control (Cc), a format character (Cf: the
    bidirectional controls, the zero-width characters, soft hyphen…), a lone surrogate (Cs) or a
    private-use character (Co)."""
    return unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co"}


def clean_line(value: Any) -> str:
    """A name or one-line label, harmless: no invisible characters, spaces collapsed, NFC.

    ``"Amina\\u202e ilawlA"`` -> ``"Amina ilawlA"``; ``"  أمينة  العلوي "`` -> ``"أمينة العلوي"``.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    # Line breaks and tabs become spaces before the controls are dropped: "Amina\nAlaoui" is
    # two words, not one.
    text = "".join(char for char in _SPACES.sub(" ", text) if not _invisible(char))
    return _SPACES.sub(" ", text).strip()


def clean_text(value: Any) -> str:
    """Free text, kept as typed but for the control characters (NUL first) and the line
    endings (``\\r\\n`` and ``\\r`` become ``\\n``); trailing spaces are trimmed."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _TEXT_CONTROLS.sub("", text)
    # A lone surrogate cannot be stored as UTF-8 (PostgreSQL refuses it, SQLite too).
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text.strip()


def has_bidi_controls(value: str) -> bool:
    """Whether the text holds a character that changes the direction of what follows it."""
    return any(char in BIDI_CONTROLS for char in value)


# --- Spreadsheets ------------------------------------------------------------------------------

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets
# (OWASP "CSV injection"); tab and carriage return hide the sign from a quick look.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_cell(value: Any) -> Any:
    """A value as a CSV or XLSX cell that no spreadsheet runs as a formula.

    Text starting with ``= + - @``, a tab or a carriage return (or their full-width forms) is
    written after an apostrophe, which spreadsheets read as "this is text"; numbers, dates and
    empty cells are left alone, so that a column of amounts still adds up.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
