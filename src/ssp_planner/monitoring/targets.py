"""Status against target: on track, at risk or off track, by the relative shortfall.

shortfall = (target − actual) ÷ |target| when higher is better, (actual − target) ÷ |target|
when lower is better; ≤ `at_risk` is on track, ≤ `off_track` at risk, beyond that off track.
A value that beats its target has a negative shortfall (on track). A zero target is met only
by a value at or on the right side of zero. Relative, so one pair of thresholds fits rates,
ratios and counts alike.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd

from ssp_planner.monitoring.framework import Direction, Framework, Thresholds


class Status(StrEnum):
    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OFF_TRACK = "off track"
    NO_DATA = "no data"
    NO_TARGET = "no target"


def shortfall(actual: float, target: float, direction: Direction) -> float:
    """How far `actual` falls short of `target`, as a share of the target (negative: ahead)."""
    higher = Direction(direction) == Direction.HIGHER_IS_BETTER  # pandas may hand over a str
    gap = target - actual if higher else actual - target
    if target == 0:
        return 0.0 if gap <= 0 else float("inf")
    return gap / abs(target)


def status_of(
    actual: float | None, target: float | None, direction: Direction, thresholds: Thresholds
) -> Status:
    """The status of one value (see the module docstring for the rule)."""
    if target is None or pd.isna(target):
        return Status.NO_TARGET
    if actual is None or pd.isna(actual):
        return Status.NO_DATA
    short = shortfall(float(actual), float(target), direction)
    if short <= thresholds.at_risk:
        return Status.ON_TRACK
    return Status.AT_RISK if short <= thresholds.off_track else Status.OFF_TRACK


def attach_targets(
    results: pd.DataFrame,
    targets: pd.DataFrame,
    framework: Framework,
    thresholds: Thresholds | None = None,
) -> pd.DataFrame:
    """`results` (indicator, area_id, period, value) with target, target_source and status.

    A stored target for the same indicator, area and period wins; otherwise the framework's
    default target applies (to every area and period).
    """
    limits = thresholds or framework.status
    keys = ["indicator", "area_id", "period"]
    stored = targets[[*keys, "target", "target_source"]] if len(targets) else None
    out = results.merge(stored, on=keys, how="left") if stored is not None else results.copy()
    if stored is None:
        out["target"], out["target_source"] = np.nan, None
    defaults = {c: i.target for c, i in framework.indicators.items() if i.target}
    out["target"] = out["target"].astype(float)
    out["target_source"] = out["target_source"].astype(object)
    missing = out["target"].isna() & out["indicator"].isin(list(defaults))
    if missing.any():
        default = out.loc[missing, "indicator"].map({c: t.value for c, t in defaults.items()})
        out.loc[missing, "target"] = default.astype(float)
        out.loc[missing, "target_source"] = "framework default"
    directions = out["indicator"].map({c: i.direction for c, i in framework.indicators.items()})
    out["status"] = [
        status_of(a, t, d, limits).value
        for a, t, d in zip(out["value"], out["target"], directions, strict=True)
    ]
    return out


def band(target: float, direction: Direction, thresholds: Thresholds) -> tuple[float, float]:
    """The 'at risk' band around a target: between these two values a result is at risk."""
    near, far = thresholds.at_risk * abs(target), thresholds.off_track * abs(target)
    if Direction(direction) == Direction.HIGHER_IS_BETTER:
        return (target - far, target - near)
    return (target + near, target + far)
