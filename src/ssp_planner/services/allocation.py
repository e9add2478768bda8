"""Allocation use cases: fund new posts from the latest needs run, choose service points, store
each run with its inputs' hash, reopen and compare runs, write the plan, explanation and map.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from ssp_planner import __version__
from ssp_planner.allocation import (
    MCLP,
    Explanation,
    HighsSolver,
    LocationResult,
    PMedian,
    PostPlan,
    PostProblem,
    allocate_posts,
    channels_from_costs,
    explain,
    format_rands,
    load_costs,
)
from ssp_planner.allocation import inputs as files
from ssp_planner.allocation.problem import Fairness
from ssp_planner.domain.areas import AreaLevel
from ssp_planner.errors import NotFoundError, SSPError
from ssp_planner.ingest.errors import RowError
from ssp_planner.ingest.reader import read_table
from ssp_planner.services.areas import areas_frame, population_frame
from ssp_planner.services.batches import now, sha256_of
from ssp_planner.services.summary import synthetic_sources
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, NeedsResult, NeedsRun, Practitioner
from ssp_planner.store.models_allocation import (
    AllocationPost,
    AllocationResult,
    AllocationRun,
    AllocationSite,
)
from ssp_planner.workforce.hierarchy import ancestor_at

MAX_SHOWN_ERRORS = 20


class AllocationInputError(SSPError):
    """An input file has bad rows: every one is listed (file, row, column, value, fix)."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "\n".join(
            f"  {e.file} row {e.row}, column {e.column}: {e.problem}"
            + (f" (value '{e.value}')" if e.value else "")
            + f". Fix: {e.fix}."
            for e in errors[:MAX_SHOWN_ERRORS]
        )
        more = (
            f"\n  … and {len(errors) - MAX_SHOWN_ERRORS} more"
            if len(errors) > MAX_SHOWN_ERRORS
            else ""
        )
        super().__init__(f"{len(errors)} problem(s) in the input files:\n{shown}{more}")


@dataclass(frozen=True)
class PostRequest:
    """What the user asked for; its JSON (with the inputs' digests) identifies a run."""

    budget: int
    scenario: str = "baseline"
    fairness: Fairness = "total"
    npo_budget: int | None = None
    costs_file: Path | None = None
    candidates_file: Path | None = None
    limits_file: Path | None = None
    norms_file: Path | None = None
    marginal: bool = True
    time_limit: float = 120.0

    def budgets(self) -> dict[str, int]:
        return {"government": self.budget} | ({"npo": self.npo_budget} if self.npo_budget else {})

    def parameters(self) -> dict[str, Any]:
        return {
            "budgets": self.budgets(),
            "scenario": self.scenario,
            "fairness": self.fairness,
            **{
                k: str(v) if v else None
                for k, v in (
                    ("costs_file", self.costs_file),
                    ("candidates_file", self.candidates_file),
                    ("limits_file", self.limits_file),
                    ("norms_file", self.norms_file),
                )
            },
        }


@dataclass(frozen=True)
class PostAllocation:
    """A solved and stored post plan with its explanation and provenance notes."""

    run_id: int
    plan: PostPlan
    explanation: Explanation
    inputs_digest: str
    needs_run_id: int
    notes: list[str] = field(default_factory=list)


# --- posts ------------------------------------------------------------------------------------


def allocate(engine: Engine, request: PostRequest) -> PostAllocation:
    """Fund new posts from the latest needs run of the scenario; store and explain the plan."""
    costs = load_costs(request.costs_file)
    needs_run_id, gap, areas, supervision = load_needs(engine, request.scenario)
    problem = PostProblem.from_gap_table(
        gap,
        areas,
        channels=channels_from_costs(costs, request.budgets()),
        supervisor_per=supervisor_ratios(request.norms_file),
        supervision=supervision,
        candidates=_read_candidates(request.candidates_file, set(areas["province"])),
        limits=_read_limits(request.limits_file, set(areas["code"])),
        fairness=request.fairness,
    )
    solver = HighsSolver(time_limit=request.time_limit)
    plan = allocate_posts(problem, solver)
    explanation = explain(plan, marginal=request.marginal, solver=solver)
    digest = _digest(request, problem, costs.digest(), needs_run_id)
    synthetic = synthetic_sources(engine)
    notes = _notes(costs, needs_run_id, request, synthetic, digest)
    run_id = _store_posts(engine, request, plan, explanation, digest, needs_run_id, bool(synthetic))
    return PostAllocation(run_id, plan, explanation, digest, needs_run_id, notes)


def load_needs(
    engine: Engine, scenario: str
) -> tuple[int, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(needs run id, its gap table, the base areas with district/province/population, the
    practitioners and supervisors in post per district × category)."""
    with session_scope(engine) as session:
        run_id = session.scalar(
            select(NeedsRun.id)
            .where(NeedsRun.scenario_name == scenario)
            .order_by(NeedsRun.created_at.desc(), NeedsRun.id.desc())
            .limit(1)
        )
        if run_id is None:
            raise NotFoundError(
                f"No needs run is stored for scenario '{scenario}', so there is no gap to fund. "
                f"Fix: run `ssp needs --scenario {scenario}` first, then allocate again."
            )
        areas = areas_frame(session)
        gap = _gap_table(session, run_id, areas)
        base = _base_areas(session, areas, gap)
        supervision = _supervision(session, areas)
    return run_id, gap, base, supervision


def _gap_table(session: Session, run_id: int, areas: pd.DataFrame) -> pd.DataFrame:
    cols = [
        "area_id",
        "category",
        "required",
        "filled",
        "vacant_funded",
        "gap",
        "shortage",
        "coverage",
        "per_100k",
        "wisn_ratio",
    ]
    rows = session.execute(
        select(*(getattr(NeedsResult, c) for c in cols)).where(NeedsResult.run_id == run_id)
    ).all()
    gap = pd.DataFrame(rows, columns=cols)
    info = areas.set_index("id")[["code", "level", "name"]]
    return gap.join(info, on="area_id")


def _base_areas(session: Session, areas: pd.DataFrame, gap: pd.DataFrame) -> pd.DataFrame:
    """The deepest level's areas: code, name, district and province codes, population."""
    order = [lv.value for lv in AreaLevel]
    deepest = max(set(gap["level"]), key=order.index)
    code_of = areas.set_index("id")["code"]
    base = areas[areas["level"] == deepest].copy()
    base["district"] = base["id"].map(ancestor_at(areas, AreaLevel.DISTRICT)).map(code_of)
    base["province"] = base["id"].map(ancestor_at(areas, AreaLevel.PROVINCE)).map(code_of)
    pops = population_frame(session, areas).set_index("area_id")["population"]
    base["population"] = base["id"].map(pops).astype(float)
    return base[["id", "code", "name", "district", "province", "population"]]


def _supervision(session: Session, areas: pd.DataFrame) -> pd.DataFrame:
    """Practitioners and supervisors in post now, per district and category."""
    rows = session.execute(
        select(
            Practitioner.area_id, Practitioner.category, Practitioner.rank, func.count()
        ).group_by(Practitioner.area_id, Practitioner.category, Practitioner.rank)
    ).all()
    frame = pd.DataFrame(rows, columns=["area_id", "category", "rank", "n"])
    if frame.empty:
        return pd.DataFrame(columns=["district", "category", "practitioners", "supervisors"])
    code_of = areas.set_index("id")["code"]
    frame["district"] = frame["area_id"].map(ancestor_at(areas, AreaLevel.DISTRICT)).map(code_of)
    wide = frame.pivot_table(
        index=["district", "category"], columns="rank", values="n", aggfunc="sum", fill_value=0
    )
    return pd.DataFrame(
        {
            "practitioners": wide.get("practitioner", 0),
            "supervisors": wide.get("supervisor", 0),
        }
    ).reset_index()


def supervisor_ratios(norms_file: Path | None) -> dict[str, float | None]:
    """Practitioners per supervisor from the needs norms (the same file `ssp needs` used)."""
    from ssp_planner.needs import load_norms

    norms = load_norms(norms_file)
    return {
        str(c): (n.supervisor_per.value if n.supervisor_per else None)
        for c, n in norms.categories.items()
    }


def _read(path: Path, sheet: str, parse: Any, *args: Any) -> pd.DataFrame:
    frame, errors = parse(read_table(path, sheet=sheet), *args)
    if errors:
        raise AllocationInputError(errors)
    return frame


def _read_candidates(path: Path | None, provinces: set[str]) -> pd.DataFrame | None:
    return None if path is None else _read(path, "candidates", files.parse_candidates, provinces)


def _read_limits(path: Path | None, codes: set[str]) -> pd.DataFrame | None:
    return None if path is None else _read(path, "limits", files.parse_limits, codes)


def _digest(request: PostRequest, problem: PostProblem, costs: str, needs_run_id: int) -> str:
    h = hashlib.sha256()
    h.update(json.dumps(request.parameters(), sort_keys=True, default=str).encode())
    h.update(f"{costs}|{needs_run_id}|{__version__}".encode())
    for frame in (problem.pairs, problem.spare_supervision, problem.candidates):
        if frame is not None and len(frame):
            h.update(pd.util.hash_pandas_object(frame, index=False).values.tobytes())
    return h.hexdigest()


def _notes(
    costs: Any, needs_run_id: int, request: PostRequest, synthetic: list[str], digest: str
) -> list[str]:
    notes = [
        f"SSP Planner {__version__}: posts allocated from needs run {needs_run_id} "
        f"(scenario '{request.scenario}'), fairness '{request.fairness}'; "
        f"inputs sha256 {digest[:16]}.",
        f"Costs per post per year from {costs.origin} (year {costs.year}).",
    ]
    if assumed := costs.assumptions():
        notes.append(
            f"ASSUMED COSTS — set them for your department (--costs FILE): {len(assumed)} figures "
            f"in {costs.origin} are placeholders, e.g. {', '.join(assumed[:3])}."
        )
    if synthetic:
        notes.insert(0, "SYNTHETIC DEMO DATA — not real people: " + "; ".join(synthetic))
    return notes


def _store_posts(
    engine: Engine,
    request: PostRequest,
    plan: PostPlan,
    explanation: Explanation,
    digest: str,
    needs_run_id: int,
    synthetic: bool,
) -> int:
    with session_scope(engine) as session:
        run = AllocationRun(
            kind="posts",
            scenario_name=request.scenario,
            needs_run_id=needs_run_id,
            method=request.fairness,
            parameters_json=json.dumps(request.parameters(), sort_keys=True),
            inputs_digest=digest,
            software_version=__version__,
            synthetic=synthetic,
            optimal=plan.optimal,
            mip_gap=float(plan.mip_gap),
            objective=float(plan.objective),
            solve_seconds=float(plan.seconds),
            budget_rands=int(plan.problem.budget),
            spent_rands=int(sum(plan.spent().values())),
            summary_json=json.dumps(_summary_json(explanation), sort_keys=True, default=_jsonable),
            created_at=now(),
        )
        session.add(run)
        session.flush()
        ids = _base_ids(session)
        _insert_results(session, run.id, explanation.areas, ids)
        _insert_posts(session, run.id, plan.posts(), ids)
        return run.id


def _base_ids(session: Session) -> dict[str, int]:
    """Code -> id of the deepest row (a metro code means its municipality)."""
    from ssp_planner.services.areas import area_ids_by_code

    return area_ids_by_code(session)


def _insert_results(
    session: Session, run_id: int, areas: pd.DataFrame, ids: dict[str, int]
) -> None:
    rows = [
        {
            "run_id": run_id,
            "area_id": ids[str(r.code)],
            "category": str(r.category),
            "required": float(r.required),
            "supply": float(r.supply),
            "shortage": float(r.shortage),
            "new_posts": int(r.new_posts),
            "new_supervisors": int(getattr(r, "new_supervisors", 0)),
            "cost_rands": int(r.cost_rands),
            "coverage_before": None if pd.isna(r.coverage_before) else float(r.coverage_before),
            "coverage_after": None if pd.isna(r.coverage_after) else float(r.coverage_after),
            "priority": None if pd.isna(r.priority) else int(r.priority),
            "binding": str(r.binding),
        }
        for r in areas.itertuples(index=False)
    ]
    if rows:
        session.execute(insert(AllocationResult), rows)


def _insert_posts(session: Session, run_id: int, posts: pd.DataFrame, ids: dict[str, int]) -> None:
    rows = [
        {
            "run_id": run_id,
            "area_id": ids[str(r.code)],
            "category": str(r.category),
            "rank": str(r.rank),
            "channel": str(r.channel),
            "posts": int(r.posts),
            "cost_rands": int(r.cost_rands),
        }
        for r in posts.itertuples(index=False)
    ]
    if rows:
        session.execute(insert(AllocationPost), rows)


def _summary_json(explanation: Explanation) -> dict[str, Any]:
    return {
        "summary": explanation.summary,
        "baselines": explanation.baselines.to_dict("records"),
        "marginal": [
            {
                "channel": m.channel,
                "amount": m.amount,
                "extra_posts": int(m.extra["extra_posts"].sum()),
                "extra_need_met": m.extra_need_met,
                "where": m.extra.head(20).to_dict("records"),
            }
            for m in explanation.marginal
        ],
        "binding": {str(k): int(v) for k, v in explanation.binding_counts().items()},
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    return str(value)


# --- reopen and compare ---------------------------------------------------------------------


@dataclass(frozen=True)
class StoredRun:
    run_id: int
    kind: str
    method: str
    parameters: dict[str, Any]
    summary: dict[str, Any]
    inputs_digest: str
    software_version: str
    synthetic: bool
    created: str
    areas: pd.DataFrame  # posts runs: code, category, new_posts, … ; sites runs: the sites


def list_runs(engine: Engine) -> pd.DataFrame:
    with session_scope(engine) as session:
        rows = session.execute(
            select(
                AllocationRun.id,
                AllocationRun.kind,
                AllocationRun.method,
                AllocationRun.scenario_name,
                AllocationRun.budget_rands,
                AllocationRun.spent_rands,
                AllocationRun.objective,
                AllocationRun.mip_gap,
                AllocationRun.inputs_digest,
                AllocationRun.created_at,
            ).order_by(AllocationRun.id)
        ).all()
    cols = [
        "run",
        "kind",
        "method",
        "scenario",
        "budget_rands",
        "spent_rands",
        "objective",
        "mip_gap",
        "inputs_digest",
        "created_at",
    ]
    return pd.DataFrame(rows, columns=cols)


def reopen(engine: Engine, run_id: int) -> StoredRun:
    """A stored run as it was computed: parameters, summary and per-area (or per-site) rows."""
    with session_scope(engine) as session:
        run = session.get(AllocationRun, run_id)
        if run is None:
            raise NotFoundError(
                f"No allocation run {run_id}. Fix: list runs with `ssp allocate runs`."
            )
        areas = _stored_rows(session, run)
        return StoredRun(
            run.id,
            run.kind,
            run.method,
            json.loads(run.parameters_json),
            json.loads(run.summary_json),
            run.inputs_digest,
            run.software_version,
            run.synthetic,
            f"{run.created_at:%Y-%m-%d %H:%M}",
            areas,
        )


def _stored_rows(session: Session, run: AllocationRun) -> pd.DataFrame:
    if run.kind == "sites":
        rows = session.execute(
            select(
                AllocationSite.site_id,
                AllocationSite.name,
                AllocationSite.lat,
                AllocationSite.lon,
                AllocationSite.capacity,
                AllocationSite.chosen,
                AllocationSite.served_need,
            )
            .where(AllocationSite.run_id == run.id)
            .order_by(AllocationSite.id)
        ).all()
        return pd.DataFrame(
            rows, columns=["site_id", "name", "lat", "lon", "capacity", "chosen", "served_need"]
        )
    cols = [
        "category",
        "required",
        "supply",
        "shortage",
        "new_posts",
        "new_supervisors",
        "cost_rands",
        "coverage_before",
        "coverage_after",
        "priority",
        "binding",
    ]
    rows = session.execute(
        select(Area.code, Area.name, *(getattr(AllocationResult, c) for c in cols))
        .join(Area, Area.id == AllocationResult.area_id)
        .where(AllocationResult.run_id == run.id)
        .order_by(Area.code, AllocationResult.category)
    ).all()
    return pd.DataFrame(rows, columns=["code", "name", *cols])


def compare(engine: Engine, first: int, second: int) -> pd.DataFrame:
    """Posts per area and category in two post runs, side by side, with the difference."""
    a, b = reopen(engine, first), reopen(engine, second)
    if a.kind != "posts" or b.kind != "posts":
        raise SSPError("Only post plans can be compared area by area. Fix: name two posts runs.")
    keys = ["code", "name", "category"]
    left = a.areas[[*keys, "new_posts", "coverage_after"]]
    right = b.areas[[*keys, "new_posts", "coverage_after"]]
    both = left.merge(right, on=keys, how="outer", suffixes=(f"_run{first}", f"_run{second}"))
    both = both.fillna({f"new_posts_run{first}": 0, f"new_posts_run{second}": 0})
    both["difference"] = both[f"new_posts_run{second}"] - both[f"new_posts_run{first}"]
    return both[both[[f"new_posts_run{first}", f"new_posts_run{second}"]].sum(axis=1) > 0]


# --- sites --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteRequest:
    demand_file: Path
    sites_file: Path
    p: int
    model: str = "mclp"  # mclp | pmedian
    radius_km: float | None = None
    travel_times_file: Path | None = None
    radius_minutes: float | None = None
    time_limit: float = 120.0

    def parameters(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class SiteAllocation:
    run_id: int
    result: LocationResult
    demand: pd.DataFrame
    sites: pd.DataFrame
    inputs_digest: str
    notes: list[str] = field(default_factory=list)


def allocate_sites(
    engine: Engine, request: SiteRequest, *, synthetic: str | None = None
) -> SiteAllocation:
    """Choose p service points for the demand points; store the run."""
    if request.model not in ("mclp", "pmedian"):
        raise SSPError(f"Unknown model '{request.model}'. Fix: use mclp or pmedian.")
    demand = _read(request.demand_file, "demand", files.parse_demand)
    sites = _read(request.sites_file, "sites", files.parse_sites)
    result = _solve_sites(request, demand, sites)
    digest = _site_digest(request)
    notes = [
        f"SSP Planner {__version__}: {request.model.upper()} with p = {request.p}; inputs "
        f"sha256 {digest[:16]}."
    ]
    if synthetic:
        notes.insert(0, f"SYNTHETIC DEMO DATA: {synthetic}")
    run_id = _store_sites(engine, request, result, sites, digest, synthetic is not None)
    return SiteAllocation(run_id, result, demand, sites, digest, notes)


def _solve_sites(request: SiteRequest, demand: pd.DataFrame, sites: pd.DataFrame) -> LocationResult:
    from ssp_planner.allocation._milp import HighsSolver as Highs

    solver = Highs(time_limit=request.time_limit, mip_rel_gap=1e-4)
    kind = MCLP if request.model == "mclp" else PMedian
    if request.travel_times_file is not None:
        pairs = _read(
            request.travel_times_file,
            "travel_times",
            files.parse_travel_times,
            set(demand["demand_id"]),
            set(sites["site_id"]),
        )
        limit = request.radius_minutes
        kw: dict[str, Any] = {"radius": limit} if request.model == "mclp" else {"max_cost": limit}
        if request.model == "mclp" and limit is None:
            raise SSPError("MCLP with travel times needs --radius-minutes. Fix: add it, e.g. 60.")
        return kind.from_pairs(pairs, demand, sites, request.p, **kw).solve(solver)  # type: ignore[attr-defined]
    if request.model == "mclp" and request.radius_km is None:
        raise SSPError("MCLP needs a radius. Fix: add --radius-km, e.g. --radius-km 15.")
    kw = (
        {"radius": request.radius_km}
        if request.model == "mclp"
        else {"max_cost": request.radius_km}
    )
    return kind.from_points(demand, sites, request.p, **kw).solve(solver)  # type: ignore[attr-defined]


def _site_digest(request: SiteRequest) -> str:
    h = hashlib.sha256(json.dumps(request.parameters(), sort_keys=True).encode())
    for path in (request.demand_file, request.sites_file, request.travel_times_file):
        if path is not None:
            h.update(sha256_of(path).encode())
    h.update(__version__.encode())
    return h.hexdigest()


def _store_sites(
    engine: Engine,
    request: SiteRequest,
    result: LocationResult,
    sites: pd.DataFrame,
    digest: str,
    synthetic: bool,
) -> int:
    summary = {
        "covered_need": result.covered_need,
        "total_need": result.total_need,
        "objective": result.objective,
        "unit": result.unit,
        "chosen": result.chosen,
        "rounds": result.rounds,
    }
    with session_scope(engine) as session:
        run = AllocationRun(
            kind="sites",
            scenario_name=None,
            needs_run_id=None,
            method=request.model,
            parameters_json=json.dumps(request.parameters(), sort_keys=True),
            inputs_digest=digest,
            software_version=__version__,
            synthetic=synthetic,
            optimal=result.optimal,
            mip_gap=result.mip_gap,
            objective=result.objective,
            solve_seconds=result.seconds,
            budget_rands=0,
            spent_rands=0,
            summary_json=json.dumps(summary),
            created_at=now(),
        )
        session.add(run)
        session.flush()
        merged = sites.merge(result.sites, on="site_id", how="left", suffixes=("", "_r"))
        session.execute(
            insert(AllocationSite),
            [
                {
                    "run_id": run.id,
                    "site_id": str(r.site_id),
                    "name": str(r.name),
                    "lat": float(r.lat),
                    "lon": float(r.lon),
                    "capacity": None
                    if pd.isna(getattr(r, "capacity", None))
                    else float(r.capacity),
                    "chosen": bool(r.chosen),
                    "served_need": float(r.served_need),
                }
                for r in merged.itertuples(index=False)
            ],
        )
        return run.id


__all__ = [
    "AllocationInputError",
    "PostAllocation",
    "PostRequest",
    "SiteAllocation",
    "SiteRequest",
    "StoredRun",
    "allocate",
    "allocate_sites",
    "compare",
    "format_rands",
    "list_runs",
    "load_needs",
    "reopen",
]


# --- outputs ------------------------------------------------------------------------------------


def write_plan(result: PostAllocation, path: Path) -> Path:
    """The plan as XLSX: posts, explanation per area, baselines, R10m, notes (or CSV: posts)."""
    ex = result.explanation
    sheets = {
        "plan": result.plan.posts(),
        "explanation": ex.areas,
        "baselines": ex.baselines,
        "more_money": pd.concat(
            [m.extra.assign(channel=m.channel, amount_rands=m.amount) for m in ex.marginal]
            or [pd.DataFrame(columns=["code", "name", "category", "extra_posts"])]
        ),
    }
    return _write_sheets(sheets, path, result.notes)


def write_sites(result: SiteAllocation, path: Path) -> Path:
    sheets = {"sites": result.result.sites, "demand": result.result.demand}
    return _write_sheets(sheets, path, result.notes)


def write_sites_map(engine: Engine, result: SiteAllocation, path: Path) -> Path:
    """Demand points by need, candidate and chosen sites, who serves whom (PNG or HTML), over
    the province boundaries when loaded."""
    from ssp_planner.reports.site_map import SitePoints, write_site_map
    from ssp_planner.services.boundaries import boundaries_frame

    r = result.result
    demand = result.demand[["demand_id", "lat", "lon"]].astype({"demand_id": str})
    sites = result.sites[["site_id", "name", "lat", "lon"]].astype({"site_id": str})
    points = SitePoints(
        demand.merge(r.demand.astype({"demand_id": str}), on="demand_id"),
        sites.merge(r.sites[["site_id", "chosen", "served_need"]].astype({"site_id": str})),
        boundaries_frame(engine, AreaLevel.PROVINCE.value),
    )
    what = (
        f"{r.covered_need / max(r.total_need, 1e-9):.0%} of need within reach"
        if r.kind == "mclp"
        else f"need-weighted distance {r.objective:,.0f} {r.unit}"
    )
    return write_site_map(
        points,
        path,
        title="Service points chosen and the need they serve",
        subtitle=f"Run {result.run_id} ({r.kind.upper()}): {len(r.chosen)} of {len(r.sites)} "
        f"candidate sites chosen; {what}. Lines join each served point to its site.",
        footnote=" ".join(n if n.endswith(".") else f"{n}." for n in result.notes),
    )


def _write_sheets(sheets: dict[str, pd.DataFrame], path: Path, notes: list[str]) -> Path:
    from ssp_planner.reports.tables import write_table

    if path.suffix.lower() != ".xlsx":
        first = next(iter(sheets))
        return write_table(sheets[first], path, sheet=first, notes=notes)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False, freeze_panes=(1, 0))
        pd.DataFrame({"notes": notes}).to_excel(writer, sheet_name="notes", index=False)
    return path


def write_explanation(result: PostAllocation, path: Path) -> Path:
    from ssp_planner.allocation.explain import explanation_markdown

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(explanation_markdown(result.explanation, result.notes), encoding="utf-8")
    return path


def write_plan_map(engine: Engine, result: PostAllocation, path: Path) -> Path:
    """New posts per 100,000 people at the deepest level with boundaries (PNG or HTML)."""
    from ssp_planner.reports.maps import MapUnavailable, write_map
    from ssp_planner.services.boundaries import boundaries_frame

    for level in (AreaLevel.MUNICIPALITY, AreaLevel.DISTRICT, AreaLevel.PROVINCE):
        shapes = boundaries_frame(engine, level.value)
        if len(shapes):
            break
    else:
        raise MapUnavailable(
            "No boundaries are loaded, so there is no map to draw. Fix: import boundaries with "
            "`ssp areas import-boundaries FILE` (Municipal Demarcation Board, 'Spatial data')."
        )
    values = _rolled_plan(result, level)
    spent = sum(result.plan.spent().values())
    return write_map(
        shapes,
        values,
        path,
        value="new_per_100k",
        legend="New posts per 100,000 people",
        title=f"New posts funded, by {level.value}",
        subtitle=f"Plan (run {result.run_id}, fairness '{result.plan.problem.fairness}'): "
        f"{int(result.plan.new_posts.sum()):,} posts for {format_rands(spent)} a year",
        hover=["new_posts", "coverage_before", "coverage_after"],
        footnote=" ".join(result.notes[:2]),
    )


def _rolled_plan(result: PostAllocation, level: AreaLevel) -> pd.DataFrame:
    areas = result.explanation.areas
    key = {AreaLevel.PROVINCE: "province", AreaLevel.DISTRICT: "district"}.get(level, "code")
    pairs = result.plan.problem.pairs
    pop = (
        pairs.drop_duplicates("code")
        .groupby(pairs.drop_duplicates("code")[key])["population"]
        .sum()
    )
    grouped = areas.assign(after=areas["supply"] + areas["new_posts"]).groupby(key)
    out = grouped[["new_posts", "required", "supply", "after"]].sum()
    out["coverage_before"] = (out["supply"] / out["required"]).round(3)
    out["coverage_after"] = (out["after"] / out["required"]).round(3)
    out["new_per_100k"] = (out["new_posts"] / pop.reindex(out.index) * 100_000).round(2)
    return out.reset_index().rename(columns={key: "code"})
