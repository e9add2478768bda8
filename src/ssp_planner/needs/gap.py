"""Need against supply for every area at every level: gap, shortage, coverage, WISN ratio.

Counts are summed up the hierarchy first and ratios recomputed from the sums, never averaged
(as in workforce/summary.py). For area A (any level) and category c:

    required, filled, vacant_funded, wisn_required   Σ over the base areas / posts under A
    gap        = required − filled                     net: positive is a shortage
    shortage   = Σ over base areas b under A of max(required_b − filled_b, 0)
    coverage   = filled ÷ required
    per_100k   = filled ÷ population × 100,000
    wisn_ratio = filled ÷ wisn_required; wisn_difference = filled − wisn_required

`shortage` differs from `gap` where one area's surplus hides another's shortage. Posts held
above the base level (a provincial office) count in the totals of the levels that contain
them, not in any base area.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.domain.vocabulary import Category
from ssp_planner.errors import SSPError
from ssp_planner.needs import wisn
from ssp_planner.workforce.hierarchy import ancestor_at

ALL = "all"
NEED_SUMS = ["required", "required_practitioners", "required_supervisors", "wisn_required"]
SUPPLY_SUMS = ["filled", "vacant_funded"]
TABLE_COLUMNS = [
    "level",
    "area_id",
    "code",
    "name",
    "category",
    "population",
    *NEED_SUMS,
    *SUPPLY_SUMS,
    "gap",
    "shortage",
    "coverage",
    "per_100k",
    "wisn_ratio",
    "wisn_difference",
]


def need_table(
    need: pd.DataFrame, supply: pd.DataFrame, areas: pd.DataFrame, population: pd.Series
) -> pd.DataFrame:
    """One row per area at every level down to the base level × category (plus 'all').

    need: `compute_need` output (area_code at one base level). supply: area_code, category,
    filled, vacant_funded (at the base level, below it, or above it). areas: id, code, level,
    name, parent_id. population: by area id (or by area code), any levels; areas without a
    figure get the sum of their base areas' when all of those have one. Counts come back as
    floats (posts may be full-time equivalents).
    """
    ids = deepest_ids(areas)
    need_rows = _with_ids(need, ids, "need")
    supply_rows = _with_ids(supply, ids, "supply").astype({c: "float64" for c in SUPPLY_SUMS})
    base_level = _base_level(need_rows, areas)
    base = _base_need(need_rows, supply_rows, areas, base_level)
    levels = [lv for lv in AreaLevel if lv.depth <= base_level.depth]
    parts = [_level_table(base, supply_rows, areas, lv) for lv in levels]
    table = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    pops = _populations(population, areas, base, levels)
    return _finish(table, areas, pops)


def deepest_ids(areas: pd.DataFrame) -> pd.Series:
    """Area code -> id of its deepest row: a metro code means its municipality, not district."""
    depth = areas["level"].map(lambda lv: AreaLevel(lv).depth)
    ordered = areas.assign(_depth=depth).sort_values("_depth", kind="stable")
    last = ordered.drop_duplicates("code", keep="last")
    return pd.Series(last["id"].to_numpy(), index=last["code"].astype(str).to_numpy())


def _with_ids(frame: pd.DataFrame, ids: pd.Series, what: str) -> pd.DataFrame:
    codes = frame["area_code"].astype(str)
    unknown = sorted(set(codes[~codes.isin(ids.index)]))
    if unknown:
        raise SSPError(
            f"The {what} table names areas that are not in the area table: "
            f"{', '.join(unknown[:10])}. "
            "Fix: use Municipal Demarcation Board codes of loaded areas."
        )
    return frame.assign(area_id=codes.map(ids).to_numpy(), category=frame["category"].astype(str))


def _base_level(need: pd.DataFrame, areas: pd.DataFrame) -> AreaLevel:
    levels = set(need["area_id"].map(areas.set_index("id")["level"]))
    if len(levels) != 1:
        raise SSPError(
            f"The need rows are at several levels ({', '.join(sorted(map(str, levels)))}). "
            "Fix: compute need for the areas of one level (municipalities or wards)."
        )
    return AreaLevel(levels.pop())


def _base_need(
    need: pd.DataFrame, supply: pd.DataFrame, areas: pd.DataFrame, base: AreaLevel
) -> pd.DataFrame:
    """Base areas × category: need, the supply within each, and its shortage max(gap, 0)."""
    table = need.groupby(["area_id", "category"])[NEED_SUMS].sum(min_count=1)
    posts = _rolled(supply, areas, base).groupby(["area_id", "category"])[SUPPLY_SUMS].sum()
    table = table.join(posts, how="outer")
    table[["required", *SUPPLY_SUMS]] = table[["required", *SUPPLY_SUMS]].fillna(0)
    table["shortage"] = (table["required"] - table["filled"]).clip(lower=0)
    return table.reset_index()


def _rolled(frame: pd.DataFrame, areas: pd.DataFrame, level: AreaLevel) -> pd.DataFrame:
    """`frame` with area_id replaced by its ancestor at `level`; rows above `level` dropped."""
    up = ancestor_at(areas, level)
    out = frame.assign(area_id=frame["area_id"].map(up))
    return out.dropna(subset=["area_id"]).astype({"area_id": "int64"})


def _level_table(
    base: pd.DataFrame, supply: pd.DataFrame, areas: pd.DataFrame, level: AreaLevel
) -> pd.DataFrame:
    """All areas of `level` × category, sums over their base areas and posts, plus 'all'."""
    keys = ["area_id", "category"]
    sums = _rolled(base, areas, level).groupby(keys)[[*NEED_SUMS, "shortage"]].sum(min_count=1)
    posts = _rolled(supply, areas, level).groupby(keys)[SUPPLY_SUMS].sum()
    table = sums.join(posts, how="outer")
    counts = ["required", "required_practitioners", "required_supervisors", "shortage"]
    table[[*counts, *SUPPLY_SUMS]] = table[[*counts, *SUPPLY_SUMS]].fillna(0)
    table = table.reset_index()
    if table.empty:
        return table
    every = table.drop(columns="category").groupby("area_id")
    total = every.sum(min_count=1)
    # Across categories WISN is only defined if every category has a WISN figure.
    wisn_req = every["wisn_required"]
    total["wisn_required"] = wisn_req.sum().where(wisn_req.count() == wisn_req.size())
    total = total.assign(category=ALL).reset_index()
    return pd.concat([table, total], ignore_index=True).assign(level=level.value)


def _populations(
    population: pd.Series, areas: pd.DataFrame, base: pd.DataFrame, levels: list[AreaLevel]
) -> pd.Series:
    """Population by area id: the figure given, else the sum over the area's base areas."""
    pops = _by_id(population, areas)
    base_ids = pd.Series(base["area_id"].unique())
    base_pop = pops.reindex(base_ids.to_numpy())
    for level in levels:
        up = ancestor_at(areas, level).reindex(base_ids.to_numpy())
        groups = base_pop.groupby(up.to_numpy())
        # a sum is only a population if every base area has a figure
        pops = pops.combine_first(groups.sum().where(groups.count() == groups.size()))
    return pops


def _by_id(population: pd.Series, areas: pd.DataFrame) -> pd.Series:
    values = pd.to_numeric(population, errors="coerce").astype("float64")
    if set(population.index) <= set(areas["id"]):
        return values
    by_code = dict(zip(population.index.astype(str), values, strict=True))
    return pd.Series(
        areas["code"].astype(str).map(by_code).to_numpy(dtype=float), index=areas["id"].to_numpy()
    ).dropna()


def _finish(table: pd.DataFrame, areas: pd.DataFrame, pops: pd.Series) -> pd.DataFrame:
    info = areas.set_index("id")[["code", "name"]]
    out = table.join(info, on="area_id")
    out["population"] = out["area_id"].map(pops)
    filled, required = out["filled"].astype(float), out["required"].astype(float)
    out["gap"] = required - filled
    out["coverage"] = np.where(required > 0, filled / required.where(required > 0), np.nan)
    pop = out["population"].astype(float)
    out["per_100k"] = np.where(pop > 0, filled / pop.where(pop > 0) * 100_000, np.nan)
    out["wisn_ratio"] = wisn.wisn_ratio(filled.to_numpy(), out["wisn_required"].to_numpy())
    out["wisn_difference"] = wisn.wisn_difference(
        filled.to_numpy(), out["wisn_required"].to_numpy()
    )
    order = [c.value for c in Category] + [ALL]
    extra = sorted(set(out["category"]) - set(order))
    out["category"] = pd.Categorical(out["category"], categories=order + extra, ordered=True)
    out["_depth"] = out["level"].map(lambda lv: AreaLevel(lv).depth)
    out = out.sort_values(["_depth", "code", "category"], kind="stable")
    return out[TABLE_COLUMNS].reset_index(drop=True)
