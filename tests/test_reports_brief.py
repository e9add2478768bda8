"""The planning brief: sections without data say how to get it and show no number; with the
demo data every figure names its source, and the synthetic marking is on every page."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from docx import Document as open_docx
from sqlalchemy import Engine, select

from conftest import SHARED_AREAS
from ssp_planner.domain.areas import AreaLevel
from ssp_planner.reports.brief import SECTIONS, brief_document, write_brief
from ssp_planner.reports.render import Figure, Heading, KeyFigures, Paragraph, Table
from ssp_planner.reports.render.pdf import pdf_available
from ssp_planner.services.demo import run_demo
from ssp_planner.services.needs import run_needs
from ssp_planner.services.plan_demo import load_demo_plan, plan_demo_stage
from ssp_planner.services.summary import inventory_summary
from ssp_planner.store import connect, migrate, session_scope
from ssp_planner.store.models import Area, NeedsResult

TODAY = date(2026, 11, 25)
BOUNDARIES = SHARED_AREAS if (SHARED_AREAS / "provinces.geojson").exists() else None


def _sections(blocks: tuple) -> dict[str, list]:  # type: ignore[type-arg]
    out: dict[str, list] = {}  # type: ignore[type-arg]
    current = ""
    for block in blocks:
        if isinstance(block, Heading) and block.level == 1:
            current = block.text
            out[current] = []
        else:
            out[current].append(block)
    return out


def test_an_empty_database_gives_a_brief_without_numbers(sqlite_engine: Engine) -> None:
    doc = brief_document(sqlite_engine, today=TODAY)
    sections = _sections(doc.blocks)
    assert list(sections) == [s.title for s in SECTIONS] + ["Sources"]
    for section in SECTIONS:
        assert sections[section.title] == [Paragraph(section.missing, "note")]
    assert doc.banner is None and not doc.tables()
    assert "ssp needs" in next(s.missing for s in SECTIONS if s.key == "gap")


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A small synthetic demo (1,000 SSPs, a needs run, the demo plan, provinces if shared),
    built once: the tests below only read it."""
    folder = tmp_path_factory.mktemp("brief")
    engine = connect(f"sqlite:///{folder / 'demo.db'}")
    migrate(engine)
    run_demo(engine, work_dir=folder, boundaries_dir=BOUNDARIES, seed=7, size=1000)
    run_needs(engine)
    load_demo_plan(engine)
    yield engine
    engine.dispose()


def test_brief_figures_equal_the_stored_data(demo_engine: Engine) -> None:
    doc = brief_document(demo_engine, today=TODAY)
    sections = _sections(doc.blocks)
    assert doc.banner and doc.banner.startswith("SYNTHETIC DEMO DATA")
    national = inventory_summary(demo_engine, AreaLevel.COUNTRY)
    total = national[national["category"] == "all"].iloc[0]
    head = sections["Headline numbers"][0]
    assert isinstance(head, KeyFigures) and head.items[0].value == f"{int(total['headcount']):,}"
    assert "inventory imported from demo-inventory-seed7.csv (synthetic)" in head.source
    gap = sections["Gap between need and supply"][0]
    with session_scope(demo_engine) as s:
        row = s.execute(
            select(NeedsResult.required, NeedsResult.gap)
            .join(Area, Area.id == NeedsResult.area_id)
            .where(Area.level == "country", NeedsResult.category == "all")
            .order_by(NeedsResult.run_id.desc())
        ).first()
    assert row is not None and isinstance(gap, KeyFigures)
    assert [gap.items[0].value, gap.items[2].value] == [f"{row.required:,.0f}", f"{row.gap:,.0f}"]
    plan = next(b for b in sections["Implementation plan"] if isinstance(b, Table))
    assert [r[1] for r in plan.rows] == ["4", "3", "4", "4", "4"]  # activities per workstream
    for block in doc.blocks:  # every figure states its source and date
        if isinstance(block, Table | Figure | KeyFigures):
            assert block.source.startswith("Source:") and "2026" in block.source
    figures = [b for b in doc.blocks if isinstance(b, Figure)]
    assert len(figures) == (2 if BOUNDARIES else 0)


def test_docx_brief_has_the_banner_in_every_page_header(
    demo_engine: Engine, tmp_path: Path
) -> None:
    path = write_brief(demo_engine, tmp_path / "brief.docx", today=TODAY)
    doc = open_docx(str(path))
    assert "SYNTHETIC DEMO DATA" in doc.sections[0].header.paragraphs[0].text
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [s.title for s in SECTIONS] + ["Sources"]
    assert len(doc.tables) >= 4 and len(doc.inline_shapes) == (2 if BOUNDARIES else 0)


@pytest.mark.skipif(
    not (pdf_available() and shutil.which("pdftoppm") and shutil.which("pdftotext")),
    reason="PDF checks need WeasyPrint (pip) with Pango and poppler-utils; .ci/run installs them",
)
def test_demo_stage_writes_both_reports_and_the_pdf_pages_render(
    demo_engine: Engine, tmp_path: Path
) -> None:
    lines, files = plan_demo_stage(demo_engine, tmp_path / "out")
    assert {f.name for f in files} == {
        "demo-plan.xlsx",
        "progress-2026Q3.docx",
        "progress-2026Q3.pdf",
        "planning-brief.docx",
        "planning-brief.pdf",
    }
    assert all(f.stat().st_size > 0 for f in files) and "No PDF" not in " ".join(lines)
    pdf = tmp_path / "out" / "planning-brief.pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 3
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True)
    per_page = text.stdout.split("\f")[: len(pages)]
    assert all("SYNTHETIC DEMO DATA" in page for page in per_page)
