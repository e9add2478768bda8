"""The uncertain band and reviewers' decisions.

A pair scored between `review_low` and `threshold` is neither linked nor dropped: a person
decides. So is any pair involving a record that carries only a name (no ID number, birth date,
PERSAL or council number): a name alone never merges two records, however likely. Decisions are
stored and come back on the next run as must-link (accept) and cannot-link (reject) constraints.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ssp_planner.linkage.cluster import Pair, ordered

UNCERTAIN = "uncertain"
NAME_ONLY = "name only"
NAMES_ONLY = "nothing but names to compare"
SAME_ID_OTHER_NAME = "same ID number, names or birth dates differ"


@dataclass(frozen=True)
class Band:
    threshold: float = 0.95  # at or above: linked automatically
    review_low: float = 0.5  # at or above (and below threshold): a person decides

    def __post_init__(self) -> None:
        if not 0.0 < self.review_low <= self.threshold < 1.0:
            raise ValueError("need 0 < review_low <= threshold < 1")


@dataclass(frozen=True)
class Decisions:
    """Reviewers' answers for pairs of records in this run."""

    accepted: frozenset[Pair] = frozenset()
    rejected: frozenset[Pair] = frozenset()

    @property
    def decided(self) -> frozenset[Pair]:
        return self.accepted | self.rejected


def split_scored(
    pairs: pd.DataFrame, evidence: pd.Series, band: Band, decisions: Decisions
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(auto links strongest first, review candidates) from the model's scored pairs.

    `evidence`: record id -> bit mask of its identifying fields (`sources.IDENTIFYING`). A pair
    that shares none (either record has only a name, or one has an ID number and the other only
    a council number) rests on names alone and goes to review, never straight to a link.
    """
    keys = [ordered(a, b) for a, b in zip(pairs["unique_id_l"], pairs["unique_id_r"], strict=True)]
    decided = pd.Series([k in decisions.decided for k in keys], index=pairs.index, dtype=bool)
    mask_l = pairs["unique_id_l"].map(evidence).to_numpy()
    mask_r = pairs["unique_id_r"].map(evidence).to_numpy()
    names_only = pd.Series((mask_l & mask_r) == 0, index=pairs.index)
    above = pairs["match_probability"] >= band.threshold
    links = pairs[above & ~names_only & ~decided]
    links = links.sort_values(
        ["match_probability", "match_weight", "unique_id_l", "unique_id_r"],
        ascending=[False, False, True, True],
    )
    review = pairs[
        (pairs["match_probability"] >= band.review_low) & ~decided & (names_only | ~above)
    ]
    lone = pd.Series((mask_l == 0) | (mask_r == 0), index=pairs.index)
    reason = np.select(
        [lone[review.index], names_only[review.index]], [NAME_ONLY, NAMES_ONLY], UNCERTAIN
    )
    return links, review.assign(reason=reason)


def review_queue(
    candidates: pd.DataFrame, person_of: dict[int, int], per_record: int
) -> pd.DataFrame:
    """Pairs a person must still look at: not already one person, best candidates first.

    Compared on names alone, a record may resemble everyone with that name; only each record's
    `per_record` best such candidates are shown.
    """
    split = np.array(
        [
            person_of[a] != person_of[b]
            for a, b in zip(candidates["unique_id_l"], candidates["unique_id_r"], strict=True)
        ],
        dtype=bool,
    )
    queue = candidates[split].sort_values(
        ["match_probability", "unique_id_l", "unique_id_r"], ascending=[False, True, True]
    )
    names = queue[queue["reason"].isin([NAME_ONLY, NAMES_ONLY])]
    rank = np.maximum(
        names.groupby("unique_id_l").cumcount(), names.groupby("unique_id_r").cumcount()
    )
    return queue.drop(index=names.index[rank >= per_record]).reset_index(drop=True)
