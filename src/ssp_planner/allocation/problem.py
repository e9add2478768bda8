"""The inputs of post allocation, checked and lined up: one row per base area × category.

`PostProblem.from_gap_table` takes the needs model's gap table as plain data (it does not import
the needs package) plus the area tree, the funding channels and the optional limits, and fails
early with the file-free equivalent of a row error: which code, which column, how to fix it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ssp_planner.allocation.costs import CostTable
from ssp_planner.domain.vocabulary import Category, Rank
from ssp_planner.errors import SSPError

Fairness = Literal["total", "maxmin"]
FAIRNESS: tuple[Fairness, ...] = ("total", "maxmin")
RANKS: tuple[str, ...] = (Rank.PRACTITIONER.value, Rank.SUPERVISOR.value)
DEFAULT_SUPERVISOR_PER = 10.0  # FACTS.md: 1:10, unconfirmed as a norm; the service passes norms'
PAIR_COLUMNS = [
    "code",
    "name",
    "district",
    "province",
    "population",
    "category",
    "required",
    "filled",
    "vacant_funded",
    "supply",
    "shortage",
    "minimum",
    "maximum",
    "planned",
    "max_given",
]


@dataclass(frozen=True)
class Returns:
    """Diminishing returns, piecewise linear: a post that lifts an area's coverage within
    (breakpoints[k-1], breakpoints[k]] is worth weights[k] of a post of need met."""

    breakpoints: tuple[float, ...] = (0.5, 0.8, 1.0)
    weights: tuple[float, ...] = (1.0, 0.7, 0.4)

    def __post_init__(self) -> None:
        b, w = self.breakpoints, self.weights
        if len(b) != len(w) or not b or any(x <= 0 for x in b) or list(b) != sorted(set(b)):
            raise SSPError(
                f"Diminishing returns need increasing coverage breakpoints > 0 and one weight "
                f"each; got breakpoints {b}, weights {w}. Fix: e.g. (0.5, 0.8, 1.0), (1, 0.7, 0.4)."
            )
        if any(w[k] < w[k + 1] for k in range(len(w) - 1)) or any(x < 0 for x in w):
            raise SSPError(
                f"Returns must diminish: weights {w} rise somewhere. Fix: list them largest first."
            )


# Max-min after the floor: coverage steps of 10 %, each worth half the one below, so a post
# that lifts an area from 10 % to 20 % outweighs one that lifts another from 50 % to 60 % 16×.
MAXMIN_RETURNS = Returns(
    breakpoints=tuple(round(0.1 * k, 1) for k in range(1, 11)),
    weights=tuple(0.5**k for k in range(10)),
)


@dataclass(frozen=True)
class Channel:
    """A funding channel (government posts, NPO subsidies): its budget and cost per post."""

    name: str
    budget: int  # rands
    costs: Mapping[tuple[str, str], int]  # (category, rank) -> rands per post per year

    def cost(self, category: str, rank: str) -> int | None:
        return self.costs.get((category, rank))


def channels_from_costs(table: CostTable, budgets: Mapping[str, int]) -> tuple[Channel, ...]:
    """One channel per budget given, priced from the cost table (unknown channels refused)."""
    out = []
    for name, budget in budgets.items():
        if name not in table.channels:
            raise SSPError(
                f"No costs for funding channel '{name}' in {table.origin}. "
                f"Fix: use one of {', '.join(table.channels)}, or add [channels.{name}] costs."
            )
        costs = {(c, r): e.rands for (ch, c, r), e in table.entries.items() if ch == name}
        out.append(Channel(name, int(budget), costs))
    return tuple(out)


@dataclass(frozen=True)
class PostProblem:
    """Everything the post model needs, aligned and sorted (code, category) for determinism."""

    pairs: pd.DataFrame  # PAIR_COLUMNS
    channels: tuple[Channel, ...]
    supervisor_per: dict[str, float | None]
    spare_supervision: pd.DataFrame  # district, category, spare (practitioners supervisable)
    candidates: pd.DataFrame | None  # province, category, candidates, willing_to_move
    fairness: Fairness = "total"
    returns: Returns = field(default_factory=Returns)
    ranks: tuple[str, ...] = RANKS

    @property
    def objective_returns(self) -> Returns:
        """The values the solver maximises: the user's returns, or max-min's steep steps."""
        return MAXMIN_RETURNS if self.fairness == "maxmin" else self.returns

    @classmethod
    def from_gap_table(
        cls,
        gap: pd.DataFrame,
        areas: pd.DataFrame,
        *,
        channels: tuple[Channel, ...],
        supervisor_per: Mapping[str, float | None] | None = None,
        supervision: pd.DataFrame | None = None,
        candidates: pd.DataFrame | None = None,
        limits: pd.DataFrame | None = None,
        fairness: Fairness = "total",
        returns: Returns | None = None,
        count_vacant_funded: bool = True,
    ) -> PostProblem:
        """gap: the needs gap table (rows of the deepest level are used; 'all' rows ignored).
        areas: code, name, district, province, population of the base areas.
        supervision: district, category, practitioners, supervisors in post now.
        candidates: province, category, candidates, willing_to_move (share 0–1).
        limits: code, category and any of minimum, maximum, planned (new posts)."""
        if fairness not in FAIRNESS:
            raise SSPError(f"Unknown fairness '{fairness}'. Fix: use 'total' or 'maxmin'.")
        _check_channels(channels)
        pairs = _pairs(gap, areas, count_vacant_funded)
        pairs = _apply_limits(pairs, limits)
        per: dict[str, float | None] = {c.value: DEFAULT_SUPERVISOR_PER for c in Category}
        per.update(supervisor_per or {})
        return cls(
            pairs=pairs,
            channels=channels,
            supervisor_per=per,
            spare_supervision=_spare(supervision, per),
            candidates=_candidates(candidates),
            fairness=fairness,
            returns=returns or Returns(),
        )

    @property
    def budget(self) -> int:
        return sum(ch.budget for ch in self.channels)


def _check_channels(channels: tuple[Channel, ...]) -> None:
    if not channels:
        raise SSPError("No funding channel given. Fix: give a budget, e.g. --budget R500m.")
    for ch in channels:
        if ch.budget < 0:
            raise SSPError(
                f"The {ch.name} budget is negative (R{ch.budget:,}). Fix: give R0 or more."
            )
        bad = [f"{c}/{r}" for (c, r), v in ch.costs.items() if v <= 0]
        if bad:
            raise SSPError(f"{ch.name} costs must be > 0: {', '.join(bad)}. Fix: set them.")


def _pairs(gap: pd.DataFrame, areas: pd.DataFrame, count_vacant: bool) -> pd.DataFrame:
    base = _base_rows(gap)
    need = ["code", "category", "required", "filled"]
    missing = [c for c in need if c not in base.columns]
    if missing:
        raise SSPError(f"The gap table lacks column(s) {', '.join(missing)}. Fix: run `ssp needs`.")
    base = base.assign(code=base["code"].astype(str), category=base["category"].astype(str))
    unknown = sorted(set(base["category"]) - {c.value for c in Category})
    if unknown:
        raise SSPError(f"Unknown categories in the gap table: {', '.join(unknown)}.")
    info = areas.assign(code=areas["code"].astype(str)).drop_duplicates("code").set_index("code")
    lost = sorted(set(base["code"]) - set(info.index))
    if lost:
        raise SSPError(
            f"The gap table names areas missing from the area tree: {', '.join(lost[:10])}. "
            "Fix: load the areas (`ssp areas load`) and run `ssp needs` again."
        )
    out = base[need].copy()
    out["vacant_funded"] = base["vacant_funded"].fillna(0) if "vacant_funded" in base else 0
    out = out.join(info[["name", "district", "province", "population"]], on="code")
    out[["required", "filled"]] = out[["required", "filled"]].astype(float).fillna(0.0)
    if (out["required"] < 0).any() or (out["filled"] < 0).any():
        raise SSPError("The gap table has negative need or supply. Fix: run `ssp needs` again.")
    out["supply"] = out["filled"] + (out["vacant_funded"].astype(float) if count_vacant else 0.0)
    out["shortage"] = (out["required"] - out["supply"]).clip(lower=0.0)
    out = out.sort_values(["code", "category"], kind="stable").reset_index(drop=True)
    cap = np.ceil(out["shortage"] - 1e-9).astype(int)
    return out.assign(minimum=0, maximum=cap, planned=0, max_given=False)


def _base_rows(gap: pd.DataFrame) -> pd.DataFrame:
    """The deepest level's rows (a metro code means its municipality), without 'all'."""
    rows = gap[gap["category"].astype(str) != "all"]
    if "level" in rows.columns and len(rows):
        order = ["country", "province", "district", "municipality", "ward"]
        deepest = max(set(rows["level"].astype(str)), key=lambda lv: order.index(lv))
        rows = rows[rows["level"].astype(str) == deepest]
    if rows.empty:
        raise SSPError("The gap table is empty. Fix: run `ssp needs` for this scenario.")
    return rows


def _apply_limits(pairs: pd.DataFrame, limits: pd.DataFrame | None) -> pd.DataFrame:
    """User minimums, maximums and planned posts replace the defaults (0, shortage rounded up)."""
    if limits is None or limits.empty:
        return pairs
    lim = limits.assign(code=limits["code"].astype(str), category=limits["category"].astype(str))
    keys = set(zip(pairs["code"], pairs["category"], strict=True))
    stray = [
        f"{c}/{k}" for c, k in zip(lim["code"], lim["category"], strict=True) if (c, k) not in keys
    ]
    if stray:
        raise SSPError(
            f"Limits name area/category pairs that have no need row: {', '.join(stray[:10])}. "
            "Fix: use municipality codes and categories of the needs run."
        )
    out = pairs.set_index(["code", "category"])
    for col in ("minimum", "maximum", "planned"):
        if col in lim.columns:
            given = lim.dropna(subset=[col]).set_index(["code", "category"])[col].astype(int)
            out.loc[given.index, col] = given
            if col == "maximum":
                out.loc[given.index, "max_given"] = True
    # The default cap (shortage rounded up) never overrules a minimum or planned posts.
    floor = out[["minimum", "planned"]].max(axis=1)
    out["maximum"] = out["maximum"].where(out["max_given"], np.maximum(out["maximum"], floor))
    return out.reset_index()[PAIR_COLUMNS]


def _spare(supervision: pd.DataFrame | None, per: Mapping[str, float | None]) -> pd.DataFrame:
    """Practitioners that today's supervisors can still take on: max(0, k·S − P) per district."""
    cols = ["district", "category", "spare"]
    if supervision is None or supervision.empty:
        return pd.DataFrame(columns=cols)
    sup = supervision.assign(category=supervision["category"].astype(str))
    k = sup["category"].map(lambda c: per.get(c) or np.nan).astype(float)
    spare = (k * sup["supervisors"].astype(float) - sup["practitioners"].astype(float)).clip(
        lower=0
    )
    return sup.assign(spare=spare.fillna(0.0))[cols].reset_index(drop=True)


def _candidates(candidates: pd.DataFrame | None) -> pd.DataFrame | None:
    if candidates is None:
        return None
    out = candidates.assign(category=candidates["category"].astype(str)).copy()
    if "willing_to_move" not in out.columns:
        out["willing_to_move"] = 0.0
    share = out["willing_to_move"].astype(float)
    if ((share < 0) | (share > 1)).any() or (out["candidates"].astype(float) < 0).any():
        raise SSPError(
            "Candidates must be ≥ 0 and willing_to_move a share between 0 and 1. "
            "Fix: write 0.25 for a quarter."
        )
    return out[["province", "category", "candidates", "willing_to_move"]].reset_index(drop=True)
