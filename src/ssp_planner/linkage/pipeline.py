"""One linkage run: deterministic rule, model, review band, constrained clustering.

Pure: records and decisions in, persons and review queue out. The service layer loads the
records from storage and saves what comes back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from splink.internals.database_api import DatabaseAPI

from ssp_planner.linkage.cluster import Pair, cluster, deterministic_links
from ssp_planner.linkage.model import ModelOptions, score_pairs
from ssp_planner.linkage.review import SAME_ID_OTHER_NAME, Band, Decisions, review_queue
from ssp_planner.linkage.review import split_scored as split_band

LINK_COLUMNS = ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]


@dataclass(frozen=True)
class LinkOptions:
    band: Band = field(default_factory=Band)
    model: ModelOptions = field(default_factory=ModelOptions)
    distinct_ids: bool = True  # never join two people with different valid ID numbers
    name_only_candidates: int = 3  # review candidates per record when only names compare

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LinkResult:
    person_of: dict[int, int]  # record -> person (the smallest record id of the person)
    links: pd.DataFrame  # pairs that joined records, with `kind`
    review: pd.DataFrame  # pairs for a person to decide, with `reason`
    histogram: list[tuple[float, int]]
    model: dict[str, Any]


def link_records(
    records: pd.DataFrame,
    decisions: Decisions,
    options: LinkOptions | None = None,
    *,
    db_api: DatabaseAPI | None = None,
) -> LinkResult:
    """Link `records` (rows from `sources.link_record`) into persons.

    `db_api`: the Splink backend (in-memory DuckDB by default; a SparkAPI for a country-scale
    register runs the same settings).
    """
    options = options or LinkOptions()
    if len(records) < 2:
        empty = pd.DataFrame(columns=[*LINK_COLUMNS, "kind"])
        person = {int(u): int(u) for u in records["unique_id"]}
        return LinkResult(person, empty, empty.rename(columns={"kind": "reason"}), [], {})
    rule = deterministic_links(records)
    scored = score_pairs(records, options.model, db_api=db_api)
    evidence = pd.Series(records["evidence"].to_numpy(), index=records["unique_id"].to_numpy())
    model_links, candidates = split_band(scored.pairs, evidence, options.band, decisions)
    doubtful = [p for p in rule.doubtful if p not in decisions.decided]
    candidates = pd.concat([candidates, _doubtful(doubtful, scored.pairs)]).drop_duplicates(
        ["unique_id_l", "unique_id_r"]
    )
    valid_ids = records["id_number"].where(records["id_valid"])
    ids = dict(zip(records["unique_id"], valid_ids, strict=True))
    ids = {int(u): (i if isinstance(i, str) else None) for u, i in ids.items()}
    rejected = set(decisions.rejected)
    rule_links = [p for p in rule.links if p not in rejected]
    person_of = cluster(
        ids,
        sorted(decisions.accepted),
        rule_links + _pairs(model_links),
        rejected,
        distinct_ids=options.distinct_ids,
    )
    queue = review_queue(candidates, person_of, options.name_only_candidates)
    links = _used_links(person_of, decisions, rule_links, model_links)
    return LinkResult(person_of, links, queue, scored.histogram, scored.model)


def _pairs(frame: pd.DataFrame) -> list[Pair]:
    return list(
        zip(frame["unique_id_l"].astype(int), frame["unique_id_r"].astype(int), strict=True)
    )


def _doubtful(doubtful: list[Pair], scored: pd.DataFrame) -> pd.DataFrame:
    """Same-ID pairs with unrelated names, with the model's score where it has one."""
    frame = pd.DataFrame(doubtful, columns=["unique_id_l", "unique_id_r"])
    frame = frame.merge(scored, on=["unique_id_l", "unique_id_r"], how="left")
    return frame.fillna({"match_probability": 0.0, "match_weight": float("-inf")}).assign(
        reason=SAME_ID_OTHER_NAME
    )


def _used_links(
    person_of: dict[int, int],
    decisions: Decisions,
    rule_links: list[Pair],
    model_links: pd.DataFrame,
) -> pd.DataFrame:
    """The links inside persons, each with what made it: a decision, the ID rule or the model."""
    parts = [
        pd.DataFrame(sorted(decisions.accepted), columns=["unique_id_l", "unique_id_r"]).assign(
            kind="accepted"
        ),
        pd.DataFrame(rule_links, columns=["unique_id_l", "unique_id_r"]).assign(kind="id_number"),
        model_links[LINK_COLUMNS].assign(kind="model"),
    ]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=[*LINK_COLUMNS, "kind"])
    links = pd.concat(parts, ignore_index=True)
    same = np.array(
        [
            person_of.get(int(a)) == person_of.get(int(b))
            for a, b in zip(links["unique_id_l"], links["unique_id_r"], strict=True)
        ],
        dtype=bool,
    )
    return links[same].drop_duplicates(["unique_id_l", "unique_id_r"]).reset_index(drop=True)
