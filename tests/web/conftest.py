"""Fixtures for the web tests: demo databases on both backends with one account per role,
logged-in TestClients, a live uvicorn server on loopback, Debian's Chromium via Playwright with
signed-in pages (`open_page`), screenshots and the phone-width check.

The demo database is built once per module and backend (a small synthetic inventory, the
bundled areas, boundaries from ../shared when present, one needs run): tests that change data
use their own module or say why the change cannot disturb the others.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from conftest import SHARED_AREAS, throwaway_database
from ssp_planner.services import accounts
from ssp_planner.services.accounts import scope_for
from ssp_planner.services.areas import area_ids_by_code
from ssp_planner.services.demo import run_demo
from ssp_planner.services.needs import load_example_scenarios, run_needs
from ssp_planner.store import connect, session_scope
from ssp_planner.web.app import create_app
from ssp_planner.web.config import WebSettings

WEB_FIXTURES = Path(__file__).parent / "fixtures"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path("/tmp/ssp-web-screenshots")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
DEMO_SIZE = 600
SEED = 7


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """argon2 at production cost takes ~0.2 s per hash; tests log in hundreds of times.
    The hashing code path is unchanged, only its cost parameters are lowered."""
    saved = accounts.HASHER
    accounts.HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    accounts.HASHER = saved


@dataclass
class DemoEnv:
    """A demo database and what a test needs to use it through the web app."""

    backend: str
    engine: Engine
    passwords: dict[str, str]
    data_dir: Path

    def settings(self, **overrides: object) -> WebSettings:
        values: dict[str, object] = {
            "database_url": str(self.engine.url.render_as_string(hide_password=False)),
            "secret_key": secrets.token_urlsafe(48),
            "cookie_secure": False,  # the TestClient talks plain http
            "data_dir": self.data_dir,
        }
        return WebSettings(**(values | overrides))  # type: ignore[arg-type]

    def app(self, **overrides: object) -> FastAPI:
        return create_app(self.settings(**overrides), self.engine)

    def client(self, username: str | None = None, app: FastAPI | None = None) -> TestClient:
        """A client of a fresh app, signed in as `username` through the API, with the
        session's CSRF token sent on every request (`client.csrf` holds it for forms)."""
        client = TestClient(app or self.app(), base_url="http://127.0.0.1")
        token = client.get("/api/v1/session").json()["csrf_token"]
        if username is not None:
            answer = client.post(
                "/api/v1/session",
                json={"username": username, "password": self.passwords[username]},
                headers={"X-CSRF-Token": token},
            )
            assert answer.status_code == 200, answer.text
            token = answer.json()["csrf_token"]
        client.headers["X-CSRF-Token"] = token
        client.csrf = token  # type: ignore[attr-defined]
        return client


def _database(backend: str, folder: Path) -> Iterator[str]:
    yield from throwaway_database(backend, folder, prefix="ssp_web")


def build_demo(backend: str, folder: Path) -> Iterator[DemoEnv]:
    """A small demo database: areas, boundaries if shared, inventory, the example scenarios,
    one baseline needs run, one account per role."""
    for url in _database(backend, folder):
        engine = connect(url)
        boundaries = SHARED_AREAS if SHARED_AREAS.is_dir() else None
        run_demo(engine, work_dir=folder, boundaries_dir=boundaries, seed=SEED, size=DEMO_SIZE)
        load_example_scenarios(engine)
        run_needs(engine)
        users = accounts.create_demo_users(engine)
        yield DemoEnv(backend, engine, {u: p for u, _r, p in users}, folder)
        engine.dispose()


@pytest.fixture(scope="session")
def demo_of(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], DemoEnv]]:
    """Builds the demo of a backend on first use; all web tests share it (read-mostly: tests
    that change data keep their changes in KZN rows of their own or undo them)."""
    built: dict[str, DemoEnv] = {}
    with ExitStack() as stack:

        def get(backend: str) -> DemoEnv:
            if backend not in built:
                steps = build_demo(backend, tmp_path_factory.mktemp(f"web-{backend}"))
                built[backend] = next(steps)
                stack.callback(next, steps, None)
            return built[backend]

        yield get


@pytest.fixture(params=["sqlite", "postgres"])
def demo(request: pytest.FixtureRequest, demo_of: Callable[[str], DemoEnv]) -> DemoEnv:
    """The demo on each backend."""
    return demo_of(request.param)


@pytest.fixture
def sqlite_demo(demo_of: Callable[[str], DemoEnv]) -> DemoEnv:
    """The demo on SQLite only, for tests whose subject is not storage (browser, fuzzing)."""
    return demo_of("sqlite")


# --- live server and browser ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(demo_of: Callable[[str], DemoEnv]) -> Iterator[str]:
    """uvicorn serving the SQLite demo on 127.0.0.1 and a free port, in a background thread."""
    import uvicorn

    app = demo_of("sqlite").app()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start within 10 s")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright. Skipped only when Chromium is missing
    outside CI; in CI a missing browser fails the run."""
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def passwords(demo_of: Callable[[str], DemoEnv]) -> dict[str, str]:
    """The live server's demo accounts and their passwords."""
    return demo_of("sqlite").passwords


@pytest.fixture
def open_page(browser, live_server: str, passwords: dict[str, str]) -> Iterator[Callable]:  # type: ignore[no-untyped-def]
    """Opens a signed-in page; fails the test on any dialog (an executed injected script)
    or any request leaving the server (CDN, tiles)."""
    contexts = []
    outside: list[str] = []
    dialogs: list[str] = []

    def make(user: str, *, viewport: dict = DESKTOP, javascript: bool = True):  # type: ignore[no-untyped-def]
        context = browser.new_context(
            viewport=viewport, java_script_enabled=javascript, accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        page.on(
            "request", lambda r: None if r.url.startswith(live_server) else outside.append(r.url)
        )
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(live_server + "/")
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", passwords[user])
        page.click("button:has-text('Sign in')")
        page.wait_for_url(live_server + "/")
        return page

    yield make
    for context in contexts:
        context.close()
    assert outside == [] and dialogs == []


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """A full-page screenshot in SHOTS, for people to look at."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def assert_pages_fit(page, live_server: str, pages: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Open each page (screenshot name -> path) at `page`'s viewport, maps drawn, and fail
    naming every one wider than the screen (a phone must not scroll sideways)."""
    limit = page.viewport_size["width"]
    too_wide = {}
    for name, path in pages.items():
        page.goto(live_server + path)
        if page.locator(".map-canvas").count():
            page.wait_for_selector(".map-canvas .main-svg")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > limit:
            too_wide[path] = width
        shot(page, name)
    assert too_wide == {}, f"wider than a {limit}px screen: {too_wide}"


def csrf_of(html: str) -> str:
    """The CSRF token in a rendered form."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def form_token(html: str, action: str) -> str:
    """The CSRF token inside the form posting to `action` (the sign-out form's does not
    count); the session's token when the page has no such form (roles without it)."""
    found = re.search(
        f'action="{action}"[^>]*>\\s*<input type="hidden" name="csrf_token" value="([^"]*)"', html
    )
    return found.group(1) if found else csrf_of(html)


def kzn_codes(env: DemoEnv) -> set[str]:
    """Codes of KwaZulu-Natal and every area below it: what a KZN-scoped user may see."""
    with session_scope(env.engine) as session:
        scope = scope_for(session, "KZN")
        return {c for c, i in area_ids_by_code(session).items() if scope.allows(i)}
