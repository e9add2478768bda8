"""Roles, what each may do, and the principal every request acts as.

One table (`GRANTS`) says who may do what; pages, the API and the navigation all ask it, so a
role never sees a link it cannot follow nor reaches data through the API that its pages hide.
A user with a province is confined to it (`Scope`): provincial planners must have one, and
supervisors, M&E officers and viewers may.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ssp_planner.errors import SSPError


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    NATIONAL_PLANNER = "national_planner"
    PROVINCIAL_PLANNER = "provincial_planner"
    SUPERVISOR = "supervisor"
    ME_OFFICER = "me_officer"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Role.ADMINISTRATOR: "Administrator",
    Role.NATIONAL_PLANNER: "National planner",
    Role.PROVINCIAL_PLANNER: "Provincial planner",
    Role.SUPERVISOR: "Supervisor",
    Role.ME_OFFICER: "M&E officer",
    Role.VIEWER: "Viewer",
}


class Permission(StrEnum):
    VIEW = "view"  # dashboard, areas, inventory (masked), needs results
    VIEW_PERSONAL_DATA = "view_personal_data"  # ID numbers, birth dates, full names
    IMPORT_INVENTORY = "import_inventory"
    RUN_NEEDS = "run_needs"
    MANAGE_SCENARIOS = "manage_scenarios"
    VIEW_AUDIT = "view_audit"
    RUN_ALLOCATION = "run_allocation"  # start post and site allocation runs (national budget)
    RUN_PROJECTION = "run_projection"  # start pipeline projections
    MANAGE_SUPERVISION = "manage_supervision"  # record sessions, run mentor matching
    EDIT_PLAN = "edit_plan"  # edit plan activities, add progress updates
    MANAGE_MONITORING = "manage_monitoring"  # import indicator values and targets
    REVIEW_LINKAGE = "review_linkage"  # decide uncertain record matches (sees personal data)


_P = Permission
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset(Permission),
    Role.NATIONAL_PLANNER: frozenset(
        {
            _P.VIEW,
            _P.IMPORT_INVENTORY,
            _P.RUN_NEEDS,
            _P.MANAGE_SCENARIOS,
            _P.RUN_ALLOCATION,
            _P.RUN_PROJECTION,
            _P.MANAGE_SUPERVISION,
            _P.EDIT_PLAN,
        }
    ),
    # Provincial planners keep their province's HR records, so they see who is who.
    Role.PROVINCIAL_PLANNER: frozenset(
        {
            _P.VIEW,
            _P.VIEW_PERSONAL_DATA,
            _P.IMPORT_INVENTORY,
            _P.RUN_NEEDS,
            _P.MANAGE_SUPERVISION,
            _P.REVIEW_LINKAGE,
        }
    ),
    # Supervisors see their supervisees' details and record their sessions.
    Role.SUPERVISOR: frozenset({_P.VIEW, _P.VIEW_PERSONAL_DATA, _P.MANAGE_SUPERVISION}),
    # M&E officers keep the indicators and track the plan's progress.
    Role.ME_OFFICER: frozenset({_P.VIEW, _P.MANAGE_MONITORING, _P.EDIT_PLAN}),
    Role.VIEWER: frozenset({_P.VIEW}),
}
MUST_HAVE_PROVINCE = frozenset({Role.PROVINCIAL_PLANNER})
NATIONAL_ONLY = frozenset({Role.ADMINISTRATOR, Role.NATIONAL_PLANNER})


@dataclass(frozen=True)
class Scope:
    """The areas a user may see: None means the whole country."""

    province: str | None = None
    area_ids: frozenset[int] | None = None

    @property
    def national(self) -> bool:
        return self.area_ids is None

    def allows(self, area_id: int | None) -> bool:
        return self.area_ids is None or area_id in self.area_ids


NATIONAL = Scope()


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: loaded from storage on every request, so role changes and
    deactivations take effect at once."""

    user_id: int
    username: str
    full_name: str
    role: Role
    scope: Scope

    def can(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]

    @property
    def sees_personal_data(self) -> bool:
        return self.can(Permission.VIEW_PERSONAL_DATA)


def check_role_province(role: Role, province: str | None) -> None:
    """Refuse combinations that would be ambiguous: a provincial planner of nowhere, or a
    national role confined to one province."""
    if role in MUST_HAVE_PROVINCE and not province:
        raise SSPError(
            f"{_a(role)} needs a province. Fix: add --province with a province code, e.g. KZN."
        )
    if role in NATIONAL_ONLY and province:
        raise SSPError(
            f"{_a(role)} works nationally and has no province. "
            "Fix: leave out --province, or choose the provincial_planner role."
        )


def _a(role: Role) -> str:
    label = role.label.lower()
    return ("An " if label[0] in "aeiou" else "A ") + label
