"""The match-weight histogram: how the scored pairs split into clear non-matches, the review band
and clear matches. A good model shows two humps with little between them."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never a window
import matplotlib.pyplot as plt


def probability_to_weight(p: float) -> float:
    """Match weight (log2 Bayes factor incl. the prior) at which a pair reaches probability p."""
    return math.log2(p / (1 - p))


def write_histogram(
    histogram: list[tuple[float, int]],
    path: Path,
    *,
    threshold: float,
    review_low: float,
    title: str,
) -> Path:
    """A PNG bar chart of pairs per match-weight bin, with the review band shaded."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
    bins = [b for b, _ in histogram]
    counts = [n for _, n in histogram]
    low, high = probability_to_weight(review_low), probability_to_weight(threshold)
    colours = ["#b0b7c3" if b + 1 <= low else "#2a9d8f" if b >= high else "#e9a23b" for b in bins]
    ax.bar(bins, counts, width=1.0, align="edge", color=colours, edgecolor="white", linewidth=0.4)
    ax.set_yscale("log")
    ax.axvspan(low, high, color="#e9a23b", alpha=0.15, label="review band")
    ax.axvline(high, color="#2a9d8f", linestyle="--", linewidth=1, label=f"link at p ≥ {threshold}")
    ax.set_xlabel("match weight (log2 odds that the two records are one person)")
    ax.set_ylabel("record pairs (log scale)")
    ax.set_title(title, fontsize=11)
    ax.legend(frameon=False, fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    fig.text(
        0.01, 0.01, "Pairs with nothing but names to compare go to review at any weight.",
        fontsize=8, color="#555555",
    )  # fmt: skip
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path)
    plt.close(fig)
    return path
