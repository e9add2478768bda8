"""Lagrangian relaxation for large p-medians: a proven lower bound and a near-optimal answer.

Relaxing "every point is served once" with multipliers λ_i (Beasley 1993), over the sparse
neighbourhoods of location.py (each point's K nearest sites, and f_i priced at D_i for the rest):

    L(λ) = Σ_i λ_i + Σ_i min(0, w_i D_i − λ_i) + Σ_{p smallest} ρ_j
    ρ_j  = Σ_i min(0, w_i d_ij − λ_i)

L(λ) ≤ the optimum for every λ, so the best L found bounds it from below. The sites with the
smallest ρ_j are a good answer; vertex substitution (_interchange.py) improves it, and its
exact cost is the upper bound. The gap between the two is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ssp_planner.allocation._milp import FloatArray, IntArray

Assign = Callable[[IntArray], tuple[IntArray, FloatArray]]  # chosen -> nearest chosen, cost
Improve = Callable[[IntArray], tuple[IntArray, float]]  # sites -> better sites, their cost
STALL, MIN_THETA = 100, 0.001  # halve the step after 100 iterations without a better bound
POOL = 5  # unpolished candidates kept for the end


@dataclass(frozen=True)
class Bounds:
    chosen: IntArray
    upper: float
    lower: float
    iterations: int
    multipliers: FloatArray  # λ at the best lower bound (for fixing sites, location.py)

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
    improve: Improve,
    *,
    tol: float = 1e-4,
    max_iter: int = 6000,
) -> Bounds:
    """Subgradient ascent on L(λ), with upper bounds from the p best sites (deterministic).

    Vertex substitution is costly, so it polishes the greedy start, any set of p best sites
    that beats the best answer before polishing, and at the end the best few sets seen."""
    c = w[i] * d
    far = np.where(np.isfinite(beyond), w * np.where(np.isfinite(beyond), beyond, 0.0), np.inf)
    lam = _start(i, c, len(w), max(1, n_sites // max(p, 1) // 2))
    best_low, best_lam, best = -np.inf, lam, _Best(np.zeros(0, dtype=np.int64), np.inf)
    best.offer(greedy(i, j, d, beyond, w, p, n_sites), assign, w, improve, polish=True)
    theta, stall, it = 2.0, 0, 0
    for it in range(1, max_iter + 1):
        red = np.minimum(0.0, c - lam[i])
        rho = np.bincount(j, weights=red, minlength=n_sites)
        chosen = np.sort(np.argpartition(rho, p - 1)[:p]) if p < n_sites else np.arange(n_sites)
        low = lam.sum() + np.minimum(0.0, far - lam).sum() + rho[chosen].sum()
        if low > best_low + 1e-9 * abs(low):
            best_low, best_lam, stall = low, lam, 0
        else:
            stall += 1
        if it % 10 == 0:
            best.offer(chosen, assign, w, improve, polish=False)
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
    best.polish_pool(improve)
    return Bounds(best.sites, best.cost, float(best_low), it, best_lam)


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
    """The best answer so far (polished), and the best few unpolished sets of p sites."""

    sites: IntArray
    cost: float
    tried: set[bytes] = field(default_factory=set)
    pool: list[tuple[float, bytes, IntArray]] = field(default_factory=list)

    def offer(
        self, chosen: IntArray, assign: Assign, w: FloatArray, improve: Improve, *, polish: bool
    ) -> None:
        """Polish `chosen` now if asked or if it already beats the best; else keep it in the
        pool of candidates for the end."""
        sites = np.sort(chosen)
        key = sites.tobytes()
        if key in self.tried:
            return
        self.tried.add(key)
        cost = float(w @ assign(sites)[1])
        if polish or cost < self.cost:
            self._keep(*improve(sites))
            return
        self.pool = sorted([*self.pool, (cost, key, sites)], key=lambda t: (t[0], t[1]))
        del self.pool[POOL:]

    def polish_pool(self, improve: Improve) -> None:
        for _, _, sites in self.pool:
            self._keep(*improve(sites))
        self.pool = []

    def _keep(self, sites: IntArray, cost: float) -> None:
        if cost < self.cost - 1e-9:
            self.sites, self.cost = sites, cost
