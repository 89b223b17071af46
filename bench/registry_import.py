"""Import of a partner's 100,000-row list into an empty registry, end to end.

    python bench/registry_import.py --rows 100000 --engine sqlite|postgres [--format csv|xlsx]

The file is written first (synthetic persons with CIN, phone, birth date and commune code);
the timer covers what a user waits for: reading, checking every row, matching against the
registry and loading, as ``essor import persons FILE`` does. A second import of the same file
(every row found, nothing changes) is timed too.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import tempfile
import time
from pathlib import Path

from _django import report, setup


def write_file(rows: int, fmt: str, directory: Path) -> Path:
    from essor.registry.synthetic import persons
    from essor.territory.models import Commune

    communes = list(Commune.objects.filter(region__code="01").values_list("code", flat=True))
    rng = random.Random(5)
    header = [
        "Nom",
        "Prénom",
        "النسب",
        "الاسم الشخصي",
        "Sexe",
        "Date de naissance",
        "CIN",
        "Téléphone",
        "Commune",
    ]
    records = (
        [
            p.last_name,
            p.first_name,
            p.last_name_ar,
            p.first_name_ar,
            p.sex,
            p.birth_date.strftime("%d/%m/%Y"),
            p.cin,
            "0" + p.phone[4:],
            rng.choice(communes),
        ]
        for p in persons(rows, seed=21)
    )
    if fmt == "csv":
        path = directory / "liste.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(header)
            writer.writerows(records)
        return path
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Liste")
    sheet.append(header)
    for record in records:
        sheet.append(record)
    path = directory / "liste.xlsx"
    book.save(path)
    return path


def run(path: Path) -> tuple[float, dict[str, int]]:
    from django.core.files import File

    from essor.accounts.models import Partner
    from essor.registry.importing.jobs import import_job_create, import_job_load

    partner = Partner.objects.get_or_create(
        code="bench", defaults={"name_fr": "Bench", "kind": "other"}
    )[0]
    start = time.perf_counter()
    with path.open("rb") as handle:
        job = import_job_create(
            actor=None, partner=partner, kind="persons", file=File(handle), name=path.name
        )
    job = import_job_load(job, actor=None)
    return time.perf_counter() - start, job.summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--engine", choices=["postgres", "sqlite"], default="sqlite")
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    args = parser.parse_args()
    setup(args.engine, "essor_bench_import")
    with tempfile.TemporaryDirectory() as directory:
        path = write_file(args.rows, args.format, Path(directory))
        first_s, first = run(path)
        second_s, second = run(path)
    from essor.registry.models import Person

    assert Person.objects.count() == args.rows, Person.objects.count()
    report(
        bench="registry_import",
        engine=args.engine,
        format=args.format,
        rows=args.rows,
        import_s=round(first_s, 1),
        rows_per_s=round(args.rows / first_s),
        created=first.get("create"),
        rejected=first.get("reject"),
        reimport_s=round(second_s, 1),
        reimport_unchanged=second.get("unchanged"),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    )


if __name__ == "__main__":
    main()
