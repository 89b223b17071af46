"""Synthetic registries with duplicates entered by different partners, and the truth.

Built on :mod:`essor.registry.synthetic` (attested Moroccan names in both scripts). A share of
the persons is entered a second (or third) time, as another partner would: another attested
transliteration, Arabic script only or Latin script only, a mistyped or missing CIN, no phone,
a missing or mistyped birth date, given and family names swapped. ``entity`` keeps the truth,
so that linkage can be scored. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from essor.registry import synthetic

Row = dict[str, Any]


@dataclass(frozen=True)
class Variations:
    """How often each variation happens to a duplicate (each drawn independently)."""

    other_spelling: float = 0.5
    arabic_only: float = 0.25
    latin_only: float = 0.25
    cin_typo: float = 0.08
    cin_missing: float = 0.35
    phone_missing: float = 0.35
    phone_other: float = 0.05
    birth_missing: float = 0.15
    birth_typo: float = 0.05
    swapped: float = 0.03
    commune_missing: float = 0.05
    commune_other: float = 0.04  # moved, or registered where the bus stopped


def spellings() -> dict[str, tuple[tuple[str, ...], tuple[int, ...]]]:
    units = synthetic.name_units()
    return {u.arabic: (u.spellings, u.weights) for role in units.values() for u in role}


def _typo(text: str, rng: random.Random) -> str:
    """One substitution of a digit, or two neighbours swapped."""
    chars = list(text)
    digits = [i for i, c in enumerate(chars) if c.isdigit()]
    if rng.random() < 0.5 and len(digits) >= 2:
        i = rng.choice(digits[:-1])
        if chars[i + 1].isdigit() and chars[i] != chars[i + 1]:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
            return "".join(chars)
    i = rng.choice(digits)
    chars[i] = rng.choice([d for d in "0123456789" if d != chars[i]])
    return "".join(chars)


def registry(
    count: int,
    *,
    duplicate_share: float = 0.2,
    communes: Sequence[int] = tuple(range(1, 101)),
    commune_weights: Sequence[float] | None = None,
    variations: Variations | None = None,
    unique_cin: bool = True,
    seed: int = 1,
) -> tuple[list[Row], dict[int, int]]:
    """``count`` persons plus duplicates of ``duplicate_share`` of them; rows and truth.

    Rows have the registry's columns (``id``, names in both scripts, ``sex``, ``birth_date``,
    ``cin``, ``phone``, ``commune_id``); ``truth`` maps each row id to its person. With
    ``unique_cin`` (the registry's rule: an import matches a known CIN instead of creating a
    record), a duplicate never repeats its original's CIN exactly: it has none or a mistyped one.
    """
    variations = variations or Variations()
    rng = random.Random(seed)
    names_of = spellings()
    rows: list[Row] = []
    truth: dict[int, int] = {}
    used_cins: set[str] = set()
    for entity, person in enumerate(synthetic.persons(count, seed=seed), start=1):
        commune = rng.choices(communes, commune_weights)[0]
        original: Row = {
            "id": len(rows) + 1,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "first_name_ar": person.first_name_ar,
            "last_name_ar": person.last_name_ar,
            "sex": person.sex,
            "birth_date": person.birth_date,
            "cin": person.cin,
            "phone": person.phone,
            "commune_id": commune,
        }
        # Partners' lists are in one script about half of the time.
        script = rng.random()
        if script < 0.25:
            original["first_name_ar"] = original["last_name_ar"] = ""
        elif script < 0.4:
            original["first_name"] = original["last_name"] = ""
        rows.append(original)
        used_cins.add(person.cin)
        truth[original["id"]] = entity
        copies = 0
        if rng.random() < duplicate_share:
            copies = 2 if rng.random() < 0.1 else 1
        for _ in range(copies):
            duplicate = vary(person, commune, variations, names_of, rng)
            if rng.random() < variations.commune_other:
                duplicate["commune_id"] = rng.choice(communes)
            duplicate["id"] = len(rows) + 1
            if unique_cin and duplicate["cin"] in used_cins:
                duplicate["cin"] = ""
            if duplicate["cin"]:
                used_cins.add(duplicate["cin"])
            rows.append(duplicate)
            truth[duplicate["id"]] = entity
    return rows, truth


def vary(
    person: synthetic.SyntheticPerson,
    commune: int,
    v: Variations,
    spellings: dict[str, tuple[tuple[str, ...], tuple[int, ...]]],
    rng: random.Random,
) -> Row:
    first, last = person.first_name, person.last_name
    known = person.first_name_ar in spellings and person.last_name_ar in spellings
    if rng.random() < v.other_spelling and known:
        first = rng.choices(*spellings[person.first_name_ar])[0]
        last = rng.choices(*spellings[person.last_name_ar])[0]
    row: Row = {
        "first_name": first,
        "last_name": last,
        "first_name_ar": person.first_name_ar,
        "last_name_ar": person.last_name_ar,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "cin": person.cin,
        "phone": person.phone,
        "commune_id": commune,
    }
    script = rng.random()
    if script < v.arabic_only:
        row["first_name"] = row["last_name"] = ""
    elif script < v.arabic_only + v.latin_only:
        row["first_name_ar"] = row["last_name_ar"] = ""
    if rng.random() < v.swapped:
        row["first_name"], row["last_name"] = row["last_name"], row["first_name"]
        row["first_name_ar"], row["last_name_ar"] = row["last_name_ar"], row["first_name_ar"]
    draw = rng.random()
    if draw < v.cin_missing:
        row["cin"] = ""
    elif draw < v.cin_missing + v.cin_typo:
        row["cin"] = _typo(person.cin, rng)
    draw = rng.random()
    if draw < v.phone_missing:
        row["phone"] = ""
    elif draw < v.phone_missing + v.phone_other:
        row["phone"] = f"+2126{rng.randint(10_000_000, 99_999_999)}"
    draw = rng.random()
    if draw < v.birth_missing:
        row["birth_date"] = None
    elif draw < v.birth_missing + v.birth_typo:
        birth = person.birth_date
        if birth.day <= 12 and birth.day != birth.month:
            row["birth_date"] = birth.replace(month=birth.day, day=birth.month)
        else:
            row["birth_date"] = birth + timedelta(days=rng.choice([-1, 1]))
    if rng.random() < v.commune_missing:
        row["commune_id"] = None
    return row
