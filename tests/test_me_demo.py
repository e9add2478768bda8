"""The M&E demo on both backends: synthetic monthly values consistent with the inventory,
marked synthetic everywhere, and a dashboard that draws real boundaries or says how to get them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from sqlalchemy import Engine, func, select

from conftest import SHARED_AREAS
from ssp_planner.domain.areas import AreaLevel
from ssp_planner.monitoring.periods import parse_period
from ssp_planner.reports.dashboard import trend_png
from ssp_planner.services.demo import run_demo
from ssp_planner.services.monitoring import indicator_table, values_frame
from ssp_planner.services.monitoring_demo import seed_monitoring_demo
from ssp_planner.store import session_scope
from ssp_planner.store.models import Practitioner
from ssp_planner.store.models_monitoring import DataValue


def test_demo_values_follow_the_inventory(engine: Engine, tmp_path: Path) -> None:
    boundaries = SHARED_AREAS if (SHARED_AREAS / "provinces.geojson").is_file() else None
    run_demo(engine, work_dir=tmp_path, boundaries_dir=boundaries, seed=3, size=800)
    res = seed_monitoring_demo(engine, seed=3, months=3, out_dir=tmp_path)
    assert (res.first, res.last) == ("202601", "202603")
    assert res.values.synthetic and res.values.inserted == res.values.rows_read
    with session_scope(engine) as s:
        people = s.scalar(select(func.count(Practitioner.id)))
        assert s.scalar(select(func.count()).where(DataValue.synthetic.is_(False))) == 0
    values = values_frame(engine)
    last = values[(values["element"] == "ssp_headcount") & (values["period"] == "202603")]
    assert last["value"].sum() == pytest.approx(people, abs=people * 0.01)  # starts ≤ 31 March
    table = indicator_table(engine, level=AreaLevel.COUNTRY, periods=[parse_period("2026Q1")])
    assert "SYNTHETIC DEMO DATA" in table.notes[0]
    page = res.dashboard.read_text()
    assert "SYNTHETIC DEMO DATA" in page and "Trends against targets" in page
    if boundaries:  # real province shapes: the map is drawn, and the note says districts lack them
        assert "<iframe" in page and "The map shows provinces" in page
    else:
        assert "<iframe" not in page and "ssp areas import-boundaries" in page
    assert Image.open(res.chart).size == (1350, 675)


def test_trend_png_draws_band_and_target(tmp_path: Path) -> None:
    rows = pd.DataFrame(
        {
            "period": ["2025Q1", "2025Q2", "2025Q3"],
            "value": [18.0, 19.0, 21.0],
            "target": [20.0, 20.0, 20.0],
        }
    )
    path = trend_png(
        rows,
        tmp_path / "t.png",
        title="Social workers per 100,000",
        unit="per 100k",
        direction="higher_is_better",
        thresholds=_limits(),
        footnote="test",
    )  # type: ignore[arg-type]
    img = Image.open(path).convert("RGB")
    colours = {
        img.getpixel((x, y)) for x in range(0, img.width, 7) for y in range(0, img.height, 7)
    }
    assert (251, 230, 195) in colours  # the amber "at risk" band (#f39c12 at 25% on white)


def _limits():  # type: ignore[no-untyped-def]
    from ssp_planner.monitoring.framework import Thresholds

    return Thresholds()
