"""A convention's period as the press gives it: years, a duration, dates.

``pour la période 2023-2025``, ``de 2024 à 2026``, ``au titre de 2024``, ``sur cinq ans``,
``s'étend sur 5 ans``, ``d'une durée de trois ans``, ``du 1er janvier 2024 au 31 décembre 2026``,
``à partir de 2024``, ``à l'horizon 2027``; and a signature date (``signée le 12 mars 2024``).
A year alone (``en 2013``) is not a period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from text_to_num import text2num

MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "février": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "août": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
    "décembre": 12,
}
_YEAR = r"(?:19[89]\d|20\d\d)"
_MONTH = "|".join(MONTHS)
DATE = (
    rf"(?P<day>\d{{1,2}})(?:er)?\s+(?P<month>{_MONTH})\s+(?P<year>{_YEAR})"
    rf"|(?P<dd>\d{{1,2}})[/.](?P<mm>\d{{1,2}})[/.](?P<yyyy>{_YEAR})"
)
_DATE_RE = re.compile(DATE, re.IGNORECASE)

RANGE = re.compile(
    rf"(?<![\d/.-])(?:(?:p[ée]riode|programme|plan|convention|contrat)\s+)?(?:(?:de|entre|du)\s+)?"
    rf"(?P<a>{_YEAR})\s*(?:-|–|—|/|\bà\b|\bau\b|\bet\b)\s*(?P<b>{_YEAR})(?!\d|[/.-]\d)",
    re.IGNORECASE,
)
FOR_YEAR = re.compile(
    rf"\b(?:au titre de|pour)\s+(?:l'(?:ann[ée]e|exercice)\s+)?(?:budg[ée]taire\s+)?"
    rf"(?P<y>{_YEAR})\b",
    re.IGNORECASE,
)
_NUM = r"\d{1,2}|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix"
DURATION = re.compile(
    r"\b(?:sur|pendant|d'une\s+dur[ée]e\s+de|pour\s+une\s+dur[ée]e\s+de|pour\s+une\s+p[ée]riode\s+de"
    r"|sur\s+une\s+p[ée]riode\s+de|s'[ée]tend(?:ra)?\s+sur|[ée]tal[ée]e?s?\s+sur"
    r"|[ée]chelonn[ée]e?s?\s+sur|d'une\s+p[ée]riode\s+de)\s+(?P<n>"
    + _NUM
    + r")\s+(?:ans|ann[ée]es)\b",
    re.IGNORECASE,
)
ADJECTIVE_DURATION = re.compile(r"\b(?P<adj>biennal|triennal|quinquennal|d[ée]cennal)e?s?\b", re.I)
_ADJECTIVE_YEARS = {"biennal": 2, "triennal": 3, "quinquennal": 5, "decennal": 10, "décennal": 10}
DATE_SPAN = re.compile(
    rf"\bdu\s+(?P<from>(?:{DATE.replace('?P<', '?P<f_')}))"
    rf"\s+au\s+(?P<to>(?:{DATE.replace('?P<', '?P<t_')}))",
    re.IGNORECASE,
)
FROM_YEAR = re.compile(
    rf"\b(?:[àa] partir de|[àa] compter de|d[èe]s)\s+(?:l'ann[ée]e\s+)?(?P<y>{_YEAR})\b", re.I
)
FROM_DATE = re.compile(rf"\b(?:[àa] partir|[àa] compter) du\s+(?:{DATE})", re.I)
TO_YEAR = re.compile(
    rf"\b(?:jusqu'en|jusqu'à|[àa] l'horizon(?: de)?)\s+(?:l'ann[ée]e\s+)?(?P<y>{_YEAR})\b", re.I
)
SIGNED = re.compile(
    rf"(?:\bsign[ée]e?s?\b[^.;]{{0,60}}?|^\s*Fait\s+[àa]\s+[^.;,]{{2,40}},?\s+)"
    r"\ble\s+(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?"
    rf"(?P<date>{DATE})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PeriodHit:
    kind: str  # "range", "year", "duration", "dates", "from", "to", "signed"
    start: int
    end: int
    a: int | None = None
    b: int | None = None
    on: date | None = None
    until: date | None = None


def _number(text: str) -> int | None:
    try:
        return int(text) if text.isdigit() else int(text2num(text.lower(), "fr"))
    except ValueError:
        return None


def _date(match: re.Match[str], prefix: str = "") -> date | None:
    get = match.group
    try:
        if get(f"{prefix}day"):
            month = MONTHS.get(get(f"{prefix}month").lower())
            if month is None:
                return None
            return date(int(get(f"{prefix}year")), month, int(get(f"{prefix}day")))
        return date(int(get(f"{prefix}yyyy")), int(get(f"{prefix}mm")), int(get(f"{prefix}dd")))
    except (ValueError, TypeError):
        return None


def find_periods(text: str) -> list[PeriodHit]:
    """Every period-like statement in ``text`` (one sentence), in order."""
    hits: list[PeriodHit] = []
    for m in DATE_SPAN.finditer(text):
        start, end = _date(m, "f_"), _date(m, "t_")
        if start and end and end > start:
            hits.append(PeriodHit("dates", m.start(), m.end(), start.year, end.year, start, end))
    taken = [(h.start, h.end) for h in hits]
    for m in RANGE.finditer(text):
        a, b = int(m.group("a")), int(m.group("b"))
        if b > a and b - a <= 15 and not any(s <= m.start() < e for s, e in taken):
            hits.append(PeriodHit("range", m.start(), m.end(), a, b))
    for m in FOR_YEAR.finditer(text):
        if not any(h.start <= m.start("y") < h.end for h in hits):
            year = int(m.group("y"))
            hits.append(PeriodHit("year", m.start(), m.end(), year, year))
    for m in DURATION.finditer(text):
        years = _number(m.group("n"))
        if years and 0 < years <= 20:
            hits.append(PeriodHit("duration", m.start(), m.end(), years))
    for m in ADJECTIVE_DURATION.finditer(text):
        key = m.group("adj").lower()
        hits.append(PeriodHit("duration", m.start(), m.end(), _ADJECTIVE_YEARS.get(key)))
    for m in FROM_YEAR.finditer(text):
        hits.append(PeriodHit("from", m.start(), m.end(), int(m.group("y"))))
    for m in FROM_DATE.finditer(text):
        if on := _date(m):
            hits.append(PeriodHit("from", m.start(), m.end(), on.year, on=on))
    for m in TO_YEAR.finditer(text):
        hits.append(PeriodHit("to", m.start(), m.end(), int(m.group("y"))))
    for m in SIGNED.finditer(text):
        signed = _date(m)
        if signed:
            hits.append(PeriodHit("signed", m.start("date"), m.end("date"), on=signed))
    return sorted(hits, key=lambda h: h.start)
