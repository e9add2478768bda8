"""Starting a post allocation from the web: the budget checked, solved and stored exactly as
`ssp allocate posts` does, and recorded in the audit trail."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Engine

from ssp_planner.allocation import format_rands, parse_rands
from ssp_planner.errors import SSPError
from ssp_planner.services.allocation import PostRequest, allocate
from ssp_planner.services.web_allocation import RUN_ACTION, AllocationRunInfo, run_info
from ssp_planner.web.audit import audit_now
from ssp_planner.web.roles import Principal

MAX_BUDGET = 100_000_000_000  # R100 billion a year: more is a typing slip, not a plan
WEB_TIME_LIMIT = 30.0  # seconds a page waits; a plan found by then is stored with its gap
Fairness = Literal["total", "maxmin"]


def parse_budget(text: str) -> int:
    """Whole rands from what a person typed ('R500m', '500 000 000'); nonsense is refused with
    what to write instead."""
    rands = parse_rands(text.strip())
    if rands <= 0:
        raise SSPError("A budget of R0 funds no posts. Fix: enter the yearly amount, e.g. R500m.")
    if rands > MAX_BUDGET:
        raise SSPError(
            f"{format_rands(rands)} a year is more than {format_rands(MAX_BUDGET)}, so it is "
            "probably a typing slip. Fix: check the zeros, or write it like R500m or R1.2bn."
        )
    return rands


def start_and_record(
    engine: Engine,
    principal: Principal,
    *,
    budget: str,
    fairness: Fairness,
    scenario: str,
    ip: str | None,
    npo_budget: str = "",
) -> AllocationRunInfo:
    """Fund posts from the scenario's newest needs run (government posts, and NPO subsidies
    when an NPO budget is given); the run stores itself (its service commits), then the audit
    entry names it."""
    request = PostRequest(
        budget=parse_budget(budget),
        npo_budget=parse_budget(npo_budget) if npo_budget.strip() else None,
        scenario=scenario,
        fairness=fairness,
        time_limit=WEB_TIME_LIMIT,
    )
    result = allocate(engine, request)
    audit_now(
        engine,
        user=principal,
        action=RUN_ACTION,
        target=f"allocation_run:{result.run_id}",
        after={
            "budget_rands": request.budget,
            "npo_budget_rands": request.npo_budget,
            "fairness": fairness,
            "scenario": scenario,
            "needs_run": result.needs_run_id,
            "posts": int(result.plan.new_posts.sum()),
            "inputs": result.inputs_digest[:16],
        },
        ip=ip,
    )
    return run_info(engine, principal.scope, result.run_id)
