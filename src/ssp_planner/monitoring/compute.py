"""Indicator values for any area level and set of periods, vectorised over a long frame.

Aggregation follows DHIS2's order: first each reporting area's values over the months of a
period (sum, average or last, by data element), then a plain sum over the areas under each
target area, and only then the indicator: Σ numerator ÷ Σ denominator × factor. A district's
ratio is therefore never an average of its municipalities' ratios.

Inputs (all pandas, no I/O):
- values: area_id, element, coc, period (DHIS2 string), value — any areas, any period types;
- areas: id, code, level, name, parent_id;
- area_values: area_id, indicator, value — stored area facts such as population.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.monitoring.framework import Aggregation, Framework, Indicator, Term
from ssp_planner.monitoring.periods import (
    Period,
    PeriodError,
    PeriodType,
    annualisation,
    parse_period,
    roll_up,
)
from ssp_planner.workforce.hierarchy import ancestor_at

VALUE_COLUMNS = ["area_id", "element", "coc", "period", "value"]
KEYS = ["element", "coc", "area_id", "period"]
RESULT_COLUMNS = ["indicator", "area_id", "period", "numerator", "denominator", "value"]


def compute_indicators(
    framework: Framework,
    values: pd.DataFrame,
    areas: pd.DataFrame,
    area_values: pd.DataFrame,
    *,
    level: AreaLevel,
    periods: Sequence[Period],
    codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per indicator × area at `level` × period: numerator, denominator and value.

    `value` is NaN where the numerator has no data or the denominator is zero or missing.
    """
    leaf = leaf_totals(framework, values, periods)
    up = ancestor_at(areas, level)
    rolled = _roll(leaf, up)
    ids = areas.loc[areas["level"] == level.value, "id"].astype("int64").to_numpy()
    names = [str(p) for p in periods]
    grid = pd.MultiIndex.from_product([ids, names], names=["area_id", "period"])
    ctx = _Context(leaf, rolled, up, areas, area_values, level, grid)
    scale = pd.Series([annualisation(p) for p in periods], index=names)
    frames = [
        _one(framework.indicators[code], code, ctx, scale)
        for code in (codes or list(framework.indicators))
    ]
    return pd.concat(frames, ignore_index=True)[RESULT_COLUMNS]


def element_totals(
    framework: Framework,
    values: pd.DataFrame,
    areas: pd.DataFrame,
    *,
    level: AreaLevel,
    periods: Sequence[Period],
) -> pd.DataFrame:
    """Data element totals per element × coc × area at `level` × period (aggregated as the
    framework says), for tables and the workload view."""
    rolled = _roll(leaf_totals(framework, values, periods), ancestor_at(areas, level))
    return rolled.rename(columns={"anc": "area_id"})


def leaf_totals(
    framework: Framework, values: pd.DataFrame, periods: Sequence[Period]
) -> pd.DataFrame:
    """Each reporting area's values combined over the source periods inside each target
    period, by the data element's aggregation. Columns: element, coc, area_id, period, value."""
    frame = values[VALUE_COLUMNS]
    source = frame["period"].astype("category")
    parsed = [_parse_or_none(str(p)) for p in source.cat.categories]
    codes = source.cat.codes.to_numpy()
    out = []
    by_type: dict[PeriodType, list[Period]] = {}
    for p in periods:
        by_type.setdefault(p.type, []).append(p)
    for ptype, targets in by_type.items():
        target_of, rank_of = _period_maps(parsed, ptype, targets)
        tgt = target_of[codes]
        mask = tgt >= 0
        if not mask.any():
            continue
        sub = frame.loc[mask, ["element", "coc", "area_id", "value"]]
        names = [str(t) for t in targets]
        sub = sub.assign(
            period=pd.Categorical.from_codes(tgt[mask], categories=names),
            rank=rank_of[codes[mask]],
        )
        out.append(_aggregate(framework, sub))
    if not out:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in KEYS}).assign(value=np.nan)
    return pd.concat(out, ignore_index=True)


def _parse_or_none(text: str) -> Period | None:
    try:
        return parse_period(text)
    except PeriodError:
        return None  # stored values are validated on import; a stray string adds to nothing


def _period_maps(
    parsed: list[Period | None], ptype: PeriodType, targets: list[Period]
) -> tuple[np.ndarray, np.ndarray]:
    """For each source period: index of the target containing it (-1: none) and its order."""
    index = {t: i for i, t in enumerate(targets)}
    target_of = np.full(len(parsed), -1, dtype=np.int64)
    rank_of = np.zeros(len(parsed), dtype=np.int64)
    for i, p in enumerate(parsed):
        if p is None:
            continue
        rank_of[i] = p.start.toordinal()
        try:
            target_of[i] = index.get(roll_up(p, ptype), -1)
        except PeriodError:
            continue  # a longer period than the target (a year asked for by quarter)
    return target_of, rank_of


def _aggregate(framework: Framework, sub: pd.DataFrame) -> pd.DataFrame:
    """Group by element × coc × area × target period, each element by its own aggregation
    (chosen per category code, not per row: five million string lookups cost seconds)."""
    element = sub["element"].astype("category")
    kinds = list(Aggregation)
    kind_of = np.array(
        [
            kinds.index(framework.data_elements[c].aggregation)
            if c in framework.data_elements
            else -1
            for c in element.cat.categories
        ],
        dtype=np.int64,
    )
    row_kind = kind_of[element.cat.codes.to_numpy()] if len(kind_of) else np.array([], int)
    func = {Aggregation.SUM: "sum", Aggregation.AVERAGE: "mean", Aggregation.LAST: "last"}
    parts = []
    for i, kind in enumerate(kinds):
        part = sub[row_kind == i]
        if part.empty:
            continue
        if kind is Aggregation.LAST:
            part = part.sort_values("rank", kind="stable")
        grouped = part.groupby(KEYS, observed=True, sort=False)["value"]
        parts.append(grouped.agg(func[kind]).reset_index())
    if not parts:
        return pd.DataFrame(columns=[*KEYS, "value"])
    return pd.concat(parts, ignore_index=True)


def _roll(leaf: pd.DataFrame, up: pd.Series) -> pd.DataFrame:
    """Sum the leaf totals into the areas of the target level (areas above it drop out)."""
    anc = leaf["area_id"].map(up)
    rolled = leaf.assign(anc=anc)[anc.notna().to_numpy()]
    keys = ["element", "coc", "anc", "period"]
    out = rolled.groupby(keys, observed=True, sort=False)["value"].sum().reset_index()
    out["anc"] = out["anc"].astype("int64")
    out["period"] = out["period"].astype(str)
    return out


class _Context:
    """What every term evaluation reads; built once per computation."""

    def __init__(
        self,
        leaf: pd.DataFrame,
        rolled: pd.DataFrame,
        up: pd.Series,
        areas: pd.DataFrame,
        area_values: pd.DataFrame,
        level: AreaLevel,
        grid: pd.MultiIndex,
    ) -> None:
        self.leaf, self.rolled, self.up, self.areas = leaf, rolled, up, areas
        self.area_values, self.level, self.grid = area_values, level, grid


def _one(ind: Indicator, code: str, ctx: _Context, scale: pd.Series) -> pd.DataFrame:
    num = _sum_terms(ind.numerator, ctx)
    den = _sum_terms(ind.denominator, ctx) if ind.denominator else None
    value = num * ind.factor
    if den is not None:
        value = value / den.where(den != 0)
    if ind.annualised:
        value = value * scale.reindex(ctx.grid.get_level_values("period")).to_numpy()
    out = pd.DataFrame(
        {"numerator": num, "denominator": den if den is not None else np.nan, "value": value},
        index=ctx.grid,
    ).reset_index()
    return out.assign(indicator=code)


def _sum_terms(terms: Sequence[Term], ctx: _Context) -> pd.Series:
    """Σ terms on the area × period grid; missing where no term has data (not zero)."""
    parts = [_term(t, ctx) for t in terms]
    return pd.concat(parts, axis=1).sum(axis=1, min_count=1)


def _term(term: Term, ctx: _Context) -> pd.Series:
    if term.area:
        per_area = area_totals(ctx.area_values, ctx.areas, ctx.level, term.area)
        ids = ctx.grid.get_level_values("area_id")
        return pd.Series(per_area.reindex(ids).to_numpy(), index=ctx.grid)
    if term.weight:
        return _weighted(term, ctx)
    rows = ctx.rolled[ctx.rolled["element"] == term.element]
    if term.coc:
        rows = rows[rows["coc"] == term.coc]
    summed = rows.groupby(["anc", "period"], sort=False)["value"].sum()
    summed.index.names = ["area_id", "period"]
    return summed.reindex(ctx.grid)


def _weighted(term: Term, ctx: _Context) -> pd.Series:
    """Each reporting area's total × its weight (own or inherited), then summed upwards."""
    rows = ctx.leaf[ctx.leaf["element"] == term.element]
    if term.coc:
        rows = rows[rows["coc"] == term.coc]
    weight = inherited(ctx.area_values, ctx.areas, str(term.weight))
    rows = rows.assign(
        value=rows["value"] * rows["area_id"].map(weight).fillna(0.0),
        anc=rows["area_id"].map(ctx.up),
    ).dropna(subset=["anc"])
    rows = rows.assign(area_id=rows["anc"].astype("int64"), period=rows["period"].astype(str))
    summed = rows.groupby(["area_id", "period"], sort=False)["value"].sum()
    return summed.reindex(ctx.grid)


def area_totals(
    area_values: pd.DataFrame, areas: pd.DataFrame, level: AreaLevel, name: str
) -> pd.Series:
    """`name` for each area at `level`: its own stored value, else the sum of its children's
    (each resolved the same way, bottom-up), since a count such as population adds up."""
    own = _own(area_values, name)
    parent = areas.set_index("id")["parent_id"].astype("Int64")
    by_level = areas.set_index("id")["level"]
    resolved = pd.Series(dtype=float)
    for lvl in reversed(list(AreaLevel)[level.depth :]):
        ids = by_level.index[by_level == lvl.value]
        children = resolved.groupby(parent.reindex(resolved.index)).sum(min_count=1)
        resolved = own.reindex(ids).fillna(children.reindex(ids))
    return resolved


def inherited(area_values: pd.DataFrame, areas: pd.DataFrame, name: str) -> pd.Series:
    """`name` for every area: its own value, else its nearest ancestor's (a flag such as
    'most deprived district' applies to everything inside the district)."""
    own = _own(area_values, name)
    parent = areas.set_index("id")["parent_id"]
    result = own.reindex(parent.index)
    current = parent
    for _ in AreaLevel:
        result = result.fillna(pd.Series(own.reindex(current).to_numpy(), index=parent.index))
        current = pd.Series(parent.reindex(current).to_numpy(), index=parent.index)
    return result


def _own(area_values: pd.DataFrame, name: str) -> pd.Series:
    rows = area_values[area_values["indicator"] == name]
    return rows.groupby("area_id")["value"].sum().astype(float)
