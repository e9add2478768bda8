"""Supervision and mentoring: ratios against the norm, session compliance, mentor matching.

Pure computations over frames (`ratios.py`, `sessions.py`, `mentoring.py`), norms with their
sources (`norms.toml`), and the sessions file's columns and checks (`session_file.py`). The
service layer reads people, links and sessions from storage and calls these.
"""

from ssp_planner.supervision.distance import (
    CENTROID,
    ORDINAL,
    AreaDistance,
    boundary_distance,
    centroid_distance,
    ordinal_distance,
)
from ssp_planner.supervision.mentoring import (
    PAIR_COLUMNS,
    UNMATCHED_COLUMNS,
    MatchResult,
    MatchRules,
    match_mentors,
    split_people,
)
from ssp_planner.supervision.norms import SupervisionNorms, load_norms
from ssp_planner.supervision.ratios import (
    RATIO_COLUMNS,
    supervision_ratios,
    supervisors_over_limit,
    unsupervised_people,
)
from ssp_planner.supervision.session_file import (
    SHEET,
    StoredPerson,
    session_columns,
    validate_sessions,
)
from ssp_planner.supervision.sessions import Period, compliance_by_area, session_compliance

__all__ = [
    "CENTROID",
    "ORDINAL",
    "PAIR_COLUMNS",
    "RATIO_COLUMNS",
    "SHEET",
    "UNMATCHED_COLUMNS",
    "AreaDistance",
    "MatchResult",
    "MatchRules",
    "Period",
    "StoredPerson",
    "SupervisionNorms",
    "boundary_distance",
    "centroid_distance",
    "compliance_by_area",
    "load_norms",
    "match_mentors",
    "ordinal_distance",
    "session_columns",
    "session_compliance",
    "split_people",
    "supervision_ratios",
    "supervisors_over_limit",
    "unsupervised_people",
    "validate_sessions",
]
