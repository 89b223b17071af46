"""CIN, ICE and phone numbers: normalised, validated, masked."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from essor.registry.identifiers import clean_cin, clean_ice, clean_phone, format_phone, mask_cin


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("ab 123456", "AB123456"),
        ("K998877", "K998877"),
        (" jb-12 ", "JB12"),
        ("X", ""),
        ("", ""),
        ("000000", ""),
    ],
)
def test_cin_is_upper_cased_and_spaces_removed(raw: str, clean: str) -> None:
    assert clean_cin(raw) == clean


@pytest.mark.parametrize("raw", ["AB0123", "123456", "ABC123", "AB12345678", "A-1B"])
def test_bad_cin_says_what_a_cin_looks_like(raw: str) -> None:
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        clean_cin(raw)
    assert "AB123456" in error.value.messages[0]


def test_cin_masked_for_roles_that_do_not_need_it() -> None:
    assert mask_cin("AB123456") == "AB12****"
    assert mask_cin("K9988") == "K998*"
    assert mask_cin("") == ""


def test_ice_has_15_digits_divisible_by_97() -> None:
    valid = "001561191000066"
    assert int(valid) % 97 == 0
    assert clean_ice("001 561 191 000 066") == valid
    with pytest.raises(ValidationError):
        clean_ice("001561191000067")
    with pytest.raises(ValidationError):
        clean_ice("12345")


@pytest.mark.parametrize(
    "raw",
    ["06 12 34 56 78", "0612345678", "+212 6 12 34 56 78", "00212612345678", "+212-612-345678"],
)
def test_phone_any_common_format_is_stored_in_e164(raw: str) -> None:
    assert clean_phone(raw) == "+212612345678"


def test_phone_shown_the_moroccan_way_and_bad_phone_refused() -> None:
    assert format_phone("+212612345678") == "06 12 34 56 78"
    with pytest.raises(ValidationError) as error:
        clean_phone("0612")
    assert "06 12 34 56 78" in error.value.messages[0]
