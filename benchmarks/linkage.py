"""Benchmark: link ~90,000 records of 50,000 people from 3 source lists with known truth.

The council register (nearly complete, clean), the payroll (government staff, capitals, initials,
few errors) and an NPO list (many missing ID numbers and birth dates, nicknames, swapped names,
married surnames): linkage/synthetic.py. Side by side, from the parsed lists to persons:
- ours: source-list checks and normalisation, the ID rule, our Splink model, review band,
  constrained clustering (records with nothing but a name go to review, never merged);
- plain Splink with default-style settings (out-of-the-box name, date-of-birth and exact-match
  comparisons on the same cleaned columns, EM, connected components at p >= 0.95);
- exact ID numbers alone (rows sharing an ID number are one person).
Quality is pairwise precision, recall and F1 against the truth. Run: `make bench` or
`python benchmarks/linkage.py [--persons N]`.
"""

from __future__ import annotations

import argparse
import os
from datetime import date
from functools import partial

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from _common import timed, write_results
from ssp_planner.demo import generate_demo
from ssp_planner.domain.areas import bundled_areas
from ssp_planner.linkage import Decisions, lineage_from, link_record, link_records
from ssp_planner.linkage.evaluate import PairScores, pairwise_scores
from ssp_planner.linkage.sources import AreaLineage, check_source
from ssp_planner.linkage.synthetic import SyntheticSources, as_table, make_sources

TODAY = date(2026, 4, 1)


def prepare(sources: SyntheticSources, lineage: AreaLineage, codes: frozenset[str]) -> pd.DataFrame:
    """Source lists as read -> checked, normalised records (what every method starts from)."""
    records = []
    for name, rows in sources.lists.items():
        for _row, values in check_source(as_table(name, rows), codes, TODAY).rows:
            records.append(link_record(len(records), name, values, lineage))
    return pd.DataFrame(records)


def ours(sources: SyntheticSources, lineage: AreaLineage, codes: frozenset[str]) -> list[int]:
    records = prepare(sources, lineage, codes)
    result = link_records(records, Decisions())
    return [result.person_of[u] for u in records["unique_id"]]


def plain_splink(records: pd.DataFrame, seed: int) -> list[int]:
    """Splink as its tutorials set it up, on the same cleaned columns."""
    creator = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("id_number"),
            cl.ExactMatch("council_number"),
            cl.ExactMatch("persal_number"),
            cl.ExactMatch("area_code"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("id_number"),
            block_on("council_number"),
            block_on("persal_number"),
            block_on("first_name", "surname"),
            block_on("surname", "birth_date"),
        ],
    )
    columns = ["unique_id", "first_name", "surname", "birth_date", "id_number",
               "council_number", "persal_number", "area_code"]  # fmt: skip
    db = DuckDBAPI()
    db.duckdb_con.execute("SET enable_progress_bar = false")
    linker = Linker(db.register(records[columns]), creator, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        ["l.id_number = r.id_number"], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=seed)
    for rule in (block_on("id_number"), block_on("first_name", "surname")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predicted = linker.inference.predict(threshold_match_probability=0.5, warning_mode="never")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predicted, 0.95)
    frame = clusters.as_pandas_dataframe()
    person = dict(zip(frame["unique_id"], frame["cluster_id"], strict=True))
    return [person[u] for u in records["unique_id"]]


def exact_ids(records: pd.DataFrame) -> list[object]:
    return [
        i if isinstance(i, str) and i else f"row-{u}"
        for u, i in zip(records["unique_id"], records["id_number"], strict=True)
    ]


def _row(method: str, records: int, secs: float, q: PairScores) -> dict[str, object]:
    return {
        "method": method,
        "records": f"{records:,}",
        "seconds": f"{secs:.1f}",
        "precision": f"{q.precision:.4f}",
        "recall": f"{q.recall:.4f}",
        "F1": f"{q.f1:.4f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()
    areas = bundled_areas()
    lineage = lineage_from((a.code, a.level.value, a.parent_code) for a in areas)
    codes = frozenset(a.code for a in areas)
    sources = make_sources(generate_demo(areas, seed=args.seed, size=args.persons), seed=args.seed)
    truth = [p for name in sources.lists for p in sources.truth[name]]
    n = len(truth)
    secs, ours_labels = timed(partial(ours, sources, lineage, codes))
    rows = [
        _row(
            "ours (ID rule + tuned Splink + review band)",
            n,
            secs,
            pairwise_scores(truth, ours_labels),
        )
    ]
    prep_secs, records = timed(partial(prepare, sources, lineage, codes))
    secs, plain = timed(partial(plain_splink, records, args.seed))
    rows.append(
        _row(
            "plain Splink, default-style settings",
            n,
            prep_secs + secs,
            pairwise_scores(truth, plain),
        )
    )
    secs, exact = timed(partial(exact_ids, records))
    rows.append(_row("exact ID numbers only", n, prep_secs + secs, pairwise_scores(truth, exact)))
    counts = ", ".join(f"{k} {len(v):,}" for k, v in sources.lists.items())
    note = (
        f"\n{args.persons:,} synthetic people (seed {args.seed}); records: {counts}. "
        f"Seconds include checking and normalising the lists; {os.cpu_count()} CPU cores, "
        f"load average {os.getloadavg()[0]:.1f} at the end. "
        "Our pipeline sends records with nothing but a name to review instead of merging them.\n"
    )
    print(write_results("linkage", "Record linkage, 3 source lists with known truth", rows, note))


if __name__ == "__main__":
    main()
