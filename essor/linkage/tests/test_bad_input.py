"""Bad input does not merge people on weak evidence, and giant false clusters never form.

One batch run over a synthetic registry mixed with hostile rows, as partners' lists hold them:
thousands of different people sharing a cooperative's phone, placeholder CINs, records with
a first name alone, Arabic names written with diacritics and tatweel, names in mixed scripts.
No database: the rows are registry-shaped dicts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest
from django.utils import translation

from essor.linkage import batch, model, synthetic
from essor.linkage.lookup import REVIEW_THRESHOLD, Match
from essor.linkage.namekey import name_key, person_keys
from essor.registry import synthetic as registry_synthetic

COOPERATIVE_PHONE = "+212522000000"
SHARED_PHONE_PEOPLE = 2_000
PLACEHOLDER_CINS = ("X", "000000", "AA000000", "XXXX")
PLACEHOLDER_PEOPLE = 500
FIRST_NAMES_ALONE = ("Mohamed", "محمد", "Fatima", "فاطمة", "Ahmed", "أحمد")
FIRST_NAME_ALONE_ROWS = 300
VARIANTS = 40  # real persons entered again with diacritics and tatweel, and in mixed scripts
MAX_AUTO_COMPONENT = 3  # one person entered at most three times in the synthetic registry

# Fatha, damma, kasra, shadda, sukun: the harakat a careful typist adds.
_HARAKAT = "\u064e\u064f\u0650\u0651\u0652"
_TATWEEL = "\u0640"

Row = dict[str, Any]
Pair = tuple[int, int]


def with_marks(arabic: str) -> str:
    """``محمد`` → ``مَحُمِّـــدْ``: a haraka after each letter, tatweel in the middle."""
    letters = [c + _HARAKAT[i % len(_HARAKAT)] if c != " " else c for i, c in enumerate(arabic)]
    middle = len(letters) // 2
    return "".join(letters[:middle]) + _TATWEEL * 3 + "".join(letters[middle:])


@dataclass
class Data:
    rows: list[Row]
    person: dict[int, int]  # row id -> the real person behind it
    shared_phone: set[int]
    placeholder: set[int]
    first_name_alone: set[int]
    marked: dict[int, int]  # row with diacritics and tatweel -> its plain original
    mixed: dict[int, int]  # row with a mixed-script name -> its original


def _distinct_strangers(
    taken: set[tuple[str, str]],
) -> Iterator[registry_synthetic.SyntheticPerson]:
    """Synthetic persons whose names (as linkage keys) nobody else in the data set has."""
    for stranger in registry_synthetic.persons(50_000, seed=404):
        keys = person_keys("", "", stranger.first_name_ar, stranger.last_name_ar)
        if keys not in taken:
            taken.add(keys)
            yield stranger


def hostile_registry() -> Data:
    rows, person = synthetic.registry(3_000, seed=5)
    entered = Counter(person.values())
    # Persons entered once, so that with their variant they make two records, not four.
    # Their given name's two scripts must agree (the attested spellings hold some Wikidata
    # noise, e.g. "Mouha Ou" for بن حمو): the test is about mixed scripts, not that noise.
    originals = [
        r
        for r in rows
        if entered[person[r["id"]]] == 1
        and r["first_name"]
        and r["first_name_ar"]
        and r["cin"]
        and name_key(r["first_name"]) == name_key(r["first_name_ar"])
    ]
    taken = {
        person_keys(r["first_name"], r["last_name"], r["first_name_ar"], r["last_name_ar"])
        for r in rows
    }
    strangers = _distinct_strangers(taken)
    next_person = max(person.values()) + 1

    def add(row: Row, real_person: int | None = None) -> int:
        nonlocal next_person
        blank: Row = {"id": len(rows) + 1, "sex": "", "birth_date": None, "cin": "", "phone": ""}
        row = blank | row
        rows.append(row)
        if real_person is None:
            real_person, next_person = next_person, next_person + 1
        person[row["id"]] = real_person
        return int(row["id"])

    shared_phone = set()
    for _ in range(SHARED_PHONE_PEOPLE):
        s = next(strangers)
        shared_phone.add(
            add(
                {
                    "first_name": s.first_name,
                    "last_name": s.last_name,
                    "first_name_ar": s.first_name_ar,
                    "last_name_ar": s.last_name_ar,
                    "sex": s.sex,
                    "phone": COOPERATIVE_PHONE,
                    "commune_id": 1,
                }
            )
        )
    placeholder = set()
    for i in range(PLACEHOLDER_PEOPLE):
        s = next(strangers)
        placeholder.add(
            add(
                {
                    "first_name": s.first_name,
                    "last_name": s.last_name,
                    "first_name_ar": s.first_name_ar,
                    "last_name_ar": s.last_name_ar,
                    "sex": s.sex,
                    "birth_date": s.birth_date,
                    "cin": PLACEHOLDER_CINS[i % len(PLACEHOLDER_CINS)],
                    "commune_id": 2,
                }
            )
        )
    first_name_alone = {
        add({"first_name": name} if name.isascii() else {"first_name_ar": name})
        for name in (
            FIRST_NAMES_ALONE[i % len(FIRST_NAMES_ALONE)] for i in range(FIRST_NAME_ALONE_ROWS)
        )
    }
    # Real persons entered again by another partner: the same CIN, no birth date nor phone,
    # so that only the names can bring the pair to the automatic band.
    marked: dict[int, int] = {}
    mixed: dict[int, int] = {}
    for original in originals[:VARIANTS]:
        variant = {
            "first_name_ar": with_marks(original["first_name_ar"]),
            "last_name_ar": with_marks(original["last_name_ar"]),
            "cin": original["cin"],
            "commune_id": original["commune_id"],
        }
        marked[add(variant, person[original["id"]])] = original["id"]
    for original in originals[VARIANTS : 2 * VARIANTS]:
        variant = {
            # Latin given name, Arabic family name typed into the Latin field.
            "first_name": original["first_name"],
            "last_name": original["last_name_ar"],
            "cin": original["cin"],
            "commune_id": original["commune_id"],
        }
        mixed[add(variant, person[original["id"]])] = original["id"]
    return Data(rows, person, shared_phone, placeholder, first_name_alone, marked, mixed)


def components(links: Iterable[Pair]) -> list[set[int]]:
    """Connected components of the links (a tiny union-find): what merging them would make."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        parent[root(a)] = root(b)
    groups: dict[int, set[int]] = defaultdict(set)
    for x in list(parent):
        groups[root(x)].add(x)
    return list(groups.values())


@dataclass
class Linked:
    data: Data
    df: pd.DataFrame
    bands: dict[Pair, str]  # every kept pair -> "auto" or "review"

    def pairs(self, band: str) -> set[Pair]:
        return {pair for pair, b in self.bands.items() if b == band}


def _value(value: Any) -> Any:
    return None if value is None or value is pd.NA or value is pd.NaT else value


@pytest.fixture(scope="module")
def linked() -> Linked:
    data = hostile_registry()
    df = batch.frame(data.rows)
    # A million random pairs (a twentieth of all) estimate u well enough for 6,500 records
    # and keep the test fast; the accuracy tests measure with the default limits.
    limits = batch.Limits(max_training_pairs=1_000_000)
    result = batch.run(df, threshold=REVIEW_THRESHOLD, limits=limits)
    records = {r["unique_id"]: {k: _value(v) for k, v in r.items()} for r in df.to_dict("records")}
    weights = model.Weights.from_settings(result.model)
    bands = {}
    for left, right in zip(result.pairs["unique_id_l"], result.pairs["unique_id_r"], strict=True):
        pair = (min(int(left), int(right)), max(int(left), int(right)))
        bands[pair] = Match(0, model.score(records[pair[0]], records[pair[1]], weights)).band
    return Linked(data, df, bands)


def test_no_two_different_people_reach_the_automatic_band(linked: Linked) -> None:
    person = linked.data.person
    wrong = sorted(p for p in linked.pairs("auto") if person[p[0]] != person[p[1]])

    print(f"\n{len(linked.df)} records, auto pairs {len(linked.pairs('auto'))}, wrong {wrong[:5]}")
    assert wrong == []


def test_frame_leaves_out_the_shared_phone_and_the_placeholder_cins(linked: Linked) -> None:
    by_id = linked.df.set_index("unique_id")
    data = linked.data

    phones = Counter(_value(p) for p in by_id.loc[sorted(data.shared_phone), "phone"])
    cins = Counter(_value(c) for c in by_id.loc[sorted(data.placeholder), "cin"])

    assert (phones, cins) == (
        Counter({None: SHARED_PHONE_PEOPLE}),
        Counter({None: PLACEHOLDER_PEOPLE}),
    )
    assert {cin: model.clean_cin(cin) for cin in PLACEHOLDER_CINS} == dict.fromkeys(
        PLACEHOLDER_CINS
    )


def test_shared_phone_placeholder_cins_and_lone_first_names_make_no_automatic_pair(
    linked: Linked,
) -> None:
    data = linked.data
    hostile = data.shared_phone | data.placeholder | data.first_name_alone

    touching = dict.fromkeys(("shared phone", "placeholder CIN", "first name alone"), 0)
    for pair in linked.pairs("auto"):
        for kind, ids in (
            ("shared phone", data.shared_phone),
            ("placeholder CIN", data.placeholder),
            ("first name alone", data.first_name_alone),
        ):
            touching[kind] += bool(set(pair) & ids)
    review = sum(bool(set(pair) & hostile) for pair in linked.pairs("review"))

    print(f"\nauto pairs touching hostile rows: {touching}; review pairs touching them: {review}")
    assert touching == {"shared phone": 0, "placeholder CIN": 0, "first name alone": 0}


def test_largest_automatic_cluster_holds_at_most_three_records(linked: Linked) -> None:
    sizes = sorted((len(c) for c in components(linked.pairs("auto"))), reverse=True)

    print(f"\nauto clusters: {len(sizes)}, largest {sizes[:5]}")
    assert sizes[0] <= MAX_AUTO_COMPONENT, f"an automatic cluster of {sizes[0]} records"


def test_diacritics_and_tatweel_meet_the_plain_spelling_in_the_automatic_band(
    linked: Linked,
) -> None:
    by_id = linked.df.set_index("unique_id")
    marked = linked.data.marked
    auto = linked.pairs("auto")

    keys_differ = {
        row: original
        for row, original in marked.items()
        if tuple(by_id.loc[row, ["given_key", "family_key"]])
        != tuple(by_id.loc[original, ["given_key", "family_key"]])
    }
    found = {row for row, original in marked.items() if (original, row) in auto}

    print(f"\ndiacritics and tatweel: {len(found)} of {len(marked)} in the automatic band")
    assert (keys_differ, len(found)) == ({}, len(marked))


def test_mixed_script_names_meet_their_original_in_the_automatic_band(linked: Linked) -> None:
    mixed = linked.data.mixed
    auto = linked.pairs("auto")

    found = {row for row, original in mixed.items() if (original, row) in auto}

    print(f"\nmixed scripts: {len(found)} of {len(mixed)} in the automatic band")
    assert len(found) == len(mixed)


def test_run_refuses_more_comparisons_than_the_limit_with_a_clear_message() -> None:
    rows, _person = synthetic.registry(300, seed=3)
    df = batch.frame(rows)
    estimate = batch.run(df, threshold=0.99, train=False, limits=batch.Limits()).comparisons
    limit = estimate - 1

    with translation.override("en"), pytest.raises(batch.LinkageTooLarge) as refused:
        batch.run(df, threshold=0.99, train=False, limits=batch.Limits(max_comparisons=limit))

    assert str(refused.value) == (
        f"This run would compare {estimate:,} pairs, more than the limit of {limit:,}: "
        "split the registry (by region) or raise ESSOR_LINKAGE_MAX_COMPARISONS."
    )
