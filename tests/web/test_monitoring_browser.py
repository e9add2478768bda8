"""M&E and linkage in Debian's Chromium: the M&E officer's dashboard draws its trend chart and
map; a provincial planner accepts a pair in the review queue. Screenshots at desktop and phone
width go to /tmp/ssp-web-screenshots."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from web.conftest import DESKTOP, PHONE, DemoEnv, shot
from web.test_linkage import fresh_linkage
from web.test_monitoring import seed_monitoring


@pytest.fixture(scope="module", autouse=True)
def _data(demo_of: Callable[[str], DemoEnv]) -> Iterator[None]:
    env = demo_of("sqlite")
    seed_monitoring(env)
    fresh_linkage(env)
    yield


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def test_me_dashboard_draws_and_planner_accepts_a_pair(open_page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = open_page("me-officer", viewport=viewport)
        page.click("nav >> text=M&E")
        page.wait_for_selector(".chart-canvas .main-svg")
        page.wait_for_selector(".map-canvas .main-svg")
        assert page.locator(".chart-canvas .scatterlayer .trace").count() == 2
        assert page.locator(".map-canvas path.choroplethlocation").count() >= 9
        assert page.locator("table.status tbody tr").count() == 20
        _fits(page)
        shot(page, f"me-{name}")

    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):  # the phone only looks
        page = open_page("kzn-planner", viewport=viewport)
        page.click("nav >> text=Linkage")
        pairs = page.locator("article.pair")
        waiting = pairs.count()
        assert waiting >= 1
        _fits(page)
        shot(page, f"linkage-{name}")
        if name == "phone":
            continue
        first = pairs.first.get_attribute("id")
        pairs.first.locator("button:has-text('Accept')").click()
        page.wait_for_url(live_server + "/linkage#queue")
        assert "accepted as the same person" in page.locator(".flash").inner_text()
        assert page.locator(f"article#{first}").count() == 0
        assert page.locator("article.pair").count() == waiting - 1
        shot(page, "linkage-decided")
