"""Every interface string is translated into French and Arabic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[3] / "locale"


def _entries(po: Path) -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstrs, fuzzy) of each entry, without the header."""
    entries: list[tuple[str, list[str], bool]] = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        current, msgid, strs = None, "", []
        for line in lines:
            if line.startswith("msgid "):
                current, msgid = "id", line[6:].strip('"')
            elif line.startswith("msgid_plural"):
                current = "plural"
            elif line.startswith("msgstr"):
                current = "str"
                strs.append(line.split(" ", 1)[1].strip('"'))
            elif line.startswith('"'):
                if current == "id":
                    msgid += line.strip('"')
                elif current == "str":
                    strs[-1] += line.strip('"')
        if msgid:
            entries.append((msgid, strs, fuzzy))
    return entries


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_string_is_translated(language: str) -> None:
    entries = _entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert len(entries) > 100
    missing = [msgid for msgid, strs, fuzzy in entries if fuzzy or not all(strs)]
    assert missing == []


def test_arabic_translations_have_no_latin_words_but_acronyms() -> None:
    allowed = {
        "INDH",
        "ANAPEC",
        "CCIS",
        "HCP",
        "API",
        "CC",
        "BY",
        "essor",
        "DH",
        "Token",
        "Authorization",
        "code",
        "XLSX",
        "CSV",
        "UTF",
        "AB",
    }
    offenders = []
    for msgid, strs, _ in _entries(LOCALE / "ar" / "LC_MESSAGES" / "django.po"):
        for text in strs:
            text = re.sub(r"%\(\w+\)s|\{\{[^}]*\}\}|<[^>]+>|&\w+;", " ", text)
            words = set(re.findall(r"[A-Za-z]{2,}", text)) - allowed
            if words:
                offenders.append((msgid, sorted(words)))
    assert offenders == []
