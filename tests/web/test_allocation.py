"""Allocation pages and API on SQLite and PostgreSQL: the run list, a post run's result (headline,
baselines, R10m more, map, explanation with filters and paging), a site run, comparing runs,
starting runs (audit, bad budgets), and province scoping."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ssp_planner.services.allocation import PostRequest, allocate
from ssp_planner.services.allocation_demo import run_allocation_demo
from ssp_planner.store import session_scope
from ssp_planner.store.models_allocation import AllocationRun
from ssp_planner.store.models_web import AuditEntry
from web.conftest import SEED, DemoEnv, kzn_codes


@dataclass(frozen=True)
class Runs:
    """Runs made as `ssp demo` makes them: posts (R500m + R100m NPO), sites, and a maxmin plan."""

    posts: int
    sites: int
    maxmin: int


@pytest.fixture(scope="module")
def runs_of(tmp_path_factory: pytest.TempPathFactory) -> Callable[[DemoEnv], Runs]:
    made: dict[str, Runs] = {}

    def get(demo: DemoEnv) -> Runs:
        if demo.backend not in made:
            out: Path = tmp_path_factory.mktemp(f"alloc-{demo.backend}")
            report = run_allocation_demo(demo.engine, out_dir=out, seed=SEED)
            maxmin = allocate(demo.engine, PostRequest(budget=250_000_000, fairness="maxmin"))
            made[demo.backend] = Runs(report.posts.run_id, report.sites.run_id, maxmin.run_id)
        return made[demo.backend]

    return get


@pytest.fixture
def runs(demo: DemoEnv, runs_of: Callable[[DemoEnv], Runs]) -> Runs:
    return runs_of(demo)


def run_count(demo: DemoEnv) -> int:
    with session_scope(demo.engine) as s:
        return s.scalar(select(func.count(AllocationRun.id))) or 0


# --- national users -------------------------------------------------------------------------------


def test_list_page_and_api(demo: DemoEnv, runs: Runs) -> None:
    client = demo.client("national")
    listed = {r["id"]: r for r in client.get("/api/v1/allocation/runs").json()}
    posts, sites = listed[runs.posts], listed[runs.sites]
    assert posts["kind"] == "posts" and posts["budget_rands"] == 600_000_000
    assert posts["posts"] > 1000 and 0 < posts["need_met"] <= posts["posts"]
    assert posts["started_by"] == "command line" and posts["synthetic"] is True
    assert sites["kind"] == "sites" and sites["method"] == "mclp"
    page = client.get("/allocation").text
    assert f'href="/allocation/{runs.posts}"' in page and "Start allocation" in page
    assert 'name="budget"' in page and "baseline (needs run" in page
    assert "Compare run" in page


def test_post_result_page_and_api(demo: DemoEnv, runs: Runs) -> None:
    client = demo.client("national")
    view = client.get(f"/api/v1/allocation/runs/{runs.posts}").json()
    p = view["posts"]
    assert view["where"] == "South Africa" and view["sites"] is None
    assert p["filters"]["level"] == "municipality" and p["total_rows"] > 500
    assert sum(c["posts"] for c in p["by_category"]) == view["run"]["posts"]
    assert [b["plan"] for b in p["baselines"]] == [
        "this plan",
        "posts in proportion to population",
        "equal posts per district",
    ]
    assert {m["channel"] for m in p["more_money"]} == {"government", "npo"}
    assert all(m["extra_posts"] > 0 and m["where"] for m in p["more_money"])
    first = p["rows"][0]
    assert first["priority"] == 1 and first["binding"] in {"need met", "budget", "supervision"}
    if p["posts_map"]:  # the demo has province boundaries only: the map falls back and says so
        assert "No district boundaries are stored" in p["map_note"]
        assert len(p["posts_map"]["codes"]) == 9
        assert sum(v or 0 for v in p["posts_map"]["values"]) == view["run"]["posts"]
    else:
        assert "import-boundaries" in p["map_note"]
    page = client.get(f"/allocation/{runs.posts}").text
    for text in (
        "Posts funded by category",
        "Against the rules of thumb",
        "One more R10,000,000 for government",
        "Explanation per area and category",
        'class="explanation stack-sm"',
        view["inputs_digest"][:16],
        "Synthetic demo data",
    ):
        assert text in page, text
    assert ('class="map-data"' in page) == (p["posts_map"] is not None)


def test_explanation_filters_and_paging(demo: DemoEnv, runs: Runs) -> None:
    client = demo.client("national")
    url = f"/api/v1/allocation/runs/{runs.posts}"
    total = client.get(url).json()["run"]["posts"]
    sw = client.get(url, params={"category": "social_worker", "per_page": 10}).json()["posts"]
    assert len(sw["rows"]) == 10 and {r["category"] for r in sw["rows"]} == {"social_worker"}
    second = client.get(
        url, params={"category": "social_worker", "per_page": 10, "page": 2}
    ).json()["posts"]
    assert {r["code"] for r in second["rows"]}.isdisjoint({r["code"] for r in sw["rows"]})
    provinces = client.get(url, params={"level": "province", "per_page": 500}).json()["posts"]
    assert {r["code"] for r in provinces["rows"]} == {
        "EC", "FS", "GP", "KZN", "LP", "MP", "NC", "NW", "WC"
    }  # fmt: skip
    assert sum(r["new_posts"] for r in provinces["rows"]) == total
    short = [r for r in provinces["rows"] if r["shortage"] > r["new_posts"]]
    assert short and all(" short: " in r["binding"] for r in short)
    blank = client.get(url, params={"level": "", "category": "", "per_page": 1}).json()["posts"]
    assert blank["filters"] == {
        "level": "municipality",
        "category": "all",
        "page": 1,
        "per_page": 1,
    }
    assert client.get(url, params={"level": "ward"}).status_code == 400
    assert client.get(url, params={"category": "plumber"}).status_code == 400
    page = client.get(
        f"/allocation/{runs.posts}", params={"level": "district", "category": "social_worker"}
    ).text
    assert "<th>District</th>" in page and 'rel="next"' in page
    assert "category=social_worker" in page and "level=district" in page


def test_site_run(demo: DemoEnv, runs: Runs) -> None:
    client = demo.client("national")
    view = client.get(f"/api/v1/allocation/runs/{runs.sites}").json()
    sites = view["sites"]
    assert view["posts"] is None and sites["p"] == 25 and sites["radius_km"] == 60
    assert sum(s["chosen"] for s in sites["sites"]) == 25 and sites["sites"][0]["chosen"]
    assert 0 < sites["covered_need"] <= sites["total_need"]
    page = client.get(f"/allocation/{runs.sites}").text
    assert "service points" in page and "of need covered" in page and "Synthetic site" in page


def test_compare_runs(demo: DemoEnv, runs: Runs) -> None:
    client = demo.client("national")
    found = client.get(
        "/api/v1/allocation/compare", params={"a": runs.posts, "b": runs.maxmin}
    ).json()
    assert found["a"]["id"] == runs.posts and found["b"]["method"] == "maxmin"
    rows = found["rows"]
    assert rows and all(r["difference"] == r["posts_b"] - r["posts_a"] for r in rows)
    assert abs(rows[0]["difference"]) >= abs(rows[-1]["difference"])
    page = client.get("/allocation/compare", params={"a": runs.posts, "b": runs.maxmin}).text
    assert f"Run {runs.posts} and run {runs.maxmin}" in page and "Δ" in page
    sites = client.get("/api/v1/allocation/compare", params={"a": runs.posts, "b": runs.sites})
    assert sites.status_code == 400 and "two posts runs" in sites.json()["error"]["message"]
    same = client.get("/allocation/compare", params={"a": runs.posts, "b": runs.posts})
    assert same.status_code == 400 and "two different post runs" in same.text


@pytest.mark.parametrize(
    "path",
    [
        "/allocation/99999",
        "/api/v1/allocation/runs/99999",
        "/api/v1/allocation/compare?a=99999&b=1",
    ],
)
def test_unknown_run_is_not_found(demo: DemoEnv, path: str) -> None:
    answer = demo.client("viewer").get(path)
    assert answer.status_code == 404 and "No allocation run 99999" in answer.text


# --- starting runs --------------------------------------------------------------------------------


def test_national_planner_starts_a_run_from_the_page(demo: DemoEnv, runs: Runs) -> None:
    client = demo.client("national")
    sent = client.post(
        "/allocation/run",
        data={
            "budget": "R200m",
            "fairness": "maxmin",
            "scenario": "baseline",
            "level": "district",
            "csrf_token": client.csrf,  # type: ignore[attr-defined]
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    location = sent.headers["location"]
    run_id = int(location.split("/")[2].split("?")[0])
    assert location == f"/allocation/{run_id}?level=district"
    page = client.get(location).text
    assert f"Allocation run {run_id} stored" in page and "<th>District</th>" in page
    with session_scope(demo.engine) as s:
        entry = s.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "allocation.run",
                AuditEntry.target == f"allocation_run:{run_id}",
            )
        )
        assert entry is not None and entry.username == "national"
        assert '"budget_rands": 200000000' in (entry.after_json or "")
        assert '"fairness": "maxmin"' in (entry.after_json or "")
    listed = {r["id"]: r for r in client.get("/api/v1/allocation/runs").json()}
    assert listed[run_id]["started_by"] == "national" and listed[run_id]["method"] == "maxmin"


def test_start_by_api_stores_like_the_cli(demo: DemoEnv, runs: Runs) -> None:
    client = demo.client("admin")
    answer = client.post("/api/v1/allocation/runs", json={"budget": "R600m"})
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["budget_rands"] == 600_000_000 and made["started_by"] == "admin"
    assert made["posts"] > 0 and made["method"] == "total"
    # What `ssp allocate posts --budget R600m` stores: the same inputs' hash and the same plan.
    cli = allocate(demo.engine, PostRequest(budget=600_000_000))
    assert made["inputs_digest"] == cli.inputs_digest[:16]
    assert made["posts"] == int(cli.plan.new_posts.sum())


def test_npo_subsidies_are_a_second_channel_like_the_cli(demo: DemoEnv, runs: Runs) -> None:
    client = demo.client("admin")
    answer = client.post("/api/v1/allocation/runs", json={"budget": "R300m", "npo_budget": "R100m"})
    assert answer.status_code == 201, answer.text
    made = answer.json()
    # `ssp allocate posts --budget R300m --npo-budget R100m`: the same inputs and plan.
    cli = allocate(demo.engine, PostRequest(budget=300_000_000, npo_budget=100_000_000))
    assert made["inputs_digest"] == cli.inputs_digest[:16]
    assert made["posts"] == int(cli.plan.new_posts.sum())
    spent = cli.plan.spent()
    assert spent["government"] <= 300_000_000 and 0 < spent["npo"] <= 100_000_000
    refused = client.post("/api/v1/allocation/runs", json={"budget": "R300m", "npo_budget": "x"})
    assert refused.status_code == 400 and "is not an amount of money" in refused.text


@pytest.mark.parametrize(
    ("budget", "message"),
    [
        ("lots", "is not an amount of money"),
        ("0", "A budget of R0 funds no posts"),
        ("R900bn", "probably a typing slip"),
    ],
)
def test_nonsense_budgets_are_refused_clearly(demo: DemoEnv, budget: str, message: str) -> None:
    client = demo.client("national")
    before = run_count(demo)
    api = client.post("/api/v1/allocation/runs", json={"budget": budget})
    assert api.status_code == 400 and message in api.json()["error"]["message"]
    page = client.post(
        "/allocation/run",
        data={"budget": budget, "csrf_token": client.csrf},  # type: ignore[attr-defined]
    )
    assert page.status_code == 400 and message in page.text
    assert f'value="{budget}"' in page.text  # the form keeps what was typed
    assert "Traceback" not in page.text and run_count(demo) == before


def test_missing_inputs_explained(demo: DemoEnv) -> None:
    client = demo.client("national")
    no_budget = client.post("/api/v1/allocation/runs", json={"fairness": "total"})
    assert no_budget.status_code == 422
    wrong = client.post("/api/v1/allocation/runs", json={"budget": "R1m", "fairness": "equal"})
    assert wrong.status_code == 422
    page = client.post(
        "/allocation/run",
        data={"budget": "R100m", "scenario": "no-such", "csrf_token": client.csrf},  # type: ignore[attr-defined]
    )
    assert page.status_code == 400
    assert "No needs run is stored for scenario &#39;no-such&#39;" in page.text


# --- scoping --------------------------------------------------------------------------------------


def test_provincial_planner_sees_only_kzn(demo: DemoEnv, runs: Runs) -> None:
    client = demo.client("kzn-planner")
    mine = kzn_codes(demo)
    national = demo.client("national").get(f"/api/v1/allocation/runs/{runs.posts}").json()
    view = client.get(f"/api/v1/allocation/runs/{runs.posts}", params={"per_page": 500}).json()
    p = view["posts"]
    assert view["where"] == "your province (KZN)" and p["baselines"] == []
    assert p["total_rows"] > 0 and {r["code"] for r in p["rows"]} <= mine
    assert 0 < view["run"]["posts"] < national["run"]["posts"]
    assert view["run"]["posts"] == sum(r["new_posts"] for r in p["rows"])
    assert all(m["extra_posts"] is None for m in p["more_money"])
    assert all(w["code"] in mine for m in p["more_money"] for w in m["where"])
    if p["posts_map"]:
        assert p["posts_map"]["codes"] == ["KZN"]
    listed = {r["id"]: r for r in client.get("/api/v1/allocation/runs").json()}
    assert listed[runs.posts]["posts"] == view["run"]["posts"]
    page = client.get(f"/allocation/{runs.posts}").text
    assert "your province" in page and "Gauteng" not in page and "Against the rules" not in page
    cmp = client.get(
        "/api/v1/allocation/compare", params={"a": runs.posts, "b": runs.maxmin, "page": 1}
    ).json()
    assert cmp["rows"] and {r["code"] for r in cmp["rows"]} <= mine
    sites = client.get(f"/api/v1/allocation/runs/{runs.sites}").json()["sites"]
    assert sites["covered_need"] is None and "inside your province" in (sites["note"] or "")


@pytest.mark.parametrize("user", ["kzn-planner", "viewer", "me-officer"])
def test_only_national_planners_start_runs(demo: DemoEnv, runs: Runs, user: str) -> None:
    client = demo.client(user)
    before = run_count(demo)
    assert client.post("/api/v1/allocation/runs", json={"budget": "R1m"}).status_code == 403
    page = client.post(
        "/allocation/run",
        data={"budget": "R1m", "csrf_token": client.csrf},  # type: ignore[attr-defined]
    )
    assert page.status_code == 403 and run_count(demo) == before
    listing = client.get("/allocation")
    assert listing.status_code == 200 and 'action="/allocation/run"' not in listing.text
    assert 'href="/allocation"' in listing.text  # the menu entry
