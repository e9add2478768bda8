"""Re-optimise neighbouring service points exactly, one small region at a time (POPMUSIC,
Taillard & Voss 2002), for p-medians too large for one MILP.

Vertex substitution (_interchange.py) moves one site at a time; here `size` neighbouring chosen
sites are re-chosen together. A region is a chosen site and, one by one, the chosen site that
would take over most of the region's points were the region closed; its sub-problem
holds the sites on the neighbour lists of the points the region serves, and every point one of
those sites could serve better than the sites kept outside the region (priced at most at those).
Its optimum is the best choice of the region's sites with all others kept; a p-median small
enough to solve exactly, whose answer replaces the region's sites when the whole plan's exact
cost falls. A fixed number of passes keeps the answer the same on every run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ssp_planner.allocation._milp import FloatArray, IntArray

Assign = Callable[[IntArray], tuple[IntArray, FloatArray]]  # chosen -> nearest chosen, cost
PairCost = Callable[[IntArray, IntArray], FloatArray]
SubSolve = Callable[[FloatArray, FloatArray, int], IntArray]  # costs, need, p -> columns chosen
Polish = Callable[[IntArray], tuple[IntArray, float]]


@dataclass
class Regions:
    """The instance as the regions see it, and the sub-problems already known to change nothing
    (a sub-problem met again unchanged in a later pass is not solved again)."""

    pairs: tuple[IntArray, IntArray, FloatArray]  # each point's neighbour list (i, j, cost)
    w: FloatArray
    assign: Assign
    pair_cost: PairCost
    solve_sub: SubSolve
    size: int = 8
    settled: set[bytes] = field(default_factory=set)

    def improve(self, chosen: IntArray, polish: Polish, passes: int = 2) -> tuple[IntArray, float]:
        """Better sites (never worse) and their need-weighted cost."""
        sites = np.sort(np.asarray(chosen, dtype=np.int64))
        cost = float(self.w @ self.assign(sites)[1])
        if len(sites) <= self.size or not np.isfinite(cost):
            return sites, cost
        for _ in range(passes):
            improved = False
            for centre in sites.copy():
                if centre not in sites:
                    continue
                trial = self.answer(int(centre), sites)
                if trial is None:
                    continue
                trial, t_cost = polish(trial)
                if t_cost < cost - 1e-9 * max(cost, 1.0):
                    sites, cost, improved = trial, t_cost, True
            if not improved:
                break
        return sites, cost

    def answer(self, centre: int, sites: IntArray) -> IntArray | None:
        """All sites with the region around `centre` re-chosen exactly (None: no change)."""
        region, points, d_out = _region(centre, sites, self.assign, self.size)
        if len(points) == 0:
            return None  # a site serving nobody: vertex substitution moves it
        i, j, d = self.pairs
        candidates = np.unique(np.concatenate([j[np.isin(i, points)], region]))
        # Every point a candidate could serve better than the sites kept outside the region:
        # the region's own points, and others' that a new site nearby would take over.
        points = np.union1d(points, i[np.isin(j, candidates) & (d < d_out[i])])
        key = b"|".join(a.tobytes() for a in (np.sort(region), candidates, points, d_out[points]))
        if key in self.settled:
            return None
        cost = self.pair_cost(np.repeat(points, len(candidates)), np.tile(candidates, len(points)))
        cost = np.minimum(cost.reshape(len(points), len(candidates)), d_out[points][:, None])
        picked = np.sort(candidates[self.solve_sub(cost, self.w[points], len(region))])
        if np.array_equal(picked, np.sort(region)):
            self.settled.add(key)
            return None
        return np.sort(np.concatenate([np.setdiff1d(sites, region), picked]))


def _region(
    centre: int, sites: IntArray, assign: Assign, size: int
) -> tuple[IntArray, IntArray, FloatArray]:
    """`centre` and, one by one, the chosen site that would take over most of the region's
    points were the region closed; the region's points; each point's cost outside it."""
    near, _cost = assign(sites)
    region = [centre]
    while True:
        points = np.nonzero(np.isin(near, region))[0]
        outside = np.setdiff1d(sites, region)
        rival, d_out = assign(outside)
        if len(region) >= size or len(outside) == 0 or len(points) == 0:
            return np.asarray(region, dtype=np.int64), points, d_out
        values, counts = np.unique(rival[points], return_counts=True)
        region.append(int(values[np.argmax(counts)]))  # ties: the lowest site index
