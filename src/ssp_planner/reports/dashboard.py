"""The M&E dashboard as one self-contained HTML file, and trend-vs-target PNG charts.

Offline by design: plotly.js is embedded once for the trend charts (include_plotlyjs=True on
the first, False after), and nothing is fetched from a CDN. The district map comes from
`reports.maps.choropleth_html`, a complete page of its own, so it is embedded whole in an
iframe (`srcdoc`), carrying its own copy of plotly.js; without boundaries for the level the page
says how to import them instead of drawing a made-up map. Synthetic sources put a banner on top.
"""

from __future__ import annotations

import html
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go
from matplotlib.figure import Figure

from ssp_planner.monitoring.framework import Direction, Thresholds
from ssp_planner.monitoring.targets import Status, band
from ssp_planner.reports.maps import choropleth_html

STATUS_COLOURS = {
    Status.ON_TRACK.value: "#1a9850",
    Status.AT_RISK.value: "#f39c12",
    Status.OFF_TRACK.value: "#d73027",
    Status.NO_DATA.value: "#9e9e9e",
    Status.NO_TARGET.value: "#bdbdbd",
}
BAND_COLOUR = "rgba(243, 156, 18, 0.22)"
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222}
h1{font-size:24px;margin:0 0 4px} h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.sub{color:#555;margin-bottom:12px} .banner{background:#fff3cd;border:2px solid #d39e00;
padding:10px 14px;font-weight:bold;margin:12px 0} .note{background:#eef3f8;padding:10px 14px}
table{border-collapse:collapse;font-size:13px} th,td{padding:4px 8px;border-bottom:1px solid #eee;
text-align:left} td.num{text-align:right;font-variant-numeric:tabular-nums}
.chip{color:#fff;border-radius:10px;padding:1px 8px;font-size:12px;white-space:nowrap}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:8px}
.counts span{margin-right:14px} iframe{width:100%;height:720px;border:1px solid #ddd}
footer{margin-top:28px;color:#555;font-size:12px}
"""


@dataclass(frozen=True)
class DashboardData:
    """Everything the page shows, already computed by the service layer.

    national: indicator, indicator_name, result_level, unit, value, target, status (one period).
    trend: indicator, period, value, target (national, several periods, oldest first).
    areas: code, name, value, target, status for the map indicator at `level`.
    workload: code, name, cases_per_sw, services_per_ssp_month and their _outlier flags.
    """

    title: str
    period: str
    level: str
    national: pd.DataFrame
    trend: pd.DataFrame
    areas: pd.DataFrame
    map_indicator: str
    map_label: str
    map_unit: str
    workload: pd.DataFrame
    directions: dict[str, Direction]
    thresholds: Thresholds
    notes: list[str]
    synthetic: list[str]


@dataclass(frozen=True)
class MapLayer:
    """Boundaries and the values to colour them (code, value, target, status), of one level."""

    shapes: gpd.GeoDataFrame
    values: pd.DataFrame
    level: str


def write_dashboard(
    data: DashboardData, path: Path, *, layer: MapLayer | None, map_note: str | None
) -> Path:
    """Write the page; without a `layer` the page shows `map_note` where the map would be."""
    parts = [_header(data), _status_section(data), _trend_section(data)]
    parts += [_map_section(data, layer, map_note), _area_table(data), _workload_section(data)]
    parts.append("<footer>" + "<br>".join(html.escape(n) for n in data.notes) + "</footer>")
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(data.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(parts)
        + "\n</body>\n</html>\n"
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def _header(data: DashboardData) -> str:
    out = f"<h1>{html.escape(data.title)}</h1>"
    out += f'<div class="sub">Period {html.escape(data.period)} · areas by {data.level}</div>'
    if data.synthetic:
        text = "SYNTHETIC DEMO DATA — not real people or real counts: " + "; ".join(data.synthetic)
        out += f'<div class="banner">{html.escape(text)}</div>'
    return out


def _chip(status: object) -> str:
    text = str(status)
    colour = STATUS_COLOURS.get(text, "#bdbdbd")
    return f'<span class="chip" style="background:{colour}">{html.escape(text)}</span>'


def _num(x: object) -> str:
    if x is None or pd.isna(x):
        return "—"
    value = float(x)  # type: ignore[arg-type]
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.1f}"


def _status_section(data: DashboardData) -> str:
    counts = data.national["status"].value_counts()
    chips = "".join(
        f"<span>{_chip(s)} {int(counts.get(s, 0))}</span>"
        for s in (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.NO_TARGET)
    )
    rows = "".join(
        f"<tr><td>{html.escape(r.result_level)}</td><td>{html.escape(r.indicator_name)}</td>"
        f'<td class="num">{_num(r.value)}</td><td class="num">{_num(r.target)}</td>'
        f"<td>{html.escape(r.unit)}</td><td>{_chip(r.status)}</td></tr>"
        for r in data.national.itertuples()
    )
    t = data.thresholds
    rule = (
        f"On track: at most {t.at_risk:.0%} short of target; at risk: up to {t.off_track:.0%} "
        "short; off track: further."
    )
    return (
        f"<h2>National status, {html.escape(data.period)}</h2>"
        f'<div class="counts">{chips}</div><p class="sub">{html.escape(rule)}</p>'
        "<table><tr><th>level</th><th>indicator</th><th>value</th><th>target</th>"
        f"<th>unit</th><th>status</th></tr>{rows}</table>"
    )


def _trend_section(data: DashboardData) -> str:
    divs, first = [], True
    for code, rows in data.trend.groupby("indicator", sort=False):
        name = data.national.set_index("indicator").loc[code, "indicator_name"]
        fig = trend_figure(rows, str(name), data.directions[str(code)], data.thresholds)
        divs.append(
            fig.to_html(include_plotlyjs=first, full_html=False, config={"displayModeBar": False})
        )
        first = False
    note = "Dashed line: target; shaded band: at risk. National values, ratios from sums."
    return f"<h2>Trends against targets</h2><p class='sub'>{note}</p><div class='grid'>" + (
        "".join(f"<div>{d}</div>" for d in divs) + "</div>"
    )


def trend_figure(
    rows: pd.DataFrame, name: str, direction: Direction, thresholds: Thresholds
) -> go.Figure:
    """Value over periods, the target as a dashed line and the at-risk band shaded."""
    fig = go.Figure()
    x = rows["period"].astype(str).tolist()
    if rows["target"].notna().any():
        low, high = zip(
            *[
                band(t, direction, thresholds) if pd.notna(t) else (None, None)
                for t in rows["target"]
            ],
            strict=True,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=list(high),
                mode="lines",
                line={"width": 0},
                showlegend=False,
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=list(low),
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor=BAND_COLOUR,
                name="at risk",
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=rows["target"].tolist(),
                mode="lines",
                name="target",
                line={"dash": "dash", "color": "#555"},
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=rows["value"].tolist(),
            mode="lines+markers",
            name="value",
            line={"color": "#1f77b4", "width": 3},
        )
    )
    fig.update_layout(
        title={"text": html.escape(textwrap.shorten(name, 60)), "font": {"size": 14}},
        height=300,
        margin={"l": 50, "r": 10, "t": 40, "b": 40},
        legend={"orientation": "h", "y": -0.25},
        paper_bgcolor="white",
        xaxis={"type": "category"},
    )
    return fig


def _map_section(data: DashboardData, layer: MapLayer | None, map_note: str | None) -> str:
    level = layer.level if layer else data.level
    head = f"<h2>{html.escape(data.map_label)} by {level}, {html.escape(data.period)}</h2>"
    note = f'<div class="note">{html.escape(map_note)}</div>' if map_note else ""
    if layer is None or len(layer.shapes) == 0:
        return head + (note or '<div class="note">No boundaries are loaded.</div>')
    values = layer.values[["code", "value", "target", "status"]]
    with tempfile.TemporaryDirectory() as tmp:
        page = choropleth_html(
            layer.shapes,
            values,
            value="value",
            title=f"{data.map_label}, {data.period}",
            subtitle=f"by {level}; grey: no data",
            path=Path(tmp) / "map.html",
            legend=data.map_unit,
            hover=["target", "status"],
            footnote="SYNTHETIC DEMO DATA" if data.synthetic else "",
        ).read_text(encoding="utf-8")
    return head + note + f'<iframe title="map" srcdoc="{html.escape(page, quote=True)}"></iframe>'


def _area_table(data: DashboardData) -> str:
    worst_first = [Status.OFF_TRACK, Status.AT_RISK, Status.ON_TRACK, Status.NO_DATA]
    order = {s.value: i for i, s in enumerate([*worst_first, Status.NO_TARGET])}
    frame = data.areas.assign(_o=data.areas["status"].map(order)).sort_values(["_o", "code"])
    rows = "".join(
        f"<tr><td>{html.escape(r.code)}</td><td>{html.escape(r.name)}</td>"
        f'<td class="num">{_num(r.value)}</td><td class="num">{_num(r.target)}</td>'
        f"<td>{_chip(r.status)}</td></tr>"
        for r in frame.itertuples()
    )
    return (
        f"<h2>{html.escape(data.map_label)}: every {data.level}</h2><table><tr><th>code</th>"
        f"<th>name</th><th>value</th><th>target</th><th>status</th></tr>{rows}</table>"
    )


def _workload_section(data: DashboardData) -> str:
    w = data.workload
    if w.empty:
        return ""
    flagged = w[(w["cases_per_sw_outlier"] != "") | (w["services_per_ssp_month_outlier"] != "")]
    rows = (
        "".join(
            f"<tr><td>{html.escape(r.code)}</td><td>{html.escape(r.name)}</td>"
            f'<td class="num">{_num(r.cases_per_sw)}</td><td>{r.cases_per_sw_outlier}</td>'
            f'<td class="num">{_num(r.services_per_ssp_month)}</td>'
            f"<td>{r.services_per_ssp_month_outlier}</td></tr>"
            for r in flagged.itertuples()
        )
        or "<tr><td colspan=6>No outliers.</td></tr>"
    )
    med = w[["cases_per_sw", "services_per_ssp_month"]].median()
    return (
        f"<h2>Workload per SSP by {data.level}</h2><p class='sub'>Median open cases per social "
        f"worker {_num(med['cases_per_sw'])}; median services per SSP per month "
        f"{_num(med['services_per_ssp_month'])}. Outliers: robust z-score beyond ±3.5.</p>"
        "<table><tr><th>code</th><th>name</th><th>cases per SW</th><th></th>"
        f"<th>services per SSP per month</th><th></th></tr>{rows}</table>"
    )


# --- PNG for reports ----------------------------------------------------------------------------


def trend_png(
    rows: pd.DataFrame,
    path: Path,
    *,
    title: str,
    unit: str,
    direction: Direction,
    thresholds: Thresholds,
    footnote: str = "",
) -> Path:
    """Trend vs target as a 9×4.5 in, 150 dpi PNG (matplotlib object API, no pyplot state).

    rows: period, value, target (oldest first); the at-risk band is shaded."""
    fig = Figure(figsize=(9, 4.5), dpi=150)
    ax = fig.add_axes((0.08, 0.24, 0.9, 0.64))
    x = list(range(len(rows)))
    if rows["target"].notna().any():
        bands = [band(t, direction, thresholds) for t in rows["target"].fillna(0)]
        ax.fill_between(
            x,
            [b[0] for b in bands],
            [b[1] for b in bands],
            color="#f39c12",
            alpha=0.25,
            linewidth=0,
            label="at risk",
        )
        ax.plot(x, rows["target"], linestyle="--", color="#555555", label="target")
    ax.plot(x, rows["value"], marker="o", color="#1f77b4", linewidth=2.5, label="value")
    ax.set_xticks(x, rows["period"].astype(str).tolist(), rotation=45, ha="right", fontsize=8)
    ax.set_ylabel(unit, fontsize=9)
    ax.grid(axis="y", color="#eeeeee")
    ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=3)
    fig.text(0.08, 0.95, textwrap.shorten(title, 100), fontsize=13, weight="bold", va="top")
    if footnote:
        text = textwrap.fill(textwrap.shorten(footnote, 400), 140)
        fig.text(0.08, 0.015, text, fontsize=7, color="#333333", va="bottom")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150, facecolor="white")
    return path
