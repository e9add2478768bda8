"""Read models for the web pages and their JSON twins: dashboard, area tree and drill-down.

Every function takes the caller's `Scope` and returns only areas inside it, so a provincial
planner's pages and API answers are filtered here, once, not in each route. Results are
pydantic models: the JSON API returns them as they are, the templates read the same objects.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

import pandas as pd
from pydantic import BaseModel, BeforeValidator
from sqlalchemy import ColumnElement, Engine, Select, inspect, select

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.domain.vocabulary import Category
from ssp_planner.errors import NotFoundError
from ssp_planner.needs import BASELINE
from ssp_planner.services.areas import areas_frame
from ssp_planner.services.summary import inventory_summary, synthetic_sources
from ssp_planner.services.web_cache import cached
from ssp_planner.services.web_maps import MapData, map_or_note
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, Base, NeedsResult, NeedsRun
from ssp_planner.web.roles import Scope

ALL = "all"


def blank_is_none(value: object) -> object:
    """A form's empty field means 'the default' (None), not a value to validate."""
    return None if value == "" else value


BlankIsNone = BeforeValidator(blank_is_none)  # for Annotated[X | None, BlankIsNone] fields


Run = TypeVar("Run", bound=Base)


def newest_first(model: type[Run], limit: int) -> Select[Run]:
    """The `limit` newest stored runs of `model` (highest id first: a run list, or the newest)."""
    return select(model).order_by(_key(model).desc()).limit(limit)


def run_or_newest(model: type[Run], run_id: int | None) -> Select[Run]:
    """The stored run `run_id`, or the newest when None (what a run page shows by default)."""
    return newest_first(model, 1) if run_id is None else select(model).where(_key(model) == run_id)


def _key(model: type[Base]) -> ColumnElement[int]:
    return inspect(model).primary_key[0]


class RunInfo(BaseModel):
    id: int
    scenario_name: str
    norms_version: str
    created_at: datetime
    synthetic: bool
    inputs_digest: str


class AreaFigures(BaseModel):
    """One area's counts (category 'all') and, when a needs run exists, its need and gap."""

    code: str
    name: str
    level: str
    headcount: int
    posts_filled: int
    posts_vacant_funded: int
    vacancy_rate: float | None
    population: int | None
    population_estimated: bool
    per_100k: float | None
    required: float | None = None
    gap: float | None = None
    coverage: float | None = None


class CategoryFigures(BaseModel):
    category: str
    label: str
    headcount: int
    per_100k: float | None
    posts_filled: int
    posts_vacant_funded: int


class Dashboard(BaseModel):
    area: AreaFigures  # the country, or the user's province
    categories: list[CategoryFigures]
    areas: list[AreaFigures]  # provinces, or the province's districts
    needs_run: RunInfo | None
    gap_map: MapData | None
    map_note: str | None
    synthetic: list[str]
    population_basis: str


class AreaNode(BaseModel):
    code: str
    name: str
    level: str
    headcount: int
    per_100k: float | None
    children: list[AreaNode] = []


class AreaTree(BaseModel):
    nodes: list[AreaNode]
    density_map: MapData | None
    map_note: str | None


class Crumb(BaseModel):
    code: str | None  # None: the country (the tree's root page)
    name: str


class AreaDetail(BaseModel):
    area: AreaFigures
    breadcrumbs: list[Crumb]
    child_level: str
    children: list[AreaFigures]
    drillable: bool  # children have pages of their own (provinces → districts)
    needs_run: RunInfo | None
    gap_map: MapData | None
    map_note: str | None
    synthetic: list[str]


def dashboard(engine: Engine, scope: Scope) -> Dashboard:
    """Headline numbers for the user's whole area, its parts, and the latest gap map."""
    return cached(engine, ("dashboard", scope.province), lambda: _dashboard(engine, scope))


def _dashboard(engine: Engine, scope: Scope) -> Dashboard:
    top_level = AreaLevel.COUNTRY if scope.national else AreaLevel.PROVINCE
    part_level = AreaLevel.PROVINCE if scope.national else AreaLevel.DISTRICT
    top = _summary(engine, top_level, scope)
    run = headline_run(engine)
    parts = _figures(engine, part_level, scope, run)
    if top.empty or not len(parts):
        raise NotFoundError("No areas are loaded. Fix: run `ssp demo` or `ssp areas load`.")
    area = _to_figures(top[top["category"] == ALL].iloc[0], top_level.value)
    gap_map, note = _gap_map(engine, run, part_level, parts, scope)
    return Dashboard(
        area=area,
        categories=[_category(r) for _, r in top[top["category"] != ALL].iterrows()],
        areas=parts,
        needs_run=run,
        gap_map=gap_map,
        map_note=note,
        synthetic=synthetic_sources(engine),
        population_basis=str(top["basis"].iloc[0]),
    )


def area_tree(engine: Engine, scope: Scope) -> AreaTree:
    """Country → provinces → districts (scoped users: their province only) with head-counts,
    and a map of SSPs per 100,000 people by province (or the province's districts)."""
    return cached(engine, ("tree", scope.province), lambda: _tree(engine, scope))


def _tree(engine: Engine, scope: Scope) -> AreaTree:
    provinces = _summary(engine, AreaLevel.PROVINCE, scope)
    provinces = provinces[provinces["category"] == ALL]
    districts = _summary(engine, AreaLevel.DISTRICT, scope)
    districts = districts[districts["category"] == ALL]
    nodes = [
        _node(
            p,
            "province",
            [
                _node(d, "district")
                for _, d in districts[districts["province"] == p["code"]].iterrows()
            ],
        )
        for _, p in provinces.iterrows()
    ]
    level, rows = (
        (AreaLevel.PROVINCE, provinces) if scope.national else (AreaLevel.DISTRICT, districts)
    )
    density, note = _density_map(engine, level, rows)
    if scope.national:
        country = _summary(engine, AreaLevel.COUNTRY, scope)
        nodes = [_node(country[country["category"] == ALL].iloc[0], "country", nodes)]
    return AreaTree(nodes=nodes, density_map=density, map_note=note)


def _node(row: pd.Series, level: str, children: list[AreaNode] | None = None) -> AreaNode:
    return AreaNode(
        code=str(row["code"]),
        name=str(row["name"]),
        level=level,
        headcount=int(row["headcount"]),
        per_100k=_opt(row["per_100k"]),
        children=children or [],
    )


def _density_map(
    engine: Engine, level: AreaLevel, rows: pd.DataFrame
) -> tuple[MapData | None, str | None]:
    frame = rows.assign(population=rows["population"].astype("Float64"))
    return map_or_note(
        engine,
        level.value,
        frame,
        value="per_100k",
        title=f"SSPs per 100,000 people, by {level.value}",
        legend="SSPs per 100,000 people",
        hover=("headcount", "population", "per_100k"),
        codes=set(frame["code"]),
    )


def area_detail(engine: Engine, scope: Scope, code: str) -> AreaDetail:
    """A province (its districts) or a district (its municipalities); 404 outside the scope."""
    return cached(engine, ("area", scope.province, code), lambda: _detail(engine, scope, code))


def _detail(engine: Engine, scope: Scope, code: str) -> AreaDetail:
    with session_scope(engine) as session:
        areas = areas_frame(session)
    area = _find(areas, code, scope)
    level = AreaLevel(area["level"])
    child_level = list(AreaLevel)[level.depth + 1]
    run = headline_run(engine)
    children = _figures(engine, child_level, scope, run, parent_id=int(area["id"]))
    mine = _summary(engine, level, scope)
    row = mine[(mine["code"] == code) & (mine["category"] == ALL)].iloc[0]
    gap_map, note = _gap_map(engine, run, child_level, children, scope)
    return AreaDetail(
        area=_to_figures(row, level.value),
        breadcrumbs=_crumbs(areas, area, scope),
        child_level=child_level.value,
        children=children,
        drillable=child_level is AreaLevel.DISTRICT,
        needs_run=run,
        gap_map=gap_map,
        map_note=note,
        synthetic=synthetic_sources(engine),
    )


def latest_run(engine: Engine, run_id: int | None = None) -> RunInfo | None:
    """The newest needs run (or `run_id`); None when needs were never computed."""
    with session_scope(engine) as session:
        run = session.scalar(run_or_newest(NeedsRun, run_id))
        return None if run is None else _run_info(run)


def headline_run(engine: Engine) -> RunInfo | None:
    """The run dashboards map: the newest baseline run, so that a what-if scenario someone
    compared a minute ago never becomes the headline; any newest run if there is no baseline."""
    query = (
        select(NeedsRun)
        .where(NeedsRun.scenario_name == BASELINE.name)
        .order_by(NeedsRun.id.desc())
        .limit(1)
    )
    with session_scope(engine) as session:
        run = session.scalar(query)
        found = None if run is None else _run_info(run)
    return found or latest_run(engine)


def recent_runs(engine: Engine, limit: int = 20) -> list[RunInfo]:
    with session_scope(engine) as session:
        runs = session.scalars(newest_first(NeedsRun, limit))
        return [_run_info(r) for r in runs]


def _run_info(run: NeedsRun) -> RunInfo:
    return RunInfo(
        id=run.id,
        scenario_name=run.scenario_name,
        norms_version=run.norms_version,
        created_at=run.created_at,
        synthetic=run.synthetic,
        inputs_digest=run.inputs_digest[:12],
    )


# --- helpers ------------------------------------------------------------------------------------


def _summary(engine: Engine, level: AreaLevel, scope: Scope) -> pd.DataFrame:
    table = cached(engine, ("summary", level.value), lambda: inventory_summary(engine, level))
    if scope.national or level is AreaLevel.COUNTRY:
        return table
    return table[table["province"] == scope.province]


def _figures(
    engine: Engine,
    level: AreaLevel,
    scope: Scope,
    run: RunInfo | None,
    parent_id: int | None = None,
) -> list[AreaFigures]:
    table = _summary(engine, level, scope)
    table = table[table["category"] == ALL]
    if parent_id is not None:
        with session_scope(engine) as session:
            kids = set(
                session.scalars(
                    select(Area.code).where(Area.parent_id == parent_id, Area.level == level.value)
                )
            )
        table = table[table["code"].isin(kids)]
    needs = _needs_by_code(engine, run, level) if run else {}
    out = []
    for _, row in table.iterrows():
        fig = _to_figures(row, level.value)
        if row["code"] in needs:
            fig = fig.model_copy(update=needs[row["code"]])
        out.append(fig)
    return out


def _needs_by_code(engine: Engine, run: RunInfo, level: AreaLevel) -> dict[str, dict[str, float]]:
    with session_scope(engine) as session:
        rows = session.execute(
            select(Area.code, NeedsResult.required, NeedsResult.gap, NeedsResult.coverage)
            .join(Area, Area.id == NeedsResult.area_id)
            .where(
                NeedsResult.run_id == run.id,
                NeedsResult.category == ALL,
                Area.level == level.value,
            )
        ).all()
    return {r.code: {"required": r.required, "gap": r.gap, "coverage": r.coverage} for r in rows}


def _gap_map(
    engine: Engine, run: RunInfo | None, level: AreaLevel, rows: list[AreaFigures], scope: Scope
) -> tuple[MapData | None, str | None]:
    if run is None:
        return None, "No needs run yet, so there is no gap to map. Fix: run one on the Needs page."
    frame = pd.DataFrame([r.model_dump() for r in rows])
    frame["coverage"] = frame["coverage"].map(
        lambda c: "—" if c is None or pd.isna(c) else f"{c:.0%}"
    )
    return map_or_note(
        engine,
        level.value,
        frame,
        value="gap",
        title=f"Gap by {level.value}: all SSP categories (needs run {run.id}, "
        f"scenario '{run.scenario_name}')",
        legend="Gap (posts; + shortage, − surplus)",
        diverging=True,
        hover=("required", "headcount", "gap", "coverage"),
        codes={r.code for r in rows},
    )


def _to_figures(row: pd.Series, level: str) -> AreaFigures:
    return AreaFigures(
        code=str(row["code"]),
        name=str(row["name"]),
        level=level,
        headcount=int(row["headcount"]),
        posts_filled=int(row["posts_filled"]),
        posts_vacant_funded=int(row["posts_vacant_funded"]),
        vacancy_rate=_opt(row["vacancy_rate"]),
        population=None if pd.isna(row["population"]) else int(row["population"]),
        population_estimated=bool(row["estimated"]) if not pd.isna(row["estimated"]) else False,
        per_100k=_opt(row["per_100k"]),
    )


def _category(row: pd.Series) -> CategoryFigures:
    return CategoryFigures(
        category=str(row["category"]),
        label=Category(str(row["category"])).label,
        headcount=int(row["headcount"]),
        per_100k=_opt(row["per_100k"]),
        posts_filled=int(row["posts_filled"]),
        posts_vacant_funded=int(row["posts_vacant_funded"]),
    )


def _opt(x: object) -> float | None:
    return None if x is None or pd.isna(x) else float(x)  # type: ignore[arg-type]


def _find(areas: pd.DataFrame, code: str, scope: Scope) -> pd.Series:
    """The province or district with this code that the scope allows; else NotFoundError, the
    same answer whether the area exists elsewhere or not (no probing other provinces)."""
    levels = (AreaLevel.PROVINCE.value, AreaLevel.DISTRICT.value)
    hits = areas[(areas["code"] == code) & areas["level"].isin(levels)]
    hits = hits[[scope.allows(int(i)) for i in hits["id"]]]
    if hits.empty:
        raise NotFoundError(f"No province or district '{code}' among the areas you can see.")
    return hits.sort_values("level", key=lambda s: s.map(lambda v: AreaLevel(v).depth)).iloc[0]


def _crumbs(areas: pd.DataFrame, area: pd.Series, scope: Scope) -> list[Crumb]:
    by_id = areas.set_index("id")
    chain = []
    current: object = area["parent_id"]
    while current is not None and not pd.isna(current):
        parent = by_id.loc[int(current)]  # type: ignore[call-overload]
        if scope.allows(int(current)):  # type: ignore[call-overload]
            root = parent["level"] == AreaLevel.COUNTRY.value
            chain.append(Crumb(code=None if root else str(parent["code"]), name=parent["name"]))
        current = parent["parent_id"]
    return list(reversed(chain))
