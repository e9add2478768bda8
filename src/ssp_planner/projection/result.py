"""A projection's outcome: yearly supply, demand, shortfall, unemployed graduates and costs,
as arrays and as tables, with the stock balance check that goes with every result."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ssp_planner.domain.vocabulary import Category
from ssp_planner.errors import SSPError
from ssp_planner.projection.params import fy_label
from ssp_planner.projection.scenarios import Scenario, compare
from ssp_planner.projection.stockflow import BALANCE, STOCKS, Array, Trajectory

MAX_RANDS = 9e18  # whole rands are stored as 64-bit integers
TOLERANCE = 1e-9  # imbalance, relative to the largest stock, that is still float rounding
COST_COLUMNS = ("post_cost", "scholarship_cost", "intervention_cost", "total_cost")
TABLE_COLUMNS = [
    "scenario",
    "period",
    "province",
    "category",
    "supply",
    "demand",
    "shortfall",
    "employed",
    "bonded",
    "students",
    "students_scholarship",
    "graduates",
    "hires",
    "leavers",
    "retirements",
    "unemployed",
    "unemployed_scholarship",
    "lapsed",
    "funded_posts",
    *COST_COLUMNS,
]


@dataclass(frozen=True)
class ProjectionResult:
    scenarios: tuple[Scenario, ...]
    start_year: int
    provinces: tuple[str, ...]
    categories: tuple[Category, ...]
    trajectory: Trajectory
    residuals: dict[str, Array]  # stock -> [S, T, P, C]
    params_digest: str
    demand_source: str

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.scenarios]

    @property
    def periods(self) -> list[str]:
        n = self.trajectory.stocks["supply"].shape[1]
        return [fy_label(self.start_year + t) for t in range(n)]

    @cached_property
    def max_residual(self) -> float:
        return max(float(np.abs(r).max(initial=0.0)) for r in self.residuals.values())

    @cached_property
    def min_stock(self) -> float:
        return min(float(self.trajectory.stocks[s].min()) for s in (*STOCKS, "posts"))

    @cached_property
    def scale(self) -> float:
        """The largest stock anywhere: rounding error grows with the size of the numbers."""
        return max(1.0, max(float(np.abs(self.trajectory.stocks[s]).max()) for s in STOCKS))

    @property
    def balanced(self) -> bool:
        limit = TOLERANCE * self.scale
        return self.max_residual <= limit and self.min_stock >= -limit

    def balance_note(self) -> str:
        """What the model says about its own books, for every output."""
        verdict = "Stocks balance" if self.balanced else "STOCKS DO NOT BALANCE"
        return (
            f"{verdict} every year: closing − opening = in − out for {', '.join(STOCKS)} in every "
            f"scenario, province and category (largest difference {self.max_residual:.1e} people; "
            f"smallest stock {self.min_stock:.1e})."
        )

    @cached_property
    def cells(self) -> dict[str, Array]:
        """Every output series, [S, T + 1, P, C]."""
        st, fl, co = self.trajectory.stocks, self.trajectory.flows, self.trajectory.series
        out = {
            "supply": st["supply"],
            "demand": st["demand"],
            "shortfall": np.maximum(st["demand"] - st["supply"], 0.0),
            "employed": st["employed"],
            "bonded": st["bonded"],
            "students": st["students"],
            "students_scholarship": st["students_scholarship"],
            "graduates": fl["graduates"],
            "hires": fl["hires_bonded"] + fl["hires_from_pool"],
            "leavers": fl["resignations"] + fl["emigration"] + fl["retirements"],
            "retirements": fl["retirements"],
            "unemployed": st["pool"],
            "unemployed_scholarship": st["pool_scholarship"],
            "lapsed": st["lapsed"],
            "funded_posts": st["posts"],
            **{k: co[k] for k in COST_COLUMNS[:-1]},
        }
        out["total_cost"] = co["post_cost"] + co["scholarship_cost"] + co["intervention_cost"]
        return out

    def national(self) -> pd.DataFrame:
        """One row per scenario and year; shortfall is the sum of the provinces' shortfalls."""
        rows = {k: v.sum((2, 3)) for k, v in self.cells.items()}
        return self._frame(rows, [self.names, self.periods], ["scenario", "period"])

    def table(self) -> pd.DataFrame:
        """One row per scenario, year, province and category (TABLE_COLUMNS)."""
        cats = [c.value for c in self.categories]
        index = [self.names, self.periods, list(self.provinces), cats]
        return self._frame(self.cells, index, ["scenario", "period", "province", "category"])

    def _frame(
        self, data: dict[str, Array], index: list[list[str]], names: list[str]
    ) -> pd.DataFrame:
        idx = pd.MultiIndex.from_product(index, names=names)
        frame = pd.DataFrame({k: v.reshape(-1) for k, v in data.items()}, index=idx).reset_index()
        for col in COST_COLUMNS:  # money: whole rands (DESIGN.md), blank in the opening year
            if frame[col].abs().max() >= MAX_RANDS:
                raise SSPError(
                    f"The projected {col.replace('_', ' ')} passes R{MAX_RANDS:.0e}, beyond any "
                    "budget. Fix: check the costs, intakes and growth rates in the parameters."
                )
            frame[col] = frame[col].round().astype("Int64")
        return frame

    def balance_table(self) -> pd.DataFrame:
        """National opening, in, out, closing and largest cell residual per stock and year."""
        st, fl = self.trajectory.stocks, self.trajectory.flows
        rows = []
        for s, name in enumerate(self.names):
            for t, period in enumerate(self.periods[1:], start=1):
                for stock, (ins, outs) in BALANCE.items():
                    rows.append(
                        {
                            "scenario": name,
                            "period": period,
                            "stock": stock,
                            "opening": st[stock][s, t - 1].sum(),
                            "inflow": sum(fl[n][s, t].sum() for n in ins),
                            "outflow": sum(fl[n][s, t].sum() for n in outs),
                            "closing": st[stock][s, t].sum(),
                            "max_cell_residual": float(
                                np.abs(self.residuals[stock][s, t - 1]).max()
                            ),
                        }
                    )
        return pd.DataFrame(rows)

    def comparison(self) -> pd.DataFrame:
        """Scenarios side by side against the baseline (the first): shortfall closed per rand."""
        c = self.cells
        return compare(
            self.names,
            c["shortfall"][:, 1:].sum((2, 3)),
            c["total_cost"][:, 1:].sum((2, 3)),
            c["unemployed"][:, 1:].sum((2, 3)),
        )
