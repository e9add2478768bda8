"""The M&E part of `ssp demo`: two years of synthetic monthly data values, targets, dashboard.

The values are written as a DHIS2 dataValueSets file and go in through the same import as a
user's file (so the demo proves that path too), marked synthetic. Targets go in as a targets
CSV the same way. Then the dashboard is written for the latest quarter.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, insert, select

from ssp_planner.demo.generate import REFERENCE_DATE
from ssp_planner.demo.places import build_geography
from ssp_planner.domain.areas import AreaLevel, bundled_areas
from ssp_planner.errors import SSPError
from ssp_planner.monitoring.dhis2 import OutValue, write_data_value_sets
from ssp_planner.monitoring.outbound import format_value
from ssp_planner.monitoring.periods import Period, PeriodType, period_containing, periods_between
from ssp_planner.monitoring.synthetic import Inventory, synthetic_values
from ssp_planner.services.batches import now, start_batch
from ssp_planner.services.monitoring import (
    DATA_SET,
    SYNTHETIC_NOTE,
    ValueImportResult,
    build_dashboard,
    import_data_values,
    import_targets,
    indicator_table,
)
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, AreaIndicator, Post, Practitioner

SUPERVISION_NORM = 10  # supervisees per supervisor (FACTS.md; unconfirmed as prescribed)
FLAG = "most_deprived"
DEPRIVED_SHARE = 0.2  # the fifth of districts most rural by the demo's proxy
DASHBOARD_INDICATOR = "caseload_per_sw"  # against the 60-case norm: a mix of statuses to see
TARGET_GROWTH = 0.03  # synthetic: +3% a quarter on the first year's services


@dataclass(frozen=True)
class MonitoringDemoResult:
    values_file: Path
    values: ValueImportResult
    targets: ValueImportResult
    first: str
    last: str
    dashboard: Path
    chart: Path


def seed_monitoring_demo(
    engine: Engine, *, seed: int, months: int = 24, out_dir: Path
) -> MonitoringDemoResult:
    """Generate, import and show `months` months of synthetic data values up to the demo's
    reference date, consistent with the stored (synthetic) inventory."""
    last = period_containing(REFERENCE_DATE.replace(day=1) - timedelta(days=1), PeriodType.MONTHLY)
    first = period_containing(_months_back(last.start, months - 1), PeriodType.MONTHLY)
    periods = periods_between(first, last)
    frame = synthetic_values(_inventory(engine), periods, seed)
    if frame.empty:
        raise SSPError(
            "The demo inventory is empty. Fix: run the inventory part of the demo first."
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = _write_values(frame, out_dir / f"demo-data-values-seed{seed}.json", seed)
    values = import_data_values(engine, path, synthetic=True)
    if values.errors:
        raise SSPError(f"demo data values failed validation: {values.errors[0]}")
    _store_deprivation_flag(engine, seed)
    quarter = period_containing(last.start, PeriodType.QUARTERLY)
    targets = _targets(engine, out_dir / f"demo-targets-seed{seed}.csv", first, quarter)
    html = out_dir / f"me-dashboard-{quarter}.html"
    png = out_dir / f"me-trend-{DASHBOARD_INDICATOR}-{quarter}.png"
    build_dashboard(engine, period=str(quarter), indicator=DASHBOARD_INDICATOR, html=html, png=png)
    return MonitoringDemoResult(path, values, targets, str(first), str(last), html, png)


def _months_back(day: date, n: int) -> date:
    total = day.year * 12 + day.month - 1 - n
    return date(total // 12, total % 12 + 1, 1)


def _inventory(engine: Engine) -> Inventory:
    """People (area code, category, rank, start, within the supervision norm) and posts."""
    load = (
        select(Practitioner.supervisor_id, func.count().label("n"))
        .group_by(Practitioner.supervisor_id)
        .subquery()
    )
    with session_scope(engine) as session:
        people = session.execute(
            select(
                Area.code,
                Practitioner.category,
                Practitioner.rank,
                Practitioner.start_date,
                load.c.n,
            )
            .join(Area, Area.id == Practitioner.area_id)
            .outerjoin(load, load.c.supervisor_id == Practitioner.supervisor_id)
        ).all()
        posts = session.execute(
            select(
                Area.code,
                func.count(Post.holder_id),
                func.count(Post.id) - func.count(Post.holder_id),
            )
            .join(Area, Area.id == Post.area_id)
            .where(Post.funded.is_(True))
            .group_by(Area.code)
        ).all()
    frame = pd.DataFrame(people, columns=["area", "category", "rank", "start", "load"])
    frame["within_norm"] = frame["load"].notna() & (frame["load"] <= SUPERVISION_NORM)
    return Inventory(frame, pd.DataFrame(posts, columns=["area", "filled", "vacant"]))


def _write_values(frame: pd.DataFrame, path: Path, seed: int) -> Path:
    out = (
        OutValue(element, area, period, format_value(value), coc)
        for element, area, coc, period, value in frame[
            ["element", "area", "coc", "period", "value"]
        ].itertuples(index=False)
    )
    note = f"{SYNTHETIC_NOTE}: SSP Planner demo, seed {seed}"
    return write_data_value_sets(out, path, data_set=DATA_SET, note=note)


def _store_deprivation_flag(engine: Engine, seed: int) -> None:
    """most_deprived = 1 for the fifth of districts most rural by the demo's proxy (synthetic,
    standing in for a poverty index the user would load)."""
    geo = build_geography(bundled_areas())
    rural = pd.Series(geo.rurality).groupby(geo.muni_district).mean()
    cut = rural.quantile(1 - DEPRIVED_SHARE)
    source = f"synthetic demo (seed {seed}): top fifth of districts by the demo's rurality proxy"
    with session_scope(engine) as session:
        if session.scalar(select(AreaIndicator.id).where(AreaIndicator.indicator == FLAG)):
            return  # already stored (the demo run twice on one database)
        query = select(Area.code, Area.id).where(Area.level == AreaLevel.DISTRICT.value)
        ids = dict(session.execute(query).all())
        batch = start_batch(session, kind="demo", file_name=source, sha256="-", synthetic=True)
        rows = [
            {
                "area_id": ids[geo.district_codes[i]],
                "indicator": FLAG,
                "period": "2024",
                "value": float(r >= cut),
                "source": source,
                "synthetic": True,
                "batch_id": batch.id,
            }
            for i, r in rural.items()
        ]
        session.execute(insert(AreaIndicator), rows)
        batch.rows_read = batch.rows_inserted = len(rows)
        batch.finished_at = now()


def _targets(engine: Engine, path: Path, first: Period, last: Period) -> ValueImportResult:
    """Services targets per district and quarter: the same quarter of the first year plus 3%
    a quarter (synthetic), written as a targets file and imported like a user's."""
    quarters = periods_between(period_containing(first.start, PeriodType.QUARTERLY), last)
    base = indicator_table(
        engine, level=AreaLevel.DISTRICT, periods=quarters[:4], codes=["services_delivered"]
    ).frame
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["indicator", "area", "period", "target", "source"])
        for row in base.dropna(subset=["value"]).itertuples():
            start = quarters.index(_find(quarters, row.period))
            for k in range(start, len(quarters), 4):
                target = np.round(row.value * (1 + TARGET_GROWTH) ** k)
                writer.writerow(
                    [
                        "services_delivered",
                        row.code,
                        str(quarters[k]),
                        int(target),
                        "synthetic demo target",
                    ]
                )
    return import_targets(engine, path, synthetic=True)


def _find(periods: list[Period], name: str) -> Period:
    return next(p for p in periods if str(p) == name)
