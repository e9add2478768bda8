"""The needs use cases on real databases: inputs from storage, stored runs, scenarios, maps."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from conftest import SHARED_AREAS
from ssp_planner.cli import app
from ssp_planner.domain.areas import AreaLevel
from ssp_planner.errors import NotFoundError
from ssp_planner.reports.maps import MapUnavailable
from ssp_planner.services import needs as ns
from ssp_planner.services.boundaries import import_boundaries
from ssp_planner.services.demo import run_demo
from ssp_planner.store import session_scope
from ssp_planner.store.models import NeedsResult, NeedsRun

SCENARIOS = Path(ns.__file__).resolve().parents[1] / "data" / "scenarios"


@pytest.fixture
def demo_engine(engine: Engine, tmp_path: Path) -> Engine:
    run_demo(engine, work_dir=tmp_path, boundaries_dir=None, seed=11, size=3000)
    return engine


def test_run_is_stored_with_digests_and_rolls_up(demo_engine: Engine) -> None:
    out = ns.run_needs(demo_engine)
    table = out.table
    country = ns.level_rows(table, AreaLevel.COUNTRY, "all").iloc[0]
    provinces = ns.level_rows(table, AreaLevel.PROVINCE, "all")
    assert provinces["required"].sum() == pytest.approx(country["required"])
    assert provinces["filled"].sum() == country["filled"] == 3000
    assert country["coverage"] == pytest.approx(country["filled"] / country["required"])
    with session_scope(demo_engine) as s:
        run = s.get(NeedsRun, out.run_id)
        assert run is not None and run.synthetic and len(run.inputs_digest) == 64
        assert run.norms_digest == out.norms.digest()
        stored = s.scalar(select(func.count()).where(NeedsResult.run_id == out.run_id))
    assert stored == len(table)
    again = ns.run_needs(demo_engine)
    with session_scope(demo_engine) as s:
        digests = s.scalars(select(NeedsRun.inputs_digest).order_by(NeedsRun.id)).all()
    assert digests[0] == digests[1] and again.run_id != out.run_id


def test_scenarios_store_expand_and_compare(demo_engine: Engine) -> None:
    stored = ns.load_example_scenarios(demo_engine)
    assert {s.name for s in stored} >= {"kzn-floods", "growth-2030"}
    names = [s.name for s in ns.list_scenarios(demo_engine)]
    assert names[0] == "baseline" and "children-act-amendment" in names
    wide = ns.compare_scenarios(
        demo_engine,
        ["baseline", "growth-2030", "children-act-amendment"],
        level=AreaLevel.PROVINCE,
    )
    total = wide[wide["category"] == "all"]
    assert (total["Δ required [growth-2030]"] > 0).all()  # every province grows
    sw = wide[wide["category"] == "social_worker"]
    assert (sw["Δ wisn_required [children-act-amendment]"] > 0).all()  # a new service adds work


def test_district_codes_in_a_scenario_mean_their_municipalities(demo_engine: Engine) -> None:
    with session_scope(demo_engine) as s:
        areas = ns.areas_frame(s)
        floods = ns.save_scenario(demo_engine, SCENARIOS / "kzn-floods.toml")
    expanded = ns.expand_areas(floods, areas)
    codes = set(expanded.modifiers[0].area_codes)  # type: ignore[union-attr]
    assert "ETH" in codes and "KZN291" in codes and "DC29" not in codes
    assert all(c.startswith(("KZN", "ETH")) for c in codes)


def test_unknown_scenario_says_how_to_add_one(demo_engine: Engine) -> None:
    with pytest.raises(NotFoundError, match="ssp needs scenario add"):
        ns.run_needs(demo_engine, scenario="nope")


def test_no_boundaries_no_map(demo_engine: Engine, tmp_path: Path) -> None:
    out = ns.run_needs(demo_engine)
    with pytest.raises(MapUnavailable, match="import-boundaries"):
        ns.write_need_map(
            demo_engine, out, tmp_path / "m.png", level=AreaLevel.DISTRICT, category="all"
        )
    assert not (tmp_path / "m.png").exists()


@pytest.mark.skipif(not SHARED_AREAS.is_dir(), reason="../shared/data/areas not present")
def test_cli_needs_with_exports_and_maps(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'n.db'}"
    runner = CliRunner()
    from ssp_planner.store import connect, migrate

    engine = connect(db)
    migrate(engine)
    run_demo(engine, work_dir=tmp_path, boundaries_dir=None, seed=3, size=2000)
    import_boundaries(engine, SHARED_AREAS / "provinces.geojson")
    args = [
        "--db",
        db,
        "needs",
        "--level",
        "province",
        "--xlsx",
        str(tmp_path / "n.xlsx"),
        "--map",
        str(tmp_path / "gap.png"),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Gauteng" in result.output and "SYNTHETIC" in result.output
    assert (tmp_path / "n.xlsx").stat().st_size > 0 and (tmp_path / "gap.png").stat().st_size > 0
    html = runner.invoke(app, [*args[:5], "--map", str(tmp_path / "gap.html")])
    assert html.exit_code == 0 and "cdn.plot.ly/plotly" not in (tmp_path / "gap.html").read_text()
    bad = runner.invoke(app, ["--db", db, "needs", "--scenario", "nope"])
    assert bad.exit_code == 1 and "No scenario named 'nope'" in bad.output
