"""The linkage model for persons: which fields are compared, at which levels, and how a pair is
scored.

Each comparison is a short list of levels, from the strongest agreement to "else". The same
levels are written twice on purpose: as SQL for Splink (the batch over the registry, on DuckDB)
and as Python (one incoming record against a few hundred candidates, and the evidence shown to
a reviewer). ``test_linkage_model`` checks that both give the same level and the same score on
the pairs of a run. The weights (m and u probabilities) come from the last trained run; until
one exists, the defaults below stand (documented in docs/decisions/0014).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from jellyfish import damerau_levenshtein_distance

Record = Mapping[str, Any]


def edits(a: str, b: str) -> int:
    """Damerau-Levenshtein distance: a transposition counts as one edit."""
    return int(damerau_levenshtein_distance(a, b))


_dl = edits


def _both(column: str) -> str:
    return f'"{column}_l" IS NOT NULL AND "{column}_r" IS NOT NULL'


@dataclass(frozen=True)
class Level:
    label: str
    sql: str
    test: Callable[[Record, Record], bool]
    m: float  # default m probability, used until a run has trained the model
    u: float  # default u probability
    null: bool = False


@dataclass(frozen=True)
class Comparison:
    name: str
    description: str
    levels: tuple[Level, ...]

    def level_of(self, left: Record, right: Record) -> Level:
        for level in self.levels:
            if level.test(left, right):
                return level
        return self.levels[-1]


def _null_of(*columns: str) -> Callable[[Record, Record], bool]:
    def test(left: Record, right: Record) -> bool:
        return any(left.get(c) is None or right.get(c) is None for c in columns)

    return test


def _names_null(left: Record, right: Record) -> bool:
    # A name comparison needs a given name on each side; a family name alone is not a person.
    return left.get("given_key") is None or right.get("given_key") is None


def _same(column: str) -> Callable[[Record, Record], bool]:
    return lambda left, right: left.get(column) == right.get(column)


def _close(column: str, edits: int) -> Callable[[Record, Record], bool]:
    def test(left: Record, right: Record) -> bool:
        a, b = left.get(column), right.get(column)
        return a is not None and b is not None and _dl(a, b) <= edits

    return test


def _family_missing_given_same(left: Record, right: Record) -> bool:
    return left.get("given_key") == right.get("given_key") and (
        left.get("family_key") is None or right.get("family_key") is None
    )


def _swapped(left: Record, right: Record) -> bool:
    return (
        left.get("family_key") is not None
        and left.get("given_key") == right.get("family_key")
        and left.get("family_key") == right.get("given_key")
    )


def _both_close(left: Record, right: Record) -> bool:
    return _close("given_key", 1)(left, right) and _close("family_key", 1)(left, right)


def _family_same(left: Record, right: Record) -> bool:
    return left.get("family_key") is not None and left["family_key"] == right.get("family_key")


def _both_exact(left: Record, right: Record) -> bool:
    return left.get("family_key") is not None and (
        left["given_key"] == right["given_key"] and left["family_key"] == right["family_key"]
    )


NAMES = Comparison(
    "names",
    "given and family name keys",
    (
        Level("missing", '"given_key_l" IS NULL OR "given_key_r" IS NULL', _names_null, 0, 0, True),
        Level(
            "both the same",
            '"family_key_l" IS NOT NULL AND "given_key_l" = "given_key_r" '
            'AND "family_key_l" = "family_key_r"',
            _both_exact,
            0.80,
            0.0005,
        ),
        Level(
            "given and family swapped",
            '"family_key_l" IS NOT NULL AND "given_key_l" = "family_key_r" '
            'AND "family_key_l" = "given_key_r"',
            _swapped,
            0.02,
            0.00001,
        ),
        Level(
            "both close (one edit each)",
            f'{_both("family_key")} AND damerau_levenshtein("given_key_l", "given_key_r") <= 1 '
            'AND damerau_levenshtein("family_key_l", "family_key_r") <= 1',
            _both_close,
            0.10,
            0.002,
        ),
        Level(
            "same given name, family name missing",
            '"given_key_l" = "given_key_r" AND ("family_key_l" IS NULL OR "family_key_r" IS NULL)',
            _family_missing_given_same,
            0.03,
            0.02,
        ),
        Level(
            "same family name only",
            '"family_key_l" IS NOT NULL AND "family_key_l" = "family_key_r"',
            _family_same,
            0.03,
            0.005,
        ),
        Level("else", "ELSE", lambda _l, _r: True, 0.02, 0.99),
    ),
)


def _cin_close(left: Record, right: Record) -> bool:
    return _close("cin", 1)(left, right)


CIN = Comparison(
    "cin",
    "CIN",
    (
        Level("missing", '"cin_l" IS NULL OR "cin_r" IS NULL', _null_of("cin"), 0, 0, True),
        Level("the same", '"cin_l" = "cin_r"', _same("cin"), 0.92, 0.000001),
        Level(
            "one edit or a transposition",
            'damerau_levenshtein("cin_l", "cin_r") <= 1',
            _cin_close,
            0.06,
            0.00005,
        ),
        Level("different", "ELSE", lambda _l, _r: True, 0.02, 0.99995),
    ),
)


def _date_typo(left: Record, right: Record) -> bool:
    a, b = left.get("birth_date"), right.get("birth_date")
    if a is None or b is None:
        return False
    if (a.year, a.month, a.day) == (b.year, b.day, b.month):
        return True  # day and month swapped
    return _dl(a.isoformat(), b.isoformat()) <= 1


def _same_year(left: Record, right: Record) -> bool:
    a, b = left.get("birth_date"), right.get("birth_date")
    return a is not None and b is not None and abs((a - b).days) <= 366


BIRTH_DATE = Comparison(
    "birth_date",
    "birth date",
    (
        Level(
            "missing",
            '"birth_date_l" IS NULL OR "birth_date_r" IS NULL',
            _null_of("birth_date"),
            0,
            0,
            True,
        ),
        Level("the same", '"birth_date_l" = "birth_date_r"', _same("birth_date"), 0.90, 0.00007),
        Level(
            "a typing slip (one character, or day and month swapped)",
            '(year("birth_date_l") = year("birth_date_r") '
            'AND month("birth_date_l") = day("birth_date_r") '
            'AND day("birth_date_l") = month("birth_date_r")) OR '
            'damerau_levenshtein(CAST("birth_date_l" AS VARCHAR), '
            'CAST("birth_date_r" AS VARCHAR)) <= 1',
            _date_typo,
            0.06,
            0.002,
        ),
        Level(
            "within a year",
            'abs(date_diff(\'day\', "birth_date_l", "birth_date_r")) <= 366',
            _same_year,
            0.02,
            0.02,
        ),
        Level("different", "ELSE", lambda _l, _r: True, 0.02, 0.98),
    ),
)


def _exact(column: str, label: str, m: float, u: float) -> Comparison:
    return Comparison(
        column,
        label,
        (
            Level(
                "missing",
                f'"{column}_l" IS NULL OR "{column}_r" IS NULL',
                _null_of(column),
                0,
                0,
                True,
            ),
            Level("the same", f'"{column}_l" = "{column}_r"', _same(column), m, u),
            Level("different", "ELSE", lambda _l, _r: True, 1 - m, 1 - u),
        ),
    )


PHONE = _exact("phone", "phone", 0.70, 0.00002)
COMMUNE = _exact("commune", "commune", 0.85, 0.02)
SEX = _exact("sex", "sex", 0.97, 0.5)

COMPARISONS: tuple[Comparison, ...] = (NAMES, CIN, BIRTH_DATE, PHONE, COMMUNE, SEX)
COLUMNS = ("given_key", "family_key", "cin", "birth_date", "phone", "commune", "sex")
DEFAULT_PRIOR = 0.0001  # the chance that two records picked at random are one person

# Evidence strong enough to merge without a person looking: one of these must agree.
STRONG = {("cin", "the same"), ("cin", "one edit or a transposition"), ("phone", "the same")}
STRONG_WITH_NAMES = {("birth_date", "the same")}


def splink_comparisons() -> list[dict[str, Any]]:
    """The comparisons in Splink's settings format, with the default m and u."""
    result = []
    for comparison in COMPARISONS:
        levels = []
        for level in comparison.levels:
            entry: dict[str, Any] = {"sql_condition": level.sql, "label_for_charts": level.label}
            if level.null:
                entry["is_null_level"] = True
            else:
                entry["m_probability"] = level.m
                entry["u_probability"] = level.u
            levels.append(entry)
        result.append(
            {
                "output_column_name": comparison.name,
                "comparison_description": comparison.description,
                "comparison_levels": levels,
            }
        )
    return result


@dataclass(frozen=True)
class Weights:
    """Bayes factors by comparison and level label, and the prior, from a trained model."""

    factors: dict[str, dict[str, float]]
    prior: float

    @classmethod
    def default(cls) -> Weights:
        return cls.from_settings({"comparisons": splink_comparisons()}, DEFAULT_PRIOR)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], prior: float | None = None) -> Weights:
        factors: dict[str, dict[str, float]] = {}
        for comparison in settings.get("comparisons", []):
            levels: dict[str, float] = {}
            for level in comparison["comparison_levels"]:
                if level.get("is_null_level"):
                    levels[level["label_for_charts"]] = 1.0
                    continue
                m = max(level.get("m_probability") or 1e-9, 1e-9)
                u = max(level.get("u_probability") or 1e-9, 1e-9)
                levels[level["label_for_charts"]] = m / u
            factors[comparison["output_column_name"]] = levels
        if prior is None:
            prior = float(settings.get("probability_two_random_records_match", DEFAULT_PRIOR))
        return cls(factors, prior)


@dataclass(frozen=True)
class Scored:
    probability: float
    weight: float
    levels: dict[str, str]  # comparison name -> level label

    @property
    def conflicting_cin(self) -> bool:
        return self.levels.get("cin") == "different"

    @property
    def strong(self) -> bool:
        """Identifiers agree, not names alone: only such a pair may be merged automatically."""
        pairs = set(self.levels.items())
        names_agree = self.levels.get("names") in {"both the same", "given and family swapped"}
        return bool(pairs & STRONG) or (names_agree and bool(pairs & STRONG_WITH_NAMES))


def score(left: Record, right: Record, weights: Weights) -> Scored:
    """Score one pair in Python with the same levels as the SQL, and the trained weights."""
    levels: dict[str, str] = {}
    log2 = math.log2(weights.prior / (1 - weights.prior))
    for comparison in COMPARISONS:
        level = comparison.level_of(left, right)
        levels[comparison.name] = level.label
        factor = weights.factors.get(comparison.name, {}).get(level.label, 1.0)
        log2 += math.log2(max(factor, 1e-300))
    probability = 1.0 / (1.0 + 2.0 ** (-log2)) if log2 > -1000 else 0.0
    return Scored(probability, log2, levels)


PLACEHOLDER_CIN = re.compile(r"^(?:[A-Z]{0,2}0+|X+|[A-Z]{1,2}|([A-Z0-9])\1+|1234567?8?9?)$")


def clean_cin(value: str | None) -> str | None:
    """A CIN usable as evidence, or None: placeholders ("X", "000000", "AA") are not evidence."""
    if not value:
        return None
    cin = re.sub(r"[^A-Z0-9]", "", value.upper())
    if len(cin) < 4 or PLACEHOLDER_CIN.match(cin):
        return None
    return cin


def as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
