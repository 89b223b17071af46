"""Synthetic project holders: who they are, where they live, and who entered them twice.

Names come from ``essor.registry.synthetic`` (given names and surnames attested in Wikidata with
their Latin spellings and frequencies): each person has an Arabic and a Latin form. Sex, age and
commune are drawn in the shares of ``docs/how-to/generate-data.md``. A share of the persons is
entered a second time by another partner, varied as ``essor.linkage.synthetic.vary`` does
(another transliteration, one script only, a mistyped or missing CIN, no phone…); the truth
(record -> person) is written to ``generator_trueidentity``.

Records are drawn in two passes so that memory stays small at national scale: ``draw_records``
decides, per record, its commune, its person and whether it is a duplicate (compact arrays);
``person_rows`` then makes the rows, once the holders of each record are known.
"""

from __future__ import annotations

import bisect
import itertools
import random
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from essor.core.crypto import seal
from essor.linkage.synthetic import Variations, spellings, vary
from essor.registry import synthetic
from essor.registry.synthetic import CIN_PREFIXES, NameUnit, SyntheticPerson

AS_OF = date(2025, 12, 31)

# Shares (see docs/how-to/generate-data.md for their sources).
WOMEN_SHARE = 0.38
AGE_BANDS = [  # (youngest, oldest, share)
    (18, 24, 0.14),
    (25, 34, 0.38),
    (35, 44, 0.28),
    (45, 54, 0.14),
    (55, 64, 0.06),
]
DUPLICATE_SHARE = 0.08  # persons entered a second time by another partner
MERGED_SHARE = 0.3  # of those second records, already merged by an earlier linkage run

PERSON_COLUMNS = [
    "search",
    "id",
    "created_at",
    "updated_at",
    "archived_at",
    "archive_reason",
    "merged_into_id",
    "first_name",
    "last_name",
    "first_name_ar",
    "last_name_ar",
    "sex",
    "birth_date",
    "cin",
    "phone",
    "email",
    "address",
    "commune_id",
    "education_level",
    "registered_by_id",
    "identity_key",
]
EDUCATION = {
    "": 20,
    "none": 7,
    "primary": 12,
    "middle": 14,
    "secondary": 12,
    "baccalaureate": 11,
    "vocational": 12,
    "bachelor": 9,
    "master": 3,
}


def at(day: date | int, hour: int = 10) -> datetime:
    """A UTC datetime on ``day`` (a date or an ordinal) at ``hour``."""
    if isinstance(day, int):
        day = date.fromordinal(day)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def weighted(rng: random.Random, weights: dict[str, int]) -> Iterator[str]:
    """An endless stream of keys drawn by weight (cheap per draw)."""
    keys = list(weights)
    cumulative = list(itertools.accumulate(weights.values()))
    total = cumulative[-1]
    while True:
        yield keys[bisect.bisect_right(cumulative, rng.random() * total)]


def phone_of(entity: int) -> str:
    """A person's own mobile: 06 or 07 and eight digits, unique by person, random-looking."""
    tail = (entity * 54_435_761 + 12_345_678) % 100_000_000  # a bijection on eight digits
    return f"+212{'7' if entity % 5 == 0 else '6'}{tail:08d}"


@dataclass
class Records:
    """Per registry record (id = index + 1): commune, region index, person, original, merged."""

    commune: array[int]
    region: bytearray
    entity: array[int]
    original: array[int]  # the record this one duplicates, or 0
    merged: bytearray  # 1: already merged into its original (archived)
    entities: int

    def __len__(self) -> int:
        return len(self.commune)


def draw_records(
    count: int,
    communes: list[tuple[int, int, str, int]],
    *,
    seed: int,
    duplicate_share: float = DUPLICATE_SHARE,
    merged_share: float = MERGED_SHARE,
) -> Records:
    """``count`` records over ``communes`` (id, region index, kind, population), drawn by
    population; about ``duplicate_share`` of them enter again the person of the record before."""
    rng = random.Random(seed * 7919 + 101)
    ids = [c[0] for c in communes]
    cumulative = list(itertools.accumulate(c[3] for c in communes))
    region_of = {c[0]: c[1] for c in communes}
    drawn = rng.choices(ids, cum_weights=cumulative, k=count)
    records = Records(
        commune=array("i", drawn),
        region=bytearray(region_of[c] for c in drawn),
        entity=array("i", [0]) * count,
        original=array("i", [0]) * count,
        merged=bytearray(count),
        entities=0,
    )
    entity = 0
    for i in range(count):
        if i and not records.original[i - 1] and rng.random() < duplicate_share:
            records.entity[i] = entity
            records.original[i] = i  # the record before (id i)
            if rng.random() < 0.95:  # the same commune, or where they moved or the bus stopped
                records.commune[i] = records.commune[i - 1]
                records.region[i] = records.region[i - 1]
            records.merged[i] = rng.random() < merged_share
        else:
            entity += 1
            records.entity[i] = entity
    records.entities = entity
    return records


class People:
    """Draws the persons behind the records: sex first, then a given name of that sex."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed * 7919 + 202)
        units = synthetic.name_units()
        women = [u for u in units["given"] if synthetic.is_feminine(u)]
        men = [u for u in units["given"] if not synthetic.is_feminine(u)]
        self.given = {"F": women, "M": men}
        self.given_w = {sex: [u.total for u in names] for sex, names in self.given.items()}
        self.surnames = units["surname"]
        self.surname_w = [u.total for u in self.surnames]
        self.bands = [(low, high) for low, high, _ in AGE_BANDS]
        self.band_w = [share for _, _, share in AGE_BANDS]
        self.used_cins: set[str] = set()

    def draw(self, entity: int) -> SyntheticPerson:
        rng = self.rng
        sex = "F" if rng.random() < WOMEN_SHARE else "M"
        first: NameUnit = rng.choices(self.given[sex], self.given_w[sex])[0]
        last: NameUnit = rng.choices(self.surnames, self.surname_w)[0]
        low, high = rng.choices(self.bands, self.band_w)[0]
        birth = AS_OF - timedelta(days=rng.randint(low * 365 + 1, (high + 1) * 365 - 1))
        while True:
            cin = rng.choice(CIN_PREFIXES) + str(rng.randint(10_000, 999_999))
            if cin not in self.used_cins:
                self.used_cins.add(cin)
                break
        return SyntheticPerson(
            first_name=rng.choices(first.spellings, first.weights)[0],
            last_name=rng.choices(last.spellings, last.weights)[0],
            first_name_ar=first.arabic,
            last_name_ar=last.arabic,
            sex=sex,
            birth_date=birth,
            cin=cin,
            phone=phone_of(entity),
        )


def person_rows(
    records: Records,
    *,
    seed: int,
    holders: Callable[[int], list[int]],
    registered_on: Callable[[int], int],
    search: bool,
) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[int, str]]]]:
    """The rows of every record: (person row, its holdings, its name keys).

    ``holders(pk)`` lists the partners holding the record, the one that registered it first;
    ``registered_on(pk)`` is the day (ordinal) it was entered. With ``search`` (PostgreSQL), the
    search vector is built as the app builds it."""
    from essor.registry import search_index
    from essor.registry.names import identity_key, person_name_keys

    people = People(seed)
    rng = random.Random(seed * 7919 + 303)
    variations = Variations()
    names_of = spellings()
    education = weighted(rng, EDUCATION)
    person: SyntheticPerson | None = None
    used_cins = people.used_cins
    merged_at = at(AS_OF, 9)
    for i in range(len(records)):
        pk = i + 1
        commune: int | None = records.commune[i]
        if records.original[i]:
            assert person is not None
            row = vary(person, records.commune[i], variations, names_of, rng)
            if row["cin"] and row["cin"] in used_cins:
                row["cin"] = ""  # the registry refuses a CIN it knows: this one came without
            elif row["cin"]:
                used_cins.add(row["cin"])
            commune = row["commune_id"] or None
            values = (
                row["first_name"],
                row["last_name"],
                row["first_name_ar"],
                row["last_name_ar"],
                row["sex"],
                row["birth_date"],
                row["cin"],
                row["phone"],
            )
        else:
            person = people.draw(records.entity[i])
            values = (
                person.first_name,
                person.last_name,
                person.first_name_ar,
                person.last_name_ar,
                person.sex,
                person.birth_date,
                person.cin,
                person.phone,
            )
        names = values[:4]
        keys = sorted({k[:64] for k in person_name_keys(*names)})
        held = holders(pk)
        stamp = at(registered_on(pk))
        merged = records.merged[i]
        yield (
            (
                search_index.vector(keys, held) if search else None,
                pk,
                stamp,
                merged_at if merged else stamp,
                merged_at if merged else None,
                "Doublon fusionné" if merged else "",
                records.original[i] if merged else None,
                *values[:6],
                seal(values[6], "cin"),  # encrypted at rest, as the model stores them
                seal(values[7], "phone"),
                "",
                "",
                commune,
                next(education),
                held[0],
                identity_key(*names, values[5]),
            ),
            [(pk, h, stamp, "generate") for h in held],
            [(pk, k) for k in keys],
        )
