"""How long ``essor generate`` takes, and its peak memory, in a fresh database.

    python bench/generate.py --scale demo --engine sqlite
    python bench/generate.py --scale nation --engine postgres --db essor_bench_generate

The command runs as a user runs it (``essor migrate`` then ``essor generate``, each in its own
process); the figure is the generate command's wall time and its peak resident memory. The floor
is the same population's rows written without the reference data, the story or linkage: the
steps the generation reports as "persons … follow-ups" (what a bare bulk load costs).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _django import report

ROOT = Path(__file__).resolve().parent.parent
ESSOR = str(Path(sys.executable).parent / "essor")
BULK_STEPS = (
    "persons, holdings, name keys, truth",
    "organisations, memberships",
    "applications, enrollments",
    "sessions, attendance",
    "commitments, disbursements",
    "follow-ups",
)


def fresh_database(engine: str, name: str) -> str:
    if engine == "postgres":
        import psycopg

        base = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{base}/{name}"
    path = Path(tempfile.gettempdir()) / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["demo", "region", "nation"], default="demo")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--db", default="essor_bench_generate")
    parser.add_argument("--records", type=int, default=None)
    args = parser.parse_args()
    env = dict(os.environ, DATABASE_URL=fresh_database(args.engine, args.db))
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    env["ESSOR_TASK_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    subprocess.run([ESSOR, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    command = [ESSOR, "generate", "--scale", args.scale, "-v", "0"]
    if args.records:
        command += ["--records", str(args.records)]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(done.returncode)
    steps = {
        m.group(1): float(m.group(2))
        for m in re.finditer(r"^-- (.+): ([\d.]+) s$", done.stderr, flags=re.MULTILINE)
    }
    counts = {
        name: int(value.replace(",", ""))
        for name, value in re.findall(r"(\w+) ([\d,]+)", done.stdout.splitlines()[-1])
    }
    bulk = round(sum(steps.get(step, 0.0) for step in BULK_STEPS), 1)
    print(done.stdout)
    report(
        bench="generate",
        scale=args.scale,
        engine=args.engine,
        seconds=round(seconds, 1),
        bulk_rows_s=bulk,
        ratio=round(seconds / bulk, 1) if bulk else None,
        steps_s=steps,
        persons=counts.get("persons", 0),
        applications=counts.get("applications", 0),
        participants=counts.get("participants", 0),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    )


if __name__ == "__main__":
    main()
