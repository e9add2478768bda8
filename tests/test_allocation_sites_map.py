"""`ssp allocate sites --map`: a real PNG (not blank) and an offline HTML page, over province
boundaries when stored and without them (saying so); a bad suffix is refused before the solve.
`ssp demo`'s site stage writes both maps."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select
from typer.testing import CliRunner

from conftest import SHARED_AREAS
from ssp_planner.cli import app
from ssp_planner.services.allocation_demo import run_allocation_demo
from ssp_planner.services.areas import load_areas
from ssp_planner.services.boundaries import import_boundaries
from ssp_planner.services.demo import run_demo
from ssp_planner.services.needs import run_needs
from ssp_planner.store import connect, migrate, session_scope
from ssp_planner.store.models_allocation import AllocationRun
from test_allocation_service import FIXTURES

PROVINCES = SHARED_AREAS / "provinces.geojson"
LAND = (240, 240, 240)  # reports.site_map.LAND: the provinces' fill


def _database(tmp_path: Path, boundaries: bool) -> str:
    url = f"sqlite:///{tmp_path / 'sites.db'}"
    engine = connect(url)
    migrate(engine)
    if boundaries:
        load_areas(engine)
        import_boundaries(engine, PROVINCES, level="province")
    engine.dispose()
    return url


def _sites(url: str, out: Path) -> tuple[int, str]:
    args = ["--db", url, "allocate", "sites", "--p", "2", "--radius-km", "15"]
    args += ["--demand", str(FIXTURES / "demand.csv"), "--sites", str(FIXTURES / "sites.csv")]
    result = CliRunner().invoke(app, [*args, "--map", str(out)])
    return result.exit_code, " ".join(result.output.split())


def _assert_png(path: Path) -> np.ndarray:
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as image:
        assert image.size == (1500, 1200)  # 10×8 in at 150 dpi
        pixels = np.asarray(image.convert("RGB"))
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    assert len(colours) > 50 and (pixels != 255).any(axis=-1).mean() > 0.02  # not blank
    return pixels


def _assert_offline_html(text: str) -> None:
    assert re.findall(r"<script[^>]*\bsrc=", text, flags=re.IGNORECASE) == []
    assert "plotly.js v" in text and "Plotly.newPlot" in text  # plotly.js inline
    assert "PlotlyGeoAssets" in text  # the stub that stops plotly's basemap fetch
    assert "cdn.plot.ly/plotly" not in text
    assert re.findall(r"<(?:script|link|img)[^>]*(?:src|href)=[\"']https?://", text) == []


@pytest.mark.skipif(not PROVINCES.exists(), reason="needs the shared province boundaries")
def test_sites_map_over_province_boundaries(tmp_path: Path) -> None:
    url = _database(tmp_path, boundaries=True)
    code, output = _sites(url, tmp_path / "sites.png")
    assert code == 0, output
    assert "2 sites chosen" in output and f"Map written to {tmp_path / 'sites.png'}" in output
    pixels = _assert_png(tmp_path / "sites.png")
    assert (pixels == LAND).all(axis=-1).sum() > 50_000  # the provinces are drawn
    code, output = _sites(url, tmp_path / "sites.html")
    assert code == 0, output
    page = (tmp_path / "sites.html").read_text(encoding="utf-8")
    _assert_offline_html(page)
    assert "chosen site" in page and "not served" in page and "No province boundaries" not in page


def test_sites_map_without_boundaries_draws_the_points_and_says_so(tmp_path: Path) -> None:
    url = _database(tmp_path, boundaries=False)
    code, output = _sites(url, tmp_path / "points.png")
    assert code == 0, output
    pixels = _assert_png(tmp_path / "points.png")
    assert (pixels == LAND).all(axis=-1).sum() < 1_000  # no provinces (a few edge pixels)
    code, output = _sites(url, tmp_path / "points.html")
    page = (tmp_path / "points.html").read_text(encoding="utf-8")
    assert code == 0 and "No province boundaries are loaded" in page
    _assert_offline_html(page)


def test_a_bad_map_suffix_is_refused_before_solving(tmp_path: Path) -> None:
    url = _database(tmp_path, boundaries=False)
    code, output = _sites(url, tmp_path / "sites.jpg")
    assert code == 1 and "Traceback" not in output
    assert "cannot write a map as '.jpg'" in output and "Fix: end the file name with .png" in output
    engine = connect(url)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count(AllocationRun.id))) == 0  # nothing was solved
    engine.dispose()


def test_demo_site_stage_writes_both_maps(tmp_path: Path) -> None:
    engine = connect(f"sqlite:///{tmp_path / 'demo.db'}")
    migrate(engine)
    boundaries = SHARED_AREAS if PROVINCES.exists() else None
    run_demo(engine, work_dir=tmp_path, boundaries_dir=boundaries, seed=7, size=1000)
    run_needs(engine)
    report = run_allocation_demo(engine, out_dir=tmp_path / "out", seed=7)
    engine.dispose()
    names = {f.name for f in report.files}
    assert {"sites-map-synthetic.png", "sites-map-synthetic.html"} <= names
    _assert_png(tmp_path / "out" / "sites-map-synthetic.png")
    page = (tmp_path / "out" / "sites-map-synthetic.html").read_text(encoding="utf-8")
    _assert_offline_html(page)
    assert "SYNTHETIC DEMO DATA" in page and f"Run {report.sites.run_id} (MCLP)" in page
