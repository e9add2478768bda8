"""Real databases for every test: a fresh SQLite file, and a throwaway PostgreSQL database when
SSP_TEST_POSTGRES_URL is set (in CI it must be: a skipped PostgreSQL run fails CI instead)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from ssp_planner.store import connect, migrate

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_AREAS = Path(__file__).resolve().parents[2] / "shared" / "data" / "areas"
POSTGRES_URL = os.environ.get("SSP_TEST_POSTGRES_URL")


def _backends() -> list[str]:
    return ["sqlite", "postgres"]


@pytest.fixture(params=_backends())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of each backend, dropped after the test."""
    yield from throwaway_database(request.param, tmp_path)


def throwaway_database(backend: str, folder: Path, prefix: str = "ssp_test") -> Iterator[str]:
    """Yield the URL of a new empty database (a SQLite file in `folder`, or a PostgreSQL
    database next to SSP_TEST_POSTGRES_URL's) and drop it afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'test.db'}"
        return
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("SSP_TEST_POSTGRES_URL is not set: CI must run the PostgreSQL tests")
        pytest.skip("PostgreSQL not configured: set SSP_TEST_POSTGRES_URL")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_psycopg(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield _psycopg(POSTGRES_URL).rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated, empty database of each backend."""
    eng = connect(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database, for tests whose subject is not storage."""
    eng = connect(f"sqlite:///{tmp_path / 'one.db'}")
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture(autouse=True)
def _outputs_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Commands that write to the data directory (the demo's out/) write under tmp_path."""
    monkeypatch.setenv("SSP_DATA_DIR", str(tmp_path))
