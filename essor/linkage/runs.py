"""A linkage run over the registry: find the pairs, sort them into bands, merge the sure ones.

Bands (docs/decisions/0014): a pair scored at least ``AUTO_THRESHOLD`` with an identifier in
agreement (CIN exact or one edit away, the same phone, or the same names and birth date) and
no conflicting CIN is merged automatically; a pair scored at least ``REVIEW_THRESHOLD`` goes to
the review queue; the rest stays apart. Automatic merges go cluster by cluster: a cluster larger
than ``MAX_AUTO_CLUSTER`` records, or holding two different CINs, goes to review instead, so
that weak links never chain many people into one.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from essor.accounts.models import User
from essor.registry.models import Organisation, Person

from . import batch, model
from .lookup import AUTO_THRESHOLD, LOOKUP_FIELDS, REVIEW_THRESHOLD
from .models import (
    Band,
    LinkRun,
    Merge,
    OrganisationPair,
    PairStatus,
    PersonPair,
    RecordKind,
    RunStatus,
)
from .namekey import name_key
from .services import decided_pairs, merge_persons_many, not_same_ids, ordered

logger = logging.getLogger(__name__)

MAX_AUTO_CLUSTER = 4
# A run that has said nothing for this long has died (its process was stopped).
STALE_AFTER = timedelta(hours=2)


class RunUnderWay(Exception):
    """Another linkage run is going on: two at once would compete for the same pairs."""


@dataclass
class Found:
    left: int
    right: int
    probability: float
    weight: float
    levels: dict[str, str]
    band: str


def registry_frame() -> pd.DataFrame:
    """The registry's active persons as the linkage sees them."""
    rows = (
        Person.objects.filter(archived_at__isnull=True, merged_into__isnull=True)
        .order_by()
        .values(*LOOKUP_FIELDS)
        .iterator(chunk_size=20_000)
    )
    return batch.frame(rows)


def records_of(df: pd.DataFrame, ids: set[int]) -> dict[int, dict[str, Any]]:
    """The prepared records of these ids, as the Python scorer reads them (None for missing)."""
    part = df[df["unique_id"].isin(ids)].astype(object)
    part = part.where(pd.notna(part), None)
    return {int(r["unique_id"]): r for r in part.to_dict("records")}


def classify(pairs: pd.DataFrame, df: pd.DataFrame, weights: model.Weights) -> list[Found]:
    """Each scored pair with its evidence (level by field) and its band.

    Splink gives the score; the levels are read again in Python (``model.score``, the same
    levels) to show the evidence and to tell whether an identifier agrees.
    """
    lefts, rights = pairs["unique_id_l"].tolist(), pairs["unique_id_r"].tolist()
    records = records_of(df, set(lefts) | set(rights))
    probabilities, weights_ = pairs["match_probability"].tolist(), pairs["match_weight"].tolist()
    found = []
    for i, (left, right) in enumerate(zip(lefts, rights, strict=True)):
        scored = model.score(records[int(left)], records[int(right)], weights)
        probability = float(probabilities[i])
        sure = probability >= AUTO_THRESHOLD and scored.strong and not scored.conflicting_cin
        a, b = ordered(int(left), int(right))
        found.append(
            Found(
                a,
                b,
                probability,
                float(weights_[i]),
                scored.levels,
                Band.AUTO if sure else Band.REVIEW,
            )
        )
    # In the order of the records, not the order DuckDB's threads returned them: the same
    # registry gives the same pairs, saved and merged in the same order.
    found.sort(key=lambda pair: (pair.left, pair.right))
    return found


def _clusters(pairs: list[Found]) -> list[set[int]]:
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        parent[root(pair.left)] = root(pair.right)
    groups: dict[int, set[int]] = defaultdict(set)
    for x in list(parent):
        groups[root(x)].add(x)
    return list(groups.values())


def _conflicting_cins(ids: set[int], cins: dict[int, str | None]) -> bool:
    values = sorted({c for i in ids if (c := cins.get(i))})
    return any(model.edits(a, b) > 1 for a in values for b in values if a < b)


def person_run(
    *,
    actor: User | None,
    dry_run: bool = False,
    run: LinkRun | None = None,
    progress: Callable[[str], None] = lambda _step: None,
    limits: batch.Limits | None = None,
) -> LinkRun:
    """Link the registry's persons: store the pairs to review and merge the sure ones."""
    busy = LinkRun.objects.filter(
        kind=RecordKind.PERSON,
        status=RunStatus.RUNNING,
        updated_at__gte=timezone.now() - STALE_AFTER,
    )
    if run is not None:
        busy = busy.exclude(pk=run.pk)
    if busy.exists():
        raise RunUnderWay(_("A run is already under way: wait for it to finish."))
    run = run or LinkRun.objects.create(kind=RecordKind.PERSON, dry_run=dry_run, started_by=actor)
    run.status, run.dry_run = RunStatus.RUNNING, dry_run

    def step(text: str) -> None:
        run.step = text
        run.save(update_fields=["step", "status", "dry_run", "updated_at"])
        progress(text)

    try:
        step(_("Reading the registry"))
        df = registry_frame()
        run.records = len(df)
        result = batch.run(df, threshold=REVIEW_THRESHOLD, limits=limits, progress=step)
        run.comparisons, run.model = result.comparisons, result.model
        step(_("Sorting the pairs"))
        found = classify(result.pairs, df, model.Weights.from_settings(result.model))
        judged = decided_pairs(
            RecordKind.PERSON, {f.left for f in found} | {f.right for f in found}
        )
        # "Not the same" is never proposed again; a pair a person sent back to the queue (an
        # undone merge) is never merged again without a person.
        found = [f for f in found if judged.get((f.left, f.right)) != PairStatus.NOT_SAME]
        for f in found:
            if (f.left, f.right) in judged:
                f.band = Band.REVIEW
        cins = dict(zip(df["unique_id"].tolist(), df["cin"].tolist(), strict=True))
        auto = [f for f in found if f.band == Band.AUTO]
        demoted = {
            i
            for cluster in _clusters(auto)
            if len(cluster) > MAX_AUTO_CLUSTER or _conflicting_cins(cluster, cins)
            for i in cluster
        }
        for f in auto:
            if f.left in demoted:
                f.band = Band.REVIEW
        run.auto_pairs = sum(1 for f in found if f.band == Band.AUTO)
        run.review_pairs = len(found) - run.auto_pairs
        if not dry_run:
            step(_("Saving the pairs to review"))
            _store_person_pairs(found, run)
            step(_("Merging the sure pairs"))
            run.merged = _auto_merge(found, actor, cins)
        run.status, run.finished_at, run.step = RunStatus.DONE, timezone.now(), ""
        run.save()
    except Exception as error:
        run.status, run.finished_at, run.error = RunStatus.FAILED, timezone.now(), str(error)
        run.save()
        raise
    from django.core.cache import cache

    cache.delete("linkage:weights")
    return run


def _store_person_pairs(found: list[Found], run: LinkRun) -> None:
    with transaction.atomic():
        # Undecided pairs of earlier runs are replaced; decided ones stay as they are.
        PersonPair.objects.filter(status=PairStatus.PENDING, decided_at__isnull=True).delete()
        decided = set(PersonPair.objects.values_list("left_id", "right_id"))
        batch_rows = [
            PersonPair(
                left_id=f.left,
                right_id=f.right,
                score=f.probability,
                weight=f.weight,
                evidence=f.levels,
                band=f.band,
                run=run,
            )
            for f in found
            if (f.left, f.right) not in decided
        ]
        PersonPair.objects.bulk_create(batch_rows, batch_size=2_000)


MERGE_BATCH = 500


def _auto_merge(found: list[Found], actor: User | None, cins: dict[int, str | None]) -> int:
    """Merge the clusters of sure pairs, a batch of merges at a time (``merge_persons_many``)."""
    auto = [f for f in found if f.band == Band.AUTO]
    pairs = {
        (left, right): pk
        for left, right, pk in PersonPair.objects.filter(
            band=Band.AUTO, status=PairStatus.PENDING
        ).values_list("left_id", "right_id", "pk")
    }
    plan: list[tuple[int, int, int | None]] = []
    clusters = _clusters(auto)
    survivor_of: dict[int, int] = {}
    for cluster in clusters:
        # The survivor: a record with a CIN if there is one, else the oldest.
        survivor_id = min(cluster, key=lambda i: (cins.get(i) is None, i))
        for other in sorted(cluster - {survivor_id}):
            plan.append((survivor_id, other, pairs.get(ordered(survivor_id, other))))
            survivor_of[other] = survivor_id
    done: set[int] = set()
    for start in range(0, len(plan), MERGE_BATCH):
        chunk = plan[start : start + MERGE_BATCH]
        made = merge_persons_many(chunk, actor=actor)
        done |= set(Merge.objects.filter(pk__in=made).values_list("merged_id", flat=True))
    refused = set(survivor_of) - done
    for other in sorted(refused):
        logger.warning("automatic merge %s <- %s refused", survivor_of[other], other)
    # Pairs inside a fully merged cluster that were not the survivor's are settled too.
    blocked = {i for cluster in clusters if cluster & refused for i in cluster}
    # (a cluster with a refused merge keeps its other pairs in the queue)
    settled = [
        pairs[(f.left, f.right)]
        for f in auto
        if f.left not in blocked and (f.left, f.right) in pairs
    ]
    PersonPair.objects.filter(pk__in=settled, status=PairStatus.PENDING).update(
        status=PairStatus.MERGED
    )
    return len(done)


def organisation_run(*, actor: User | None, dry_run: bool = False) -> LinkRun:
    """Organisations: the same name key in the same commune, or the same founders, go to review.

    The ICE is unique in the registry (an import matches it exactly), so what is left are the
    organisations entered without ICE, or with another spelling of their name.
    """
    run = LinkRun.objects.create(
        kind=RecordKind.ORGANISATION, dry_run=dry_run, started_by=actor, status=RunStatus.RUNNING
    )
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in Organisation.objects.filter(
            archived_at__isnull=True, merged_into__isnull=True
        ).values("id", "name_fr", "name_ar", "commune_id", "ice")
    ]
    members: dict[int, frozenset[int]] = defaultdict(frozenset)
    from essor.registry.models import Membership

    founders: dict[int, set[int]] = defaultdict(set)
    for org_id, person_id in Membership.objects.values_list("organisation_id", "person_id"):
        founders[org_id].add(person_id)
    members.update({k: frozenset(v) for k, v in founders.items()})
    blocks: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        key = name_key(row["name_ar"]) or name_key(row["name_fr"])
        row["key"] = key
        if key:
            blocks[("name", key, row["commune_id"])].append(row)
        if members[row["id"]]:
            blocks[("members", members[row["id"]])].append(row)
    found: dict[tuple[int, int], dict[str, str]] = {}
    for (kind, *_rest), block in blocks.items():
        if len(block) > 50:  # a generic name ("Coopérative agricole") in a big commune
            continue
        for i, a in enumerate(block):
            for b in block[i + 1 :]:
                if a["ice"] and b["ice"]:
                    continue  # two different ICEs: two enterprises
                evidence = found.setdefault(ordered(a["id"], b["id"]), {})
                evidence["name" if kind == "name" else "founders"] = "the same"
                if a["key"] == b["key"]:
                    evidence["name"] = "the same"
                if a["commune_id"] and a["commune_id"] == b["commune_id"]:
                    evidence["commune"] = "the same"
    judged = not_same_ids(RecordKind.ORGANISATION, {i for pair in found for i in pair})
    existing = set(OrganisationPair.objects.values_list("left_id", "right_id"))
    new = [
        OrganisationPair(
            left_id=a,
            right_id=b,
            score=0.9 if len(evidence) >= 3 else 0.7,
            evidence=evidence,
            band=Band.REVIEW,
            run=run,
        )
        for (a, b), evidence in sorted(found.items())
        if (a, b) not in judged and (a, b) not in existing
    ]
    if not dry_run:
        OrganisationPair.objects.bulk_create(new, batch_size=2_000)
    run.records, run.review_pairs = len(rows), len(new)
    run.status, run.finished_at = RunStatus.DONE, timezone.now()
    run.save()
    return run
