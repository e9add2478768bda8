"""The progress report on the demo plan: its tables hold exactly the stored rows of the period,
DOCX has real headings and tables, and the PDF renders (pdftoppm turns its pages into PNGs)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document as open_docx
from PIL import Image
from sqlalchemy import Engine, select

from ssp_planner.plan import short_date
from ssp_planner.reports.progress import OVERDUE, PROGRESS_COLUMNS, SECTIONS, write_progress_report
from ssp_planner.reports.render.pdf import pdf_available
from ssp_planner.services.plan_demo import load_demo_plan
from ssp_planner.store import session_scope
from ssp_planner.store.models_plan import (
    ActionRecord,
    ActivityRecord,
    AllocationRecord,
    PriorityRecord,
    UpdateRecord,
)

TODAY = date(2026, 11, 25)
Q3 = (date(2026, 7, 1), date(2026, 9, 30))
LISTED_Q3 = [
    "1.2",
    "1.3",
    "1.4",
    "2.1",
    "2.2",
    "2.3",
    "3.2",
    "3.3",
    "4.2",
    "4.3",
    "4.4",
    "5.2",
    "5.3",
]
needs_pdf = pytest.mark.skipif(
    not (pdf_available() and shutil.which("pdftoppm") and shutil.which("pdftotext")),
    reason="PDF checks need WeasyPrint (pip) with Pango and poppler-utils (pdftoppm, pdftotext); "
    ".ci/run installs them",
)


def _docx_rows(path: Path, index: int) -> list[list[str]]:
    table = open_docx(str(path)).tables[index]
    return [[c.text for c in row.cells] for row in table.rows]


def _stored_activities(engine: Engine) -> dict[str, ActivityRecord]:
    with session_scope(engine) as s:
        return {a.number: a for a in s.scalars(select(ActivityRecord))}


def _latest_in_q3(engine: Engine, activity_id: int) -> UpdateRecord | None:
    with session_scope(engine) as s:
        return s.scalars(
            select(UpdateRecord)
            .where(UpdateRecord.activity_id == activity_id, UpdateRecord.date.between(*Q3))
            .order_by(UpdateRecord.date.desc())
        ).first()


def test_docx_tables_hold_exactly_the_stored_data(engine: Engine, tmp_path: Path) -> None:
    load_demo_plan(engine)
    path = write_progress_report(engine, None, "2026Q3", tmp_path / "r.docx", today=TODAY)
    doc = open_docx(str(path))
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == list(SECTIONS)
    assert "SYNTHETIC DEMO DATA" in doc.sections[0].header.paragraphs[0].text
    rows = _docx_rows(path, 0)
    assert rows[0] == list(PROGRESS_COLUMNS)
    body = [r for r in rows[1:] if not r[0].startswith("Workstream")]  # group rows span the row
    assert [r[0] for r in body] == LISTED_Q3
    stored = _stored_activities(engine)
    for number, title, owner, due, _status, progress, flag in body:
        rec = stored[number]
        assert (title, owner, due) == (rec.title, rec.owner, short_date(rec.due_date))
        latest = _latest_in_q3(engine, rec.id)
        if latest:
            assert progress == f"{short_date(latest.date)}: {latest.note}"
        assert (flag == OVERDUE) == (number in {"1.2", "2.1", "4.3", "5.2"})
    _check_allocation_and_actions(engine, path)


def _check_allocation_and_actions(engine: Engine, path: Path) -> None:
    with session_scope(engine) as s:
        days = s.execute(
            select(PriorityRecord.number, PriorityRecord.title, AllocationRecord)
            .join(AllocationRecord)
            .where(AllocationRecord.unit == "days")
            .order_by(PriorityRecord.number)
        ).all()
        actions = s.scalars(select(ActionRecord).where(ActionRecord.status == "open")).all()
    tables = open_docx(str(path)).tables
    alloc = [[c.text for c in r.cells] for r in tables[3].rows]  # progress, overdue, priorities
    assert alloc[0] == ["Priority", "Allocated (min–max)", "Spent", "Flag"]
    for (number, title, a), row in zip(days, alloc[1:], strict=False):
        assert row[:3] == [f"{number}. {title}", f"{a.minimum}–{a.maximum} days", f"{a.spent} days"]
    assert alloc[-2][:3] == ["Total", "90–140 days", "98 days"]
    assert alloc[-1][:3] == ["Available", "120 days", "22 days left"]
    assert [r[3] for r in alloc[1:-2]] == ["", "", "", "OVER MAXIMUM", ""]
    acts = [[c.text for c in r.cells] for r in tables[-1].rows][1:]
    assert sorted(r[0] for r in acts) == sorted(a.action for a in actions)
    assert [r[0] for r in acts if r[3] == OVERDUE] == [
        "Send 2027/28 budget letters for graduate posts to provinces"
    ]


def test_another_period_lists_other_activities(sqlite_engine: Engine, tmp_path: Path) -> None:
    load_demo_plan(sqlite_engine)
    path = write_progress_report(sqlite_engine, None, "2025Q4", tmp_path / "q4.md", today=TODAY)
    text = path.read_text("utf-8")
    assert "| 4.1 | National supervision workshop |" in text
    assert "6 Nov 2025: Workshop held with all 9 provinces and 140 supervisors." in text
    assert "| 1.3 |" not in text  # starts in January 2026
    assert "| 5.1 |" not in text  # done in September 2025, before the period
    assert "## Summary" in text and text.count("SYNTHETIC DEMO DATA") == 2


def test_html_is_self_contained_and_marked(sqlite_engine: Engine, tmp_path: Path) -> None:
    load_demo_plan(sqlite_engine)
    page = write_progress_report(
        sqlite_engine, None, "2026Q3", tmp_path / "r", fmt="html", today=TODAY
    ).read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "http" not in page.split("<body>")[0]
    assert page.count('class="banner screen"') == 2 and "@top-center" in page
    assert '<tr class="flag">' in page and "OVER MAXIMUM" in page


@needs_pdf
def test_pdf_renders_every_page_with_the_banner(sqlite_engine: Engine, tmp_path: Path) -> None:
    load_demo_plan(sqlite_engine)
    pdf = write_progress_report(sqlite_engine, None, "2026Q3", tmp_path / "r.pdf", today=TODAY)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3
    for number, png in enumerate(pages, start=1):
        with Image.open(png) as img:
            assert img.size[0] < img.size[1]  # A4 portrait
            assert img.convert("L").getextrema()[0] < 100  # ink on the page, not blank
        text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert "SYNTHETIC DEMO DATA" in text and f"Page {number} of {len(pages)}" in text
