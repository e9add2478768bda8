"""Typed dependencies: routes name what they need (`EngineDep`, `Viewer`, `Importer`) and get it.

`require` is the one gate for pages and API alike: it signs the request in, checks the role's
permission, and hands over the principal whose `scope` every service query is filtered by.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Engine

from ssp_planner.web.auth import LoginLimiter, LoginRequired, session_principal
from ssp_planner.web.config import WebSettings
from ssp_planner.web.roles import Permission, Principal


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_settings(request: Request) -> WebSettings:
    return request.app.state.settings


def get_limiter(request: Request) -> LoginLimiter:
    return request.app.state.limiter


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[WebSettings, Depends(get_settings)]
LimiterDep = Annotated[LoginLimiter, Depends(get_limiter)]


def optional_principal(request: Request, engine: EngineDep) -> Principal | None:
    principal = session_principal(request, engine)
    request.state.principal = principal  # for the error pages' navigation
    return principal


MaybeUser = Annotated[Principal | None, Depends(optional_principal)]


def require(permission: Permission) -> Callable[[Principal | None], Principal]:
    """A dependency: the signed-in principal if their role grants `permission`; else 401/403."""

    def dependency(principal: MaybeUser) -> Principal:
        if principal is None:
            raise LoginRequired
        if not principal.can(permission):
            raise HTTPException(
                status_code=403,
                detail=f"Your role ({principal.role.label}) does not allow this. "
                "Fix: ask an administrator if your work needs it.",
            )
        return principal

    dependency.__name__ = f"require_{permission.value}"
    return dependency


Viewer = Annotated[Principal, Depends(require(Permission.VIEW))]
Importer = Annotated[Principal, Depends(require(Permission.IMPORT_INVENTORY))]
NeedsRunner = Annotated[Principal, Depends(require(Permission.RUN_NEEDS))]
ScenarioManager = Annotated[Principal, Depends(require(Permission.MANAGE_SCENARIOS))]
Auditor = Annotated[Principal, Depends(require(Permission.VIEW_AUDIT))]
AllocationRunner = Annotated[Principal, Depends(require(Permission.RUN_ALLOCATION))]
ProjectionRunner = Annotated[Principal, Depends(require(Permission.RUN_PROJECTION))]
SupervisionManager = Annotated[Principal, Depends(require(Permission.MANAGE_SUPERVISION))]
PlanEditor = Annotated[Principal, Depends(require(Permission.EDIT_PLAN))]
MonitoringManager = Annotated[Principal, Depends(require(Permission.MANAGE_MONITORING))]
LinkageReviewer = Annotated[Principal, Depends(require(Permission.REVIEW_LINKAGE))]
