"""Batch linkage with Splink on DuckDB: blocking, unsupervised training, scoring, bands.

The registry (or any table of the same columns, e.g. FEBRL-shaped test data mapped onto them)
is copied into an in-process DuckDB database; Splink generates the candidate pairs from the
blocking rules, trains the model without labels and scores every pair. Guards keep a run from
exhausting the machine: the number of comparisons is estimated before anything is scored, the
training pairs are capped, and DuckDB works under a memory limit and spills to disk beyond it.
"""

from __future__ import annotations

import logging
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from django.conf import settings
from django.utils.translation import gettext as _
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_analysis import count_comparisons_from_blocking_rules

from . import model
from .namekey import person_keys

logger = logging.getLogger(__name__)

# A phone shared by more records than this (a cooperative's office, an association's desk)
# says nothing about who is who: it is left out of the comparisons.
PHONE_SHARED_MAX = 3

BLOCKING_RULES: list[Any] = [
    block_on("cin"),
    block_on("phone"),
    block_on("given_key", "birth_date"),
    block_on("family_key", "birth_date"),
    block_on("given_key", "family_key", "commune"),
    # Given and family names swapped between two lists.
    "l.given_key = r.family_key AND l.family_key = r.given_key",
    block_on("birth_date", "commune"),
    # A CIN mistyped once keeps one of its halves intact.
    "l.family_key = r.family_key AND left(l.cin, 4) = left(r.cin, 4)",
    "l.family_key = r.family_key AND right(l.cin, 3) = right(r.cin, 3)",
]
# Pairs that almost surely are one person (for the prior) and the blocks EM trains on.
DETERMINISTIC_RULES: list[Any] = [
    "l.cin = r.cin",
    "l.given_key = r.given_key AND l.family_key = r.family_key AND l.birth_date = r.birth_date",
]
# In the registry no two records share a CIN (the import matches it): the phone block is where
# EM sees CINs that differ by a typo, or not at all.
TRAINING_RULES = [
    block_on("cin"),
    block_on("phone"),
    block_on("given_key", "family_key", "birth_date"),
]
TRAINING_RULE_NAMES = ["cin", "phone", "given_key, family_key, birth_date"]
MIN_EM_PAIRS = 200
MIN_RECORDS_TO_TRAIN = 2_000


class LinkageTooLarge(Exception):
    """The blocking rules would generate more comparisons than the machine is allowed."""


@dataclass
class Limits:
    """What one run may use. Defaults come from settings (ESSOR_LINKAGE_*)."""

    max_comparisons: int = 300_000_000
    max_training_pairs: int = 5_000_000
    memory_limit: str = "4GB"
    threads: int = 2
    temp_directory: str | None = None

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_comparisons=settings.ESSOR_LINKAGE_MAX_COMPARISONS,
            max_training_pairs=settings.ESSOR_LINKAGE_MAX_TRAINING_PAIRS,
            memory_limit=settings.ESSOR_LINKAGE_MEMORY_LIMIT,
            threads=settings.ESSOR_LINKAGE_THREADS,
            temp_directory=settings.ESSOR_LINKAGE_TEMP_DIR,
        )


@dataclass
class Result:
    records: int
    comparisons: int
    pairs: pd.DataFrame  # unique_id_l, unique_id_r, match_probability, match_weight, levels…
    model: dict[str, Any]
    trained: bool
    notes: list[str] = field(default_factory=list)


def person_row(values: Mapping[str, Any]) -> dict[str, Any]:
    """One registry person as the linkage sees it (keys across scripts, CIN cleaned…)."""
    given, family = person_keys(
        values.get("first_name") or "",
        values.get("last_name") or "",
        values.get("first_name_ar") or "",
        values.get("last_name_ar") or "",
    )
    return {
        "unique_id": values["id"],
        "given_key": given or None,
        "family_key": family or None,
        "cin": model.clean_cin(values.get("cin")),
        "birth_date": model.as_date(values.get("birth_date")),
        "phone": values.get("phone") or None,
        "commune": values.get("commune_id") or values.get("commune") or None,
        "sex": values.get("sex") or None,
    }


def frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The records to link, one per row, with shared phones left out."""
    records = [person_row(r) for r in rows]
    phones = Counter(r["phone"] for r in records if r["phone"])
    for record in records:
        if record["phone"] and phones[record["phone"]] > PHONE_SHARED_MAX:
            record["phone"] = None
    df = pd.DataFrame.from_records(records, columns=["unique_id", *model.COLUMNS])
    df["birth_date"] = pd.to_datetime(df["birth_date"]).dt.date
    df["commune"] = df["commune"].astype("Int64")
    return df


def _connection(limits: Limits) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    temp = limits.temp_directory or tempfile.gettempdir()
    Path(temp).mkdir(parents=True, exist_ok=True)
    con.execute(f"SET memory_limit='{limits.memory_limit}'")
    con.execute(f"SET threads={int(limits.threads)}")
    con.execute(f"SET temp_directory='{temp}'")
    con.execute("SET preserve_insertion_order=false")
    return con


def settings_for(
    prior: float = model.DEFAULT_PRIOR, link_type: str = "dedupe_only"
) -> SettingsCreator:
    return SettingsCreator(
        link_type=link_type,  # type: ignore[arg-type]
        unique_id_column_name="unique_id",
        probability_two_random_records_match=prior,
        blocking_rules_to_generate_predictions=BLOCKING_RULES,
        comparisons=list[Any](model.splink_comparisons()),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
        additional_columns_to_retain=[],
    )


def run(
    df: pd.DataFrame,
    *,
    threshold: float,
    limits: Limits | None = None,
    progress: Callable[[str], None] = lambda _step: None,
    train: bool | None = None,
    link_to: pd.DataFrame | None = None,
) -> Result:
    """Score every candidate pair of ``df`` whose match probability reaches ``threshold``.

    With ``link_to`` (the registry), the pairs are between ``df`` (a partner's file) and it
    only: ``unique_id_l`` is in ``df``, ``unique_id_r`` in ``link_to``… or the other way
    round, as Splink orders them (``source_dataset_l`` says which).
    """
    limits = limits or Limits.from_settings()
    notes: list[str] = []
    link_type = "dedupe_only" if link_to is None else "link_only"
    con = _connection(limits)
    try:
        db = DuckDBAPI(connection=con)
        tables = [db.register(df, table_name="records")]
        if link_to is not None:
            tables.append(db.register(link_to, table_name="registry"))
        table: Any = tables[0] if link_to is None else tables
        progress(_("Counting the comparisons"))
        counts = count_comparisons_from_blocking_rules(
            table,
            blocking_rules=BLOCKING_RULES,
            link_type=link_type,  # type: ignore[arg-type]
            record_sample_proportion=1.0 if len(df) <= 200_000 else 0.1,
        )
        comparisons = int(counts[-1]["cumulative_comparison_count"]) if counts else 0
        if comparisons > limits.max_comparisons:
            raise LinkageTooLarge(
                _(
                    "This run would compare %(n)s pairs, more than the limit of %(max)s: "
                    "split the registry (by region) or raise %(setting)s."
                )
                % {
                    "n": f"{comparisons:,}",
                    "max": f"{limits.max_comparisons:,}",
                    "setting": "ESSOR_LINKAGE_MAX_COMPARISONS",
                }
            )
        linker = Linker(table, settings_for(link_type=link_type), log_level=logging.WARNING)
        size = len(df) + (0 if link_to is None else len(link_to))
        trained = size >= MIN_RECORDS_TO_TRAIN if train is None else train
        if trained:
            progress(_("Training the model (without labels)"))
            linker = _train(linker, table, link_type, limits, notes)
        else:
            notes.append("few records: default weights (docs/decisions/0014)")
        progress(_("Scoring the pairs"))
        predictions = linker.inference.predict(threshold_match_probability=threshold)
        pairs = predictions.as_pandas_dataframe()
        saved = linker.misc.save_model_to_json()
    finally:
        con.close()
    return Result(len(df), comparisons, pairs, saved, trained, notes)


def _train(linker: Linker, table: Any, link_type: Any, limits: Limits, notes: list[str]) -> Linker:
    """Train without labels; returns the linker with the trained (and floored) model."""
    training = linker.training
    try:
        training.estimate_probability_two_random_records_match(DETERMINISTIC_RULES, recall=0.8)
    except Exception as error:  # too few deterministic pairs: keep the default prior
        notes.append(f"prior kept: {error}")
    training.estimate_u_using_random_sampling(max_pairs=limits.max_training_pairs, seed=1)
    for rule, name in zip(TRAINING_RULES, TRAINING_RULE_NAMES, strict=True):
        count = count_comparisons_from_blocking_rules(
            table, blocking_rules=[rule], link_type=link_type, record_sample_proportion=1.0
        )[-1]["cumulative_comparison_count"]
        if count < MIN_EM_PAIRS:
            notes.append(f"EM on {name}: {count} pairs only, default m kept")
            continue
        # Splink's EM session changes the linker's settings before training (the blocked
        # comparison left out, the in-block prior) and puts them back only when it succeeds:
        # after a failure the linker is rebuilt from the model saved before.
        before = linker.misc.save_model_to_json()
        try:
            training.estimate_parameters_using_expectation_maximisation(
                rule, fix_probability_two_random_records_match=True
            )
        except Exception as error:
            notes.append(f"EM on {name}: {error}")
            linker = Linker(table, before, log_level=logging.WARNING)
            training = linker.training
    return Linker(table, floored(linker.misc.save_model_to_json()), log_level=logging.WARNING)


# EM can drive a level's m to almost nothing when the training data never shows it (say, a
# person who moved to another commune): a floor keeps one such field from vetoing a match.
M_FLOOR = 0.001


def floored(settings: dict[str, Any]) -> dict[str, Any]:
    """The trained model with every comparison present and each m at least ``M_FLOOR``."""
    names = [c["output_column_name"] for c in settings.get("comparisons", [])]
    expected = [c.name for c in model.COMPARISONS]
    if names != expected:
        raise RuntimeError(f"the trained model lost comparisons: {names} != {expected}")
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level") and level.get("m_probability") is not None:
                level["m_probability"] = max(level["m_probability"], M_FLOOR)
    return settings
