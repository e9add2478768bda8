"""Allocation: new posts under a budget (HiGHS), service points (MCLP, p-median), explanations.

Pure computations over frames; the service layer (services/allocation.py) loads the needs run,
the costs and the input files, calls these, and stores the runs with their inputs' hash.
"""

from ssp_planner.allocation._milp import HighsSolver, ScipySolver, Solver, SolverFailed
from ssp_planner.allocation.budget import PostPlan, allocate_posts
from ssp_planner.allocation.costs import (
    CostsError,
    CostTable,
    format_rands,
    load_costs,
    package_costs_text,
    parse_rands,
)
from ssp_planner.allocation.explain import R10M, Explanation, Marginal, evaluate, explain
from ssp_planner.allocation.feasibility import (
    AllocationInfeasible,
    LocationInfeasible,
    check_plan,
    diagnose,
)
from ssp_planner.allocation.location import MCLP, LocationResult, PMedian
from ssp_planner.allocation.problem import (
    FAIRNESS,
    Channel,
    Fairness,
    PostProblem,
    Returns,
    channels_from_costs,
)

__all__ = [
    "FAIRNESS",
    "MCLP",
    "R10M",
    "AllocationInfeasible",
    "Channel",
    "CostTable",
    "CostsError",
    "Explanation",
    "Fairness",
    "HighsSolver",
    "LocationInfeasible",
    "LocationResult",
    "Marginal",
    "PMedian",
    "PostPlan",
    "PostProblem",
    "Returns",
    "ScipySolver",
    "Solver",
    "SolverFailed",
    "allocate_posts",
    "channels_from_costs",
    "check_plan",
    "diagnose",
    "evaluate",
    "explain",
    "format_rands",
    "load_costs",
    "package_costs_text",
    "parse_rands",
]
