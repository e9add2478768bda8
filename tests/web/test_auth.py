"""Signing in and out, cookies, CSRF refusals and the login rate limit."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from ssp_planner.store import session_scope
from ssp_planner.store.models_web import AuditEntry, WebUser
from web.conftest import DemoEnv, csrf_of


def actions(demo: DemoEnv) -> list[tuple[str, str]]:
    with session_scope(demo.engine) as s:
        return [
            (e.username, e.action) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def test_pages_redirect_to_sign_in_and_back(sqlite_demo: DemoEnv) -> None:
    client = sqlite_demo.client()
    first = client.get("/inventory?category=social_worker", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=%2Finventory%3Fcategory%3Dsocial_worker"
    form = client.get(first.headers["location"])
    signed = client.post(
        "/login",
        data={
            "username": "viewer",
            "password": sqlite_demo.passwords["viewer"],
            "csrf_token": csrf_of(form.text),
            "next": "/inventory?category=social_worker",
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == "/inventory?category=social_worker"
    assert "Signed in as viewer" in client.get("/inventory").text


def test_next_cannot_leave_the_site(sqlite_demo: DemoEnv) -> None:
    client = sqlite_demo.client()
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        form = client.get("/login")
        answer = client.post(
            "/login",
            data={
                "username": "viewer",
                "password": sqlite_demo.passwords["viewer"],
                "csrf_token": csrf_of(form.text),
                "next": target,
            },
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/"
        client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})


def test_session_cookie_flags(sqlite_demo: DemoEnv) -> None:
    client = TestClient(sqlite_demo.app(cookie_secure=True))
    cookie = client.get("/login").headers["set-cookie"].lower()
    assert "ssp_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "; secure" in cookie and "max-age=28800" in cookie
    plain = TestClient(sqlite_demo.app()).get("/login").headers["set-cookie"].lower()
    assert "; secure" not in plain  # SSP_COOKIE_SECURE=false for a plain-http server


def test_api_sign_in_rotates_the_token_and_sign_out_ends_the_session(sqlite_demo: DemoEnv) -> None:
    client = sqlite_demo.client("supervisor")
    me = client.get("/api/v1/session").json()
    assert me["user"] == {
        "username": "supervisor",
        "full_name": "Demo Supervisor (KZN)",
        "role": "supervisor",
        "role_label": "Supervisor",
        "province": "KZN",
        "sees_personal_data": True,
    }
    assert client.delete("/api/v1/session").status_code == 204
    assert client.get("/api/v1/dashboard").status_code == 401
    assert client.get("/api/v1/session").json()["user"] is None


def test_ending_a_users_sessions_server_side(sqlite_demo: DemoEnv) -> None:
    client = sqlite_demo.client("me-officer")
    assert client.get("/api/v1/dashboard").status_code == 200
    with session_scope(sqlite_demo.engine) as s:
        s.execute(
            update(WebUser)
            .where(WebUser.username == "me-officer")
            .values(session_epoch=WebUser.session_epoch + 1)
        )
    assert client.get("/api/v1/dashboard").status_code == 401
    with session_scope(sqlite_demo.engine) as s:  # leave the account usable for other tests
        s.execute(update(WebUser).where(WebUser.username == "me-officer").values(session_epoch=0))


def test_wrong_password_is_refused_and_audited(sqlite_demo: DemoEnv) -> None:
    client = sqlite_demo.client()
    form = client.get("/login")
    answer = client.post(
        "/login",
        data={
            "username": "national",
            "password": "wrong password",
            "csrf_token": csrf_of(form.text),
        },
    )
    assert answer.status_code == 401
    assert "Wrong user name or password." in answer.text
    assert ("national", "login.failed") in actions(sqlite_demo)
    bad = client.post("/api/v1/session", json={"username": "nobody", "password": "x"})
    assert bad.status_code == 401
    assert bad.json()["error"]["message"] == "Wrong user name or password."


def test_login_lockout_after_repeated_failures(sqlite_demo: DemoEnv) -> None:
    app = sqlite_demo.app(login_max_failures=3, login_lockout_minutes=10)
    client = sqlite_demo.client(app=app)
    for _ in range(3):
        wrong = client.post("/api/v1/session", json={"username": "admin", "password": "guess"})
        assert wrong.status_code == 401
    locked = client.post(
        "/api/v1/session", json={"username": "admin", "password": sqlite_demo.passwords["admin"]}
    )
    assert locked.status_code == 429  # even the right password waits out the lockout
    message = locked.json()["error"]["message"]
    assert "Too many failed sign-ins for 'admin'" in message and "10 minute(s)" in message
    assert locked.headers["retry-after"]
    page = client.post(
        "/login", data={"username": "admin", "password": "guess", "csrf_token": client.csrf}
    )  # type: ignore[attr-defined]
    assert page.status_code == 429 and "Too many failed sign-ins" in page.text
    assert ("admin", "login.locked") in actions(sqlite_demo)
    # Another user name from the same address is not locked out.
    other = client.post(
        "/api/v1/session", json={"username": "viewer", "password": sqlite_demo.passwords["viewer"]}
    )
    assert other.status_code == 200


def test_requests_without_the_csrf_token_are_refused(sqlite_demo: DemoEnv) -> None:
    client = sqlite_demo.client("national")
    token = client.headers.pop("X-CSRF-Token")
    no_header = client.post("/api/v1/needs/runs", json={"scenario": "baseline"})
    assert no_header.status_code == 403
    assert "came from another site" in no_header.json()["error"]["message"]
    wrong = client.post(
        "/api/v1/needs/runs",
        json={"scenario": "baseline"},
        headers={"X-CSRF-Token": token[:-2] + "xx"},
    )
    assert wrong.status_code == 403
    form_without = client.post("/needs/run", data={"scenario": "baseline"})
    assert form_without.status_code == 403 and "reload the page" in form_without.text
    login_without = sqlite_demo.client().post(
        "/login", data={"username": "viewer", "password": "x"}, headers={"X-CSRF-Token": ""}
    )
    assert login_without.status_code == 403
    logout_without = client.post("/logout", follow_redirects=False)
    assert logout_without.status_code == 403
    assert client.get("/api/v1/session").json()["user"]["username"] == "national"
