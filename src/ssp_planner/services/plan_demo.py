"""A demo implementation plan on the strategy's five workstreams, marked synthetic everywhere.

The activities, updates and amounts are made up (plausible, not real): they exist so that the
demo shows the progress report and the brief with every section filled, including delayed
and overdue activities and an allocation whose upper ends exceed what is available. The plan
goes in through the same workbook import a user's file takes, which also proves that path.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from ssp_planner.errors import SSPError
from ssp_planner.plan import (
    Action,
    ActionStatus,
    Activity,
    Allocation,
    Lesson,
    Plan,
    Priority,
    ProgressUpdate,
    Status,
    Unit,
    Workstream,
)
from ssp_planner.services.plan import PlanImportResult, import_plan, write_plan_workbook

DEMO_CODE = "SSP-DEMO"
DEMO_PERIOD = "2026Q3"  # the last full quarter the demo plan's updates cover
D = date.fromisoformat
S = Status

WORKSTREAMS = [
    (1, "Recruit, train and retain", "Director: Workforce Development"),
    (2, "Funding and deployment mechanism", "Director: Funding Models"),
    (3, "Mapping posts against population needs", "Director: Research and Planning"),
    (4, "Supervision and mentoring", "Director: Social Work Services"),
    (5, "Monitoring and evaluation of performance and impact", "Director: M&E"),
]
# number, title, owner, start, due, updates [(date, status, note)]
ACTIVITIES: list[tuple[str, str, str, str, str, list[tuple[str, Status, str]]]] = [
    (
        "1.1",
        "Review the bursary scheme for social work students",
        "Director: Workforce Development",
        "2025-04-01",
        "2025-12-31",
        [
            ("2025-06-20", S.ON_TRACK, "Terms of reference approved; review team appointed."),
            ("2025-10-15", S.ON_TRACK, "Draft review circulated to provinces for comment."),
            ("2026-01-30", S.DONE, "Review approved; five recommendations adopted."),
        ],
    ),
    (
        "1.2",
        "Recruit unemployed social work graduates into funded posts",
        "Provincial HODs",
        "2025-07-01",
        "2026-06-30",
        [
            ("2025-09-30", S.ON_TRACK, "All provinces submitted lists of unemployed graduates."),
            (
                "2026-03-31",
                S.DELAYED,
                "4 of 9 provinces filled the funded posts; budget letters arrived late.",
            ),
            (
                "2026-08-14",
                S.DELAYED,
                "6 of 9 provinces filled their posts; NC, LP and NW still recruiting.",
            ),
        ],
    ),
    (
        "1.3",
        "Retention incentives for rural posts",
        "Director: Workforce Development",
        "2026-01-01",
        "2026-12-31",
        [
            (
                "2026-04-20",
                S.ON_TRACK,
                "Options paper drafted: rural allowance, housing, study leave.",
            ),
            ("2026-09-10", S.ON_TRACK, "Options costed; preferred option chosen for consultation."),
        ],
    ),
    (
        "1.4",
        "Continuing professional development catalogue",
        "Chief Director: SSP",
        "2026-07-01",
        "2027-03-31",
        [
            ("2026-09-25", S.ON_TRACK, "First 12 CPD courses listed and accredited."),
        ],
    ),
    (
        "2.1",
        "Costed funding model for NPO-employed SSPs",
        "Director: Funding Models",
        "2025-04-01",
        "2026-03-31",
        [
            ("2025-08-01", S.ON_TRACK, "Salary and caseload data requested from 40 NPOs."),
            ("2026-02-27", S.DELAYED, "Costing delayed: salary data incomplete from 15 NPOs."),
            ("2026-07-22", S.ON_TRACK, "Missing data received; model re-run for three scenarios."),
        ],
    ),
    (
        "2.2",
        "Deployment guidelines for provinces",
        "Director: Funding Models",
        "2025-10-01",
        "2026-09-30",
        [
            ("2026-01-15", S.ON_TRACK, "Draft guideline written with two provinces."),
            ("2026-09-29", S.DONE, "Guidelines approved by the heads of social development."),
        ],
    ),
    (
        "2.3",
        "Pilot a shared deployment pool in two districts",
        "Chief Director: SSP",
        "2026-04-01",
        "2027-03-31",
        [
            ("2026-06-30", S.NOT_STARTED, "Awaiting agreements with the two districts."),
            (
                "2026-09-18",
                S.DELAYED,
                "One of two districts signed; pilot start moved to November.",
            ),
        ],
    ),
    (
        "3.1",
        "Consolidate the SSP inventory from PERSAL, NPO returns and the council register",
        "Director: Research and Planning",
        "2025-04-01",
        "2025-12-31",
        [
            (
                "2025-07-10",
                S.ON_TRACK,
                "Record linkage rules agreed; first provincial files received.",
            ),
            ("2025-12-12", S.DONE, "Inventory of 30,000 records validated and loaded."),
        ],
    ),
    (
        "3.2",
        "Norms for posts per population and workload",
        "Director: Research and Planning",
        "2025-07-01",
        "2026-06-30",
        [
            ("2025-11-20", S.ON_TRACK, "Ratio and workload (WISN) norms drafted."),
            ("2026-05-29", S.ON_TRACK, "Norms tested in three districts."),
            ("2026-08-28", S.DONE, "Norms approved for planning use."),
        ],
    ),
    (
        "3.3",
        "District gap analysis and post plan",
        "Director: Research and Planning",
        "2026-07-01",
        "2026-12-31",
        [
            (
                "2026-09-30",
                S.ON_TRACK,
                "Gap analysis run for all 52 districts; provinces validating.",
            ),
        ],
    ),
    (
        "3.4",
        "Annual update of the gap map",
        "Director: Research and Planning",
        "2027-01-01",
        "2027-03-31",
        [],
    ),
    (
        "4.1",
        "National supervision workshop",
        "Director: Social Work Services",
        "2025-08-01",
        "2025-11-30",
        [
            ("2025-09-12", S.ON_TRACK, "Venue and facilitators confirmed."),
            ("2025-11-06", S.DONE, "Workshop held with all 9 provinces and 140 supervisors."),
        ],
    ),
    (
        "4.2",
        "Norms for supervision ratios",
        "Director: Social Work Services",
        "2025-10-01",
        "2026-09-30",
        [
            ("2026-03-13", S.ON_TRACK, "Draft norms consulted with provinces and the council."),
            ("2026-09-24", S.DELAYED, "Awaiting a legal opinion on the norms' status."),
        ],
    ),
    (
        "4.3",
        "Mentoring programme for newly qualified social workers",
        "Director: Social Work Services",
        "2026-01-01",
        "2026-08-31",
        [
            ("2026-04-10", S.ON_TRACK, "Mentors matched in 5 provinces."),
            ("2026-07-31", S.ON_TRACK, "120 mentor pairs active; 4 provinces still matching."),
        ],
    ),
    (
        "4.4",
        "Accredited course for supervisors",
        "Chief Director: SSP",
        "2026-04-01",
        "2027-03-31",
        [],
    ),
    (
        "5.1",
        "Indicator framework for SSP performance",
        "Director: M&E",
        "2025-04-01",
        "2025-09-30",
        [
            ("2025-09-26", S.DONE, "Framework of 18 indicators approved."),
        ],
    ),
    (
        "5.2",
        "Quarterly indicator dashboard from DHIS2",
        "Director: M&E",
        "2025-10-01",
        "2026-06-30",
        [
            ("2026-02-20", S.ON_TRACK, "Data elements configured in DHIS2."),
            ("2026-06-26", S.DELAYED, "Two provinces not yet reporting."),
            ("2026-08-20", S.DELAYED, "Seven of nine provinces reporting."),
        ],
    ),
    (
        "5.3",
        "Impact evaluation design",
        "Director: M&E",
        "2026-07-01",
        "2027-02-28",
        [
            ("2026-09-15", S.ON_TRACK, "Evaluation terms of reference drafted."),
        ],
    ),
    (
        "5.4",
        "Paper-based client satisfaction survey",
        "Director: M&E",
        "2025-10-01",
        "2026-03-31",
        [
            (
                "2026-02-10",
                S.DROPPED,
                "Replaced by an SMS survey within the impact evaluation (5.3).",
            ),
        ],
    ),
]
PRIORITIES = [
    (1, "Finalise and cost the NPO funding model", 2),
    (2, "Gap analysis and post plan for all districts", 3),
    (3, "Supervision norms and mentoring", 4),
    (4, "Indicator dashboard in all provinces", 5),
    (5, "Retention incentives for rural posts", 1),
]
# priority, unit, minimum, maximum, spent
ALLOCATIONS = [
    (1, Unit.DAYS, 20, 30, 24),
    (1, Unit.RANDS, 800_000, 1_200_000, 650_000),
    (2, Unit.DAYS, 25, 40, 31),
    (3, Unit.DAYS, 20, 30, 12),
    (3, Unit.RANDS, 500_000, 900_000, 300_000),
    (4, Unit.DAYS, 15, 25, 27),
    (5, Unit.DAYS, 10, 15, 4),
    (5, Unit.RANDS, 1_000_000, 1_500_000, 200_000),
]
LESSONS = [
    ("2025-11-20", "Provinces engage more when workshops use their own inventory data.", 4),
    ("2026-03-31", "Budget letters must reach provinces before recruitment starts.", 1),
    ("2026-08-28", "Testing norms in three districts before approval avoided disputes.", 3),
    ("2026-09-18", "District agreements take two quarters; start negotiating earlier.", 2),
]
# action, owner, due, status, raised
ACTIONS = [
    (
        "Approve the supervision norms once the legal opinion is in",
        "DDG: Welfare Services",
        "2026-10-31",
        "open",
        "2026-09-24",
    ),
    (
        "Send 2027/28 budget letters for graduate posts to provinces",
        "Chief Financial Officer",
        "2026-09-15",
        "open",
        "2026-08-14",
    ),
    (
        "Nominate district officials for the deployment pool pilot",
        "HODs: Northern Cape and Limpopo",
        "2026-10-15",
        "open",
        "2026-09-18",
    ),
    (
        "Table the funding model at the executive committee",
        "Chief Director: SSP",
        "2026-08-30",
        "done",
        "2026-07-22",
    ),
    (
        "Confirm DHIS2 reporting in North West and Northern Cape",
        "Provincial M&E managers",
        "2026-11-30",
        "open",
        "2026-08-20",
    ),
]


def demo_plan() -> Plan:
    """The demo plan as a value (tests and the demo share it)."""
    return Plan(
        code=DEMO_CODE,
        title="Social service workforce strategy: implementation plan (DEMO)",
        objective=(
            "An adequate, well-distributed, supervised and supported social service workforce "
            "that meets the population's need for developmental social services."
        ),
        owner="Chief Director: Social Service Professions",
        start_date=D("2025-04-01"),
        end_date=D("2027-03-31"),
        available_days=120,
        available_rands=3_000_000,
        synthetic=True,
        workstreams=tuple(Workstream(number=n, name=t, lead=lead) for n, t, lead in WORKSTREAMS),
        activities=tuple(_activity(row) for row in ACTIVITIES),
        updates=tuple(
            ProgressUpdate(activity=num, date=D(day), status=status, note=note, author=owner)
            for num, _t, owner, _s, _d, updates in ACTIVITIES
            for day, status, note in updates
        ),
        priorities=tuple(Priority(number=n, title=t, workstream=w) for n, t, w in PRIORITIES),
        allocations=tuple(
            Allocation(priority=p, unit=u, minimum=lo, maximum=hi, spent=sp)
            for p, u, lo, hi, sp in ALLOCATIONS
        ),
        lessons=tuple(Lesson(date=D(d), lesson=x, workstream=w) for d, x, w in LESSONS),
        actions=tuple(
            Action(action=a, owner=o, due_date=D(d), status=ActionStatus(s), raised_on=D(r))
            for a, o, d, s, r in ACTIONS
        ),
    )


def _activity(row: tuple[str, str, str, str, str, list[tuple[str, Status, str]]]) -> Activity:
    number, title, owner, start, due, updates = row
    status = updates[-1][1] if updates else Status.NOT_STARTED
    return Activity(
        number=number, title=title, owner=owner, start_date=D(start), due_date=D(due), status=status
    )


def load_demo_plan(engine: Engine, work_dir: Path | None = None) -> PlanImportResult:
    """Write the demo plan as a workbook and import it like any user's file (marked synthetic).

    The workbook is kept in `work_dir` when given (people can open and edit it), else in a
    temporary folder that is removed afterwards.
    """
    with tempfile.TemporaryDirectory() as tmp:
        folder = work_dir or Path(tmp)
        path = write_plan_workbook(demo_plan(), folder / "demo-plan.xlsx")
        result = import_plan(engine, path, synthetic=True)
    if result.errors:
        raise SSPError(f"the demo plan failed validation: {result.errors[0]}")
    return result


def plan_demo_stage(engine: Engine, out_dir: Path) -> tuple[list[str], list[Path]]:
    """The demo's plan stage: load the demo plan, write the progress report on `DEMO_PERIOD`
    and the planning brief (DOCX and PDF; HTML instead of PDF where PDF cannot be made here).

    Run it after the needs stage, so the brief's gap section has a stored run to show.
    """
    result = load_demo_plan(engine, out_dir)
    counts = result.diff.sheets if result.diff else {}
    added = ", ".join(f"{c.added} {sheet}" for sheet, c in counts.items())
    lines = [f"Demo plan {DEMO_CODE} (synthetic) imported through its workbook: {added}."]
    files: list[Path] = [out_dir / result.file]
    for fmt in ("docx", "pdf"):
        try:
            files += _demo_reports(engine, out_dir, fmt)
        except SSPError as exc:  # PDF needs WeasyPrint and Pango: say so, write HTML instead
            lines.append(f"No PDF: {exc}")
            files += _demo_reports(engine, out_dir, "html")
    return lines, files


def _demo_reports(engine: Engine, out_dir: Path, fmt: str) -> list[Path]:
    from ssp_planner.reports.brief import write_brief
    from ssp_planner.reports.progress import write_progress_report

    return [
        write_progress_report(
            engine, DEMO_CODE, DEMO_PERIOD, out_dir / f"progress-{DEMO_PERIOD}.{fmt}"
        ),
        write_brief(engine, out_dir / f"planning-brief.{fmt}"),
    ]
