"""Line and bar charts for pages: series of numbers drawn in the browser by the app's own
script (static/chart.js) with the app's own plotly.js, like the maps (services/web_maps.py).

Pages send numbers, not a finished figure: fewer bytes on a slow link, and the same object
serves the JSON API. Every chart has a table beside it on the page, so it is never the only
place a number appears (and pages still work with JavaScript off).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel


class Series(BaseModel):
    """One line or set of bars; `y` may hold None (no value for that x)."""

    name: str
    x: list[str | float]
    y: list[float | None]
    kind: Literal["line", "bar"] = "line"
    dash: bool = False  # e.g. targets or projections drawn dashed against solid actuals


class ChartData(BaseModel):
    title: str
    x_label: str
    y_label: str
    series: list[Series]
    stacked: bool = False  # bars stacked rather than side by side
    fill_gap: tuple[int, int] | None = None  # shade between these two series (e.g. supply, demand)


def series(
    name: str,
    x: Sequence[object],
    y: Sequence[object],
    *,
    kind: Literal["line", "bar"] = "line",
    dash: bool = False,
) -> Series:
    """A series from any sequences (pandas columns too): NaN becomes None, numbers rounded."""
    return Series(name=name, x=[_x(v) for v in x], y=[_y(v) for v in y], kind=kind, dash=dash)


def _x(value: object) -> str | float:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def _y(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else round(number, 4)


__all__ = ["ChartData", "Series", "series"]
