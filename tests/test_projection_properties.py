"""Under any valid parameters, opening position and interventions, people are conserved (every
stock: closing − opening = in − out, every year and cell) and no stock goes negative."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssp_planner.domain.vocabulary import Category
from ssp_planner.projection import Baseline, params_from_dict, project
from ssp_planner.projection.scenarios import (
    Absorption,
    DemandChange,
    NewPosts,
    Retention,
    Scenario,
    Scholarships,
)

PROVINCES = ("EC", "GP", "WC")
SECTORS = ("government", "npo", "private")
share = st.floats(0, 1, allow_nan=False)
count = st.floats(0, 5000, allow_nan=False)


@st.composite
def study(draw: st.DrawFn) -> dict[str, Any]:
    years = draw(st.integers(1, 4))
    prog = draw(st.lists(share, min_size=years, max_size=years))
    drop = [(1 - p) * draw(share) for p in prog]
    return {
        "study_years": years,
        "progression": prog,
        "dropout": drop,
        "intake": draw(count),
        "scholarship_intake": draw(count),
        "unemployed": draw(count),
        "unemployed_scholarship": draw(count),
        "lapsed": draw(count),
        "cost_per_post": draw(st.integers(0, 10**6)),
    }


@st.composite
def overrides(draw: st.DrawFn) -> dict[str, Any]:
    rates = st.lists(st.floats(0, 0.45), min_size=5, max_size=5)
    reentry = draw(share)
    return {
        "attrition": {"emigration": draw(rates)},
        "sectors": {
            s: {"resignation": draw(rates), "retirement_age": draw(st.integers(61, 70))}
            for s in SECTORS
        },
        "categories": {c.value: draw(study()) for c in Category},
        "scholarship": {"obligation_years": draw(st.integers(0, 5)), "breach_rate": draw(share)},
        "pool": {"exit_rate": draw(share)},
        "lapsed": {"reentry_rate": reentry, "exit_rate": (1 - reentry) * draw(share)},
        "hiring": {"fill_rate": draw(share)},
        "posts": {
            "budget_growth": draw(st.floats(-0.3, 0.3)),
            "budget": [draw(st.integers(0, 10**9))],
        },
        "demand": {"growth": draw(st.floats(-0.2, 0.3))},
    }


@st.composite
def workforce(draw: st.DrawFn) -> pd.DataFrame:
    row = st.tuples(
        st.sampled_from(PROVINCES),
        st.sampled_from([c.value for c in Category]),
        st.sampled_from(SECTORS),
        st.integers(16, 80),
        st.booleans(),
        st.floats(0, 500),
    )
    rows = draw(st.lists(row, min_size=1, max_size=25))
    return pd.DataFrame(
        rows, columns=["province", "category", "sector", "age", "rural", "headcount"]
    )


intervention = st.one_of(
    st.builds(
        Retention,
        kind=st.just("retention"),
        reduction=st.floats(0.01, 1),
        where=st.sampled_from(["all", "rural"]),
        cost_per_post=st.integers(0, 10**5),
    ),
    st.builds(Scholarships, kind=st.just("scholarships"), extra_intake=st.floats(1, 3000)),
    st.builds(
        Absorption,
        kind=st.just("absorption"),
        fill_rate=st.floats(0.01, 1),
        cost_per_hire=st.integers(0, 10**4),
    ),
    st.builds(
        NewPosts,
        kind=st.just("new_posts"),
        budget=st.integers(0, 10**9),
        growth=st.floats(-0.3, 0.5),
    ),
    st.builds(
        DemandChange,
        kind=st.just("demand"),
        factor=st.floats(0.1, 3),
        extra_growth=st.floats(-0.3, 0.3),
    ),
)
scenarios = st.lists(st.lists(intervention, max_size=3), max_size=3).map(
    lambda groups: [Scenario(name=f"s{i}", interventions=g) for i, g in enumerate(groups)]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides(), workforce(), scenarios, st.integers(1, 12), st.booleans())
def test_stocks_balance_and_stay_non_negative(
    override: dict[str, Any],
    people: pd.DataFrame,
    chosen: list[Scenario],
    years: int,
    with_need: bool,
) -> None:
    params = params_from_dict(override)
    need = pd.DataFrame(
        [("EC", "social_worker", 500.0), ("GP", "social_auxiliary_worker", 80.0)],
        columns=["province", "category", "required"],
    )
    vacant = people.groupby(["province", "category", "sector"], as_index=False)["headcount"].sum()
    base = Baseline(
        start_year=2026,
        provinces=PROVINCES,
        workforce=people,
        vacancies=vacant.rename(columns={"headcount": "vacant_funded"}).assign(
            vacant_funded=lambda f: f["vacant_funded"] * 0.1
        ),
        population=pd.Series({"EC": 7e6, "GP": 15e6, "WC": 7.4e6}),
        need=need if with_need else None,
    )
    result = project(params, base, chosen, years=years)
    assert result.balanced, result.balance_note()
    for name in ("supply", "unemployed", "students", "lapsed", "funded_posts", "bonded"):
        assert (result.cells[name] >= -1e-9).all(), name
    costs = result.table()[["post_cost", "scholarship_cost", "intervention_cost"]].dropna()
    assert (costs >= 0).all().all()
    assert np.isfinite(result.cells["shortfall"]).all()
