"""Workload of SSPs per area: caseload and services per SSP, their spread, and outliers.

Outliers use the robust (modified) z-score of Iglewicz and Hoaglin (1993):
z = 0.6745 × (x − median) ÷ MAD, flagged when |z| > 3.5. Median and MAD are not pulled by
the outliers themselves, as a mean and standard deviation would be, and need no assumption of
normality; with a dozen districts or 200 municipalities that matters. When more than half the
areas share one value (MAD = 0), the mean absolute deviation × 1.2533 stands in for the MAD.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.monitoring.periods import Period
from ssp_planner.workforce.hierarchy import ancestor_at

Z_LIMIT = 3.5
_MAD_SCALE = 0.6745  # the 0.75 quantile of the standard normal: MAD ÷ 0.6745 ≈ σ
_MEANAD_SCALE = 1.2533  # √(π/2): mean absolute deviation × 1.2533 ≈ σ
WORKLOAD_COLUMNS = ["area_id", "headcount", "social_workers", "open_cases", "services", "months"]


def robust_z(values: pd.Series) -> pd.Series:
    """Modified z-scores; NaN stays NaN, and all zeros when every value is the same."""
    x = values.astype(float)
    med = x.median()
    mad = (x - med).abs().median()
    if mad and np.isfinite(mad):
        return _MAD_SCALE * (x - med) / mad
    mean_ad = (x - med).abs().mean()
    if not mean_ad or not np.isfinite(mean_ad):
        return x * 0.0
    return (x - med) / (_MEANAD_SCALE * mean_ad)


def workload(frame: pd.DataFrame) -> pd.DataFrame:
    """Per area: open cases per social worker, services per SSP per month, their robust
    z-scores and outlier flags ('high' or 'low'). Input columns: WORKLOAD_COLUMNS."""
    out = frame.copy()
    sw = out["social_workers"].astype(float)
    ssp = out["headcount"].astype(float)
    out["cases_per_sw"] = out["open_cases"] / sw.where(sw > 0)
    out["services_per_ssp_month"] = out["services"] / ssp.where(ssp > 0) / out["months"]
    for col in ("cases_per_sw", "services_per_ssp_month"):
        z = robust_z(out[col])
        out[f"{col}_z"] = z.round(2)
        out[f"{col}_outlier"] = np.where(z > Z_LIMIT, "high", np.where(z < -Z_LIMIT, "low", ""))
    return out


def distribution(values: pd.Series) -> dict[str, float]:
    """Spread of a workload measure across areas: count, min, quartiles, max."""
    x = values.dropna().astype(float)
    if x.empty:
        return {"areas": 0.0}
    return {
        "areas": float(len(x)),
        "min": float(x.min()),
        "p25": float(x.quantile(0.25)),
        "median": float(x.median()),
        "p75": float(x.quantile(0.75)),
        "max": float(x.max()),
    }


def workload_inputs(
    totals: pd.DataFrame, staff: pd.DataFrame, areas: pd.DataFrame, level: AreaLevel, period: Period
) -> pd.DataFrame:
    """WORKLOAD_COLUMNS per area at `level`: head-counts from `staff` (area_id, category: the
    inventory), open cases and services from data element `totals` (element_totals)."""
    by_area = totals.groupby(["area_id", "element"], observed=True)["value"].sum().unstack()
    up = staff["area_id"].map(ancestor_at(areas, level))
    ids = areas.loc[areas["level"] == level.value, "id"]
    social_workers = up[(staff["category"] == "social_worker").to_numpy()]
    return pd.DataFrame(
        {
            "area_id": ids.to_numpy(),
            "headcount": up.value_counts().reindex(ids).fillna(0).to_numpy(),
            "social_workers": social_workers.value_counts().reindex(ids).fillna(0).to_numpy(),
            "open_cases": _column(by_area, "open_cases", ids),
            "services": _column(by_area, "services_delivered", ids),
            "months": period.type.months or 12 / 52,
        }
    )[WORKLOAD_COLUMNS]


def _column(frame: pd.DataFrame, name: str, ids: pd.Series) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(ids), np.nan)
    return frame[name].reindex(ids).to_numpy(dtype=float)
