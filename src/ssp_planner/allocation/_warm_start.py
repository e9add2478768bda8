"""Turn the rounding heuristic's posts per district into a full starting point for the solver."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ssp_planner.allocation._milp import FloatArray, Infeasible, IntArray, Solution, Solver
from ssp_planner.allocation._post_model import PostModel, best_posts, bounds, slot_values
from ssp_planner.allocation._rounding import GroupData, Posts, round_and_fill


def first_plan(pm: PostModel, relaxed: FloatArray | None) -> FloatArray | None:
    """A feasible solution vector near the optimum, or None when the heuristic finds none."""
    data = group_data(pm)
    cube = None
    if relaxed is not None:
        cube = np.zeros(data.price.shape)
        np.add.at(cube, (pm.p_group, pm.p_rank, pm.p_chan), relaxed[pm.p_cols])
    posts = round_and_fill(data, cube)
    return None if posts is None else solution_vector(pm, posts)


FAR_FROM_BOUND = 2e-3  # a rounded start this far below the relaxation is worth improving


def better_start(
    pm: PostModel, relaxed: Solution, start: FloatArray | None, solver: Solver
) -> FloatArray | None:
    """The rounded start, or, when it falls well short of the relaxation's bound (max-min
    spreads posts thinly, so whole supervisors cost value), the best plan with every district's
    posts near their relaxed values (RENS: a small MILP HiGHS solves in about a second).
    HiGHS then only has to confirm it, instead of searching for one in sub-MIPs."""
    bound = -relaxed.objective
    if start is not None and bound - (-pm.model.c @ start) <= FAR_FROM_BOUND * abs(bound):
        return start
    per = [v for v in pm.problem.supervisor_per.values() if v]
    window = math.ceil(max(per, default=0.0)) + 1  # room to trade practitioners for a supervisor
    model, ints = pm.model, pm.model.integer
    lb, ub = model.lb.copy(), model.ub.copy()
    lb[ints] = np.maximum(model.lb[ints], np.floor(relaxed.x[ints] + 1e-9) - window)
    ub[ints] = np.minimum(model.ub[ints], np.ceil(relaxed.x[ints] - 1e-9) + 1)
    try:
        near = solver.solve(replace(model, lb=lb, ub=ub), start)
    except Infeasible:
        return start
    if start is None or model.c @ near.x < model.c @ start:
        return near.x
    return start


def group_data(pm: PostModel) -> GroupData:
    p, groups = pm.problem, pm.group_of_pair
    n_groups = int(groups.max(initial=-1)) + 1
    lo, hi = bounds(p)
    price = np.zeros((n_groups, len(p.ranks), len(p.channels)), dtype=np.int64)
    price[pm.p_group, pm.p_rank, pm.p_chan] = pm.p_cost.astype(np.int64)
    first = p.pairs.assign(_g=groups).drop_duplicates("_g").set_index("_g").sort_index()
    per = first["category"].map(lambda c: p.supervisor_per.get(str(c)) or 0.0).to_numpy(float)
    spare_of = {
        (str(d), str(c)): float(v)
        for d, c, v in p.spare_supervision[["district", "category", "spare"]].itertuples(
            index=False
        )
    }
    spare = np.array(
        [
            spare_of.get((str(d), str(c)), 0.0)
            for d, c in zip(first["district"], first["category"], strict=True)
        ]
    )
    pools, pool_key = _pools(pm, first)
    return GroupData(
        floor=np.bincount(groups, weights=lo, minlength=n_groups).astype(np.int64),
        cap=np.bincount(groups, weights=hi, minlength=n_groups).astype(np.int64),
        per=per,
        spare=spare,
        price=price,
        budgets=np.array([ch.budget for ch in p.channels], dtype=np.int64),
        slots=_slots(pm, n_groups),
        sup_rank=list(p.ranks).index("supervisor") if "supervisor" in p.ranks else -1,
        pool=pools,
        pool_key=pool_key,
    )


def _slots(pm: PostModel, n_groups: int) -> list[FloatArray]:
    """Per group, the values of its posts above the floors, best first."""
    lo, hi = bounds(pm.problem)
    pair, value, count = slot_values(pm.problem, lo, hi)
    g = np.repeat(pm.group_of_pair[pair], count)
    v = np.repeat(value, count)
    order = np.lexsort((-v, g))
    cuts = np.searchsorted(g[order], np.arange(n_groups + 1))
    return [v[order][cuts[k] : cuts[k + 1]] for k in range(n_groups)]


def _pools(
    pm: PostModel, first: object
) -> tuple[dict[int, tuple[IntArray, FloatArray, FloatArray]], IntArray]:
    frame = first  # groups' district/category/province
    n_groups = len(frame)  # type: ignore[arg-type]
    key = np.full(n_groups, -1, dtype=np.int64)
    pools: dict[int, tuple[IntArray, FloatArray, FloatArray]] = {}
    for k, (category, provinces, g, m, *_cols) in enumerate(pm.model.tags.get("pools", [])):
        pos = {q: j for j, q in enumerate(provinces)}
        mine = (frame["category"].astype(str) == category).to_numpy()  # type: ignore[index]
        prov = np.array([pos.get(q, -1) for q in frame["province"].astype(str)])  # type: ignore[index]
        key[mine] = k
        pools[k] = (prov.astype(np.int64), np.asarray(g, float), np.asarray(m, float))
    return pools, key


def solution_vector(pm: PostModel, posts: Posts) -> FloatArray:
    """Every column's value for these posts: slots filled best first, candidates' flows."""
    p = pm.problem
    x = np.zeros(pm.model.c.size)
    x[pm.p_cols] = posts[pm.p_group, pm.p_rank, pm.p_chan]
    z = best_posts(p, pm.group_of_pair, posts.sum(axis=(1, 2)))
    lo, _hi = bounds(p)
    cols, pair, count = pm.model.tags["slots"]
    before = np.cumsum(count) - count  # posts of the same pair in earlier (better) groups
    before = before - before[np.searchsorted(pair, pair, side="left")]
    x[cols] = np.clip((z - lo)[pair] - before, 0, count)
    _flows(pm, x, z)
    return x


def _flows(pm: PostModel, x: FloatArray, z: IntArray) -> None:
    p = pm.problem
    for category, provinces, g, m, local, out, inn in pm.model.tags.get("pools", []):
        mine = p.pairs["category"].astype(str) == category
        by_prov = p.pairs.loc[mine].assign(_z=z[mine.to_numpy()]).groupby("province")["_z"].sum()
        demand = np.array([float(by_prov.get(q, 0.0)) for q in provinces])
        x[local] = np.minimum(demand, g)
        x[inn] = np.maximum(0.0, demand - g)
        need = x[inn].sum()
        can = np.minimum(m * g, g - x[local])
        send = np.minimum(can, np.maximum(0.0, need - (np.cumsum(can) - can)))
        x[out] = send
