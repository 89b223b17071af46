"""Moroccan identifiers: CIN, ICE, phone numbers, and the lighter checks of RC, IF, CNSS.

Each ``clean_*`` returns the normalised value or raises ``ValidationError`` with a message that
says what is wrong and what to do, in the active language.
"""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ma import ice as stdnum_ice

NON_DIGITS = re.compile(r"\D")
MOROCCAN_DIGITS = re.compile(r"^(?:0|212|00212)[5-8]\d{8}$")
MORE_THAN_SEPARATORS = re.compile(r"[^\d\s+().\-/]")
CIN_RE = re.compile(r"^[A-Z]{1,2}[1-9][0-9]{0,6}$")
# Values partners type when they do not know the CIN: they mean "missing", not an identifier.
CIN_PLACEHOLDERS = {"X", "XX", "0", "00", "000000", "0000000", "00000000", "NEANT", "NA", "ND"}


def clean_cin(raw: str | None) -> str:
    """``ab 123456`` -> ``AB123456``; empty stays empty."""
    value = re.sub(r"[\s\-./]", "", (raw or "")).upper()
    if not value or value in CIN_PLACEHOLDERS:
        return ""
    if not CIN_RE.match(value):
        raise ValidationError(
            _(
                "“%(value)s” is not a valid CIN: one or two letters then up to seven digits, "
                "not starting with 0 (for example AB123456)."
            )
            % {"value": raw},
            code="invalid_cin",
        )
    return value


def mask_cin(cin: str) -> str:
    """``AB123456`` -> ``AB12****``: enough to recognise, not enough to misuse."""
    if not cin:
        return ""
    return cin[:4] + "*" * max(len(cin) - 4, 0)


def clean_ice(raw: str | None) -> str:
    value = re.sub(r"\D", "", raw or "")
    if not value:
        return ""
    try:
        return str(stdnum_ice.validate(value))
    except StdnumError:
        raise ValidationError(
            _(
                "“%(value)s” is not a valid ICE: it has 15 digits and its check digits must "
                "match. Copy it again from the company's certificate."
            )
            % {"value": raw},
            code="invalid_ice",
        ) from None


def clean_phone(raw: str | None) -> str:
    """Any common Moroccan way of writing a phone number -> E.164 (``+212612345678``)."""
    text = (raw or "").strip()
    if not text:
        return ""
    digits = NON_DIGITS.sub("", text)
    if MOROCCAN_DIGITS.match(digits) and not MORE_THAN_SEPARATORS.search(text):
        # The usual case (06…, +212 6…, 00212 6…): skip the general parser, keep its validity rules.
        national = int(digits[-9:])
        usual = phonenumbers.PhoneNumber(country_code=212, national_number=national)
        if phonenumbers.is_valid_number(usual):
            return f"+212{national}"
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, "MA")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "“%(value)s” is not a valid phone number. Write it as 06 12 34 56 78 or "
                "+212 6 12 34 56 78."
            )
            % {"value": raw},
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """``+212612345678`` -> ``06 12 34 56 78`` for Moroccan numbers, international otherwise."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, None)
    if number.country_code == 212:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def clean_digits(raw: str | None, *, label: str, max_length: int = 20) -> str:
    """Light check of a numeric register number (IF, CNSS, RNAE): digits only."""
    value = re.sub(r"[\s\-./]", "", raw or "")
    if not value:
        return ""
    if not value.isdigit() or len(value) > max_length:
        raise ValidationError(
            _("“%(value)s” is not a valid %(label)s: digits only, at most %(max)s.")
            % {"value": raw, "label": label, "max": max_length},
            code="invalid_number",
        )
    return value
