"""Monitoring and evaluation core (pure: no storage, no I/O beyond the files it is handed).

What the service layer calls: `load_framework` (framework.py), `parse_period` (periods.py),
`compute_indicators` (compute.py), `attach_targets` (targets.py), `workload` (performance.py),
`read_exchange_file` / `write_data_value_sets` / `write_adx` (dhis2.py), `read_mapping`
(mapping.py), `validate_values` (values.py), `validate_targets` (target_file.py) and, for the
demo, `synthetic_values` (synthetic.py).
"""

from ssp_planner.monitoring.compute import compute_indicators
from ssp_planner.monitoring.framework import Framework, load_framework
from ssp_planner.monitoring.periods import Period, PeriodType, parse_period
from ssp_planner.monitoring.targets import Status, attach_targets

__all__ = [
    "Framework",
    "Period",
    "PeriodType",
    "Status",
    "attach_targets",
    "compute_indicators",
    "load_framework",
    "parse_period",
]
