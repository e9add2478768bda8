"""Shared benchmark helpers: fresh databases by name, timing, and the results table."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine, text

T = TypeVar("T")
RESULTS_DIR = Path(__file__).parent / "results"


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def sqlite_factory(folder: Path) -> Callable[[str], str]:
    return lambda name: f"sqlite:///{folder / (name + '.db')}"


def postgres_factory(admin_url: str) -> Callable[[str], str]:
    """Each call drops and creates a database of that name next to the admin URL's."""
    url = admin_url.replace("postgresql://", "postgresql+psycopg://", 1)

    def make(name: str) -> str:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return url.rsplit("/", 1)[0] + f"/{name}"

    return make


def markdown_table(rows: list[dict[str, object]]) -> str:
    heads = list(rows[0])
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    lines += ["| " + " | ".join(str(r[h]) for h in heads) + " |" for r in rows]
    return "\n".join(lines)


def write_results(name: str, title: str, rows: list[dict[str, object]], note: str = "") -> str:
    text_ = f"# {title}\n\n{markdown_table(rows)}\n{note}"
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"{name}.md").write_text(text_)
    return text_
