"""Implementation plan: workstreams → activities → progress updates; priorities, allocations,
lessons and actions; and what a progress report on one period says about them.

Pure: the service layer (services/plan.py) reads workbooks and the database and calls these.
"""

from ssp_planner.plan.allocation import AllocationTotals, allocation_totals, amount, amount_range
from ssp_planner.plan.model import (
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
from ssp_planner.plan.periods import PeriodError, PeriodRange, long_date, parse_period, short_date
from ssp_planner.plan.progress import ActionRow, ActivityRow, ProgressData, build_progress
from ssp_planner.plan.sheets import SHEETS, Sheet, parse_status, sheet_rows
from ssp_planner.plan.summary import compose_summary
from ssp_planner.plan.workbook import ParsedPlan, plan_from_tables

__all__ = [
    "SHEETS",
    "Action",
    "ActionRow",
    "ActionStatus",
    "Activity",
    "ActivityRow",
    "Allocation",
    "AllocationTotals",
    "Lesson",
    "ParsedPlan",
    "PeriodError",
    "PeriodRange",
    "Plan",
    "Priority",
    "ProgressData",
    "ProgressUpdate",
    "Sheet",
    "Status",
    "Unit",
    "Workstream",
    "allocation_totals",
    "amount",
    "amount_range",
    "build_progress",
    "compose_summary",
    "long_date",
    "parse_period",
    "parse_status",
    "plan_from_tables",
    "sheet_rows",
    "short_date",
]
