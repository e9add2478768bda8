"""Chart data for pages: missing numbers stay missing, and nothing in a name can end the
<script type="application/json"> element that carries the chart."""

from __future__ import annotations

import json
import math

from ssp_planner.services.web_charts import ChartData, series
from ssp_planner.web.render import json_script


def test_series_keeps_gaps_and_rounds() -> None:
    s = series("supply", ["2026/27", 2027], [1.23456789, math.nan], dash=True)
    assert s.x == ["2026/27", 2027]
    assert s.y == [1.2346, None]
    assert s.dash and s.kind == "line"


def test_series_refuses_nothing_but_text_becomes_missing() -> None:
    assert series("x", [1, 2], ["n/a", None]).y == [None, None]


def test_chart_json_cannot_close_its_script_element() -> None:
    chart = ChartData(
        title="</script><script>alert(1)</script>",
        x_label="year",
        y_label="posts",
        series=[series("a<b", [1], [2])],
    )
    text = str(json_script(chart))
    assert "<" not in text and ">" not in text
    assert json.loads(text)["title"].startswith("</script>")
