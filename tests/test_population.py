"""Population estimates and the inventory roll-up, by hand on tiny frames (no database)."""

from __future__ import annotations

import pandas as pd
import pytest

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.workforce import population_with_estimates, summarise_inventory
from ssp_planner.workforce.population import ESTIMATE_METHOD
from ssp_planner.workforce.summary import ALL

CENSUS = "Stats SA Census 2022"
CS2016 = "Stats SA Community Survey 2016"

# One province (1) with three districts: 2 has its own 2022 figure, 3 must be estimated,
# 4 has no figure in either year.
AREAS = pd.DataFrame(
    {
        "id": [1, 2, 3, 4],
        "code": ["PP", "D1", "D2", "D3"],
        "level": ["province", "district", "district", "district"],
        "name": ["Province", "District one", "District two", "District three"],
        "parent_id": [None, 1, 1, 1],
    }
).astype({"parent_id": "Int64"})


def pops(rows: list[tuple[int, str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["area_id", "period", "value", "source"])


def test_population_with_estimates_by_hand() -> None:
    figures = pops(
        [
            (1, "2022", 1_000_000, CENSUS),
            (2, "2022", 300_000, CENSUS),
            (1, "2016", 800_000, CS2016),
            (2, "2016", 200_000, CS2016),
            (3, "2016", 600_000, CS2016),
        ]
    )
    out = population_with_estimates(AREAS, figures).set_index("area_id")
    assert list(out.index) == [1, 2, 3, 4]

    assert out.loc[1, "population"] == 1_000_000
    assert out.loc[1, "basis"] == CENSUS and not out.loc[1, "estimated"]

    # a figure that is present is kept, not replaced by share x total (which would be 250,000)
    assert out.loc[2, "population"] == 300_000
    assert out.loc[2, "basis"] == CENSUS and not out.loc[2, "estimated"]

    # missing: share of the province in 2016 (600/800) x the province's 2022 total
    assert out.loc[3, "population"] == 750_000
    assert out.loc[3, "basis"] == ESTIMATE_METHOD and out.loc[3, "estimated"]

    # neither figure: stays missing and says so
    assert pd.isna(out.loc[4, "population"])
    assert not out.loc[4, "estimated"]
    assert "no figure" in out.loc[4, "basis"]
    assert str(out["population"].dtype) == "Int64"


def test_estimate_is_rounded_to_whole_people() -> None:
    figures = pops([(1, "2022", 1_000, CENSUS), (1, "2016", 3, CS2016), (3, "2016", 1, CS2016)])
    out = population_with_estimates(AREAS, figures).set_index("area_id")
    assert out.loc[3, "population"] == 333  # 1/3 x 1000
    assert out.loc[3, "estimated"]


def test_no_estimate_without_the_province_total() -> None:
    figures = pops([(1, "2016", 800, CS2016), (3, "2016", 600, CS2016)])
    out = population_with_estimates(AREAS, figures).set_index("area_id")
    assert out["population"].isna().all()
    assert not out["estimated"].any()


def test_municipality_estimate_uses_its_province_not_its_district() -> None:
    areas = pd.DataFrame(
        {
            "id": [1, 2, 5],
            "code": ["PP", "D1", "M1"],
            "level": ["province", "district", "municipality"],
            "name": ["P", "D", "M"],
            "parent_id": [None, 1, 2],
        }
    ).astype({"parent_id": "Int64"})
    figures = pops(
        [
            (1, "2022", 2_000, CENSUS),
            (1, "2016", 1_000, CS2016),
            (2, "2016", 500, CS2016),
            (5, "2016", 100, CS2016),
        ]
    )
    out = population_with_estimates(areas, figures).set_index("area_id")
    assert out.loc[2, "population"] == 1_000  # 500/1000 x 2000
    assert out.loc[5, "population"] == 200  # 100/1000 x 2000


# --- the roll-up ---------------------------------------------------------------------------

POPULATION = pd.DataFrame(
    {
        "area_id": [1, 2, 3, 4],
        "population": pd.array([1_000_000, 100_000, 900_000, None], dtype="Int64"),
        "basis": [CENSUS, CENSUS, ESTIMATE_METHOD, "no figure"],
        "estimated": [False, False, True, False],
    }
)
HEADCOUNT = pd.DataFrame(
    [
        (2, "social_worker", 5),
        (2, "child_youth_care_worker", 5),
        (3, "social_worker", 10),
        (4, "social_worker", 2),
    ],
    columns=["area_id", "category", "headcount"],
)
POSTS = pd.DataFrame(
    [(2, "social_worker", 3, 1), (3, "social_worker", 1, 9)],
    columns=["area_id", "category", "posts_filled", "posts_vacant_funded"],
)


def rows(table: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    return {(r.code, str(r.category)): r for r in table.itertuples()}  # type: ignore[misc]


def test_roll_up_sums_counts_then_recomputes_ratios() -> None:
    province = rows(summarise_inventory(AREAS, HEADCOUNT, POSTS, POPULATION, AreaLevel.PROVINCE))
    districts = rows(summarise_inventory(AREAS, HEADCOUNT, POSTS, POPULATION, AreaLevel.DISTRICT))

    # districts: D1 has 10 SSPs per 100k people, D2 has 10 per 900k
    assert districts[("D1", ALL)].per_100k == pytest.approx(10.0)
    assert districts[("D2", ALL)].per_100k == pytest.approx(1.1)
    assert pd.isna(districts[("D3", ALL)].per_100k)  # no population: no ratio

    total = province[("PP", ALL)]
    assert total.headcount == 22
    assert total.population == 1_000_000
    # 22 per 1,000,000 = 2.2; averaging the district ratios would give (10 + 1.1) / 2 = 5.55
    assert total.per_100k == pytest.approx(2.2)
    sw = province[("PP", "social_worker")]
    assert sw.headcount == 17 and sw.per_100k == pytest.approx(1.7)

    # vacancy: 10 of 14 posts, not the mean of 1/4 and 9/10
    assert (sw.posts_filled, sw.posts_vacant_funded) == (4, 10)
    assert sw.vacancy_rate == pytest.approx(0.714)
    assert districts[("D1", "social_worker")].vacancy_rate == pytest.approx(0.25)


def test_every_category_listed_with_zeros_and_all_is_the_sum() -> None:
    table = summarise_inventory(AREAS, HEADCOUNT, POSTS, POPULATION, AreaLevel.DISTRICT)
    assert len(table) == 3 * 6  # three districts x (five categories + all)
    assert set(table["level"]) == {"district"}
    assert set(table["province"]) == {"PP"}
    cats = table[table["category"] != ALL]
    totals = table[table["category"] == ALL].set_index("code")
    assert (cats.groupby("code")["headcount"].sum() == totals["headcount"]).all()
    d1 = rows(table)
    assert d1[("D1", "social_auxiliary_worker")].headcount == 0
    assert pd.isna(d1[("D1", "social_auxiliary_worker")].vacancy_rate)  # no posts: no rate
    assert d1[("D2", ALL)].estimated and d1[("D2", ALL)].basis == ESTIMATE_METHOD


def test_people_in_areas_above_the_level_are_not_counted_there() -> None:
    headcount = pd.concat(
        [HEADCOUNT, pd.DataFrame([(1, "social_worker", 7)], columns=HEADCOUNT.columns)]
    )
    districts = summarise_inventory(AREAS, headcount, POSTS, POPULATION, AreaLevel.DISTRICT)
    province = summarise_inventory(AREAS, headcount, POSTS, POPULATION, AreaLevel.PROVINCE)
    assert districts.loc[districts["category"] == ALL, "headcount"].sum() == 22
    assert province.loc[province["category"] == ALL, "headcount"].sum() == 29
