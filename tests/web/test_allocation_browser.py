"""Browser flow in Debian's Chromium: a national planner enters a budget, starts a post
allocation, lands on the result and sees the map drawn and the explanation; the pages fit a
phone. Screenshots go to /tmp/ssp-web-screenshots."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from ssp_planner.services.allocation import PostRequest, allocate
from web.conftest import PHONE, DemoEnv, assert_pages_fit, shot


def test_run_an_allocation_and_see_the_map(open_page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page = open_page("national")
    page.click("nav >> text=Allocation")
    assert page.locator("h1").inner_text() == "Allocation"
    page.fill("input[name=budget]", "about half a billion")
    page.click("button:has-text('Start allocation')")
    assert "is not an amount of money" in page.locator(".flash.error").inner_text()
    assert page.input_value("input[name=budget]") == "about half a billion"
    shot(page, "allocation-bad-budget")
    page.fill("input[name=budget]", "R400m")
    page.select_option("select[name=fairness]", "total")
    page.click("button:has-text('Start allocation')")
    page.wait_for_url(re.compile(re.escape(live_server) + r"/allocation/\d+$"))
    run_id = page.url.rsplit("/", 1)[1]
    assert f"Allocation run {run_id} stored" in page.locator(".flash.ok").inner_text()
    if page.locator(".map-note").count() and not page.locator(".map-canvas").count():
        assert "import-boundaries" in page.locator(".map-note").inner_text()  # no boundaries
    else:
        page.wait_for_selector(".map-canvas .main-svg")
        assert page.locator(".map-canvas path.choroplethlocation").count() >= 9
    assert page.locator("table.explanation tbody tr").count() == 50
    assert page.locator("table.baselines tbody tr").count() == 3
    shot(page, "allocation-result")
    page.select_option("select[name=level]", "district")
    page.click("form.filters button:has-text('Show')")
    assert "level=district" in page.url
    assert page.locator("table.explanation thead th").first.inner_text() == "District"
    page.click("nav.crumbs >> text=Allocation")
    assert page.locator(f"a[href='/allocation/{run_id}']").count() == 1
    shot(page, "allocation-runs")


@pytest.fixture(scope="module")
def stored_runs(demo_of: Callable[[str], DemoEnv]) -> tuple[int, int]:
    """Two runs stored as `ssp allocate posts --budget R500m [--fairness maxmin]` store them."""
    engine = demo_of("sqlite").engine
    total = allocate(engine, PostRequest(budget=500_000_000)).run_id
    return total, allocate(engine, PostRequest(budget=200_000_000, fairness="maxmin")).run_id


def test_allocation_pages_fit_a_phone(  # type: ignore[no-untyped-def]
    open_page, live_server: str, stored_runs: tuple[int, int]
) -> None:
    page = open_page("kzn-planner", viewport=PHONE)
    a, b = stored_runs
    pages = {
        "phone-allocation-compare": f"/allocation/compare?a={a}&b={b}",
        "phone-allocation": "/allocation",
        "phone-allocation-result": f"/allocation/{a}",
    }
    assert_pages_fit(page, live_server, pages)
    assert "your province" in page.locator("h1").inner_text()  # the last page: the result
