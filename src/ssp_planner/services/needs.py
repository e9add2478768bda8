"""Needs use cases: assemble inputs from storage, run the core, store the run, compare scenarios.

The base level is the municipality (the lowest level with indicators); the core rolls need and
supply up to district, province and country, recomputing every ratio from sums.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from ssp_planner import __version__
from ssp_planner.domain.areas import POPULATION, AreaLevel
from ssp_planner.errors import NotFoundError, SSPError
from ssp_planner.needs import ALL, BASELINE, Norms, Scenario, compute_need, load_norms, need_table
from ssp_planner.services.areas import areas_frame, population_frame
from ssp_planner.services.batches import now
from ssp_planner.services.boundaries import boundary_source
from ssp_planner.services.summary import synthetic_sources
from ssp_planner.store import session_scope
from ssp_planner.store.models import (
    Area,
    AreaIndicator,
    NeedsResult,
    NeedsRun,
    Post,
    Practitioner,
    ScenarioRecord,
)
from ssp_planner.workforce.hierarchy import ancestor_at

BASE_LEVEL = AreaLevel.MUNICIPALITY
STORED = ["required", "filled", "vacant_funded", "gap", "shortage", "coverage", "per_100k",
          "wisn_ratio"]  # fmt: skip


@dataclass(frozen=True)
class NeedsOutcome:
    run_id: int
    scenario: Scenario
    norms: Norms
    table: pd.DataFrame  # need_table output: every level × category (+ 'all')
    synthetic: list[str]


def run_needs(
    engine: Engine, *, scenario: str = "baseline", norms_file: Path | None = None
) -> NeedsOutcome:
    """Compute need, supply and gap for every area and category; store the run and results."""
    norms = load_norms(norms_file)
    with session_scope(engine) as session:
        chosen = get_scenario(session, scenario)
        areas = areas_frame(session)
        indicators = indicator_frame(session, areas)
        supply = supply_frame(session, areas)
        population = population_frame(session, areas).set_index("area_id")["population"]
    need = compute_need(indicators, norms, scenario=expand_areas(chosen, areas))
    table = need_table(need, supply, areas, population.astype("Float64"))
    digest = _inputs_digest(indicators, supply, norms, chosen)
    synthetic = synthetic_sources(engine)
    run_id = _store_run(engine, table, chosen, norms, digest, bool(synthetic))
    return NeedsOutcome(run_id, chosen, norms, table, synthetic)


def expand_areas(scenario: Scenario, areas: pd.DataFrame) -> Scenario:
    """Let scenarios name districts or provinces: each code becomes the municipalities in it."""
    base = areas[areas["level"] == BASE_LEVEL.value]
    under: dict[str, set[str]] = {code: {code} for code in base["code"]}
    for level in (AreaLevel.DISTRICT, AreaLevel.PROVINCE, AreaLevel.COUNTRY):
        up = ancestor_at(areas, level).reindex(base["id"]).to_numpy()
        code_of = areas.set_index("id")["code"]
        for base_code, anc in zip(base["code"], up, strict=True):
            if not pd.isna(anc):
                under.setdefault(str(code_of[anc]), set()).add(base_code)
    modifiers = []
    for mod in scenario.modifiers:
        codes = getattr(mod, "area_codes", None)
        if codes:
            expanded = sorted({b for c in codes for b in under.get(c, {c})})
            mod = mod.model_copy(update={"area_codes": expanded})
        modifiers.append(mod)
    return scenario.model_copy(update={"modifiers": modifiers})


def indicator_frame(session: Session, areas: pd.DataFrame) -> pd.DataFrame:
    """One row per municipality (index = code), one column per indicator (latest period).

    A metro's figures may be stored on its district row only; they serve its municipality row.
    `population` is the Census 2022 figure or its marked estimate, as everywhere else.
    """
    rows = session.execute(
        select(
            Area.code,
            Area.level,
            AreaIndicator.indicator,
            AreaIndicator.period,
            AreaIndicator.value,
        )
        .join(Area, Area.id == AreaIndicator.area_id)
        .where(Area.level.in_([BASE_LEVEL.value, AreaLevel.DISTRICT.value]))
        .where(AreaIndicator.indicator != POPULATION)
    ).all()
    long = pd.DataFrame(rows, columns=["code", "level", "indicator", "period", "value"])
    base_codes = areas.loc[areas["level"] == BASE_LEVEL.value, "code"]
    long = long[long["code"].isin(base_codes)]
    long["rank"] = (long["level"] == BASE_LEVEL.value).astype(int)
    latest = long.sort_values(["rank", "period"]).groupby(["code", "indicator"]).tail(1)
    wide = latest.pivot(index="code", columns="indicator", values="value")
    wide = wide.reindex(sorted(base_codes))
    population = population_frame(session, areas).merge(areas, left_on="area_id", right_on="id")
    base_pop = population[population["level"] == BASE_LEVEL.value].set_index("code")
    wide[POPULATION] = base_pop["population"].astype("float64").reindex(wide.index)
    wide.index.name = "code"
    return wide


def supply_frame(session: Session, areas: pd.DataFrame) -> pd.DataFrame:
    """Filled posts (people in the inventory) and funded vacancies by area code and category."""
    code_of = areas.set_index("id")["code"]
    head = pd.DataFrame(
        session.execute(
            select(Practitioner.area_id, Practitioner.category, func.count()).group_by(
                Practitioner.area_id, Practitioner.category
            )
        ).all(),
        columns=["area_id", "category", "filled"],
    )
    vacant = pd.DataFrame(
        session.execute(
            select(Post.area_id, Post.category, func.count())
            .where(Post.holder_id.is_(None), Post.funded.is_(True))
            .group_by(Post.area_id, Post.category)
        ).all(),
        columns=["area_id", "category", "vacant_funded"],
    )
    both = head.merge(vacant, on=["area_id", "category"], how="outer").fillna(0)
    both["area_code"] = both["area_id"].map(code_of)
    return both[["area_code", "category", "filled", "vacant_funded"]].astype(
        {"filled": "int64", "vacant_funded": "int64"}
    )


def _inputs_digest(ind: pd.DataFrame, supply: pd.DataFrame, norms: Norms, sc: Scenario) -> str:
    """What the numbers depend on: the same digest means the same inputs."""
    h = hashlib.sha256()
    h.update(pd.util.hash_pandas_object(ind.sort_index(axis=1), index=True).values.tobytes())
    h.update(
        pd.util.hash_pandas_object(
            supply.sort_values(["area_code", "category"]), index=False
        ).values.tobytes()
    )
    h.update((norms.digest() + sc.digest() + __version__).encode())
    return h.hexdigest()


def _store_run(
    engine: Engine, table: pd.DataFrame, sc: Scenario, norms: Norms, digest: str, synth: bool
) -> int:
    with session_scope(engine) as session:
        run = NeedsRun(
            scenario_name=sc.name,
            scenario_digest=sc.digest(),
            norms_version=norms.version,
            norms_digest=norms.digest(),
            inputs_digest=digest,
            software_version=__version__,
            synthetic=synth,
            created_at=now(),
        )
        session.add(run)
        session.flush()
        rows = table[["area_id", "category", *STORED]].astype(object)
        rows = rows.where(pd.notna(rows), None)
        session.connection().execute(
            insert(NeedsResult),
            [{"run_id": run.id, **r} for r in rows.to_dict("records")],
        )
        return run.id


def get_scenario(session: Session, name: str) -> Scenario:
    if name == BASELINE.name:
        return BASELINE
    record = session.scalar(select(ScenarioRecord).where(ScenarioRecord.name == name))
    if record is None:
        known = sorted(session.scalars(select(ScenarioRecord.name)))
        raise NotFoundError(
            f"No scenario named '{name}'. Stored: {', '.join(known) or 'none'}. "
            "Fix: add it with `ssp needs scenario add FILE.toml`."
        )
    return Scenario.model_validate_json(record.body_json)


def save_scenario(engine: Engine, path: Path) -> Scenario:
    """Store (or replace) a scenario from a TOML or JSON file, under its own name."""
    if not path.is_file():
        raise SSPError(f"{path}: file not found. Fix: check the path.")
    text = path.read_text(encoding="utf-8")
    scenario = (
        Scenario.model_validate_json(text)
        if path.suffix.lower() == ".json"
        else Scenario.from_toml(text, path.name)
    )
    if scenario.name == BASELINE.name:
        raise SSPError(f"{path.name}: 'baseline' is reserved. Fix: give the scenario another name.")
    with session_scope(engine) as session:
        record = session.scalar(select(ScenarioRecord).where(ScenarioRecord.name == scenario.name))
        if record is None:
            record = ScenarioRecord(name=scenario.name, created_at=now())
            session.add(record)
        record.description = scenario.description
        record.body_json = scenario.model_dump_json()
        record.digest = scenario.digest()
        record.updated_at = now()
    return scenario


def list_scenarios(engine: Engine) -> list[Scenario]:
    with session_scope(engine) as session:
        bodies = session.scalars(select(ScenarioRecord.body_json).order_by(ScenarioRecord.name))
        return [BASELINE, *(Scenario.model_validate_json(b) for b in bodies)]


def compare_scenarios(
    engine: Engine, names: list[str], *, level: AreaLevel, norms_file: Path | None = None
) -> pd.DataFrame:
    """Required posts, WISN-required staff and gap per area × category under each scenario,
    with the change from the first scenario named (the reference).

    Both changes are shown because a law that adds workload may leave the required posts
    unchanged where a ratio norm is the binding one; the WISN column still shows the pressure.
    """
    if len(names) < 2:
        raise SSPError("Name at least two scenarios to compare, e.g. baseline floods-2026.")
    frames = []
    for name in names:
        out = run_needs(engine, scenario=name, norms_file=norms_file).table
        cols = ["code", "name", "category", "required", "wisn_required", "gap"]
        part = out[out["level"] == level.value][cols]
        frames.append(part.set_index(["code", "name", "category"]).add_suffix(f" [{name}]"))
    wide = pd.concat(frames, axis=1)
    ref = names[0]
    for name in names[1:]:
        for col in ("required", "wisn_required"):
            wide[f"Δ {col} [{name}]"] = wide[f"{col} [{name}]"] - wide[f"{col} [{ref}]"]
    return wide.reset_index()


def needs_notes(outcome: NeedsOutcome) -> list[str]:
    """Provenance lines for exports and maps: run, norms, scenario, sources, synthetic data."""
    notes = [
        f"Needs run {outcome.run_id}, SSP Planner {__version__}, computed {now():%Y-%m-%d}.",
        f"Scenario '{outcome.scenario.name}' (planning year {outcome.scenario.year}, digest "
        f"{outcome.scenario.digest()[:12]}): {outcome.scenario.description}",
        f"Norms {outcome.norms.version} from {outcome.norms.origin} (digest "
        f"{outcome.norms.digest()[:12]}); numbers marked assumption there must be set by you.",
        "required = posts the norms call for (practitioners + supervisors); filled = people in "
        "the inventory; gap = required − filled (positive: shortage); coverage = filled ÷ "
        "required; ratios are recomputed from sums at every level.",
        "Population: Stats SA Census 2022; below province an estimate (CS 2016 share of the "
        "province × Census 2022 total).",
    ]
    if outcome.synthetic:
        notes.insert(
            0, "SYNTHETIC DEMO DATA — not real people or counts: " + "; ".join(outcome.synthetic)
        )
    return notes


def level_rows(table: pd.DataFrame, level: AreaLevel, category: str) -> pd.DataFrame:
    rows = table[(table["level"] == level.value) & (table["category"] == category)]
    if rows.empty:
        raise SSPError(
            f"No needs rows at level '{level.value}' for category '{category}'. "
            "Fix: choose a level from country to municipality and a known category."
        )
    return rows.reset_index(drop=True)


def write_need_map(
    engine: Engine,
    outcome: NeedsOutcome,
    path: Path,
    *,
    level: AreaLevel,
    category: str,
    value: str = "gap",
) -> Path:
    """Choropleth of gap (diverging) or coverage per area; refuses to draw without boundaries."""
    from ssp_planner.reports.maps import require_shapes, write_map
    from ssp_planner.services.boundaries import boundaries_frame

    shapes = require_shapes(boundaries_frame(engine, level.value), level.value)
    rows = level_rows(outcome.table, level, category)
    label = {
        "gap": "Gap (posts; + shortage, − surplus)",
        "coverage": "Coverage (filled ÷ required)",
        "per_100k": "SSPs per 100,000 people",
    }.get(value, value)
    what = category.replace("_", " ") if category != "all" else "all SSP categories"
    footnote = (needs_notes(outcome)[0] + ". " if outcome.synthetic else "") + (
        f"Boundaries: {boundary_source(engine, level)}. Norms {outcome.norms.version}."
    )
    return write_map(
        shapes,
        rows,
        path,
        value=value,
        legend=label,
        title=f"{label.split(' (')[0]}: {what}, by {level.value}",
        subtitle=f"Scenario '{outcome.scenario.name}' (planning year {outcome.scenario.year}) "
        f"· needs run {outcome.run_id} · {now():%d %B %Y}",
        hover=["required", "filled", "gap", "coverage", "per_100k"],
        diverging=value == "gap",
        footnote=footnote.strip(),
    )


def load_example_scenarios(engine: Engine) -> list[Scenario]:
    """Store the illustrative scenarios shipped in ssp_planner/data/scenarios."""
    from importlib import resources

    folder = resources.files("ssp_planner.data").joinpath("scenarios")
    stored = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".toml"):
            with resources.as_file(item) as path:
                stored.append(save_scenario(engine, path))
    return stored


def needs_demo(engine: Engine, out_dir: Path) -> tuple[list[str], list[Path]]:
    """Baseline needs with table and maps, and the example scenarios compared with it."""
    from ssp_planner.reports.maps import MapUnavailable
    from ssp_planner.reports.tables import write_table

    scenarios = load_example_scenarios(engine)
    outcome = run_needs(engine)
    notes = needs_notes(outcome)
    files = [
        write_table(outcome.table, out_dir / "needs-baseline.xlsx", sheet="needs", notes=notes)
    ]
    lines = [_national_line(outcome)]
    for level in (AreaLevel.DISTRICT, AreaLevel.PROVINCE):
        for suffix in (".png", ".html"):
            try:
                files.append(
                    write_need_map(
                        engine,
                        outcome,
                        out_dir / f"gap-{level.value}{suffix}",
                        level=level,
                        category="all",
                    )
                )
            except MapUnavailable as exc:
                lines.append(f"No {level.value} map: {exc}")
                break
    names = [BASELINE.name, *(s.name for s in scenarios)]
    wide = compare_scenarios(engine, names, level=AreaLevel.PROVINCE)
    files.append(
        write_table(
            wide,
            out_dir / "needs-scenarios.xlsx",
            sheet="compare",
            notes=[*notes, f"Scenarios compared: {', '.join(names)}"],
        )
    )
    return lines, files


def _national_line(outcome: NeedsOutcome) -> str:
    row = level_rows(outcome.table, AreaLevel.COUNTRY, "all").iloc[0]
    return (
        f"Needs (baseline, norms {outcome.norms.version}): {row['required']:,.0f} posts required, "
        f"{row['filled']:,.0f} filled, net gap {row['gap']:,.0f}, coverage {row['coverage']:.0%} "
        f"(shortage summed over municipalities {row['shortage']:,.0f})."
    )


LATEST_COLUMNS = ["required", "filled", "gap", "coverage"]


def latest_needs_run(engine: Engine, scenario: str) -> tuple[NeedsRun, pd.DataFrame] | None:
    """The newest stored run of `scenario` and its country and province rows (all categories)."""
    with session_scope(engine) as session:
        run = session.scalars(
            select(NeedsRun)
            .where(NeedsRun.scenario_name == scenario)
            .order_by(NeedsRun.created_at.desc(), NeedsRun.id.desc())
        ).first()
        if run is None:
            return None
        levels = [AreaLevel.COUNTRY.value, AreaLevel.PROVINCE.value]
        query = (
            select(
                Area.level, Area.code, Area.name, *(getattr(NeedsResult, c) for c in LATEST_COLUMNS)
            )
            .join(Area, Area.id == NeedsResult.area_id)
            .where(
                NeedsResult.run_id == run.id, NeedsResult.category == ALL, Area.level.in_(levels)
            )
        )
        rows = pd.DataFrame(
            session.execute(query).all(), columns=["level", "code", "name", *LATEST_COLUMNS]
        )
    if rows.empty or (rows["level"] == AreaLevel.COUNTRY.value).sum() != 1:
        return None
    return run, rows
