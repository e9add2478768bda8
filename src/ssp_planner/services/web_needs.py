"""Needs results for the web, read from stored runs (a page view never recomputes), and
scenario comparisons limited to the caller's areas."""

from __future__ import annotations

import math

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Engine, select

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.domain.vocabulary import Category
from ssp_planner.errors import NotFoundError, SSPError
from ssp_planner.services.needs import compare_scenarios, list_scenarios
from ssp_planner.services.web_cache import cached
from ssp_planner.services.web_maps import MapData, map_or_note
from ssp_planner.services.web_queries import RunInfo, latest_run, recent_runs
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, NeedsResult
from ssp_planner.web.roles import Scope

CATEGORIES = ("all", *(c.value for c in Category))
VALUES = ("required", "filled", "vacant_funded", "gap", "coverage", "per_100k", "wisn_ratio")
MAP_VALUES = {
    "gap": "Gap (posts; + shortage, − surplus)",
    "coverage": "Coverage (filled ÷ required)",
    "per_100k": "SSPs per 100,000 people",
}


class NeedsRow(BaseModel):
    code: str
    name: str
    required: float
    filled: float
    vacant_funded: float
    gap: float
    coverage: float | None
    per_100k: float | None
    wisn_ratio: float | None


class NeedsView(BaseModel):
    run: RunInfo
    level: str
    category: str
    map_value: str
    rows: list[NeedsRow]
    total: NeedsRow | None  # the scope's own total (country or province) for the category
    gap_map: MapData | None
    map_note: str | None


class NeedsPage(BaseModel):
    """Everything the needs page shows: the chosen run's view (None before any run), the runs
    to choose from, the scenarios to run, and the levels this user may tabulate."""

    view: NeedsView | None
    runs: list[RunInfo]
    scenarios: list[str]
    levels: list[str]


class Comparison(BaseModel):
    scenarios: list[str]
    level: str
    category: str
    columns: list[str]
    rows: list[dict[str, str | float | None]]


def levels_for(scope: Scope) -> list[str]:
    """Levels a user may tabulate: the country row only for national users."""
    top = AreaLevel.COUNTRY if scope.national else AreaLevel.PROVINCE
    return [lv.value for lv in AreaLevel if top.depth <= lv.depth <= AreaLevel.MUNICIPALITY.depth]


def needs_view(
    engine: Engine,
    scope: Scope,
    *,
    run_id: int | None,
    level: str,
    category: str,
    map_value: str = "gap",
) -> NeedsView:
    """Stored results of one run (default: the newest) at `level` for `category`, in scope."""
    if level not in levels_for(scope):
        raise SSPError(f"Level '{level}' is not available. Fix: use one of {levels_for(scope)}.")
    if category not in CATEGORIES:
        raise SSPError(f"Unknown category '{category}'. Fix: use one of {', '.join(CATEGORIES)}.")
    if map_value not in MAP_VALUES:
        raise SSPError(f"Cannot map '{map_value}'. Fix: use one of {', '.join(MAP_VALUES)}.")
    run = latest_run(engine, run_id)
    if run is None:
        raise NotFoundError(
            "No needs run found. Fix: start one with the 'Run needs' button (or `ssp needs`)."
        )
    key = ("needs", scope.province, run.id, level, category, map_value)
    return cached(engine, key, lambda: _view(engine, scope, run, level, category, map_value))


def needs_page(
    engine: Engine, scope: Scope, *, run_id: int | None, level: str, category: str, map_value: str
) -> NeedsPage:
    has_run = latest_run(engine) is not None
    return NeedsPage(
        view=needs_view(
            engine, scope, run_id=run_id, level=level, category=category, map_value=map_value
        )
        if has_run
        else None,
        runs=recent_runs(engine),
        scenarios=[s.name for s in list_scenarios(engine)],
        levels=levels_for(scope),
    )


def _view(
    engine: Engine, scope: Scope, run: RunInfo, level: str, category: str, map_value: str
) -> NeedsView:
    rows = _rows(engine, scope, run.id, level, category)
    top = AreaLevel.COUNTRY.value if scope.national else AreaLevel.PROVINCE.value
    total = _rows(engine, scope, run.id, top, category)
    frame = pd.DataFrame([r.model_dump() for r in rows])
    gap_map, note = None, None
    if not frame.empty:
        frame["coverage_shown"] = frame["coverage"].map(_pct)
        gap_map, note = map_or_note(
            engine,
            level,
            frame.rename(columns={"coverage_shown": "coverage %"}),
            value=map_value,
            title=f"{MAP_VALUES[map_value].split(' (')[0]}: {_what(category)}, "
            f"by {level} (needs run {run.id}, scenario '{run.scenario_name}')",
            legend=MAP_VALUES[map_value],
            diverging=map_value == "gap",
            hover=("required", "filled", "gap", "coverage %"),
            codes=set(frame["code"]),
        )
    return NeedsView(
        run=run,
        level=level,
        category=category,
        map_value=map_value,
        rows=rows,
        total=total[0] if total else None,
        gap_map=gap_map,
        map_note=note,
    )


def _rows(engine: Engine, scope: Scope, run_id: int, level: str, category: str) -> list[NeedsRow]:
    query = (
        select(Area.id, Area.code, Area.name, *(getattr(NeedsResult, v) for v in VALUES))
        .join(Area, Area.id == NeedsResult.area_id)
        .where(
            NeedsResult.run_id == run_id,
            NeedsResult.category == category,
            Area.level == level,
        )
        .order_by(NeedsResult.gap.desc(), Area.code)
    )
    if scope.area_ids is not None:
        query = query.where(Area.id.in_(sorted(scope.area_ids)))
    with session_scope(engine) as session:
        found = session.execute(query).all()
    return [NeedsRow(**{k: _clean(v) for k, v in r._mapping.items() if k != "id"}) for r in found]


def compare_view(
    engine: Engine, scope: Scope, names: list[str], *, level: str, category: str
) -> Comparison:
    """Scenarios side by side (runs each, as the CLI does), rows limited to the scope."""
    if level not in levels_for(scope) or (level == AreaLevel.COUNTRY.value and not scope.national):
        raise SSPError(f"Level '{level}' is not available. Fix: use one of {levels_for(scope)}.")
    wide = compare_scenarios(engine, names, level=AreaLevel(level))
    wide = wide[wide["category"] == category]
    if not scope.national:
        with session_scope(engine) as session:
            codes = set(
                session.scalars(
                    select(Area.code).where(
                        Area.level == level, Area.id.in_(sorted(scope.area_ids or ()))
                    )
                )
            )
        wide = wide[wide["code"].isin(codes)]
    columns = [c for c in wide.columns if c != "category"]
    rows = [{c: _clean(r[c]) for c in columns} for _, r in wide.iterrows()]
    return Comparison(scenarios=names, level=level, category=category, columns=columns, rows=rows)


def _clean(x: object) -> object:
    if isinstance(x, float) and math.isnan(x):
        return None
    if x is pd.NA:
        return None
    if hasattr(x, "item"):  # numpy scalar → Python
        return _clean(x.item())
    return x


def _pct(x: object) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{float(x):.0%}"  # type: ignore[arg-type]


def _what(category: str) -> str:
    return "all SSP categories" if category == "all" else Category(category).label.lower() + "s"
