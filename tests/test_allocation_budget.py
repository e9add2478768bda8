"""Post allocation: hand-known optima, infeasibility explained in words, no broken constraint."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssp_planner.allocation import (
    AllocationInfeasible,
    Channel,
    PostProblem,
    allocate_posts,
    check_plan,
    evaluate,
)

SW = "social_worker"
COSTS = {(SW, "practitioner"): 100, (SW, "supervisor"): 150}


def _areas(
    codes: list[str], districts: list[str] | None = None, provinces: list[str] | None = None
) -> pd.DataFrame:
    n = len(codes)
    return pd.DataFrame(
        {
            "code": codes,
            "name": codes,
            "district": districts or ["D1"] * n,
            "province": provinces or ["P1"] * n,
            "population": [1000] * n,
        }
    )


def _gap(required: list[float], filled: list[float], category: str = SW) -> pd.DataFrame:
    codes = [chr(ord("A") + k) for k in range(len(required))]
    return pd.DataFrame(
        {"code": codes, "category": category, "required": required, "filled": filled}
    )


def _problem(required, filled, budget, *, per=None, **kw) -> PostProblem:  # type: ignore[no-untyped-def]
    gap = _gap(required, filled)
    channels = kw.pop("channels", (Channel("government", budget, COSTS),))
    return PostProblem.from_gap_table(
        gap,
        _areas(list(gap["code"]), **kw.pop("areas", {})),
        channels=channels,
        supervisor_per={SW: per},
        **kw,
    )


def test_budget_goes_to_the_worst_covered_area_first() -> None:
    plan = allocate_posts(_problem([4.0, 4.0], [0, 3], 300))
    assert plan.new_posts.tolist() == [3, 0]
    assert plan.spent() == {"government": 300}
    assert plan.optimal and plan.mip_gap <= 1e-4


def test_supervision_ratio_adds_a_supervisor() -> None:
    """1 supervisor per 2 practitioners and none spare: 3 posts = 2 practitioners + 1 supervisor."""
    plan = allocate_posts(_problem([10.0], [0], 350, per=2.0))
    practitioners, supervisors = plan.x[0, :, 0].tolist()
    assert (practitioners, supervisors) == (2, 1)
    assert check_plan(plan.problem, plan.x) == []


def test_spare_supervision_is_used_before_new_supervisors() -> None:
    supervision = pd.DataFrame(
        {"district": ["D1"], "category": [SW], "practitioners": [4], "supervisors": [3]}
    )
    plan = allocate_posts(_problem([10.0], [0], 300, per=2.0, supervision=supervision))
    assert plan.x[0, :, 0].tolist() == [2, 0]  # 3 supervisors can take 6; 4 in post, so 2 more


def test_each_channel_keeps_its_own_budget() -> None:
    npo = {(SW, "practitioner"): 50, (SW, "supervisor"): 80}
    channels = (Channel("government", 200, COSTS), Channel("npo", 100, npo))
    plan = allocate_posts(_problem([10.0], [0], 0, channels=channels))
    assert plan.x[0, 0].tolist() == [2, 2]
    assert plan.spent() == {"government": 200, "npo": 100}


def test_candidates_willing_to_move_limit_the_other_province() -> None:
    candidates = pd.DataFrame(
        {
            "province": ["P", "Q"],
            "category": [SW, SW],
            "candidates": [4, 0],
            "willing_to_move": [0.5, 0.0],
        }
    )
    areas = {"districts": ["D1", "D2"], "provinces": ["P", "Q"]}
    plan = allocate_posts(_problem([5.0, 5.0], [0, 0], 10_000, areas=areas, candidates=candidates))
    assert plan.new_posts.sum() == 4
    assert plan.new_posts[1] <= 2
    assert check_plan(plan.problem, plan.x) == []


def test_maxmin_lifts_every_area_before_any_goes_further() -> None:
    plan = allocate_posts(_problem([10.0, 2.0], [0, 0], 200, fairness="maxmin"))
    assert plan.new_posts.tolist() == [1, 1]
    assert plan.floor == pytest.approx(0.1)


def test_same_input_same_plan() -> None:
    rng = np.random.default_rng(7)
    req = rng.uniform(0.5, 20, 40).round(2).tolist()
    filled = np.floor(np.array(req) * rng.uniform(0, 1, 40)).tolist()
    areas = {
        "districts": [f"D{k % 5}" for k in range(40)],
        "provinces": [f"P{(k % 5) % 2}" for k in range(40)],
    }
    plans = [allocate_posts(_problem(req, filled, 5_000, per=10.0, areas=areas)) for _ in range(2)]
    assert np.array_equal(plans[0].x, plans[1].x)


def test_budget_below_the_minimums_is_explained_with_numbers() -> None:
    limits = pd.DataFrame({"code": ["A"], "category": [SW], "minimum": [5]})
    with pytest.raises(AllocationInfeasible, match=r"budget covers 3 posts; minimums need 5"):
        allocate_posts(_problem([10.0], [0], 300, limits=limits))


def test_no_candidates_is_explained() -> None:
    limits = pd.DataFrame({"code": ["A"], "category": [SW], "minimum": [2]})
    candidates = pd.DataFrame(
        {"province": ["P1"], "category": [SW], "candidates": [0], "willing_to_move": [0.0]}
    )
    with pytest.raises(
        AllocationInfeasible, match=r"there are no social_worker candidates, but minimums need 2"
    ):
        allocate_posts(_problem([10.0], [0], 10_000, limits=limits, candidates=candidates))


def test_minimum_above_maximum_is_explained() -> None:
    limits = pd.DataFrame({"code": ["A"], "category": [SW], "minimum": [3], "maximum": [1]})
    with pytest.raises(
        AllocationInfeasible, match=r"A social_worker: minimum/planned 3 new posts but maximum 1"
    ):
        allocate_posts(_problem([10.0], [0], 10_000, limits=limits))


def _value(problem: PostProblem, posts: tuple[int, ...]) -> float:
    return evaluate(problem, np.asarray(posts, dtype=np.int64))["weighted_need_met"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    required=st.lists(st.floats(0.2, 6.0), min_size=2, max_size=3),
    cover=st.lists(st.floats(0.0, 1.2), min_size=3, max_size=3),
    budget=st.integers(0, 900),
)
def test_plan_is_optimal_against_brute_force(
    required: list[float], cover: list[float], budget: int
) -> None:
    """No supervision, one channel: enumerate every affordable plan and compare values."""
    filled = [float(np.floor(r * c)) for r, c in zip(required, cover, strict=False)]
    problem = _problem([round(r, 2) for r in required], filled, budget)
    plan = allocate_posts(problem)
    caps = problem.pairs["maximum"].tolist()
    best = max(
        _value(problem, combo)
        for combo in itertools.product(*(range(c + 1) for c in caps))
        if 100 * sum(combo) <= budget
    )
    assert check_plan(problem, plan.x) == []
    assert _value(problem, tuple(plan.new_posts)) >= best - 1e-6 * max(1.0, best) - 1e-4 * best


@st.composite
def instances(draw: st.DrawFn) -> PostProblem:
    n = draw(st.integers(1, 6))
    required = draw(st.lists(st.floats(0.0, 15.0), min_size=n, max_size=n))
    filled = [float(np.floor(r * draw(st.floats(0, 1.3)))) for r in required]
    districts = [draw(st.integers(0, 1)) for _ in range(n)]
    province_of = [draw(st.integers(0, 1)) for _ in range(2)]  # districts nest in one province
    areas = {
        "districts": [f"D{d}" for d in districts],
        "provinces": [f"P{province_of[d]}" for d in districts],
    }
    limits = pd.DataFrame(
        {
            "code": [chr(65 + k) for k in range(n)],
            "category": SW,
            "minimum": [draw(st.integers(0, 2)) for _ in range(n)],
        }
    )
    candidates = None
    if draw(st.booleans()):
        candidates = pd.DataFrame(
            {
                "province": ["P0", "P1"],
                "category": SW,
                "candidates": [draw(st.integers(0, 8)), draw(st.integers(0, 8))],
                "willing_to_move": [draw(st.floats(0, 1)), draw(st.floats(0, 1))],
            }
        )
    supervision = pd.DataFrame(
        {
            "district": ["D0", "D1"],
            "category": SW,
            "practitioners": [draw(st.integers(0, 20))] * 2,
            "supervisors": [draw(st.integers(0, 3))] * 2,
        }
    )
    channels = (Channel("government", draw(st.integers(0, 3000)), COSTS),)
    if draw(st.booleans()):
        channels += (Channel("npo", draw(st.integers(0, 1000)), {(SW, "practitioner"): 60}),)
    return _problem(
        [round(r, 2) for r in required],
        filled,
        0,
        per=draw(st.sampled_from([None, 2.0, 10.0])),
        areas=areas,
        limits=limits,
        candidates=candidates,
        supervision=supervision,
        channels=channels,
        fairness=draw(st.sampled_from(["total", "maxmin"])),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=instances())
def test_answer_never_breaks_a_constraint(problem: PostProblem) -> None:
    try:
        plan = allocate_posts(problem)
    except AllocationInfeasible as exc:
        assert str(exc).startswith("No plan can meet these inputs")
        return
    assert check_plan(problem, plan.x) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=instances())
def test_improved_start_is_feasible_and_no_worse(problem: PostProblem) -> None:
    """The restricted MILP that replaces a poor rounded start returns a plan the full model
    accepts (every row and bound, whole posts), better than the rounded one."""
    from ssp_planner.allocation._milp import HighsSolver, Infeasible, relaxation
    from ssp_planner.allocation._post_model import PostModel
    from ssp_planner.allocation._warm_start import better_start, first_plan

    model = PostModel.build(problem)
    solver = HighsSolver()
    try:
        relaxed = solver.solve(relaxation(model.model))
    except Infeasible:
        return
    rounded = first_plan(model, relaxed.x)
    start = better_start(model, relaxed, rounded, solver)
    if start is None or start is rounded:
        return  # kept as it was (HiGHS checks a start and ignores one it cannot use)
    m, tol = model.model, 1e-6
    rows = m.a @ start
    assert np.all(rows >= m.row_lb - tol) and np.all(rows <= m.row_ub + tol)
    assert np.all(start >= m.lb - tol) and np.all(start <= m.ub + tol)
    assert np.allclose(start[m.integer], np.rint(start[m.integer]), atol=tol)
    if rounded is not None:
        assert m.c @ start < m.c @ rounded
