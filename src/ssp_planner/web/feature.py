"""A feature of the web app: its page router, its API router and its navigation entries.

Each module in `web/routers/` exports one `feature`; `routers.FEATURES` lists them in menu
order and `create_app` mounts them. Adding a page is a router module, a template and one line
there (docs/web.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter

from ssp_planner.web.roles import Permission, Principal


@dataclass(frozen=True)
class NavEntry:
    """A menu link, shown only to roles holding `permission`."""

    label: str
    path: str
    permission: Permission


@dataclass(frozen=True)
class Feature:
    name: str
    pages: APIRouter = field(default_factory=APIRouter)  # HTML; left out of the OpenAPI
    api: APIRouter = field(default_factory=APIRouter)  # JSON; mounted under /api/v1
    nav: tuple[NavEntry, ...] = ()


def nav_for(features: list[Feature], principal: Principal | None) -> list[NavEntry]:
    if principal is None:
        return []
    return [e for f in features for e in f.nav if principal.can(e.permission)]
