"""Post allocation under a budget: where new posts go so that need is met as fairly as possible.

The model, with index names as in the code::

    i   pair: base area a(i) × category c(i)        (rows of problem.pairs, sorted code, category)
    g   group: district d(g) × category c(g)         (supervision is kept per district)
    r   rank: practitioner, supervisor;  f  funding channel: government, npo, …
    q   province;  n  the n-th new post of a pair

    R_i  required posts;  S_i supply now (filled + funded vacancies)
    lo_i = max(minimum_i, planned_i);  hi_i = maximum_i (default ⌈R_i − S_i⌉: none beyond need)
    K_fcr  cost per post per year (rands);  B_f  budget of channel f
    k_c  practitioners per supervisor;  E_g = max(0, k_c·supervisors_g − practitioners_g)
    G_qc candidates in province q;  m_qc share of them willing to move
    v_in value of post n of pair i: Σ_k w_k |[S_i+n−1, S_i+n] ∩ band k|, bands (b_{k−1}R_i, b_k R_i]
         with weights w_1 ≥ w_2 ≥ … (diminishing returns; 0 beyond R_i)

    p_grf ∈ ℤ≥0     new posts of rank r, channel f in group g (only where K_{f,c(g),r} is set)
    y_in ∈ [0, 1]   post n of pair i is funded (grouped: equal values share one column)
    l_qc, o_qc, u_qc ≥ 0   candidates placed at home, moving out, moving in

    posts        Σ_{i∈g} Σ_{n>lo_i} y_in = Σ_rf p_grf − Σ_{i∈g} lo_i ≤ Σ_{i∈g} (hi_i − lo_i)   ∀ g
    budget       Σ_gr K_{f,c(g),r} p_grf ≤ B_f                                   ∀ f
    supervision  Σ_f p_{g,prac,f} − k_c Σ_f p_{g,sup,f} ≤ E_g                        ∀ g
    candidates   Σ_{g∈q,c} Σ_rf p_grf ≤ l_qc + u_qc;  l_qc + o_qc ≤ G_qc;  o_qc ≤ m_qc G_qc;
                 Σ_q u_qc ≤ Σ_q o_qc                                            ∀ q, c listed

    objective    max Σ_in v_in y_in − ε Σ_grf K p_grf / K_max

    fairness "total":   v_in as above (need met, in posts, with diminishing returns).
    fairness "maxmin":  lexicographic. (1) The floor: the largest t (1 % steps) such that every
                        pair can reach coverage t at once:
                        lo_i ← max(lo_i, min(hi_i, ⌈t R_i − S_i⌉)).
                        (2) Then v_in = Σ_k 2^{1−k} |[S_i+n−1, S_i+n] ∩ band_k| ÷ R_i with
                        bands ((k−1)R_i/10, kR_i/10]:
                        coverage added, every area alike, each 10 % step worth half the one below,
                        so the worst-covered areas are lifted first.

Why this shape: supervision, budgets and candidates act on districts and provinces, and every
post in a pair counts towards its need whatever its rank or channel, so integer variables are
needed per district only. Within a district the best posts are the highest-valued ones, and the
values fall post by post (concave), so the LP fills them in order and the whole-post grouping
prices a partial need honestly (a post that meets 0.3 of a post of need costs a whole post).
The plan is then spelled out per area, rank and channel by a fixed rule (supervisors go with
the district's largest new team), so the same input always gives the same plan. ε only breaks
ties: of two plans that meet need equally, the cheaper.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from ssp_planner.allocation._milp import (
    FloatArray,
    HighsSolver,
    Infeasible,
    Solution,
    Solver,
    relaxation,
)
from ssp_planner.allocation._post_model import PostModel, cost_cube
from ssp_planner.allocation._warm_start import better_start, first_plan, solution_vector
from ssp_planner.allocation.feasibility import AllocationInfeasible, diagnose
from ssp_planner.allocation.problem import PostProblem

FLOOR_STEPS = 100  # the max-min floor is searched in steps of 1 % coverage

Cube = npt.NDArray[np.int64]


@dataclass(frozen=True)
class PostPlan:
    """The solved plan. `x[i, r, f]` are new posts of pair i, rank r, channel f (whole posts)."""

    problem: PostProblem
    x: Cube
    objective: float
    optimal: bool
    mip_gap: float
    seconds: float
    floor: float = 0.0  # max-min: the coverage every area was lifted to first

    @property
    def new_posts(self) -> npt.NDArray[np.int64]:
        """Posts per pair (all ranks and channels)."""
        return self.x.sum(axis=(1, 2))

    def spent(self) -> dict[str, int]:
        """Rands per channel, exact (integers)."""
        costs = cost_cube(self.problem)
        return {
            ch.name: int((self.x[:, :, f] * costs[:, :, f]).sum())
            for f, ch in enumerate(self.problem.channels)
        }

    def posts(self) -> pd.DataFrame:
        """One row per area, category, rank, channel with posts > 0, and their yearly cost."""
        p, costs = self.problem, cost_cube(self.problem)
        i, r, f = np.nonzero(self.x)
        return pd.DataFrame(
            {
                "code": p.pairs["code"].to_numpy()[i],
                "name": p.pairs["name"].to_numpy()[i],
                "category": p.pairs["category"].to_numpy()[i],
                "rank": np.asarray(p.ranks)[r],
                "channel": np.asarray([c.name for c in p.channels])[f],
                "posts": self.x[i, r, f],
                "cost_rands": self.x[i, r, f] * costs[i, r, f],
            }
        )


def allocate_posts(
    problem: PostProblem, solver: Solver | None = None, *, keep: Cube | None = None
) -> PostPlan:
    """Solve the post model with HiGHS (or `solver`); infeasible inputs raise
    `AllocationInfeasible` naming the constraint that cannot be met, with its numbers.
    `keep`: a plan x[i, r, f] whose posts stay (more money adds to it); also the start.

    >>> from ssp_planner.allocation.problem import Channel
    >>> areas = pd.DataFrame({"code": ["A", "B"], "name": ["A", "B"], "district": "D",
    ...                       "province": "P", "population": [1000, 1000]})
    >>> gap = pd.DataFrame({"code": ["A", "B"], "category": "social_worker",
    ...                     "required": [4.0, 4.0], "filled": [0, 3]})
    >>> costs = {("social_worker", "practitioner"): 100, ("social_worker", "supervisor"): 150}
    >>> channels = (Channel("government", 300, costs),)
    >>> problem = PostProblem.from_gap_table(gap, areas, channels=channels,
    ...                                      supervisor_per={"social_worker": None})
    >>> allocate_posts(problem).new_posts.tolist()
    [3, 0]
    """
    problems = diagnose(problem)
    if problems:
        raise AllocationInfeasible(problems)
    solver = solver or HighsSolver()
    floor = coverage_floor(problem) if problem.fairness == "maxmin" else 0
    while True:
        floored = replace(problem, pairs=floor_posts(problem, floor / FLOOR_STEPS))
        try:
            model, sol = _solve(floored, solver, keep)
            break
        except AllocationInfeasible:
            if floor == 0:
                raise
            floor -= 1  # several channels: the pooled diagnosis of a floor can be optimistic
    return PostPlan(
        problem=problem,
        x=model.plan_cube(sol.x),
        objective=-sol.objective,
        optimal=sol.optimal,
        mip_gap=sol.mip_gap,
        seconds=sol.seconds,
        floor=floor / FLOOR_STEPS,
    )


def _solve(problem: PostProblem, solver: Solver, keep: Cube | None) -> tuple[PostModel, Solution]:
    model = PostModel.build(problem)
    x0: FloatArray | None
    try:
        if keep is not None:
            model.keep(model.group_cube(keep))
            x0 = solution_vector(model, model.group_cube(keep))
        else:
            relaxed = solver.solve(relaxation(model.model))
            x0 = better_start(model, relaxed, first_plan(model, relaxed.x), solver)
        return model, solver.solve(model.model, x0)
    except Infeasible:
        raise AllocationInfeasible(
            [
                "the limits, supervision ratios, candidates and budgets cannot all be met "
                "together, "
                "although each can be met on its own"
            ]
        ) from None


def floor_posts(problem: PostProblem, t: float) -> pd.DataFrame:
    """`problem.pairs` with minimums raised so that every area reaches coverage t, as far as
    its maximum allows (whole posts: ⌈t·R_i − S_i⌉)."""
    pairs = problem.pairs
    need = np.ceil(t * pairs["required"] - pairs["supply"] - 1e-9).clip(lower=0).astype(int)
    reachable = need.clip(upper=pairs["maximum"])
    return pairs.assign(minimum=np.maximum(pairs["minimum"], reachable))


def coverage_floor(problem: PostProblem) -> int:
    """The highest coverage, in % steps, that every area can be lifted to at once according to
    the diagnosis (budget, supervision, candidates): the first level of the max-min."""
    lo, hi = 0, FLOOR_STEPS
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if diagnose(replace(problem, pairs=floor_posts(problem, mid / FLOOR_STEPS))):
            hi = mid - 1
        else:
            lo = mid
    return lo
