"""Dashboards at national scale: the indicator refresh, then the pages as a user waits for them.

    python bench/dashboard.py --engine postgres --db essor_bench_nation --reuse

Runs on the national data set (``bench/national.py``: a million persons, two million
applications, ten million attendance rows...), loaded unless ``--reuse`` finds it complete at
this scale. Then:

1. ``essor.monitoring.facts.refresh()`` rebuilds the analytics table from the records, once;
2. a superuser (who sees every partner's figures) signed in with the test client asks, for the
   period 2025, the convention dashboard of the largest convention (by envelope), the national
   dashboard and the dashboard of region 01: whole responses (views, indicators, SVG charts and
   map, template), status 200, SQL queries counted; the first request is reported apart (cold:
   templates compiled, tables read from disk);
3. the floor, measured in the same run: the cheapest query a dashboard makes, the count of
   holders reached in 2025 in the whole country (one row per holder and year in the analytics
   table, ``reach_year``); each page is given as a multiple of it.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from typing import Any

from _django import percentile, report
from national import ensure, table_counts

FLOOR_SQL = (
    "SELECT count(*) FROM monitoring_fact WHERE grain = '' AND kind = 'reach_year' AND year = 2025"
)


def timed(runs: int, call: Callable[[], int], *, verbose: str = "") -> dict[str, Any]:
    """A cold first call, then ``runs`` calls: milliseconds and the SQL queries of the last.

    With ``verbose`` (a name), print the slowest SQL queries of the last call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    captured: list[dict[str, str]] = []

    def once() -> tuple[float, int]:
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            call()
            elapsed = (time.perf_counter() - start) * 1000
        captured[:] = queries.captured_queries
        return elapsed, len(queries.captured_queries)

    first, _queries = once()
    timings, queries = [], 0
    for _ in range(runs):
        elapsed, queries = once()
        timings.append(elapsed)
    if verbose:
        sql_ms = sum(float(q["time"]) for q in captured) * 1000
        print(f"{verbose}: {sql_ms:.0f} ms in SQL of {timings[-1]:.0f} ms; slowest queries:")
        for q in sorted(captured, key=lambda q: -float(q["time"]))[:6]:
            print(f"  {float(q['time']) * 1000:8.1f} ms  {q['sql'][:600]}")
    return {
        "first_ms": round(first, 1),
        "p50_ms": round(percentile(timings, 50), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "max_ms": round(max(timings), 1),
        "queries": queries,
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--db", default="essor_bench_nation")
    parser.add_argument("--runs", type=int, default=20, help="convention dashboard requests")
    parser.add_argument("--national-runs", type=int, default=10)
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database already loaded at this scale"
    )
    parser.add_argument(
        "--skip-refresh",
        action="store_true",
        help="keep the analytics table as the last refresh left it (to time the pages again)",
    )
    parser.add_argument("--verbose", action="store_true", help="list the slowest SQL queries")
    args = parser.parse_args()
    reused, steps, _drawn = ensure(args.engine, args.db, args.persons, reuse=args.reuse)

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from essor.accounts.models import User
    from essor.conventions.models import Convention
    from essor.monitoring import facts

    started = time.perf_counter()
    last = facts.last_refresh()
    if args.skip_refresh and last is not None:
        refreshed, refresh_s = last, last.seconds
    else:
        refreshed = facts.refresh()
        refresh_s = time.perf_counter() - started

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user = User.objects.filter(username="bench.dashboard").first()
    if user is None:
        user = User.objects.create_superuser("bench.dashboard", email="", password=None)
    client = Client()
    client.force_login(user)
    convention = Convention.objects.order_by("-envelope", "pk").first()
    assert convention is not None

    def page(url: str) -> Callable[[], int]:
        def get() -> int:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return len(response.content)

        return get

    def floor() -> int:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL)
            return int(cursor.fetchone()[0])

    period = "?period=2025"
    verbose = args.verbose
    conv = timed(
        args.runs,
        page(reverse("monitoring:convention", args=[convention.pk]) + period),
        verbose="convention" if verbose else "",
    )
    nat = timed(
        args.national_runs,
        page(reverse("monitoring:national") + period),
        verbose="national" if verbose else "",
    )
    region = timed(
        args.national_runs,
        page(reverse("monitoring:region", args=["01"]) + period),
        verbose="region" if verbose else "",
    )
    base = timed(args.runs, floor)
    counts = table_counts()
    figures: dict[str, Any] = {
        "bench": "dashboard",
        "engine": args.engine,
        "persons": counts["persons"],
        "participants": counts["participants"],
        "applications": counts["applications"],
        "convention": convention.reference,
        "facts_rows": refreshed.rows,
        "refresh_s": round(refresh_s, 1),
        "refresh_skipped": bool(args.skip_refresh and last is not None),
        "reached_2025": floor(),
    }
    for prefix, result in (("conv", conv), ("nat", nat), ("region", region), ("floor", base)):
        figures.update({f"{prefix}_{key}": value for key, value in result.items()})
    figures["conv_ratio"] = round(conv["p50_ms"] / base["p50_ms"], 1)
    figures["nat_ratio"] = round(nat["p50_ms"] / base["p50_ms"], 1)
    figures["region_ratio"] = round(region["p50_ms"] / base["p50_ms"], 1)
    figures["reused"] = reused
    figures["load_s"] = steps.get("total", 0)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    for name, result in (
        ("convention", conv),
        ("national", nat),
        ("region 01", region),
        ("floor", base),
    ):
        print(
            f"{name:12s} first {result['first_ms']:8.1f} ms  p50 {result['p50_ms']:8.1f} ms  "
            f"p95 {result['p95_ms']:8.1f} ms  max {result['max_ms']:8.1f} ms  "
            f"{result['queries']} queries"
        )
    report(**figures)


if __name__ == "__main__":
    main()
