"""Scenarios: named, reproducible changes to the baseline indicators and norms.

A scenario is a serialisable object (JSON or TOML) with a planning `year` and a list of
modifiers applied in order on top of the baseline:

- `new_law`: adds a WISN service to a category, or multiplies an existing service's uptake;
- `disaster`: multiplies chosen indicators in chosen areas for a period;
- `migrant_inflow`: adds people to chosen areas (population, age groups, migrants);
- `population_growth`: compounds an annual growth rate from a base year.

A modifier is active when `from_year <= year <= to_year` (either bound may be absent).
`apply_scenario` is pure: it returns new frames and norms and never changes its inputs, so
removing a modifier gives back exactly what the scenario without it gives.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from typing import Annotated, Any, Literal, Self

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ssp_planner.domain.vocabulary import Category
from ssp_planner.errors import SSPError
from ssp_planner.needs.norms import (
    AGE_SEX_GROUPS,
    POPULATION,
    WARDS,
    CategoryNorms,
    Norms,
    ServiceNorm,
    Sourced,
)

MIGRANTS = "migrants"


class ScenarioError(SSPError):
    """A scenario that cannot be read or applied; the message names it and the fix."""


class _Modifier(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    from_year: int | None = None
    to_year: int | None = None
    note: str = ""

    def active(self, year: int) -> bool:
        """Whether the modifier applies in the planning `year`."""
        starts = self.from_year is None or self.from_year <= year
        return starts and (self.to_year is None or year <= self.to_year)

    @model_validator(mode="after")
    def _period(self) -> Self:
        start, end = self.from_year, self.to_year
        if start is not None and end is not None and end < start:
            raise ValueError(f"to_year {self.to_year} is before from_year {self.from_year}")
        return self


class NewLaw(_Modifier):
    """A law adding a service (`add`) or raising the uptake of one (`uptake_multiplier`)."""

    kind: Literal["new_law"] = "new_law"
    category: Category
    service: str = Field(min_length=1)
    from_year: int
    add: ServiceNorm | None = None
    uptake_multiplier: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_change(self) -> Self:
        if (self.add is None) == (self.uptake_multiplier is None):
            raise ValueError("give exactly one of `add` (a new service) and `uptake_multiplier`")
        return self


class Disaster(_Modifier):
    """Demand for the chosen indicators in the chosen areas × `multiplier` during the period."""

    kind: Literal["disaster"] = "disaster"
    area_codes: list[str] = Field(min_length=1)
    indicators: list[str] = Field(min_length=1)
    multiplier: float = Field(ge=0)
    from_year: int
    to_year: int


class MigrantInflow(_Modifier):
    """`people` added to EACH listed area: to population, its age groups and migrants.

    Without `age_shares` the people are spread over the area's age/sex groups in proportion
    to its present population.
    """

    kind: Literal["migrant_inflow"] = "migrant_inflow"
    area_codes: list[str] = Field(min_length=1)
    people: float = Field(ge=0)
    age_shares: dict[str, float] | None = None

    @model_validator(mode="after")
    def _shares(self) -> Self:
        if self.age_shares is None:
            return self
        unknown = sorted(set(self.age_shares) - set(AGE_SEX_GROUPS))
        if unknown:
            raise ValueError(f"unknown age groups {unknown}; use {list(AGE_SEX_GROUPS)}")
        if min(self.age_shares.values(), default=0) < 0 or not math.isclose(
            sum(self.age_shares.values()), 1.0, abs_tol=1e-9
        ):
            raise ValueError("age_shares must be 0 or more and add up to 1")
        return self


class PopulationGrowth(_Modifier):
    """Every indicator but `exclude` × (1 + annual_rate) ^ (year − base_year).

    Case counts grow with the population they come from, so they are scaled too; `wards` (a
    count of administrative units) is excluded by default.
    """

    kind: Literal["population_growth"] = "population_growth"
    annual_rate: float = Field(gt=-1)
    base_year: int
    area_codes: list[str] | None = None
    exclude: list[str] = Field(default_factory=lambda: [WARDS])


Modifier = Annotated[
    NewLaw | Disaster | MigrantInflow | PopulationGrowth, Field(discriminator="kind")
]


class Scenario(BaseModel):
    """A named list of modifiers for a planning year; what is stored and hashed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100)
    description: str = ""
    year: int
    modifiers: list[Modifier] = Field(default_factory=list)

    def digest(self) -> str:
        """sha256 of the canonical JSON: the same scenario always gives the same digest."""
        body = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def without(self, index: int) -> Scenario:
        """The same scenario without modifier `index`."""
        kept = [m for i, m in enumerate(self.modifiers) if i != index]
        return self.model_copy(update={"modifiers": kept})

    def to_toml(self) -> str:
        """TOML text that `from_toml` reads back to an equal scenario."""
        return _toml_document(self.model_dump(mode="json", exclude_none=True))

    @classmethod
    def from_toml(cls, text: str, file_name: str = "scenario") -> Scenario:
        """Read a scenario file; problems raise ScenarioError naming the file and key."""
        try:
            return cls.model_validate(tomllib.loads(text))
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(
                f"{file_name}: not valid TOML: {exc}. Fix: correct that line."
            ) from exc
        except ValidationError as exc:
            lines = [
                f"- {'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}"
                for e in exc.errors()
            ]
            head = f"{file_name}: the scenario has {len(lines)} problem(s):"
            fix = (
                "Fix: each [[modifiers]] table needs `kind` (new_law, disaster, migrant_inflow "
                "or population_growth) and that kind's fields; see ssp_planner/needs/scenario.py."
            )
            raise ScenarioError("\n".join([head, *lines, fix])) from exc


# With no modifiers the year changes nothing; it only dates the baseline run.
BASELINE = Scenario(name="baseline", description="The indicators and norms as they are.", year=2025)


# --- applying ----------------------------------------------------------------------------------


def apply_scenario(
    indicators: pd.DataFrame, norms: Norms, scenario: Scenario
) -> tuple[pd.DataFrame, Norms]:
    """The indicators (rows = base areas by code, one column each) and norms under `scenario`.

    Pure: returns new objects. Raises ScenarioError naming the scenario, the modifier and the
    unknown area codes, indicators or services.
    """
    frame = indicators.astype("float64")  # a copy: the caller's frame is never changed
    for index, modifier in enumerate(scenario.modifiers):
        if not modifier.active(scenario.year):
            continue
        where = f"scenario '{scenario.name}', modifier {index} ({modifier.kind})"
        if isinstance(modifier, NewLaw):
            norms = _apply_law(norms, modifier, where)
        else:
            _apply_to_frame(frame, modifier, scenario.year, where)
    return frame, norms


def _apply_to_frame(
    frame: pd.DataFrame,
    modifier: Disaster | MigrantInflow | PopulationGrowth,
    year: int,
    where: str,
) -> None:
    if isinstance(modifier, Disaster):
        rows = _known_areas(frame, modifier.area_codes, where)
        frame.loc[rows, _columns(frame, modifier.indicators, where)] *= modifier.multiplier
    elif isinstance(modifier, MigrantInflow):
        _add_migrants(frame, modifier, _known_areas(frame, modifier.area_codes, where), where)
    else:
        rows = _known_areas(frame, modifier.area_codes or list(frame.index), where)
        cols = [c for c in frame.columns if c not in set(modifier.exclude)]
        frame.loc[rows, cols] *= (1.0 + modifier.annual_rate) ** (year - modifier.base_year)


def _known_areas(frame: pd.DataFrame, codes: list[str], where: str) -> list[str]:
    unique = list(dict.fromkeys(codes))
    unknown = [c for c in unique if c not in frame.index]
    if unknown:
        sample = ", ".join(map(str, list(frame.index[:3])))
        raise ScenarioError(
            f"{where}: unknown area codes {', '.join(unknown)}. "
            f"Fix: use codes of the areas in the indicator table (e.g. {sample})."
        )
    return unique


def _columns(frame: pd.DataFrame, names: list[str], where: str) -> list[str]:
    """Indicator columns for `names`; `population` means its age groups when it has no column."""
    cols: list[str] = []
    for name in names:
        if name == POPULATION and name not in frame and set(AGE_SEX_GROUPS) <= set(frame.columns):
            cols += list(AGE_SEX_GROUPS)
        elif name in frame:
            cols.append(name)
        else:
            raise ScenarioError(
                f"{where}: unknown indicator '{name}'. "
                f"Fix: use one of the indicator columns: {', '.join(map(str, frame.columns))}."
            )
    return list(dict.fromkeys(cols))


def _add_migrants(frame: pd.DataFrame, inflow: MigrantInflow, rows: list[str], where: str) -> None:
    groups = [g for g in AGE_SEX_GROUPS if g in frame]
    if POPULATION not in frame and not groups:
        raise ScenarioError(
            f"{where}: the indicator table has neither `population` nor population_* age groups "
            "to add the migrants to. Fix: import population figures for the areas."
        )
    if POPULATION in frame:
        frame.loc[rows, POPULATION] += inflow.people
    if inflow.age_shares is not None:
        missing = [g for g in inflow.age_shares if g not in frame]
        if missing:
            raise ScenarioError(
                f"{where}: age_shares name groups the indicator table lacks: "
                f"{', '.join(missing)}. Fix: import them, or leave age_shares out."
            )
        for group, share in inflow.age_shares.items():
            frame.loc[rows, group] += inflow.people * share
    elif groups:
        current = frame.loc[rows, groups]
        total = current.sum(axis=1)
        shares = current.div(total.where(total > 0), axis=0).fillna(1.0 / len(groups))
        frame.loc[rows, groups] += shares * inflow.people
    if MIGRANTS in frame:
        frame.loc[rows, MIGRANTS] += inflow.people


def _apply_law(norms: Norms, law: NewLaw, where: str) -> Norms:
    cat = norms.categories.get(law.category)
    if cat is None:
        raise ScenarioError(
            f"{where}: the norms have no category '{law.category}'. Fix: add its norms."
        )
    if not cat.uses_wisn:
        raise ScenarioError(
            f"{where}: {law.category} uses method '{cat.method}', so a WISN service would not "
            f"count. Fix: set method = 'max' or 'wisn' for {law.category} in your norms file."
        )
    services = dict(cat.services)
    services[law.service] = _changed_service(cat, law, where)
    new_cat: CategoryNorms = cat.model_copy(update={"services": services})
    return norms.model_copy(update={"categories": {**norms.categories, law.category: new_cat}})


def _changed_service(cat: CategoryNorms, law: NewLaw, where: str) -> ServiceNorm:
    existing = cat.services.get(law.service)
    if law.add is not None:
        if existing is not None:
            raise ScenarioError(
                f"{where}: service '{law.service}' already exists for {law.category}. "
                "Fix: give it another name, or use uptake_multiplier to change its uptake."
            )
        return law.add
    if existing is None:
        raise ScenarioError(
            f"{where}: {law.category} has no service '{law.service}'. "
            f"Fix: use one of {', '.join(cat.services)}, or `add` the service."
        )
    multiplier = float(law.uptake_multiplier or 0.0)
    uptake = Sourced(
        value=min(1.0, existing.uptake.value * multiplier),  # uptake cannot exceed everyone
        source=f"{where}: uptake × {multiplier:g} (capped at 1)",
        assumption=existing.uptake.assumption,
        note=existing.uptake.note,
    )
    return existing.model_copy(update={"uptake": uptake})


# --- TOML writing (tomllib only reads) ---------------------------------------------------------

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_document(data: dict[str, Any]) -> str:
    lines = [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in data.items() if k != "modifiers"]
    for modifier in data.get("modifiers", []):
        lines += ["", "[[modifiers]]"]
        ordered = {"kind": modifier["kind"], **modifier}  # the kind first, for the reader
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in ordered.items()]
    return "\n".join(lines) + "\n"


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    # JSON escapes are valid TOML basic-string escapes; TOML also forbids a raw DEL.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return (
            repr(value) if math.isfinite(value) else ("nan" if math.isnan(value) else f"{value:+}")
        )
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
