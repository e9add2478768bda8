"""The features of the web app, in menu order. A new page: a module here exporting `feature`,
a template, and one line in this list (docs/web.md)."""

from __future__ import annotations

from ssp_planner.web.feature import Feature
from ssp_planner.web.routers import (
    allocation,
    areas,
    audit_log,
    auth,
    dashboard,
    imports,
    inventory,
    linkage,
    monitoring,
    needs,
    plan,
    projection,
    reports,
    supervision,
)

FEATURES: list[Feature] = [
    auth.feature,
    dashboard.feature,
    areas.feature,
    inventory.feature,
    imports.feature,
    needs.feature,
    allocation.feature,
    projection.feature,
    supervision.feature,
    monitoring.feature,
    linkage.feature,
    plan.feature,  # the implementation plan: activities, edits, progress updates
    reports.feature,  # downloads: progress report, planning brief, plan workbook
    audit_log.feature,
]
