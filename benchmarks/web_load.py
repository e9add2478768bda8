"""Benchmark: 50 concurrent users on the dashboard and the inventory search for 60 s.

The server is `create_app` under one uvicorn process (as `ssp serve` runs it) in a subprocess
on 127.0.0.1, over the full demo data (30,000 synthetic SSPs, the needs run, one account per
role) on PostgreSQL when SSP_TEST_POSTGRES_URL is set, else on SQLite (the table says which).
Each simulated user signs in (as one of the six demo roles, so national and province-scoped
queries mix), then repeats: open the dashboard, search the inventory (a random word, filter
and page), think for about `--think` seconds. There is no peer to compare with; the aim is a
p95 under 300 ms with no errors.

Bounded and loopback only: the run stops after `--seconds` (and at most `--max-requests`),
every request has a 10 s timeout, and the target is always 127.0.0.1.
Run: `make bench` (or python benchmarks/web_load.py [--users 50 --seconds 60]).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import postgres_factory, sqlite_factory, write_results

HOST = "127.0.0.1"  # loopback only, never configurable
AIM_P95_MS = 300.0
WORDS = ["welfare", "DSD", "child", "care", "Department", "npo", "10-", "Gauteng", "Natal", "x"]
CATEGORIES = ["", "social_worker", "social_auxiliary_worker", "child_youth_care_worker"]
ROLES = ["national", "kzn-planner", "viewer", "me-officer", "supervisor", "admin"]


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, seconds: float, ok: bool) -> None:
        self.latencies.setdefault(name, []).append(seconds * 1000)
        if not ok:
            self.errors[name] = self.errors.get(name, 0) + 1


def prepare(url: str, work: Path) -> dict[str, str]:
    """The demo database (as `ssp demo` builds it, with needs) and the demo accounts."""
    from ssp_planner.services.accounts import create_demo_users
    from ssp_planner.services.demo import run_demo
    from ssp_planner.services.needs import load_example_scenarios, run_needs
    from ssp_planner.settings import Settings
    from ssp_planner.store import connect

    engine = connect(url)
    run_demo(
        engine,
        work_dir=work,
        boundaries_dir=Settings().boundaries_dir(),
        seed=20261125,
        size=30_000,
    )
    load_example_scenarios(engine)
    run_needs(engine)
    users = {u: p for u, _r, p in create_demo_users(engine)}
    engine.dispose()
    return users


def serve(url: str, port: int) -> None:
    """The server side (run in a subprocess): the app as `ssp serve` would build it."""
    import uvicorn

    from ssp_planner.web.app import create_app
    from ssp_planner.web.config import WebSettings

    settings = WebSettings(
        database_url=url, secret_key=os.environ["BENCH_SECRET"], cookie_secure=False
    )
    uvicorn.run(create_app(settings), host=HOST, port=port, log_level="warning")


async def sign_in(
    client: object, n: int, passwords: dict[str, str], gate: asyncio.Semaphore
) -> None:
    """Sign in, a few at a time: each argon2 check costs ~0.2 s of server CPU by design."""
    role = ROLES[n % len(ROLES)]
    async with gate:
        await _sign_in(client, role, passwords[role])


async def _sign_in(client: object, role: str, password: str) -> None:
    token = (await client.get("/api/v1/session")).json()["csrf_token"]  # type: ignore[attr-defined]
    signed = await client.post(  # type: ignore[attr-defined]
        "/api/v1/session",
        json={"username": role, "password": password},
        headers={"X-CSRF-Token": token},
        timeout=60.0,
    )
    signed.raise_for_status()


async def browse(
    client: object, n: int, stop_at: float, think: float, stats: Stats, budget: list[int]
) -> None:
    """One user's loop: dashboard, inventory search, think; until the time or budget is up."""
    import httpx2 as httpx

    rng = random.Random(n)
    await asyncio.sleep(rng.uniform(0, think))  # users do not all arrive in one instant
    while True:
        params = {
            "q": rng.choice(WORDS),
            "category": rng.choice(CATEGORIES),
            "page": str(rng.randint(1, 3)),
        }
        for name, path, query in (
            ("dashboard", "/", None),
            ("inventory search", "/inventory", params),
        ):
            if time.monotonic() >= stop_at or budget[0] <= 0:
                return
            budget[0] -= 1
            start = time.perf_counter()
            try:
                answer = await client.get(path, params=query)  # type: ignore[attr-defined]
                ok = answer.status_code == 200
            except httpx.HTTPError:
                ok = False
            stats.add(name, time.perf_counter() - start, ok)
            await asyncio.sleep(rng.uniform(0.5, 1.5) * think)


async def load(
    base: str, passwords: dict[str, str], args: argparse.Namespace
) -> tuple[Stats, float]:
    """Sign every user in (argon2 at full cost) and open each page once, untimed; then start
    the clock."""
    import httpx2 as httpx

    stats, budget = Stats(), [args.max_requests]
    limits = httpx.Limits(max_connections=2)
    clients = [
        httpx.AsyncClient(base_url=base, timeout=10.0, limits=limits) for _ in range(args.users)
    ]
    try:
        gate = asyncio.Semaphore(4)
        await asyncio.gather(*(sign_in(c, n, passwords, gate) for n, c in enumerate(clients)))
        # Warm-up, untimed: each user opens both pages once (first views build the caches).
        await asyncio.gather(*(c.get(p) for c in clients for p in ("/", "/inventory")))
        started = time.monotonic()
        stop_at = started + args.seconds
        await asyncio.gather(
            *(browse(c, n, stop_at, args.think, stats, budget) for n, c in enumerate(clients))
        )
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return stats, time.monotonic() - started


def drop_database(admin_url: str, name: str) -> None:
    """The benchmark's 30,000 synthetic people do not outlive the run."""
    from sqlalchemy import create_engine, text

    engine = create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for(base: str, proc: subprocess.Popen, seconds: float = 60) -> None:  # type: ignore[type-arg]
    import httpx2 as httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with code {proc.returncode}")
        try:
            if httpx.get(base + "/login", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the server did not answer within 60 s")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0, help="Mean think time per page (s).")
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--serve", nargs=2, metavar=("URL", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    admin = os.environ.get("SSP_TEST_POSTGRES_URL")
    with tempfile.TemporaryDirectory() as tmp:
        backend = "PostgreSQL" if admin else "SQLite (SSP_TEST_POSTGRES_URL unset)"
        url = (postgres_factory(admin) if admin else sqlite_factory(Path(tmp)))("ssp_bench_web")
        print(f"Building the demo on {backend} …", flush=True)
        passwords = prepare(url, Path(tmp))
        port = free_port()
        env = {**os.environ, "BENCH_SECRET": secrets.token_urlsafe(48)}
        proc = subprocess.Popen([sys.executable, __file__, "--serve", url, str(port)], env=env)
        try:
            base = f"http://{HOST}:{port}"
            wait_for(base, proc)
            print(f"{args.users} users for {args.seconds:.0f} s against {base} …", flush=True)
            stats, elapsed = asyncio.run(load(base, passwords, args))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            if admin:
                drop_database(admin, "ssp_bench_web")
    rows = []
    everything = [v for vs in stats.latencies.values() for v in vs]
    for name, values in [*stats.latencies.items(), ("all", everything)]:
        errors = sum(stats.errors.values()) if name == "all" else stats.errors.get(name, 0)
        rows.append(
            {
                "page": name,
                "requests": len(values),
                "req/s": f"{len(values) / elapsed:.1f}",
                "p50 ms": f"{statistics.median(values):.0f}",
                "p95 ms": f"{percentile(values, 95):.0f}",
                "p99 ms": f"{percentile(values, 99):.0f}",
                "max ms": f"{max(values):.0f}",
                "errors": errors,
            }
        )
    p95 = percentile(everything, 95)
    verdict = "meets" if p95 < AIM_P95_MS and not stats.errors else "misses"
    note = (
        f"\n{args.users} users, {args.seconds:.0f} s, think time ~{args.think:g} s per page, "
        f"database {backend}, one uvicorn process on {HOST}; demo data: 30,000 synthetic SSPs; "
        "sign-ins and one warm-up view of each page per user are not timed. "
        f"Aim p95 < {AIM_P95_MS:.0f} ms with no errors: {verdict} (p95 {p95:.0f} ms).\n"
    )
    print(write_results("web_load", "Web load: dashboard and inventory search", rows, note))


if __name__ == "__main__":
    main()
