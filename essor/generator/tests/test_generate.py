"""``essor generate``: the same seed gives the same data, the data keeps the ledger and the
registry's rules, duplicates are entered by another partner with the truth kept, and linkage
finds them."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models, transaction
from django.db.models import Count, Sum

from essor.accompaniment.models import Participant, Session, VenueKind
from essor.conventions.models import BudgetLine, Convention
from essor.funding.models import Commitment
from essor.generator.bulk import reset_sequences
from essor.generator.models import Generation, TrueIdentity
from essor.generator.services import generate
from essor.programmes.models import Application, Programme
from essor.programmes.selection import places_taken
from essor.registry.models import Person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RECORDS = 600

# Values that are not data: when a row was written, sign-in secrets, and the random tokens
# the services draw for receipts and session series (the bulk-written rows have none of these).
NOT_DATA = {"password", "last_login", "date_joined", "receipt", "series", "token"}
# … and where an uploaded file was stored (the storage adds a suffix when the name is taken).
NOT_DATA |= {"file"}
# Logs of runs (when, how long) and a merge's copy of the rows it changed (write times included).
RUN_LOGS = {"monitoring.FactsRefresh", "linkage.LinkRun", "generator.Generation"}
NOT_DATA_FIELDS = {"linkage.Merge": {"changes", "person_pair"}}  # the pair: by its persons
# Rows numbered in the order a parallel engine returns them: the analytics table (INSERT …
# SELECT on PostgreSQL) and the linkage run's pairs and merges (DuckDB on two threads). They are
# compared without their ids, and every probability to six decimals.
DERIVED = {"monitoring.Fact", "linkage.PersonPair", "linkage.Merge"}


class Rollback(Exception):
    pass


def _data_fields(model: type[models.Model]) -> list[str]:
    names = []
    for f in model._meta.concrete_fields:
        if f.name in NOT_DATA or f.name in NOT_DATA_FIELDS.get(model._meta.label, ()):
            continue
        if isinstance(f, models.DateTimeField):
            continue  # when the row was written (the data's own days are DateFields)
        names.append(f.attname)
    return names


def snapshot() -> dict[str, str]:
    """A digest of every table of essor's apps, row by row (historical records left out)."""
    digests = {}
    for model in apps.get_models():
        label = model._meta.label
        if not model.__module__.startswith("essor.") or label.split(".")[1].startswith(
            "Historical"
        ):
            continue
        if model._meta.app_label in {"core"} or label in RUN_LOGS:  # the audit log, run logs
            continue
        fields = _data_fields(model)
        digest = hashlib.sha256()
        if label in DERIVED:
            fields = [f for f in fields if f != "id"]
        rows = model._default_manager.order_by("pk").values_list(*fields)
        values = [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows]
        if label in DERIVED:
            values.sort(key=repr)
        for row in values:
            digest.update(repr(row).encode())
        digests[label] = f"{len(values)}:{digest.hexdigest()[:16]}"
    return digests


def generate_and_roll_back(seed: int) -> dict[str, str]:
    reset_sequences()
    try:
        with transaction.atomic():
            generate(scale="demo", records=RECORDS, seed=seed, progress=False)
            taken = snapshot()
            raise Rollback
    except Rollback:
        pass
    return taken


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data() -> None:
    first = generate_and_roll_back(seed=3)
    second = generate_and_roll_back(seed=3)
    different = [label for label in first if first[label] != second[label]]
    assert different == [], different
    # The population, the story's 11 holders and the new people of the two imported lists.
    assert int(first["registry.Person"].split(":")[0]) > RECORDS + 11
    other = generate_and_roll_back(seed=4)
    assert other["registry.Person"] != first["registry.Person"]


def test_the_demo_population_keeps_the_rules_and_its_duplicates_are_found() -> None:
    generation = generate(scale="demo", records=RECORDS, seed=1, progress=False)
    assert generation.counts["persons"] > RECORDS + 11  # the story, the imports' new people
    # Every registry record has its truth; some persons were entered twice.
    truth = dict(TrueIdentity.objects.filter(record__lte=RECORDS).values_list("record", "entity"))
    assert len(truth) == RECORDS
    entered = Counter(truth.values())
    twice = {entity for entity, times in entered.items() if times == 2}
    assert 0.04 * RECORDS < len(twice) < 0.12 * RECORDS
    # … by another partner than the first time, with the names in at least one script.
    for record, entity in list(truth.items())[:200]:
        if entity in twice and record > min(r for r, e in truth.items() if e == entity):
            person = Person.objects.get(pk=record)
            first = Person.objects.get(pk=min(r for r, e in truth.items() if e == entity))
            assert person.registered_by_id != first.registered_by_id
            assert person.first_name or person.first_name_ar
            assert person.last_name or person.last_name_ar
    # Linkage merged sure pairs, and only true ones.
    merged = list(Person.objects.filter(merged_into__isnull=False).values_list("pk", "merged_into"))
    assert merged, "the linkage run merged nothing"
    assert all(truth[a] == truth[b] for a, b in merged if a in truth and b in truth)

    # The ledger: no line overdrawn, the seed envelopes untouched.
    for line in BudgetLine.objects.all():
        used = Commitment.objects.filter(
            budget_line=line, status__in=["pending", "approved"]
        ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
        assert used <= line.amount, line
    assert Convention.objects.get(reference="TTA-TPE-ESS-25MDH").envelope == Decimal("25000000")
    assert Commitment.objects.filter(budget_line__category="grants").count() > 20

    # No programme takes more files than its places.
    for programme in Programme.objects.exclude(capacity=None):
        assert places_taken(programme) <= (programme.capacity or 0), programme.code

    # Sessions in the maisons des TPE and at the bus stops; one place a day for the bus.
    kinds = Counter(Session.objects.values_list("venue__kind", flat=True))
    assert kinds[VenueKind.HOUSE] > 0
    assert kinds[VenueKind.BUS_STOP] > 0
    bus_days = (
        Session.objects.filter(venue__kind=VenueKind.BUS_STOP)
        .values("starts_at__date")
        .annotate(places=Count("venue", distinct=True))
        .filter(places__gt=1)
    )
    assert not bus_days.exists()
    # … and the agenda holds as the services would hold it: one session at a time in a venue
    # and for a counsellor, no more people than places, everyone marked in a reported session.
    slots = Counter(Session.objects.values_list("venue", "starts_at"))
    assert max(slots.values()) == 1
    led = Counter(Session.objects.values_list("counsellors", "starts_at"))
    assert max(led.values()) == 1
    places = Session.objects.annotate(people=Count("participants"))
    for people, capacity in places.values_list("people", "venue__capacity"):
        assert people <= capacity
    unmarked = Participant.objects.filter(session__reported_at__isnull=False, present=None)
    assert not unmarked.exists()
    # One application per person and programme, as the service allows; a person who applied
    # through two records (the reason linkage exists) has both once they are merged.
    survivors = Person.objects.filter(merged_into__isnull=False).values("merged_into")
    per_programme = (
        Application.objects.exclude(person__in=survivors)
        .values("person", "programme")
        .annotate(n=Count("pk"))
    )
    assert not per_programme.filter(n__gt=1).exists()
    assert Participant.objects.filter(present=True).exists()

    # Dates within 2023-2025 for the generated files; women and young people in fair shares.
    days = Application.objects.values_list("submitted_on", flat=True)
    assert min(days) >= date(2023, 1, 1)
    assert max(days) <= date(2025, 12, 31)
    holders = Person.objects.filter(merged_into__isnull=True)
    women = holders.filter(sex="F").count() / holders.count()
    assert 0.28 < women < 0.48
    young = holders.filter(birth_date__gt=date(1985, 12, 31)).count() / holders.count()
    assert 0.35 < young < 0.7
    # Every record has its truth: the story's holders and the imported lists' records too.
    assert TrueIdentity.objects.count() == Person.objects.count()
    imported = TrueIdentity.objects.filter(record__gt=RECORDS)
    assert imported.filter(entity__lte=len(set(truth.values()))).exists()  # a person typed again


def test_generating_twice_is_refused_with_a_message_and_changes_nothing() -> None:
    call_command(
        "generate", scale="demo", records=300, no_link=True, verbosity=0, stdout=StringIO()
    )
    before = Person.objects.count()
    with pytest.raises(CommandError, match="already generated"):
        call_command("generate", scale="demo", records=300, verbosity=0, stdout=StringIO())
    taken = snapshot()
    out = StringIO()
    call_command("generate", scale="demo", if_empty=True, verbosity=0, stdout=out)
    assert "nothing generated" in out.getvalue()
    assert "manager.region" in out.getvalue()
    assert Person.objects.count() == before
    assert snapshot() == taken  # a second make run changes nothing but the passwords


def test_a_registry_with_records_is_not_overwritten() -> None:
    call_command("demo", stdout=StringIO())  # the hand-made story only: a few holders
    before = Person.objects.count()
    with pytest.raises(CommandError, match="already holds rows"):
        call_command("generate", scale="demo", records=300, verbosity=0, stdout=StringIO())
    assert Person.objects.count() == before
    assert not Generation.objects.exists()


def test_the_nation_world_spans_every_region() -> None:
    generation = generate(scale="nation", records=3_000, seed=2, progress=False)
    counts = generation.counts
    assert (counts["persons"], counts["truth"]) == (3_000, 3_000)
    assert counts["organisations"] == 900
    assert 5_900 <= counts["applications"] <= 6_000  # one per person and programme at most
    regions = Person.objects.exclude(commune=None).values("commune__region").distinct().count()
    assert regions == 12
    merged = Person.objects.filter(merged_into__isnull=False)
    assert merged.exists()
    truth = dict(TrueIdentity.objects.values_list("record", "entity"))
    assert all(truth[p.pk] == truth[p.merged_into_id or 0] for p in merged)
    assert not Application.objects.filter(person__merged_into__isnull=False).exists()
