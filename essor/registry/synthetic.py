"""Synthetic Moroccan project holders, for benchmarks, tests and the demo.

Names come from ``shared/reference/names`` (given names and surnames attested in Wikidata with
their Latin spellings and frequencies, CC0): each person gets an Arabic form and one of the
attested Latin spellings, drawn by frequency. Deterministic for a given seed.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

# A copy of shared/reference/names/morocco_name_units_wikidata.csv (Wikidata, CC0 1.0; see
# essor/registry/data/SOURCES.md), kept in the repository so that the demo and the benchmarks
# build on a fresh clone with nothing beside it.
NAMES_FILE = Path(__file__).resolve().parent / "data" / "morocco_name_units_wikidata.csv"
MIN_COUNT = 1  # every attested name; spellings are drawn by frequency, so noise stays rare


@dataclass(frozen=True)
class NameUnit:
    arabic: str
    spellings: tuple[str, ...]
    weights: tuple[int, ...]
    total: int


@lru_cache(maxsize=1)
def name_units() -> dict[str, list[NameUnit]]:
    """Given names and surnames, each with its Latin spellings weighted by attestation."""
    path = NAMES_FILE
    grouped: dict[tuple[str, str], dict[str, int]] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            count = int(row["count"])
            if count < MIN_COUNT or row["role"] not in {"given", "surname"}:
                continue
            grouped.setdefault((row["role"], row["arabic_key"]), {})[row["latin"]] = count
    units: dict[str, list[NameUnit]] = {"given": [], "surname": []}
    for (role, arabic), spellings in sorted(grouped.items()):
        ordered = sorted(spellings.items(), key=lambda item: -item[1])
        units[role].append(
            NameUnit(
                arabic=arabic,
                spellings=tuple(s for s, _ in ordered),
                weights=tuple(c for _, c in ordered),
                total=sum(spellings.values()),
            )
        )
    return units


@dataclass(frozen=True)
class SyntheticPerson:
    first_name: str
    last_name: str
    first_name_ar: str
    last_name_ar: str
    sex: str
    birth_date: date
    cin: str
    phone: str


CIN_PREFIXES = [
    "A",
    "AB",
    "AD",
    "B",
    "BE",
    "BH",
    "BJ",
    "BK",
    "C",
    "CD",
    "D",
    "E",
    "EE",
    "F",
    "G",
    "H",
    "I",
    "J",
    "JA",
    "JB",
    "K",
    "L",
    "LB",
    "M",
    "N",
    "P",
    "Q",
    "R",
    "S",
    "SH",
    "T",
    "U",
    "UA",
    "V",
    "W",
    "X",
    "Y",
    "Z",
    "ZT",
]


# Moroccan mobile ranges (operators' blocks), each followed by six digits.
MOBILE_PREFIXES = [
    "661",
    "662",
    "663",
    "664",
    "666",
    "667",
    "668",
    "670",
    "671",
    "672",
    "650",
    "651",
    "652",
    "653",
    "654",
    "655",
    "656",
    "610",
    "611",
    "612",
    "613",
    "614",
    "615",
    "616",
    "618",
    "619",
    "620",
    "621",
    "622",
    "623",
    "624",
    "625",
    "626",
    "627",
    "628",
    "629",
    "630",
    "631",
    "632",
    "633",
    "634",
    "635",
    "636",
    "637",
    "638",
    "639",
    "640",
    "641",
    "642",
    "643",
    "644",
    "645",
    "646",
    "647",
    "648",
    "649",
    "658",
    "659",
    "660",
    "665",
    "669",
    "673",
    "674",
    "675",
    "676",
    "677",
    "678",
    "679",
    "680",
    "681",
    "682",
    "684",
    "687",
    "688",
    "689",
    "690",
    "691",
    "693",
    "694",
    "695",
    "696",
    "697",
    "698",
    "699",
]

FEMININE_ENDINGS = ("ه", "ى", "اء")
FEMININE_NAMES = {
    "مريم",
    "زينب",
    "سعاد",
    "نوال",
    "وداد",
    "ابتسام",
    "كوثر",
    "هند",
    "سناء",
    "اسماء",
    "احلام",
    "ايمان",
    "بشرى",
    "حنان",
    "سلوى",
    "نزهه",
    "لبنى",
    "هاجر",
    "حياه",
    "رجاء",
    "وفاء",
    "صفاء",
    "ليلى",
    "منى",
    "نجاه",
    "خديجه",
    "فاطمه",
    "عائشه",
    "امينه",
    "نعيمه",
    "سميره",
}


def is_feminine(unit: NameUnit) -> bool:
    """Given names carry no sex in the data: feminine endings and a list of common ones."""
    return unit.arabic in FEMININE_NAMES or unit.arabic.endswith(FEMININE_ENDINGS)


def _sex_of(unit: NameUnit, rng: random.Random) -> str:
    if is_feminine(unit):
        return "F"
    return "M" if rng.random() < 0.97 else "F"


def persons(count: int, *, seed: int = 1, today: date | None = None) -> Iterator[SyntheticPerson]:
    """``count`` distinct synthetic persons (CIN and phone unique within one call)."""
    rng = random.Random(seed)
    units = name_units()
    given, surnames = units["given"], units["surname"]
    given_w = [u.total for u in given]
    surname_w = [u.total for u in surnames]
    today = today or date(2025, 12, 31)
    used_cins: set[str] = set()
    for index in range(count):
        first = rng.choices(given, given_w)[0]
        last = rng.choices(surnames, surname_w)[0]
        age_days = rng.randint(18 * 365, 60 * 365)
        while True:
            cin = rng.choice(CIN_PREFIXES) + str(rng.randint(10_000, 999_999))
            if cin not in used_cins:
                used_cins.add(cin)
                break
        # Phones: a valid mobile prefix and a unique tail derived from the index.
        prefix = MOBILE_PREFIXES[index % len(MOBILE_PREFIXES)]
        phone = f"+212{prefix}{(index * 7919 + seed) % 1_000_000:06d}"
        yield SyntheticPerson(
            first_name=rng.choices(first.spellings, first.weights)[0],
            last_name=rng.choices(last.spellings, last.weights)[0],
            first_name_ar=first.arabic,
            last_name_ar=last.arabic,
            sex=_sex_of(first, rng),
            birth_date=today - timedelta(days=age_days),
            cin=cin,
            phone=phone,
        )
