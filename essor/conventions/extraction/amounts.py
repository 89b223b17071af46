"""Amounts as the Moroccan press writes them, read into exact dirhams.

``25 millions de DH``, ``10 MDH``, ``105,5 millions dirhams``, ``1 MMDH``, ``un milliard de
dirhams``, ``2.380.000 dirhams`` (dot between thousands), ``2 380 000 DH``, ``2,96 millions``
(comma before decimals; dirhams assumed when a word of money comes before), ``3 millions d'euros
(environ 32 millions de dirhams)`` (the dirhams given are used) and ``500.000 euros`` (converted
at :data:`EUR_TO_MAD`, a stated rate, and said so). Number words go through ``text2num``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from text_to_num import text2num

CENT = Decimal("0.01")
# Euros without their dirham equivalent are converted at this rate: the order of Bank
# Al-Maghrib's reference rate over 2022-2024 (between about 10.6 and 11.0 MAD for one euro).
# A converted amount is marked as such and gets a lower confidence; ``ESSOR_EUR_TO_MAD`` in the
# settings overrides the rate.
EUR_TO_MAD = Decimal("10.80")


def eur_to_mad_rate() -> Decimal:
    return Decimal(str(getattr(settings, "ESSOR_EUR_TO_MAD", EUR_TO_MAD)))


_WORD = (
    r"(?:z[ée]ro|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze"
    r"|quinze|seize|vingts?|trente|quarante|cinquante|soixante|septante|huitante|nonante"
    r"|cents?|mille)"
)
WORDS = rf"\b{_WORD}(?:(?:-|\s+)(?:et(?:-|\s+))?{_WORD})*\b"
DIGITS = (
    r"(?<![\d.,])(?:"
    r"\d{1,3}(?:[. \u00a0\u202f]\d{3})+(?:,\d+)?(?![\d])"  # 2.380.000 / 2 380 000,50
    r"|\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?(?![\d])"  # 2,380,000 (English style)
    r"|\d+(?:[.,]\d+)?(?![\d])"  # 105,5 / 2.96 / 25
    r")"
)
NUMBER = re.compile(rf"{DIGITS}|(?i:{WORDS})")

_MULT = (
    r"(?P<mult>(?i:milliards?|millions?|mille|mmdhs?|mdhs?|mrds?|mds?)(?![\w])"
    r"|M{1,2}(?=\s?(?:DH|Dh|dh|€|EUR|MAD)))"
)
_CUR = r"(?P<cur>(?i:dirhams?|dhs?|mad|euros?|eur)(?![\w])|€)"
_TAIL = re.compile(
    rf"[ ]?(?:{_MULT}(?:[ ]+(?P<more>(?i:{WORDS})))?)?[ ]?(?:(?i:de|d')[ ]?)?{_CUR}?"
)
_APPROX = re.compile(
    r"(?i:environ|pr[èe]s\s+de|pr[èe]s\s+d'|quelque|autour\s+de|de\s+l'ordre\s+de|plus\s+de"
    r"|moins\s+de|pas\s+moins\s+de|jusqu'à|au\s+moins)\s*$"
)
# Words that make a bare "2,96 millions" an amount of money (dirhams assumed).
_MONEY_CUE = re.compile(
    r"(?i:enveloppe|budget|montant|co[ûu]t|dotation|financement|subvention|investissement"
    r"|somme|cr[ée]dit|contribution|apport|fonds|pr[êe]t|financ)"
)
_EQUIVALENT = re.compile(
    r"^\s*[(,]?\s*(?i:soit|ou|c'est-à-dire|l'[ée]quivalent\s+de|[ée]quivalent\s+à)?\s*"
    r"(?i:environ|pr[èe]s\s+de|quelque)?\s*$"
)

_MULTIPLIERS = {
    "mille": Decimal(1000),
    "million": Decimal(10**6),
    "millions": Decimal(10**6),
    "milliard": Decimal(10**9),
    "milliards": Decimal(10**9),
    "mdh": Decimal(10**6),
    "mdhs": Decimal(10**6),
    "mmdh": Decimal(10**9),
    "mmdhs": Decimal(10**9),
    "md": Decimal(10**9),
    "mds": Decimal(10**9),
    "mrd": Decimal(10**9),
    "mrds": Decimal(10**9),
    "m": Decimal(10**6),
    "mm": Decimal(10**9),
}


@dataclass(frozen=True)
class Money:
    """An amount found in a text, in dirhams, with where it was written and how sure we are."""

    mad: Decimal
    start: int
    end: int
    text: str
    currency: str  # "MAD" or "EUR": the currency written
    original: Decimal  # the amount in that currency
    approximate: bool = False  # "environ", "près de", "plus de"…
    converted: bool = False  # euros converted at the stated rate
    assumed_currency: bool = False  # "2,96 millions" with no currency: dirhams assumed

    @property
    def confidence(self) -> float:
        value = 0.9
        if self.approximate:
            value -= 0.1
        if self.assumed_currency:
            value -= 0.2
        if self.converted:
            value -= 0.3
        return round(value, 2)

    @property
    def note(self) -> str:
        if self.converted:
            return f"{self.original} EUR × {eur_to_mad_rate()} MAD/EUR"
        return ""


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_number(text: str) -> Decimal:
    """``2.380.000`` → 2380000, ``105,5`` → 105.5, ``vingt-cinq`` → 25. Raises ``ValueError``.

    A dot or space followed by groups of exactly three digits separates thousands; otherwise a
    comma (French) or a dot (English) is the decimal mark; ``2,380,000`` is English thousands.
    """
    raw = text.strip()
    if not raw:
        raise ValueError(text)
    if raw[0].isalpha():
        try:
            return Decimal(text2num(re.sub(r"\s+", " ", raw.lower()), "fr"))
        except (ValueError, TypeError):
            raise ValueError(text) from None
    compact = re.sub(r"[ \u00a0\u202f]", "", raw)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", compact):
        compact = compact.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?", compact):
        compact = compact.replace(",", "")
    else:
        compact = compact.replace(",", ".")
    try:
        return Decimal(compact)
    except InvalidOperation:
        raise ValueError(text) from None


def _candidates(text: str) -> list[Money]:
    found: list[Money] = []
    pos = 0
    while True:
        number = NUMBER.search(text, pos)
        if number is None:
            return found
        tail = _TAIL.match(text, number.end())
        pos = number.end()
        if tail is None:
            continue
        mult = (tail.group("mult") or "").lower()
        cur = (tail.group("cur") or "").lower()
        words_only = number.group(0)[0].isalpha()
        if not mult and not cur:
            continue
        if mult == "mille" and not cur:
            continue
        if words_only and number.group(0).lower() in {"un", "une"} and not mult:
            continue  # "une dirham"? never; "un DH" is not an amount in the press
        try:
            value = parse_number(number.group(0))
        except ValueError:
            continue
        more = (
            tail.group("more") if mult in ("million", "millions", "milliard", "milliards") else ""
        )
        if more:
            try:
                value = value * _MULTIPLIERS[mult] + parse_number(more)
            except ValueError:
                continue
        elif mult:
            value *= _MULTIPLIERS[mult]
        end = max(tail.end(g) for g in ("mult", "more", "cur") if tail.group(g))
        if tail.group("more") and not more and not tail.group("cur"):
            end = tail.end("mult")
        currency = "MAD"
        assumed = False
        if cur in ("euro", "euros", "eur", "€"):
            currency = "EUR"
        elif not cur and mult in ("million", "millions", "milliard", "milliards", "md", "mds"):
            before = text[max(0, number.start() - 100) : number.start()]
            if not _MONEY_CUE.search(before):
                continue
            assumed = True
        start = number.start()
        approx = _APPROX.search(text[max(0, start - 25) : start])
        found.append(
            Money(
                mad=_money(value),
                start=start,
                end=end,
                text=text[start:end],
                currency=currency,
                original=_money(value),
                approximate=bool(approx),
                assumed_currency=assumed,
            )
        )
        pos = end


def find_amounts(text: str) -> list[Money]:
    """Every amount of money in ``text``, in order; euros paired with their dirhams."""
    found = _candidates(text)
    out: list[Money] = []
    skip: set[int] = set()
    for i, item in enumerate(found):
        if i in skip:
            continue
        partner = found[i + 1] if i + 1 < len(found) else None
        if (
            partner is not None
            and {item.currency, partner.currency} == {"EUR", "MAD"}
            and not partner.assumed_currency
            and not item.assumed_currency
            and _EQUIVALENT.match(text[item.end : partner.start].rstrip("( "))
        ):
            mad, eur = (item, partner) if item.currency == "MAD" else (partner, item)
            closing = text.find(")", partner.end, partner.end + 2)
            end = closing + 1 if closing != -1 else partner.end
            out.append(
                Money(
                    mad=mad.mad,
                    start=item.start,
                    end=end,
                    text=text[item.start : end],
                    currency="EUR",
                    original=eur.original,
                    approximate=mad.approximate,
                )
            )
            skip.add(i + 1)
            continue
        if item.currency == "EUR":
            item = Money(
                mad=_money(item.original * eur_to_mad_rate()),
                start=item.start,
                end=item.end,
                text=item.text,
                currency="EUR",
                original=item.original,
                approximate=item.approximate,
                converted=True,
            )
        out.append(item)
    return out


def parse_money(text: str) -> Money | None:
    """The amount that ``text`` is, whole (``"25 millions de DH"``), or ``None``."""
    found = find_amounts(text.strip())
    if len(found) == 1 and found[0].start == 0 and found[0].end >= len(text.strip()) - 1:
        return found[0]
    return None
