"""Needs runs, scenarios and comparisons from the web, and the audit trail that records them."""

from __future__ import annotations

import json

from sqlalchemy import select

from ssp_planner.store import session_scope
from ssp_planner.store.models import NeedsRun
from ssp_planner.store.models_web import AuditEntry
from ssp_planner.web.audit import record_audit
from web.conftest import WEB_FIXTURES, DemoEnv


def test_run_needs_from_the_page_then_see_it(demo: DemoEnv) -> None:
    client = demo.client("kzn-planner")
    ran = client.post(
        "/needs/run",
        data={"scenario": "kzn-floods", "csrf_token": client.csrf},
        follow_redirects=False,
    )  # type: ignore[attr-defined]
    assert ran.status_code == 303 and ran.headers["location"].startswith("/needs?run=")
    run_id = int(ran.headers["location"].rsplit("=", 1)[1])
    page = client.get(ran.headers["location"]).text
    assert f"Needs run {run_id} stored (scenario &#39;kzn-floods&#39;)" in page
    assert "KwaZulu-Natal" in page and "Gauteng" not in page
    view = client.get(
        f"/api/v1/needs/runs/{run_id}", params={"level": "district", "category": "social_worker"}
    ).json()
    assert view["run"]["scenario_name"] == "kzn-floods" and len(view["rows"]) == 11
    with session_scope(demo.engine) as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.target == f"needs_run:{run_id}"))
        assert entry is not None and entry.action == "needs.run" and entry.username == "kzn-planner"
    # The dashboard keeps mapping the baseline, not the what-if scenario just run.
    board = client.get("/api/v1/dashboard").json()
    assert board["needs_run"]["scenario_name"] == "baseline"


def test_scenarios_list_add_and_compare(demo: DemoEnv) -> None:
    national = demo.client("national")
    with (WEB_FIXTURES / "flood.toml").open("rb") as fh:
        added = national.post("/api/v1/scenarios", files={"file": ("flood.toml", fh)})
    assert added.status_code == 201 and added.json()["name"] == "web-test-floods"
    names = [s["name"] for s in national.get("/api/v1/scenarios").json()]
    assert names[0] == "baseline" and "web-test-floods" in names
    assert "web-test-floods" in national.get("/needs/scenarios").text
    planner = demo.client("kzn-planner")
    with (WEB_FIXTURES / "flood.toml").open("rb") as fh:
        refused = planner.post("/api/v1/scenarios", files={"file": ("flood.toml", fh)})
    assert refused.status_code == 403
    compared = planner.post(
        "/needs/compare",
        data={
            "scenarios": ["baseline", "web-test-floods"],
            "level": "district",
            "category": "all",
            "csrf_token": planner.csrf,
        },
    )  # type: ignore[attr-defined]
    assert compared.status_code == 200 and "Δ wisn_required [web-test-floods]" in compared.text
    api = planner.post(
        "/api/v1/needs/compare",
        json={"scenarios": ["baseline", "web-test-floods"], "level": "district"},
    ).json()
    assert {r["code"] for r in api["rows"]} >= {"DC21", "ETH"} and len(api["rows"]) == 11
    ugu = next(r for r in api["rows"] if r["code"] == "DC21")
    assert ugu["Δ wisn_required [web-test-floods]"] >= 0


def test_bad_inputs_to_needs_say_how_to_fix(sqlite_demo: DemoEnv) -> None:
    client = sqlite_demo.client("national")
    unknown = client.post("/api/v1/needs/runs", json={"scenario": "no-such"})
    assert unknown.status_code == 404 and "No scenario named 'no-such'" in unknown.text
    level = client.get("/api/v1/needs/runs/latest", params={"level": "galaxy"})
    assert level.status_code == 400 and "use one of" in level.text
    with session_scope(sqlite_demo.engine) as s:
        last = s.scalar(select(NeedsRun.id).order_by(NeedsRun.id.desc()))
    assert client.get(f"/api/v1/needs/runs/{(last or 0) + 1000}").status_code == 404


def test_audit_page_lists_and_filters_for_administrators_only(sqlite_demo: DemoEnv) -> None:
    sqlite_demo.client("viewer")  # a sign-in to find
    admin = sqlite_demo.client("admin")
    page = admin.get("/admin/audit", params={"username": "viewer", "action": "login"})
    assert (
        page.status_code == 200
        and '<td data-label="User">viewer</td><td data-label="Action">login</td>' in page.text
    )
    api = admin.get("/api/v1/audit", params={"action": "login", "username": "viewer"}).json()
    assert api["total"] >= 1 and {r["action"] for r in api["rows"]} == {"login"}
    assert "login" in api["actions"]
    none = admin.get("/api/v1/audit", params={"since": "2999-01-01"}).json()
    assert none["total"] == 0
    for role in ("national", "kzn-planner", "viewer"):
        assert sqlite_demo.client(role).get("/api/v1/audit").status_code == 403


def test_record_audit_masks_personal_data_and_drops_secrets(sqlite_demo: DemoEnv) -> None:
    with session_scope(sqlite_demo.engine) as s:
        entry = record_audit(
            s,
            user="Thandi",
            action="practitioner.edit",
            target="practitioner:1",
            before={
                "id_number": "8005174321084",
                "birth_date": "1980-05-17",
                "rank": "practitioner",
            },
            after={"rank": "supervisor", "password": "hunter2", "api_token": "t0k3n"},
            ip="127.0.0.1",
        )
        s.flush()
        before, after = json.loads(entry.before_json or ""), json.loads(entry.after_json or "")
    assert before == {
        "id_number": "*********1084",
        "birth_date": "(personal data, not recorded)",
        "rank": "practitioner",
    }
    assert after == {"rank": "supervisor"} and entry.username == "thandi"
