"""Plan and report flows in Debian's Chromium: add a progress update and see it in the history,
two editors of one activity (the second is refused and reloads), download the progress
report, and the pages at phone width. Screenshots go to /tmp/ssp-web-screenshots."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from ssp_planner.reports.render.pdf import pdf_available
from web.conftest import PHONE, DemoEnv, assert_pages_fit, shot
from web.test_plan import activity_id, with_plan


@pytest.fixture(scope="module", autouse=True)
def plan_env(demo_of: Callable[[str], DemoEnv]) -> DemoEnv:
    """The live server's (SQLite) demo with the demo plan."""
    return with_plan(demo_of("sqlite"))


def test_add_a_progress_update_and_see_it(open_page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page = open_page("me-officer")
    page.click("nav >> text=Plan")
    assert "implementation plan" in page.locator("h1").inner_text()
    assert page.locator("table.plan td.short:has-text('OVERDUE')").count() >= 1
    shot(page, "plan")
    page.click("a:has-text('Pilot a shared deployment pool in two districts')")
    assert page.locator("h1").inner_text().startswith("2.3 ")
    page.fill("input[name=date]", "2026-11-20")
    page.select_option("select[name=status]", "on_track")
    page.fill("textarea[name=note]", "Second district signed; pilot starts in January.")
    page.click("button:has-text('Add update')")
    assert "Progress update added to activity 2.3." in page.locator(".flash").inner_text()
    newest = page.locator("table.history tbody tr").first.inner_text()
    assert "20 Nov 2026" in newest and "On track" in newest
    assert "Second district signed" in newest and "Demo M&E Officer" in newest
    shot(page, "plan-activity")


def test_second_editor_is_refused_then_reloads(  # type: ignore[no-untyped-def]
    open_page, live_server: str, plan_env: DemoEnv
) -> None:
    url = f"{live_server}/plan/activities/{activity_id(plan_env, '2.1')}"
    first, second = open_page("national"), open_page("me-officer")
    for page in (first, second):
        page.goto(url)
    first.fill("input[name=title]", "Costed funding model (revised)")
    first.click("button:has-text('Save changes')")
    assert "saved (version" in first.locator(".flash").inner_text()
    second.fill("input[name=owner]", "Director: M&E")
    second.click("button:has-text('Save changes')")
    assert second.locator("h1").inner_text() == "Changed by someone else"
    assert "nothing was overwritten" in second.locator("main").inner_text()
    shot(second, "plan-stale-edit")
    second.click("a:has-text('Reload the page')")
    assert second.locator("h1").inner_text() == "2.1 Costed funding model (revised)"
    assert second.locator("input[name=owner]").input_value() == "Director: Funding Models"


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_download_the_progress_report(open_page, tmp_path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    if fmt == "pdf" and not pdf_available():
        pytest.skip("WeasyPrint is not installed")
    page = open_page("viewer")
    page.click("nav >> text=Reports")
    page.fill("input[name=period]", "2026Q3")
    page.select_option("#progress + form select[name=format]", fmt)
    with page.expect_download() as download:
        page.click("button:has-text('Download the progress report')")
    assert download.value.suggested_filename == f"progress-SSP-DEMO-2026Q3.{fmt}"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    if fmt == "docx":
        assert "word/document.xml" in zipfile.ZipFile(saved).namelist()
    else:
        assert saved.read_bytes().startswith(b"%PDF")
    shot(page, "reports")


def test_plan_pages_fit_a_phone(open_page, live_server: str, plan_env: DemoEnv) -> None:  # type: ignore[no-untyped-def]
    page = open_page("national", viewport=PHONE)
    pages = {
        "phone-plan": "/plan",
        "phone-plan-activity": f"/plan/activities/{activity_id(plan_env, '1.2')}",
        "phone-reports": "/reports",
    }
    assert_pages_fit(page, live_server, pages)
