"""Allocation runs for the web: the run list, one run's result (headline, baselines, what one
more R10 million buys, the map of posts given and the explanation per area × category) and two
runs side by side.

Allocation is a national budget decision, but a province-scoped user sees only their province:
every count here is summed from the stored rows inside the caller's scope. The national
figures stored with a run (the baselines) are shown to national users only.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pandas as pd
import shapely
from pydantic import BaseModel, Field, ValidationInfo, field_validator
from sqlalchemy import Engine, case, func, select
from sqlalchemy.orm import Session

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.domain.vocabulary import Category
from ssp_planner.errors import NotFoundError, SSPError
from ssp_planner.services import allocation as service
from ssp_planner.services.areas import areas_frame
from ssp_planner.services.boundaries import boundaries_frame
from ssp_planner.services.web_maps import MapData, map_or_note
from ssp_planner.services.web_needs import CATEGORIES
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, NeedsRun
from ssp_planner.store.models_allocation import AllocationResult, AllocationRun
from ssp_planner.store.models_web import AuditEntry
from ssp_planner.web.roles import Scope
from ssp_planner.workforce.hierarchy import ancestor_at

RUN_ACTION = "allocation.run"
MAP_LEVELS = (AreaLevel.DISTRICT, AreaLevel.PROVINCE)  # finest first: posts per district
SUMMED = ["required", "supply", "shortage", "new_posts", "new_supervisors", "cost_rands"]
STORED = [*SUMMED, "coverage_before", "coverage_after", "priority", "binding"]


class ResultFilters(BaseModel):
    """The result page's filters and the API's query; blanks (from forms) mean the default."""

    level: str | None = Field(default=None, max_length=20, description="Table level.")
    category: str = Field(default="all", max_length=40)
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=50, ge=1, le=500)

    @field_validator("level", "category", mode="before")
    @classmethod
    def _blank_is_default(cls, value: object, info: ValidationInfo) -> object:
        blank = isinstance(value, str) and not value.strip()
        return (None if info.field_name == "level" else "all") if blank else value


class AllocationRunInfo(BaseModel):
    """One stored run as the list shows it; posts, cost and need met count the caller's areas."""

    id: int
    kind: str  # posts | sites
    method: str  # total | maxmin | mclp | pmedian
    scenario: str | None
    needs_run_id: int | None
    created_at: datetime
    started_by: str  # a user name, or "command line" for `ssp allocate` and `ssp demo`
    budget_rands: int  # the national budget of the run
    spent_rands: int
    posts: int
    need_met: float
    optimal: bool
    mip_gap: float
    synthetic: bool
    inputs_digest: str


class CategoryPosts(BaseModel):
    category: str
    posts: int
    supervisors: int
    cost_rands: int
    shortage: float
    need_met: float


class ExplanationRow(BaseModel):
    code: str
    name: str
    category: str
    required: float
    supply: float
    shortage: float
    new_posts: int
    new_supervisors: int
    cost_rands: int
    coverage_before: float | None
    coverage_after: float | None
    priority: int | None  # 1 = first in line; rolled-up rows: the best of their pairs
    binding: str  # rolled-up rows: how many of their pairs are still short, and why


class Baseline(BaseModel):
    plan: str
    posts: int
    need_met: float
    shortage_left: float
    weighted_need_met: float
    lowest_coverage: float | None
    pairs_below_half: int
    posts_beyond_need: int


class MorePlace(BaseModel):
    code: str
    name: str
    category: str
    extra_posts: int


class MoreMoney(BaseModel):
    """What one more R10 million for a channel buys; `where` lists the first places (stored:
    at most 20), for a province-scoped user only those in the province."""

    channel: str
    amount: int
    extra_posts: int | None  # national figures: None for province-scoped users
    extra_need_met: float | None
    where: list[MorePlace]


class PostResult(BaseModel):
    shortage_before: float
    shortage_left: float
    by_category: list[CategoryPosts]
    binding_counts: dict[str, int]
    baselines: list[Baseline]  # national users only
    more_money: list[MoreMoney]
    levels: list[str]
    filters: ResultFilters
    rows: list[ExplanationRow]
    total_rows: int
    posts_map: MapData | None
    map_note: str | None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total_rows // self.filters.per_page))


class SiteRow(BaseModel):
    site_id: str
    name: str
    lat: float
    lon: float
    capacity: float | None
    chosen: bool
    served_need: float


class SiteResult(BaseModel):
    p: int | None
    radius_km: float | None
    covered_need: float | None  # national figures: None for province-scoped users
    total_need: float | None
    unit: str | None
    sites: list[SiteRow]  # chosen sites first
    note: str | None


class AllocationView(BaseModel):
    run: AllocationRunInfo
    where: str  # "South Africa" or "your province (KZN)"
    national: bool
    parameters: dict[str, Any]
    software_version: str
    inputs_digest: str  # in full
    posts: PostResult | None
    sites: SiteResult | None


class ScenarioChoice(BaseModel):
    name: str
    needs_run_id: int
    created_at: datetime


class AllocationPage(BaseModel):
    runs: list[AllocationRunInfo]
    scenarios: list[ScenarioChoice]  # with a stored needs run: what a post run can fund
    levels: list[str]
    where: str


class CompareRow(BaseModel):
    code: str
    name: str
    category: str
    posts_a: int
    posts_b: int
    difference: int
    coverage_a: float | None
    coverage_b: float | None


class AllocationComparison(BaseModel):
    a: AllocationRunInfo
    b: AllocationRunInfo
    where: str
    rows: list[CompareRow]
    total_rows: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total_rows // self.per_page))


# --- the run list -------------------------------------------------------------------------------


def allocation_page(engine: Engine, scope: Scope) -> AllocationPage:
    return AllocationPage(
        runs=list_runs(engine, scope),
        scenarios=scenario_choices(engine),
        levels=TABLE_LEVELS,
        where=where(scope),
    )


def list_runs(
    engine: Engine, scope: Scope, run_ids: list[int] | None = None
) -> list[AllocationRunInfo]:
    """Stored runs, newest first, with the posts, cost and need met inside the scope."""
    query = select(AllocationRun).order_by(AllocationRun.id.desc())
    if run_ids is not None:
        query = query.where(AllocationRun.id.in_(run_ids))
    with session_scope(engine) as session:
        runs = session.scalars(query).all()
        totals = _totals(session, scope, [r.id for r in runs])
        starters = _starters(session, [r.id for r in runs])
        return [_info(r, totals.get(r.id, (0, 0, 0.0)), starters.get(r.id)) for r in runs]


def run_info(engine: Engine, scope: Scope, run_id: int) -> AllocationRunInfo:
    found = list_runs(engine, scope, [run_id])
    if not found:
        raise NotFoundError(f"No allocation run {run_id}. Fix: choose one on the Allocation page.")
    return found[0]


def scenario_choices(engine: Engine) -> list[ScenarioChoice]:
    """Each scenario's newest needs run: the gap a post run of that scenario funds."""
    with session_scope(engine) as session:
        runs = session.execute(
            select(NeedsRun.scenario_name, NeedsRun.id, NeedsRun.created_at).order_by(
                NeedsRun.created_at.desc(), NeedsRun.id.desc()
            )
        ).all()
    newest: dict[str, ScenarioChoice] = {}
    for name, run_id, created in runs:
        newest.setdefault(name, ScenarioChoice(name=name, needs_run_id=run_id, created_at=created))
    return sorted(newest.values(), key=lambda s: (s.name != "baseline", s.name))


def where(scope: Scope) -> str:
    return "South Africa" if scope.national else f"your province ({scope.province})"


def levels_below(deepest: AreaLevel) -> list[str]:
    """Levels a result can be tabulated at: the stored level and every level up to province."""
    return [lv.value for lv in AreaLevel if AreaLevel.PROVINCE.depth <= lv.depth <= deepest.depth]


TABLE_LEVELS = levels_below(AreaLevel.MUNICIPALITY)


def _totals(
    session: Session, scope: Scope, run_ids: list[int]
) -> dict[int, tuple[int, int, float]]:
    r = AllocationResult
    met = case((r.new_posts < r.shortage, r.new_posts), else_=r.shortage)
    query = (
        select(r.run_id, func.sum(r.new_posts), func.sum(r.cost_rands), func.sum(met))
        .where(r.run_id.in_(run_ids))
        .group_by(r.run_id)
    )
    if scope.area_ids is not None:
        query = query.where(r.area_id.in_(sorted(scope.area_ids)))
    return {
        run_id: (int(posts or 0), int(cost or 0), float(need or 0))
        for run_id, posts, cost, need in session.execute(query)
    }


def _starters(session: Session, run_ids: list[int]) -> dict[int, str]:
    """Who started each run from the web (the audit trail); others came from the command line."""
    targets = [f"allocation_run:{i}" for i in run_ids]
    rows = session.execute(
        select(AuditEntry.target, AuditEntry.username).where(
            AuditEntry.action == RUN_ACTION, AuditEntry.target.in_(targets)
        )
    ).all()
    return {int(target.split(":")[1]): user for target, user in rows}


def _info(
    run: AllocationRun, totals: tuple[int, int, float], user: str | None
) -> AllocationRunInfo:
    posts, cost, need_met = totals
    return AllocationRunInfo(
        id=run.id,
        kind=run.kind,
        method=run.method,
        scenario=run.scenario_name,
        needs_run_id=run.needs_run_id,
        created_at=run.created_at,
        started_by=user or "command line",
        budget_rands=run.budget_rands,
        spent_rands=cost,
        posts=posts,
        need_met=round(need_met, 2),
        optimal=run.optimal,
        mip_gap=run.mip_gap,
        synthetic=run.synthetic,
        inputs_digest=run.inputs_digest[:16],
    )


# --- one run ------------------------------------------------------------------------------------


def allocation_view(
    engine: Engine, scope: Scope, run_id: int, filters: ResultFilters
) -> AllocationView:
    """A stored run as computed, limited to the caller's areas; 404 for an unknown id."""
    info = run_info(engine, scope, run_id)
    with session_scope(engine) as session:
        run = session.get(AllocationRun, run_id)
        assert run is not None  # run_info found it
        parameters, summary = json.loads(run.parameters_json), json.loads(run.summary_json)
        version, digest = run.software_version, run.inputs_digest
    posts = sites = None
    if info.kind == "posts":
        posts = _post_result(engine, scope, info, summary, filters)
    else:
        sites = _site_result(engine, scope, run_id, parameters, summary)
    return AllocationView(
        run=info,
        where=where(scope),
        national=scope.national,
        parameters=parameters,
        software_version=version,
        inputs_digest=digest,
        posts=posts,
        sites=sites,
    )


def _post_result(
    engine: Engine,
    scope: Scope,
    info: AllocationRunInfo,
    summary: dict[str, Any],
    filters: ResultFilters,
) -> PostResult:
    frame, areas = _result_frame(engine, scope, info.id)
    stored = AreaLevel(frame["level"].iloc[0]) if len(frame) else AreaLevel.MUNICIPALITY
    levels = levels_below(stored)
    level = filters.level or stored.value
    if level not in levels:
        raise SSPError(f"Level '{level}' is not available. Fix: use one of {', '.join(levels)}.")
    if filters.category not in CATEGORIES:
        raise SSPError(
            f"Unknown category '{filters.category}'. Fix: use one of {', '.join(CATEGORIES)}."
        )
    chosen = frame if filters.category == "all" else frame[frame["category"] == filters.category]
    table = _ordered(_at_level(chosen, areas, level))
    start = (filters.page - 1) * filters.per_page
    posts_map, note = _posts_map(engine, scope, info, chosen, areas, filters.category)
    met = frame[["new_posts", "shortage"]].min(axis=1).sum() if len(frame) else 0.0
    return PostResult(
        shortage_before=float(frame["shortage"].sum()),
        shortage_left=float(frame["shortage"].sum() - met),
        by_category=_by_category(frame),
        binding_counts=_still_short(frame)["binding"].value_counts().sort_index().to_dict(),
        baselines=[Baseline(**b) for b in summary.get("baselines", [])] if scope.national else [],
        more_money=_more_money(summary, scope, set(frame["code"])),
        levels=levels,
        filters=filters.model_copy(update={"level": level}),
        rows=[ExplanationRow(**r) for r in _records(table.iloc[start : start + filters.per_page])],
        total_rows=len(table),
        posts_map=posts_map,
        map_note=note,
    )


def _result_frame(engine: Engine, scope: Scope, run_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The run's stored rows in scope (with area id, code, name, level) and the area table."""
    r = AllocationResult
    query = (
        select(
            Area.id, Area.code, Area.name, Area.level, r.category, *(getattr(r, c) for c in STORED)
        )
        .join(Area, Area.id == r.area_id)
        .where(r.run_id == run_id)
    )
    if scope.area_ids is not None:
        query = query.where(r.area_id.in_(sorted(scope.area_ids)))
    with session_scope(engine) as session:
        rows = session.execute(query).all()
        areas = areas_frame(session)
    columns = ["area_id", "code", "name", "level", "category", *STORED]
    return pd.DataFrame(rows, columns=columns), areas


def _at_level(frame: pd.DataFrame, areas: pd.DataFrame, level: str) -> pd.DataFrame:
    """Stored rows as they are at their own level; above it summed per area and category, the
    best priority of the pairs and how many pairs are still short and why."""
    if frame.empty or (frame["level"] == level).all():
        return frame
    keys = ["code", "name", "category"]
    rolled = _under(frame, areas, level)
    grouped = rolled.groupby(keys, sort=False)
    out = grouped[SUMMED].sum()
    out["priority"] = grouped["priority"].min()
    reasons = _short_reasons(rolled, keys).reindex(out.index)
    met = pd.Series("need met", index=out.index).where(out["shortage"] > 0, "no need")
    out["binding"] = reasons.fillna(met)
    out["coverage_before"] = out["supply"] / out["required"].where(out["required"] > 0)
    out["coverage_after"] = (out["supply"] + out["new_posts"]) / out["required"].where(
        out["required"] > 0
    )
    return out.reset_index()


def _under(frame: pd.DataFrame, areas: pd.DataFrame, level: str) -> pd.DataFrame:
    """The rows with code and name of the area at `level` they belong to."""
    by_id = areas.set_index("id")
    up = frame["area_id"].map(ancestor_at(areas, AreaLevel(level)))
    return frame.assign(code=up.map(by_id["code"]), name=up.map(by_id["name"]))


def _short_reasons(rolled: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Per group: 'N short: budget 12, supervision 1' (the pairs still short after the plan)."""
    counts = _still_short(rolled).groupby([*keys, "binding"]).size().rename("n").reset_index()
    counts["text"] = counts["binding"] + " " + counts["n"].astype(str)
    joined = counts.groupby(keys).agg(text=("text", ", ".join), n=("n", "sum"))
    return joined["n"].astype(str) + " short: " + joined["text"]


def _still_short(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["shortage"] - frame["new_posts"] > 1e-9]


def _ordered(table: pd.DataFrame) -> pd.DataFrame:
    """First in line first (the priority rank), then the areas without a shortage by code."""
    return table.sort_values(["priority", "code", "category"], na_position="last", kind="stable")


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    fields = list(ExplanationRow.model_fields)
    out = []
    for row in table[fields].astype(object).itertuples(index=False):
        out.append({f: (None if _missing(v) else v) for f, v in zip(fields, row, strict=True)})
    return out


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _by_category(frame: pd.DataFrame) -> list[CategoryPosts]:
    with_met = frame.assign(met=frame[["new_posts", "shortage"]].min(axis=1))
    sums = with_met.groupby("category")[
        ["new_posts", "new_supervisors", "cost_rands", "shortage", "met"]
    ].sum()
    order = [c.value for c in Category if c.value in sums.index]
    return [
        CategoryPosts(
            category=c,
            posts=int(sums.at[c, "new_posts"]),
            supervisors=int(sums.at[c, "new_supervisors"]),
            cost_rands=int(sums.at[c, "cost_rands"]),
            shortage=round(float(sums.at[c, "shortage"]), 2),
            need_met=round(float(sums.at[c, "met"]), 2),
        )
        for c in order
    ]


def _more_money(summary: dict[str, Any], scope: Scope, codes: set[str]) -> list[MoreMoney]:
    out = []
    for m in summary.get("marginal", []):
        places = [MorePlace(**{k: p[k] for k in MorePlace.model_fields}) for p in m["where"]]
        out.append(
            MoreMoney(
                channel=m["channel"],
                amount=m["amount"],
                extra_posts=m["extra_posts"] if scope.national else None,
                extra_need_met=m["extra_need_met"] if scope.national else None,
                where=places if scope.national else [p for p in places if p.code in codes],
            )
        )
    return out


def _posts_map(
    engine: Engine,
    scope: Scope,
    info: AllocationRunInfo,
    frame: pd.DataFrame,
    areas: pd.DataFrame,
    category: str,
) -> tuple[MapData | None, str | None]:
    """Posts given per district, or per province when no district boundaries are stored."""
    what = "all SSP categories" if category == "all" else Category(category).label.lower() + "s"
    note: str | None = None
    for level in MAP_LEVELS:
        per_area = _under(frame, areas, level.value).groupby("code", as_index=False)[SUMMED].sum()
        per_area["coverage after"] = (
            (per_area["supply"] + per_area["new_posts"])
            / per_area["required"].where(per_area["required"] > 0)
        ).map(lambda c: "—" if pd.isna(c) else f"{c:.0%}")
        found, note = map_or_note(
            engine,
            level.value,
            per_area,
            value="new_posts",
            title=f"New posts given by {level.value}: {what} (allocation run {info.id})",
            legend="New posts",
            hover=("new_posts", "shortage", "coverage after"),
            codes=set(per_area["code"]),
        )
        if found is None:
            continue
        if level is not MAP_LEVELS[0]:
            note = (
                f"No {MAP_LEVELS[0].value} boundaries are stored, so the map shows posts per "
                f"{level.value}, the finest level with boundaries; the table has every area."
            )
        return found, note
    return None, note


def _site_result(
    engine: Engine, scope: Scope, run_id: int, parameters: dict[str, Any], summary: dict[str, Any]
) -> SiteResult:
    sites = service.reopen(engine, run_id).areas
    sites, note = _sites_in(engine, scope, sites)
    sites = sites.sort_values(["chosen", "served_need"], ascending=[False, False], kind="stable")
    return SiteResult(
        p=parameters.get("p"),
        radius_km=parameters.get("radius_km"),
        covered_need=summary.get("covered_need") if scope.national else None,
        total_need=summary.get("total_need") if scope.national else None,
        unit=summary.get("unit"),
        sites=[
            SiteRow(**{k: (None if _missing(v) else v) for k, v in r.items()})
            for r in sites.astype(object).to_dict("records")
        ],
        note=note,
    )


def _sites_in(engine: Engine, scope: Scope, sites: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """A province-scoped user sees the sites inside their province's boundary (sites are points,
    stored without an area)."""
    if scope.national:
        return sites, None
    shapes = boundaries_frame(engine, AreaLevel.PROVINCE.value)
    mine = shapes[shapes["code"] == scope.province]
    if mine.empty:
        return sites.iloc[0:0], (
            "Sites are points with no area; without your province's boundary none can be shown."
        )
    inside = shapely.contains_xy(mine.geometry.iloc[0], sites["lon"], sites["lat"])
    return sites[inside], "Only the sites inside your province are listed."


# --- two runs -----------------------------------------------------------------------------------


def comparison(
    engine: Engine, scope: Scope, a: int, b: int, *, page: int = 1, per_page: int = 100
) -> AllocationComparison:
    """Posts per area and category in two post runs and the difference (b − a), in scope;
    largest differences first."""
    if a == b:
        raise SSPError(f"Both sides are run {a}. Fix: choose two different post runs.")
    first, second = run_info(engine, scope, a), run_info(engine, scope, b)
    wide = service.compare(engine, a, b)
    if not scope.national:
        with session_scope(engine) as session:
            codes = set(
                session.scalars(select(Area.code).where(Area.id.in_(sorted(scope.area_ids or ()))))
            )
        wide = wide[wide["code"].isin(codes)]
    wide = wide.rename(
        columns={
            f"new_posts_run{a}": "posts_a",
            f"new_posts_run{b}": "posts_b",
            f"coverage_after_run{a}": "coverage_a",
            f"coverage_after_run{b}": "coverage_b",
        }
    )
    wide = wide.assign(size=wide["difference"].abs()).sort_values(
        ["size", "code", "category"], ascending=[False, True, True], kind="stable"
    )
    start = (page - 1) * per_page
    fields = list(CompareRow.model_fields)
    shown = wide.iloc[start : start + per_page][fields].astype(object)
    return AllocationComparison(
        a=first,
        b=second,
        where=where(scope),
        rows=[
            CompareRow(**{k: (None if _missing(v) else v) for k, v in r.items()})
            for r in shown.to_dict("records")
        ],
        total_rows=len(wide),
        page=page,
        per_page=per_page,
    )
