"""The allocation service on both backends: plans come from the stored needs run, are stored with
their inputs' hash, reopen as computed, compare, and bad input files are reported row by row."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select

from ssp_planner.errors import NotFoundError
from ssp_planner.services import allocation as service
from ssp_planner.services.areas import load_areas
from ssp_planner.services.batches import now
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, NeedsResult, NeedsRun

FIXTURES = Path(__file__).parent / "fixtures" / "allocation"
CATEGORIES = {"social_worker": (6.0, 2), "child_youth_care_worker": (4.0, 1)}  # required, filled


def store_needs_run(engine: Engine, province: str = "WC") -> int:
    """A needs run as the needs service stores it: municipality rows of one province."""
    load_areas(engine)
    with session_scope(engine) as session:
        prov = session.scalar(
            select(Area.id).where(Area.level == "province", Area.code == province)
        )
        dist = session.scalars(select(Area.id).where(Area.parent_id == prov)).all()
        munis = session.execute(
            select(Area.id, Area.code).where(Area.level == "municipality", Area.parent_id.in_(dist))
        ).all()
        run = NeedsRun(
            scenario_name="baseline",
            scenario_digest="s",
            norms_version="test",
            norms_digest="n",
            inputs_digest="i",
            software_version="test",
            synthetic=True,
            created_at=now(),
        )
        session.add(run)
        session.flush()
        rows = [
            {
                "run_id": run.id,
                "area_id": area_id,
                "category": cat,
                "required": req * (1 + k % 3),
                "filled": filled,
                "vacant_funded": 0,
                "gap": req * (1 + k % 3) - filled,
                "shortage": max(0.0, req * (1 + k % 3) - filled),
                "coverage": filled / (req * (1 + k % 3)),
                "per_100k": None,
                "wisn_ratio": None,
            }
            for k, (area_id, _code) in enumerate(munis)
            for cat, (req, filled) in CATEGORIES.items()
        ]
        session.execute(insert(NeedsResult), rows)
        return run.id


def test_plan_from_stored_needs_is_stored_and_reopens(engine: Engine, tmp_path: Path) -> None:
    store_needs_run(engine)
    result = service.allocate(engine, service.PostRequest(budget=20_000_000, npo_budget=2_000_000))
    assert sum(result.plan.spent().values()) <= 22_000_000
    assert result.plan.new_posts.sum() > 0
    stored = service.reopen(engine, result.run_id)
    assert stored.inputs_digest == result.inputs_digest
    assert int(stored.areas["new_posts"].sum()) == int(result.plan.new_posts.sum())
    assert stored.summary["summary"]["posts"] == int(result.plan.new_posts.sum())
    assert any("ASSUMED COSTS" in n for n in result.notes)
    again = service.allocate(engine, service.PostRequest(budget=20_000_000, npo_budget=2_000_000))
    assert again.inputs_digest == result.inputs_digest  # same inputs, same hash, same plan
    assert (again.plan.x == result.plan.x).all()
    more = service.allocate(
        engine, service.PostRequest(budget=30_000_000, fairness="maxmin", marginal=False)
    )
    diff = service.compare(engine, result.run_id, more.run_id)
    assert {"difference", f"new_posts_run{result.run_id}"} <= set(diff.columns)
    assert service.write_plan(result, tmp_path / "plan.xlsx").stat().st_size > 0
    assert (
        "Against the rules of thumb"
        in service.write_explanation(result, tmp_path / "e.md").read_text()
    )


def test_no_needs_run_says_what_to_run(engine: Engine) -> None:
    load_areas(engine)
    with pytest.raises(NotFoundError, match=r"run `ssp needs --scenario storm` first"):
        service.allocate(engine, service.PostRequest(budget=1_000_000, scenario="storm"))


def test_bad_candidates_file_reports_every_row(engine: Engine) -> None:
    store_needs_run(engine)
    request = service.PostRequest(budget=1_000_000, candidates_file=FIXTURES / "candidates_bad.csv")
    with pytest.raises(service.AllocationInputError) as err:
        service.allocate(engine, request)
    text = str(err.value)
    assert "candidates_bad.csv row 3, column province: unknown code (value 'XX')" in text
    assert "row 4, column category: unknown category" in text
    assert "row 5, column candidates: out of range" in text
    assert "row 5, column willing_to_move: out of range" in text


def test_sites_from_files_are_stored(engine: Engine) -> None:
    request = service.SiteRequest(
        FIXTURES / "demand.csv", FIXTURES / "sites.csv", p=2, radius_km=15.0
    )
    result = service.allocate_sites(engine, request)
    assert result.result.covered_need == pytest.approx(23.0)  # A, B, C within 15 km of S1 and S2
    assert sorted(result.result.chosen) == ["S1", "S2"]
    assert service.reopen(engine, result.run_id).areas["chosen"].sum() == 2


def test_bad_sites_file_names_rows(engine: Engine) -> None:
    request = service.SiteRequest(
        FIXTURES / "demand.csv", FIXTURES / "sites_bad.csv", p=1, radius_km=10.0
    )
    with pytest.raises(
        service.AllocationInputError, match=r"sites_bad.csv row 4, column lat: not a number"
    ):
        service.allocate_sites(engine, request)


def test_travel_times_replace_distances(engine: Engine) -> None:
    request = service.SiteRequest(
        FIXTURES / "demand.csv",
        FIXTURES / "sites.csv",
        p=2,
        model="pmedian",
        travel_times_file=FIXTURES / "travel_times.csv",
        radius_minutes=90.0,
    )
    result = service.allocate_sites(engine, request).result
    assert sorted(result.chosen) == ["S1", "S2"]  # D goes to S2 in 70 minutes: 10·10+5·15+8·12+3·70
    assert result.objective == pytest.approx(100 + 75 + 96 + 210)
    assert result.unit == "minutes"
