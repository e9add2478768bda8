"""Why the plan is what it is: per area and category, the plan against the two rules of thumb a
department uses today, and what one more R10 million would buy.

For each pair (area × category): need, supply, gap, posts given, priority rank, and the
constraint that stopped it getting more:

    need met     the posts cover the shortage (more would sit above the norm)
    cap          the user's maximum for the area
    candidates   the province's candidates (with those willing to move) are all placed
    supervision  one more practitioner needs a new supervisor too, and that is not affordable
    budget       no channel has the money for one more post of this category
    no need      supply already meets the norm

"What R10 million more buys" is a re-solve that keeps today's plan and adds to it (exact for
whole posts, which a dual price is not). The baselines give the same number of posts per
category (so the same money) by population share, and equally per district.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from ssp_planner.allocation._milp import Solver
from ssp_planner.allocation._post_model import bounds, cost_cube, post_values
from ssp_planner.allocation.budget import PostPlan, allocate_posts
from ssp_planner.allocation.feasibility import candidates_fit
from ssp_planner.allocation.problem import Channel, PostProblem

R10M = 10_000_000
PROPORTIONAL, EQUAL_DISTRICT = "posts in proportion to population", "equal posts per district"


@dataclass(frozen=True)
class Marginal:
    """What `amount` more for `channel` buys, added to the plan: extra posts per pair."""

    channel: str
    amount: int
    extra: pd.DataFrame  # code, name, category, extra_posts
    extra_need_met: float
    extra_value: float


@dataclass(frozen=True)
class Explanation:
    areas: pd.DataFrame
    summary: dict[str, object]
    baselines: pd.DataFrame
    marginal: tuple[Marginal, ...]

    def binding_counts(self) -> pd.Series:
        short = self.areas[self.areas["shortage_after"] > 0]
        return short["binding"].value_counts().sort_index()


def explain(plan: PostPlan, *, marginal: bool = True, solver: Solver | None = None) -> Explanation:
    """The plan's explanation; `marginal=False` skips the R10m re-solves (one per channel)."""
    areas = area_table(plan)
    extras = (
        tuple(buy_more(plan, ch.name, R10M, solver) for ch in plan.problem.channels)
        if marginal
        else ()
    )
    return Explanation(areas, _summary(plan, areas), compare_baselines(plan), extras)


# --- per area ---------------------------------------------------------------------------------


def area_table(plan: PostPlan) -> pd.DataFrame:
    p = plan.problem
    pairs = p.pairs
    new = plan.new_posts
    out = pairs[
        [
            "code",
            "name",
            "district",
            "province",
            "category",
            "required",
            "filled",
            "vacant_funded",
            "supply",
            "shortage",
        ]
    ].copy()
    out["gap"] = out["required"] - out["filled"]
    out["new_posts"] = new
    for r, rank in enumerate(p.ranks):
        out[f"new_{rank}s"] = plan.x[:, r, :].sum(axis=1)
    for f, ch in enumerate(p.channels):
        out[f"posts_{ch.name}"] = plan.x[:, :, f].sum(axis=1)
    out["cost_rands"] = (plan.x * cost_cube(p)).sum(axis=(1, 2))
    out["coverage_before"] = _coverage(out["supply"], out["required"])
    out["coverage_after"] = _coverage(out["supply"] + new, out["required"])
    out["shortage_after"] = (out["required"] - out["supply"] - new).clip(lower=0)
    out["priority"] = priority_ranks(p)
    out["binding"] = binding_constraints(plan)
    return out


def _coverage(supply: pd.Series, required: pd.Series) -> pd.Series:
    req = required.astype(float)
    return (supply.astype(float) / req.where(req > 0)).round(4)


def priority_ranks(problem: PostProblem) -> pd.Series:
    """1 = first in line. Total: value per rand of the first new post; max-min: lowest
    coverage first. Pairs without a shortage get no rank."""
    pairs = problem.pairs
    req, sup = pairs["required"].to_numpy(float), pairs["supply"].to_numpy(float)
    if problem.fairness == "maxmin":
        key = -(sup / np.where(req > 0, req, np.nan))
    else:
        r = problem.returns
        one = np.ones(len(pairs), dtype=np.int64)
        pair, value, _n = post_values(
            sup, req, np.zeros(len(pairs), np.int64), one, r.breakpoints, r.weights
        )
        first = np.zeros(len(pairs))
        first[pair] = value
        price = cost_cube(problem)[:, 0, :].astype(float)
        cheapest = np.where(price > 0, price, np.inf).min(axis=1)
        key = first / cheapest
    has = pairs["shortage"].to_numpy() > 0
    order = pd.Series(np.where(has, key, np.nan)).rank(ascending=False, method="first")
    return order.astype("Int64")


def binding_constraints(plan: PostPlan) -> list[str]:
    """The first constraint, in the order of the module docstring, that stops one more post."""
    p, new = plan.problem, plan.new_posts
    _lo, hi = bounds(p)
    left = _money_left(plan)
    room = _supervision_room(plan)
    full = _pools_full(plan)
    out = []
    for i, row in enumerate(p.pairs.itertuples(index=False)):
        if row.shortage <= 0 and new[i] == 0:
            out.append("no need")
        elif row.supply + new[i] >= row.required - 1e-9:
            out.append("need met")
        elif new[i] >= hi[i]:
            out.append("cap" if row.max_given else "need met")
        elif (row.province, row.category) in full:
            out.append("candidates")
        else:
            out.append(_money_or_supervision(p, row, left, room))
    return out


def _money_or_supervision(p: PostProblem, row: object, left: dict[str, int], room: dict) -> str:
    cat = str(row.category)  # type: ignore[attr-defined]
    prac = [(ch.name, ch.cost(cat, "practitioner")) for ch in p.channels]
    sup = [(ch.name, ch.cost(cat, "supervisor")) for ch in p.channels]
    afford_prac = any(c and left[n] >= c for n, c in prac)
    needs_sup = room.get((str(row.district), cat), np.inf) < 1  # type: ignore[attr-defined]
    if afford_prac and needs_sup:
        both = any(c and s and left[n] >= c + s for (n, c), (_m, s) in zip(prac, sup, strict=True))
        return "budget" if both else "supervision"
    return "budget"


def _money_left(plan: PostPlan) -> dict[str, int]:
    spent = plan.spent()
    return {ch.name: ch.budget - spent[ch.name] for ch in plan.problem.channels}


def _supervision_room(plan: PostPlan) -> dict[tuple[str, str], float]:
    """Practitioners each district can still add without a new supervisor."""
    p = plan.problem
    ranks = list(p.ranks)
    prac = plan.x[:, ranks.index("practitioner"), :].sum(axis=1)
    sup = plan.x[:, ranks.index("supervisor"), :].sum(axis=1) if "supervisor" in ranks else 0
    frame = p.pairs.assign(_p=prac, _s=sup).groupby(["district", "category"])[["_p", "_s"]].sum()
    spare = p.spare_supervision.set_index(["district", "category"])["spare"]
    room = {}
    for (d, c), (n_p, n_s) in frame.iterrows():
        k = p.supervisor_per.get(str(c))
        room[(str(d), str(c))] = np.inf if not k else k * n_s + float(spare.get((d, c), 0.0)) - n_p
    return room


def _pools_full(plan: PostPlan) -> set[tuple[str, str]]:
    """(province, category) pairs where one more post cannot be staffed."""
    p = plan.problem
    if p.candidates is None:
        return set()
    posts = p.pairs.assign(_n=plan.new_posts)
    full = set()
    for category, rows in p.candidates.groupby("category"):
        mine = posts[posts["category"] == category]
        demand = mine.groupby(mine["province"].astype(str))["_n"].sum()
        for q in sorted(set(mine["province"].astype(str))):
            more = demand.copy()
            more[q] = more.get(q, 0) + 1
            if not candidates_fit(rows, more):
                full.add((q, str(category)))
    return full


# --- plan summary and baselines -----------------------------------------------------------


def evaluate(problem: PostProblem, new_posts: npt.NDArray[np.int64]) -> dict[str, float]:
    """Need met, shortage left, weighted value, worst coverage: the yardsticks of every plan."""
    pairs = problem.pairs
    req, sup = pairs["required"].to_numpy(float), pairs["supply"].to_numpy(float)
    after = sup + new_posts
    r = problem.returns
    zero = np.zeros(len(req), dtype=np.int64)
    _pair, value, count = post_values(
        sup, req, zero, new_posts.astype(np.int64), r.breakpoints, r.weights
    )
    cov = np.where(req > 0, after / np.where(req > 0, req, 1), np.nan)
    return {
        "posts": int(new_posts.sum()),
        "need_met": float(np.minimum(after, req).sum() - np.minimum(sup, req).sum()),
        "shortage_left": float(np.maximum(req - after, 0).sum()),
        "weighted_need_met": float((value * count).sum()),
        "lowest_coverage": float(np.nanmin(cov)) if np.isfinite(cov).any() else float("nan"),
        "pairs_below_half": int(np.nansum(cov < 0.5)),
        "posts_beyond_need": int(
            np.maximum(0, np.minimum(new_posts, after - np.maximum(req, sup))).sum()
        ),
    }


def _summary(plan: PostPlan, areas: pd.DataFrame) -> dict[str, object]:
    p = plan.problem
    spent = plan.spent()
    return {
        "fairness": p.fairness,
        "budgets": {ch.name: ch.budget for ch in p.channels},
        "spent": spent,
        "unspent": {ch.name: ch.budget - spent[ch.name] for ch in p.channels},
        "optimal": plan.optimal,
        "mip_gap": plan.mip_gap,
        "solve_seconds": round(plan.seconds, 3),
        "shortage_before": float(areas["shortage"].sum()),
        **evaluate(p, plan.new_posts),
    }


def compare_baselines(plan: PostPlan) -> pd.DataFrame:
    """The plan against population-share and equal-per-district posts of the same categories."""
    p = plan.problem
    rows = [{"plan": "this plan", **evaluate(p, plan.new_posts)}]
    for name, posts in ((PROPORTIONAL, by_population(plan)), (EQUAL_DISTRICT, by_district(plan))):
        rows.append({"plan": name, **evaluate(p, posts)})
    return pd.DataFrame(rows)


def by_population(plan: PostPlan) -> npt.NDArray[np.int64]:
    """Each category's posts shared by population (largest remainder; ties by code)."""
    pairs = plan.problem.pairs
    out = np.zeros(len(pairs), dtype=np.int64)
    for cat, idx in pairs.groupby("category").indices.items():
        total = int(plan.new_posts[idx].sum())
        out[idx] = _largest_remainder(pairs["population"].to_numpy(float)[idx], total)
        del cat
    return out


def by_district(plan: PostPlan) -> npt.NDArray[np.int64]:
    """Each category's posts shared equally by district, then by population within it."""
    pairs = plan.problem.pairs
    out = np.zeros(len(pairs), dtype=np.int64)
    for _cat, idx in pairs.groupby("category").indices.items():
        districts = pairs["district"].to_numpy()[idx]
        names = np.unique(districts)
        per = _largest_remainder(np.ones(len(names)), int(plan.new_posts[idx].sum()))
        for name, n in zip(names, per, strict=True):
            sub = idx[districts == name]
            out[sub] = _largest_remainder(pairs["population"].to_numpy(float)[sub], int(n))
    return out


def _largest_remainder(weights: npt.NDArray[np.float64], total: int) -> npt.NDArray[np.int64]:
    w = np.nan_to_num(np.asarray(weights, dtype=float))
    w = np.ones_like(w) if w.sum() <= 0 else w
    share = w / w.sum() * total
    base = np.floor(share).astype(np.int64)
    rest = total - int(base.sum())
    order = np.lexsort((np.arange(len(w)), -(share - base)))
    base[order[:rest]] += 1
    return base


# --- one more R10 million -------------------------------------------------------------------


def buy_more(plan: PostPlan, channel: str, amount: int, solver: Solver | None = None) -> Marginal:
    """Keep every post of the plan, add `amount` to `channel`'s budget, solve again."""
    p = plan.problem
    richer = tuple(
        Channel(ch.name, ch.budget + (amount if ch.name == channel else 0), ch.costs)
        for ch in p.channels
    )
    more = allocate_posts(replace(p, channels=richer), solver, keep=plan.x)
    extra = more.new_posts - plan.new_posts
    frame = p.pairs[["code", "name", "category"]].assign(extra_posts=extra)
    before, after = evaluate(p, plan.new_posts), evaluate(p, more.new_posts)
    return Marginal(
        channel=channel,
        amount=amount,
        extra=frame[frame["extra_posts"] > 0].reset_index(drop=True),
        extra_need_met=after["need_met"] - before["need_met"],
        extra_value=after["weighted_need_met"] - before["weighted_need_met"],
    )


# --- in words -------------------------------------------------------------------------------


def explanation_markdown(ex: Explanation, notes: list[str]) -> str:
    """The plan explained for a reader: what was bought, where, why, and against the baselines."""
    s = ex.summary
    lines = ["# Post allocation: what the plan does and why", ""]
    lines += [f"> {n}" for n in notes] + [""]
    lines += [*_money_lines(s), ""]
    lines += ["## Where the posts go", "", _posts_by_category(ex.areas), ""]
    lines += ["## Why areas did not get more", "", _binding_lines(ex), ""]
    lines += ["## Worst covered after the plan", "", _worst(ex.areas), ""]
    lines += ["## Against the rules of thumb (same posts per category, so the same money)", ""]
    lines += [_markdown(ex.baselines.round(3)), ""]
    for m in ex.marginal:
        lines += _marginal_lines(m)
    return "\n".join(lines) + "\n"


def _money_lines(s: dict[str, object]) -> list[str]:
    from ssp_planner.allocation.costs import format_rands

    budgets, spent = s["budgets"], s["spent"]
    assert isinstance(budgets, dict) and isinstance(spent, dict)
    out = [
        f"- {ch}: budget {format_rands(b)}, spent {format_rands(spent[ch])}"
        for ch, b in budgets.items()
    ]
    num = {k: float(v) for k, v in s.items() if isinstance(v, int | float | np.number)}
    gap = num["mip_gap"]
    status = "optimal" if s["optimal"] else "best found at the time limit"
    out.append(
        f"- {int(num['posts']):,} new posts; need met {num['need_met']:,.1f} posts; shortage "
        f"left {num['shortage_left']:,.1f} of {num['shortage_before']:,.1f}"
    )
    out.append(
        f"- Solver: {status}, optimality gap {gap:.3%} (the plan is within that share of the "
        f"best possible), {s['solve_seconds']} s; fairness '{s['fairness']}'"
    )
    return out


def _posts_by_category(areas: pd.DataFrame) -> str:
    cols = [c for c in areas.columns if c.startswith("new_") and c != "new_posts"]
    table = areas.groupby("category", observed=True)[["new_posts", *cols, "cost_rands"]].sum()
    return _markdown(table.reset_index())


def _binding_lines(ex: Explanation) -> str:
    counts = ex.binding_counts()
    if counts.empty:
        return "Every area's shortage is met."
    return "\n".join(f"- {name}: {n} area/category pairs still short" for name, n in counts.items())


def _worst(areas: pd.DataFrame, n: int = 10) -> str:
    short = areas[areas["required"] > 0].sort_values(["coverage_after", "code"]).head(n)
    cols = [
        "code",
        "name",
        "category",
        "required",
        "supply",
        "new_posts",
        "coverage_after",
        "priority",
        "binding",
    ]
    return _markdown(short[cols].round(3))


def _marginal_lines(m: Marginal) -> list[str]:
    from ssp_planner.allocation.costs import format_rands

    head = (
        f"## One more {format_rands(m.amount)} for {m.channel}",
        "",
        f"It would buy {int(m.extra['extra_posts'].sum())} more posts, meeting "
        f"{m.extra_need_met:,.2f} more posts of need:",
        "",
    )
    return [*head, _markdown(m.extra.head(15)), ""]


def _markdown(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "(none)"
    heads = [str(c) for c in frame.columns]
    rows = [
        ["" if pd.isna(v) else f"{v:,}" if isinstance(v, int | np.integer) else str(v) for v in r]
        for r in frame.itertuples(index=False)
    ]
    out = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    return "\n".join(out + ["| " + " | ".join(r) + " |" for r in rows])
