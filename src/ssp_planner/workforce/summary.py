"""Head-count by category x area, SSPs per 100,000 people, posts filled and vacant.

Counts are summed up the hierarchy first and ratios computed from the sums, never averaged.
"""

from __future__ import annotations

import pandas as pd

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.domain.vocabulary import Category
from ssp_planner.workforce.hierarchy import ancestor_at

ALL = "all"
COUNT_COLUMNS = ["headcount", "posts_filled", "posts_vacant_funded"]


def summarise_inventory(
    areas: pd.DataFrame,
    headcount: pd.DataFrame,
    posts: pd.DataFrame,
    population: pd.DataFrame,
    level: AreaLevel,
) -> pd.DataFrame:
    """One row per area at `level` and category (plus category 'all').

    areas: id, code, level, name, parent_id. headcount: area_id, category, headcount.
    posts: area_id, category, posts_filled, posts_vacant_funded.
    population: area_id, population, basis, estimated (from `population_with_estimates`).
    """
    up = ancestor_at(areas, level)
    counts = pd.concat([headcount, posts], ignore_index=True)
    counts["area_id"] = counts["area_id"].map(up)
    counts = counts.dropna(subset=["area_id"])
    keys = _all_keys(areas, level)
    table = (
        counts.groupby(["area_id", "category"])[COUNT_COLUMNS]
        .sum(min_count=1)
        .reindex(keys)
        .fillna(0)
        .astype("int64")
    )
    totals = table.groupby(level="area_id").sum()
    totals["category"] = ALL
    table = pd.concat([table.reset_index(), totals.reset_index()], ignore_index=True)
    return _with_ratios(table, areas, population, level)


def _all_keys(areas: pd.DataFrame, level: AreaLevel) -> pd.MultiIndex:
    ids = areas.loc[areas["level"] == level.value, "id"]
    return pd.MultiIndex.from_product(
        [ids, [c.value for c in Category]], names=["area_id", "category"]
    )


def _with_ratios(
    table: pd.DataFrame, areas: pd.DataFrame, population: pd.DataFrame, level: AreaLevel
) -> pd.DataFrame:
    info = areas.set_index("id")[["code", "name"]]
    province = ancestor_at(areas, AreaLevel.PROVINCE).map(areas.set_index("id")["code"])
    out = table.join(info, on="area_id").join(
        population.set_index("area_id")[["population", "basis", "estimated"]], on="area_id"
    )
    out["province"] = out["area_id"].map(province)
    out["per_100k"] = (out["headcount"] / out["population"].astype("Float64") * 100_000).round(1)
    posts = out["posts_filled"] + out["posts_vacant_funded"]
    out["vacancy_rate"] = (out["posts_vacant_funded"] / posts.where(posts > 0)).round(3)
    out["level"] = level.value
    order = [c.value for c in Category] + [ALL]
    out["category"] = pd.Categorical(out["category"], categories=order, ordered=True)
    cols = [
        "level",
        "code",
        "name",
        "province",
        "category",
        *COUNT_COLUMNS,
        "vacancy_rate",
        "population",
        "per_100k",
        "basis",
        "estimated",
    ]
    return out.sort_values(["province", "code", "category"])[cols].reset_index(drop=True)
