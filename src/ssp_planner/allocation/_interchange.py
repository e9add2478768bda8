"""Vertex substitution for p-median (Teitz & Bart 1968) with the fast swap evaluation of
Whitaker (1983) and Resende & Werneck (2007): every (close r, open s) swap is priced at once.

For the current sites each point knows its nearest site φ1 (cost d1) and second nearest (d2):

    gain(s)    = Σ_i w_i max(0, d1_i − d_is)                  opening s alone
    loss(r)    = Σ_{φ1(i)=r} w_i (d2_i − d1_i)                 closing r alone
    extra(r,s) = Σ_{φ1(i)=r, d_is<d2_i} w_i (d2_i − max(d_is, d1_i))
    profit(r,s) = gain(s) − loss(r) + extra(r,s)

Pairs come from each point's nearest-site lists (sparse), so profits are exact while a point's
second-nearest site is on its list and an estimate otherwise; every swap is re-scored exactly
before it is kept, so the cost never rises.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ssp_planner.allocation._milp import FloatArray, IntArray

Assign2 = Callable[[IntArray], tuple[IntArray, FloatArray, FloatArray]]  # -> φ1, d1, d2
MAX_SWAPS = 2_000


def interchange(
    chosen: IntArray,
    pairs: tuple[IntArray, IntArray, FloatArray],
    w: FloatArray,
    n_sites: int,
    assign2: Assign2,
) -> tuple[IntArray, float]:
    """The best-improvement swap, repeated until no swap lowers the need-weighted cost."""
    sites = np.sort(np.asarray(chosen, dtype=np.int64))
    near, d1, d2 = assign2(sites)
    cost = float(w @ d1)
    if not np.isfinite(cost):
        return sites, cost  # a point nobody may serve: swaps cannot be priced from here
    for _ in range(MAX_SWAPS):
        r, s, profit = _best_swap(sites, near, d1, d2, pairs, w, n_sites)
        if profit <= 1e-12 * max(cost, 1.0):
            break
        trial = np.sort(np.where(sites == r, s, sites))
        t_near, t_d1, t_d2 = assign2(trial)
        t_cost = float(w @ t_d1)
        if t_cost >= cost - 1e-12 * max(cost, 1.0):
            break  # the sparse estimate was wrong about this swap: stop at a true local optimum
        sites, near, d1, d2, cost = trial, t_near, t_d1, t_d2, t_cost
    return sites, cost


def _best_swap(
    sites: IntArray,
    near: IntArray,
    d1: FloatArray,
    d2: FloatArray,
    pairs: tuple[IntArray, IntArray, FloatArray],
    w: FloatArray,
    n_sites: int,
) -> tuple[int, int, float]:
    """(site to close, site to open, estimated saving) of the most profitable swap."""
    i, j, d = pairs
    p = len(sites)
    slot = np.full(n_sites, -1)
    slot[sites] = np.arange(p)
    # A point no other site may serve makes its site impossible to close: a large finite
    # second cost keeps the arithmetic exact enough and such swaps unattractive.
    finite = np.isfinite(d2)
    big = 1e6 * (float(np.max(d1[np.isfinite(d1)], initial=0.0)) + 1.0)
    d2 = np.where(finite, d2, d1 + big)
    loss = np.bincount(slot[near], weights=w * (d2 - d1), minlength=p)
    better = d < d1[i]
    gain = np.bincount(j[better], weights=(w[i] * (d1[i] - d))[better], minlength=n_sites)
    hit = (d < d2[i]) & (j != near[i])
    rows = slot[near[i[hit]]]
    extra = np.bincount(
        rows * n_sites + j[hit],
        weights=w[i[hit]] * (d2[i[hit]] - np.maximum(d[hit], d1[i[hit]])),
        minlength=p * n_sites,
    ).reshape(p, n_sites)
    profit = gain[None, :] - loss[:, None] + extra
    profit[:, sites] = -np.inf
    r, s = np.unravel_index(int(np.argmax(profit)), profit.shape)
    return int(sites[r]), int(s), float(profit[r, s])
