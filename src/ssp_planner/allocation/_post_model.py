"""Builds the post model of budget.py (see its docstring for the maths) and reads plans back."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from ssp_planner.allocation._milp import Builder, FloatArray, IntArray, Model
from ssp_planner.allocation.problem import PostProblem

TIE_BREAK = 1e-3  # the dearest post's cost, in posts of need met: it only separates ties
MONEY_UNIT = 1e6  # budget rows in R million: well scaled for the solver


def cost_cube(problem: PostProblem) -> npt.NDArray[np.int64]:
    """Rands per post for each (pair, rank, channel); 0 where the channel does not fund it."""
    cats = problem.pairs["category"].to_numpy()
    out = np.zeros((len(cats), len(problem.ranks), len(problem.channels)), dtype=np.int64)
    for f, ch in enumerate(problem.channels):
        for r, rank in enumerate(problem.ranks):
            out[:, r, f] = [ch.cost(str(c), rank) or 0 for c in cats]
    return out


def post_values(
    supply: FloatArray,
    required: FloatArray,
    first: IntArray,
    last: IntArray,
    breakpoints: tuple[float, ...],
    weights: tuple[float, ...],
) -> tuple[IntArray, FloatArray, IntArray]:
    """Values of posts first+1 … last of each pair, as groups (pair, value of one post, count).

    Post n fills [S + n − 1, S + n]; it is worth Σ_k w_k × its overlap with band k. Values never
    rise with n, and consecutive posts of equal value share one group (one LP column).
    """
    counts = np.maximum(last - first, 0)
    pair = np.repeat(np.arange(len(counts)), counts)
    n = np.arange(len(pair)) - np.repeat(np.cumsum(counts) - counts, counts) + first[pair]
    start = supply[pair] + n
    value = np.zeros(len(pair))
    lower = np.zeros(len(pair))
    for b_k, w_k in zip(breakpoints, weights, strict=True):
        upper = b_k * required[pair]
        value += w_k * np.clip(np.minimum(start + 1.0, upper) - np.maximum(start, lower), 0, None)
        lower = upper
    value = np.round(value, 12)
    new = np.ones(len(pair), dtype=bool)
    new[1:] = (pair[1:] != pair[:-1]) | (value[1:] != value[:-1])
    heads = np.nonzero(new)[0]
    sizes = np.diff(np.append(heads, len(pair))).astype(np.int64)
    return pair[heads].astype(np.int64), value[heads], sizes


@dataclass
class PostModel:
    """The model, where its blocks sit, and how a solution becomes a plan per pair."""

    problem: PostProblem
    model: Model
    group_of_pair: IntArray
    p_cols: IntArray
    p_group: IntArray
    p_rank: IntArray
    p_chan: IntArray
    p_cost: FloatArray

    @classmethod
    def build(cls, problem: PostProblem) -> PostModel:
        b = Builder()
        groups = _groups(problem)
        p_cols, p_group, p_rank, p_chan, costs = _add_group_posts(b, problem, groups)
        _add_budgets(b, problem, p_cols, p_chan, costs)
        _add_supervision(b, problem, groups, p_cols, p_group, p_rank)
        _add_candidates(b, problem, groups, p_cols, p_group)
        _add_values(b, problem, groups, p_cols, p_group)
        model = b.build()
        model.c[p_cols] += TIE_BREAK * costs / max(float(costs.max(initial=1.0)), 1.0)
        return cls(problem, model, groups, p_cols, p_group, p_rank, p_chan, costs)

    def keep(self, posts: npt.NDArray[np.int64]) -> None:
        """Posts per (group, rank, channel) that must stay: lower bounds on p."""
        self.model.lb[self.p_cols] = posts[self.p_group, self.p_rank, self.p_chan]

    def group_cube(self, x: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """A plan per pair summed to its groups: posts[g, r, f]."""
        n_groups = int(self.group_of_pair.max(initial=-1)) + 1
        out = np.zeros((n_groups, *x.shape[1:]), dtype=np.int64)
        np.add.at(out, self.group_of_pair, x)
        return out

    def plan_cube(self, x: FloatArray) -> npt.NDArray[np.int64]:
        """Whole posts per (pair, rank, channel) from a solution vector."""
        p = self.problem
        n_groups = int(self.group_of_pair.max(initial=-1)) + 1
        per_group = np.zeros((n_groups, len(p.ranks), len(p.channels)))
        np.add.at(per_group, (self.p_group, self.p_rank, self.p_chan), np.rint(x[self.p_cols]))
        group_posts = per_group.astype(np.int64)
        z = best_posts(p, self.group_of_pair, group_posts.sum(axis=(1, 2)))
        return _spell_out(p, self.group_of_pair, group_posts, z)


def _groups(problem: PostProblem) -> IntArray:
    keys = problem.pairs["district"].astype(str) + "|" + problem.pairs["category"].astype(str)
    _u, inverse = np.unique(keys.to_numpy(), return_inverse=True)
    return inverse.astype(np.int64)


def bounds(problem: PostProblem) -> tuple[IntArray, IntArray]:
    pairs = problem.pairs
    lo = np.maximum(pairs["minimum"], pairs["planned"]).to_numpy(dtype=np.int64)
    return lo, pairs["maximum"].to_numpy(dtype=np.int64)


def _group_first(problem: PostProblem, groups: IntArray) -> pd.DataFrame:
    """district, category, province of each group (from its first pair)."""
    frame = problem.pairs[["district", "category", "province"]].assign(_g=groups)
    return frame.drop_duplicates("_g").set_index("_g").sort_index()


def _add_group_posts(
    b: Builder, problem: PostProblem, groups: IntArray
) -> tuple[IntArray, IntArray, IntArray, IntArray, FloatArray]:
    """p_grf for each group and each (rank, channel) priced for its category."""
    info = _group_first(problem, groups)
    _lo, hi = bounds(problem)
    cap = np.bincount(groups, weights=hi, minlength=len(info))
    g_idx, r_idx, f_idx, costs = [], [], [], []
    for f, ch in enumerate(problem.channels):
        for r, rank in enumerate(problem.ranks):
            price = info["category"].map(lambda c, ch=ch, rank=rank: ch.cost(str(c), rank) or 0)
            has = np.nonzero((price.to_numpy() > 0) & (cap > 0))[0]
            g_idx.append(has)
            r_idx.append(np.full(len(has), r))
            f_idx.append(np.full(len(has), f))
            costs.append(price.to_numpy(dtype=float)[has])
    grp, rnk, chn = (np.concatenate(a).astype(np.int64) for a in (g_idx, r_idx, f_idx))
    order = np.lexsort((chn, rnk, grp))
    grp, rnk, chn = grp[order], rnk[order], chn[order]
    cols = b.add_vars(len(grp), ub=cap[grp], integer=True)
    return cols, grp, rnk, chn, np.concatenate(costs)[order]


def _add_budgets(
    b: Builder, problem: PostProblem, p_cols: IntArray, p_chan: IntArray, costs: FloatArray
) -> None:
    # Spend is whole rands and the row's tolerance (1e-7 of R1 million) is far below R1.
    budgets = np.array([float(ch.budget) for ch in problem.channels]) / MONEY_UNIT
    rows = b.add_rows(len(budgets), ub=budgets)
    b.add_coefs(rows[p_chan], p_cols, costs / MONEY_UNIT)


def _add_supervision(
    b: Builder,
    problem: PostProblem,
    groups: IntArray,
    p_cols: IntArray,
    p_group: IntArray,
    p_rank: IntArray,
) -> None:
    info = _group_first(problem, groups)
    per = info["category"].map(lambda c: problem.supervisor_per.get(str(c)) or 0.0).to_numpy()
    spare_of = {
        (str(d), str(c)): float(v)
        for d, c, v in problem.spare_supervision[["district", "category", "spare"]].itertuples(
            index=False
        )
    }
    spare = np.array(
        [
            spare_of.get((str(d), str(c)), 0.0)
            for d, c in zip(info["district"], info["category"], strict=True)
        ]
    )
    with_ratio = np.nonzero(per > 0)[0]
    rows = np.full(len(info), -1)
    rows[with_ratio] = b.add_rows(len(with_ratio), ub=spare[with_ratio])
    is_sup = np.asarray(problem.ranks)[p_rank] == "supervisor"
    keep = rows[p_group] >= 0
    coef = np.where(is_sup, -per[p_group], 1.0)
    b.add_coefs(rows[p_group[keep]], p_cols[keep], coef[keep])


def _add_candidates(
    b: Builder, problem: PostProblem, groups: IntArray, p_cols: IntArray, p_group: IntArray
) -> None:
    """Pooled movers: a province staffs its posts with its own candidates, then with movers."""
    cand = problem.candidates
    if cand is None or cand.empty:
        return
    info = _group_first(problem, groups)
    for category, rows in cand.groupby("category", sort=True):
        mine = info["category"].astype(str) == str(category)
        provinces = sorted(
            set(rows["province"].astype(str)) | set(info.loc[mine, "province"].astype(str))
        )
        got = rows.assign(province=rows["province"].astype(str)).set_index("province")
        g = np.array([float(got["candidates"].get(q, 0.0)) for q in provinces])
        m = np.array([float(got["willing_to_move"].get(q, 0.0)) for q in provinces])
        local, out, inn = b.add_vars(len(g), ub=g), b.add_vars(len(g), ub=m * g), b.add_vars(len(g))
        b.tags.setdefault("pools", []).append((str(category), provinces, g, m, local, out, inn))
        demand = b.add_rows(len(g), ub=0.0)  # Σ p − l − u ≤ 0
        pos = {q: k for k, q in enumerate(provinces)}
        prov_of_group = info["province"].astype(str).map(pos).to_numpy()
        sel = mine.to_numpy()[p_group]
        b.add_coefs(demand[prov_of_group[p_group[sel]]], p_cols[sel], 1.0)
        b.add_coefs(demand, local, -1.0)
        b.add_coefs(demand, inn, -1.0)
        pool = b.add_rows(len(g), ub=g)  # l + o ≤ G
        b.add_coefs(pool, local, 1.0)
        b.add_coefs(pool, out, 1.0)
        moves = b.add_rows(1, ub=0.0)  # Σ u − Σ o ≤ 0
        b.add_coefs(np.repeat(moves, len(g)), inn, 1.0)
        b.add_coefs(np.repeat(moves, len(g)), out, -1.0)


def slot_values(
    problem: PostProblem, first: IntArray, last: IntArray
) -> tuple[IntArray, FloatArray, IntArray]:
    """Posts first+1 … last of each pair valued by the problem's objective, as groups (pair,
    value, count). "total": need met with diminishing returns, in posts. "maxmin": coverage
    added (÷ R_i, so every area counts alike) with steeply falling weights by coverage step."""
    req = problem.pairs["required"].to_numpy(dtype=float)
    sup = problem.pairs["supply"].to_numpy(dtype=float)
    r = problem.objective_returns
    pair, value, count = post_values(sup, req, first, last, r.breakpoints, r.weights)
    if problem.fairness == "maxmin":
        value = np.round(value / np.where(req[pair] > 0, req[pair], np.inf), 12)
    return pair, value, count


def _add_values(
    b: Builder, problem: PostProblem, groups: IntArray, p_cols: IntArray, p_group: IntArray
) -> None:
    """y: the posts above each pair's floor, valued post by post, pooled per group."""
    lo, hi = bounds(problem)
    pair, value, count = slot_values(problem, lo, hi)
    n_groups = int(groups.max(initial=-1)) + 1
    floor = np.bincount(groups, weights=lo, minlength=n_groups)
    room = np.bincount(groups, weights=hi - lo, minlength=n_groups)
    rows = b.add_rows(n_groups, lb=floor, ub=floor + room)  # Σ_i lo_i ≤ Σ p ≤ Σ_i hi_i
    b.add_coefs(rows[p_group], p_cols, 1.0)
    keep = value > 0
    cols = b.add_vars(int(keep.sum()), ub=count[keep].astype(float), cost=-value[keep])
    b.tags["slots"] = (cols, pair[keep], count[keep])
    link = b.add_rows(n_groups, ub=-floor)  # Σ y − Σ p ≤ −Σ lo: posts above the floors
    b.add_coefs(link[groups[pair[keep]]], cols, 1.0)
    b.add_coefs(link[p_group], p_cols, -1.0)


def best_posts(problem: PostProblem, groups: IntArray, per_group: IntArray) -> IntArray:
    """Posts per pair: each group's floors, then its best-valued posts (ties: code, category).

    This is the optimal split of a group's posts (values fall post by post), made by a fixed
    rule so that equal-valued choices never depend on the solver.
    """
    lo, hi = bounds(problem)
    counts = hi - lo
    pair = np.repeat(np.arange(len(counts)), counts)
    _p, value, sizes = slot_values(problem, lo, hi)
    value = np.repeat(value, sizes)
    order = np.lexsort((np.arange(len(pair)), -value, groups[pair]))
    g_sorted = groups[pair][order]
    rank_in_group = np.arange(len(order)) - np.searchsorted(g_sorted, g_sorted, side="left")
    extra = per_group - np.bincount(groups, weights=lo, minlength=len(per_group)).astype(np.int64)
    take = order[rank_in_group < extra[g_sorted]]
    return lo + np.bincount(pair[take], minlength=len(lo)).astype(np.int64)


def _spell_out(
    problem: PostProblem, groups: IntArray, group_posts: npt.NDArray[np.int64], z: IntArray
) -> npt.NDArray[np.int64]:
    """Ranks and channels of each group's posts, laid on its pairs: supervisors first, to the
    pair with most new posts (the largest new team), then practitioners, channel by channel."""
    p = problem
    cube = np.zeros((len(p.pairs), len(p.ranks), len(p.channels)), dtype=np.int64)
    rank_order = sorted(range(len(p.ranks)), key=lambda r: p.ranks[r] != "supervisor")
    codes = p.pairs["code"].to_numpy()
    for g in np.unique(groups[z > 0]):
        members = np.nonzero((groups == g) & (z > 0))[0]
        members = members[np.lexsort((codes[members], -z[members]))]
        labels = [
            (r, f)
            for r in rank_order
            for f in range(len(p.channels))
            for _ in range(group_posts[g, r, f])
        ]
        start = 0
        for i in members:
            for r, f in labels[start : start + z[i]]:
                cube[i, r, f] += 1
            start += z[i]
    return cube
