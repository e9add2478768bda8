"""The pipeline stock-flow model on small pipelines whose every figure is worked out by hand."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from ssp_planner.domain.vocabulary import Category
from ssp_planner.projection import Baseline, ProjectionResult, params_from_dict, project
from ssp_planner.projection.params import merge
from ssp_planner.projection.scenarios import (
    Absorption,
    NewPosts,
    Retention,
    Scenario,
    Scholarships,
)

SW = Category.SOCIAL_WORKER.value
SECTORS = ("government", "npo", "private")


def quiet(**extra: Any) -> dict[str, Any]:
    """Parameters with every flow switched off; tests switch on the one they check."""
    base: dict[str, Any] = {
        "attrition": {"emigration": [0] * 5},
        "sectors": {s: {"resignation": [0] * 5} for s in SECTORS},
        "categories": {
            c.value: {
                "intake": 0,
                "scholarship_intake": 0,
                "unemployed": 0,
                "unemployed_scholarship": 0,
                "lapsed": 0,
            }
            for c in Category
        },
        "pool": {"exit_rate": 0},
        "lapsed": {"reentry_rate": 0, "exit_rate": 0},
        "hiring": {"fill_rate": 0},
        "scholarship": {"breach_rate": 0},
        "demand": {"growth": 0, "path": []},
    }
    return merge(base, extra)


def baseline(
    rows: list[tuple[str, str, str, int, bool, float]],
    *,
    vacancies: list[tuple[str, str, str, float]] = (),  # type: ignore[assignment]
    need: list[tuple[str, str, float]] | None = None,
    provinces: tuple[str, ...] = ("EC", "GP"),
) -> Baseline:
    return Baseline(
        start_year=2026,
        provinces=provinces,
        workforce=pd.DataFrame(
            rows, columns=["province", "category", "sector", "age", "rural", "headcount"]
        ),
        vacancies=pd.DataFrame(
            list(vacancies), columns=["province", "category", "sector", "vacant_funded"]
        ),
        population=pd.Series({p: 1_000_000.0 for p in provinces}),
        need=None
        if need is None
        else pd.DataFrame(need, columns=["province", "category", "required"]),
    )


def national(result: ProjectionResult, column: str, scenario: str = "baseline") -> list[float]:
    frame = result.national()
    return frame.loc[frame["scenario"] == scenario, column].tolist()


def cell(result: ProjectionResult, column: str, province: str, category: str = SW) -> list[float]:
    c = result.cells[column]
    return c[
        0, :, result.provinces.index(province), [x.value for x in result.categories].index(category)
    ].tolist()


def test_steady_students_graduate_at_the_product_of_their_pass_rates() -> None:
    params = params_from_dict(
        quiet(
            categories={
                SW: {
                    "study_years": 2,
                    "intake": 100,
                    "progression": [0.5, 0.8],
                    "dropout": [0.1, 0.1],
                }
            }
        )
    )
    result = project(params, baseline([("EC", SW, "government", 40, False, 1)]), years=3)
    # Year 1 holds 100 / (1 − 0.4); year 2 holds 0.5 × that / (1 − 0.1); 0.8 of year 2 graduate
    # (the opening stock is eleven years of intake: the steady state to 1 part in 10,000).
    year1 = 100 / 0.6
    year2 = 0.5 * year1 / 0.9
    assert national(result, "students") == pytest.approx([year1 + year2] * 4, rel=1e-4)
    assert national(result, "graduates")[1:] == pytest.approx([0.8 * year2] * 3, rel=1e-4)
    assert 0.8 * year2 == pytest.approx(74.074, abs=1e-3)
    # Nobody hires (fill rate 0), so every graduate waits in the pool.
    assert national(result, "unemployed") == pytest.approx([0, 74.074, 148.148, 222.222], rel=1e-4)


def test_people_retire_on_reaching_the_retirement_age() -> None:
    params = params_from_dict(quiet())
    rows = [("EC", SW, "government", 64, False, 1), ("EC", SW, "government", 63, False, 1)]
    result = project(params, baseline(rows), years=3)
    assert national(result, "retirements")[1:] == [1, 1, 0]
    assert national(result, "supply") == [2, 1, 0, 0]


def test_resigners_lapse_and_half_come_back_a_year_later() -> None:
    params = params_from_dict(
        quiet(
            attrition={"emigration": [0, 0.02, 0, 0, 0]},
            sectors={"npo": {"resignation": [0, 0.1, 0, 0, 0]}},
            lapsed={"reentry_rate": 0.5},
        )
    )
    result = project(params, baseline([("GP", SW, "npo", 30, False, 1000)]), years=2)
    # Year 1: 100 resign (0.1), 20 emigrate (0.02): 880 stay. Year 2: 0.12 × 880 leave.
    assert national(result, "supply") == pytest.approx([1000, 880, 880 * 0.88])
    assert national(result, "lapsed") == pytest.approx([0, 100, 50 + 88])
    assert national(result, "unemployed") == pytest.approx([0, 0, 50])  # the returners
    assert result.balanced


def test_scholarship_holders_fill_government_vacancies_first_and_serve_their_bond() -> None:
    params = params_from_dict(
        quiet(
            hiring={"fill_rate": 0.5},
            scholarship={"obligation_years": 2},
            categories={SW: {"unemployed_scholarship": 3, "unemployed": 97}},
            province_share={"EC": 1.0},
        ),
        provinces=("EC", "GP"),
    )
    base = baseline(
        [("EC", SW, "government", 40, False, 10)],
        vacancies=[("EC", SW, "government", 10)],
        provinces=("EC", "GP"),
    )
    result = project(params, base, years=3)
    flows = result.trajectory.flows
    assert flows["hires_bonded"][0, 1].sum() == pytest.approx(3)  # all 3 scholarship holders
    assert flows["hires_from_pool"][0, 1].sum() == pytest.approx(2)  # then 2 others: 0.5 × 10
    # Year 2: 5 posts open, 2.5 filled, but no scholarship holder is left to bond.
    assert national(result, "bonded") == pytest.approx([0, 3, 3, 0])
    assert flows["completions"][0, 3].sum() == pytest.approx(3)  # two years served, then free
    assert national(result, "supply") == pytest.approx([10, 15, 17.5, 18.75])


def test_demand_from_a_needs_run_grows_by_the_demand_growth() -> None:
    params = params_from_dict(quiet(demand={"growth": 0.1}))
    base = baseline(
        [("EC", SW, "government", 40, False, 80)], need=[("EC", SW, 100), ("GP", SW, 50)]
    )
    result = project(params, base, years=2)
    assert cell(result, "demand", "EC") == pytest.approx([100, 110, 121])
    assert cell(result, "shortfall", "EC") == pytest.approx([20, 30, 41])
    assert national(result, "shortfall")[0] == pytest.approx(20 + 50)  # GP has nobody


def test_demand_path_runs_from_todays_supply_to_the_target() -> None:
    params = params_from_dict(
        quiet(demand={"path": [{"period": "2028April", "total": 1000}], "growth": 0.5})
    )
    shares = params.demand.category_share[Category.SOCIAL_WORKER].value
    base = baseline([("EC", SW, "government", 40, False, 100)])
    result = project(params, base, years=3)
    ec = cell(result, "demand", "EC")
    target = 1000 * 0.5 * shares  # EC holds half the population
    assert ec[0] == 100 and ec[1] == pytest.approx((100 + target) / 2)
    assert ec[2] == pytest.approx(target) and ec[3] == pytest.approx(target * 1.5)


def test_budget_buys_posts_where_need_exceeds_posts_in_proportion_to_the_gap() -> None:
    cost = 400_000
    params = params_from_dict(
        quiet(
            categories={SW: {"cost_per_post": cost}},
            posts={"budget": [35 * cost]},
            sectors={"government": {"new_post_share": 1.0}, "npo": {"new_post_share": 0.0}},
        )
    )
    rows = [("EC", SW, "government", 40, False, 50), ("GP", SW, "government", 40, False, 80)]
    result = project(params, baseline(rows, need=[("EC", SW, 100), ("GP", SW, 100)]), years=1)
    # Gaps 50 and 20 cost 70 posts; the budget buys 35, half of each gap.
    assert cell(result, "funded_posts", "EC") == pytest.approx([50, 75])
    assert cell(result, "funded_posts", "GP") == pytest.approx([80, 90])
    assert cell(result, "post_cost", "EC")[1] == 75 * cost


def test_rural_retention_cuts_attrition_by_its_reach_and_costs_per_rural_post() -> None:
    params = params_from_dict(quiet(sectors={"government": {"resignation": [0.1] * 5}}))
    rows = [("EC", SW, "government", 40, True, 40), ("EC", SW, "government", 40, False, 60)]
    rural = Scenario(
        name="rural",
        interventions=[
            Retention(kind="retention", reduction=0.5, where="rural", cost_per_post=1000)
        ],
    )
    result = project(params, baseline(rows), [rural], years=1)
    resign = result.trajectory.flows["resignations"][:, 1].sum(axis=(1, 2))
    assert resign == pytest.approx([10, 10 * (1 - 0.5 * 0.4)])  # 40% of the posts are rural
    assert result.cells["intervention_cost"][1, 1].sum() == pytest.approx(1000 * 40)


def test_interventions_change_their_own_scenario_only() -> None:
    params = params_from_dict(
        quiet(hiring={"fill_rate": 0.5}, categories={SW: {"unemployed": 100}})
    )
    scenarios = [
        Scenario(
            name="fast",
            interventions=[Absorption(kind="absorption", fill_rate=1.0, cost_per_hire=100)],
        ),
        Scenario(
            name="bursaries", interventions=[Scholarships(kind="scholarships", extra_intake=10)]
        ),
        Scenario(name="posts", interventions=[NewPosts(kind="new_posts", growth=0.1)]),
    ]
    base = baseline(
        [("EC", SW, "government", 40, False, 10)], vacancies=[("EC", SW, "government", 10)]
    )
    result = project(params, base, scenarios, years=1)
    hires = national(result, "hires")
    assert hires[1] == pytest.approx(5)
    assert national(result, "hires", "fast")[1] == pytest.approx(10)
    assert national(result, "intervention_cost", "fast")[1] == 100 * 10
    assert national(result, "students_scholarship", "bursaries")[1] > 0
    assert national(result, "funded_posts", "posts")[1] == pytest.approx(22)


def test_comparison_reports_shortfall_closed_per_rand() -> None:
    params = params_from_dict(
        quiet(hiring={"fill_rate": 0.5}, categories={SW: {"unemployed": 100, "cost_per_post": 0}})
    )
    fast = Scenario(
        name="fast",
        interventions=[Absorption(kind="absorption", fill_rate=1.0, cost_per_hire=1000)],
    )
    base = baseline(
        [("EC", SW, "government", 40, False, 10)],
        vacancies=[("EC", SW, "government", 10)],
        need=[("EC", SW, 20)],
    )
    table = project(params, base, [fast], years=2).comparison().set_index("scenario")
    # Baseline shortfall 5 then 2.5; fast fills all 10 posts in year 1: closes 7.5 post-years.
    assert table.loc["baseline", "shortfall_post_years"] == pytest.approx(7.5)
    assert table.loc["fast", "post_years_closed"] == pytest.approx(7.5)
    assert table.loc["fast", "extra_cost_rands"] == 10 * 1000
    assert table.loc["fast", "post_years_closed_per_r1m"] == pytest.approx(7.5 / 0.01, abs=0.5)


def test_result_tables_have_whole_rands_and_say_the_books_balance() -> None:
    result = project(
        params_from_dict({}), baseline([("EC", SW, "government", 40, False, 100)]), years=2
    )
    table = result.table()
    assert str(table["post_cost"].dtype) == "Int64"
    assert table["post_cost"].isna().sum() == len(table) // 3  # the opening year has no flows
    assert "Stocks balance every year" in result.balance_note()
    balance = result.balance_table()
    assert set(balance["stock"]) == {"students", "pool", "bonded", "employed", "lapsed"}
    assert np.allclose(
        balance["closing"] - balance["opening"], balance["inflow"] - balance["outflow"]
    )
