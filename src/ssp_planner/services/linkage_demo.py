"""The linkage part of `ssp demo`: overlapping source lists from the demo population, linked.

The lists are written as CSV files and imported like a user's files, so the demo walks the whole
path: import (raw layer, validation report), linkage run, report and chart. Synthetic, seeded.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from ssp_planner.demo import REFERENCE_DATE, generate_demo
from ssp_planner.domain.areas import bundled_areas
from ssp_planner.linkage.synthetic import make_sources
from ssp_planner.services.linkage import (
    RunSummary,
    SourceImportResult,
    import_source,
    linkage_report,
    run_linkage,
    write_report_chart,
)

# Synthetic export dates: the register at the end of the registration year (31 March), the
# payroll monthly, the NPO list whenever it was last asked for.
SOURCE_DATES = {
    "register": date(2026, 3, 31),
    "payroll": date(2026, 3, 1),
    "npo": date(2026, 2, 15),
}


@dataclass(frozen=True)
class LinkageDemoReport:
    imports: list[SourceImportResult]
    run: RunSummary
    chart: Path


def run_linkage_demo(
    engine: Engine, *, seed: int, out_dir: Path, size: int = 30_000, persons: int = 5_000
) -> LinkageDemoReport:
    """Source lists for `persons` people of the demo population (same `seed` and `size` as the
    demo inventory), imported, linked and charted. Needs the areas loaded (the demo does it)."""
    data = generate_demo(bundled_areas(), seed=seed, size=size)
    data = replace(data, practitioners=data.practitioners[:persons])  # already in random order
    lists = make_sources(data, seed=seed).lists
    imports = [
        import_source(
            engine,
            write_source_csv(rows, out_dir / f"demo-source-{name}-seed{seed}.csv"),
            source=name,
            source_date=SOURCE_DATES.get(name, REFERENCE_DATE),
            synthetic=True,
            today=REFERENCE_DATE,
        )
        for name, rows in lists.items()
    ]
    run = run_linkage(engine, today=REFERENCE_DATE)
    chart = write_report_chart(linkage_report(engine), out_dir / f"demo-linkage-seed{seed}.png")
    return LinkageDemoReport(imports, run, chart)


def write_source_csv(rows: list[dict[str, str]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["surname"])
        writer.writeheader()
        writer.writerows(rows)
    return path
