"""Money is read as Moroccan users type it and shown as Moroccan documents write it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from essor.core.money import AmountFormField, format_mad, parse_amount

NBSP = "\u00a0"


def test_french_shows_spaces_between_thousands_and_a_decimal_comma() -> None:
    assert format_mad(Decimal("25000000"), "fr") == f"25{NBSP}000{NBSP}000,00{NBSP}DH"
    assert format_mad(Decimal("105500000.5"), "fr") == f"105{NBSP}500{NBSP}000,50{NBSP}DH"
    assert format_mad(Decimal("-1500"), "fr") == f"-1{NBSP}500,00{NBSP}DH"


def test_arabic_shows_dots_between_thousands_and_dirham_in_arabic() -> None:
    assert format_mad(Decimal("25000000"), "ar") == f"25.000.000,00{NBSP}درهم"


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("25 000 000", "25000000.00"),
        ("25.000.000,50", "25000000.50"),
        ("25000000.5", "25000000.50"),
        ("1.500", "1500.00"),
        ("1 500,75 DH", "1500.75"),
        ("2,96", "2.96"),
        ("100000 درهم", "100000.00"),
        (f"25{NBSP}000", "25000.00"),
    ],
)
def test_amounts_are_read_as_typed(typed: str, amount: str) -> None:
    assert parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize("typed", ["abc", "12,5,3", " ", "1e6", "12 DH 50"])
def test_what_is_not_an_amount_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match=r"^.*$"):
        parse_amount(typed)


def test_the_form_field_refuses_negative_zero_and_absurd_amounts_with_a_reason() -> None:
    field = AmountFormField()
    with translation.override("fr"):
        with pytest.raises(ValidationError, match="négatif"):
            field.clean("-5")
        with pytest.raises(ValidationError, match="supérieur à zéro"):
            field.clean("0")
        with pytest.raises(ValidationError, match="zéro de trop"):
            field.clean("999 000 000 000")
        with pytest.raises(ValidationError, match="n'est pas un montant"):
            field.clean("douze")
    with translation.override("ar"), pytest.raises(ValidationError, match="سالبا"):
        field.clean("-5")
    assert field.clean("25 000 000") == Decimal("25000000.00")
