"""The monitoring committee's report of the largest convention: PDF in French and in Arabic, XLSX.

    python bench/report_generation.py [--scale demo] [--reuse] [--runs 3]
    python bench/report_generation.py --db essor_bench_nation     # a database loaded already

On its own database (``essor_bench_report``, filled as ``bench/http_load.py`` fills its own:
``essor generate`` or, until that command exists, ``essor demo``), or with ``--db`` on another
one as it is (the national data set of ``bench/national.py``). The convention with the most
applications in its programmes is reported on for the latest year of its figures.

Each format is written by ``essor report convention REF --period YEAR --lang L --format F``
(``call_command``, in this process: the Python start-up and Django set-up of a new process are
not counted): a first, cold run (templates, fonts, WeasyPrint), then ``--runs`` more; seconds
are wall-clock. The analytics table is refreshed first only if it never was (timed apart).
Each file is opened again with a real reader (pdfplumber for the PDFs' text, openpyxl for the
workbook) and must hold the convention's reference and its figures.

The floor, timed the same way: the SQL of the report's key figures (the queries that
``indicators.compute_with_bases`` sends for the convention and the year), replayed raw.
Peak memory is this process's VmHWM, reset before the first report: the load's own peak is
not counted (what the process still holds after it is).

Target: < 10 s per report.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _django import report, setup
from http_load import ensure_data, largest_convention

FORMATS = (("pdf", "fr"), ("pdf", "ar"), ("xlsx", "fr"))
ARABIC = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")


def peak_rss_mb() -> int:
    status = Path("/proc/self/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return round(int(match[1]) / 1024) if match else 0


def reset_peak_rss() -> None:
    """Start the peak (VmHWM) afresh: the load before the reports is not theirs."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def database_exists(name: str) -> bool:
    import psycopg

    base = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    with psycopg.connect(f"{base}/postgres") as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def check_pdf(path: Path, reference: str, lang: str) -> dict[str, Any]:
    """Open the PDF with pdfplumber: pages, text, the reference, Arabic where asked."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        pages = len(pdf.pages)
    arabic = len(ARABIC.findall(text))
    if reference not in text:
        sys.exit(f"{path.name}: the reference {reference} is not in the PDF's text")
    if len(text) < 1000:
        sys.exit(f"{path.name}: only {len(text)} characters of text")
    if lang == "ar" and arabic < 200:
        sys.exit(f"{path.name}: only {arabic} Arabic characters in an Arabic report")
    return {"pages": pages, "chars": len(text), "arabic_chars": arabic}


def check_xlsx(path: Path, reference: str) -> dict[str, Any]:
    """Open the workbook with openpyxl: its sheets, the indicators' rows, the reference."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    sheets = book.sheetnames
    first = book[sheets[0]]
    indicators = sum(1 for row in first.iter_rows(min_row=2, values_only=True) if row[0])
    numbers = sum(
        1 for row in first.iter_rows(min_row=2, values_only=True) if isinstance(row[3], int | float)
    )
    cells = " ".join(
        str(v) for row in book[sheets[-1]].iter_rows(values_only=True) for v in row if v
    )
    book.close()
    if reference not in cells:
        sys.exit(f"{path.name}: the reference {reference} is not in the sheet {sheets[-1]!r}")
    if len(sheets) < 5 or indicators < 20:
        sys.exit(f"{path.name}: {len(sheets)} sheets, {indicators} indicator rows")
    return {"sheets": len(sheets), "indicators": indicators, "numbers": numbers}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["demo", "region"], default="demo")
    parser.add_argument(
        "--db", help="a database loaded already (e.g. essor_bench_nation), used as it is"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep its own database if loaded at this scale"
    )
    parser.add_argument(
        "--loader",
        choices=["auto", "generate", "demo"],
        default="auto",
        help="auto: `essor generate` if the command exists, else `essor demo`",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per format after the first")
    parser.add_argument("--period", help="a year or two (default: the latest of the figures)")
    args = parser.parse_args()
    if args.db:
        if not database_exists(args.db):
            sys.exit(f"No database {args.db}: load it first (e.g. python bench/national.py).")
        setup("postgres", args.db, reuse=True)
        database, loaded = args.db, {"reused": True, "loader": "given", "load_s": 0}
    else:
        database = "essor_bench_report"
        loaded = ensure_data(
            database, args.scale, reuse=args.reuse, loader=args.loader, marker="bench_report"
        )

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max
    from django.test.utils import CaptureQueriesContext

    from essor.monitoring import facts, indicators
    from essor.monitoring.indicators import Period, Scope
    from essor.monitoring.models import Fact
    from essor.programmes.models import Application

    refresh_s = 0.0
    if facts.last_refresh() is None:
        started = time.perf_counter()
        facts.refresh()
        refresh_s = time.perf_counter() - started
    convention = largest_convention()
    scope = Scope("convention", convention)
    if args.period:
        period_text = args.period
    else:
        year = Fact.objects.filter(programme_id__in=scope.programme_ids()).aggregate(y=Max("year"))[
            "y"
        ]
        if year is None:
            sys.exit(f"{convention.reference} has no figures: nothing to report on.")
        period_text = str(year)
    period = Period.parse(period_text)
    reference = convention.reference
    print(f"convention {reference}, period {period_text}", flush=True)

    reset_peak_rss()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="essor_bench_report") as folder:
        for fmt, lang in FORMATS:
            path = Path(folder) / f"report-{lang}.{fmt}"
            timings = []
            for _ in range(1 + args.runs):
                path.unlink(missing_ok=True)
                started = time.perf_counter()
                call_command(
                    "report",
                    "convention",
                    reference,
                    period=period_text,
                    lang=lang,
                    fmt=fmt,
                    output=path,
                    verbosity=0,
                    stdout=io.StringIO(),
                )
                timings.append(time.perf_counter() - started)
            checked = (
                check_pdf(path, reference, lang) if fmt == "pdf" else check_xlsx(path, reference)
            )
            key = f"{fmt}_{lang}"
            results[key] = {
                "first_s": round(timings[0], 2),
                "median_s": round(statistics.median(timings[1:] or timings), 2),
                "max_s": round(max(timings), 2),
                "kb": round(path.stat().st_size / 1024),
                "peak_rss_mb": peak_rss_mb(),
                **checked,
            }
            print(f"{key:8s} {results[key]}", flush=True)

    # The floor: the key figures' SQL, captured once and replayed raw.
    with CaptureQueriesContext(connection) as captured:
        indicators.compute_with_bases(scope, period)
    statements = [q["sql"] for q in captured.captured_queries]

    def replay() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    floor = []
    for _ in range(1 + args.runs):
        started = time.perf_counter()
        replay()
        floor.append(time.perf_counter() - started)
    floor_s = statistics.median(floor[1:] or floor)
    for figures in results.values():
        figures["ratio"] = round(figures["median_s"] / floor_s, 1) if floor_s else None
    slowest = max(r["max_s"] for r in results.values())
    report(
        bench="report_generation",
        database=database,
        loader=loaded["loader"],
        reused=loaded["reused"],
        load_s=loaded["load_s"],
        refresh_s=round(refresh_s, 1),
        convention=reference,
        period=period_text,
        applications=Application.objects.filter(programme_id__in=scope.programme_ids()).count(),
        runs=args.runs,
        formats=results,
        floor_ms=round(floor_s * 1000, 1),
        floor_queries=len(statements),
        slowest_s=slowest,
        met=slowest < 10,
        peak_rss_mb=peak_rss_mb(),
    )


if __name__ == "__main__":
    main()
