"""The brief's allocation, projection and M&E sections show the latest stored results (the very
figures the runs stored), or their `missing` line when nothing is stored; on SQLite and
PostgreSQL, rendered to DOCX, HTML and PDF."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from docx import Document as open_docx
from sqlalchemy import Engine, func, select

from conftest import SHARED_AREAS, throwaway_database
from ssp_planner.demo import REFERENCE_DATE
from ssp_planner.domain.areas import AreaLevel
from ssp_planner.monitoring.periods import parse_period
from ssp_planner.reports.brief import SECTIONS, brief_document, write_brief
from ssp_planner.reports.render import Figure, Heading, KeyFigures, Paragraph, Table
from ssp_planner.reports.render.pdf import pdf_available
from ssp_planner.services.allocation import PostRequest, allocate
from ssp_planner.services.demo import run_demo
from ssp_planner.services.monitoring import indicator_table
from ssp_planner.services.monitoring_demo import seed_monitoring_demo
from ssp_planner.services.needs import run_needs
from ssp_planner.services.projection import run_projection
from ssp_planner.store import connect, migrate, session_scope
from ssp_planner.store.models_allocation import AllocationResult, AllocationRun
from ssp_planner.store.models_people import ProjectionResultRow

TODAY = date(2026, 11, 25)
BOUNDARIES = SHARED_AREAS if (SHARED_AREAS / "provinces.geojson").exists() else None
ALLOCATION, PROJECTION, MONITORING = (
    next(s for s in SECTIONS if s.key == key) for key in ("allocation", "projection", "monitoring")
)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def runs_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, int]]:
    """A small demo (1,000 SSPs) with a needs run, a post allocation, a projection with every
    bundled scenario and six months of M&E values: (engine, allocation run id)."""
    folder = tmp_path_factory.mktemp("brief-runs")
    for url in throwaway_database(request.param, folder, "ssp_brief"):
        engine = connect(url)
        migrate(engine)
        run_demo(engine, work_dir=folder, boundaries_dir=BOUNDARIES, seed=7, size=1000)
        run_needs(engine)
        posts = allocate(engine, PostRequest(budget=500_000_000, npo_budget=100_000_000))
        run_projection(engine, on=REFERENCE_DATE, scenarios=["all"])
        seed_monitoring_demo(engine, seed=7, months=6, out_dir=folder)
        yield engine, posts.run_id
        engine.dispose()


def _section(blocks: tuple, title: str) -> list:  # type: ignore[type-arg]
    out, inside = [], False
    for block in blocks:
        if isinstance(block, Heading) and block.level == 1:
            inside = block.text == title
        elif inside:
            out.append(block)
    return out


def _figures(blocks: list) -> list[str]:  # type: ignore[type-arg]
    return [item.value for b in blocks if isinstance(b, KeyFigures) for item in b.items]


def test_allocation_section_shows_the_stored_plan(runs_engine: tuple[Engine, int]) -> None:
    engine, run_id = runs_engine
    blocks = _section(brief_document(engine, today=TODAY).blocks, ALLOCATION.title)
    with session_scope(engine) as s:
        run = s.get(AllocationRun, run_id)
        assert run is not None
        posts = s.scalar(
            select(func.sum(AllocationResult.new_posts)).where(AllocationResult.run_id == run_id)
        )
        spent, digest, gap = run.spent_rands, run.inputs_digest, run.mip_gap
    assert _figures(blocks)[:2] == [f"{posts:,}", f"R{spent / 1e6:,.1f} million"]
    assert _figures(blocks)[3] == f"{gap:.2%}"
    source = blocks[0].source
    assert f"allocation run {run_id} " in source and digest[:16] in source
    assert "2026" in source and "synthetic" in source
    by_category = next(b for b in blocks if isinstance(b, Table) and "category" in b.caption)
    assert by_category.rows[-1][:2] == ("All categories", f"{posts:,}")
    baselines = next(b for b in blocks if isinstance(b, Table) and "rules of thumb" in b.caption)
    assert [r[0] for r in baselines.rows] == [
        "This plan",
        "Posts in proportion to population",
        "Equal posts per district",
    ]
    assert {r[1] for r in baselines.rows} == {f"{posts:,}"}  # the same posts, the same money
    more = [b.text for b in blocks if isinstance(b, Paragraph) and "One more" in b.text]
    assert more and "R10.0 million a year for government would buy" in more[0]
    maps = [b for b in blocks if isinstance(b, Figure)]
    assert len(maps) == (1 if BOUNDARIES else 0)


def test_projection_section_shows_the_stored_run(runs_engine: tuple[Engine, int]) -> None:
    engine, _ = runs_engine
    blocks = _section(brief_document(engine, today=TODAY).blocks, PROJECTION.title)
    with session_scope(engine) as s:
        last = s.scalar(select(func.max(ProjectionResultRow.period)))
        shortfall, supply = s.execute(
            select(func.sum(ProjectionResultRow.shortfall), func.sum(ProjectionResultRow.supply))
            .where(ProjectionResultRow.scenario == "baseline")
            .where(ProjectionResultRow.period == last)
        ).one()
    figures = _figures(blocks)
    assert figures[0] == f"{supply:,.0f}" and figures[2] == f"{shortfall:,.0f}"
    chart = next(b for b in blocks if isinstance(b, Figure))
    assert chart.png.startswith(b"\x89PNG") and "projection run" in chart.source
    years, scenarios = [b for b in blocks if isinstance(b, Table)]
    assert years.rows[-1][3] == f"{shortfall:,.0f}"
    assert scenarios.rows[0][0] == "baseline" and len(scenarios.rows) > 1


def test_monitoring_section_shows_the_latest_quarter(runs_engine: tuple[Engine, int]) -> None:
    engine, _ = runs_engine
    blocks = _section(brief_document(engine, today=TODAY).blocks, MONITORING.title)
    expected = indicator_table(engine, level=AreaLevel.COUNTRY, periods=[parse_period("2026Q1")])
    frame = expected.frame
    table = next(b for b in blocks if isinstance(b, Table))
    assert table.caption.startswith("South Africa, 2026Q1")
    assert len(table.rows) == len(frame)
    by_name = {r[0].split(" (")[0]: r for r in table.rows}
    sw = frame[frame["indicator"] == "sw_per_100k"].iloc[0]
    assert by_name[sw["indicator_name"]][-2:] == (f"{sw['value']:,.1f}", sw["status"])
    counts = frame["status"].value_counts()
    assert _figures(blocks)[:3] == [
        str(int(counts.get(s, 0))) for s in ("on track", "at risk", "off track")
    ]
    assert "demo-data-values-seed7.json (synthetic)" in table.source


def test_sections_without_stored_runs_print_their_missing_line(
    runs_engine: tuple[Engine, int], sqlite_engine: Engine
) -> None:
    engine, _ = runs_engine
    other = brief_document(engine, scenario="no-such-scenario", today=TODAY)
    assert _section(other.blocks, ALLOCATION.title) == [Paragraph(ALLOCATION.missing, "note")]
    empty = brief_document(sqlite_engine, today=TODAY)
    for section in (ALLOCATION, PROJECTION, MONITORING):
        assert _section(empty.blocks, section.title) == [Paragraph(section.missing, "note")]


def test_every_new_figure_states_source_and_date(runs_engine: tuple[Engine, int]) -> None:
    doc = brief_document(runs_engine[0], today=TODAY)
    assert doc.banner and doc.banner.startswith("SYNTHETIC DEMO DATA")
    for title in (ALLOCATION.title, PROJECTION.title, MONITORING.title):
        for block in _section(doc.blocks, title):
            if isinstance(block, Table | Figure | KeyFigures):
                assert block.source.startswith("Source:") and "2026" in block.source


def test_brief_renders_to_docx_and_html(runs_engine: tuple[Engine, int], tmp_path: Path) -> None:
    engine, _ = runs_engine
    doc = brief_document(engine, today=TODAY)
    figures = sum(isinstance(b, Figure) for b in doc.blocks)
    assert figures == (4 if BOUNDARIES else 1)  # coverage, gap, allocation maps; projection
    docx = open_docx(str(write_brief(engine, tmp_path / "brief.docx", today=TODAY)))
    assert len(docx.inline_shapes) == figures
    cells = [c.text for t in docx.tables for row in t.rows for c in row.cells]
    assert "Budgets a year: government" in "\n".join(p.text for p in docx.paragraphs)
    assert any("indicators on track" in c for c in cells)
    assert any("posts of need met" in c for c in cells)
    html = write_brief(engine, tmp_path / "brief.html", today=TODAY).read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == figures
    assert "Scenarios against the baseline" in html and "2026Q1" in html


@pytest.mark.skipif(
    not (pdf_available() and shutil.which("pdftotext")),
    reason="PDF checks need WeasyPrint (pip) with Pango and poppler-utils; .ci/run installs them",
)
def test_pdf_brief_carries_the_new_sections(
    runs_engine: tuple[Engine, int], tmp_path: Path
) -> None:
    engine, run_id = runs_engine
    pdf = write_brief(engine, tmp_path / "brief.pdf", today=TODAY)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True)
    pages = text.stdout.split("\f")
    assert f"allocation run {run_id}" in text.stdout and "South Africa, 2026Q1" in text.stdout
    assert all("SYNTHETIC DEMO DATA" in page for page in pages if page.strip())
