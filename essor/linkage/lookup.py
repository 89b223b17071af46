"""One incoming record against the registry: "this person may already exist".

Used while a person is typed in, by every import row that would create a person, and by the
"already supported?" check. Candidates come from indexes (CIN, phone, and the person's link
keys: given and family name keys across scripts, in both orders); each candidate is then scored
in Python with the same levels and the weights of the last trained run (``model.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q

from essor.registry.models import Person, PersonNameKey

from . import batch, model

# A lookup never scores more than this many candidates (a very common name without birth date).
MAX_CANDIDATES = 400
REVIEW_THRESHOLD = 0.5
# While a person is typed in, a hint costs nothing: shown from a lower score.
HINT_THRESHOLD = 0.1
AUTO_THRESHOLD = 0.99
LOOKUP_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "first_name_ar",
    "last_name_ar",
    "sex",
    "birth_date",
    "cin",
    "phone",
    "commune_id",
)


def _query_keys(given: str | None, family: str | None) -> list[str]:
    if not given:
        return []
    keys = [f"l:{given}|{family or ''}"[:64]]
    if family:
        keys.append(f"l:{family}|{given}"[:64])  # given and family swapped
    return keys


def weights() -> model.Weights:
    """The weights of the last trained run (cached), or the defaults."""
    from .models import LinkRun, RecordKind, RunStatus

    cached = cache.get("linkage:weights")
    if cached is not None:
        return cached
    run = (
        LinkRun.objects.filter(kind=RecordKind.PERSON, status=RunStatus.DONE, dry_run=False)
        .exclude(model={})
        .order_by("-finished_at", "-pk")
        .first()
    )
    result = model.Weights.from_settings(run.model) if run else model.Weights.default()
    cache.set("linkage:weights", result, 600)
    return result


@dataclass(frozen=True)
class Match:
    person_id: int
    scored: model.Scored

    @property
    def band(self) -> str:
        if (
            self.scored.probability >= AUTO_THRESHOLD
            and self.scored.strong
            and not self.scored.conflicting_cin
        ):
            return "auto"
        return "review"


def candidate_ids(rows: Sequence[Mapping[str, Any]]) -> dict[int, set[int]]:
    """For each row (by position), the ids of the registry persons worth scoring."""
    prepared = [batch.person_row({"id": i, **row}) for i, row in enumerate(rows)]
    by_key: dict[str, list[int]] = {}
    by_cin: dict[str, list[int]] = {}
    by_phone: dict[str, list[int]] = {}
    for i, record in enumerate(prepared):
        for key in _query_keys(record["given_key"], record["family_key"]):
            by_key.setdefault(key, []).append(i)
        if record["cin"]:
            by_cin.setdefault(record["cin"], []).append(i)
        if record["phone"]:
            by_phone.setdefault(record["phone"], []).append(i)
    found: dict[int, set[int]] = {i: set() for i in range(len(rows))}
    full: set[int] = set()
    for chunk in _chunks(sorted(by_key)):
        for key, person_id in PersonNameKey.objects.filter(key__in=chunk).values_list(
            "key", "person_id"
        )[: MAX_CANDIDATES * max(1, len(chunk))]:
            for i in by_key[key]:
                if len(found[i]) < MAX_CANDIDATES:
                    found[i].add(person_id)
                else:
                    full.add(i)
    # A very common name: the candidates with the same birth date are not left to chance.
    for i in sorted(full):
        if prepared[i]["birth_date"] is None:
            continue
        keys = _query_keys(prepared[i]["given_key"], prepared[i]["family_key"])
        found[i] |= set(
            PersonNameKey.objects.filter(
                key__in=keys, person__birth_date=prepared[i]["birth_date"]
            ).values_list("person_id", flat=True)[:MAX_CANDIDATES]
        )
    for phone in _shared_phones(set(by_phone)):
        del by_phone[phone]  # a cooperative's office phone finds no one in particular
    for index, column in ((by_cin, "cin"), (by_phone, "phone")):
        for chunk in _chunks(sorted(index)):
            for value, person_id in Person.objects.filter(**{f"{column}__in": chunk}).values_list(
                column, "id"
            ):
                for i in index[value]:
                    found[i].add(person_id)
    return found


def _shared_phones(phones: set[str]) -> set[str]:
    shared: set[str] = set()
    ordered_phones = sorted(phones)
    for chunk in _chunks(ordered_phones):
        shared |= {
            phone
            for phone, n in Person.objects.filter(phone__in=chunk, archived_at__isnull=True)
            .values_list("phone")
            .annotate(n=Count("id"))
            .values_list("phone", "n")
            if n > batch.PHONE_SHARED_MAX
        }
    return shared


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def match_many(
    rows: Sequence[Mapping[str, Any]],
    *,
    threshold: float = REVIEW_THRESHOLD,
    exclude: Iterable[int] = (),
    limit: int = 5,
) -> list[list[Match]]:
    """For each incoming row, the registry persons it may be, best first."""
    found = candidate_ids(rows)
    ids = set().union(*found.values()) - set(exclude) if found else set()
    people: dict[int, dict[str, Any]] = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), 900):
        chunk = id_list[start : start + 900]
        for values in Person.objects.filter(
            Q(id__in=chunk), archived_at__isnull=True, merged_into__isnull=True
        ).values(*LOOKUP_FIELDS):
            people[values["id"]] = batch.person_row(values)
    # As in a batch run, a phone shared by many (a cooperative's office) is no evidence.
    shared = _shared_phones({p["phone"] for p in people.values() if p["phone"]})
    for p in people.values():
        if p["phone"] in shared:
            p["phone"] = None
    w = weights()
    results: list[list[Match]] = []
    for i, row in enumerate(rows):
        record = batch.person_row({"id": 0, **row})
        if record["phone"] in shared:
            record["phone"] = None
        matches = []
        for person_id in found[i]:
            if person_id not in people:
                continue
            scored = model.score(record, people[person_id], w)
            if scored.probability >= threshold:
                matches.append(Match(person_id, scored))
        matches.sort(key=lambda m: -m.scored.weight)
        results.append(matches[:limit])
    return results


def match_one(row: Mapping[str, Any], **options: Any) -> list[Match]:
    return match_many([row], **options)[0]


def matches_of(person: Person, **options: Any) -> list[Match]:
    """The registry records a saved person may be, leaving out those judged "not the same"."""
    from .models import RecordKind
    from .services import not_same_ids, ordered

    values = {f: getattr(person, f) for f in LOOKUP_FIELDS if f != "id"}
    matches = match_one(values, exclude=[person.pk], **options)
    judged = not_same_ids(RecordKind.PERSON, [person.pk])
    return [m for m in matches if ordered(person.pk, m.person_id) not in judged]


def same_person_ids(person: Person) -> list[int]:
    """The person and the registry records that are surely them (the automatic band): what
    "already supported?" looks through, so that a duplicate not yet merged hides nothing."""
    return [person.pk, *(m.person_id for m in matches_of(person) if m.band == "auto")]
