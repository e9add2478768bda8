"""Choropleth data for pages: simplified boundaries plus one value per area, drawn in the
browser by the app's own script with the app's own copy of plotly.js (no CDN, no tiles).

The browser gets GeoJSON and numbers rather than a finished figure: that is a fraction of the
bytes on a slow intranet link, and the same object serves the JSON API. Boundaries are
simplified to about 1 km on a 100 m grid, invisible at page scale and a fraction of the bytes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ParamSpec

import pandas as pd
import shapely
from pydantic import BaseModel
from shapely.geometry import mapping
from sqlalchemy import Engine

from ssp_planner.reports.maps import MapUnavailable, require_shapes
from ssp_planner.services.boundaries import boundaries_frame

SIMPLIFY_DEGREES = 0.01  # about 1 km
GRID_DEGREES = 0.001  # about 100 m
P = ParamSpec("P")


class MapData(BaseModel):
    """What the page script needs to draw one choropleth; `values` may hold None (no data)."""

    title: str
    legend: str
    diverging: bool
    geojson: dict[str, Any]
    codes: list[str]
    names: list[str]
    values: list[float | None]
    hover: list[str]


def map_data(
    engine: Engine,
    level: str,
    rows: pd.DataFrame,
    *,
    value: str,
    title: str,
    legend: str,
    diverging: bool = False,
    hover: tuple[str, ...] = (),
    codes: set[str] | None = None,
) -> MapData:
    """`rows` (code, value, hover columns) on the stored boundaries of `level`.

    codes: keep only these areas (a province-scoped user's). Raises MapUnavailable with the
    how-to-load note when no boundaries of that level are stored.
    """
    shapes = boundaries_frame(engine, level)
    if codes is not None:
        shapes = shapes[shapes["code"].isin(codes)]
    shapes = require_shapes(shapes, level)
    by_code = rows.drop_duplicates("code").set_index("code")
    simple = shapely.simplify(shapes.geometry.to_numpy(), SIMPLIFY_DEGREES, preserve_topology=True)
    geoms = shapely.orient_polygons(
        shapely.set_precision(simple, GRID_DEGREES),  # short numbers: fewer bytes on the wire
        exterior_cw=True,  # plotly.js (d3-geo) reads the other winding as "all but this area"
    )
    features = [
        {"type": "Feature", "id": str(code), "properties": {}, "geometry": mapping(geom)}
        for code, geom in zip(shapes["code"], geoms, strict=True)
    ]
    vals = [_number(by_code[value].get(c)) if value in by_code else None for c in shapes["code"]]
    return MapData(
        title=title,
        legend=legend,
        diverging=diverging,
        geojson={"type": "FeatureCollection", "features": features},
        codes=[str(c) for c in shapes["code"]],
        names=[str(n) for n in shapes["name"]],
        values=vals,
        hover=[_hover(by_code, str(c), hover) for c in shapes["code"]],
    )


def _or_note(draw: Callable[P, MapData]) -> Callable[P, tuple[MapData | None, str | None]]:
    def drawn(*args: P.args, **kwargs: P.kwargs) -> tuple[MapData | None, str | None]:
        try:
            return draw(*args, **kwargs), None
        except MapUnavailable as exc:
            return None, str(exc)

    drawn.__doc__ = """`map_data` and no note; or, when no boundaries of the level are stored, no
    map and the note saying how to load them (pages then show their table alone)."""
    return drawn


map_or_note = _or_note(map_data)


def _number(x: object) -> float | None:
    if x is None or x is pd.NA:
        return None
    value = float(x)  # type: ignore[arg-type]
    return None if math.isnan(value) else round(value, 3)


def _hover(by_code: pd.DataFrame, code: str, columns: tuple[str, ...]) -> str:
    """Plain text lines (the script escapes them): 'required: 1,234'."""
    if code not in by_code.index:
        return "no data"
    row = by_code.loc[code]
    return "\n".join(f"{c.replace('_', ' ')}: {_fmt(row.get(c))}" for c in columns)


def _fmt(x: object) -> str:
    if isinstance(x, str):
        return x
    num = _number(x) if pd.api.types.is_number(x) else None
    if num is None:
        return "—"
    return f"{num:,.0f}" if abs(num) >= 10 or num.is_integer() else f"{num:,.2f}"


__all__ = ["MapData", "MapUnavailable", "map_data", "map_or_note"]
