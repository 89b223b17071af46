"""Bulk screening for targeting: a programme's rules over the whole registry, with its counts.

    python bench/bulk_screening.py --persons 1000000 --engine postgres --reuse

Runs on the registry search benchmark's database (``essor_bench_search``: the same synthetic
persons, loaded by ``registry_search.load`` when the database is not there at this scale), so
that ``make bench`` loads a million persons once. Persons get a commune with one ``UPDATE``
where the loader left none (the SQLite loader does).

The programme: aged 18 to 40, either sex, region 01 (Tanger-Tétouan-Al Hoceïma), never
supported by Intilaka, whose exclusion list holds 2% of the persons' CINs (20,000 for a
million). The timer covers what the page waits for: ``eligible_persons`` and ``bulk_counts``
(total, by province, by sex, by age band), for the whole registry and for one partner's scope.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from _django import report, setup

if TYPE_CHECKING:
    from essor.programmes.models import Programme

ON = date(2026, 1, 1)  # synthetic persons are 18 to 60 on 31 December 2025


def give_communes() -> int:
    """One ``UPDATE`` spreads persons without a commune over every commune (no row loop)."""
    from django.db import connection

    from essor.registry.models import Person

    missing: int = Person.objects.filter(commune__isnull=True).count()
    if not missing:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH numbered AS (
                SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS rn FROM territory_commune
            )
            UPDATE registry_person SET commune_id = numbered.id
            FROM numbered
            WHERE registry_person.commune_id IS NULL
              AND numbered.rn = (registry_person.id * 7919)
                                % (SELECT COUNT(*) FROM territory_commune)
            """
        )
    return missing


def programme_with_rules(excluded: int, engine: str) -> Programme:
    """The bench programme and its Intilaka exclusion list, made once and kept on reuse."""
    from django.db import connection

    from essor.accounts.models import Partner
    from essor.programmes.models import ExclusionEntry, ExclusionList, Programme
    from essor.programmes.services import programme_create, rule_set
    from essor.registry.models import Person

    operator = Partner.objects.get(code="bench-0")
    programme = Programme.objects.filter(code="bench-bulk").first() or programme_create(
        actor=None, operator=operator, code="bench-bulk", name_fr="Ciblage (banc d'essai)"
    )
    for kind, params in (
        ("age", {"min": 18, "max": 40}),
        ("sex", {"values": ["F", "M"]}),
        ("territory", {"regions": ["01"]}),
        ("prior_support", {"programmes": ["intilaka"]}),
    ):
        rule_set(actor=None, programme=programme, kind=kind, params=params)
    exclusions, _created = ExclusionList.objects.get_or_create(
        programme_code="intilaka",
        name="Intilaka (banc d'essai)",
        defaults={"partner": operator},
    )
    if exclusions.entries.count() != excluded:
        exclusions.entries.all().delete()
        ids = list(Person.objects.values_list("pk", flat=True))
        drawn = random.Random(17).sample(ids, min(excluded, len(ids)))
        rng = random.Random(19)
        for start in range(0, len(drawn), 5000):
            cins = Person.objects.filter(pk__in=drawn[start : start + 5000]).values_list(
                "cin", flat=True
            )
            ExclusionEntry.objects.bulk_create(
                ExclusionEntry(exclusion_list=exclusions, cin=cin, year=rng.randint(2015, 2025))
                for cin in cins
            )
        if engine == "postgres":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE programmes_exclusionentry")
    return programme


def timed(runs: int, screen: Callable[[], dict[str, Any]]) -> tuple[list[float], dict[str, Any]]:
    timings: list[float] = []
    counts: dict[str, Any] = {}
    for _ in range(runs):
        start = time.perf_counter()
        counts = screen()
        timings.append((time.perf_counter() - start) * 1000)
    return timings, counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--excluded", type=int, default=None, help="CINs on the Intilaka list (2%% of persons)"
    )
    parser.add_argument(
        "--database",
        default="essor_bench_search",
        help="database name (default: the registry search benchmark's, to share its load)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database already loaded at this scale"
    )
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL's plans")
    args = parser.parse_args()
    excluded = args.excluded if args.excluded is not None else args.persons // 50
    setup(args.engine, args.database, reuse=args.reuse)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from essor.accounts.models import Partner, User
    from essor.accounts.roles import Role
    from essor.accounts.services import user_create
    from essor.programmes.bulk import bulk_counts, eligible_persons
    from essor.registry.models import Person

    started = time.perf_counter()
    if not (args.reuse and Person.objects.count() == args.persons):
        from registry_search import load

        if args.reuse and args.engine == "postgres":
            connection.close()
            setup(args.engine, args.database)  # loaded at another scale: start afresh
        load(args.persons, args.engine)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    communes_given = give_communes()
    programme = programme_with_rules(excluded, args.engine)
    prepare_s = time.perf_counter() - started

    actor = User.objects.filter(username="bench").first() or user_create(
        actor=None,
        partner=Partner.objects.get(code="bench-1"),
        username="bench",
        password=None,
        roles=[Role.COUNSELLOR],
    )
    actor = User.objects.get(pk=actor.pk)

    def whole_registry() -> dict[str, Any]:
        eligible, _not_applied = eligible_persons(programme, on=ON)
        return bulk_counts(eligible, on=ON)

    def one_partner() -> dict[str, Any]:
        eligible, _not_applied = eligible_persons(
            programme, on=ON, persons=Person.objects.visible_to(actor)
        )
        return bulk_counts(eligible, on=ON)

    with CaptureQueriesContext(connection) as queries:
        first_start = time.perf_counter()
        whole_registry()  # cold: the first run reads the tables from disk
        first_ms = (time.perf_counter() - first_start) * 1000
    if args.explain and args.engine == "postgres":
        for query in queries.captured_queries[1:]:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                print("\n".join(row[0] for row in cursor.fetchall()), end="\n\n")
    timings, counts = timed(args.runs, whole_registry)
    scoped_timings, scoped = timed(args.runs, one_partner)
    report(
        bench="bulk_screening",
        engine=args.engine,
        persons=args.persons,
        excluded_cins=excluded,
        eligible=counts["total"],
        provinces=len(counts["by_province"]),
        queries=len(queries.captured_queries),
        runs=args.runs,
        first_ms=round(first_ms, 1),
        median_ms=round(statistics.median(timings), 1),
        max_ms=round(max(timings), 1),
        scoped_eligible=scoped["total"],
        scoped_median_ms=round(statistics.median(scoped_timings), 1),
        scoped_max_ms=round(max(scoped_timings), 1),
        load_s=round(load_s, 1),
        prepare_s=round(prepare_s, 1),
        communes_given=communes_given,
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    )


if __name__ == "__main__":
    main()
