"""DHIS2 periods: parsing, dates, roll-up (months → quarters → April financial year), ADX form."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssp_planner.monitoring.periods import (
    Period,
    PeriodError,
    PeriodType,
    annualisation,
    months_of,
    parse_adx_period,
    parse_period,
    periods_between,
    roll_up,
)

Q, M, FY, Y = (
    PeriodType.QUARTERLY,
    PeriodType.MONTHLY,
    PeriodType.FINANCIAL_APRIL,
    PeriodType.YEARLY,
)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024April", date(2024, 4, 1), date(2025, 3, 31)),
        ("2024S2", date(2024, 7, 1), date(2024, 12, 31)),
        ("2024Q1", date(2024, 1, 1), date(2024, 3, 31)),
        ("202402", date(2024, 2, 1), date(2024, 2, 29)),
        ("2024W1", date(2024, 1, 1), date(2024, 1, 7)),
        ("2020W53", date(2020, 12, 28), date(2021, 1, 3)),
    ],
)
def test_parse_gives_dates(text: str, start: date, end: date) -> None:
    p = parse_period(text)
    assert (p.start, p.end, str(p)) == (start, end, text)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("202413", "not a DHIS2 period"),
        ("2024Q5", "not a DHIS2 period"),
        ("2024-04", "not a DHIS2 period"),
        ("2024W53", "does not exist"),
        ("1850", "outside"),
        ("2024-04-01/P1M", "ADX form"),
        ("", "not a DHIS2 period"),
    ],
)
def test_wrong_period_strings_say_why_and_how(text: str, why: str) -> None:
    with pytest.raises(PeriodError) as err:
        parse_period(text)
    assert why in str(err.value) and "Fix:" in str(err.value) and "2024April" in str(err.value)


def test_months_roll_up_to_quarters_and_the_april_year() -> None:
    march, april = parse_period("202503"), parse_period("202504")
    assert str(roll_up(march, Q)) == "2025Q1" and str(roll_up(april, Q)) == "2025Q2"
    assert str(roll_up(march, FY)) == "2024April" and str(roll_up(april, FY)) == "2025April"
    assert str(roll_up(parse_period("2025Q1"), FY)) == "2024April"
    assert [str(q) for q in periods_between(parse_period("2024Q2"), parse_period("2025Q1"))] == [
        "2024Q2",
        "2024Q3",
        "2024Q4",
        "2025Q1",
    ]
    fy_months = [str(m) for m in months_of(parse_period("2024April"))]
    assert fy_months[0] == "202404" and fy_months[-1] == "202503" and len(fy_months) == 12


def test_a_longer_period_does_not_roll_into_a_shorter_or_misaligned_one() -> None:
    with pytest.raises(PeriodError, match="does not fit"):
        roll_up(parse_period("2024"), FY)
    with pytest.raises(PeriodError, match="does not fit"):
        roll_up(parse_period("2024Q1"), M)


def test_weeks_belong_to_the_period_of_their_thursday() -> None:
    # 2024W31 runs Mon 29 July to Sun 4 August; its Thursday is 1 August
    assert str(roll_up(parse_period("2024W31"), M)) == "202408"


def test_adx_periods() -> None:
    assert parse_period("2024April").to_adx() == "2024-04-01/P1Y"
    assert parse_period("2024Q3").to_adx() == "2024-07-01/P3M"
    assert str(parse_adx_period("2024-04-01/P1Y")) == "2024April"
    assert str(parse_adx_period("2024-01-01/P1Y")) == "2024"
    for bad in ("2024-04-15/P1M", "202404", "2024-02-30/P1M", "2024-01-01/P2M"):
        with pytest.raises(PeriodError, match="not an ADX period"):
            parse_adx_period(bad)


def test_annualisation() -> None:
    assert annualisation(parse_period("2024Q1")) == 4
    assert annualisation(parse_period("202401")) == 12
    assert annualisation(parse_period("2024April")) == 1


# --- properties -------------------------------------------------------------------------------

periods = st.one_of(
    st.builds(Period, st.just(Y), st.integers(1901, 2099)),
    st.builds(Period, st.just(FY), st.integers(1901, 2099)),
    st.builds(Period, st.just(PeriodType.SIX_MONTHLY), st.integers(1901, 2099), st.integers(1, 2)),
    st.builds(Period, st.just(Q), st.integers(1901, 2099), st.integers(1, 4)),
    st.builds(Period, st.just(M), st.integers(1901, 2099), st.integers(1, 12)),
    st.builds(Period, st.just(PeriodType.WEEKLY), st.integers(1901, 2099), st.integers(1, 52)),
)
months = st.builds(Period, st.just(M), st.integers(1901, 2099), st.integers(1, 12))


@given(periods)
def test_string_and_adx_round_trips(p: Period) -> None:
    assert parse_period(str(p)) == p
    assert parse_adx_period(p.to_adx()) == p
    assert p.start <= p.end


@given(months)
def test_month_roll_ups_contain_the_month_and_nest(m: Period) -> None:
    quarter, fy, year = roll_up(m, Q), roll_up(m, FY), roll_up(m, Y)
    assert quarter.contains(m) and fy.contains(m) and year.contains(m)
    assert fy.contains(quarter) and year.contains(quarter)
    assert roll_up(quarter, FY) == fy  # months → quarters → April year == months → April year
    assert m in months_of(quarter) and m in months_of(fy)


@given(periods)
def test_consecutive_periods_tile_time(p: Period) -> None:
    following = periods_between(p, p)[0]
    assert following == p
    if p.type is not PeriodType.WEEKLY and p.year < 2099:
        nxt = periods_between(p, Period(p.type, p.year + 1, p.index))[1]
        assert (nxt.start - p.end).days == 1
