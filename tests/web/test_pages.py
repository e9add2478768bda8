"""Every page renders for every role with the right menu; errors, escaping, SQL
metacharacters, security headers and offline assets."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from ssp_planner.errors import NotFoundError, SSPError
from ssp_planner.store import session_scope
from ssp_planner.store.models import Practitioner
from ssp_planner.web.errors import classify
from ssp_planner.web.middleware import CSP
from web.conftest import WEB_FIXTURES, DemoEnv

# Every role reads every feature's pages; what differs is what they may change (roles.py).
FEATURE_PAGES = {
    "Needs": "/needs",
    "Scenarios": "/needs/scenarios",
    "Allocation": "/allocation",
    "Projection": "/projection",
    "Supervision": "/supervision",
    "Mentoring": "/mentoring",
    "M&E": "/me",
    "Linkage": "/linkage",
    "Plan": "/plan",
    "Reports": "/reports",
}
READ = ["Dashboard", "Areas", "Inventory"]
WITH_IMPORT = [*READ, "Import", *FEATURE_PAGES]
MENU = {
    "admin": [*WITH_IMPORT, "Audit trail"],
    "national": WITH_IMPORT,
    "kzn-planner": WITH_IMPORT,
    "supervisor": [*READ, *FEATURE_PAGES],
    "me-officer": [*READ, *FEATURE_PAGES],
    "viewer": [*READ, *FEATURE_PAGES],
}
PAGES = {
    "Dashboard": "/",
    "Areas": "/areas",
    "Inventory": "/inventory",
    "Import": "/import",
    **FEATURE_PAGES,
    "Audit trail": "/admin/audit",
}


@pytest.mark.parametrize("role", list(MENU))
def test_each_role_sees_its_menu_and_every_page_renders(sqlite_demo: DemoEnv, role: str) -> None:
    client = sqlite_demo.client(role)
    home = client.get("/")
    assert home.status_code == 200
    menu = re.findall(r'<li><a href="[^"]+"(?: aria-current="page")?>([^<]+)</a></li>', home.text)
    assert [html.unescape(m) for m in menu] == MENU[role]
    for label, path in PAGES.items():
        answer = client.get(path)
        assert answer.status_code == (200 if label in MENU[role] else 403), (role, path)
        assert "<!DOCTYPE html>" in answer.text
        # Every form carries the session's token: a macro imported without context would
        # render it empty, and browsers (unlike the test client's header) would get 403.
        tokens = re.findall(r'name="csrf_token" value="([^"]*)"', answer.text)
        assert all(tokens), (role, path, "a form without its CSRF token")


def test_pages_carry_data_synthetic_banner_and_map_or_note(demo: DemoEnv) -> None:
    client = demo.client("national")
    home = client.get("/").text
    assert "Synthetic demo data" in home and "South Africa" in home
    assert 'class="map-data"' in home or "import-boundaries" in home
    area = client.get("/areas/KZN").text
    assert "Umgungundlovu" in area and "eThekwini" in area
    district = client.get("/areas/DC21").text
    assert "Umdoni" in district and '<a href="/areas/KZN">KwaZulu-Natal</a>' in district


def test_html_or_json_errors_from_one_handler(sqlite_demo: DemoEnv) -> None:
    client = sqlite_demo.client("viewer")
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "Not found" in page.text and 'href="/inventory"' in page.text  # the menu is there
    api = client.get("/api/v1/no/such")
    assert api.status_code == 404 and api.json()["error"]["status"] == 404
    asked = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert asked.json()["error"]["status"] == 404
    invalid = client.get("/api/v1/inventory", params={"per_page": 1000, "category": "chef"})
    assert invalid.status_code == 422
    fields = {d["field"] for d in invalid.json()["error"]["details"]}
    assert fields == {"query.per_page", "query.category"}
    secret = client.post("/api/v1/session", json={"username": ["x"], "password": "hunter2secret"})
    assert secret.status_code == 422 and "hunter2secret" not in secret.text


def test_domain_errors_map_to_statuses() -> None:
    class StaleEditError(SSPError):  # as the plan service raises on a stale version
        pass

    class StaleDataError(Exception):  # as SQLAlchemy raises for version_id_col
        pass

    assert classify(NotFoundError("gone"))[0] == 404
    assert classify(StaleEditError("Activity 1.2 was changed by thandi"))[:2] == (
        409,
        "Activity 1.2 was changed by thandi",
    )
    status, message, _ = classify(StaleDataError("UPDATE matched 0 rows"))
    assert status == 409 and "nothing was overwritten" in message
    assert classify(SSPError("say what and how to fix"))[0] == 400
    assert classify(RuntimeError("internal detail"))[0] == 500
    assert "internal detail" not in classify(RuntimeError("internal detail"))[1]


def test_names_with_markup_are_shown_escaped(sqlite_demo: DemoEnv) -> None:
    client = sqlite_demo.client("kzn-planner")
    with (WEB_FIXTURES / "script_names.csv").open("rb") as fh:
        imported = client.post(
            "/import", files={"file": ("script_names.csv", fh)}, data={"csrf_token": client.csrf}
        )  # type: ignore[attr-defined]
    assert "Imported: 1 new" in imported.text or "Nothing to change" in imported.text
    listing = client.get("/inventory", params={"q": "Bold"})
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" in listing.text
    assert "<script>alert(" not in listing.text and "<b>Bold</b>" not in listing.text
    assert "&lt;img src=x onerror=alert(&#39;x&#39;)&gt;" in listing.text
    person = client.get("/api/v1/inventory", params={"q": "Bold"}).json()["rows"][0]
    detail = client.get(f"/inventory/{person['id']}").text
    assert "<script>alert(" not in detail and "&lt;b&gt;Bold&lt;/b&gt;" in detail


@pytest.mark.parametrize(
    "q",
    [
        "' OR '1'='1",
        "%",
        "_",
        "'; DROP TABLE practitioner; --",
        "\\",
        '"',
        "Robert'); --",
        "%%' --",
    ],
)
def test_sql_metacharacters_in_search_are_harmless(demo: DemoEnv, q: str) -> None:
    with session_scope(demo.engine) as s:
        before = s.scalar(select(func.count(Practitioner.id)))
    client = demo.client("admin")
    for role_client in (client, demo.client("viewer")):
        answer = role_client.get("/api/v1/inventory", params={"q": q, "area": q[:20]})
        assert answer.status_code == 200 and answer.json()["total"] == 0
        assert role_client.get("/inventory", params={"q": q}).status_code == 200
    assert client.get("/admin/audit", params={"target": q, "username": q}).status_code == 200
    with session_scope(demo.engine) as s:
        assert s.scalar(select(func.count(Practitioner.id))) == before


def test_security_headers_and_no_store(sqlite_demo: DemoEnv) -> None:
    client = sqlite_demo.client("viewer")
    page = client.get("/")
    assert page.headers["content-security-policy"] == CSP
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self';" in CSP and "unsafe-eval" not in CSP


def test_assets_are_served_by_the_app_itself(sqlite_demo: DemoEnv) -> None:
    client = sqlite_demo.client("national")
    page = client.get("/").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    external = [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert external == []
    assert "<script>" not in page  # no inline script (the CSP forbids it)
    css = next(s for s in sources if s.startswith("/static/app.css?v="))
    asset = client.get(css)
    assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
    if 'class="map-data"' in page:
        plotly = next(s for s in sources if s.startswith("/static/vendor/plotly.min.js"))
        js = client.get(plotly, headers={"Accept-Encoding": "gzip"})
        assert js.status_code == 200 and js.headers["content-encoding"] == "gzip"
        assert "cdn.plot.ly" not in client.get("/static/map.js").text.split("*/", 1)[1]
