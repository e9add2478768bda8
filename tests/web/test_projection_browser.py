"""Projection and supervision in Debian's Chromium: the chart draws (plotly SVG in the page),
and both pages fit a phone's width. Screenshots go to /tmp/ssp-web-screenshots."""

from __future__ import annotations

from collections.abc import Callable

from web.conftest import DESKTOP, PHONE, DemoEnv, shot
from web.test_projection import first_run, with_people


def test_projection_chart_and_supervision_pages(  # type: ignore[no-untyped-def]
    browser, live_server: str, demo_of: Callable[[str], DemoEnv]
) -> None:
    demo = with_people(demo_of("sqlite"))
    outside: list[str] = []  # requests leaving the server (CDN, tiles): there must be none
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.on(
            "request", lambda r: None if r.url.startswith(live_server) else outside.append(r.url)
        )
        page.goto(live_server + "/login")
        page.fill("input[name=username]", "kzn-planner")
        page.fill("input[name=password]", demo.passwords["kzn-planner"])
        page.click("button:has-text('Sign in')")
        page.wait_for_url(live_server + "/")
        page.goto(live_server + f"/projection?run={first_run(demo)}")
        page.wait_for_selector(".chart-canvas .main-svg")
        assert page.locator(".chart-canvas svg .scatterlayer .trace").count() == 6
        assert "KwaZulu-Natal" in page.locator("h2").first.inner_text()
        shot(page, f"projection-{name}")
        page.goto(live_server + "/supervision")
        assert page.locator("h1").inner_text().startswith("Supervision")
        shot(page, f"supervision-{name}")
        page.goto(live_server + "/mentoring")
        shot(page, f"mentoring-{name}")
        for path in ("/projection", "/supervision", "/mentoring"):
            page.goto(live_server + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (path, width)
        context.close()
    assert outside == []
