"""Which constraint cannot be met (before solving), and whether a plan breaks any (after).

`diagnose` runs every check and reports all, with the numbers ("budget covers 412 posts;
minimums need 530"), so a user never sees a solver trace. `check_plan` is the independent
checker the tests run on every answer: it recomputes each constraint from the problem's frames
in exact integer rands and never looks at the solver's matrices.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from ssp_planner.allocation.problem import PostProblem
from ssp_planner.errors import SSPError

Cube = npt.NDArray[np.int64]


class AllocationInfeasible(SSPError):
    """No plan satisfies the inputs; `problems` says which constraint and by how much."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        text = "; ".join(problems[:8]) + (
            f"; … and {len(problems) - 8} more" if len(problems) > 8 else ""
        )
        super().__init__(
            f"No plan can meet these inputs: {text}. Fix: raise the budget or candidates, "
            "or lower the minimums / planned posts."
        )


class LocationInfeasible(SSPError):
    """No choice of p sites can satisfy the inputs; `problems` says why, with numbers."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        more = f"; … and {len(problems) - 5} more" if len(problems) > 5 else ""
        super().__init__(
            f"No choice of sites can meet these inputs: {'; '.join(problems[:5])}{more}."
        )


def diagnose_sites(
    *,
    p: int,
    site_ids: tuple[str, ...],
    demand_ids: tuple[str, ...],
    weights: npt.NDArray[np.float64],
    capacities: npt.NDArray[np.float64] | None,
    served_by: npt.NDArray[np.int64] | None,
    must_serve: bool,
    limit: float | None,
    unit: str,
) -> list[str]:
    """Reasons, with numbers, why no p sites can do: p out of range, negative need, points no
    site can reach (p-median), capacities too small for the need."""
    out = []
    if not 1 <= p <= len(site_ids):
        out.append(
            f"p = {p} sites asked for, but there are {len(site_ids)} candidate sites "
            f"(choose p from 1 to {len(site_ids)})"
        )
    if (weights < 0).any() or not np.isfinite(weights).all():
        bad = [demand_ids[k] for k in np.nonzero(~(weights >= 0))[0][:5]]
        out.append(f"need must be a number ≥ 0 (demand points {', '.join(bad)})")
    if must_serve and served_by is not None and (served_by == 0).any():
        lost = [demand_ids[k] for k in np.nonzero(served_by == 0)[0]]
        reach = f"within {limit:g} {unit}" if limit is not None else "with a known cost"
        out.append(
            f"{len(lost)} demand points have no candidate site {reach} "
            f"({', '.join(lost[:5])}); raise the cut-off or add sites"
        )
    if must_serve and capacities is not None and 1 <= p <= len(site_ids):
        top = float(np.sort(np.nan_to_num(capacities, posinf=np.inf))[::-1][:p].sum())
        if top < float(weights.sum()) - 1e-9:
            out.append(
                f"the {p} largest sites can take {top:,.0f} need; demand totals "
                f"{float(weights.sum()):,.0f}"
            )
    return out


def diagnose(problem: PostProblem) -> list[str]:
    """Every reason, with numbers, why no plan can exist; [] when none is found."""
    return [
        *_districts_across_provinces(problem),
        *_limit_conflicts(problem),
        *_unfundable(problem),
        *_budget_short(problem),
        *_candidates_short(problem),
    ]


def _districts_across_provinces(problem: PostProblem) -> list[str]:
    """The model pools posts per district; a district must lie in one province (as MDB
    districts do), else candidates would be counted against the wrong province."""
    spans = problem.pairs.groupby("district")["province"].nunique()
    return [
        f"district {d} lies in {n} provinces; fix the area table so each district has one"
        for d, n in spans[spans > 1].items()
    ]


def _floors(problem: PostProblem) -> pd.Series:
    pairs = problem.pairs
    return np.maximum(pairs["minimum"], pairs["planned"]).astype(int)


def _limit_conflicts(problem: PostProblem) -> list[str]:
    pairs, lo = problem.pairs, _floors(problem)
    bad = pairs[lo > pairs["maximum"]]
    return [
        f"{r.code} {r.category}: minimum/planned {lo[i]} new posts but maximum {r.maximum}"
        for i, r in bad.iterrows()
    ]


def _unfundable(problem: PostProblem) -> list[str]:
    lo = _floors(problem)
    out = []
    for category in sorted(set(problem.pairs.loc[lo > 0, "category"])):
        if not any(ch.cost(category, "practitioner") for ch in problem.channels):
            need = int(lo[problem.pairs["category"] == category].sum())
            out.append(
                f"minimums need {need} {category} posts but no funding channel has a cost for them"
            )
    return out


def _cheapest(problem: PostProblem, category: str, rank: str) -> int | None:
    prices = [c for ch in problem.channels if (c := ch.cost(category, rank)) and ch.budget > 0]
    return min(prices) if prices else None


def minimum_posts(problem: PostProblem) -> dict[tuple[str, str], int]:
    """Posts the minimums need per (category, rank), with the supervisors the norms add where
    today's supervisors have no spare capacity."""
    pairs, lo = problem.pairs, _floors(problem)
    spare = _spare_map(problem)
    need: dict[tuple[str, str], int] = {}
    for (district, category), floor in (
        lo.groupby([pairs["district"], pairs["category"]]).sum().items()
    ):
        n, cat = int(floor), str(category)
        if n == 0:
            continue
        k = problem.supervisor_per.get(cat)
        extra = max(0.0, n - spare.get((str(district), cat), 0.0))
        sup = math.ceil(extra / (k + 1) - 1e-9) if k else 0
        need[(cat, "practitioner")] = need.get((cat, "practitioner"), 0) + n - sup
        need[(cat, "supervisor")] = need.get((cat, "supervisor"), 0) + sup
    return {key: n for key, n in need.items() if n > 0}


def minimum_cost(problem: PostProblem) -> tuple[int, int, int]:
    """(posts, of which supervisors, rands): the minimums at the cheapest channel's prices."""
    posts = supervisors = rands = 0
    for (cat, rank), n in minimum_posts(problem).items():
        price = _cheapest(problem, cat, rank) or _cheapest(problem, cat, "practitioner") or 0
        posts += n
        supervisors += n if rank == "supervisor" else 0
        rands += n * price
    return posts, supervisors, rands


def _budget_short(problem: PostProblem) -> list[str]:
    posts, supervisors, rands = minimum_cost(problem)
    budget = sum(ch.budget for ch in problem.channels)
    if posts == 0:
        return []
    covered = _fundable(problem, minimum_posts(problem))
    if covered >= posts:
        return []
    sup = f", incl. {supervisors} supervisors the norms require" if supervisors else ""
    return [
        f"budget covers {covered} posts; minimums need {posts} "
        f"(R{rands:,} a year at the cheapest cost{sup}; budget R{budget:,})"
    ]


def _fundable(problem: PostProblem, need: dict[tuple[str, str], int]) -> int:
    """How many of the needed posts the channels can pay for, each from its own budget: a small
    LP over (post type, channel), so that money of one channel never pays for another's posts."""
    from scipy.optimize import linprog

    types, chans = list(need), list(problem.channels)
    price = np.array(
        [
            [
                ch.cost(c, r) or (ch.cost(c, "practitioner") if r == "supervisor" else None) or 0
                for ch in chans
            ]
            for c, r in types
        ],
        dtype=float,
    )
    n_t, n_f = price.shape
    ok = (price > 0).ravel()
    if not ok.any():
        return 0
    a_need = np.kron(np.eye(n_t), np.ones(n_f))[:, ok]  # Σ_f n_tf ≤ need_t
    a_money = np.tile(np.eye(n_f), n_t)[:, ok] * price.ravel()[ok]  # Σ_t c_tf n_tf ≤ B_f
    res = linprog(
        -np.ones(int(ok.sum())),
        A_ub=np.vstack([a_need, a_money]),
        b_ub=np.r_[[need[t] for t in types], [ch.budget for ch in chans]],
        bounds=(0, None),
        method="highs",
    )
    return int(np.floor(-res.fun + 1e-6)) if res.status == 0 else 0


def _spare_map(problem: PostProblem) -> dict[tuple[str, str], float]:
    s = problem.spare_supervision
    return {
        (str(d), str(c)): float(v)
        for d, c, v in zip(s["district"], s["category"], s["spare"], strict=True)
    }


def _candidates_short(problem: PostProblem) -> list[str]:
    cand = problem.candidates
    if cand is None:
        return []
    pairs, lo = problem.pairs, _floors(problem)
    out: list[str] = []
    for category, rows in cand.groupby("category", sort=True):
        found: list[str] = []
        in_cat = pairs["category"] == category
        demand = lo[in_cat].groupby(pairs.loc[in_cat, "province"].astype(str)).sum()
        demand = demand[demand > 0]
        if demand.empty:
            continue
        pool = _pool(rows)
        total = int(rows["candidates"].sum())
        if total == 0:
            out.append(f"there are no {category} candidates, but minimums need {int(demand.sum())}")
            continue
        for q, need in demand.items():
            local, movers_in = pool.get(str(q), (0.0, 0.0))[0], _movers_from_others(pool, str(q))
            if need > local + movers_in + 1e-9:
                found.append(
                    f"{q}: minimums need {int(need)} new {category} posts; candidates available "
                    f"to {q}: {int(local + movers_in)} ({int(local)} local + {int(movers_in)} "
                    "willing to move from other provinces)"
                )
        if not found and not candidates_fit(rows, demand):
            found.append(
                f"{category}: minimums need {int(demand.sum())} candidates across provinces "
                f"but only {total} exist, not enough of them willing to move"
            )
        out += found
    return out


def _pool(rows: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """province -> (candidates, of whom willing to move)."""
    return {
        str(q): (float(g), float(g) * float(m))
        for q, g, m in zip(
            rows["province"], rows["candidates"], rows["willing_to_move"], strict=True
        )
    }


def _movers_from_others(pool: dict[str, tuple[float, float]], q: str) -> float:
    return sum(m for p, (_g, m) in pool.items() if p != q)


def candidates_fit(rows: pd.DataFrame, demand: pd.Series) -> bool:
    """Can `demand` (posts by province) be staffed? Locals first is optimal (an exchange
    argument): then the provinces' shortfalls must fit in the movers the others can spare."""
    pool = _pool(rows)
    shortfall = movers = 0.0
    for q in set(pool) | {str(k) for k in demand.index}:
        g, m = pool.get(q, (0.0, 0.0))
        d = float(demand.get(q, 0.0))
        shortfall += max(0.0, d - g)
        movers += min(m, max(0.0, g - d))
    return shortfall <= movers + 1e-6


def check_plan(problem: PostProblem, x: Cube) -> list[str]:
    """Every constraint the plan `x[i, r, f]` breaks ([] = feasible), recomputed independently."""
    if x.shape != (len(problem.pairs), len(problem.ranks), len(problem.channels)):
        return [f"plan has shape {x.shape}, expected one entry per pair, rank and channel"]
    out = []
    if (x < 0).any():
        out.append("negative posts")
    out += _check_limits(problem, x)
    out += _check_budgets(problem, x)
    out += _check_supervision(problem, x)
    out += _check_candidates(problem, x)
    return out


def _check_limits(problem: PostProblem, x: Cube) -> list[str]:
    posts = x.sum(axis=(1, 2))
    pairs, lo = problem.pairs, _floors(problem).to_numpy()
    bad = np.nonzero((posts < lo) | (posts > pairs["maximum"].to_numpy()))[0]
    return [
        f"{pairs['code'][i]} {pairs['category'][i]}: {posts[i]} posts outside limits" for i in bad
    ]


def _check_budgets(problem: PostProblem, x: Cube) -> list[str]:
    out = []
    cats = problem.pairs["category"].tolist()
    for f, ch in enumerate(problem.channels):
        spent = 0
        for i, r in zip(*np.nonzero(x[:, :, f]), strict=True):
            price = ch.cost(cats[i], problem.ranks[r])
            if price is None:
                out.append(f"{ch.name} funds {cats[i]} {problem.ranks[r]} posts it has no cost for")
                continue
            spent += int(x[i, r, f]) * price
        if spent > ch.budget:
            out.append(f"{ch.name} spends R{spent:,} of a R{ch.budget:,} budget")
    return out


def _check_supervision(problem: PostProblem, x: Cube) -> list[str]:
    ranks = list(problem.ranks)
    prac = x[:, ranks.index("practitioner"), :].sum(axis=1) if "practitioner" in ranks else 0
    sup = x[:, ranks.index("supervisor"), :].sum(axis=1) if "supervisor" in ranks else 0
    pairs = problem.pairs.assign(_p=prac, _s=sup)
    spare = _spare_map(problem)
    out = []
    for (d, c), g in pairs.groupby(["district", "category"]):
        k = problem.supervisor_per.get(str(c))
        if not k:
            continue
        excess = g["_p"].sum() - k * g["_s"].sum() - spare.get((str(d), str(c)), 0.0)
        if excess > 1e-6:
            out.append(f"{d} {c}: {excess:g} new practitioners without supervision")
    return out


def _check_candidates(problem: PostProblem, x: Cube) -> list[str]:
    if problem.candidates is None:
        return []
    posts = problem.pairs.assign(_n=x.sum(axis=(1, 2)))
    out = []
    for category, rows in problem.candidates.groupby("category"):
        in_cat = posts[posts["category"] == category]
        demand = in_cat.groupby(in_cat["province"].astype(str))["_n"].sum()
        if not candidates_fit(rows, demand):
            out.append(f"{category}: more new posts than candidates can fill")
    return out
