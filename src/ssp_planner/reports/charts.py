"""Charts as PNG files: matplotlib's object API on the Agg canvas, never pyplot's global state,
so charts can be drawn from threads, tests and web requests without leaking figures."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ssp_planner.errors import SSPError

SUPPLY_COLOUR = "#1b6ca8"
DEMAND_COLOUR = "#222222"
GAP_COLOUR = "#d1495b"
SURPLUS_COLOUR = "#66a182"
OTHER_COLOURS = ("#e8a33d", "#7b4b94", "#2a9d8f", "#8d6a50", "#c06c84", "#5c946e")


def line_chart(
    x: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    path: Path,
    subtitle: str = "",
    ylabel: str = "",
    footnote: str = "",
    colours: Mapping[str, str] | None = None,
    styles: Mapping[str, str] | None = None,
) -> Path:
    """One line per series over the labels `x`; returns the PNG's path."""
    _check(x, series)
    fig, ax = _figure()
    for i, (name, values) in enumerate(series.items()):
        colour = (colours or {}).get(name, OTHER_COLOURS[i % len(OTHER_COLOURS)])
        style = (styles or {}).get(name, "-")
        ax.plot(
            list(x),
            list(values),
            style,
            color=colour,
            linewidth=2,
            marker="o",
            markersize=3,
            label=name,
        )
    _finish(fig, ax, title, subtitle, ylabel, footnote)
    return _save(fig, path)


def supply_demand_chart(
    x: Sequence[str],
    supply: Sequence[float],
    demand: Sequence[float],
    *,
    title: str,
    path: Path,
    subtitle: str = "",
    footnote: str = "",
    other_supply: Mapping[str, Sequence[float]] | None = None,
    supply_label: str = "supply",
) -> Path:
    """Supply and demand per year, the gap shaded (red: demand above supply; green: surplus).

    `other_supply` draws each scenario's supply as a further line over the same gap.
    """
    _check(x, {"supply": supply, "demand": demand, **(other_supply or {})})
    fig, ax = _figure()
    pos = np.arange(len(x))
    s, d = np.asarray(supply, float), np.asarray(demand, float)
    ax.fill_between(
        pos,
        s,
        d,
        where=d >= s,
        interpolate=True,
        color=GAP_COLOUR,
        alpha=0.25,
        label="gap (demand above supply)",
    )
    ax.fill_between(
        pos, s, d, where=d < s, interpolate=True, color=SURPLUS_COLOUR, alpha=0.25, label="surplus"
    )
    ax.plot(
        pos,
        d,
        color=DEMAND_COLOUR,
        linewidth=2.2,
        linestyle="--",
        marker="o",
        markersize=3,
        label="demand",
    )
    ax.plot(
        pos,
        s,
        color=SUPPLY_COLOUR,
        linewidth=2.6,
        marker="o",
        markersize=3,
        label=supply_label,
        zorder=5,
    )
    for i, (name, values) in enumerate((other_supply or {}).items()):
        colour = OTHER_COLOURS[i % len(OTHER_COLOURS)]
        ax.plot(pos, list(values), color=colour, linewidth=1.5, label=f"supply: {name}", zorder=3)
    ax.set_xticks(pos, list(x), rotation=45, ha="right")
    _finish(fig, ax, title, subtitle, "people", footnote)
    return _save(fig, path)


def _check(x: Sequence[str], series: Mapping[str, Sequence[float]]) -> None:
    if not len(x):
        raise SSPError("Nothing to chart: there are no years. Fix: project at least one year.")
    bad = [name for name, values in series.items() if len(values) != len(x)]
    if bad:
        raise SSPError(f"Chart series {', '.join(bad)} do not have one value per year ({len(x)}).")


def _figure() -> tuple[Figure, Axes]:
    fig = Figure(figsize=(10, 6.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.09, 0.2, 0.62, 0.62))
    return fig, ax


def _finish(fig: Figure, ax: Axes, title: str, subtitle: str, ylabel: str, footnote: str) -> None:
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    low, high = ax.get_ylim()
    ax.set_ylim(min(0.0, low), high * 1.05)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=9)
    fig.text(0.02, 0.97, textwrap.fill(title, 90), fontsize=14, weight="bold", va="top")
    if subtitle:
        fig.text(0.02, 0.905, textwrap.fill(subtitle, 125), fontsize=9.5, color="#444444", va="top")
    if footnote:
        fig.text(
            0.02, 0.015, textwrap.fill(footnote, 160), fontsize=7.5, color="#333333", va="bottom"
        )


def _save(fig: Figure, path: Path) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise SSPError(
            f"{path.name}: charts are written as PNG. Fix: give a file name ending in .png."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150, facecolor="white")
    return path
