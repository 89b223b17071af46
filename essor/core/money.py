"""Money: exact dirhams, parsed as people type them and shown as Moroccan documents write them.

Amounts are ``Decimal`` with two places from the form to the database and back; a float never
touches them. French shows ``25 000 000,00 DH`` (no-break spaces between thousands); Arabic shows
``25.000.000,00 درهم``, the separators of the ``ar-MA`` locale (CLDR) with Western digits, as
Moroccan administrative texts write them. ``docs/decisions/0007`` says why this is written here
rather than taken from a formatting library.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount essor accepts anywhere: more than a national programme's envelope means a
# typing error (an extra zero, a date pasted into the amount).
MAX_AMOUNT = Decimal("50000000000.00")
NBSP = "\u00a0"


def money(value: Decimal | int | str) -> Decimal:
    """``value`` as dirhams with two places."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_mad(
    value: Decimal | int | None, language: str | None = None, *, unit: bool = True
) -> str:
    """``25000000`` → ``25 000 000,00 DH`` (French) or ``25.000.000,00 درهم`` (Arabic)."""
    if value is None:
        return "—"
    language = language or translation.get_language() or "fr"
    amount = money(value)
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    group = "." if language.startswith("ar") else NBSP
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = f"{sign}{group.join(groups)},{cents}"
    if not unit:
        return text
    return f"{text}{NBSP}درهم" if language.startswith("ar") else f"{text}{NBSP}DH"


_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_amount(text: str) -> Decimal:
    """Read an amount as a Moroccan user types it.

    ``25 000 000``, ``25.000.000,50``, ``25000000.50`` and ``1.500`` (thousands) are accepted;
    a trailing ``DH``, ``MAD`` or ``درهم`` is ignored. Raises ``ValueError`` when it is not a
    number.
    """
    cleaned = re.sub(r"(?i)(dhs?|mad|درهم)\s*$", "", text.strip()).strip()
    cleaned = _SPACES.sub("", cleaned)
    if not cleaned or not re.fullmatch(r"-?[\d.,]+", cleaned):
        raise ValueError(text)
    if "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in cleaned:
        if cleaned.count(",") > 1:
            raise ValueError(text)
        cleaned = cleaned.replace(",", ".")
    elif cleaned.count(".") > 1 or re.fullmatch(r"-?\d{1,3}\.\d{3}", cleaned):
        cleaned = cleaned.replace(".", "")
    try:
        return money(Decimal(cleaned))
    except InvalidOperation:
        raise ValueError(text) from None


class MoneyField(models.DecimalField):
    """Dirhams: 14 digits, 2 places (up to 999 999 999 999,99 DH)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class AmountFormField(forms.CharField):
    """An amount in dirhams as typed (``25 000 000``, ``1.500,50``): positive and plausible."""

    def __init__(
        self, *, allow_zero: bool = False, allow_negative: bool = False, **kwargs: object
    ) -> None:
        self.allow_zero = allow_zero
        self.allow_negative = allow_negative
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.widget.attrs.update({"inputmode": "decimal", "dir": "ltr", "autocomplete": "off"})

    def prepare_value(self, value: object) -> object:
        if isinstance(value, Decimal):
            return format_mad(value, unit=False)
        return value

    def clean(self, value: object) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            amount = parse_amount(str(text))
        except ValueError:
            raise forms.ValidationError(
                _("“%(value)s” is not an amount. Type digits, for example 25 000 000 or 1 500,50.")
                % {"value": text}
            ) from None
        if self.allow_negative and amount < 0:
            return -check_amount(-amount)
        return check_amount(amount, allow_zero=self.allow_zero)


def check_amount(amount: Decimal, *, allow_zero: bool = False, field: str | None = None) -> Decimal:
    """Refuse negative, zero (unless allowed) and absurd amounts with a message that says why."""
    from django.core.exceptions import ValidationError

    message: Any = None
    if amount < 0:
        message = _("An amount cannot be negative.")
    elif amount == 0 and not allow_zero:
        message = _("The amount must be greater than zero.")
    elif amount > MAX_AMOUNT:
        message = _(
            "%(amount)s is more than any programme's envelope: check for an extra zero."
        ) % {"amount": format_mad(amount)}
    if message is not None:
        if field:
            raise ValidationError({field: message})
        raise ValidationError(message)
    return money(amount)
