"""Report downloads for the web: the plan's progress report, the planning brief and the plan
workbook, generated on request into a temporary folder (removed once sent) and audited.

Generation is synchronous: on the demo data the slowest, a PDF brief with maps, takes under
a second. The brief shows every province's figures, so the routes offer it to national users
only (a province-scoped user would otherwise read other provinces' numbers).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import Engine

from ssp_planner.plan import parse_period
from ssp_planner.reports.brief import write_brief
from ssp_planner.reports.progress import write_progress_report
from ssp_planner.reports.render import Format
from ssp_planner.reports.render.pdf import pdf_available
from ssp_planner.services import plan as plan_service
from ssp_planner.web.audit import audit_now
from ssp_planner.web.roles import Principal

MEDIA_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".html": "text/html; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class BriefFormat(StrEnum):
    DOCX = "docx"
    PDF = "pdf"
    HTML = "html"


class ReportChoices(BaseModel):
    """What the reports page offers: plans, the default period, formats, and the brief."""

    plans: list[str]
    period: str
    progress_formats: list[str]
    brief_formats: list[str]
    brief_allowed: bool  # national users only: the brief shows every province's figures


@dataclass(frozen=True)
class Download:
    path: Path
    media_type: str
    folder: Path  # temporary; remove it once the file is sent

    @property
    def filename(self) -> str:
        return self.path.name


def current_quarter(today: date | None = None) -> str:
    """'2026Q3': the default period of the progress report."""
    today = today or date.today()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def report_choices(engine: Engine, principal: Principal) -> ReportChoices:
    pdf = pdf_available()
    return ReportChoices(
        plans=plan_service.plan_codes(engine),
        period=current_quarter(),
        progress_formats=[f.value for f in Format if pdf or f is not Format.PDF],
        brief_formats=[f.value for f in BriefFormat if pdf or f is not BriefFormat.PDF],
        brief_allowed=principal.scope.national,
    )


def progress_download(
    engine: Engine,
    principal: Principal,
    *,
    plan: str | None,
    period: str | None,
    fmt: Format,
    ip: str | None,
) -> Download:
    """The progress report of `plan` (or the only plan) on `period` (default this quarter)."""
    code = plan_service.resolve_code(engine, plan or None)
    period = parse_period(period or current_quarter()).code
    found = _generate(
        lambda folder: write_progress_report(
            engine, code, period, folder / f"progress-{code}-{period}.{fmt.value}", fmt=fmt
        )
    )
    _record(engine, principal, f"report:progress:{code}:{period}", found, ip)
    return found


def brief_download(
    engine: Engine, principal: Principal, *, fmt: BriefFormat, ip: str | None
) -> Download:
    """The planning brief as of today (the routes allow national users only)."""
    name = f"planning-brief-{date.today().isoformat()}.{fmt.value}"
    found = _generate(lambda folder: write_brief(engine, folder / name, fmt=fmt.value))
    _record(engine, principal, "report:brief", found, ip)
    return found


def workbook_download(
    engine: Engine, principal: Principal, *, plan: str | None, ip: str | None
) -> Download:
    """The whole plan as the workbook `ssp plan import` reads back (versions included)."""
    code = plan_service.resolve_code(engine, plan or None)
    found = _generate(
        lambda folder: plan_service.export_plan(engine, code, folder / f"plan-{code}.xlsx")
    )
    _record(engine, principal, f"report:plan_workbook:{code}", found, ip)
    return found


def _generate(write: Callable[[Path], Path]) -> Download:
    folder = Path(tempfile.mkdtemp(prefix="ssp-download-"))
    try:
        path = write(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Download(path, MEDIA_TYPES[path.suffix], folder)


def _record(
    engine: Engine, principal: Principal, target: str, found: Download, ip: str | None
) -> None:
    audit_now(
        engine,
        user=principal,
        action="report.download",
        target=target,
        after={"file": found.filename, "bytes": found.path.stat().st_size},
        ip=ip,
    )
