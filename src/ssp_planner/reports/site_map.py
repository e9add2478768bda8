"""The map of a service-point run: demand points by need, candidate and chosen sites, and which
site serves which point, over province boundaries when they are loaded.

PNG for reports (matplotlib's object API, equal-area projection) or one offline HTML page
(plotly.js embedded, no basemap fetch), with the frame, titles and page of `reports.maps`.
Points are the user's own coordinates, so without boundaries the map still draws them and says
that the outline is missing.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize, to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ssp_planner.errors import SSPError
from ssp_planner.reports.maps import (
    ALBERS_SA,
    BOUNDARY_SOURCE,
    SEQUENTIAL_CMAP,
    _draw_colorbar,
    _draw_texts,
    _geojson,
    _layout,
    _write_html,
)

NOT_SERVED, LINK, CHOSEN, CANDIDATE = "#9e9e9e", "#1b6ca8", "#08306b", "#333333"
LAND, EDGE = "#f0f0f0", "#a6a6a6"
SUFFIXES = (".png", ".html", ".htm")


@dataclass(frozen=True)
class SitePoints:
    """demand: demand_id, lat, lon, need, site_id (None: not served), covered (need served);
    sites: site_id, name, lat, lon, chosen, served_need; shapes: boundaries (may be empty)."""

    demand: pd.DataFrame
    sites: pd.DataFrame
    shapes: gpd.GeoDataFrame


def check_map_path(path: Path) -> Path:
    """The path, if it ends .png or .html: checked before a long solve, not after it."""
    if Path(path).suffix.lower() not in SUFFIXES:
        raise SSPError(
            f"{path}: cannot write a map as '{Path(path).suffix or '(no suffix)'}'. Fix: end the "
            "file name with .png (for reports) or .html (interactive, opens offline)."
        )
    return Path(path)


def write_site_map(
    points: SitePoints, path: Path, *, title: str, subtitle: str, footnote: str
) -> Path:
    """PNG or HTML by the suffix; the footnote says so when no boundaries are loaded."""
    path = check_map_path(path)
    if not len(points.shapes):
        footnote = (
            "No province boundaries are loaded, so the points are drawn without an outline. "
            f"Fix: `ssp areas import-boundaries FILE --level province` ({BOUNDARY_SOURCE}). "
            + footnote
        )
    draw = sites_png if path.suffix.lower() == ".png" else sites_html
    return draw(points, path, title=title, subtitle=subtitle, footnote=footnote)


def _served(demand: pd.DataFrame) -> pd.Series:
    return demand["site_id"].notna() & (demand["covered"] > 0)


def _sizes(need: pd.Series, smallest: float, largest: float) -> np.ndarray:
    """Marker area grows with need (square root, so big points do not swamp the map)."""
    top = float(need.max()) if len(need) and need.max() > 0 else 1.0
    return smallest + (largest - smallest) * np.sqrt(need.clip(lower=0).to_numpy(float) / top)


def _norm(need: pd.Series) -> Normalize:
    low, high = (float(need.min()), float(need.max())) if len(need) else (0.0, 1.0)
    return Normalize(vmin=low, vmax=high if high > low else low + 1.0)


def _links(points: SitePoints) -> pd.DataFrame:
    """One row per served demand point: its coordinates and its site's."""
    served = points.demand[_served(points.demand)]
    sites = points.sites.set_index("site_id")[["lat", "lon"]].add_suffix("_site")
    return served.join(sites, on="site_id").dropna(subset=["lat_site"])


# --- PNG ----------------------------------------------------------------------------------------


def _xy(lat: pd.Series, lon: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(ALBERS_SA)
    return pts.x.to_numpy(), pts.y.to_numpy()


def sites_png(points: SitePoints, path: Path, *, title: str, subtitle: str, footnote: str) -> Path:
    """A 10×8 in, 150 dpi map: links under the points, chosen sites on top."""
    fig = Figure(figsize=(10, 8), dpi=150)
    ax = fig.add_axes((0.02, 0.09, 0.80, 0.78))
    shapes = points.shapes
    if len(shapes):
        shapes = shapes if shapes.crs else shapes.set_crs("EPSG:4326")
        shapes.to_crs(ALBERS_SA).plot(ax=ax, facecolor=LAND, edgecolor=EDGE, linewidth=0.7)
    links = _links(points)
    x0, y0 = _xy(links["lat"], links["lon"])
    x1, y1 = _xy(links["lat_site"], links["lon_site"])
    segments = np.stack([np.column_stack([x0, y0]), np.column_stack([x1, y1])], axis=1)
    ax.add_collection(LineCollection(list(segments), colors=LINK, linewidths=0.9, alpha=0.7))
    demand, sites = points.demand, points.sites
    served = _served(demand)
    cmap, norm = colormaps[SEQUENTIAL_CMAP], _norm(demand.loc[served, "need"])
    for mask, colour in ((~served, NOT_SERVED), (served, None)):
        part = demand[mask]
        x, y = _xy(part["lat"], part["lon"])
        ax.scatter(
            x,
            y,
            s=_sizes(part["need"], 12, 160),
            c=colour or cmap(norm(part["need"].to_numpy(float))),
            edgecolors="#444444",
            linewidths=0.4,
            zorder=3,
        )
    x, y = _xy(sites["lat"], sites["lon"])
    chosen = sites["chosen"].to_numpy(bool)
    ax.scatter(x[~chosen], y[~chosen], s=16, facecolors="none", edgecolors=CANDIDATE, lw=0.7)
    ax.scatter(
        x[chosen], y[chosen], s=120, marker="^", c=CHOSEN, edgecolors="white", lw=0.9, zorder=4
    )
    ax.set_aspect("equal")
    ax.set_axis_off()
    _draw_colorbar(fig, cmap, norm, "Need at the demand point (served)")
    _legend(fig)
    _draw_texts(fig, title, subtitle, footnote)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150, facecolor="white")
    return path


def _legend(fig: Figure) -> None:
    def dot(**kw: Any) -> Line2D:
        return Line2D([], [], linestyle="none", **kw)

    handles = [
        dot(marker="^", markersize=10, color=CHOSEN, markeredgecolor="white", label="chosen site"),
        dot(marker="o", markersize=5, markerfacecolor="none", color=CANDIDATE, label="candidate"),
        dot(marker="o", markersize=7, color="#fd8d3c", markeredgecolor="#444", label="served"),
        dot(marker="o", markersize=7, color=NOT_SERVED, markeredgecolor="#444", label="not served"),
        Line2D([], [], color=LINK, linewidth=1, label="served by"),
    ]
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.835, 0.22),
        frameon=False,
        fontsize=8,
        title="size: need",
        title_fontsize=8,
    )


# --- HTML ---------------------------------------------------------------------------------------


def sites_html(points: SitePoints, path: Path, *, title: str, subtitle: str, footnote: str) -> Path:
    """One offline page: hover a point for its need and site, a site for the need it serves."""
    fig = go.Figure()
    shapes = points.shapes
    if len(shapes):
        shapes = (shapes if shapes.crs else shapes.set_crs("EPSG:4326")).to_crs("EPSG:4326")
        fig.add_trace(_land(shapes))
    fig.add_trace(_link_trace(_links(points)))
    demand, sites = points.demand, points.sites
    served = _served(demand)
    fig.add_trace(_demand_trace(demand[~served], "not served", None))
    fig.add_trace(_demand_trace(demand[served], "served", _norm(demand.loc[served, "need"])))
    for chosen, name in ((False, "candidate site"), (True, "chosen site")):
        fig.add_trace(_site_trace(sites[sites["chosen"] == chosen], name, chosen))
    bounds = tuple(shapes.total_bounds) if len(shapes) else _point_bounds(demand, sites)
    _layout(fig, title, subtitle, footnote, bounds)
    return _write_html(fig, path, title)


def _land(shapes: gpd.GeoDataFrame) -> go.Choropleth:
    return go.Choropleth(
        geojson=_geojson(shapes),
        locations=shapes["code"].astype(str).tolist(),
        z=[0.0] * len(shapes),
        colorscale=[[0, LAND], [1, LAND]],
        showscale=False,
        marker={"line": {"color": EDGE, "width": 0.8}},
        text=[html.escape(str(n)) for n in shapes.get("name", shapes["code"])],
        hovertemplate="%{text}<extra></extra>",
        showlegend=False,
    )


def _link_trace(links: pd.DataFrame) -> go.Scattergeo:
    """All links as one line trace, segments separated by gaps (None)."""
    lon = [v for r in links.itertuples() for v in (r.lon, r.lon_site, None)]
    lat = [v for r in links.itertuples() for v in (r.lat, r.lat_site, None)]
    return go.Scattergeo(
        lon=lon,
        lat=lat,
        mode="lines",
        line={"color": LINK, "width": 0.8},
        opacity=0.5,
        hoverinfo="skip",
        name="served by",
    )


def _demand_trace(part: pd.DataFrame, name: str, norm: Normalize | None) -> go.Scattergeo:
    cmap = colormaps[SEQUENTIAL_CMAP]
    marker: dict[str, Any] = {
        "size": np.sqrt(_sizes(part["need"], 12, 160)).tolist(),
        "line": {"color": "#444444", "width": 0.5},
        "color": NOT_SERVED,
    }
    if norm is not None:
        marker |= {
            "color": part["need"].astype(float).tolist(),
            "cmin": norm.vmin,
            "cmax": norm.vmax,
            "colorscale": [[s / 10, to_hex(cmap(s / 10))] for s in range(11)],
            "colorbar": {"title": {"text": "Need (served)"}},
        }
    text = [
        f"<b>{html.escape(str(r.demand_id))}</b><br>need {r.need:,.1f}<br>"
        + (f"served by {html.escape(str(r.site_id))}" if name == "served" else "not served")
        for r in part.itertuples()
    ]
    return _markers(part, marker, text, f"demand point, {name}")


def _site_trace(part: pd.DataFrame, name: str, chosen: bool) -> go.Scattergeo:
    marker = (
        {"symbol": "triangle-up", "size": 14, "color": CHOSEN, "line": {"color": "white"}}
        if chosen
        else {"symbol": "circle-open", "size": 6, "color": CANDIDATE}
    )
    text = [
        f"<b>{html.escape(str(r.name))}</b> ({html.escape(str(r.site_id))})"
        + (f"<br>serves need {r.served_need:,.1f}" if chosen else "<br>not chosen")
        for r in part.itertuples()
    ]
    return _markers(part, marker, text, name)


def _markers(
    part: pd.DataFrame, marker: dict[str, Any], text: list[str], name: str
) -> go.Scattergeo:
    """Points at their coordinates with hover text (escaped by the callers)."""
    return go.Scattergeo(
        lon=part["lon"].tolist(),
        lat=part["lat"].tolist(),
        mode="markers",
        marker=marker,
        text=text,
        hovertemplate="%{text}<extra></extra>",
        name=name,
    )


def _point_bounds(demand: pd.DataFrame, sites: pd.DataFrame) -> tuple[float, float, float, float]:
    lon = pd.concat([demand["lon"], sites["lon"]])
    lat = pd.concat([demand["lat"], sites["lat"]])
    return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())


__all__ = ["SitePoints", "check_map_path", "sites_html", "sites_png", "write_site_map"]
