"""The national data set (``essor generate --scale nation``) in its own database, for benchmarks.

    python bench/national.py --engine postgres --db essor_bench_nation [--persons 1000000] [--reuse]
    python bench/national.py --engine sqlite --persons 20000      # a quick try, scaled down

The data set is :mod:`essor.generator` at the nation scale: for a million registry records,
300,000 organisations, 2,000,000 applications, 10,000,000 attendance rows and the rest over the
12 regions (see ``essor/generator/loader.py``). ``--reuse`` keeps a database whose generation
record says it was completed at this scale; the figure reported is the generation's time.
"""

from __future__ import annotations

import argparse
import resource

from _django import report, setup


def complete(persons: int) -> bool:
    """Whether the database holds a nation generation at this scale whose tables still have every
    column of the models (a migration rewritten since leaves old tables: then generate again)."""
    from django.apps import apps
    from django.db import connection

    from essor.generator.models import Generation

    if not Generation.objects.filter(scale="nation", persons=persons).exists():
        return False
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            if table not in tables:
                return False
            present = {
                c.name for c in connection.introspection.get_table_description(cursor, table)
            }
            if any(f.column not in present for f in model._meta.concrete_fields):
                print(f"{table} lacks columns of its model: generating again", flush=True)
                return False
    return True


def ensure(
    engine: str, database: str, persons: int, *, reuse: bool
) -> tuple[bool, dict[str, float], dict[str, int]]:
    """Set Django up on ``database`` and generate the nation unless ``reuse`` finds it there.

    Returns (reused, step seconds, counts)."""
    from django.db import connection

    setup(engine, database, reuse=reuse)
    if reuse and complete(persons):
        from essor.generator.models import Generation

        done = Generation.objects.filter(scale="nation", persons=persons).latest("started_at")
        return True, dict(done.steps) | {"total": done.seconds}, dict(done.counts)
    from essor.accounts.models import Partner

    if Partner.objects.exists():
        connection.close()
        setup(engine, database)  # incomplete or another scale: start afresh
    from essor.generator.services import generate

    generation = generate(scale="nation", records=persons, say=lambda text: print(text, flush=True))
    steps = dict(generation.steps)
    steps["total"] = generation.seconds
    return False, steps, dict(generation.counts)


def table_counts() -> dict[str, int]:
    from essor.generator.services import table_counts as counts

    return counts()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--db", default="essor_bench_nation")
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database already generated at this scale"
    )
    args = parser.parse_args()
    reused, steps, _counts = ensure(args.engine, args.db, args.persons, reuse=args.reuse)
    for name, seconds in steps.items():
        print(f"{name:45s} {seconds:8.1f} s")
    counts = table_counts()
    print("  ".join(f"{name} {value:,}" for name, value in counts.items()))
    report(
        bench="national",
        engine=args.engine,
        database=args.db,
        reused=reused,
        **counts,
        steps_s=steps,
        load_s=steps.get("total", 0),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    )


if __name__ == "__main__":
    main()
