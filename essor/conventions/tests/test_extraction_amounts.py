"""Amounts as the press writes them, read back into exact dirhams.

Each press style is also a property: any amount, written in that style, reads back as itself.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from essor.conventions.extraction.amounts import (
    EUR_TO_MAD,
    Money,
    find_amounts,
    parse_money,
    parse_number,
)

D = Decimal


def only(text: str) -> Money:
    found = find_amounts(text)
    assert len(found) == 1, (text, found)
    return found[0]


@pytest.mark.parametrize(
    ("text", "dirhams", "written"),
    [
        ("une enveloppe de 25 millions de DH pour", D("25000000"), "25 millions de DH"),
        ("environ 10 millions de dirhams (MDH) a été", D("10000000"), "10 millions de dirhams"),
        ("un budget de 10 MDH", D("10000000"), "10 MDH"),
        ("avec 105,5 millions dirhams", D("105500000"), "105,5 millions dirhams"),
        ("un programme de 1 MMDH", D("1000000000"), "1 MMDH"),
        ("un milliard de dirhams", D("1000000000"), "un milliard de dirhams"),
        ("soit 2.380.000 dirhams", D("2380000"), "2.380.000 dirhams"),
        ("soit 2 380 000 DH", D("2380000"), "2 380 000 DH"),
        ("soit 2\u202f380\u202f000 DH", D("2380000"), "2\u202f380\u202f000 DH"),
        ("soit 2.380.000,50 DH", D("2380000.50"), "2.380.000,50 DH"),
        ("un montant de 2,96 millions", D("2960000"), "2,96 millions"),
        ("5 milliards de dirhams", D("5000000000"), "5 milliards de dirhams"),
        ("vingt-cinq millions de dirhams", D("25000000"), "vingt-cinq millions de dirhams"),
        ("un million cinq cent mille dirhams", D("1500000"), "un million cinq cent mille dirhams"),
        ("300 mille dirhams", D("300000"), "300 mille dirhams"),
        ("25,000,000 MAD", D("25000000"), "25,000,000 MAD"),
        ("1,5 MMDH", D("1500000000"), "1,5 MMDH"),
        ("12 Dhs", D("12"), "12 Dhs"),
    ],
)
def test_every_press_style_reads_as_dirhams(text: str, dirhams: Decimal, written: str) -> None:
    money = only(text)
    assert money.mad == dirhams
    assert money.text == written
    assert money.currency == "MAD"
    assert not money.converted


def test_about_and_more_than_mark_the_amount_approximate() -> None:
    assert only("d'environ 10 millions de dirhams").approximate
    assert only("plus de 3 MDH").approximate
    assert not only("10 millions de dirhams").approximate
    assert only("d'environ 10 millions de dirhams").confidence < only("10 MDH").confidence


def test_euros_with_their_dirhams_use_the_dirhams() -> None:
    money = only("un don de 3 millions d'euros (environ 32,4 millions de dirhams) pour")
    assert money.mad == D("32400000")
    assert money.currency == "EUR"
    assert money.original == D("3000000")
    assert not money.converted
    assert money.text == "3 millions d'euros (environ 32,4 millions de dirhams)"
    reverse = only("32 MDH (3 M€)")
    assert (reverse.mad, reverse.original, reverse.converted) == (
        D("32000000"),
        D("3000000"),
        False,
    )
    assert only("2 millions d'euros, soit 21,5 MDH").mad == D("21500000")


def test_euros_alone_are_converted_at_the_stated_rate_and_say_so() -> None:
    money = only("un financement de 500.000 euros")
    assert money.mad == D("500000") * EUR_TO_MAD
    assert money.converted
    assert money.confidence <= 0.6
    assert "10.80" in money.note
    assert only("2 M€").mad == D("2000000") * EUR_TO_MAD
    with override_settings(ESSOR_EUR_TO_MAD="11"):
        assert only("1 million d'euros").mad == D("11000000")


def test_millions_without_a_currency_are_dirhams_only_after_a_word_of_money() -> None:
    money = only("un budget global de 2,96 millions")
    assert (money.mad, money.assumed_currency) == (D("2960000"), True)
    assert money.confidence < only("2,96 millions de dirhams").confidence
    assert find_amounts("le secteur fait vivre plus de 2,3 millions d'artisans") == []
    assert find_amounts("2,96 millions de projets") == []


def test_counts_years_and_articles_are_not_amounts() -> None:
    for text in (
        "plus de 1.500 projets",
        "3.000 jeunes âgés de 18 à 40 ans",
        "trois mille jeunes",
        "pour la période 2023-2025",
        "un bus qui servira de maison des TPE",
        "une enveloppe budgétaire",
        "Le 08/08/2023",
    ):
        assert find_amounts(text) == [], text


def test_several_amounts_in_a_sentence_each_keep_their_place() -> None:
    text = "une enveloppe de 50 MDH, dont 20 MDH du Conseil régional et 30 MDH de l'INDH"
    found = find_amounts(text)
    assert [m.mad for m in found] == [D("50000000"), D("20000000"), D("30000000")]
    assert [text[m.start : m.end] for m in found] == ["50 MDH", "20 MDH", "30 MDH"]


def test_parse_money_reads_a_whole_amount_or_nothing() -> None:
    money = parse_money("25 millions de DH")
    assert money is not None
    assert money.mad == D("25000000")
    assert parse_money("1.500 projets") is None


# --- Properties: any amount, written in a press style, reads back as itself -----------------

UNITS = [
    "zéro",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
]
TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _below_100(n: int) -> str:
    if n < 17:
        return UNITS[n]
    if n < 20:
        return "dix-" + UNITS[n - 10]
    if n < 70:
        tens, unit = divmod(n, 10)
        if unit == 0:
            return TENS[tens]
        return TENS[tens] + (" et un" if unit == 1 else "-" + UNITS[unit])
    if n < 80:
        return "soixante et onze" if n == 71 else "soixante-" + _below_100(n - 60)
    return "quatre-vingts" if n == 80 else "quatre-vingt-" + _below_100(n - 80)


def _below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if hundreds == 0:
        return _below_100(rest)
    head = "cent" if hundreds == 1 else UNITS[hundreds] + " cent" + ("s" if rest == 0 else "")
    return head if rest == 0 else f"{head} {_below_100(rest)}"


def french_words(n: int) -> str:
    """``n`` (1 to 999,999) in French words, as a journalist writes it."""
    thousands, rest = divmod(n, 1000)
    if thousands == 0:
        return _below_1000(rest)
    head = "mille" if thousands == 1 else _below_1000(thousands) + " mille"
    return head if rest == 0 else f"{head} {_below_1000(rest)}"


def grouped(n: int, separator: str) -> str:
    digits = str(n)
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return separator.join(groups)


def decimal_fr(value: Decimal) -> str:
    """``105.50`` → ``105,5``: a comma before the decimals, no trailing zeros."""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


amounts = st.integers(min_value=1, max_value=50_000_000_000)
hundredths_of_millions = st.integers(min_value=1, max_value=99_999)


@given(
    amounts,
    st.sampled_from([".", " ", "\u00a0", "\u202f"]),
    st.sampled_from(["DH", "dirhams", "DHS", "MAD"]),
)
def test_digits_with_thousands_separators_read_back(n: int, separator: str, currency: str) -> None:
    text = f"une enveloppe de {grouped(n, separator)} {currency}."
    assert only(text).mad == Decimal(n)


@given(
    hundredths_of_millions,
    st.sampled_from(["millions de DH", "millions de dirhams", "millions dirhams", "MDH", "M DH"]),
)
def test_millions_with_a_decimal_comma_read_back(k: int, unit: str) -> None:
    millions = Decimal(k) / 100
    text = f"un budget de {decimal_fr(millions)} {unit} pour"
    assert only(text).mad == Decimal(k) * 10_000


@given(st.integers(min_value=1, max_value=999), st.sampled_from(["MMDH", "milliards de dirhams"]))
def test_billions_read_back(k: int, unit: str) -> None:
    billions = Decimal(k) / 10
    assert only(f"un programme de {decimal_fr(billions)} {unit}").mad == Decimal(k) * 10**8


@given(st.integers(min_value=1, max_value=999))
def test_millions_in_words_read_back(n: int) -> None:
    unit = "million" if n == 1 else "millions"
    assert only(f"une dotation de {french_words(n)} {unit} de dirhams").mad == Decimal(n) * 10**6


@given(st.integers(min_value=2, max_value=999_999))
def test_whole_amounts_in_words_read_back(n: int) -> None:
    assert only(f"une aide de {french_words(n)} dirhams").mad == Decimal(n)


@given(hundredths_of_millions, st.integers(min_value=1, max_value=999_999))
def test_euros_with_their_dirhams_read_back_as_the_dirhams(k: int, euros: int) -> None:
    dirhams = Decimal(k) * 10_000
    text = f"un don de {grouped(euros, '.')} euros (soit {decimal_fr(Decimal(k) / 100)} MDH)"
    money = only(text)
    assert (money.mad, money.original, money.converted) == (dirhams, Decimal(euros), False)


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999999.99"), places=2))
def test_the_number_parser_reads_french_and_english_grouping(value: Decimal) -> None:
    whole, cents = f"{value:.2f}".split(".")
    french = f"{grouped(int(whole), '.')},{cents}"
    spaced = f"{grouped(int(whole), ' ')},{cents}"
    assert parse_number(french) == value
    assert parse_number(spaced) == value
    assert parse_number(f"{whole},{cents}") == value
