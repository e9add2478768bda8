"""Pairwise precision, recall and F1 of a clustering against known truth.

Pairwise, because that is what a planner feels: every pair of records wrongly merged is a person
counted once instead of twice, every pair wrongly apart is a person counted twice.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass


def pairs_of(labels: Sequence[Hashable]) -> set[tuple[int, int]]:
    """All pairs of positions that share a label."""
    groups: dict[Hashable, list[int]] = {}
    for pos, label in enumerate(labels):
        groups.setdefault(label, []).append(pos)
    return {
        (a, b)
        for members in groups.values()
        for i, a in enumerate(members)
        for b in members[i + 1 :]
    }


@dataclass(frozen=True)
class PairScores:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int


def pairwise_scores(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> PairScores:
    """`truth[i]` and `predicted[i]` label record i (person in truth, cluster in prediction)."""
    real, found = pairs_of(truth), pairs_of(predicted)
    hits = len(real & found)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(real) if real else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScores(precision, recall, f1, len(real), len(found))
