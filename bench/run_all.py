"""Run every benchmark and write ``docs/performance.md`` (``make bench``).

Each benchmark runs in its own process on its own database and prints ``RESULT {json}``;
this script gathers those lines into a table with the target each figure must meet.
Scale with ``BENCH_PERSONS`` (default 1,000,000) and ``BENCH_IMPORT_ROWS`` (default 100,000).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PERSONS = int(os.environ.get("BENCH_PERSONS", "1000000"))
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))

REUSE = ["--reuse"] if os.environ.get("BENCH_REUSE") == "1" else []

RUNS = [
    # The nation scale (essor generate --scale nation) into the database dashboard.py reads.
    ("national.py", ["--persons", str(PERSONS), "--engine", "postgres", *REUSE]),
    ("registry_search.py", ["--persons", str(PERSONS), "--engine", "postgres", *REUSE]),
    # On the database registry_search just loaded at this scale: always --reuse.
    ("bulk_screening.py", ["--persons", str(PERSONS), "--engine", "postgres", "--reuse"]),
    # On the national data set national.py just generated (or reused).
    ("dashboard.py", ["--persons", str(PERSONS), "--engine", "postgres", "--reuse"]),
    ("finder.py", ["--programmes", "30", "--engine", "sqlite"]),
    ("registry_import.py", ["--rows", str(IMPORT_ROWS), "--engine", "sqlite"]),
    ("registry_import.py", ["--rows", str(IMPORT_ROWS), "--engine", "postgres"]),
    ("registry_import.py", ["--rows", str(IMPORT_ROWS), "--engine", "sqlite", "--format", "xlsx"]),
    # Its own registry with duplicates and their truth (essor.linkage.synthetic).
    ("linkage.py", ["--persons", str(PERSONS), "--engine", "postgres", *REUSE]),
    # On the registry linkage.py just loaded: a first run with its merges, rolled back.
    ("linkage_apply.py", ["--db", "essor_bench_linkage"]),
    # Its own database of generated data (`essor generate`, else `essor demo`), served by gunicorn.
    ("http_load.py", ["--scale", "demo", *REUSE]),
    # The same server and database (http_load.py just loaded it): ten minutes at capacity.
    ("soak.py", ["--scale", "demo", "--reuse"]),
    # The committee report: on its own demo-scale database, then on the national data set
    # dashboard.py loaded.
    ("report_generation.py", ["--scale", "demo", *REUSE]),
    ("report_generation.py", ["--db", "essor_bench_nation"]),
    # essor generate as a user runs it: the demo on SQLite (what make run loads) and PostgreSQL.
    ("generate.py", ["--scale", "demo", "--engine", "sqlite"]),
    ("generate.py", ["--scale", "demo", "--engine", "postgres", "--db", "essor_bench_generate"]),
]


def run(script: str, args: list[str]) -> dict[str, object]:
    command = [sys.executable, str(ROOT / "bench" / script), *args]
    print("$ " + " ".join(["python", f"bench/{script}", *args]), flush=True)
    output = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    for line in output.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, object] = json.loads(line[7:])
            result["command"] = " ".join(["python", f"bench/{script}", *args])
            print("  " + line, flush=True)
            return result
    sys.stderr.write(output.stdout[-2000:] + output.stderr[-4000:])
    return {"bench": script, "error": "no result", "command": " ".join(args)}


def rows(results: list[dict[str, object]]) -> list[str]:
    lines = []
    for r in results:
        if r.get("error"):
            lines.append(f"| {r['bench']} | — | failed | — | `{r['command']}` |")
        elif r["bench"] == "generate":
            steps: Any = r["steps_s"]
            linkage = next((v for k, v in steps.items() if k.startswith("linkage")), 0)
            lines.append(
                f"| Generate the demo (`essor generate --scale demo`), {r['engine']} | < 30 s | "
                f"**{r['seconds']} s** ({r['persons']:,} persons, {r['applications']:,} "
                f"applications, {r['participants']:,} attendance rows; linkage run {linkage} s "
                f"of it) | floor (the population's rows written in bulk) {r['bulk_rows_s']} s: "
                f"the whole command = {r['ratio']}× the floor; peak RSS {r['peak_rss_mb']} MB | "
                f"`{r['command']}` |"
            )
        elif r["bench"] == "national":
            steps = r["steps_s"]
            how = "reused: the time recorded when it was generated" if r["reused"] else "this run"
            lines.append(
                f"| Generate the nation (`essor generate --scale nation`), {r['engine']} | "
                f"< 15 min | **{round(float(r['load_s']) / 60, 1)} min** ({r['persons']:,} "
                f"persons, {r['organisations']:,} organisations, {r['applications']:,} "
                f"applications, {r['participants']:,} attendance rows; indexes and keys rebuilt "
                f"{steps.get('indexes and keys', '?')} s of it) | {how}; peak RSS "
                f"{r['peak_rss_mb']} MB (of this process) | `{r['command']}` |"
            )
        elif r["bench"] == "registry_search":
            ratio = round(float(r["p50_ms"]) / float(r["floor_p50_ms"]), 1)
            lines.append(
                f"| Registry search, {r['persons']:,} persons, {r['engine']} | p95 < 50 ms | "
                f"p50 {r['p50_ms']} ms, **p95 {r['p95_ms']} ms**, max {r['max_ms']} ms "
                f"({r['queries']} queries, {r['found_pct']}% found) | floor (25-row fetch by id) "
                f"p50 {r['floor_p50_ms']} ms, search p50 = {ratio}× the floor; "
                f"peak RSS {r['peak_rss_mb']} MB | `{r['command']}` |"
            )
        elif r["bench"] == "bulk_screening":
            lines.append(
                f"| Bulk screening, {r['persons']:,} persons, {r['engine']} | "
                f"< 10 s for 1M persons on PostgreSQL | "
                f"**median {r['median_ms']} ms**, max {r['max_ms']} ms "
                f"({r['runs']} runs, {r['eligible']:,} eligible of {r['persons']:,}: "
                f"age 18-40, region 01, {r['excluded_cins']:,} CINs on the Intilaka list) | "
                f"{r['queries']} queries, cold first run {r['first_ms']} ms; one partner's "
                f"scope median {r['scoped_median_ms']} ms ({r['scoped_eligible']:,} eligible); "
                f"peak RSS {r['peak_rss_mb']} MB | `{r['command']}` |"
            )
        elif r["bench"] == "dashboard":
            data = (
                f"{r['persons']:,} persons, {r['applications']:,} applications, "
                f"{r['participants']:,} attendance rows"
            )
            loaded = "reused" if r["reused"] else f"loaded in {r['load_s']} s"
            refresh = "last refresh, not re-run" if r.get("refresh_skipped") else "rebuilt once"
            lines.append(
                f"| Indicator refresh (analytics table), national scale, {r['engine']} | — | "
                f"**{r['refresh_s']} s** ({r['facts_rows']:,} rows, {refresh}) | data set: {data} "
                f"(`bench/national.py`, {loaded}) | `{r['command']}` |"
            )
            lines.append(
                f"| Convention dashboard, national scale, {r['engine']} | p95 < 300 ms | "
                f"p50 {r['conv_p50_ms']} ms, **p95 {r['conv_p95_ms']} ms**, max "
                f"{r['conv_max_ms']} ms ({r['conv_runs']} requests, whole page, period 2025, "
                f"convention {r['convention']}) | {r['conv_queries']} queries; cold first "
                f"request {r['conv_first_ms']} ms; floor (count of the holders reached in 2025 "
                f"in the country) p50 {r['floor_p50_ms']} ms, page p50 = "
                f"{r['conv_ratio']}× the floor; peak RSS {r['peak_rss_mb']} MB | "
                f"`{r['command']}` |"
            )
            lines.append(
                f"| National dashboard, {r['engine']} | < 1 s | "
                f"p50 {r['nat_p50_ms']} ms, **p95 {r['nat_p95_ms']} ms**, max "
                f"{r['nat_max_ms']} ms ({r['nat_runs']} requests, period 2025) | "
                f"{r['nat_queries']} queries; cold first request {r['nat_first_ms']} ms; page p50 "
                f"= {r['nat_ratio']}× the floor; region 01 dashboard p50 {r['region_p50_ms']} ms, "
                f"p95 {r['region_p95_ms']} ms ({r['region_queries']} queries) | "
                f"`{r['command']}` |"
            )
        elif r["bench"] == "finder":
            lines.append(
                f"| Public finder, {r['programmes']} open programmes, {r['engine']} | < 100 ms | "
                f"p50 {r['p50_ms']} ms, **p95 {r['p95_ms']} ms**, max {r['max_ms']} ms "
                f"({r['requests']} requests, whole page) | {r['queries']} queries a request; "
                f"peak RSS {r['peak_rss_mb']} MB | `{r['command']}` |"
            )
        elif r["bench"] == "registry_import":
            lines.append(
                f"| Import {r['rows']:,} rows ({r['format']}), {r['engine']} | < 60 s | "
                f"**{r['import_s']} s** ({r['rows_per_s']} rows/s, {r['created']} created); "
                f"re-import of the same file {r['reimport_s']} s, "
                f"{r['reimport_unchanged']} unchanged | "
                f"peak RSS {r['peak_rss_mb']} MB | `{r['command']}` |"
            )
        elif r["bench"] == "linkage_apply":
            steps: Any = r["steps_s"]
            lines.append(
                f"| Linkage: a first run with its automatic merges applied | < 5 min | "
                f"**{r['total_s']} s** ({r['merged']:,} records merged; steps at "
                f"{', '.join(f'{k} {v} s' for k, v in steps.items())}) | peak RSS "
                f"{r['peak_rss_gb']} GB; rolled back at the end | `{r['command']}` |"
            )
        elif r["bench"] == "linkage":
            d: Any = r["dedupe"]
            p: Any = r["partner"]
            q: Any = r["lookup"]
            data = f"{r['persons']:,} registry records with duplicates, {r['engine']}"
            lines.append(
                f"| Linkage: dedupe {data} | < 5 min, < 8 GB | **{d['dedupe_s']} s**, peak "
                f"{d['peak_rss_gb']:.2f} GB ({d['comparisons']:,} comparisons; auto band P "
                f"{d['auto_precision']} R {d['auto_recall']}, auto + review P "
                f"{d['all_precision']} R {d['all_recall']}) | dry run: nothing merged | "
                f"`{r['command']}` |"
            )
            lines.append(
                f"| Linkage: {p['file_rows']:,}-row partner file against the registry | < 2 min | "
                f"**{p['partner_s']} s**, peak {p['peak_rss_gb']:.2f} GB (P {p['precision']} R "
                f"{p['recall']}) | registry read {p['registry_read_s']} s of it | same run |"
            )
            lines.append(
                f'| Linkage: "may already exist" lookup | p95 < 300 ms | p50 {q["p50_ms"]} ms, '
                f"**p95 {q['p95_ms']} ms**, max {q['max_ms']} ms ({q['lookups']} lookups) | "
                f"true person found for {q['existing_found_pct']}% of existing ones | same run |"
            )
        elif r["bench"] == "http_load":
            lines.extend(http_rows(r))
        elif r["bench"] == "soak":
            lines.append(soak_row(r))
        elif r["bench"] == "report_generation":
            lines.extend(report_rows(r))
    return lines


def _data(r: dict[str, Any]) -> str:
    """The data set a run was on, as a reader needs it to weigh the figures."""
    if r["loader"] == "given":
        return f"database {r['database']}"
    if r["loader"] == "generate":
        return f"generated data, scale {r.get('scale', 'demo')}"
    return "demo data (`essor demo`)"


def http_rows(r: dict[str, Any]) -> list[str]:
    floor = r["floor"]
    pages = r["pages"]
    worst = (
        f"**no answer** from {', '.join(r['unanswered'])}"
        if r.get("unanswered")
        else f"worst **p99 {r['worst_p99_ms']} ms** ({r['worst_page']})"
    )
    lines = [
        f"| HTTP load, every page below: wrk {r['threads']} threads, {r['connections']} "
        f"connections, {r['duration_s']} s a page; gunicorn {r['workers']} workers; "
        f"{_data(r)}, {r['persons']:,} persons | p99 < 500 ms, no error | {worst}; "
        f"{r['errors']} errors (non-2xx/3xx and socket) | floor (a static file through "
        f"WhiteNoise) {floor['rps']:,} req/s, p50 {floor['p50_ms']} ms, p99 {floor['p99_ms']} "
        f"ms; peak RSS of gunicorn "
        f"{r['peak_rss_mb']} MB ({r['processes']} processes); load average of the machine "
        f"{r['load_before']} before, {r['load_after']} after | `{r['command']}` |"
    ]
    for p in pages:
        where = f"| HTTP: {p['name']} (`{p['path']}`, {p['user']}) | p99 < 500 ms, no error | "
        if not p["requests"]:
            lines.append(f"{where}**no answer** within {r['duration_s']} s | — | same run |")
            continue
        lines.append(
            f"{where}{p['rps']} req/s, p50 {p['p50_ms']} ms, p90 {p['p90_ms']} ms, **p99 "
            f"{p['p99_ms']} ms**, {p['errors']} errors | p50 = {p['ratio']}× the floor; "
            f"{p['kb']} KB | same run |"
        )
    return lines


def soak_row(r: dict[str, Any]) -> str:
    """The soak run's row: its verdict, and what a reader needs to weigh it."""
    target = "10 min at capacity: 0 errors, memory flat"
    steps = ", ".join(
        f"{s['connections']}: {s['rps']} req/s p99 {s['p99_ms']} ms" for s in r["steps"]
    )
    failed = f"; **failed: {', '.join(r['failed'])}**" if r["failed"] else ""
    if r.get("skipped"):
        failed += f"; not judged (too short): {', '.join(r['skipped'])}"
    return (
        f"| Soak: {r['minutes']:g} min of the HTTP pages' mix ({r['pages'] - 1} pages and the "
        f"API, in turn) at {r['rate']} req/s, {r['connections']} connections; gunicorn "
        f"{r['workers']} workers; {_data(r)}, {r['persons']:,} persons | {target} | "
        f"**{r['errors']} errors** in {r['requests']:,} requests "
        f"({r['rate_held_pct']}% of the rate), {r['workers_replaced']} workers replaced; RSS "
        f"**{r['rss_first_mb']} → {r['rss_last_mb']} MB** ({r['rss_drift_pct']:+}%, slope "
        f"{r['rss_slope_mb_min']} MB/min); p99 (median of the 10 s intervals) "
        f"{r['p99_first_ms']} → {r['p99_last_ms']} ms, first and last thirds{failed} | "
        f"capacity ({r['capacity_rule']}) from wrk steps by connections: "
        f"{steps or 'none, the rate given'}; load average of the machine "
        f"{r['load_before']} before, {r['load_after']} after | `{r['command']}` |"
    )


def report_rows(r: dict[str, Any]) -> list[str]:
    names = {"pdf_fr": "PDF, French", "pdf_ar": "PDF, Arabic", "xlsx_fr": "XLSX, French"}
    lines = []
    formats: dict[str, Any] = r["formats"]
    for key, f in formats.items():
        opened = (
            f"{f['pages']} pages, {f['chars']:,} characters read back by pdfplumber"
            if key.startswith("pdf")
            else f"{f['sheets']} sheets, {f['indicators']} indicators read back by openpyxl"
        )
        lines.append(
            f"| Committee report ({names.get(key, key)}), convention {r['convention']} "
            f"({r['applications']:,} applications), period {r['period']}; {_data(r)} | "
            f"< 10 s | **{f['max_s']} s** at worst (the first, cold run), then median "
            f"{f['median_s']} s ({r['runs']} runs) | floor (the key figures' SQL, "
            f"{r['floor_queries']} queries, replayed) {r['floor_ms']} ms: report = "
            f"{f['ratio']}× the floor; {f['kb']} KB, {opened}; peak RSS {f['peak_rss_mb']} MB "
            f"| {'`' + str(r['command']) + '`' if key == 'pdf_fr' else 'same run'} |"
        )
    return lines


BEGIN, END = "<!-- make bench: table begins -->", "<!-- make bench: table ends -->"


def from_log(path: Path) -> list[dict[str, object]]:
    """The results of an earlier run, read back from its output (``make bench > log``): each
    ``$ command`` line followed by its ``RESULT`` line. For a run whose table could not be
    written, without measuring again."""
    results: list[dict[str, object]] = []
    command = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("$ "):
            command = line[2:]
        elif line.strip().startswith("RESULT "):
            result: dict[str, object] = json.loads(line.strip()[7:])
            result["command"] = command
            results.append(result)
    return results


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--from-log":
        results = from_log(Path(sys.argv[2]))
    else:
        results = [run(script, args) for script, args in RUNS]
    target = ROOT / "docs" / "performance.md"
    table = [
        BEGIN,
        "",
        f"Last run of `make bench`: {datetime.now():%Y-%m-%d %H:%M}, Python "
        f"{platform.python_version()}, {PERSONS:,} persons.",
        "",
        "| Figure | Target | Measured | Reference and memory | How |",
        "|---|---|---|---|---|",
        *rows(results),
        "",
        END,
    ]
    text = target.read_text(encoding="utf-8") if target.exists() else ""
    if BEGIN in text and END in text:
        # The table is replaced; what is written around it (notes, sections) is kept.
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        text = before + "\n".join(table) + after
    else:
        header = [
            "# Performance",
            "",
            "Figures measured by `make bench` (which runs `python bench/run_all.py`) on this",
            "project's machine: 2 cores, 24 GiB, PostgreSQL 15 on loopback, SQLite in a temporary",
            "file. Each benchmark builds its own database (most with `essor generate`) and never",
            "touches the demo's. Re-run to refresh: the table between the markers is rewritten.",
            "",
        ]
        text = "\n".join([*header, *table, ""])
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
