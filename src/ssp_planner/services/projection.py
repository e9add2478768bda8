"""`ssp project`: read the opening position from storage, project it, store the run, report.

Demand comes from the latest stored needs run (its province totals, grown by demand.growth a
year) when one exists, else from the parameters' national path. The run is stored with the
digests of its parameters, scenarios and inputs and the software version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from ssp_planner import __version__
from ssp_planner.domain.areas import AreaLevel
from ssp_planner.domain.vocabulary import Category
from ssp_planner.errors import SSPError
from ssp_planner.projection import (
    PACKAGE_FILE,
    Baseline,
    ConfigError,
    Problem,
    ProjectionParams,
    ProjectionResult,
    fy_label,
    fy_of,
    load_params,
    project,
    resolve_scenarios,
)
from ssp_planner.reports.charts import supply_demand_chart
from ssp_planner.services.areas import areas_frame, population_frame
from ssp_planner.services.batches import now
from ssp_planner.services.summary import synthetic_sources
from ssp_planner.store import session_scope
from ssp_planner.store.models import NeedsResult, NeedsRun, Post, Practitioner
from ssp_planner.store.models_people import ProjectionResultRow, ProjectionRun
from ssp_planner.workforce.hierarchy import ancestor_at

METROS_PREFIX = "DC"  # district municipalities are DC..; metros have their own codes (CPT, JHB...)
NEEDS_BASELINE = "baseline"  # the needs model's name for the scenario without changes


@dataclass(frozen=True)
class ProjectionReport:
    run_id: int | None
    result: ProjectionResult
    params: ProjectionParams
    params_origin: str
    on: date
    notes: list[str]

    @property
    def national(self) -> pd.DataFrame:
        return self.result.national()

    @property
    def comparison(self) -> pd.DataFrame | None:
        return self.result.comparison() if len(self.result.scenarios) > 1 else None


def run_projection(
    engine: Engine,
    *,
    on: date | None = None,
    years: int | None = None,
    scenarios: Sequence[str] = (),
    params_file: Path | None = None,
    needs_run: int | None = None,
    store: bool = True,
) -> ProjectionReport:
    """Project the stored workforce from `on` (default today) over `years`; store the run."""
    on = on or date.today()
    with session_scope(engine) as session:
        areas = areas_frame(session)
        if areas.empty:
            raise SSPError("No areas are loaded. Fix: run `ssp demo` or `ssp areas load`.")
        provinces = tuple(sorted(areas.loc[areas["level"] == AreaLevel.PROVINCE.value, "code"]))
        params = load_params(params_file, provinces=provinces)
        chosen = resolve_scenarios(scenarios, provinces=provinces)
        baseline, need_run = load_baseline(
            session, areas, params, on=on, provinces=provinces, needs_run=needs_run
        )
    result = project(params, baseline, chosen, years=years)
    synthetic = bool(synthetic_sources(engine))
    run_id = _store(engine, result, params, baseline, need_run, synthetic) if store else None
    origin = f"{PACKAGE_FILE} + {params_file}" if params_file else PACKAGE_FILE
    notes = _notes(result, params, origin, baseline, run_id, on, engine)
    return ProjectionReport(run_id, result, params, origin, on, notes)


# --- the opening position --------------------------------------------------------------------


def load_baseline(
    session: Session,
    areas: pd.DataFrame,
    params: ProjectionParams,
    *,
    on: date,
    provinces: tuple[str, ...],
    needs_run: int | None = None,
) -> tuple[Baseline, int | None]:
    """The workforce on `on` by province, category, sector, age and rurality; funded vacancies;
    population; and a needs run's province totals (with its id), if any."""
    code = areas.set_index("id")["code"]
    province = ancestor_at(areas, AreaLevel.PROVINCE).map(code)
    district = ancestor_at(areas, AreaLevel.DISTRICT).map(code)
    workforce = _workforce(session, on, province, district.isin(_rural_districts(areas, params)))
    if workforce.empty:
        raise SSPError(
            "No SSPs are stored. Fix: import the inventory (ssp import inventory FILE) "
            "or run `ssp demo`."
        )
    need, run_id, source = _need(session, areas, params, needs_run)
    base = Baseline(
        start_year=fy_of(on),
        provinces=provinces,
        workforce=workforce,
        vacancies=_vacancies(session, province),
        population=_province_population(session, areas),
        need=need,
        demand_source=source,
    )
    return base, run_id


def _province_population(session: Session, areas: pd.DataFrame) -> pd.Series:
    pops = population_frame(session, areas).set_index("area_id")["population"]
    prov = areas[areas["level"] == AreaLevel.PROVINCE.value]
    values = pops.reindex(prov["id"]).to_numpy(dtype=float, na_value=0.0)
    return pd.Series(values, index=prov["code"].to_numpy())


def _rural_districts(areas: pd.DataFrame, params: ProjectionParams) -> set[str]:
    districts = set(areas.loc[areas["level"] == AreaLevel.DISTRICT.value, "code"])
    if params.rural.districts:
        unknown = sorted(set(params.rural.districts) - districts)
        if unknown:
            problem = Problem(
                "rural.districts",
                f"lists {', '.join(unknown)}, which are not district codes.",
                "use district or metro codes such as DC10 or BUF",
            )
            raise ConfigError("the projection parameters", [problem], "rural districts")
        return set(params.rural.districts)
    if params.rural.rule == "none":
        return set()
    return {d for d in districts if d.startswith(METROS_PREFIX)}


def _workforce(session: Session, on: date, province: pd.Series, rural: pd.Series) -> pd.DataFrame:
    rows = session.execute(
        select(
            Practitioner.area_id,
            Practitioner.category,
            Practitioner.sector,
            Practitioner.birth_date,
        ).where(Practitioner.start_date <= on)
    ).all()
    frame = pd.DataFrame(rows, columns=["area_id", "category", "sector", "birth_date"])
    if frame.empty:
        return pd.DataFrame(columns=["province", "category", "sector", "age", "rural", "headcount"])
    born = pd.to_datetime(frame["birth_date"])
    before = (born.dt.month > on.month) | ((born.dt.month == on.month) & (born.dt.day > on.day))
    frame["age"] = on.year - born.dt.year - before.astype(int)
    frame["province"] = frame["area_id"].map(province)
    frame["rural"] = frame["area_id"].map(rural).fillna(False).astype(bool)
    frame = frame.dropna(subset=["province"])
    keys = ["province", "category", "sector", "age", "rural"]
    return frame.groupby(keys).size().rename("headcount").reset_index()


def _vacancies(session: Session, province: pd.Series) -> pd.DataFrame:
    rows = session.execute(
        select(Post.area_id, Post.category, Post.sector, func.count())
        .where(Post.funded.is_(True), Post.holder_id.is_(None))
        .group_by(Post.area_id, Post.category, Post.sector)
    ).all()
    frame = pd.DataFrame(rows, columns=["area_id", "category", "sector", "vacant_funded"])
    frame["province"] = frame["area_id"].map(province)
    return (
        frame.dropna(subset=["province"])
        .groupby(["province", "category", "sector"], as_index=False)["vacant_funded"]
        .sum()
    )


def _need(
    session: Session, areas: pd.DataFrame, params: ProjectionParams, run_id: int | None
) -> tuple[pd.DataFrame | None, int | None, str]:
    """Province totals of a needs run (`run_id`, else the latest baseline run, else the latest
    run), or None: then the parameters' path is used."""
    path = _path_text(params)
    run = _needs_run(session, run_id)
    if run is None:
        return None, None, path
    prov = areas.loc[areas["level"] == AreaLevel.PROVINCE.value, ["id", "code"]]
    query = select(NeedsResult.area_id, NeedsResult.category, NeedsResult.required).where(
        NeedsResult.run_id == run.id,
        NeedsResult.area_id.in_(prov["id"].tolist()),
        NeedsResult.category.in_([c.value for c in Category]),
    )
    need = pd.DataFrame(session.execute(query).all(), columns=["area_id", "category", "required"])
    if need.empty:
        return None, None, f"{path} (needs run {run.id} has no province totals)"
    need["province"] = need["area_id"].map(prov.set_index("id")["code"])
    growth = params.demand.growth.value
    source = (
        f"needs run {run.id} ('{run.scenario_name}'), province totals grown {growth:.1%} a year"
    )
    return need[["province", "category", "required"]], run.id, source


def _needs_run(session: Session, run_id: int | None) -> Any:
    runs = select(NeedsRun.id, NeedsRun.scenario_name)
    if run_id is not None:
        run = session.execute(runs.where(NeedsRun.id == run_id)).first()
        if run is None:
            raise SSPError(
                f"There is no needs run {run_id}. Fix: run `ssp needs run`, or omit --needs-run."
            )
        return run
    latest = runs.order_by(NeedsRun.id.desc()).limit(1)
    return (
        session.execute(latest.where(NeedsRun.scenario_name == NEEDS_BASELINE)).first()
        or session.execute(latest).first()
    )


def _path_text(params: ProjectionParams) -> str:
    points = ", ".join(f"{p.total.value:,.0f} by {p.period}" for p in params.demand.path)
    growth = f"{params.demand.growth.value:.1%} a year"
    return f"parameters: demand.path ({points or 'no points'}), then {growth}"


# --- storing ------------------------------------------------------------------------------------


def inputs_digest(base: Baseline, need_run: int | None) -> str:
    """sha256 over the opening position's frames: the same inventory gives the same digest."""
    h = hashlib.sha256(f"{base.start_year}|{base.provinces}|{need_run}".encode())
    for frame in (base.workforce, base.vacancies, base.population.to_frame(), base.need):
        if frame is not None:
            h.update(frame.sort_values(list(frame.columns)).to_csv(index=False).encode())
    return h.hexdigest()


def _store(
    engine: Engine,
    result: ProjectionResult,
    params: ProjectionParams,
    base: Baseline,
    need_run: int | None,
    synthetic: bool,
) -> int:
    scen = hashlib.sha256("|".join(s.digest() for s in result.scenarios).encode()).hexdigest()
    table = result.table()
    with session_scope(engine) as session:
        run = ProjectionRun(
            start_period=fy_label(result.start_year),
            years=len(result.periods) - 1,
            scenarios=",".join(result.names),
            params_version=params.version,
            params_digest=result.params_digest,
            scenarios_digest=scen,
            inputs_digest=inputs_digest(base, need_run),
            demand_source=result.demand_source[:200],
            balanced=result.balanced,
            max_residual=result.max_residual,
            software_version=__version__,
            synthetic=synthetic,
            created_at=now(),
        )
        session.add(run)
        session.flush()
        prov_ids = _province_ids(session)
        session.execute(insert(ProjectionResultRow), _rows(table, run.id, prov_ids))
        return run.id


def _province_ids(session: Session) -> dict[str, int]:
    areas = areas_frame(session)
    prov = areas[areas["level"] == AreaLevel.PROVINCE.value]
    return dict(zip(prov["code"], prov["id"].astype(int), strict=True))


def _rows(table: pd.DataFrame, run_id: int, prov_ids: dict[str, int]) -> list[dict[str, Any]]:
    cols = [
        "supply",
        "demand",
        "shortfall",
        "students",
        "graduates",
        "hires",
        "leavers",
        "unemployed",
        "funded_posts",
    ]
    money = ["post_cost", "scholarship_cost", "intervention_cost"]
    out = table[["scenario", "period", "province", "category", *cols, *money]].copy()
    out["area_id"] = out.pop("province").map(prov_ids)
    out["run_id"] = run_id
    records = out.astype(object).where(out.notna(), None).to_dict("records")
    for r in records:
        for m in money:
            r[m] = None if r[m] is None else int(r[m])
    return records


# --- outputs ---------------------------------------------------------------------------------


def _notes(
    result: ProjectionResult,
    params: ProjectionParams,
    origin: str,
    base: Baseline,
    run_id: int | None,
    on: date,
    engine: Engine,
) -> list[str]:
    figures = parameter_figures(params)
    assumed, sourced = int(figures["assumption"].sum()), int((figures["source"] != "").sum())
    heads = int(base.workforce["headcount"].sum())
    vacant = int(base.vacancies["vacant_funded"].sum()) if not base.vacancies.empty else 0
    run = run_id if run_id is not None else "(not stored)"
    notes = [
        f"SSP Planner {__version__}; projection run {run}; parameters {params.version} from "
        f"{origin} (digest {result.params_digest[:12]}).",
        f"Opening position on {on.isoformat()} ({fy_label(result.start_year)}): {heads:,} SSPs "
        f"employed and {vacant:,} funded vacant posts in the stored inventory; each later year "
        "moves it on by twelve months.",
        f"Demand: {result.demand_source}.",
        result.balance_note(),
        f"{assumed} of {len(figures)} parameter figures are assumptions you should set; {sourced} "
        "cite a published source (see the 'parameters' sheet).",
        "Shortfall is summed over provinces and categories: a surplus in one never offsets a "
        "shortfall in another.",
        f"Money in whole rands at {params.price_year} prices; post cost counts funded posts, "
        "filled or not.",
    ]
    if banner := synthetic_sources(engine):
        notes.insert(0, "SYNTHETIC DEMO DATA — not real people: " + "; ".join(banner) + ".")
    return notes


def parameter_figures(params: ProjectionParams) -> pd.DataFrame:
    """Every number in the parameters with its source or assumption flag: key, value, ..."""
    rows: list[dict[str, Any]] = []
    _walk(params.model_dump(mode="json"), "", rows)
    return pd.DataFrame(rows, columns=["key", "value", "source", "assumption", "note"])


def _walk(node: Any, key: str, rows: list[dict[str, Any]]) -> None:
    if isinstance(node, dict) and ("value" in node or "values" in node):
        value = node.get("value", node.get("values"))
        rows.append(
            {
                "key": key,
                "value": str(value),
                "source": node.get("source") or "",
                "assumption": bool(node.get("assumption")),
                "note": node.get("note") or "",
            }
        )
    elif isinstance(node, dict):
        for k, v in node.items():
            _walk(v, f"{key}.{k}" if key else str(k), rows)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _walk(v, f"{key}[{i}]", rows)


def write_projection_xlsx(report: ProjectionReport, path: Path) -> Path:
    """Sheets: summary (national), comparison, detail (province × category), balance,
    parameters (each figure with its source), notes."""
    sheets = {
        "summary": report.national,
        "comparison": report.comparison,
        "detail": report.result.table(),
        "balance": report.result.balance_table(),
        "parameters": parameter_figures(report.params),
    }
    return write_sheets(path, sheets, report.notes)


def write_sheets(path: Path, sheets: dict[str, pd.DataFrame | None], notes: list[str]) -> Path:
    """One XLSX, a sheet per frame (floats rounded for reading), and the notes sheet last, so that
    figures never travel without their provenance. openpyxl's write-only mode: a national
    list of supervisees writes in a third of the time pandas takes."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise SSPError(f"{path.name}: this report is written as .xlsx. Fix: name the file *.xlsx.")
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    for name, frame in {**sheets, "notes": pd.DataFrame({"notes": notes})}.items():
        if frame is not None:
            _append(book.create_sheet(name), frame)
    book.save(path)
    return path


def _append(sheet: Any, frame: pd.DataFrame) -> None:
    sheet.freeze_panes = "A2"
    sheet.append([str(c) for c in frame.columns])
    columns = [_cells(frame[c]) for c in frame.columns]
    for row in zip(*columns, strict=True):
        sheet.append(list(row))


def _cells(col: pd.Series) -> list[Any]:
    """Plain Python values: floats to one decimal (three when all are below 10, such as
    ratios per R1 million), categories as text, blanks as None."""
    if pd.api.types.is_float_dtype(col):
        col = col.round(3 if col.abs().max() < 10 else 1)
    elif isinstance(col.dtype, pd.CategoricalDtype):
        col = col.astype(str)
    values = col.astype(object).where(col.notna(), None).tolist()
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def write_projection_chart(report: ProjectionReport, path: Path) -> Path:
    """National supply vs demand per year, the gap shaded; each scenario's supply as a line."""
    nat, names, periods = report.national, report.result.names, report.result.periods
    base = nat[nat["scenario"] == names[0]]
    others = {n: nat.loc[nat["scenario"] == n, "supply"].tolist() for n in names[1:]}
    last = base.iloc[-1]
    banner = next((n for n in report.notes if n.startswith("SYNTHETIC")), "")
    gap = (
        f"Shaded: the national gap. Shortfall summed over provinces and categories in "
        f"{last['period']}: {last['shortfall']:,.0f}; unemployed qualified SSPs: "
        f"{last['unemployed']:,.0f}."
    )
    return supply_demand_chart(
        periods,
        base["supply"].tolist(),
        base["demand"].tolist(),
        title=f"SSP supply and demand, South Africa, {periods[0]}–{periods[-1]}",
        subtitle="Supply: employed SSPs and scholarship holders serving their obligation. "
        f"Demand: {report.result.demand_source}.",
        footnote=" ".join([banner, gap, report.result.balance_note()]).strip(),
        other_supply=others,
        supply_label="supply: baseline",
        path=path,
    )


__all__ = [
    "ProjectionReport",
    "load_baseline",
    "run_projection",
    "write_projection_chart",
    "write_projection_xlsx",
    "write_sheets",
]
