"""Needs model: norms (ratio + WISN workload), scenarios, need per area and the gap to supply.

Pure computations over frames and pydantic models; the service layer loads the inputs from
storage, calls `compute_need` and `need_table`, and stores the results with the digests of
the norms (`Norms.digest`) and the scenario (`Scenario.digest`).
"""

from ssp_planner.needs.compute import NEED_COLUMNS, compute_need
from ssp_planner.needs.gap import ALL, TABLE_COLUMNS, deepest_ids, need_table
from ssp_planner.needs.norms import (
    AGE_SEX_GROUPS,
    PACKAGE_FILE,
    POPULATION,
    WARDS,
    CategoryNorms,
    IndividualAllowance,
    Norms,
    NormsError,
    NormsProblem,
    RatioNorm,
    ServiceNorm,
    Sourced,
    WorkingTime,
    load_norms,
    merge_norms,
    missing_indicators,
    norms_from_toml,
    package_norms_text,
    required_indicators,
)
from ssp_planner.needs.scenario import (
    BASELINE,
    Disaster,
    MigrantInflow,
    Modifier,
    NewLaw,
    PopulationGrowth,
    Scenario,
    ScenarioError,
    apply_scenario,
)

__all__ = [
    "AGE_SEX_GROUPS",
    "ALL",
    "BASELINE",
    "NEED_COLUMNS",
    "PACKAGE_FILE",
    "POPULATION",
    "TABLE_COLUMNS",
    "WARDS",
    "CategoryNorms",
    "Disaster",
    "IndividualAllowance",
    "MigrantInflow",
    "Modifier",
    "NewLaw",
    "Norms",
    "NormsError",
    "NormsProblem",
    "PopulationGrowth",
    "RatioNorm",
    "Scenario",
    "ScenarioError",
    "ServiceNorm",
    "Sourced",
    "WorkingTime",
    "apply_scenario",
    "compute_need",
    "deepest_ids",
    "load_norms",
    "merge_norms",
    "missing_indicators",
    "need_table",
    "norms_from_toml",
    "package_norms_text",
    "required_indicators",
]
