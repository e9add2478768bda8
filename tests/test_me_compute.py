"""Indicator arithmetic worked by hand on a six-area tree: aggregation over months by data
element (sum / average / last), sums up the hierarchy, ratios from the sums (never averaged),
annualisation, weighted terms; status against targets; workload outliers."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.monitoring.compute import area_totals, compute_indicators, inherited
from ssp_planner.monitoring.framework import (
    Direction,
    FrameworkError,
    Thresholds,
    load_framework,
    parse_framework,
)
from ssp_planner.monitoring.performance import robust_z, workload
from ssp_planner.monitoring.periods import parse_period
from ssp_planner.monitoring.targets import Status, attach_targets, shortfall, status_of

FRAMEWORK = """
version = "test"
title = "hand-worked"
[data_elements.head]
name = "head-count"
definition = "stock"
aggregation = "last"
category = "cat"
options = ["a", "b"]
ours = true
[data_elements.serv]
name = "services"
definition = "flow"
aggregation = "sum"
ours = true
[data_elements.cases]
name = "open cases"
definition = "level"
aggregation = "average"
ours = true
[indicators.per_100k]
name = "per 100k"
level = "outcome"
definition = "d"
unit = "per 100,000"
numerator = ["head"]
denominator = ["area:population"]
factor = 100000
direction = "higher_is_better"
ours = true
target = { value = 80, assumption = true }
[indicators.serv_per_head]
name = "services per head per year"
level = "output"
definition = "d"
unit = "per year"
numerator = ["serv"]
denominator = ["head"]
annualised = true
direction = "higher_is_better"
ours = true
[indicators.caseload]
name = "cases per a"
level = "output"
definition = "d"
unit = "cases"
numerator = ["cases"]
denominator = ["head.a"]
direction = "lower_is_better"
ours = true
[indicators.flagged_share]
name = "share of services in flagged areas"
level = "outcome"
definition = "d"
unit = "%"
numerator = ["serv * area:flag"]
denominator = ["serv"]
factor = 100
direction = "higher_is_better"
ours = true
[indicators.serv_total]
name = "services"
level = "output"
definition = "d"
unit = "services"
numerator = ["serv"]
direction = "higher_is_better"
ours = true
"""

# country 1 > province 2 > districts 3 (munis 5, 6) and 4 (muni 7)
AREAS = pd.DataFrame(
    {
        "id": [1, 2, 3, 4, 5, 6, 7],
        "code": ["ZA", "P", "D1", "D2", "M1", "M2", "M3"],
        "level": ["country", "province", "district", "district", *["municipality"] * 3],
        "name": ["Z", "P", "D1", "D2", "M1", "M2", "M3"],
        "parent_id": [None, 1, 2, 2, 3, 3, 4],
    }
)
# population: D1 has no own figure (sum of M1 + M2 = 60,000); D2's own 25,000 wins over M3's
AREA_VALUES = pd.DataFrame(
    {
        "area_id": [5, 6, 7, 4, 3],
        "indicator": ["population", "population", "population", "population", "flag"],
        "value": [10_000, 50_000, 20_000, 25_000, 1],
    }
)


def _values() -> pd.DataFrame:
    rows = [
        # head-count (last): M1 14 in March; M2 reported Jan and Feb only, so its last is 28
        (5, "head", "a", "202401", 10),
        (5, "head", "a", "202402", 12),
        (5, "head", "a", "202403", 14),
        (6, "head", "a", "202401", 30),
        (6, "head", "a", "202402", 28),
        (6, "head", "b", "202403", 2),
        (7, "head", "a", "202403", 5),
        # services (sum): M1 330 in Q1, M2 390, M3 60; M1 also 40 in April (next quarter)
        (5, "serv", "default", "202401", 100),
        (5, "serv", "default", "202402", 110),
        (5, "serv", "default", "202403", 120),
        (5, "serv", "default", "202404", 40),
        (6, "serv", "default", "202401", 200),
        (6, "serv", "default", "202403", 190),
        (7, "serv", "default", "202402", 60),
        # open cases (average over the months reported): M1 (50+60+70)/3 = 60, M2 90
        (5, "cases", "default", "202401", 50),
        (5, "cases", "default", "202402", 60),
        (5, "cases", "default", "202403", 70),
        (6, "cases", "default", "202402", 90),
    ]
    return pd.DataFrame(rows, columns=["area_id", "element", "coc", "period", "value"])


@pytest.fixture(scope="module")
def framework():  # type: ignore[no-untyped-def]
    return parse_framework(FRAMEWORK, "test.toml")


def _compute(framework, level: AreaLevel, periods: list[str]) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    out = compute_indicators(
        framework,
        _values(),
        AREAS,
        AREA_VALUES,
        level=level,
        periods=[parse_period(p) for p in periods],
    )
    return out.set_index(["indicator", "area_id", "period"])


def test_ratio_of_sums_at_district_level(framework) -> None:  # type: ignore[no-untyped-def]
    out = _compute(framework, AreaLevel.DISTRICT, ["2024Q1"])
    d1 = out.loc[("per_100k", 3, "2024Q1")]
    # head-count last values: M1 14 (a), M2 28 (a) + 2 (b) = 44; population 10,000 + 50,000
    assert d1["numerator"] == 44 and d1["denominator"] == 60_000
    assert d1["value"] == pytest.approx(44 / 60_000 * 100_000)  # 73.3, not the mean of 140 and 60
    d2 = out.loc[("per_100k", 4, "2024Q1")]
    assert d2["denominator"] == 25_000 and d2["value"] == pytest.approx(5 / 25_000 * 100_000)


def test_roll_up_to_the_country_recomputes_from_sums(framework) -> None:  # type: ignore[no-untyped-def]
    country = _compute(framework, AreaLevel.COUNTRY, ["2024Q1"]).loc[("per_100k", 1, "2024Q1")]
    districts = _compute(framework, AreaLevel.DISTRICT, ["2024Q1"])
    d_values = districts.xs("per_100k").xs("2024Q1", level="period")["value"]
    # no population stored for the country or province: the sum of the districts' figures,
    # D1's itself the sum of M1 and M2 (60,000) and D2's its own (25,000)
    assert country["numerator"] == 49
    assert country["denominator"] == 85_000
    assert country["value"] == pytest.approx(49 / 85_000 * 100_000)
    assert country["value"] != pytest.approx(d_values.mean())


def test_sum_average_and_last_over_months(framework) -> None:  # type: ignore[no-untyped-def]
    out = _compute(framework, AreaLevel.DISTRICT, ["2024Q1"])
    serv = out.loc[("serv_total", 3, "2024Q1")]
    assert serv["value"] == 330 + 390  # April's 40 belongs to Q2
    caseload = out.loc[("caseload", 3, "2024Q1")]
    assert caseload["numerator"] == 60 + 90  # averages per municipality, then summed
    assert caseload["denominator"] == 14 + 28  # head.a only
    per_head = out.loc[("serv_per_head", 3, "2024Q1")]
    assert per_head["value"] == pytest.approx(720 / 44 * 4)  # annualised quarter


def test_financial_year_and_months(framework) -> None:  # type: ignore[no-untyped-def]
    out = _compute(framework, AreaLevel.MUNICIPALITY, ["2023April", "2024April", "202402"])
    assert out.loc[("serv_total", 5, "2023April"), "value"] == 330  # Jan–Mar 2024
    assert out.loc[("serv_total", 5, "2024April"), "value"] == 40  # April 2024
    assert out.loc[("per_100k", 5, "202402"), "numerator"] == 12
    assert (
        out.loc[("serv_per_head", 5, "2024April"), "value"]
        != out.loc[("serv_per_head", 5, "2024April"), "value"]
    )  # no head-count in FY 2024: NaN, never a made-up zero


def test_weighted_terms_and_missing_data(framework) -> None:  # type: ignore[no-untyped-def]
    out = _compute(framework, AreaLevel.PROVINCE, ["2024Q1"])
    # the flag is on district D1, inherited by M1 and M2: (330 + 390) / 780
    assert out.loc[("flagged_share", 2, "2024Q1"), "value"] == pytest.approx(720 / 780 * 100)
    d2 = _compute(framework, AreaLevel.DISTRICT, ["2024Q1"]).loc[("caseload", 4, "2024Q1")]
    assert math.isnan(d2["numerator"]) and math.isnan(d2["value"])  # no cases in D2


def test_area_values_resolution() -> None:
    totals = area_totals(AREA_VALUES, AREAS, AreaLevel.DISTRICT, "population")
    assert totals.to_dict() == {3: 60_000, 4: 25_000}
    assert area_totals(AREA_VALUES, AREAS, AreaLevel.COUNTRY, "population").to_dict() == {1: 85_000}
    flags = inherited(AREA_VALUES, AREAS, "flag")
    assert flags[5] == 1 and flags[6] == 1 and pd.isna(flags[7])


def test_framework_checks_every_indicator() -> None:
    broken = FRAMEWORK.replace('numerator = ["cases"]', 'numerator = ["casez"]').replace(
        "ours = true\ntarget", 'source = "x"\nours = true\ntarget'
    )
    with pytest.raises(FrameworkError) as err:
        parse_framework(broken, "mine.toml")
    text = str(err.value)
    assert "mine.toml: 2 problems" in text and "casez" in text and "exactly one of" in text


def test_default_framework_is_sourced_and_complete() -> None:
    fw = load_framework()
    assert {
        "sw_per_100k",
        "vacancy_rate",
        "attrition_rate",
        "time_to_fill",
        "supervision_compliance",
        "caseload_per_sw",
        "services_delivered",
        "posts_in_most_deprived",
    } <= set(fw.indicators)
    assert {i.level.value for i in fw.indicators.values()} == {
        "impact",
        "outcome",
        "output",
        "activity",
    }
    assert all(bool(i.source) != i.ours for i in fw.indicators.values())


# --- targets ----------------------------------------------------------------------------------


def test_status_thresholds() -> None:
    t = Thresholds(at_risk=0.05, off_track=0.2)
    up, down = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER
    assert shortfall(18, 20, up) == pytest.approx(0.1)
    assert status_of(19.5, 20, up, t) is Status.ON_TRACK  # 2.5% short
    assert status_of(18, 20, up, t) is Status.AT_RISK  # 10% short
    assert status_of(15, 20, up, t) is Status.OFF_TRACK  # 25% short
    assert status_of(66, 60, down, t) is Status.AT_RISK  # caseload 10% over the norm
    assert status_of(50, 60, down, t) is Status.ON_TRACK
    assert status_of(1, 0, down, t) is Status.OFF_TRACK and status_of(0, 0, down, t).value == (
        "on track"
    )
    assert status_of(None, 20, up, t) is Status.NO_DATA
    assert status_of(5, None, up, t) is Status.NO_TARGET
    assert status_of(18, 20, "higher_is_better", Thresholds(at_risk=0.1)) is Status.ON_TRACK  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="off_track must be at least"):
        Thresholds(at_risk=0.3, off_track=0.1)


def test_stored_targets_override_framework_defaults(framework) -> None:  # type: ignore[no-untyped-def]
    results = _compute(framework, AreaLevel.DISTRICT, ["2024Q1"]).reset_index()
    stored = pd.DataFrame(
        {
            "indicator": ["per_100k"],
            "area_id": [4],
            "period": ["2024Q1"],
            "target": [30.0],
            "target_source": ["district plan"],
        }
    )
    out = attach_targets(results, stored, framework).set_index(["indicator", "area_id"])
    assert out.loc[("per_100k", 3), "target"] == 80  # framework default
    assert out.loc[("per_100k", 3), "status"] == "at risk"  # 73.3 is 8% short of 80
    assert out.loc[("per_100k", 4), "target"] == 30  # stored: 20 vs 30 is 33% short
    assert out.loc[("per_100k", 4), "status"] == "off track"
    assert out.loc[("serv_total", 3), "status"] == "no target"


# --- workload ---------------------------------------------------------------------------------


def test_robust_z_flags_the_overloaded_area() -> None:
    cases = pd.Series([50, 55, 60, 58, 62, 140.0])
    z = robust_z(cases)
    # median 59, MAD 3.5 (|deviations| 9, 4, 1, 1, 3, 81 → median 3.5)
    assert z.iloc[5] == pytest.approx(0.6745 * 81 / 3.5)
    frame = pd.DataFrame(
        {
            "area_id": range(6),
            "headcount": [10] * 6,
            "social_workers": [1] * 6,
            "open_cases": cases,
            "services": [300] * 6,
            "months": 3,
        }
    )
    out = workload(frame)
    assert list(out["cases_per_sw_outlier"]) == ["", "", "", "", "", "high"]
    assert out["services_per_ssp_month"].iloc[0] == 10
    assert (robust_z(pd.Series([5.0, 5, 5, 5])) == 0).all()


@settings(max_examples=15, deadline=None)
@given(
    heads=st.lists(st.integers(0, 500), min_size=3, max_size=3),
    services=st.lists(st.integers(0, 10_000), min_size=3, max_size=3),
)
def test_any_roll_up_is_the_ratio_of_the_sums(heads: list[int], services: list[int]) -> None:
    framework = parse_framework(FRAMEWORK, "test.toml")
    rows = [(m, "head", "a", "202403", h) for m, h in zip((5, 6, 7), heads, strict=True)]
    rows += [(m, "serv", "default", "202402", v) for m, v in zip((5, 6, 7), services, strict=True)]
    values = pd.DataFrame(rows, columns=["area_id", "element", "coc", "period", "value"])
    out = compute_indicators(
        framework,
        values,
        AREAS,
        AREA_VALUES,
        level=AreaLevel.COUNTRY,
        periods=[parse_period("2024Q1")],
        codes=["serv_per_head"],
    )
    value = out["value"].iloc[0]
    total = sum(heads)
    if total == 0:
        assert math.isnan(value)
    else:
        assert value == pytest.approx(sum(services) / total * 4)
