"""Identity resolution at national scale: the linkage targets over a registry of N records.

    python bench/linkage.py --engine postgres --db essor_bench_linkage --persons 1000000 [--reuse]
    python bench/linkage.py --engine sqlite --persons 20000       # a quick try, scaled down

The registry is ``essor.linkage.synthetic.registry``: persons with about 20% of them entered
again by another partner (another spelling, one script only, a mistyped or missing CIN, no
phone…), ``--persons`` rows in all, the truth kept (the person behind each row). Communes are
the territory table's, drawn by 2024 population; phones are Moroccan mobiles (06/07) that look
random, one in twelve records has none and one in thirty gives a relative's. Persons and their
name keys (``person_name_keys``, the ``l:`` link keys included) are written by COPY; the load
ends by writing ``bench_linkage`` (rows, seconds) and ``--reuse`` keeps a complete load.

Three measures, each (on PostgreSQL) in a fresh process, so that its peak memory is its own:

1. dedupe: ``runs.person_run(actor=None, dry_run=True)`` end to end, each step timed through
   its progress callback; comparisons, pairs by band, pairwise precision and recall;
2. partner: a partner file (``--persons``/10 rows: 30% persons of the registry, varied as
   another partner types them, 70% new) linked against the registry (``batch.run`` with
   ``link_to=registry_frame()``), the registry read timed apart;
3. lookup: ``lookup.match_one`` for 1,000 rows typed as a user would (existing persons varied,
   new persons, and a very common name without birth date), p50/p95/max.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from _django import insert_rows, percentile, report, setup

MARKER = "bench_linkage"
SEED = 5
FILE_OFFSET = 10_000_000  # partner-file row ids, apart from the registry's
ROWS_PER_PERSON = 1.22  # synthetic.registry: 20% duplicated, a tenth of them twice
GB = 1024**3

PERSON_COLUMNS = [
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
ENTITY_COLUMNS = [
    "entity",
    "first_name",
    "last_name",
    "first_name_ar",
    "last_name_ar",
    "sex",
    "birth_date",
    "cin",
    "phone",
    "commune_id",
]


def phone_of(entity: int) -> str:
    """A person's own mobile, as the generator draws it (imported once Django is set up)."""
    from essor.generator.people import phone_of as own

    return own(entity)


class Peak:
    """The peak resident memory of this process (threads included) while it runs, by sampling."""

    def __init__(self, every: float = 0.05) -> None:
        self.every, self.peak, self._stop = every, 0, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.is_set():
            with open("/proc/self/statm") as handle:
                self.peak = max(self.peak, int(handle.read().split()[1]) * page)
            self._stop.wait(self.every)

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def max_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# --- The load -------------------------------------------------------------------------------


def communes() -> tuple[list[int], list[float] | None]:
    from essor.territory.models import Commune

    rows = list(Commune.objects.order_by("pk").values_list("pk", "population_2024"))
    assert rows, "no commune: the territory migrations load them"
    if all(p for _pk, p in rows):
        return [pk for pk, _ in rows], [float(p) for _pk, p in rows]
    return [pk for pk, _ in rows], None


def make_registry(count: int) -> tuple[list[dict[str, Any]], dict[int, int], list[tuple[Any, ...]]]:
    """``count`` registry rows with duplicates; the truth (row -> person) and the persons."""
    from tqdm import tqdm

    from essor.linkage import synthetic as linkage_synthetic
    from essor.registry import synthetic

    ids, weights = communes()
    entities = int(count / ROWS_PER_PERSON * 1.02) + 20
    started = time.perf_counter()
    rows, truth = linkage_synthetic.registry(
        entities, communes=ids, commune_weights=weights, unique_cin=True, seed=SEED
    )
    print(f"synthetic.registry({entities:,}): {time.perf_counter() - started:.0f} s", flush=True)
    rows = rows[:count]
    assert len(rows) == count, f"only {len(rows)} rows: raise ROWS_PER_PERSON's margin"
    rng = random.Random(SEED + 1)
    own: dict[int, str] = {}  # the synthetic phone of each person, replaced by phone_of
    cins: set[str] = set()
    for row in rows:
        entity = truth[row["id"]]
        if entity not in own:  # the person's first record
            own[entity] = row["phone"]
            draw = rng.random()
            if draw < 0.08:
                row["phone"] = ""
            elif draw < 0.11 and entity > 1:
                row["phone"] = phone_of(entity - 1)  # a relative's
            else:
                row["phone"] = phone_of(entity)
        elif row["phone"] and row["phone"] == own[entity]:
            row["phone"] = phone_of(entity)
        # A mistyped CIN of a duplicate may be another person's: the registry refuses it.
        if row["cin"]:
            if row["cin"] in cins:
                row["cin"] = ""
            else:
                cins.add(row["cin"])
    kept = {truth[row["id"]] for row in rows}
    persons = []
    for entity, person in enumerate(
        tqdm(
            synthetic.persons(entities, seed=SEED),
            total=entities,
            desc="persons (truth)",
            mininterval=5,
        ),
        start=1,
    ):
        if entity in kept:
            persons.append((entity, person))
    first_commune = {}
    for row in rows:
        first_commune.setdefault(truth[row["id"]], row["commune_id"])
    entity_rows = [
        (
            entity,
            p.first_name,
            p.last_name,
            p.first_name_ar,
            p.last_name_ar,
            p.sex,
            p.birth_date,
            p.cin,
            phone_of(entity),
            first_commune[entity],
        )
        for entity, p in persons
    ]
    return rows, {r["id"]: truth[r["id"]] for r in rows}, entity_rows


def load(count: int, engine: str) -> dict[str, float]:
    from django.db import connection
    from django.utils import timezone

    from essor.accounts.models import Partner
    from essor.registry.names import identity_key, person_name_keys

    steps: dict[str, float] = {}
    started = time.perf_counter()
    rows, truth, entities = make_registry(count)
    steps["synthetic rows"] = time.perf_counter() - started
    partners = [
        Partner.objects.create(code=f"bench-l{i}", name_fr=f"Partenaire {i}", kind="other").pk
        for i in range(5)
    ]
    now = timezone.now()
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS registry_pnk_key_idx")

    def persons() -> Iterator[tuple[Any, ...]]:
        for r in rows:
            names = (r["first_name"], r["last_name"], r["first_name_ar"], r["last_name_ar"])
            yield (
                r["id"], now, now, "", *names, r["sex"], r["birth_date"], r["cin"], r["phone"],
                "", "", r["commune_id"], "", partners[r["id"] % 5],
                identity_key(*names, r["birth_date"]),
            )  # fmt: skip

    def holdings() -> Iterator[tuple[Any, ...]]:
        for r in rows:
            yield r["id"], partners[r["id"] % 5], now, "bench"

    def keys() -> Iterator[tuple[Any, ...]]:
        for r in rows:
            names = (r["first_name"], r["last_name"], r["first_name_ar"], r["last_name_ar"])
            for key in sorted({k[:64] for k in person_name_keys(*names)}):
                yield r["id"], key

    for name, table, columns, source, total in (
        ("persons", "registry_person", PERSON_COLUMNS, persons(), len(rows)),
        ("holdings", "registry_personholding", ["person_id", "partner_id", "since", "source"],
         holdings(), len(rows)),
        ("name keys", "registry_personnamekey", ["person_id", "key"], keys(), None),
    ):  # fmt: skip
        start = time.perf_counter()
        insert_rows(table, columns, source, total=total, desc=name)
        steps[name] = time.perf_counter() - start
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {MARKER}_truth (id integer PRIMARY KEY, entity integer)")
        cursor.execute(
            f"CREATE TABLE {MARKER}_entity (entity integer PRIMARY KEY, first_name text, "
            "last_name text, first_name_ar text, last_name_ar text, sex text, birth_date date, "
            "cin text, phone text, commune_id integer)"
        )
    insert_rows(f"{MARKER}_truth", ["id", "entity"], truth.items(), total=len(truth), desc="truth")
    insert_rows(f"{MARKER}_entity", ENTITY_COLUMNS, entities, total=len(entities), desc="entities")
    steps["truth"] = time.perf_counter() - start
    start = time.perf_counter()
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(
                "CREATE INDEX registry_pnk_key_idx ON registry_personnamekey (key, person_id)"
            )
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('registry_person', 'id'), %s)", [count]
            )
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    steps["indexes, vacuum"] = time.perf_counter() - start
    steps["total"] = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {MARKER} (persons integer, seconds real)")
        cursor.execute(f"INSERT INTO {MARKER} VALUES (%s, %s)", [count, steps["total"]])
    return steps


def complete(count: int) -> bool:
    from django.db import connection

    if MARKER not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT persons FROM {MARKER}")
        row = cursor.fetchone()
    return bool(row) and row[0] == count


def truth_table() -> dict[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, entity FROM {MARKER}_truth")
        return dict(cursor.fetchall())


def entity_rows(sample: int, rng: random.Random) -> list[dict[str, Any]]:
    """``sample`` persons of the registry as they truly are (drawn at random)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(entity) FROM {MARKER}_entity")
        top = cursor.fetchone()[0]
        wanted = sorted(rng.sample(range(1, top + 1), min(top, int(sample * 1.1) + 10)))
        found: list[dict[str, Any]] = []
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start : start + 5000]
            cursor.execute(
                f"SELECT {', '.join(ENTITY_COLUMNS)} FROM {MARKER}_entity "
                f"WHERE entity IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            found += [dict(zip(ENTITY_COLUMNS, r, strict=True)) for r in cursor.fetchall()]
    rng.shuffle(found)
    for row in found:
        if isinstance(row["birth_date"], str):
            row["birth_date"] = date.fromisoformat(row["birth_date"])
    return found[:sample]


def typed_rows(
    count: int, existing_share: float, seed: int
) -> list[tuple[dict[str, Any], int | None]]:
    """Rows a partner or a user types: registry persons varied (with their person) and new ones."""
    from django.db import connection

    from essor.linkage import synthetic as linkage_synthetic
    from essor.registry import synthetic

    rng = random.Random(seed)
    spellings = linkage_synthetic.spellings()
    variations = linkage_synthetic.Variations()
    result: list[tuple[dict[str, Any], int | None]] = []
    for e in entity_rows(round(count * existing_share), rng):
        person = synthetic.SyntheticPerson(**{k: e[k] for k in ENTITY_COLUMNS[1:-1]})
        result.append(
            (
                linkage_synthetic.vary(person, e["commune_id"], variations, spellings, rng),
                e["entity"],
            )
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT cin FROM registry_person WHERE cin <> ''")
        from essor.core.crypto import unseal

        taken = {unseal(c, "cin") for (c,) in cursor.fetchall()}
        cursor.execute(f"SELECT max(entity) FROM {MARKER}_entity")
        top = cursor.fetchone()[0] + 1_000_000 * (seed % 7 + 1)
    ids, weights = communes()
    new = count - len(result)
    for j, person in enumerate(synthetic.persons(new, seed=seed)):
        cin = person.cin
        while cin in taken:  # a new person's CIN is nobody else's
            cin = rng.choice(synthetic.CIN_PREFIXES) + str(rng.randint(10_000, 999_999))
        taken.add(cin)
        row = {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "first_name_ar": person.first_name_ar,
            "last_name_ar": person.last_name_ar,
            "sex": person.sex,
            "birth_date": person.birth_date,
            "cin": cin if rng.random() < 0.7 else "",
            "phone": phone_of(top + j) if rng.random() < 0.8 else "",
            "commune_id": rng.choices(ids, weights)[0],
        }
        script = rng.random()
        if script < 0.25:
            row["first_name_ar"] = row["last_name_ar"] = ""
        elif script < 0.4:
            row["first_name"] = row["last_name"] = ""
        result.append((row, None))
    rng.shuffle(result)
    return result


# --- The measures ---------------------------------------------------------------------------


def pairwise(
    pairs: list[tuple[int, int]], same: Callable[[int, int], bool], true_total: int
) -> tuple[float, float]:
    hits = sum(1 for a, b in pairs if same(a, b))
    precision = hits / len(pairs) if pairs else 1.0
    recall = hits / true_total if true_total else 1.0
    return precision, recall


def dedupe(args: argparse.Namespace) -> dict[str, Any]:
    from essor.linkage import batch, runs

    truth = truth_table()
    sizes = Counter(truth.values())
    true_pairs = sum(k * (k - 1) // 2 for k in sizes.values())
    captured: dict[str, Any] = {}
    classify = runs.classify

    def timed_classify(pairs: Any, *more: Any, **options: Any) -> list[Any]:
        start = time.perf_counter()
        captured["scored_pairs"] = len(pairs)
        captured["found"] = classify(pairs, *more, **options)
        captured["classify_s"] = time.perf_counter() - start
        return captured["found"]

    runs.classify = timed_classify
    marks: list[tuple[str, float]] = []
    limits = batch.Limits.from_settings()
    if args.memory_limit:
        limits.memory_limit = args.memory_limit
    started = time.perf_counter()
    with Peak() as peak:
        run = runs.person_run(
            actor=None,
            dry_run=True,
            limits=limits,
            progress=lambda text: marks.append((text, time.perf_counter())),
        )
    total = time.perf_counter() - started
    runs.classify = classify
    steps = {}
    ends = [t for _text, t in marks[1:]] + [started + total]
    for (text, at), end in zip(marks, ends, strict=True):
        steps[text] = round(end - at, 1)
    found = captured["found"]
    same = lambda a, b: truth[a] == truth[b]  # noqa: E731
    auto = [(f.left, f.right) for f in found if f.band == "auto"]
    both = [(f.left, f.right) for f in found]
    p_auto, r_auto = pairwise(auto, same, true_pairs)
    p_all, r_all = pairwise(both, same, true_pairs)
    return {
        "records": run.records,
        "dedupe_s": round(total, 1),
        "steps_s": steps,
        "classify_s": round(captured["classify_s"], 1),
        "comparisons": run.comparisons,
        "scored_pairs": captured["scored_pairs"],
        "auto_pairs": run.auto_pairs,
        "review_pairs": run.review_pairs,
        "true_pairs": true_pairs,
        "auto_precision": round(p_auto, 4),
        "auto_recall": round(r_auto, 4),
        "all_precision": round(p_all, 4),
        "all_recall": round(r_all, 4),
        "memory_limit": limits.memory_limit,
        "peak_rss_gb": round(peak.peak / GB, 2),
        "max_rss_gb": round(max_rss() / GB, 2),
    }


def partner(args: argparse.Namespace) -> dict[str, Any]:
    from essor.linkage import batch, runs

    size = args.file_rows or max(1000, args.persons // 10)
    typed = typed_rows(size, 0.3, seed=SEED + 100)
    truth = truth_table()
    rows_of: dict[int, list[int]] = defaultdict(list)
    for row_id, entity in truth.items():
        rows_of[entity].append(row_id)
    file_rows, file_truth = [], {}
    for i, (row, entity) in enumerate(typed, start=FILE_OFFSET + 1):
        file_rows.append({"id": i, **row})
        file_truth[i] = entity
    true_pairs = sum(len(rows_of[e]) for e in file_truth.values() if e)
    with Peak() as peak:
        started = time.perf_counter()
        registry = runs.registry_frame()
        read = time.perf_counter() - started
        file_df = batch.frame(file_rows)
        framed = time.perf_counter() - started - read
        marks: list[tuple[str, float]] = []
        result = batch.run(
            file_df,
            threshold=0.5,
            link_to=registry,
            progress=lambda text: marks.append((text, time.perf_counter())),
        )
        total = time.perf_counter() - started
    steps = {}
    ends = [t for _text, t in marks[1:]] + [started + total]
    for (text, at), end in zip(marks, ends, strict=True):
        steps[text] = round(end - at, 1)
    pairs = []
    for a, b in zip(
        result.pairs["unique_id_l"].tolist(), result.pairs["unique_id_r"].tolist(), strict=True
    ):
        a, b = int(a), int(b)
        pairs.append((a, b) if a > FILE_OFFSET else (b, a))
    precision, recall = pairwise(
        pairs,
        lambda f, r: file_truth.get(f) is not None and file_truth[f] == truth.get(r),
        true_pairs,
    )
    return {
        "file_rows": size,
        "registry_rows": len(registry),
        "partner_s": round(total, 1),
        "registry_read_s": round(read, 1),
        "file_frame_s": round(framed, 1),
        "steps_s": steps,
        "comparisons": result.comparisons,
        "pairs": len(pairs),
        "true_pairs": true_pairs,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "trained": result.trained,
        "peak_rss_gb": round(peak.peak / GB, 2),
        "max_rss_gb": round(max_rss() / GB, 2),
    }


def common_rows(count: int, seed: int) -> list[tuple[dict[str, Any], None]]:
    """A very common name typed in Latin script without birth date: Mohamed + a common surname."""
    from essor.registry import synthetic

    rng = random.Random(seed)
    units = synthetic.name_units()
    given = max(units["given"], key=lambda u: u.total)
    surnames = sorted(units["surname"], key=lambda u: -u.total)[:10]
    rows = []
    for _ in range(count):
        family = rng.choice(surnames)
        rows.append(
            (
                {
                    "first_name": given.spellings[0]
                    if rng.random() < 0.7
                    else rng.choice(given.spellings),
                    "last_name": family.spellings[0],
                    "first_name_ar": "",
                    "last_name_ar": "",
                    "sex": "M",
                    "birth_date": None,
                    "cin": "",
                    "phone": "",
                    "commune_id": None,
                    "common": True,
                },
                None,
            )
        )
    return rows


def lookups(args: argparse.Namespace) -> dict[str, Any]:
    from essor.linkage import lookup

    count = args.lookups
    common = count // 5
    typed = typed_rows(count - common, 0.5, seed=SEED + 200) + common_rows(common, SEED + 300)
    random.Random(SEED).shuffle(typed)
    truth = truth_table()
    for row, _entity in typed[:20]:  # warm the caches as a running server would have them
        lookup.match_one(row)
    timings: dict[str, list[float]] = defaultdict(list)
    hits = existing = new_flagged = new = 0
    sizes = []
    with Peak() as peak:
        for row, entity in typed:
            kind = "existing" if entity else "common" if row.get("common") else "new"
            start = time.perf_counter()
            matches = lookup.match_one(row)
            timings[kind].append((time.perf_counter() - start) * 1000)
            sizes.append(len(matches))
            if entity:
                existing += 1
                hits += any(truth.get(m.person_id) == entity for m in matches)
            elif kind == "new":
                new += 1
                new_flagged += bool(matches)
    every = [t for values in timings.values() for t in values]
    result = {
        "lookups": len(every),
        "p50_ms": round(percentile(every, 50), 1),
        "p95_ms": round(percentile(every, 95), 1),
        "max_ms": round(max(every), 1),
        "existing_found_pct": round(100 * hits / max(1, existing), 1),
        "new_flagged_pct": round(100 * new_flagged / max(1, new), 1),
        "peak_rss_gb": round(peak.peak / GB, 2),
    }
    for kind, values in sorted(timings.items()):
        result[f"{kind}_p95_ms"] = round(percentile(values, 95), 1)
        result[f"{kind}_n"] = len(values)
    return result


PHASES = {"dedupe": dedupe, "partner": partner, "lookup": lookups}


def table(figures: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    d, p, q = figures.get("dedupe", {}), figures.get("partner", {}), figures.get("lookup", {})
    gb = lambda v: f"{v:.2f} GB" if v is not None else "-"  # noqa: E731
    lines = [
        ("registry records", "1,000,000", f"{d.get('records', 0):,}", "synthetic.registry, COPY"),
        ("dedupe, end to end", "< 300 s", f"{d.get('dedupe_s')} s", "person_run(dry_run=True)"),
        *[(f"  {k}", "", f"{v} s", "progress callback") for k, v in d.get("steps_s", {}).items()],
        ("  of which classify()", "", f"{d.get('classify_s')} s", "Python, per pair"),
        (
            "dedupe peak memory",
            "< 8 GB",
            gb(d.get("peak_rss_gb")),
            f"RSS sampled; DuckDB limit {d.get('memory_limit')}",
        ),
        ("dedupe comparisons", "", f"{d.get('comparisons', 0):,}", "blocking rules (estimate)"),
        ("pairs scored >= 0.5", "", f"{d.get('scored_pairs', 0):,}", "Splink predict"),
        (
            "pairs auto / review",
            "",
            f"{d.get('auto_pairs', 0):,} / {d.get('review_pairs', 0):,}",
            f"true pairs {d.get('true_pairs', 0):,}",
        ),
        (
            "auto: precision / recall",
            "",
            f"{d.get('auto_precision')} / {d.get('auto_recall')}",
            "pairwise vs truth",
        ),
        (
            "auto+review: precision / recall",
            "",
            f"{d.get('all_precision')} / {d.get('all_recall')}",
            "pairwise vs truth",
        ),
        (
            "partner file linked",
            "< 120 s",
            f"{p.get('partner_s')} s",
            f"{p.get('file_rows', 0):,} rows, link_only",
        ),
        ("  registry read", "", f"{p.get('registry_read_s')} s", "registry_frame()"),
        ("  file frame", "", f"{p.get('file_frame_s')} s", "batch.frame"),
        *[(f"  {k}", "", f"{v} s", "progress callback") for k, v in p.get("steps_s", {}).items()],
        (
            "partner: precision / recall",
            "",
            f"{p.get('precision')} / {p.get('recall')}",
            f"{p.get('pairs', 0):,} pairs, true {p.get('true_pairs', 0):,}",
        ),
        ("partner peak memory", "", gb(p.get("peak_rss_gb")), "RSS sampled"),
        (
            "lookup p50 / p95 / max",
            "p95 < 300 ms",
            f"{q.get('p50_ms')} / {q.get('p95_ms')} / {q.get('max_ms')} ms",
            f"{q.get('lookups')} match_one calls",
        ),
        (
            "  p95 by kind",
            "",
            " ".join(
                f"{k[:-7]} {v}" for k, v in q.items() if k.endswith("_p95_ms") and k != "p95_ms"
            ),
            "existing / new / common name",
        ),
        (
            "lookup: existing found / new flagged",
            "",
            f"{q.get('existing_found_pct')}% / {q.get('new_flagged_pct')}%",
            "true person among matches",
        ),
    ]
    print(f"\n{'figure':38s} {'target':13s} {'measured':24s} how")
    for figure, target, measured, how in lines:
        print(f"{figure:38s} {target:13s} {measured:24s} {how}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000, help="registry records")
    parser.add_argument("--engine", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--db", default="essor_bench_linkage")
    parser.add_argument("--reuse", action="store_true", help="keep a complete load at this scale")
    parser.add_argument("--phase", choices=["all", "load", *PHASES], default="all")
    parser.add_argument("--file-rows", type=int, default=0, help="partner file (default N/10)")
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--memory-limit", default="", help="DuckDB's, e.g. 4GB (default settings)")
    parser.add_argument("--in-process", action="store_true", help="no fresh process per measure")
    args = parser.parse_args()
    setup(args.engine, args.db, reuse=args.reuse or args.phase in PHASES)
    from django.conf import settings

    # The weights' cache of the lookup stays in this process (not the project's file cache).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.utils import translation

    translation.activate("en")  # the steps' names, as the progress callback gives them
    if args.phase in PHASES:
        assert complete(args.persons), "no complete load at this scale: run --phase load"
        report(phase=args.phase, **PHASES[args.phase](args))
        return
    steps: dict[str, float] = {}
    reused = args.reuse and complete(args.persons)
    if not reused:
        from essor.accounts.models import Partner

        if Partner.objects.exists():
            from django.db import connection

            connection.close()
            setup(args.engine, args.db)
        steps = load(args.persons, args.engine)
        for name, seconds in steps.items():
            print(f"load: {name:30s} {seconds:8.1f} s", flush=True)
    if args.phase == "load":
        return
    figures: dict[str, dict[str, Any]] = {}
    isolate = args.engine == "postgres" and not args.in_process
    for phase in PHASES:
        if not isolate:
            figures[phase] = PHASES[phase](args)
            print(f"{phase}: {json.dumps(figures[phase], ensure_ascii=False)}", flush=True)
            continue
        command = [sys.executable, __file__, "--phase", phase, "--engine", args.engine,
                   "--db", args.db, "--persons", str(args.persons), "--lookups", str(args.lookups),
                   "--file-rows", str(args.file_rows)]  # fmt: skip
        if args.memory_limit:
            command += ["--memory-limit", args.memory_limit]
        out = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("RESULT "):
                figures[phase] = json.loads(line[7:])
                print(f"{phase}: {line[7:]}", flush=True)
    table(figures, args)
    report(
        bench="linkage",
        engine=args.engine,
        database=args.db,
        persons=args.persons,
        reused=reused,
        load_s=round(steps.get("total", 0), 1),
        **{phase: figures.get(phase, {}) for phase in PHASES},
    )


if __name__ == "__main__":
    main()
