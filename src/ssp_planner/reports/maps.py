"""Choropleth maps, one number per area: a PNG for reports, a self-contained HTML page to explore.

Offline by design (DESIGN.md): matplotlib draws through its object-oriented API (no pyplot
state, so it works on a headless server), the HTML carries plotly's own plotly.js, and nothing
points at a tile server or CDN. Boundaries are third-party data the user imports; when none are
loaded we refuse (`MapUnavailable`) rather than draw a made-up map.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go
import shapely
from matplotlib import colormaps, patheffects
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Colormap, Normalize, TwoSlopeNorm, to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter
from shapely.geometry import mapping

from ssp_planner.errors import SSPError

# Albers equal-area conic with standard parallels spanning South Africa: areas keep their size.
ALBERS_SA = "+proj=aea +lat_1=-24 +lat_2=-33 +lat_0=0 +lon_0=25 +datum=WGS84 +units=m +no_defs"
SEQUENTIAL_CMAP = "YlOrRd"
DIVERGING_CMAP = "RdBu_r"  # gap maps: shortage (positive) red, surplus (negative) blue
NO_DATA_COLOUR = "#d9d9d9"
NO_DATA_HATCH_COLOUR = "#8c8c8c"
_NO_DATA_STYLE: dict[str, Any] = {
    "facecolor": NO_DATA_COLOUR,
    "hatch": "///",
    "hatchcolor": NO_DATA_HATCH_COLOUR,
}
MAX_LABELS = 60
BOUNDARY_SOURCE = (
    "Municipal Demarcation Board boundary files: https://www.demarcation.org.za, 'Spatial data'"
)
# plotly.js fetches a world basemap from cdn.plot.ly for every geo plot, even with a GeoJSON of
# our own and all base layers hidden. An empty topology under that name stops the fetch, so
# the page draws with no network (and no basemap, which we hide anyway).
_GEO_SCOPE, _GEO_RESOLUTION = "world", 110
_NO_BASEMAP = (
    "<script>window.PlotlyGeoAssets = {topojson: {"
    f'"{_GEO_SCOPE}_{_GEO_RESOLUTION}m": {{"type": "Topology", "objects": {{}}, "arcs": []}}'
    "}};</script>"
)


class MapUnavailable(SSPError):
    """No boundaries to draw: the message says where to get them and how to import them."""


def require_shapes(shapes: gpd.GeoDataFrame, level: str | None = None) -> gpd.GeoDataFrame:
    """`shapes`, unless empty: a map without boundaries would mislead, so say how to load them.

    The writers call it too (without a level), so no path leads to an empty map.
    """
    if len(shapes) == 0:
        raise MapUnavailable(
            f"No {level + ' ' if level else ''}boundaries are loaded, so there is no map to "
            "draw. Fix: import boundaries for this level with "
            f"`ssp areas import-boundaries FILE --level {level or 'LEVEL'}` ({BOUNDARY_SOURCE})."
        )
    return shapes


def write_map(shapes: gpd.GeoDataFrame, values: pd.DataFrame, path: Path, **kw: Any) -> Path:
    """PNG or HTML by the file's suffix, so callers (CLI, reports) take one output path.

    `hover` is ignored for PNG, so one set of keywords serves both formats.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".png":
        kw.pop("hover", None)
        return choropleth_png(shapes, values, path=Path(path), **kw)
    if suffix in {".html", ".htm"}:
        return choropleth_html(shapes, values, path=Path(path), **kw)
    raise SSPError(
        f"{path}: cannot write a map as '{suffix or '(no suffix)'}'. "
        "Fix: end the file name with .png (for reports) or .html (interactive, opens offline)."
    )


def choropleth_png(
    shapes: gpd.GeoDataFrame,
    values: pd.DataFrame,
    *,
    value: str,
    title: str,
    subtitle: str,
    path: Path,
    legend: str,
    cmap: str | None = None,
    diverging: bool = False,
    footnote: str = "",
) -> Path:
    """A 10×8 in, 150 dpi map in an equal-area projection for reports; areas without a value
    are hatched grey ("no data"), never coloured as if they were zero."""
    frame = _join(shapes, values, value).to_crs(ALBERS_SA)
    norm = _norm(frame[value], diverging)
    colormap = colormaps[cmap or (DIVERGING_CMAP if diverging else SEQUENTIAL_CMAP)]
    fig = Figure(figsize=(10, 8), dpi=150)
    ax = fig.add_axes((0.02, 0.09, 0.80, 0.78))
    if _draw_areas(ax, frame, value, colormap, norm):
        _draw_no_data_key(fig)
    if len(frame) <= MAX_LABELS:
        _draw_labels(ax, frame)
    _draw_colorbar(fig, colormap, norm, legend)
    _draw_texts(fig, title, subtitle, footnote)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150, facecolor="white")
    return path


def choropleth_html(
    shapes: gpd.GeoDataFrame,
    values: pd.DataFrame,
    *,
    value: str,
    title: str,
    subtitle: str,
    path: Path,
    legend: str,
    hover: Sequence[str] = (),
    cmap: str | None = None,
    diverging: bool = False,
    footnote: str = "",
) -> Path:
    """One HTML file with plotly.js inside: opens from a USB stick or e-mail with no internet."""
    _require_columns(values, list(hover), "hover")
    frame = _join(shapes, values, value).to_crs("EPSG:4326")
    norm = _norm(frame[value], diverging)
    colormap = colormaps[cmap or (DIVERGING_CMAP if diverging else SEQUENTIAL_CMAP)]
    frame["_hover"] = _hover_text(frame, value, legend, list(hover))
    geojson = _geojson(frame)
    has = frame[value].notna()
    fig = go.Figure(_value_trace(frame[has], geojson, value, legend, colormap, norm))
    if not has.all():
        fig.add_trace(_no_data_trace(frame[~has], geojson))
    _layout(fig, title, subtitle, footnote, tuple(frame.total_bounds))
    return _write_html(fig, Path(path), title)


# --- data -------------------------------------------------------------------------------------


def _join(shapes: gpd.GeoDataFrame, values: pd.DataFrame, value: str) -> gpd.GeoDataFrame:
    """Every shape stays on the map (left join on code); areas without a value get NaN."""
    require_shapes(shapes)
    _require_columns(values, ["code", value], "values")
    if not pd.api.types.is_numeric_dtype(values[value]):
        raise SSPError(f"Map column '{value}' is not numeric. Fix: pass numbers (or blanks).")
    codes = values["code"].astype(str)
    if codes.duplicated().any():
        twice = sorted(set(codes[codes.duplicated()]))
        raise SSPError(f"Map values list codes twice: {', '.join(twice[:5])}. Fix: one row each.")
    extra = [c for c in values.columns if c not in shapes.columns]
    frame = shapes.merge(values[extra].assign(code=codes), on="code", how="left")
    if shapes.crs is None:  # bare lon/lat shapes (tests, hand-made files)
        frame = frame.set_crs("EPSG:4326")
    return frame.assign(_name=frame["name"] if "name" in frame.columns else frame["code"])


def _require_columns(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SSPError(
            f"Map {what} column(s) missing from the values: {', '.join(missing)}. "
            f"Fix: add them, or name one of: {', '.join(map(str, frame.columns))}."
        )


def _norm(data: pd.Series, diverging: bool) -> Normalize:
    """Diverging scales are symmetric about zero, so equal colour depth means equal size of
    gap, whether shortage or surplus; sequential ones span the data."""
    finite = data.dropna()
    if diverging:
        limit = float(finite.abs().max()) if len(finite) else 0.0
        limit = limit or 1.0
        return TwoSlopeNorm(vcenter=0.0, vmin=-limit, vmax=limit)
    low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    if low == high:
        low, high = low - 1.0, high + 1.0
    return Normalize(vmin=low, vmax=high)


def _fmt(x: object) -> str:
    """Readable numbers: thousands separators, at most two decimals; blanks say 'no data'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "no data"
    if isinstance(x, int | float) and not isinstance(x, bool):
        if float(x).is_integer():
            return f"{x:,.0f}"
        return f"{x:,.2f}".rstrip("0").rstrip(".")
    return str(x)


# --- PNG --------------------------------------------------------------------------------------


def _draw_areas(
    ax: Axes, frame: gpd.GeoDataFrame, value: str, colormap: Colormap, norm: Normalize
) -> bool:
    """Fill areas by value, those without one hatched grey; True when any lacks a value."""
    has = frame[value].notna()
    if has.any():
        colours = colormap(norm(frame.loc[has, value].to_numpy(dtype=float)))
        frame[has].plot(ax=ax, color=colours, edgecolor="white", linewidth=0.6)
    if not has.all():
        frame[~has].plot(ax=ax, linewidth=0.6, edgecolor="white", **_NO_DATA_STYLE)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return not has.all()


def _draw_no_data_key(fig: Figure) -> None:
    """A "no data" swatch under the colorbar, clear of the map."""
    patch = Patch(edgecolor=NO_DATA_HATCH_COLOUR, label="no data", **_NO_DATA_STYLE)
    fig.legend(
        handles=[patch],
        loc="upper left",
        bbox_to_anchor=(0.835, 0.22),
        frameon=False,
        fontsize=9,
        handlelength=2.5,
        handleheight=1.5,
    )


def _draw_labels(ax: Axes, frame: gpd.GeoDataFrame) -> None:
    """Codes at a point inside each area (not the centroid, which can fall outside)."""
    size = 8 if len(frame) <= 15 else 6
    halo = [patheffects.withStroke(linewidth=2, foreground="white")]
    for code, point in zip(frame["code"], frame.representative_point(), strict=True):
        ax.annotate(
            str(code),
            (point.x, point.y),
            ha="center",
            va="center",
            fontsize=size,
            color="#222222",
            path_effects=halo,
        )


def _draw_colorbar(fig: Figure, colormap: Colormap, norm: Normalize, legend: str) -> None:
    cax = fig.add_axes((0.85, 0.25, 0.025, 0.5))
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=colormap), cax=cax)
    bar.set_label(legend, fontsize=10)
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _pos: _fmt(float(x))))
    bar.ax.tick_params(labelsize=9)


def _draw_texts(fig: Figure, title: str, subtitle: str, footnote: str) -> None:
    fig.text(0.02, 0.975, textwrap.fill(title, 80), fontsize=15, weight="bold", va="top")
    fig.text(0.02, 0.918, textwrap.fill(subtitle, 120), fontsize=10, color="#444444", va="top")
    if footnote:
        fig.text(0.02, 0.015, textwrap.fill(footnote, 150), fontsize=8, color="#333333")


# --- HTML -------------------------------------------------------------------------------------


def _geojson(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """Features with id = code, exterior rings clockwise: plotly.js (d3-geo) reads the other
    winding as 'the whole globe except this area'."""
    geoms = shapely.orient_polygons(frame.geometry.to_numpy(), exterior_cw=True)
    features = [
        {"type": "Feature", "id": str(code), "properties": {}, "geometry": mapping(geom)}
        for code, geom in zip(frame["code"], geoms, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def _hover_text(frame: gpd.GeoDataFrame, value: str, legend: str, hover: list[str]) -> list[str]:
    """Name (code), then the mapped value and each hover column, formatted for people."""
    rows = []
    for _, row in frame.iterrows():
        lines = [f"<b>{html.escape(str(row['_name']))}</b> ({html.escape(str(row['code']))})"]
        lines += [
            f"{html.escape(label)}: {html.escape(_fmt(row[col]))}"
            for label, col in [(legend, value)] + [(c, c) for c in hover if c != value]
        ]
        rows.append("<br>".join(lines))
    return rows


def _value_trace(
    frame: gpd.GeoDataFrame,
    geojson: dict[str, Any],
    value: str,
    legend: str,
    colormap: Colormap,
    norm: Normalize,
) -> go.Choropleth:
    stops = [i / 10 for i in range(11)]
    return go.Choropleth(
        geojson=geojson,
        locations=frame["code"].astype(str).tolist(),
        z=frame[value].astype(float).tolist(),
        zmin=norm.vmin,
        zmax=norm.vmax,
        colorscale=[[s, to_hex(colormap(s))] for s in stops],
        marker={"line": {"color": "white", "width": 0.8}},
        colorbar={"title": {"text": html.escape(legend)}},
        text=frame["_hover"].tolist(),
        hovertemplate="%{text}<extra></extra>",
        name=legend,
    )


def _no_data_trace(frame: gpd.GeoDataFrame, geojson: dict[str, Any]) -> go.Choropleth:
    return go.Choropleth(
        geojson=geojson,
        locations=frame["code"].astype(str).tolist(),
        z=[0.0] * len(frame),
        colorscale=[[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]],
        showscale=False,
        marker={"line": {"color": "white", "width": 0.8}},
        name="no data",
        showlegend=True,
        text=frame["_hover"].tolist(),
        hovertemplate="%{text}<extra></extra>",
    )


def _layout(
    fig: go.Figure, title: str, subtitle: str, footnote: str, bounds: tuple[float, ...]
) -> None:
    """Frame the map on the shapes' own bounds: plotly's fitbounds does not work once the
    world basemap is stubbed out for offline use, so the axis ranges are set explicitly."""
    minx, miny, maxx, maxy = bounds
    pad_x, pad_y = (maxx - minx) * 0.03, (maxy - miny) * 0.03
    fig.update_geos(
        visible=False,
        scope=_GEO_SCOPE,
        resolution=_GEO_RESOLUTION,
        projection={"type": "mercator"},
        lonaxis={"range": [minx - pad_x, maxx + pad_x]},
        lataxis={"range": [miny - pad_y, maxy + pad_y]},
        center={"lon": (minx + maxx) / 2, "lat": (miny + maxy) / 2},
    )
    fig.update_layout(
        title={"text": f"<b>{html.escape(title)}</b><br><sup>{html.escape(subtitle)}</sup>"},
        height=700,
        margin={"l": 10, "r": 10, "t": 80, "b": 60},
        paper_bgcolor="white",
        legend={"x": 0.01, "y": 0.02, "bgcolor": "rgba(255,255,255,0.7)"},
        annotations=[_footnote(footnote)] if footnote else [],
    )


def _footnote(text: str) -> dict[str, Any]:
    wrapped = "<br>".join(html.escape(line) for line in textwrap.wrap(text, 160))
    return {
        "text": wrapped,
        "showarrow": False,
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": 0,
        "xanchor": "left",
        "yanchor": "top",
        "yshift": -10,
        "align": "left",
        "font": {"size": 11, "color": "#333333"},
    }


def _write_html(fig: go.Figure, path: Path, title: str) -> Path:
    """plotly.js embedded (include_plotlyjs=True, never 'cdn'); the basemap stub goes first."""
    body = fig.to_html(
        include_plotlyjs=True, full_html=False, config={"displaylogo": False, "responsive": True}
    )
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n{_NO_BASEMAP}\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


__all__ = [
    "MapUnavailable",
    "choropleth_html",
    "choropleth_png",
    "require_shapes",
    "write_map",
]
