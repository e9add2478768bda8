"""Benchmark: import 100,000 generated inventory rows on SQLite and PostgreSQL.

Side by side with the peer a department would otherwise use: pandas `read_csv` + `to_sql`, a
bulk load that checks nothing. Quality is measured on a copy with 1% planted errors: how many
of the bad rows each tool stops. Run: `make bench` (or python benchmarks/import_inventory.py).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, create_engine

from _common import postgres_factory, sqlite_factory, timed, write_results
from ssp_planner.demo import generate_demo
from ssp_planner.domain.areas import bundled_areas
from ssp_planner.services.areas import load_areas
from ssp_planner.services.demo import write_inventory_csv
from ssp_planner.services.inventory import import_inventory
from ssp_planner.store import connect, migrate

# Each planted error breaks one cell in a way the import must catch.
PLANTS = {
    "id_number": lambda v: v[:-1] + str((int(v[-1]) + 1) % 10),  # wrong Luhn check digit
    "area_code": lambda _v: "ZZ999",  # unknown area
    "start_date": lambda _v: "2031-02-30",  # impossible date
    "surname": lambda _v: "",  # empty mandatory cell
}


def plant_errors(src: Path, dst: Path, share: float, seed: int) -> set[int]:
    """Copy `src` with `share` of its rows broken in one cell each; return their row numbers."""
    rng = random.Random(seed)
    with src.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    bad = rng.sample(range(len(rows)), int(len(rows) * share))
    for i in bad:
        col = rng.choice(list(PLANTS))
        rows[i][col] = PLANTS[col](rows[i][col])
    with dst.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return {i + 2 for i in bad}  # row 1 is the header


def fresh(make_url: Callable[[str], str], name: str) -> Engine:
    """A new, migrated database with the areas loaded."""
    engine = connect(make_url(name))
    migrate(engine)
    load_areas(engine)
    return engine


def run_backend(
    name: str, make_url: Callable[[str], str], good: Path, broken: Path, planted: set[int]
) -> list[dict[str, object]]:
    """Ours (first load, same file again, broken file) and the peer's (clean, broken)."""
    ours, bad_case = "ssp import (validated upsert)", f"{len(planted):,} planted errors"
    engine = fresh(make_url, "ssp_bench_clean")
    secs, res = timed(lambda: import_inventory(engine, good))
    rows = [_row(name, ours, "clean, first load", secs, res.inserted, "-")]
    secs, res = timed(lambda: import_inventory(engine, good))
    rows.append(_row(name, ours, "clean, same file again", secs, 0, "-"))
    engine = fresh(make_url, "ssp_bench_broken")
    secs, res = timed(lambda: import_inventory(engine, broken, skip_invalid=True))
    caught = len(planted & {e.row for e in res.errors})
    knock_on = res.rejected - caught
    rows.append(
        _row(
            name,
            ours + " --skip-invalid",
            bad_case,
            secs,
            res.inserted,
            f"{caught:,} of {len(planted):,} (+{knock_on:,} whose supervisor was bad)",
        )
    )
    peer = create_engine(make_url("ssp_bench_peer"))
    for case, path in (("clean, first load", good), (bad_case, broken)):
        secs, stored = timed(lambda p=path: _peer_load(p, peer))
        stopped = f"0 of {len(planted):,}" if path == broken else "-"
        rows.append(_row(name, "pandas read_csv + to_sql (no checks)", case, secs, stored, stopped))
    return rows


def _peer_load(path: Path, engine: Engine) -> int:
    frame = pd.read_csv(path, dtype=str)
    frame.to_sql("peer", engine, if_exists="replace", index=False)
    return len(frame)


def _row(
    backend: str, tool: str, case: str, secs: float, stored: int, caught: str
) -> dict[str, object]:
    return {
        "backend": backend,
        "tool": tool,
        "case": case,
        "seconds": f"{secs:.2f}",
        "rows stored": f"{stored:,}",
        "bad rows stopped": caught,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = generate_demo(bundled_areas(), size=args.rows)
        good = write_inventory_csv(data, work / "inventory.csv")
        broken = work / "inventory-broken.csv"
        planted = plant_errors(good, broken, 0.01, seed=7)
        results = run_backend("SQLite", sqlite_factory(work), good, broken, planted)
        pg = os.environ.get("SSP_TEST_POSTGRES_URL")
        if pg:
            results += run_backend("PostgreSQL", postgres_factory(pg), good, broken, planted)
    note = "" if pg else "\nPostgreSQL not measured: set SSP_TEST_POSTGRES_URL.\n"
    print(write_results("import_inventory", f"Inventory import, {args.rows:,} rows", results, note))


if __name__ == "__main__":
    main()
