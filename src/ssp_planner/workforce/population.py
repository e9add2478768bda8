"""Population per area for a census year, estimating missing figures the way DESIGN.md allows.

Stats SA has published Census 2022 totals per province; for districts and municipalities the
figure may be missing. An estimate is then the area's share of its province in the Community
Survey 2016 times the province's Census 2022 total, and every output row says so.
"""

from __future__ import annotations

import pandas as pd

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.workforce.hierarchy import ancestor_at

ESTIMATE_METHOD = (
    "estimate: area's share of its province in Stats SA Community Survey 2016 "
    "x province's Stats SA Census 2022 total"
)


def population_with_estimates(
    areas: pd.DataFrame, populations: pd.DataFrame, *, year: str = "2022", base: str = "2016"
) -> pd.DataFrame:
    """Population of every area in `year`, with `basis` naming the source or the estimate method.

    areas: id, level, parent_id. populations: area_id, period, value, source.
    Returns area_id, population (Int64, NA where neither figure exists), basis, estimated (bool).
    """
    by_period = {p: g.set_index("area_id") for p, g in populations.groupby("period", sort=False)}
    target = by_period.get(year, _empty())
    basis = by_period.get(base, _empty())
    out = pd.DataFrame({"area_id": areas["id"].to_numpy()}).set_index("area_id")
    out["population"] = target["value"].reindex(out.index)
    out["basis"] = target["source"].reindex(out.index)
    province = ancestor_at(areas, AreaLevel.PROVINCE).reindex(out.index)
    share = basis["value"].reindex(out.index) / basis["value"].reindex(province).to_numpy()
    estimate = share * target["value"].reindex(province).to_numpy()
    missing = out["population"].isna() & estimate.notna()
    out.loc[missing, "population"] = estimate[missing].round()
    out.loc[missing, "basis"] = ESTIMATE_METHOD
    out["estimated"] = missing
    out["population"] = out["population"].round().astype("Int64")
    out["basis"] = out["basis"].fillna("no figure: no source gives this area's population")
    return out.reset_index()


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["value", "source"], index=pd.Index([], name="area_id"))
