"""Pipeline projection: students → graduates → funded posts → attrition, retirement, re-entry.

A stock-flow model by scenario × year × province × category (`stockflow.py`, vectorised with
numpy), its parameters with their sources (`params.toml`), and retention and recruitment
scenarios compared by shortfall closed per rand (`scenarios.py`). Pure: the service layer reads
the opening position from storage into a `Baseline` of plain frames and calls `project`.
"""

from ssp_planner.projection.inputs import WORKFORCE_COLUMNS, Baseline
from ssp_planner.projection.params import (
    DEFAULT_PROVINCES,
    PACKAGE_FILE,
    ProjectionParams,
    fy_label,
    fy_of,
    load_params,
    package_params_text,
    params_from_dict,
    parse_fy,
)
from ssp_planner.projection.result import TABLE_COLUMNS, ProjectionResult
from ssp_planner.projection.run import project
from ssp_planner.projection.scenarios import (
    BASELINE,
    Scenario,
    bundled_scenarios,
    read_scenarios,
    resolve_scenarios,
)
from ssp_planner.projection.sourced import ConfigError, Problem

__all__ = [
    "BASELINE",
    "DEFAULT_PROVINCES",
    "PACKAGE_FILE",
    "TABLE_COLUMNS",
    "WORKFORCE_COLUMNS",
    "Baseline",
    "ConfigError",
    "Problem",
    "ProjectionParams",
    "ProjectionResult",
    "Scenario",
    "bundled_scenarios",
    "fy_label",
    "fy_of",
    "load_params",
    "package_params_text",
    "params_from_dict",
    "parse_fy",
    "project",
    "read_scenarios",
    "resolve_scenarios",
]
