"""Scenarios: serialisation, digests, each modifier, and the properties that make them safe."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssp_planner.domain.vocabulary import Category
from ssp_planner.needs import (
    AGE_SEX_GROUPS,
    BASELINE,
    Disaster,
    MigrantInflow,
    NewLaw,
    PopulationGrowth,
    Scenario,
    ScenarioError,
    ServiceNorm,
    Sourced,
    apply_scenario,
    compute_need,
    load_norms,
)

NORMS = load_norms()
COLUMNS = [
    *AGE_SEX_GROUPS,
    "households",
    "child_protection_reports",
    "gbv_cases",
    "substance_abuse_cases",
    "older_persons_in_need",
    "persons_with_disability",
    "migrants",
    "disaster_affected_households",
    "wards",
]
SW = Category.SOCIAL_WORKER.value


def _frame(n: int = 3, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = rng.uniform(100, 20_000, size=(n, len(COLUMNS)))
    return pd.DataFrame(values, index=[f"A{i}" for i in range(n)], columns=COLUMNS)


NEW_SERVICE = ServiceNorm(
    target=["population_0_17_female", "population_0_17_male"],
    prevalence=Sourced(value=0.01, assumption=True, note="children under the new law"),
    uptake=Sourced(value=0.5, assumption=True),
    minutes_per_case=Sourced(value=300, source="draft regulations"),
)
FULL = Scenario(
    name='Flood and new law — "2027"',
    description="Every modifier kind\nwith a line break",
    year=2027,
    modifiers=[
        NewLaw(
            category=Category.SOCIAL_WORKER,
            service="early_intervention",
            from_year=2026,
            add=NEW_SERVICE,
        ),
        NewLaw(
            category=Category.SOCIAL_WORKER,
            service="gbv_case",
            from_year=2026,
            uptake_multiplier=1.5,
            note="new GBV act",
        ),
        Disaster(
            area_codes=["A1"],
            indicators=["disaster_affected_households", "population"],
            multiplier=3,
            from_year=2027,
            to_year=2028,
        ),
        MigrantInflow(area_codes=["A0", "A2"], people=5_000, from_year=2025),
        MigrantInflow(
            area_codes=["A2"],
            people=100,
            age_shares={"population_18_59_female": 0.5, "population_18_59_male": 0.5},
        ),
        PopulationGrowth(annual_rate=0.012, base_year=2022),
    ],
)


def test_json_round_trip() -> None:
    assert Scenario.model_validate_json(FULL.model_dump_json()) == FULL


def test_toml_round_trip() -> None:
    text = FULL.to_toml()
    assert "[[modifiers]]" in text
    assert Scenario.from_toml(text) == FULL
    assert Scenario.from_toml(text).digest() == FULL.digest()


@settings(max_examples=50, deadline=None)
@given(
    st.text(min_size=1, max_size=100),
    st.text(max_size=200),
    st.integers(1990, 2100),
    st.floats(-0.5, 0.5, allow_nan=False),
)
def test_any_names_and_numbers_survive_toml(name: str, text: str, year: int, rate: float) -> None:
    scenario = Scenario(
        name=name,
        description=text,
        year=year,
        modifiers=[PopulationGrowth(annual_rate=rate, base_year=2022, exclude=[text])],
    )
    assert Scenario.from_toml(scenario.to_toml()) == scenario


def test_digest_is_stable_and_changes_with_content() -> None:
    assert FULL.digest() == Scenario.model_validate_json(FULL.model_dump_json()).digest()
    assert FULL.without(0).digest() != FULL.digest()
    assert len(BASELINE.digest()) == 64


def test_bad_scenario_file_names_the_file_and_key() -> None:
    text = 'name = "x"\nyear = 2027\n[[modifiers]]\nkind = "earthquake"\n'
    with pytest.raises(ScenarioError) as info:
        Scenario.from_toml(text, "quake.toml")
    assert str(info.value).startswith("quake.toml:")
    assert "modifiers.0" in str(info.value)
    assert "'new_law', 'disaster', 'migrant_inflow', 'population_growth'" in str(info.value)
    assert "Fix: each [[modifiers]] table needs `kind`" in str(info.value)


def test_baseline_changes_nothing() -> None:
    frame = _frame()
    out, norms = apply_scenario(frame, NORMS, BASELINE)
    pd.testing.assert_frame_equal(out, frame)
    assert norms == NORMS
    pd.testing.assert_frame_equal(
        compute_need(frame, NORMS, scenario=BASELINE), compute_need(frame, NORMS)
    )


def test_modifiers_outside_their_years_are_inactive() -> None:
    frame = _frame()
    early = Scenario(name="2025", year=2025, modifiers=FULL.modifiers[:3])
    out, norms = apply_scenario(frame, NORMS, early)
    pd.testing.assert_frame_equal(out, frame)
    assert norms.digest() == NORMS.digest()
    late = Scenario(name="2030", year=2030, modifiers=[FULL.modifiers[2]])
    pd.testing.assert_frame_equal(apply_scenario(frame, NORMS, late)[0], frame)


def test_each_modifier_does_what_it_says() -> None:
    frame = _frame()
    out, norms = apply_scenario(frame, NORMS, FULL)
    growth = 1.012 ** (2027 - 2022)
    np.testing.assert_allclose(out.loc["A1", "wards"], frame.loc["A1", "wards"])  # excluded
    np.testing.assert_allclose(
        out.loc["A1", "disaster_affected_households"],
        frame.loc["A1", "disaster_affected_households"] * 3 * growth,
    )
    np.testing.assert_allclose(
        out.loc["A0", list(AGE_SEX_GROUPS)].sum(),
        (frame.loc["A0", list(AGE_SEX_GROUPS)].sum() + 5_000) * growth,
    )
    np.testing.assert_allclose(
        out.loc["A2", "migrants"], (frame.loc["A2", "migrants"] + 5_100) * growth
    )
    services = norms.categories[Category.SOCIAL_WORKER].services
    assert services["early_intervention"] == NEW_SERVICE
    assert services["gbv_case"].uptake.value == pytest.approx(0.75)
    assert "uptake × 1.5" in (services["gbv_case"].uptake.source or "")
    assert norms.digest() != NORMS.digest()


def test_a_new_law_adds_need_only_in_its_category() -> None:
    frame = _frame()
    law = Scenario(name="law", year=2027, modifiers=[FULL.modifiers[0]])
    base = compute_need(frame, NORMS)
    after = compute_need(frame, NORMS, scenario=law)
    sw = after["category"] == SW
    assert (after.loc[sw, "wisn_required"] > base.loc[sw, "wisn_required"]).all()
    pd.testing.assert_frame_equal(after[~sw], base[~sw])


def test_unknown_area_codes_name_the_scenario_and_modifier() -> None:
    bad = Scenario(
        name="floods",
        year=2027,
        modifiers=[
            PopulationGrowth(annual_rate=0.01, base_year=2022),
            Disaster(
                area_codes=["A1", "ZZ9", "ZZ8"],
                indicators=["gbv_cases"],
                multiplier=2,
                from_year=2027,
                to_year=2027,
            ),
        ],
    )
    with pytest.raises(ScenarioError) as info:
        compute_need(_frame(), NORMS, scenario=bad)
    message = str(info.value)
    assert "scenario 'floods', modifier 1 (disaster): unknown area codes ZZ9, ZZ8" in message
    assert "Fix: use codes of the areas in the indicator table" in message


def test_unknown_indicator_and_service_are_explained() -> None:
    flood = Disaster(
        area_codes=["A1"], indicators=["floods"], multiplier=2, from_year=2027, to_year=2027
    )
    with pytest.raises(ScenarioError, match=r"unknown indicator 'floods'\. Fix: use one of"):
        apply_scenario(_frame(), NORMS, Scenario(name="s", year=2027, modifiers=[flood]))
    law = NewLaw(
        category=Category.SOCIAL_WORKER, service="gbv", from_year=2027, uptake_multiplier=2
    )
    with pytest.raises(ScenarioError, match=r"has no service 'gbv'\. Fix: use one of .*gbv_case"):
        apply_scenario(_frame(), NORMS, Scenario(name="s", year=2027, modifiers=[law]))
    again = NewLaw(
        category=Category.SOCIAL_WORKER, service="gbv_case", from_year=2027, add=NEW_SERVICE
    )
    with pytest.raises(ScenarioError, match="already exists"):
        apply_scenario(_frame(), NORMS, Scenario(name="s", year=2027, modifiers=[again]))


def test_a_law_needs_exactly_one_change() -> None:
    with pytest.raises(ValueError, match="exactly one of `add`"):
        NewLaw(category=Category.SOCIAL_WORKER, service="x", from_year=2027)


# --- properties -------------------------------------------------------------------------------

AreaModifier = Disaster | MigrantInflow | PopulationGrowth

area_modifiers = st.one_of(
    st.builds(
        lambda cols, m: Disaster(
            area_codes=["A0"], indicators=cols, multiplier=m, from_year=2020, to_year=2030
        ),
        st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=4),
        st.floats(0, 10, allow_nan=False),
    ),
    st.builds(
        lambda people: MigrantInflow(area_codes=["A0"], people=people),
        st.floats(0, 1e6, allow_nan=False),
    ),
    st.builds(
        lambda rate: PopulationGrowth(annual_rate=rate, base_year=2020, area_codes=["A0"]),
        st.floats(-0.1, 0.1, allow_nan=False),
    ),
)


@settings(max_examples=40, deadline=None)
@given(area_modifiers, st.integers(2, 6), st.integers(0, 10_000))
def test_a_modifier_on_one_area_changes_no_other_area(
    modifier: AreaModifier, n: int, seed: int
) -> None:
    frame = _frame(n, seed)
    base = compute_need(frame, NORMS)
    after = compute_need(frame, NORMS, scenario=Scenario(name="p", year=2025, modifiers=[modifier]))
    others = base["area_code"] != "A0"
    pd.testing.assert_frame_equal(after[others], base[others])


@settings(max_examples=40, deadline=None)
@given(st.lists(area_modifiers, min_size=1, max_size=4), st.data())
def test_removing_a_modifier_restores_the_result_without_it(
    mods: list[AreaModifier], data: st.DataObject
) -> None:
    frame = _frame(3, 7)
    before = frame.copy()
    scenario = Scenario(name="p", year=2025, modifiers=mods)
    compute_need(frame, NORMS, scenario=scenario)  # must not change its inputs
    pd.testing.assert_frame_equal(frame, before)
    index = data.draw(st.integers(0, len(mods) - 1))
    rest = Scenario(name="p", year=2025, modifiers=[*mods[:index], *mods[index + 1 :]])
    pd.testing.assert_frame_equal(
        compute_need(frame, NORMS, scenario=scenario.without(index)),
        compute_need(frame, NORMS, scenario=rest),
    )
    emptied = scenario
    for _ in mods:
        emptied = emptied.without(0)
    pd.testing.assert_frame_equal(
        compute_need(frame, NORMS, scenario=emptied), compute_need(frame, NORMS)
    )
