"""The Splink model: comparisons, blocking, training by EM, scoring of candidate pairs.

Fellegi-Sunter: each pair of records gets a match weight, the sum over comparisons of
log2(m/u) for the level it falls in (m: how often true matches fall in that level, u: how often
non-matches do). m is trained by expectation maximisation, u by random sampling (seeded). The
settings are backend-neutral Splink creators, so the same model runs on Spark for a
country-scale register; DuckDB is the default backend.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.database_api import DatabaseAPI
from splink.internals.exceptions import EMTrainingException
from splink.internals.linker_components.training import LinkerTraining

# Splink logs progress and SQL; records must never reach a log, so only errors pass.
logging.getLogger("splink").setLevel(logging.ERROR)

WEIGHT_BIN = 1.0  # width of the match-weight histogram bins


@dataclass(frozen=True)
class ModelOptions:
    """What a run is trained with; stored with the run so it can be repeated."""

    seed: int = 20261125
    u_max_pairs: float = 1e6  # pairs sampled to estimate u (enough here; 1e7 costs 10x)
    prior_recall: float = 0.7  # share of true matches the ID rule is assumed to find
    score_floor: float = 0.01  # pairs scored below this probability are not kept
    # No single disagreement is proof: a level never seen among matches in training (say, two
    # different council numbers) still costs at most log2(min_m / u) bits, not minus infinity.
    min_m: float = 1e-4
    min_u: float = 1e-7


@dataclass(frozen=True)
class Scored:
    pairs: pd.DataFrame  # unique_id_l, unique_id_r, match_weight, match_probability
    histogram: list[tuple[float, int]]  # (bin start, pairs) over every scored pair
    model: dict[str, Any]  # the trained Splink model (settings with m and u), as JSON


def _name_levels(col: str) -> list[ComparisonLevelCreator]:
    """Null, exact, and the two names swapped (exactly, then by sound): the levels both name
    comparisons start with, so that a swap scores as agreement on both."""
    return [
        cll.NullLevel(col),
        cll.ExactMatchLevel(col, term_frequency_adjustments=True),
        cll.ColumnsReversedLevel("surname", "first_name", symmetrical=True).configure(
            label_for_charts="surname and first name swapped"
        ),
        cll.ExactMatchLevel("name_key").configure(
            label_for_charts="both names sound alike, in either order"
        ),
    ]


def surname_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        [
            *_name_levels("surname"),
            cll.JaroWinklerLevel("surname", 0.92),
            cll.ExactMatchLevel("surname_key").configure(label_for_charts="sounds alike"),
            cll.ArrayIntersectLevel("surname_tokens", 1).configure(
                label_for_charts="one surname part shared (double-barrelled)"
            ),
            cll.JaroWinklerLevel("surname", 0.8),
            cll.ElseLevel(),
        ],
        output_column_name="surname",
    )


def first_name_comparison() -> cl.CustomComparison:
    one_side_initials = "(initials_only_l OR initials_only_r)"
    return cl.CustomComparison(
        [
            *_name_levels("first_name"),
            cll.ArrayIntersectLevel("first_aliases", 1).configure(
                label_for_charts="nickname of the same name"
            ),
            cll.JaroWinklerLevel("first_name", 0.92),
            cll.ExactMatchLevel("first_key").configure(label_for_charts="sounds alike"),
            cll.CustomLevel(f"{one_side_initials} AND initials_l = initials_r", "initials agree"),
            cll.CustomLevel(
                f"{one_side_initials} AND substr(initials_l, 1, 1) = substr(initials_r, 1, 1)",
                "first initial agrees",
            ),
            cll.JaroWinklerLevel("first_name", 0.8),
            cll.ElseLevel(),
        ],
        output_column_name="first_name",
    )


def _identifier(col: str) -> cl.CustomComparison:
    """Exact, one typo (or two digits swapped), anything else.

    The m values are starting points that EM replaces; they stand when no two sources share the
    identifier (e.g. PERSAL numbers in the payroll only), so the model never holds gaps.
    """
    return cl.CustomComparison(
        [
            cll.NullLevel(col),
            cll.ExactMatchLevel(col).configure(m_probability=0.95),
            cll.DamerauLevenshteinLevel(col, 1).configure(m_probability=0.03),
            cll.ElseLevel().configure(m_probability=0.02),
        ],
        output_column_name=col,
    )


def area_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        [
            cll.NullLevel("area_code"),
            cll.ExactMatchLevel("area_code"),
            cll.ExactMatchLevel("district_code"),
            cll.ExactMatchLevel("province_code"),
            cll.ElseLevel(),
        ],
        output_column_name="area",
    )


def settings() -> SettingsCreator:
    """Our model. Blocking keeps the pair count near linear in the records: a pair is scored
    only if it shares an identifier (or half an ID number and the sound of the surname), the
    sound of both names in either order within a district, or a birth date with the sound of
    one name or the district. (Both names' sound alone pairs up ~1.7 million of 90,000 records,
    all of them names-only pairs that could at most be reviewed.)"""
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            _identifier("id_number"),
            surname_comparison(),
            first_name_comparison(),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            _identifier("council_number"),
            _identifier("persal_number"),
            area_comparison(),
            cl.ExactMatch("sex"),
            cl.ExactMatch("category"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("id_number"),
            block_on("substr(id_number, 1, 7)", "surname_key"),  # a slip in the last six digits
            block_on("substr(id_number, 7, 7)", "surname_key"),  # a slip in the birth date part
            block_on("council_number"),
            block_on("persal_number"),
            block_on("name_key", "district_code"),
            block_on("birth_date", "surname_key"),
            block_on("birth_date", "first_key"),
            block_on("birth_date", "district_code"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


TRAINING_RULES = (block_on("id_number"), block_on("name_key", "birth_date"))
PRIOR_RULES = ("l.id_number = r.id_number",)


def score_pairs(
    records: pd.DataFrame,
    options: ModelOptions,
    *,
    db_api: DatabaseAPI | None = None,
    creator: SettingsCreator | None = None,
    training_rules: tuple[BlockingRuleCreator, ...] = TRAINING_RULES,
) -> Scored:
    """Train the model on `records` (EM; u by seeded sampling) and score candidate pairs.

    `db_api`: where Splink runs; a fresh in-memory DuckDB unless given (e.g. a SparkAPI).
    """
    db = db_api or _duckdb()
    table = db.register(records)
    linker = Linker(table, creator or settings(), log_level=None)
    train = linker.training
    train.estimate_probability_two_random_records_match(
        list(PRIOR_RULES), recall=options.prior_recall
    )
    train.estimate_u_using_random_sampling(
        max_pairs=options.u_max_pairs, seed=options.seed, num_chunks=1
    )
    trained = [_em(train, rule) for rule in training_rules]
    model = _with_floors(linker.misc.save_model_to_json(), options, fill_missing=all(trained))
    if not 0 < model["probability_two_random_records_match"] < 1:  # no shared ID numbers at all
        model["probability_two_random_records_match"] = 1 / max(len(records), 2)
    linker = Linker(table, model, log_level=None)
    predicted = linker.inference.predict(warning_mode="never").physical_name
    histogram = linker.misc.query_sql(
        f"SELECT floor(match_weight / {WEIGHT_BIN}) * {WEIGHT_BIN} AS bin, count(*) AS pairs "
        f"FROM {predicted} GROUP BY 1 ORDER BY 1",
        output_type="pandas",
    )
    pairs = linker.misc.query_sql(
        "SELECT unique_id_l, unique_id_r, match_weight, match_probability "
        f"FROM {predicted} WHERE match_probability >= {options.score_floor}",
        output_type="pandas",
    )
    if db_api is None:
        db.duckdb_con.close()
    bins = zip(histogram["bin"], histogram["pairs"], strict=True)
    return Scored(pairs, [(float(b), int(n)) for b, n in bins], model)


def _em(train: LinkerTraining, rule: BlockingRuleCreator) -> bool:
    """One EM session; False when the rule finds no pairs (a small list), so defaults stand."""
    try:
        train.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    except EMTrainingException:
        return False
    return True


def _duckdb() -> DuckDBAPI:
    db = DuckDBAPI()
    db.duckdb_con.execute("SET enable_progress_bar = false")  # no bars in a user's terminal
    return db


def _with_floors(
    model: dict[str, Any], options: ModelOptions, *, fill_missing: bool
) -> dict[str, Any]:
    """The trained model with every m and u raised to at least the floors in `options`.

    After a full training, Splink leaves out an m it estimated as zero: it gets the floor too.
    When a training rule found no pairs, a missing m was never estimated and Splink's default
    stands instead.
    """
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            for key, floor in (("m_probability", options.min_m), ("u_probability", options.min_u)):
                if key in level or fill_missing:
                    level[key] = max(level.get(key, 0.0), floor)
    return model
