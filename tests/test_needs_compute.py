"""Need per area (needs/compute.py) and its roll-up against supply (needs/gap.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssp_planner.demo.places import AGE_SEX_GROUPS, area_indicators, build_geography
from ssp_planner.domain.areas import AreaLevel, bundled_areas, parent_level
from ssp_planner.domain.vocabulary import Category
from ssp_planner.needs import (
    NEED_COLUMNS,
    Norms,
    NormsError,
    compute_need,
    load_norms,
    need_table,
    norms_from_toml,
    wisn,
)

WORKING_TIME = """
version = "test"
year = 2025
[working_time]
working_days = { value = 260, assumption = true }
public_holidays = { value = 12, assumption = true }
annual_leave = { value = 22, assumption = true }
sick_leave = { value = 12, assumption = true }
other_leave = { value = 5, assumption = true }
hours_per_day = { value = 8, assumption = true }
"""
RATIO_NORMS = (
    WORKING_TIME
    + """
[categories.social_worker]
method = "ratio"
supervisor_per = { value = 10, assumption = true }
[categories.social_worker.ratios.population]
target = "population"
per = { value = 5000, assumption = true }
[categories.social_worker.ratios.caseload]
target = ["gbv_cases"]
per = { value = 60, assumption = true }

[categories.community_development_practitioner]
method = "ratio"
[categories.community_development_practitioner.ratios.ward]
target = ["wards"]
per = { value = 1, assumption = true }
"""
)
WISN_NORMS = (
    WORKING_TIME
    + """
[categories.social_worker]
method = "{method}"
[categories.social_worker.ratios.population]
target = "population"
per = { value = 5000, assumption = true }
[categories.social_worker.allowances]
meetings = { value = 20, assumption = true }
[categories.social_worker.services.gbv_case]
target = ["gbv_cases"]
prevalence = { value = 1, assumption = true }
uptake = { value = 0.5, assumption = true }
minutes_per_case = { value = 600, assumption = true }
[categories.social_worker.individual.court]
hours_per_staff = { value = 167.2, assumption = true }
staff = { value = 2, assumption = true }
"""
)


def _frame(**columns: list[float]) -> pd.DataFrame:
    codes = [f"M{i}" for i in range(len(next(iter(columns.values()))))]
    return pd.DataFrame(columns, index=pd.Index(codes, name="area_code"))


def _row(need: pd.DataFrame, code: str, category: Category) -> pd.Series:
    return need.set_index(["area_code", "category"]).loc[(code, category.value)]


def test_ratio_norms_by_hand() -> None:
    """A: max(20,000 ÷ 5,000, 120 ÷ 60) = 4 social workers + 0.4 supervisors; B: max(1, 10)."""
    norms = norms_from_toml(RATIO_NORMS, "ratio.toml")
    frame = _frame(population=[20_000, 5_000], gbv_cases=[120, 600], wards=[3, 1])
    need = compute_need(frame, norms)
    assert list(need.columns) == NEED_COLUMNS
    assert len(need) == 4
    a, b = _row(need, "M0", Category.SOCIAL_WORKER), _row(need, "M1", Category.SOCIAL_WORKER)
    assert (a.required_practitioners, a.required_supervisors) == pytest.approx((4, 0.4))
    assert a.required == pytest.approx(4.4) and a.ratio_required == pytest.approx(4.4)
    assert (b.required_practitioners, b.required) == pytest.approx((10, 11))
    assert np.isnan(a.wisn_required) and np.isnan(a.workload_hours)
    cdp = _row(need, "M0", Category.COMMUNITY_DEVELOPMENT_PRACTITIONER)
    assert (cdp.required_practitioners, cdp.required_supervisors) == (3, 0)  # no supervisor norm


def test_population_is_the_sum_of_the_age_groups_without_a_population_column() -> None:
    norms = norms_from_toml(RATIO_NORMS, "ratio.toml")
    groups = {g: [1_000.0] for g in AGE_SEX_GROUPS}
    need = compute_need(_frame(**groups, gbv_cases=[0], wards=[1]), norms)
    assert _row(need, "M0", Category.SOCIAL_WORKER).required_practitioners == pytest.approx(1.2)


@pytest.mark.parametrize("method", ["wisn", "max", "ratio"])
def test_wisn_norms_match_the_wisn_formulas(method: str) -> None:
    """WISN: 2,000 GBV cases × 0.5 × 600 min = 10,000 h ÷ 1,672 × CAF 1.25 + IAF 0.2."""
    norms = norms_from_toml(WISN_NORMS.replace("{method}", method), "wisn.toml")
    need = compute_need(_frame(population=[5_000.0, 50_000.0], gbv_cases=[2_000, 0]), norms)
    a, b = _row(need, "M0", Category.SOCIAL_WORKER), _row(need, "M1", Category.SOCIAL_WORKER)
    expected = float(
        wisn.required_staff([1_000], [wisn.standard_workload(1672, 600)], 1.25, 334.4 / 1672)
    )
    assert expected == pytest.approx(10_000 / 1672 * 1.25 + 0.2)
    if method == "ratio":
        assert np.isnan(a.wisn_required) and a.required == pytest.approx(1)
        return
    assert a.workload_hours == pytest.approx(10_000)
    assert a.wisn_required == pytest.approx(expected)
    assert b.wisn_required == pytest.approx(0.2)  # the individual allowance only
    if method == "wisn":
        assert b.required == pytest.approx(0.2)
    else:  # the larger of ratio (1 and 10) and WISN (7.68 and 0.2)
        assert (a.required, b.required) == pytest.approx((expected, 10))
        assert b.ratio_required == pytest.approx(10)


def test_missing_indicator_column_names_the_key_and_how_to_supply_it() -> None:
    norms = norms_from_toml(RATIO_NORMS, "ratio.toml")
    with pytest.raises(NormsError) as info:
        compute_need(_frame(population=[1.0], wards=[1.0]), norms)
    message = str(info.value)
    assert message.startswith("ratio.toml:")
    assert "categories.social_worker.ratios.caseload.target" in message
    assert "`gbv_cases`" in message and "Fix: import `gbv_cases` for every area" in message


def test_missing_wards_explains_the_wards_column() -> None:
    norms = norms_from_toml(RATIO_NORMS, "ratio.toml")
    with pytest.raises(NormsError, match="add a `wards` column: the number of wards"):
        compute_need(_frame(population=[1.0], gbv_cases=[1.0]), norms)


def test_an_area_without_a_value_is_named() -> None:
    norms = norms_from_toml(RATIO_NORMS, "ratio.toml")
    frame = _frame(population=[1.0, np.nan, 3.0], gbv_cases=[1.0, 2.0, -1.0], wards=[1, 1, 1])
    with pytest.raises(NormsError) as info:
        compute_need(frame, norms)
    message = str(info.value)
    assert "indicator `population` is missing or negative for 1 area(s): M1" in message
    assert "indicator `gbv_cases` is missing or negative for 1 area(s): M2" in message


def test_defaults_run_on_the_demo_indicators() -> None:
    indicators = _demo_indicators()
    need = compute_need(indicators, load_norms())
    assert len(need) == len(indicators) * len(Category)
    assert (need["required"] > 0).all()
    assert (need["required"] >= need["ratio_required"] - 1e-9).all()
    assert (need["required"] >= need["wisn_required"] - 1e-9).all()


populations = st.lists(
    st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=1, max_size=20
)


@settings(max_examples=60, deadline=None)
@given(populations, st.floats(min_value=0.01, max_value=100))
def test_ratio_need_is_never_negative_and_scales_linearly(pops: list[float], factor: float) -> None:
    norms = norms_from_toml(RATIO_NORMS, "ratio.toml")
    frame = _frame(population=pops, gbv_cases=[p / 200 for p in pops], wards=[1.0] * len(pops))
    base = compute_need(frame, norms)
    scaled = compute_need(frame * factor, norms)
    assert (base["required"] >= 0).all()
    np.testing.assert_allclose(scaled["required"], base["required"] * factor, rtol=1e-9, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_default_need_is_never_negative(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 6))
    values = st.lists(st.floats(0, 1e6, allow_nan=False), min_size=n, max_size=n)
    columns = {name: data.draw(values) for name in _DEMO_COLUMNS}
    need = compute_need(_frame(**columns), load_norms())
    assert (need[["required", "required_practitioners", "required_supervisors"]] >= 0).all().all()


# --- roll-up against supply -----------------------------------------------------------------


def _toy_areas() -> pd.DataFrame:
    rows = [
        (1, "ZA", "country", "South Africa", None),
        (2, "P1", "province", "Province One", 1),
        (3, "P2", "province", "Province Two", 1),
        (4, "D1", "district", "District One", 2),
        (5, "MET", "district", "Metro", 3),
        (6, "M1", "municipality", "Muni One", 4),
        (7, "M2", "municipality", "Muni Two", 4),
        (8, "MET", "municipality", "Metro", 5),
    ]
    return pd.DataFrame(rows, columns=["id", "code", "level", "name", "parent_id"])


def _toy_table() -> pd.DataFrame:
    norms = norms_from_toml(RATIO_NORMS, "ratio.toml")
    frame = pd.DataFrame(
        {"population": [50_000, 10_000, 100_000], "gbv_cases": [0, 0, 0], "wards": [5, 2, 10]},
        index=["M1", "M2", "MET"],
    )
    need = compute_need(frame, norms)  # SW 11, 2.2, 22; CDP 5, 2, 10
    supply = pd.DataFrame(
        [
            ("M1", "social_worker", 5, 1),
            ("M2", "social_worker", 4, 0),
            ("MET", "social_worker", 22, 3),
            ("P1", "social_worker", 3, 0),  # a provincial-office post
            ("M1", "community_development_practitioner", 5, 0),
        ],
        columns=["area_code", "category", "filled", "vacant_funded"],
    )
    population = pd.Series({6: 50_000, 7: 10_000, 8: 100_000, 5: 100_000, 1: 160_000})
    return need_table(need, supply, _toy_areas(), population)


def _at(table: pd.DataFrame, level: str, code: str, category: str) -> pd.Series:
    rows = table[(table.level == level) & (table.code == code) & (table.category == category)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_need_table_rolls_up_sums_and_recomputes_ratios() -> None:
    table = _toy_table()
    assert set(table["level"]) == {"country", "province", "district", "municipality"}
    m1 = _at(table, "municipality", "M1", "social_worker")
    assert (m1.required, m1.filled, m1.gap, m1.shortage) == pytest.approx((11, 5, 6, 6))
    m2 = _at(table, "municipality", "M2", "social_worker")
    assert (m2.gap, m2.shortage) == pytest.approx((-1.8, 0))
    d1 = _at(table, "district", "D1", "social_worker")
    assert (d1.required, d1.filled, d1.vacant_funded) == pytest.approx((13.2, 9, 1))
    assert d1.coverage == pytest.approx(9 / 13.2)  # from the sums, not the mean of 5/11 and 4/2.2
    assert (d1.gap, d1.shortage) == pytest.approx((4.2, 6))  # net gap hides part of M1's 6
    p1 = _at(table, "province", "P1", "social_worker")
    assert (p1.required, p1.filled) == pytest.approx((13.2, 12))  # + the provincial office
    assert p1.population == pytest.approx(60_000)  # no figure given: sum of its municipalities
    assert p1.per_100k == pytest.approx(12 / 60_000 * 100_000)
    za = _at(table, "country", "ZA", "all")
    assert (za.required, za.filled) == pytest.approx((35.2 + 17, 34 + 5))
    assert za.per_100k == pytest.approx(39 / 160_000 * 100_000)
    assert np.isnan(za.wisn_ratio)  # ratio-only norms: no WISN basis


def test_metro_codes_map_to_the_municipality_row() -> None:
    table = _toy_table()
    metro = table[(table.code == "MET") & (table.category == "social_worker")]
    assert list(metro["level"]) == ["district", "municipality"]
    assert list(metro["area_id"]) == [5, 8]
    assert list(metro["required"]) == pytest.approx([22, 22])
    assert list(metro["filled"]) == [22, 22]


def test_districts_add_up_to_provinces_on_the_bundled_areas() -> None:
    areas = _bundled_areas_frame()
    indicators = _demo_indicators()
    need = compute_need(indicators, load_norms())
    rng = np.random.default_rng(5)
    supply = need[["area_code", "category"]].assign(
        filled=rng.integers(0, 40, len(need)), vacant_funded=rng.integers(0, 5, len(need))
    )
    table = need_table(need, supply, areas, pd.Series(dtype=float))
    sums = ["required", "filled", "vacant_funded", "shortage", "wisn_required"]
    by_level = {lv: table[table.level == lv] for lv in ("country", "province", "district")}
    parent = areas.set_index("id")["parent_id"]
    districts = by_level["district"].assign(parent=lambda t: t["area_id"].map(parent))
    rolled = districts.groupby(["parent", "category"], observed=True)[sums].sum()
    provinces = by_level["province"].set_index(["area_id", "category"])[sums]
    pd.testing.assert_frame_equal(
        rolled.sort_index(),
        provinces.sort_index(),
        check_names=False,
        check_index_type=False,
        rtol=1e-9,
    )
    country = by_level["country"].set_index("category")[sums]
    np.testing.assert_allclose(
        country.loc["all"].to_numpy(dtype=float),
        provinces.groupby(level="category", observed=True).sum().loc["all"].to_numpy(dtype=float),
    )
    assert country.loc["all", "required"] == pytest.approx(need["required"].sum())


# --- helpers ----------------------------------------------------------------------------------

_DEMO_COLUMNS = [
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


def _demo_indicators() -> pd.DataFrame:
    """Synthetic demo indicators per municipality (metros from their district rows)."""
    geo = build_geography(bundled_areas())
    rows = pd.DataFrame(area_indicators(geo, np.random.default_rng(11), seed=11))
    metros = {c for c, m in zip(geo.muni_codes, geo.is_metro, strict=True) if m}
    keep = (rows.area_level == "municipality") | rows.area_code.isin(metros)
    wide = rows[keep].pivot_table(index="area_code", columns="indicator", values="value")
    total = wide[list(AGE_SEX_GROUPS)].sum(axis=1)
    return wide.assign(wards=np.maximum(1.0, np.round(total / 12_000)))


def _bundled_areas_frame() -> pd.DataFrame:
    rows = sorted(bundled_areas(), key=lambda r: r.level.depth)
    ids: dict[tuple[AreaLevel, str], int] = {}
    records = []
    for i, row in enumerate(rows, start=1):
        plevel = parent_level(row)
        parent = ids.get((plevel, row.parent_code)) if plevel and row.parent_code else None
        ids[(row.level, row.code)] = i
        records.append((i, row.code, row.level.value, row.name, parent))
    return pd.DataFrame(records, columns=["id", "code", "level", "name", "parent_id"])


def test_norms_fixture_is_consistent() -> None:
    assert isinstance(norms_from_toml(RATIO_NORMS, "ratio.toml"), Norms)


def test_population_sums_need_every_base_area_and_codes_may_index_it() -> None:
    norms = norms_from_toml(RATIO_NORMS, "ratio.toml")
    frame = pd.DataFrame(
        {"population": [50_000, 10_000, 100_000], "gbv_cases": [0, 0, 0], "wards": [1, 1, 1]},
        index=["M1", "M2", "MET"],
    )
    supply = pd.DataFrame(columns=["area_code", "category", "filled", "vacant_funded"])
    by_code = pd.Series({"M1": 50_000, "MET": 100_000})  # no figure for M2
    table = need_table(compute_need(frame, norms), supply, _toy_areas(), by_code)
    assert np.isnan(_at(table, "district", "D1", "all").population)
    assert np.isnan(_at(table, "country", "ZA", "all").per_100k)
    assert _at(table, "district", "MET", "all").population == 100_000  # metro code, both rows
    assert _at(table, "municipality", "MET", "all").filled == 0
