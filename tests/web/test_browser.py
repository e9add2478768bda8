"""Browser flows in Debian's Chromium (Playwright): sign in, upload a bad file and see every
error, download the report, upload a good file, the needs map, pages without JavaScript, and
phone-width layouts. Screenshots go to /tmp/ssp-web-screenshots for people to look at."""

from __future__ import annotations

import csv
from pathlib import Path

from web.conftest import PHONE, WEB_FIXTURES, assert_pages_fit, shot


def test_sign_in_upload_bad_then_good_file(open_page, live_server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = open_page("kzn-planner")
    assert page.locator("h1").inner_text() == "KwaZulu-Natal"
    assert "Signed in as kzn-planner" in page.locator(".flash").inner_text()
    shot(page, "dashboard-kzn")
    page.click("nav >> text=Import")
    page.set_input_files("input[type=file]", str(WEB_FIXTURES / "kzn_bad.csv"))
    page.click("button:has-text('Check and import')")
    assert "Nothing was stored." in page.locator(".flash.error").inner_text()
    rows = page.locator("table.errors tbody tr")
    assert rows.count() == 5
    assert "check digit is 5 but should be 4" in rows.nth(0).inner_text()
    shot(page, "import-errors")
    with page.expect_download() as download:
        page.click("a:has-text('CSV')")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    report = list(csv.DictReader(saved.open(encoding="utf-8-sig")))
    assert len(report) == 5 and report[0]["column"] == "id_number"

    page.click("a:has-text('Import another file')")
    page.set_input_files("input[type=file]", str(WEB_FIXTURES / "kzn_good_browser.csv"))
    page.click("button:has-text('Check and import')")
    assert "Imported: 2 new" in page.locator(".flash.ok").inner_text()
    shot(page, "import-ok")
    page.goto(live_server + "/inventory?q=Gumede")
    page.click("table.people a:has-text('Thobeka Gumede')")
    assert page.locator("dd.mono").first.inner_text() == "8406094411080"  # planners see IDs


def test_needs_page_draws_the_gap_map(open_page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page = open_page("national")
    page.goto(live_server + "/needs?level=province")
    if page.locator(".map-note").count():  # no boundary files: the page says how to load them
        assert "import-boundaries" in page.locator(".map-note").inner_text()
        return
    page.wait_for_selector(".map-canvas .main-svg")
    assert page.locator(".map-canvas path.choroplethlocation").count() >= 9
    assert page.locator("table tbody tr").count() == 9
    shot(page, "needs-map")
    page.goto(live_server + "/")
    page.wait_for_selector(".map-canvas .main-svg")
    shot(page, "dashboard-national")


def test_pages_work_without_javascript(open_page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page = open_page("viewer", javascript=False)
    assert page.locator("h1").inner_text() == "South Africa"
    page.goto(live_server + "/inventory")
    page.select_option("select[name=category]", "social_worker")
    page.click("button:has-text('Search')")
    assert "category=social_worker" in page.url
    assert "masked for your role" in page.locator("main").inner_text()
    page.click("a[rel=next]")
    assert "page=2" in page.url and "category=social_worker" in page.url
    page.goto(live_server + "/areas")
    page.click("summary >> text=KwaZulu-Natal")
    assert "eThekwini" in page.locator("h1 + p + ul, main").inner_text()
    page.click("button:has-text('Sign out')")
    assert page.url.startswith(live_server + "/login")


def test_phone_width_pages_fit_the_screen(open_page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page = open_page("admin", viewport=PHONE)
    paths = ("/", "/areas", "/areas/KZN", "/inventory", "/needs", "/import", "/admin/audit")
    pages = {"phone" + (p.replace("/", "-") if p != "/" else "-dashboard"): p for p in paths}
    assert_pages_fit(page, live_server, pages)
