"""Lagrangian relaxation for large p-medians: a proven lower bound and a near-optimal answer.

Relaxing "every point is served once" with multipliers λ_i (Beasley 1993), over the sparse
neighbourhoods of location.py (each point's K nearest sites, and f_i priced at D_i for the rest):

    L(λ) = Σ_i λ_i + Σ_i min(0, w_i D_i − λ_i) + Σ_{p smallest} ρ_j
    ρ_j  = Σ_i min(0, w_i d_ij − λ_i)

L(λ) ≤ the optimum for every λ, so the best L found bounds it from below. The sites with the
smallest ρ_j are a good answer; a locate-allocate pass (each cluster moves to its own 1-median)
improves it, and its exact cost is the upper bound. The gap between the two is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ssp_planner.allocation._milp import FloatArray, IntArray

Assign = Callable[[IntArray], tuple[IntArray, FloatArray]]  # chosen -> nearest chosen, cost
PairCost = Callable[[IntArray, IntArray], FloatArray]  # (i, j) -> distance
STALL, MIN_THETA = 100, 0.001  # halve the step after 40 iterations without a better bound


@dataclass(frozen=True)
class Bounds:
    chosen: IntArray
    upper: float
    lower: float
    iterations: int

    @property
    def gap(self) -> float:
        return max(0.0, (self.upper - self.lower) / self.upper) if self.upper > 0 else 0.0


def solve_lagrangian(
    i: IntArray,
    j: IntArray,
    d: FloatArray,
    beyond: FloatArray,
    w: FloatArray,
    p: int,
    n_sites: int,
    assign: Assign,
    pair_cost: PairCost,
    *,
    tol: float = 1e-4,
    max_iter: int = 6000,
) -> Bounds:
    """Subgradient ascent on L(λ), with upper bounds from the p best sites (deterministic)."""
    c = w[i] * d
    far = np.where(np.isfinite(beyond), w * np.where(np.isfinite(beyond), beyond, 0.0), np.inf)
    lam = _start(i, c, len(w), max(1, n_sites // max(p, 1) // 2))
    indptr = np.searchsorted(i, np.arange(len(w) + 1))  # pairs come sorted by point
    best_low, best = -np.inf, _Best(np.zeros(0, dtype=np.int64), np.inf, (indptr, j))
    best.offer(greedy(i, j, d, beyond, w, p, n_sites), assign, w, pair_cost, polish=True)
    theta, stall, it = 2.0, 0, 0
    for it in range(1, max_iter + 1):
        red = np.minimum(0.0, c - lam[i])
        rho = np.bincount(j, weights=red, minlength=n_sites)
        chosen = np.sort(np.argpartition(rho, p - 1)[:p]) if p < n_sites else np.arange(n_sites)
        low = lam.sum() + np.minimum(0.0, far - lam).sum() + rho[chosen].sum()
        if low > best_low + 1e-9 * abs(low):
            best_low, stall = low, 0
        else:
            stall += 1
        if it == 1 or it % 10 == 0:
            best.offer(chosen, assign, w, pair_cost, polish=it % 100 == 0 or it == 1)
        if best.cost - best_low <= tol * best.cost:
            break
        if stall >= STALL:
            theta, stall = theta / 2, 0
            if theta < MIN_THETA:
                break
        is_open = np.zeros(n_sites, dtype=bool)
        is_open[chosen] = True
        served = np.bincount(i[is_open[j] & (red < 0)], minlength=len(w)) + (far < lam)
        g = 1.0 - served
        norm = float(g @ g)
        if norm == 0:
            break
        lam = lam + theta * (best.cost - low) / norm * g
    return Bounds(best.sites, best.cost, float(best_low), it)


def _log(*_args: object) -> None:
    """Hook for tracing in benchmarks (no print in library code)."""


def greedy(
    i: IntArray, j: IntArray, d: FloatArray, beyond: FloatArray, w: FloatArray, p: int, n_sites: int
) -> IntArray:
    """Add sites one by one, each time the one that cuts need-weighted distance most."""
    far = np.where(np.isfinite(beyond), beyond, np.nanmax(np.where(np.isfinite(d), d, 0)) * 4)
    current = far.astype(float).copy()
    chosen: list[int] = []
    for _ in range(p):
        gain = np.bincount(j, weights=w[i] * np.maximum(0.0, current[i] - d), minlength=n_sites)
        gain[chosen] = -1.0
        pick = int(np.argmax(gain))
        chosen.append(pick)
        hit = j == pick
        current[i[hit]] = np.minimum(current[i[hit]], d[hit])
    return np.sort(np.asarray(chosen, dtype=np.int64))


def _start(i: IntArray, c: FloatArray, n: int, rank: int) -> FloatArray:
    """λ_i starts at the cost of i's `rank`-th nearest site: about where a point is served
    when one site in (sites ÷ p) opens."""
    starts = np.searchsorted(i, np.arange(n))
    counts = np.bincount(i, minlength=n)
    pick = starts + np.minimum(rank, np.maximum(counts - 1, 0))
    return np.where(counts > 0, c[np.minimum(pick, len(c) - 1)], 0.0)


@dataclass
class _Best:
    sites: IntArray
    cost: float
    neighbours: tuple[IntArray, IntArray]  # CSR of each point's listed sites (indptr, sites)

    tried: set[bytes] = field(default_factory=set)

    def offer(
        self, chosen: IntArray, assign: Assign, w: FloatArray, pair_cost: PairCost, *, polish: bool
    ) -> None:
        """Keep `chosen` if it beats the best; polish (locate-allocate) now and then, and
        always when it is new and within 1 % of the best."""
        key = np.sort(chosen).tobytes()
        if key in self.tried:
            return
        self.tried.add(key)
        sites, cost = np.sort(chosen), float(w @ assign(np.sort(chosen))[1])
        if polish or cost < 1.01 * self.cost:
            sites, cost = locate_allocate(sites, assign, w, pair_cost, self.neighbours)
        if cost < self.cost - 1e-9:
            self.sites, self.cost = sites, cost


def locate_allocate(
    chosen: IntArray,
    assign: Assign,
    w: FloatArray,
    pair_cost: PairCost,
    neighbours: tuple[IntArray, IntArray],
    rounds: int = 50,
) -> tuple[IntArray, float]:
    """Move each chosen site to the 1-median of the points it serves, until nothing moves."""
    sites = np.sort(np.asarray(chosen, dtype=np.int64))
    near, dist = assign(sites)
    cost = float(w @ dist)
    indptr, listed = neighbours
    for _ in range(rounds):
        moved = sites.copy()
        for k, site in enumerate(sites):
            members = np.nonzero(near == site)[0]
            if len(members):
                pool = np.unique(
                    np.concatenate([[site], *(listed[indptr[m] : indptr[m + 1]] for m in members)])
                )
                moved[k] = _one_median(members, pool, w, pair_cost, int(site))
        moved = np.sort(moved)
        if len(np.unique(moved)) < len(moved) or np.array_equal(moved, sites):
            break
        near2, dist2 = assign(moved)
        cost2 = float(w @ dist2)
        if cost2 >= cost - 1e-9:
            break
        sites, near, dist, cost = moved, near2, dist2, cost2
    return sites, cost


def _one_median(
    members: IntArray, pool: IntArray, w: FloatArray, pair_cost: PairCost, site: int
) -> int:
    """The site in `pool` that serves `members` at the least need-weighted cost."""
    ii = np.repeat(members, len(pool))
    jj = np.tile(pool, len(members))
    cost = (w[ii] * pair_cost(ii, jj)).reshape(len(members), len(pool)).sum(axis=0)
    return int(pool[int(np.argmin(cost))]) if np.isfinite(cost).any() else site
