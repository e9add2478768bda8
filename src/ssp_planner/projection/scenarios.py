"""Retention and recruitment scenarios: interventions with an effect and a cost.

A scenario is a named list of interventions, read from TOML or JSON (the bundled examples are in
`scenarios.toml`). Each intervention changes its scenario's copy of the model's drivers:

    retention     resignation and emigration × (1 − reduction · a), a = share of the posts it
                  reaches (rural share for where = "rural"); cost: cost_per_post × a × employed
    scholarships  + extra_intake first-year scholarship holders a year (their bursaries cost
                  scholarship.cost_per_student_year each, counted for every scenario)
    absorption    funded vacancies filled within a year := fill_rate; cost: cost_per_hire × hires
    new_posts     + budget rands a year for new posts, + growth of the funded establishment
    demand        need × factor × (1 + extra_growth)^years (a law, a disaster, a norm change)

`compare` sets every scenario against the baseline: shortfall closed per rand spent.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ssp_planner.domain.vocabulary import Category, Sector
from ssp_planner.errors import SSPError
from ssp_planner.projection.params import check_province, parse_fy
from ssp_planner.projection.sourced import (
    ConfigError,
    Problem,
    config_error,
    digest,
    parse_toml,
    validate_config,
)
from ssp_planner.projection.stockflow import SCHOLARSHIP, Array, Drivers

BASELINE = "baseline"
PACKAGE_FILE = "ssp_planner/projection/scenarios.toml"
WHAT = "scenarios"


@dataclass(frozen=True)
class Context:
    """What interventions need to know about the run: its axes and the opening position."""

    start_year: int
    years: int
    provinces: tuple[str, ...]
    categories: tuple[Category, ...]
    sectors: tuple[Sector, ...]
    funded: np.ndarray  # [K] bool
    rural_share: Array  # [P, C, K]
    province_share: Array  # [P]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    from_period: str | None = None

    @field_validator("from_period")
    @classmethod
    def _period(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            parse_fy(v)
        except ValueError as exc:
            raise config_error(
                str(exc), "write the first year as YYYYApril, e.g. 2028April"
            ) from None
        return v

    def first(self, ctx: Context) -> int:
        """Index of the first projected year the intervention acts in (0 = the first year)."""
        if self.from_period is None:
            return 0
        t = parse_fy(self.from_period) - ctx.start_year - 1
        if not 0 <= t < ctx.years:
            raise SSPError(
                f"from_period {self.from_period} is outside the projected years "
                f"{ctx.start_year + 1}April-{ctx.start_year + ctx.years}April. "
                "Fix: choose a year inside."
            )
        return t


class _Targeted(_Base):
    """An intervention aimed at some provinces and categories (empty lists: all)."""

    provinces: list[str] = Field(default_factory=list)
    categories: list[Category] = Field(default_factory=list)

    @field_validator("provinces")
    @classmethod
    def _known(cls, v: list[str], info: ValidationInfo) -> list[str]:
        return [check_province(p, info) for p in v]

    def cells(self, ctx: Context) -> Array:
        """[P, C] 1.0 where the intervention applies."""
        p = np.array([not self.provinces or x in self.provinces for x in ctx.provinces])
        c = np.array([not self.categories or x in self.categories for x in ctx.categories])
        return (p[:, None] & c[None, :]).astype(float)


class Retention(_Targeted):
    """Fewer people leave: resignation and emigration fall by `reduction` where it applies."""

    kind: Literal["retention"]
    reduction: float = Field(gt=0, le=1)
    where: Literal["all", "rural"] = "all"
    sectors: list[Sector] = Field(default_factory=list)  # empty: the funded sectors
    cost_per_post: int = Field(ge=0)

    def apply(self, d: Drivers, s: int, ctx: Context) -> None:
        k = np.array(
            [
                x in self.sectors if self.sectors else f
                for x, f in zip(ctx.sectors, ctx.funded, strict=True)
            ]
        )
        reach = self.cells(ctx)[..., None] * k  # [P, C, K]
        if self.where == "rural":
            reach = reach * ctx.rural_share
        t = self.first(ctx)
        d.retention[s, t:] *= 1.0 - self.reduction * reach
        d.retention_cost[s, t:] += self.cost_per_post * reach


class Scholarships(_Targeted):
    """`extra_intake` more first-year scholarship holders a year in each listed category,
    split over the provinces it names (all: by population)."""

    kind: Literal["scholarships"]
    extra_intake: float = Field(gt=0)
    categories: list[Category] = Field(default_factory=lambda: [Category.SOCIAL_WORKER])

    def apply(self, d: Drivers, s: int, ctx: Context) -> None:
        cells = self.cells(ctx) * ctx.province_share[:, None]
        per_category = cells.sum(axis=0, keepdims=True)
        split = np.divide(cells, per_category, out=np.zeros_like(cells), where=per_category > 0)
        d.intake[s, self.first(ctx) :, :, :, SCHOLARSHIP] += split * self.extra_intake


class Absorption(_Targeted):
    """Faster recruitment: this share of funded vacancies is filled within a year."""

    kind: Literal["absorption"]
    fill_rate: float = Field(gt=0, le=1)
    cost_per_hire: int = Field(default=0, ge=0)

    def apply(self, d: Drivers, s: int, ctx: Context) -> None:
        cells, t = self.cells(ctx) > 0, self.first(ctx)
        d.fill[s, t:] = np.where(cells, self.fill_rate, d.fill[s, t:])
        d.hire_cost[s, t:] += self.cost_per_hire * cells


class NewPosts(_Base):
    """More money for new funded posts (placed where need exceeds posts) or faster growth."""

    kind: Literal["new_posts"]
    budget: int = Field(default=0, ge=0)
    growth: float = Field(default=0.0, ge=-0.5, le=1)

    def apply(self, d: Drivers, s: int, ctx: Context) -> None:
        t = self.first(ctx)
        d.budget[s, t:] += self.budget
        d.growth[s, t:] += self.growth


class DemandChange(_Targeted):
    """Need changes: × factor from the first year, and grows `extra_growth` faster a year."""

    kind: Literal["demand"]
    factor: float = Field(default=1.0, gt=0, le=10)
    extra_growth: float = Field(default=0.0, ge=-0.5, le=1)

    def apply(self, d: Drivers, s: int, ctx: Context) -> None:
        t0 = self.first(ctx) + 1  # demand has the opening year at index 0
        steps = np.arange(d.demand.shape[1] - t0) + 1
        scale = self.factor * (1.0 + self.extra_growth) ** steps
        cells = self.cells(ctx)
        d.demand[s, t0:] *= 1.0 + (scale[:, None, None] - 1.0) * cells


Intervention = Annotated[
    Retention | Scholarships | Absorption | NewPosts | DemandChange, Field(discriminator="kind")
]


class Scenario(BaseModel):
    """A named set of interventions; the baseline has none."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100)
    description: str = ""
    interventions: list[Intervention] = Field(default_factory=list)

    def digest(self) -> str:
        return digest(self)


BASELINE_SCENARIO = Scenario(name=BASELINE, description="today's parameters, no intervention")


def apply_scenarios(drivers: Drivers, scenarios: Sequence[Scenario], ctx: Context) -> None:
    """Each scenario's interventions change its own slice of the drivers."""
    for s, scenario in enumerate(scenarios):
        for n, item in enumerate(scenario.interventions):
            try:
                item.apply(drivers, s, ctx)
            except SSPError as exc:
                raise SSPError(
                    f"scenario '{scenario.name}', intervention {n + 1} ({item.kind}): {exc}"
                ) from None
    drivers.names = [s.name for s in scenarios]


# --- reading -----------------------------------------------------------------------------------


def read_scenarios(path: Path, *, provinces: tuple[str, ...] | None = None) -> list[Scenario]:
    """Every scenario in a TOML or JSON file: {name: {description, interventions: [...]}}."""
    name = str(path)
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise ConfigError(
            name,
            [Problem("(file)", f"cannot be read: {exc.strerror or exc}.", "check the path")],
            WHAT,
        ) from exc
    return scenarios_from_text(text, name, provinces=provinces)


def scenarios_from_text(
    text: str, file_name: str, *, provinces: tuple[str, ...] | None = None
) -> list[Scenario]:
    data = _parse(text, file_name)
    context = {"provinces": provinces} if provinces else {}
    out = []
    for key, body in data.items():
        if not isinstance(body, dict):
            raise ConfigError(
                file_name,
                [
                    Problem(
                        key,
                        "is not a scenario table.",
                        "write [name] with description and [[name.interventions]]",
                    )
                ],
                WHAT,
            )
        out.append(
            validate_config(
                _Named, {"scenario": {"name": key, **body}}, file_name, what=WHAT, context=context
            ).scenario
        )
    if not out:
        raise ConfigError(
            file_name,
            [
                Problem(
                    "(file)", "holds no scenario.", "add a table [my_scenario] with interventions"
                )
            ],
            WHAT,
        )
    return out


class _Named(BaseModel):
    """Wrapper so that error keys read `scenario.interventions.0.reduction`."""

    scenario: Scenario


def _parse(text: str, file_name: str) -> dict[str, Any]:
    if file_name.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                file_name,
                [Problem("(syntax)", f"is not valid JSON: {exc}.", "correct the line named")],
                WHAT,
            ) from exc
        if not isinstance(data, dict):
            raise ConfigError(
                file_name,
                [
                    Problem(
                        "(top level)",
                        "is not an object of named scenarios.",
                        'write {"name": {...}}',
                    )
                ],
                WHAT,
            )
        return data
    return parse_toml(text, file_name, WHAT)


@lru_cache(maxsize=1)
def _bundled_text() -> str:
    return resources.files("ssp_planner.projection").joinpath("scenarios.toml").read_text("utf-8")


def bundled_scenarios() -> list[Scenario]:
    return scenarios_from_text(_bundled_text(), PACKAGE_FILE)


def resolve_scenarios(
    specs: Sequence[str], *, provinces: tuple[str, ...] | None = None
) -> list[Scenario]:
    """Each spec is a bundled scenario's name, `all` (every bundled one), or a TOML/JSON file."""
    bundled = {s.name: s for s in bundled_scenarios()}
    out: list[Scenario] = []
    for spec in specs:
        if spec == "all":
            out += bundled.values()
        elif spec in bundled:
            out.append(bundled[spec])
        elif Path(spec).suffix.lower() in (".toml", ".json"):
            out += read_scenarios(Path(spec), provinces=provinces)
        else:
            raise SSPError(
                f"Unknown scenario '{spec}'. Fix: name a bundled scenario "
                f"({', '.join(bundled)}), 'all', or a .toml/.json file of scenarios."
            )
    return _unique([s for s in out if s.name != BASELINE])


def _unique(scenarios: list[Scenario]) -> list[Scenario]:
    seen: dict[str, Scenario] = {}
    for s in scenarios:
        if s.name in seen and seen[s.name] != s:
            raise SSPError(
                f"Two different scenarios are called '{s.name}'. Fix: rename one of them."
            )
        seen[s.name] = s
    return list(seen.values())


# --- comparison --------------------------------------------------------------------------------


def compare(names: Sequence[str], shortfall: Array, cost: Array, unemployed: Array) -> pd.DataFrame:
    """Every scenario against the first (the baseline): shortfall closed per rand.

    shortfall, cost, unemployed: national [S, T] over the projected years (shortfall summed
    over provinces and categories, never netted). Post-years closed = Σt baseline − scenario.
    """
    closed = shortfall[0].sum() - shortfall.sum(axis=1)
    extra = cost.sum(axis=1) - cost[0].sum()
    per_million = np.divide(closed, extra / 1e6, out=np.full_like(closed, np.nan), where=extra > 0)
    per_post_year = np.divide(extra, closed, out=np.full_like(closed, np.nan), where=closed > 0)
    return pd.DataFrame(
        {
            "scenario": list(names),
            "shortfall_final_year": shortfall[:, -1],
            "shortfall_post_years": shortfall.sum(axis=1),
            "post_years_closed": closed,
            "final_year_closed": shortfall[0, -1] - shortfall[:, -1],
            "extra_cost_rands": np.rint(extra).astype(np.int64),
            "post_years_closed_per_r1m": per_million,
            "rands_per_post_year_closed": np.rint(per_post_year),
            "unemployed_final_year": unemployed[:, -1],
        }
    )
