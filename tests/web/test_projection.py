"""The projection page and API on SQLite and PostgreSQL: stored runs read back by province,
the supply and demand chart with the gap shaded, scenario comparison, province scoping, and
starting a run (national planners only, audited)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from ssp_planner.demo import REFERENCE_DATE
from ssp_planner.services.people_demo import run_people_demo
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area
from ssp_planner.store.models_people import ProjectionResultRow, ProjectionRun
from ssp_planner.store.models_web import AuditEntry
from web.conftest import SEED, DemoEnv

_PEOPLE_RUN: dict[str, int] = {}  # database URL -> the projection run the people demo made


def with_people(demo: DemoEnv) -> DemoEnv:
    """The demo plus what `ssp demo` adds for people: synthetic supervision sessions, a
    projection with every example scenario, and a mentor matching (once per database, whatever
    runs other modules, such as the API fuzzer, stored before)."""
    key = demo.engine.url.render_as_string()
    if key not in _PEOPLE_RUN:
        report = run_people_demo(
            demo.engine, seed=SEED, out_dir=demo.data_dir / "people", on=REFERENCE_DATE
        )
        assert report.projection.run_id is not None
        _PEOPLE_RUN[key] = report.projection.run_id
    return demo


@pytest.fixture
def env(demo: DemoEnv) -> DemoEnv:
    return with_people(demo)


def last_audit(demo: DemoEnv) -> AuditEntry:
    with session_scope(demo.engine) as s:
        entry = s.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
        assert entry is not None
        return entry


def first_run(demo: DemoEnv) -> int:
    """The people demo's run (every example scenario); later tests may add runs of their own."""
    return _PEOPLE_RUN[with_people(demo).engine.url.render_as_string()]


def stored_supply(demo: DemoEnv, run: int, province: str | None) -> float:
    query = select(func.sum(ProjectionResultRow.supply)).where(
        ProjectionResultRow.run_id == run,
        ProjectionResultRow.scenario == "baseline",
        ProjectionResultRow.period == "2026April",
    )
    if province:
        query = query.join(Area, Area.id == ProjectionResultRow.area_id).where(
            Area.code == province
        )
    with session_scope(demo.engine) as s:
        return float(s.scalar(query) or 0)


def test_national_page_shows_chart_table_and_comparison(env: DemoEnv) -> None:
    run = first_run(env)
    client = env.client("viewer")
    page = client.get("/projection", params={"run": run})
    assert page.status_code == 200
    assert 'class="chart-data"' in page.text and "Scenarios compared" in page.text
    assert "Run projection" not in page.text  # viewers cannot start runs
    assert page.text.count('<td data-label="Year">') == 11  # opening year and ten more
    view = client.get(f"/api/v1/projection/runs/{run}").json()
    assert view["province"] is None and view["area_name"] == "South Africa"
    assert view["years"][0]["label"] == "2026/27" and view["years"][0]["cost"] is None
    assert view["years"][0]["supply"] == pytest.approx(stored_supply(env, run, None))
    chart = view["chart"]
    assert chart["fill_gap"] == [0, 1]
    assert [s["name"] for s in chart["series"][:2]] == ["supply: baseline", "demand"]
    assert all(s["dash"] for s in chart["series"][2:]) and len(chart["series"]) == 6
    names = [c["scenario"] for c in view["comparison"]]
    assert names[0] == "baseline" and "absorb_graduates" in names
    assert view["comparison"][0]["post_years_closed"] == 0
    other = client.get(
        f"/api/v1/projection/runs/{run}",
        params={"scenario": "npo_parity", "category": "social_worker", "province": "WC"},
    ).json()
    assert other["scenario"] == "npo_parity" and other["area_name"] == "Western Cape"
    assert other["chart"]["series"][0]["name"] == "supply: npo_parity"


def test_provincial_planner_sees_only_their_province(env: DemoEnv) -> None:
    run = first_run(env)
    client = env.client("kzn-planner")
    view = client.get(f"/api/v1/projection/runs/{run}").json()
    assert view["province"] == "KZN" and view["area_name"] == "KwaZulu-Natal"
    assert view["years"][0]["supply"] == pytest.approx(stored_supply(env, run, "KZN"))
    national = env.client("national").get(
        f"/api/v1/projection/runs/{run}", params={"province": "KZN"}
    )
    assert national.json()["years"] == view["years"]
    page = client.get("/projection", params={"run": run})
    assert "South Africa" not in page.text and "KwaZulu-Natal" in page.text
    assert re.findall(r'<select name="province">(.*?)</select>', page.text) == [
        '<option value="KZN" selected>KwaZulu-Natal</option>'
    ]
    for path in ("/projection", f"/api/v1/projection/runs/{run}", "/api/v1/projection/runs/latest"):
        answer = client.get(path, params={"province": "GP"})
        assert answer.status_code == 404, path
        assert "among the areas you can see" in answer.text


def test_unknown_runs_and_choices_are_refused(env: DemoEnv) -> None:
    client = env.client("national")
    assert client.get("/api/v1/projection/runs/999999").status_code == 404
    assert client.get("/projection", params={"run": 999999}).status_code == 404
    bad = client.get("/api/v1/projection/runs/latest", params={"scenario": "nothing"})
    assert bad.status_code == 400 and "Fix: use one of baseline" in bad.text
    assert client.get("/projection", params={"category": "x"}).status_code == 400


@pytest.mark.parametrize("user", ["viewer", "kzn-planner", "supervisor"])
def test_only_projection_runners_start_runs(env: DemoEnv, user: str) -> None:
    client = env.client(user)
    with session_scope(env.engine) as s:
        before = s.scalar(select(func.count(ProjectionRun.id)))
    assert client.post("/api/v1/projection/runs", json={"years": 2}).status_code == 403
    form = client.post("/projection/run", data={"csrf_token": client.csrf, "years": "2"})
    assert form.status_code == 403
    with session_scope(env.engine) as s:
        assert s.scalar(select(func.count(ProjectionRun.id))) == before


def test_national_planner_starts_a_run_and_it_is_audited(env: DemoEnv) -> None:
    client = env.client("national")
    answer = client.post("/api/v1/projection/runs", json={"years": 3, "scenario": "npo_parity"})
    assert answer.status_code == 201, answer.text
    run = answer.json()
    assert run["scenarios"] == ["baseline", "npo_parity"] and run["years"] == 3
    entry = last_audit(env)
    assert (entry.username, entry.action, entry.target) == (
        "national",
        "projection.run",
        f"projection_run:{run['id']}",
    )
    assert '"npo_parity"' in (entry.after_json or "")
    form = client.post(
        "/projection/run",
        data={"csrf_token": client.csrf, "years": "", "scenario": "baseline"},
        follow_redirects=False,
    )
    assert form.status_code == 303
    newest = int(form.headers["location"].split("run=")[1])
    page = client.get(form.headers["location"])
    assert f"Projection run {newest} stored (baseline; 10 years)." in page.text
    assert "Scenarios compared" not in page.text  # one scenario: nothing to compare
    assert last_audit(env).target == f"projection_run:{newest}"
