"""``generate``: realistic synthetic data at the demo, region or nation scale.

- **demo** and **region**: the demo's reference data (``essor.core.demo``: Tanger-Tétouan-Al
  Hoceima, the seed conventions, partners and users), a population of 5,000 or 50,000 registry
  records drawn in it (``essor.generator.demo``), the story's own files, a linkage run over the
  registry (sure duplicates merged, likely ones queued for review) and the indicators refreshed.
- **nation**: 1,000,000 registry records over the 12 regions with their organisations,
  applications, sessions, funding and follow-ups (``essor.generator.loader.nation_world``).
  The analytics table is left to ``essor indicators`` (about 7 minutes at that scale).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.utils import timezone

from .bulk import Say, Timer
from .models import Generation, Scale

RECORDS = {Scale.DEMO: 5_000, Scale.REGION: 50_000, Scale.NATION: 1_000_000}

COUNTED = {
    "persons": "registry_person",
    "merged": "registry_person WHERE merged_into_id IS NOT NULL",
    "organisations": "registry_organisation",
    "memberships": "registry_membership",
    "conventions": "conventions_convention",
    "budget_lines": "conventions_budgetline",
    "programmes": "programmes_programme",
    "applications": "programmes_application",
    "enrollments": "programmes_enrollment",
    "sessions": "accompaniment_session",
    "participants": "accompaniment_participant",
    "commitments": "funding_commitment",
    "disbursements": "funding_disbursement",
    "follow_ups": "monitoring_followup",
    "pairs_to_review": "linkage_personpair WHERE status = 'pending'",
    "truth": "generator_trueidentity",
}


class AlreadyGenerated(Exception):
    pass


def table_counts() -> dict[str, int]:
    """What the database holds, counted by SQL."""
    counts = {}
    with connection.cursor() as cursor:
        for name, source in COUNTED.items():
            cursor.execute(f"SELECT count(*) FROM {source}")
            counts[name] = cursor.fetchone()[0]
    return counts


def truth_for_the_rest() -> None:
    """Every record made outside the bulk population and the imported lists (the story's
    holders) is a person of its own."""
    from essor.registry.models import Person

    from .models import TrueIdentity

    known = TrueIdentity.objects.values("record")
    last = max(TrueIdentity.objects.values_list("entity", flat=True), default=0)
    rest = Person.objects.exclude(pk__in=known).order_by("pk").values_list("pk", flat=True)
    TrueIdentity.objects.bulk_create(
        TrueIdentity(record=pk, entity=last + index) for index, pk in enumerate(rest, 1)
    )


def generate(
    *,
    scale: str,
    seed: int = 1,
    records: int | None = None,
    say: Say | None = None,
    progress: bool = True,
    link: bool = True,
    on_logins: Callable[[list[Any]], None] | None = None,
) -> Generation:
    """Generate the data set of ``scale`` (``records`` registry records overrides its size)."""
    say = say or (lambda _text: None)
    scale = Scale(scale)
    count = records or RECORDS[scale]
    if Generation.objects.filter(scale=scale).exists():
        raise AlreadyGenerated(scale)
    started_at, started = timezone.now(), time.perf_counter()
    timer = Timer(say)
    steps: dict[str, float] = {}
    if scale == Scale.NATION:
        from essor.accounts.models import Partner

        from .loader import HEAVY_TABLES, NotEmpty, nation_world, populate

        # The nation's world is made first, outside any transaction: check the tables before.
        if Partner.objects.filter(code__startswith="ccis-0").exists():
            raise NotEmpty("accounts_partner")
        with connection.cursor() as cursor:
            for table in HEAVY_TABLES:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
                if cursor.fetchone()[0]:
                    raise NotEmpty(table)

        with timer.step("reference data (ORM)"):
            world = nation_world(count, seed)
        population_steps, _drawn = populate(world, say=say, progress=progress)
        steps.update(population_steps)
    else:
        from essor.core.demo import load_demo

        from .demo import demo_import, demo_world
        from .loader import populate

        def population(partners: dict[str, Any]) -> None:
            world = demo_world(partners, persons=count, seed=seed)
            population_steps, _drawn = populate(world, say=say, progress=progress)
            steps.update(population_steps)
            if link:
                from essor.linkage.runs import person_run

                with timer.step("linkage (merge the sure duplicates, queue the likely ones)"):
                    person_run(actor=None)
            with timer.step("partners' lists imported (INDH's clerk, the council)"):
                demo_import(partners, seed=seed)
                demo_import(
                    partners,
                    seed=seed,
                    rows=16,
                    partner="cr-tta",
                    username="admin.region",
                    name="inscrits-bus-tpe-larache.csv",
                )

        with timer.step("demo: reference data, population and story"):
            logins = load_demo(populate=population)
            truth_for_the_rest()
        if on_logins is not None:
            on_logins(logins)
    steps.update(timer.steps)
    counts = table_counts()
    return Generation.objects.create(
        scale=scale,
        seed=seed,
        persons=count,
        started_at=started_at,
        seconds=round(time.perf_counter() - started, 1),
        counts=counts,
        steps=steps,
    )
