"""A national first run with its automatic merges applied, then rolled back.

    python bench/linkage_apply.py --db essor_bench_linkage

Runs ``essor.linkage.runs.person_run`` (not a dry run) on the registry that ``bench/linkage.py``
loaded, inside a transaction that is rolled back at the end, so that the database stays as
loaded for the other measures. Prints the time of each step and the peak memory.
"""

from __future__ import annotations

import argparse
import resource
import time

from _django import report, setup


class _RolledBack(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="essor_bench_linkage")
    args = parser.parse_args()
    setup("postgres", args.db, reuse=True)
    from django.conf import settings

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.db import transaction
    from django.utils import translation

    from essor.linkage.runs import person_run

    translation.activate("en")
    started = time.perf_counter()
    steps: dict[str, float] = {}

    def progress(step: str) -> None:
        steps[step] = round(time.perf_counter() - started, 1)
        print(f"{steps[step]:7.1f} s  {step}", flush=True)

    figures: dict[str, object] = {}
    try:
        with transaction.atomic():
            run = person_run(actor=None, progress=progress)
            figures = {
                "total_s": round(time.perf_counter() - started, 1),
                "merged": run.merged,
                "auto_pairs": run.auto_pairs,
                "review_pairs": run.review_pairs,
                "steps_s": steps,
                "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2),
            }
            raise _RolledBack
    except _RolledBack:
        pass
    report(bench="linkage_apply", **figures)


if __name__ == "__main__":
    main()
