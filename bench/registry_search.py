"""Registry search at national scale: p50/p95 of the page's own search over N persons.

    python bench/registry_search.py --persons 1000000 --engine postgres

Persons are synthetic (``essor.registry.synthetic``), bulk-loaded with COPY on PostgreSQL;
queries are drawn from them: full names, surnames, Arabic names, prefixes typed so far, CINs
and phones in the way people write them. Each query runs the selector the page runs
(``person_search``: the partner scope, the variant keys, the ranking, the first 25).
"""

from __future__ import annotations

import argparse
import contextlib
import random
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from _django import percentile, report, setup

PERSON_COLUMNS = [
    "search",
    "id",
    "created_at",
    "updated_at",
    "archive_reason",
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


def person_rows(
    count: int, place: Callable[[int], tuple[int | None, list[int]]], *, now: datetime
) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[int, str]]]]:
    """Synthetic persons 1..``count`` as rows: (person, its holdings, its name keys).

    ``place(pk)`` gives the person's commune and holders (the first one registered them); the
    person row's columns are ``PERSON_COLUMNS``, its ``search`` vector built as the app does."""
    from tqdm import tqdm

    from essor.registry import search_index
    from essor.registry.names import identity_key, name_keys
    from essor.registry.synthetic import persons

    for pk, person in enumerate(tqdm(persons(count, seed=11), total=count, desc="persons"), 1):
        commune, holders = place(pk)
        key = identity_key(person.first_name, person.last_name, "", "", person.birth_date)
        names = (person.first_name, person.last_name, person.first_name_ar, person.last_name_ar)
        keys = name_keys(*names)
        row = (
            search_index.vector(keys, holders),
            pk,
            now,
            now,
            "",
            *names,
            person.sex,
            person.birth_date,
            person.cin,
            person.phone,
            "",
            "",
            commune,
            "",
            holders[0],
            key,
        )
        yield row, [(pk, h, now, "bench") for h in holders], [(pk, k[:64]) for k in keys]


def copy_persons(
    count: int, place: Callable[[int], tuple[int | None, list[int]]], *, indexes: bool = True
) -> None:
    """PostgreSQL: COPY ``count`` synthetic persons, their holdings and their name keys.

    With ``indexes``, the two search indexes are dropped first and built once after the load
    (faster than kept up row by row); a caller that drops every index itself passes False."""
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    # Three COPY streams cannot share one connection: write three files, then COPY each.
    with contextlib.ExitStack() as stack:
        files = {
            name: stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8"))
            for name in ("p", "h", "k")
        }
        for row, holdings, keys in person_rows(count, place, now=now):
            files["p"].write("\t".join(map(str, row)) + "\n")
            files["h"].writelines(
                f"{pk}\t{h}\t{since}\t{source}\n" for pk, h, since, source in holdings
            )
            files["k"].writelines(f"{pk}\t{k}\n" for pk, k in keys)
        targets = {
            "p": f"registry_person ({','.join(PERSON_COLUMNS)})",
            "h": "registry_personholding (person_id, partner_id, since, source)",
            "k": "registry_personnamekey (person_id, key)",
        }
        with connection.cursor() as cursor:
            if indexes:
                cursor.execute("DROP INDEX IF EXISTS registry_pnk_key_idx")
                cursor.execute("DROP INDEX IF EXISTS registry_person_search_gin")
            raw = cursor.cursor
            for name, handle in files.items():
                handle.seek(0)
                with raw.copy(f"COPY {targets[name]} FROM STDIN") as copy:
                    while chunk := handle.read(1 << 20):
                        copy.write(chunk)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('registry_person', 'id'), %s)", [count]
        )
        if indexes:
            # The index the migrations build, built once after the load (faster than kept up).
            cursor.execute(
                "CREATE INDEX registry_pnk_key_idx ON registry_personnamekey (key, person_id)"
            )
            cursor.execute(
                "CREATE INDEX registry_person_search_gin ON registry_person USING gin (search)"
            )


def load(count: int, engine: str) -> None:
    from django.db import connection
    from tqdm import tqdm

    from essor.accounts.models import Partner
    from essor.registry.models import Person, PersonHolding, PersonNameKey
    from essor.registry.synthetic import persons
    from essor.territory.models import Commune

    partners = [
        Partner.objects.create(code=f"bench-{i}", name_fr=f"Partenaire {i}", kind="other")
        for i in range(5)
    ]
    communes = list(Commune.objects.values_list("pk", flat=True))
    rng = random.Random(7)
    if engine == "postgres":

        def place(pk: int) -> tuple[int | None, list[int]]:
            holders = [partners[pk % 5].pk]
            if pk % 10 == 0:
                holders.append(partners[(pk + 1) % 5].pk)
            return rng.choice(communes), holders

        copy_persons(count, place)
        with connection.cursor() as cursor:
            # A bulk load leaves pages unmarked in the visibility map: vacuum as autovacuum would.
            cursor.execute("VACUUM ANALYZE")
    else:
        from essor.registry.services import person_create

        for person in tqdm(persons(count, seed=11), total=count, desc="persons"):
            person_create(actor=None, partner=partners[rng.randrange(5)], **person.__dict__)
    assert Person.objects.count() == count
    assert PersonHolding.objects.exists()
    assert PersonNameKey.objects.exists()


def queries(actor: object, sample: int) -> list[str]:
    """Queries for people the user can see, as a counsellor would type them."""
    from essor.registry.models import Person

    rng = random.Random(3)
    visible = list(Person.objects.visible_to(actor).values_list("pk", flat=True))
    ids = rng.sample(visible, sample)
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
    result = []
    for index, pk in enumerate(ids):
        p = people[pk]
        kind = index % 7
        if kind == 0:
            result.append(f"{p.first_name} {p.last_name}")
        elif kind == 1:
            result.append(p.last_name)
        elif kind == 2:
            result.append(f"{p.first_name_ar} {p.last_name_ar}")
        elif kind == 3:
            result.append(p.last_name[:4].lower())
        elif kind == 4:
            result.append(p.cin.lower())
        elif kind == 5:
            result.append(
                "0" + p.phone[4:5] + " " + " ".join(p.phone[5 + i : 7 + i] for i in range(0, 8, 2))
            )
        else:
            result.append(f"{p.first_name.upper()} {p.last_name[:5]}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--verbose", action="store_true", help="list the slowest queries")
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database already loaded at this scale"
    )
    args = parser.parse_args()
    setup(args.engine, "essor_bench_search", reuse=args.reuse)
    from essor.registry.models import Person

    started = time.perf_counter()
    if not (args.reuse and Person.objects.count() == args.persons):
        load(args.persons, args.engine)
    load_s = time.perf_counter() - started

    from django.db import connection

    from essor.accounts.models import Partner, User
    from essor.accounts.roles import Role
    from essor.accounts.services import user_create
    from essor.registry.selectors import person_search

    actor = User.objects.filter(username="bench").first() or user_create(
        actor=None,
        partner=Partner.objects.get(code="bench-1"),
        username="bench",
        password=None,
        roles=[Role.COUNSELLOR],
    )
    actor = User.objects.get(pk=actor.pk)
    sample = queries(actor, args.queries)
    for query in sample[:20]:  # warm the caches as a running server would have them
        person_search(actor=actor, query=query)
    timings, hits, slowest = [], 0, []
    for query in sample:
        start = time.perf_counter()
        found = person_search(actor=actor, query=query)
        elapsed = (time.perf_counter() - start) * 1000
        timings.append(elapsed)
        slowest.append((elapsed, query, len(found)))
        hits += bool(found)
    if args.verbose:
        for elapsed, query, n in sorted(slowest, reverse=True)[:12]:
            print(f"  {elapsed:7.1f} ms  {n:3d}  {query}")
    # The floor: the same number of primary-key fetches of 25 rows, the least any search costs.
    floor = []
    for _ in range(50):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM registry_person WHERE id < 26")
            cursor.fetchall()
        floor.append((time.perf_counter() - start) * 1000)
    report(
        bench="registry_search",
        engine=args.engine,
        persons=args.persons,
        queries=len(sample),
        found_pct=round(100 * hits / len(sample), 1),
        p50_ms=round(percentile(timings, 50), 2),
        p95_ms=round(percentile(timings, 95), 2),
        max_ms=round(max(timings), 2),
        floor_p50_ms=round(percentile(floor, 50), 3),
        load_s=round(load_s, 1),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    )


if __name__ == "__main__":
    main()
