"""Needs actions from the web, each recorded in the audit trail: run, store a scenario, compare."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from ssp_planner.needs import Scenario
from ssp_planner.services.needs import run_needs, save_scenario
from ssp_planner.services.web_needs import Comparison, compare_view
from ssp_planner.services.web_queries import RunInfo, latest_run
from ssp_planner.web.audit import audit_now
from ssp_planner.web.roles import Principal


def run_and_record(engine: Engine, principal: Principal, scenario: str, ip: str | None) -> RunInfo:
    outcome = run_needs(engine, scenario=scenario)
    audit_now(
        engine,
        user=principal,
        action="needs.run",
        target=f"needs_run:{outcome.run_id}",
        after={"scenario": scenario, "norms": outcome.norms.version},
        ip=ip,
    )
    run = latest_run(engine, outcome.run_id)
    assert run is not None  # just stored
    return run


def save_scenario_and_record(
    engine: Engine, principal: Principal, path: Path, ip: str | None
) -> Scenario:
    scenario = save_scenario(engine, path)
    audit_now(
        engine,
        user=principal,
        action="scenario.save",
        target=f"scenario:{scenario.name}",
        after={"file": path.name, "digest": scenario.digest()[:12], "year": scenario.year},
        ip=ip,
    )
    return scenario


def compare_and_record(
    engine: Engine,
    principal: Principal,
    names: list[str],
    *,
    level: str,
    category: str,
    ip: str | None,
) -> Comparison:
    """Comparing runs each scenario (stored runs), so it is recorded like a run."""
    result = compare_view(engine, principal.scope, names, level=level, category=category)
    audit_now(
        engine,
        user=principal,
        action="needs.compare",
        target="scenarios:" + ",".join(names),
        after={"level": level, "category": category},
        ip=ip,
    )
    return result
