"""The M&E dashboard and its uploads from the web, on SQLite and PostgreSQL: status, trend and
map for national and province-scoped users, value and target uploads (good, bad, another
province's), the DHIS2 export, roles and the audit trail."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ssp_planner.services import web_cache
from ssp_planner.services.accounts import add_user
from ssp_planner.services.monitoring_demo import seed_monitoring_demo
from ssp_planner.store import session_scope
from ssp_planner.store.models_monitoring import DataValue, IndicatorTarget
from ssp_planner.web.roles import Role
from web.conftest import SEED, DemoEnv, form_token, kzn_codes

ME_MONTHS = 12
KZN_ME = "kzn-me"


def seed_monitoring(env: DemoEnv) -> DemoEnv:
    """A year of synthetic monthly values and district targets (the demo's M&E stage; imports
    are idempotent, so a second module seeding the same database changes nothing), and a
    KZN-scoped M&E officer."""
    seed_monitoring_demo(env.engine, seed=SEED, months=ME_MONTHS, out_dir=env.data_dir / "me")
    if KZN_ME not in env.passwords:
        env.passwords[KZN_ME] = "kzn-me-officer-Pa55word!"
        add_user(
            env.engine,
            username=KZN_ME,
            password=env.passwords[KZN_ME],
            role=Role.ME_OFFICER,
            province="KZN",
        )
    web_cache.clear()
    return env


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def me_demo(request: pytest.FixtureRequest, demo_of: Callable[[str], DemoEnv]) -> DemoEnv:
    return seed_monitoring(demo_of(request.param))


def _counts(env: DemoEnv) -> tuple[int, int]:
    with session_scope(env.engine) as session:
        return (
            session.scalar(select(func.count(DataValue.id))) or 0,
            session.scalar(select(func.count(IndicatorTarget.id))) or 0,
        )


def _values_file(path: Path, values: list[dict[str, str]]) -> Path:
    path.write_text(json.dumps({"dataSet": "SSP_ME", "dataValues": values}), encoding="utf-8")
    return path


def _upload(client: TestClient, url: str, path: Path) -> object:
    """Pages post with the token of the page's form only, as a browser does."""
    headers = {"X-CSRF-Token": ""} if not url.startswith("/api/") else {}
    token = form_token(client.get("/me").text, "/me/values") if headers else ""
    with path.open("rb") as fh:
        return client.post(
            url, files={"file": (path.name, fh)}, data={"csrf_token": token}, headers=headers
        )


def _audit(env: DemoEnv, action: str) -> list[dict]:
    rows = env.client("admin").get("/api/v1/audit", params={"action": action}).json()["rows"]
    return rows


# --- pages and API ---------------------------------------------------------------------------


def test_me_page_shows_status_trend_and_map(me_demo: DemoEnv) -> None:
    html = me_demo.client("me-officer").get("/me").text
    assert "Monitoring and evaluation" in html and "South Africa" in html
    assert 'class="chart-data"' in html and 'class="chart-canvas"' in html
    assert 'class="map-data"' in html or "map-note" in html
    assert "Caseload per social worker" in html or "caseload" in html.lower()
    assert "on track" in html and "2026Q1" in html
    assert 'action="/me/values"' in html and 'href="/me/export.json"' in html
    viewer = me_demo.client("viewer").get("/me").text
    assert "Status, 2026Q1" in viewer and 'action="/me/values"' not in viewer
    nav = me_demo.client("viewer").get("/").text
    assert 'href="/me"' in nav


def test_me_api_status_trend_map(me_demo: DemoEnv) -> None:
    client = me_demo.client("viewer")
    status = client.get("/api/v1/me/status").json()
    assert status["period"] == "2026Q1" and status["area"] == "South Africa"
    by_code = {r["code"]: r for r in status["indicators"]}
    assert by_code["caseload_per_sw"]["actual"] > 0 and by_code["caseload_per_sw"]["target"] == 60
    assert by_code["caseload_per_sw"]["status"] in ("on track", "at risk", "off track")
    trend = client.get("/api/v1/me/trend", params={"indicator": "services_delivered"}).json()
    assert [p["period"] for p in trend["points"]] == ["2025Q2", "2025Q3", "2025Q4", "2026Q1"]
    assert [s["dash"] for s in trend["chart"]["series"]] == [False, True]
    by_area = client.get(
        "/api/v1/me/map", params={"indicator": "services_delivered", "level": "district"}
    ).json()
    assert len(by_area["areas"]) == 52 and by_area["level"] == "district"
    assert any(a["target"] for a in by_area["areas"])  # the demo's district targets
    provinces = client.get("/api/v1/me/map", params={"level": "province"}).json()
    assert len(provinces["areas"]) == 9
    assert provinces["map"] is None or len(provinces["map"]["codes"]) == 9
    bad = client.get("/api/v1/me/trend", params={"indicator": "no_such"})
    assert bad.status_code == 400 and "Unknown indicator" in bad.json()["error"]["message"]
    assert client.get("/api/v1/me/map", params={"level": "ward"}).status_code == 400
    assert client.get("/api/v1/me/status", params={"period": "2026Q9"}).status_code == 400


def test_scoped_user_sees_only_their_province(me_demo: DemoEnv) -> None:
    kzn = kzn_codes(me_demo)
    for user in ("kzn-planner", KZN_ME):
        client = me_demo.client(user)
        assert client.get("/api/v1/me/status").json()["area"] == "KwaZulu-Natal"
        trend = client.get("/api/v1/me/trend").json()
        assert trend["area"] == "KwaZulu-Natal"
        for level in ("province", "district", "municipality"):
            areas = client.get("/api/v1/me/map", params={"level": level}).json()["areas"]
            assert areas and {a["code"] for a in areas} <= kzn
        html = client.get("/me", params={"level": "district"}).text
        assert "eThekwini" in html and "Cape Town" not in html and "Gauteng" not in html


def test_anonymous_and_roles(me_demo: DemoEnv, tmp_path: Path) -> None:
    anonymous = TestClient(me_demo.app(), base_url="http://127.0.0.1")
    assert anonymous.get("/api/v1/me/status").status_code == 401
    good = _values_file(tmp_path / "v.json", [])
    for user in ("viewer", "supervisor", "kzn-planner", "national"):
        client = me_demo.client(user)
        assert _upload(client, "/api/v1/me/values", good).status_code == 403  # type: ignore[attr-defined]
        assert _upload(client, "/me/targets", good).status_code == 403  # type: ignore[attr-defined]
        assert client.get("/me/export.json").status_code == 403
        assert client.get("/api/v1/me/export").status_code == 403
        assert 'action="/me/values"' not in client.get("/me").text


# --- uploads and export ------------------------------------------------------------------------


def _one_kzn_value(env: DemoEnv) -> dict[str, str]:
    exported = env.client("me-officer").get("/api/v1/me/export")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    values = exported.json()["dataValues"]
    return next(v for v in values if v["orgUnit"] == "ETH")


def test_values_upload_stores_and_audits(me_demo: DemoEnv, tmp_path: Path) -> None:
    original = _one_kzn_value(me_demo)
    changed = {**original, "value": str(int(float(original["value"])) + 1)}
    client = me_demo.client(KZN_ME)
    answer = _upload(client, "/api/v1/me/values", _values_file(tmp_path / "one.json", [changed]))
    assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
    body = answer.json()  # type: ignore[attr-defined]
    assert body["stored"] and body["updated"] == 1 and body["errors"] == []
    page = _upload(client, "/me/values", _values_file(tmp_path / "back.json", [original]))
    assert "Imported: 0 new, 1 updated" in page.text  # type: ignore[attr-defined]
    after = {e["target"]: e for e in _audit(me_demo, "me.values_import")}
    assert after["one.json"]["after"]["stored"] is True
    assert after["one.json"]["username"] == KZN_ME
    assert _one_kzn_value(me_demo)["value"] == original["value"]


def test_bad_values_upload_shows_errors_and_stores_nothing(
    me_demo: DemoEnv, tmp_path: Path
) -> None:
    original = _one_kzn_value(me_demo)
    before = _counts(me_demo)
    bad = _values_file(
        tmp_path / "bad.json",
        [
            {**original, "period": "2026Q9"},
            {**original, "dataElement": "NO_SUCH_ELEMENT"},
            {
                **original,
                "period": "202604",
                "value": "12",
            },  # a good row: stored only with the rest
        ],
    )
    client = me_demo.client("me-officer")
    page = _upload(client, "/me/values", bad)
    assert page.status_code == 200  # type: ignore[attr-defined]
    assert "Nothing was stored." in page.text and "NO_SUCH_ELEMENT" in page.text  # type: ignore[attr-defined]
    assert page.text.count('<tr><td class="n" data-label="Row">') == 2  # type: ignore[attr-defined]
    token = page.text.split("/me/reports/")[1].split(".csv")[0]  # type: ignore[attr-defined]
    report = client.get(f"/me/reports/{token}.csv")
    assert report.status_code == 200 and "NO_SUCH_ELEMENT" in report.text
    assert me_demo.client("admin").get(f"/me/reports/{token}.csv").status_code == 404
    api = _upload(client, "/api/v1/me/values", bad)
    assert api.status_code == 422 and len(api.json()["errors"]) == 2  # type: ignore[attr-defined]
    assert _counts(me_demo) == before
    refused = _audit(me_demo, "me.values_import")
    assert any(e["target"] == "bad.json" and e["after"]["stored"] is False for e in refused)


def test_other_province_values_get_row_errors(me_demo: DemoEnv, tmp_path: Path) -> None:
    original = _one_kzn_value(me_demo)
    before = _counts(me_demo)
    mixed = _values_file(
        tmp_path / "mixed.json",
        [{**original, "value": "1"}, {**original, "orgUnit": "JHB", "value": "2"}],
    )
    answer = _upload(me_demo.client(KZN_ME), "/api/v1/me/values", mixed)
    assert answer.status_code == 422  # type: ignore[attr-defined]
    errors = answer.json()["errors"]  # type: ignore[attr-defined]
    assert len(errors) == 1 and errors[0]["value"] == "JHB"
    assert "outside your province (KZN)" in errors[0]["problem"]
    assert _counts(me_demo) == before
    assert _one_kzn_value(me_demo)["value"] == original["value"]


def test_scoped_export_holds_only_their_province(me_demo: DemoEnv) -> None:
    kzn = kzn_codes(me_demo)
    mine = me_demo.client(KZN_ME).get("/me/export.json").json()["dataValues"]
    assert mine and {v["orgUnit"] for v in mine} <= kzn
    everything = me_demo.client("admin").get("/api/v1/me/export").json()["dataValues"]
    assert len(everything) > len(mine)


def test_targets_upload_good_bad_and_other_province(me_demo: DemoEnv, tmp_path: Path) -> None:
    client = me_demo.client(KZN_ME)
    good = tmp_path / "targets.csv"
    good.write_text(
        "indicator,area,period,target,source\nsw_per_100k,KZN,2026Q1,25,web test\n",
        encoding="utf-8",
    )
    first = _upload(client, "/api/v1/me/targets", good).json()  # type: ignore[attr-defined]
    assert first["stored"] or first["unchanged"] == 1  # the sqlite and postgres runs share none
    status = client.get("/api/v1/me/status").json()
    assert {r["code"]: r for r in status["indicators"]}["sw_per_100k"]["target"] == 25
    before = _counts(me_demo)
    bad = tmp_path / "bad-targets.csv"
    bad.write_text(
        "indicator,area,period,target,source\n"
        "sw_per_100k,GP,2026Q1,30,web test\n"
        "no_such,KZN,2026Q1,30,web test\n",
        encoding="utf-8",
    )
    page = _upload(client, "/me/targets", bad)
    assert "Nothing was stored." in page.text and "outside your province" in page.text  # type: ignore[attr-defined]
    assert "is not in the framework" in page.text  # type: ignore[attr-defined]
    assert _upload(client, "/api/v1/me/targets", bad).status_code == 422  # type: ignore[attr-defined]
    assert _counts(me_demo) == before
    assert any(e["target"] == "targets.csv" for e in _audit(me_demo, "me.targets_import"))
