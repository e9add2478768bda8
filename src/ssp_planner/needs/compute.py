"""Need per base area and SSP category: ratio norms, WISN workload, supervisors.

For area a and category c (index names as in the code):

    ratio_practitioners[a]  = max over ratio norms r of  Σ_i target_i[a] ÷ per_r
    cases[a, s]             = Σ_i target_i[a] × prevalence_s × uptake_s        (service s)
    workload_hours[a]       = Σ_s cases[a, s] × minutes_s ÷ 60
    wisn_practitioners[a]   = Σ_s cases[a, s] ÷ SW_s × CAF + IAF                (wisn.py)
    practitioners[a]        = ratio, wisn, or the larger of the two (the category's method)
    supervisors[a]          = practitioners[a] ÷ supervisor_per
    required[a]             = practitioners[a] + supervisors[a]

`ratio_required` and `wisn_required` are total posts (practitioners + their supervisors) on
each basis, NaN where the method does not use that basis. Posts stay fractional (full-time
equivalents): rounding up per ward would inflate every total above it, so only displays round.
Everything is vectorised over areas; the only loops run over categories and their norms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from ssp_planner.domain.vocabulary import Category
from ssp_planner.errors import SSPError
from ssp_planner.needs import wisn
from ssp_planner.needs.norms import (
    AGE_SEX_GROUPS,
    POPULATION,
    CategoryNorms,
    Norms,
    NormsError,
    NormsProblem,
    missing_indicator_problems,
    required_indicators,
    supply_fix,
)
from ssp_planner.needs.scenario import Scenario, apply_scenario

Array = npt.NDArray[np.float64]
TargetFn = Callable[[list[str]], Array]
NEED_COLUMNS = [
    "area_code",
    "category",
    "method",
    "required_practitioners",
    "required_supervisors",
    "required",
    "workload_hours",
    "ratio_required",
    "wisn_required",
]


@dataclass(frozen=True)
class _Block:
    """The need of one category for every area (arrays aligned with the area index)."""

    category: Category
    method: str
    practitioners: Array
    supervisors: Array
    workload_hours: Array
    ratio_required: Array
    wisn_required: Array


def compute_need(
    indicators: pd.DataFrame, norms: Norms, *, scenario: Scenario | None = None
) -> pd.DataFrame:
    """Required posts per (area_code, category): one row each, columns NEED_COLUMNS.

    indicators: one row per base-level area (index = area code), one column per indicator.
    Raises NormsError when an indicator the norms need is absent, empty or negative.
    """
    _check_unique(indicators.index)
    if scenario is not None:
        indicators, norms = apply_scenario(indicators, norms, scenario)
    target = _target_reader(indicators, norms)
    awt = norms.awt_hours
    n = len(indicators)
    blocks = [_category_need(c, cat, target, awt, n) for c, cat in norms.categories.items()]
    return _long_frame(indicators.index, blocks)


def _check_unique(index: pd.Index) -> None:
    if index.has_duplicates:
        repeated = sorted(set(index[index.duplicated()].astype(str)))
        raise SSPError(
            f"Area codes repeat in the indicator table: {', '.join(repeated[:5])}. "
            "Fix: give one row per area."
        )


def _target_reader(indicators: pd.DataFrame, norms: Norms) -> TargetFn:
    """Check the indicators the norms need, then return target(names) -> Σ of their columns."""
    problems = missing_indicator_problems(norms, {str(c) for c in indicators.columns})
    if problems:
        raise NormsError(norms.origin, problems)
    columns = {name: _column(indicators, name) for name in required_indicators(norms)}
    problems = [
        p for name, values in columns.items() if (p := _bad_values(name, values, indicators, norms))
    ]
    if problems:
        raise NormsError(norms.origin, problems)

    def target(names: list[str]) -> Array:
        return np.sum([columns[n] for n in names], axis=0)

    return target


def _column(indicators: pd.DataFrame, name: str) -> Array:
    if name == POPULATION and name not in indicators:
        return indicators[list(AGE_SEX_GROUPS)].to_numpy(dtype=float).sum(axis=1)
    return indicators[name].to_numpy(dtype=float)


def _bad_values(
    name: str, values: Array, indicators: pd.DataFrame, norms: Norms
) -> NormsProblem | None:
    """A problem when some areas have no value (or a negative one) for an indicator."""
    bad = ~np.isfinite(values) | (values < 0)
    if not bad.any():
        return None
    codes = ", ".join(map(str, indicators.index[bad][:5])) + (", ..." if bad.sum() > 5 else "")
    key = required_indicators(norms)[name][0]
    problem = f"indicator `{name}` is missing or negative for {int(bad.sum())} area(s): {codes}."
    return NormsProblem(key, problem, supply_fix(name))


def _category_need(
    category: Category, cat: CategoryNorms, target: TargetFn, awt: float, n: int
) -> _Block:
    nan = np.full(n, np.nan)
    ratio = _ratio_practitioners(cat, target) if cat.uses_ratio else nan
    hours, work = _wisn_practitioners(cat, target, awt) if cat.uses_wisn else (nan, nan)
    practitioners = {"ratio": ratio, "wisn": work}.get(cat.method, np.fmax(ratio, work))
    share = 1.0 / cat.supervisor_per.value if cat.supervisor_per else 0.0
    return _Block(
        category=category,
        method=cat.method,
        practitioners=practitioners,
        supervisors=practitioners * share,
        workload_hours=hours,
        ratio_required=ratio * (1.0 + share),
        wisn_required=work * (1.0 + share),
    )


def _ratio_practitioners(cat: CategoryNorms, target: TargetFn) -> Array:
    """max over the category's ratio norms of target ÷ per: each norm is a floor."""
    per_norm = [target(r.target) / r.per.value for r in cat.ratios.values()]
    return np.max(per_norm, axis=0)


def _wisn_practitioners(cat: CategoryNorms, target: TargetFn, awt: float) -> tuple[Array, Array]:
    """(workload hours, WISN staff) = (Σ cases × minutes ÷ 60, Σ cases ÷ SW × CAF + IAF)."""
    services = list(cat.services.values())
    cases = [target(s.target) * s.prevalence.value * s.uptake.value for s in services]
    minutes = [s.minutes_per_case.value for s in services]
    hours = np.sum(
        [c * m / wisn.MINUTES_PER_HOUR for c, m in zip(cases, minutes, strict=True)], axis=0
    )
    standard = [wisn.standard_workload(awt, m) for m in minutes]
    extra = cat.individual.values()
    iaf = wisn.individual_allowance_factor(
        [a.hours_per_staff.value for a in extra], [a.staff.value for a in extra], awt
    )
    return hours, np.asarray(wisn.required_staff(cases, standard, cat.caf, iaf), dtype=float)


def _long_frame(index: pd.Index, blocks: list[_Block]) -> pd.DataFrame:
    """Stack the category blocks: rows are (area, category), category-major."""
    n = len(index)
    if not blocks:
        return pd.DataFrame(columns=NEED_COLUMNS)

    def stack(field: str) -> Array:
        return np.concatenate([getattr(b, field) for b in blocks])

    practitioners, supervisors = stack("practitioners"), stack("supervisors")
    return pd.DataFrame(
        {
            "area_code": np.tile(index.to_numpy(dtype=object), len(blocks)),
            "category": np.repeat([b.category.value for b in blocks], n),
            "method": np.repeat([b.method for b in blocks], n),
            "required_practitioners": practitioners,
            "required_supervisors": supervisors,
            "required": practitioners + supervisors,
            "workload_hours": stack("workload_hours"),
            "ratio_required": stack("ratio_required"),
            "wisn_required": stack("wisn_required"),
        }
    )
