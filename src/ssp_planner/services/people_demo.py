"""The people part of `ssp demo`: synthetic supervision sessions (seeded, marked synthetic,
imported through the same validated path as a user's file), the pipeline projection with its
chart and workbook, the supervision report and a mentor matching.

Every rate below is a synthetic demo assumption, not a statistic.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from ssp_planner.demo import REFERENCE_DATE
from ssp_planner.services.inventory import ImportResult
from ssp_planner.services.projection import (
    ProjectionReport,
    run_projection,
    write_projection_chart,
    write_projection_xlsx,
)
from ssp_planner.services.supervision import (
    MentoringReport,
    SupervisionReport,
    import_sessions,
    people_on,
    run_mentoring,
    supervision_report,
    sync_links,
    write_mentoring_xlsx,
    write_supervision_xlsx,
)
from ssp_planner.store import session_scope
from ssp_planner.supervision import Period, SupervisionNorms, load_norms
from ssp_planner.supervision.sessions import sessions_due

DEMO_MONTHS = 3  # one quarter of sessions: a full year would make the demo slow to import
DILIGENCE = (8.0, 1.2)  # Beta(a, b): share of due sessions a supervisor holds (synthetic)
TYPES = (("individual", 0.7, 60), ("group", 0.25, 90), ("peer", 0.05, 45))  # share, minutes
SHORT_SHARE = 0.05  # sessions cut short below the minimum (synthetic)
Step = Callable[[str], None]


@dataclass(frozen=True)
class PeopleDemoReport:
    sessions: ImportResult
    projection: ProjectionReport
    supervision: SupervisionReport
    mentoring: MentoringReport
    files: list[Path]


def run_people_demo(
    engine: Engine,
    *,
    seed: int,
    out_dir: Path,
    on: date = REFERENCE_DATE,
    step: Step = lambda _m: None,
) -> PeopleDemoReport:
    """Sessions, projection (PNG + XLSX), supervision report (XLSX), mentoring (XLSX)."""
    out_dir = Path(out_dir)
    step("Generating synthetic supervision sessions")
    norms = load_norms()
    with session_scope(engine) as session:
        sync_links(session, on)
        people = people_on(session, on)
    frame = synthetic_sessions(people, norms, on, seed=seed)
    path = write_sessions_csv(frame, out_dir / f"demo-supervision-sessions-seed{seed}.csv")
    sessions = import_sessions(engine, path, synthetic=True, today=on)
    step("Projecting the pipeline (baseline and example scenarios)")
    projection = run_projection(engine, on=on, scenarios=["all"])
    files = [
        write_projection_chart(projection, out_dir / "projection-supply-demand.png"),
        write_projection_xlsx(projection, out_dir / "projection.xlsx"),
    ]
    step("Supervision report and mentor matching")
    report = supervision_report(engine, on=on, months=DEMO_MONTHS, today=on)
    mentoring = run_mentoring(engine, on=on)
    files += [
        write_supervision_xlsx(report, out_dir / "supervision.xlsx"),
        write_mentoring_xlsx(mentoring, out_dir / "mentoring.xlsx"),
    ]
    return PeopleDemoReport(sessions, projection, report, mentoring, [path, *files])


def synthetic_sessions(
    people: pd.DataFrame, norms: SupervisionNorms, on: date, *, seed: int, months: int = DEMO_MONTHS
) -> pd.DataFrame:
    """Sessions of every supervised person with a supervisor over the `months` up to `on`:
    each month about as many as due, times their supervisor's diligence (lower for a
    supervisor over the limit). Identical for identical arguments."""
    rng = np.random.default_rng(seed)
    ranks = [r.value for r in norms.ratio.supervised_ranks]
    tees = people[people["rank"].isin(ranks) & people["supervisor_id"].notna()].sort_values("id")
    load = tees["supervisor_id"].value_counts()
    sups = load.index.to_numpy()
    diligence = pd.Series(rng.beta(*DILIGENCE, size=len(sups)), index=sups)
    crowding = np.minimum(1.0, norms.ratio.practitioners_per_supervisor.value / load)
    p_hold = (tees["supervisor_id"].map(diligence * crowding)).to_numpy(dtype=float)
    period = Period.months_to(on, months)
    rows = [_month(rng, tees, p_hold, mark, period, norms) for mark in period.month_marks()]
    frame = pd.concat(rows, ignore_index=True)
    return (
        frame.drop_duplicates(["supervisee_id_number", "session_date", "session_type"])
        .sort_values(["session_date", "supervisee_id_number"])
        .reset_index(drop=True)
    )


def _month(
    rng: np.random.Generator,
    tees: pd.DataFrame,
    p_hold: np.ndarray,
    mark: date,
    period: Period,
    norms: SupervisionNorms,
) -> pd.DataFrame:
    one = Period(max(period.start, mark.replace(day=1)), min(period.end, _month_end(mark)))
    _due, _years, rate = sessions_due(tees["start_date"], Period(mark, mark), norms)
    count = rng.poisson(rate * p_hold)
    who = np.repeat(np.arange(len(tees)), count)
    first = np.maximum(
        pd.to_datetime(tees["start_date"]).to_numpy(dtype="datetime64[D]")[who],
        np.datetime64(one.start),
    )
    span = (np.datetime64(one.end) - first).astype(np.int64) + 1
    ok = span > 0
    who, first, span = who[ok], first[ok], span[ok]
    days = first + (rng.random(len(who)) * span).astype(np.int64).astype("timedelta64[D]")
    kind = rng.choice(len(TYPES), size=len(who), p=[t[1] for t in TYPES])
    minutes = np.array([t[2] for t in TYPES])[kind] + rng.normal(0, 10, len(who))
    short = rng.random(len(who)) < SHORT_SHARE
    minutes = np.where(
        short, rng.integers(15, 40, len(who)), np.clip(np.round(minutes / 5) * 5, 30, 240)
    )
    return pd.DataFrame(
        {
            "supervisee_id_number": tees["id_number"].to_numpy()[who],
            "supervisor_id_number": "",
            "session_date": pd.to_datetime(days).date,
            "session_type": np.array([t[0] for t in TYPES])[kind],
            "duration_minutes": minutes.astype(np.int64),
        }
    )


def _month_end(day: date) -> date:
    first_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_next - timedelta(days=1)


def write_sessions_csv(frame: pd.DataFrame, path: Path) -> Path:
    """The sessions as a file in the documented format (docs/supervision.md)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)
    return path


def summary_lines(report: PeopleDemoReport) -> list[str]:
    """Sessions, projection (with its stock balance), supervision and mentoring in one line each."""
    proj = report.projection
    nat = proj.national
    last = nat[nat["scenario"] == proj.result.names[0]].iloc[-1]
    h = report.supervision.headline()
    m = report.mentoring
    colour = "green" if proj.result.balanced else "bold red"
    return [
        f"Supervision sessions: {report.sessions.inserted:,} synthetic sessions imported "
        f"and validated from {report.files[0].name}.",
        f"Projection to {last['period']} (baseline): supply {last['supply']:,.0f}, demand "
        f"{last['demand']:,.0f}, shortfall {last['shortfall']:,.0f}, unemployed qualified "
        f"{last['unemployed']:,.0f}; {len(proj.result.names) - 1} example scenarios compared.",
        f"[{colour}]{proj.result.balance_note()}[/]",
        f"Supervision: 1:{h['ratio']:g} (norm 1:{h['norm']:g}); {h['unsupervised']:,} without a "
        f"supervisor; {h['over_limit']:,} supervisors over the limit; {h['compliance_rate']:.0%} "
        f"had the sessions due ({report.supervision.period.label}).",
        f"Mentoring: {len(m.pairs):,} of {m.mentees:,} newly appointed SSPs matched to mentors "
        f"({m.result.method} distance).",
    ]
