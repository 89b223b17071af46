"""The public finder answers in under 100 ms: time it over N open programmes.

Each programme has four rules (age, territory, legal form, prior support). The page is asked
through Django's test client (the whole request: middleware, rules, template), 60 times after
5 warm-up requests; p50, p95 and max are reported, with the number of queries of one request.

    python bench/finder.py --programmes 30 --engine sqlite
"""

from __future__ import annotations

import argparse
import resource
import time

from _django import percentile, report, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--programmes", type=int, default=30)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    setup(args.engine, "essor_bench_finder")

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from essor.accounts import services as accounts
    from essor.programmes import services
    from essor.territory.models import Commune, Region

    settings.ALLOWED_HOSTS = ["*"]
    partner = accounts.partner_create(
        actor=None,
        code="bench",
        name_fr="Partenaire",
        kind="regional_council",
        region=Region.objects.get(code="01"),
    )
    for index in range(args.programmes):
        programme = services.programme_create(
            actor=None,
            operator=partner,
            code=f"bench-{index}",
            name_fr=f"Programme d'appui {index}",
            description_fr="Formation, accompagnement et financement des porteurs de projets.",
        )
        rules = {
            "age": {"min": 18, "max": 30 + index % 15},
            "territory": {"regions": ["01", f"{1 + index % 12:02d}"]},
            "legal_forms": {"values": ["informal", "cooperative", "auto_entrepreneur"]},
            "prior_support": {"programmes": ["intilaka", "indh-p3"], "within_years": 5},
        }
        for kind, params in rules.items():
            services.rule_set(actor=None, programme=programme, kind=kind, params=params)
    commune = Commune.objects.filter(region__code="01", kind="rural").order_by("code").first()
    assert commune is not None
    answers = {
        "age": "27",
        "sex": "F",
        "province": commune.province.code,
        "commune": commune.code,
        "legal_form": "cooperative",
        "organisation_age": "2",
        "stage": "launch",
        "prior": "none",
        "needs": ["training", "financing"],
    }
    client = Client()
    for _ in range(5):
        assert client.get("/programmes/which-support/", answers).status_code == 200
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get("/programmes/which-support/", answers)
    timings = []
    for _ in range(args.requests):
        start = time.perf_counter()
        response = client.get("/programmes/which-support/", answers)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    report(
        bench="finder",
        engine=args.engine,
        programmes=args.programmes,
        requests=args.requests,
        p50_ms=round(percentile(timings, 50), 1),
        p95_ms=round(percentile(timings, 95), 1),
        max_ms=round(max(timings), 1),
        queries=len(queries),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    )


if __name__ == "__main__":
    main()
