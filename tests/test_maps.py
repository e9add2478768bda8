"""Choropleth maps: made-up squares drawn in each test, and the 9 real provinces from
../shared/data/areas when that folder exists (the geometry is third-party and never committed)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from shapely.geometry import Polygon, box

from conftest import SHARED_AREAS
from ssp_planner.errors import SSPError
from ssp_planner.reports.maps import (
    NO_DATA_COLOUR,
    MapUnavailable,
    choropleth_html,
    choropleth_png,
    require_shapes,
    write_map,
)

PROVINCES = SHARED_AREAS / "provinces.geojson"
TEXTS: dict[str, Any] = {
    "title": "Social worker gap",
    "subtitle": "Scenario: baseline · 2025-03-31",
    "legend": "Gap (posts)",
    "footnote": "SYNTHETIC DEMO DATA",
}


def _squares() -> gpd.GeoDataFrame:
    """Four areas in a row near Bloemfontein (three squares and a triangle), lon/lat."""
    shapes = [box(25 + i, -30, 26 + i, -29) for i in range(3)]
    shapes.append(Polygon([(28, -30), (29, -30), (28.5, -29)]))
    return gpd.GeoDataFrame(
        {"code": ["AA", "BB", "CC", "DD"], "name": ["Alpha", "Beta", "Gamma", "Delta"]},
        geometry=shapes,
        crs="EPSG:4326",
    )


def _values(gap: list[float]) -> pd.DataFrame:
    codes = ["AA", "BB", "CC", "DD"][: len(gap)]
    return pd.DataFrame({"code": codes, "gap": gap, "posts": [10, 20, 30, 40][: len(gap)]})


def _colours(path: Path) -> set[tuple[int, ...]]:
    with Image.open(path) as image:
        counts = image.convert("RGB").getcolors(maxcolors=1 << 22) or []
    return {tuple(colour) for _, colour in counts}  # type: ignore[arg-type]


def _pixels(path: Path, rgb: tuple[int, ...]) -> int:
    with Image.open(path) as image:
        return int((np.asarray(image.convert("RGB")) == rgb).all(axis=-1).sum())


def _assert_png(path: Path) -> None:
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert (1400, 1100) <= image.size <= (1600, 1300)  # 10×8 in at 150 dpi
    assert len(_colours(path)) > 20  # not blank: fills, text, colorbar


def _assert_offline_html(text: str) -> None:
    sources = re.findall(r"<script[^>]*\bsrc=", text, flags=re.IGNORECASE)
    assert sources == [], "every script must be inline"
    assert "plotly.js v" in text and "Plotly.newPlot" in text
    assert "PlotlyGeoAssets" in text  # the basemap stub that stops a fetch from cdn.plot.ly


def test_png_from_made_up_shapes(tmp_path: Path) -> None:
    out = choropleth_png(
        _squares(), _values([5, 10, 15, 20]), value="gap", path=tmp_path / "m.png", **TEXTS
    )
    assert out == tmp_path / "m.png"
    _assert_png(out)


def test_png_shows_missing_values_as_no_data(tmp_path: Path) -> None:
    grey = tuple(int(NO_DATA_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
    full = choropleth_png(
        _squares(), _values([5, 10, 15, 20]), value="gap", path=tmp_path / "a.png", **TEXTS
    )
    gaps = choropleth_png(
        _squares(), _values([5, 10]), value="gap", path=tmp_path / "b.png", **TEXTS
    )
    assert _pixels(full, grey) < 500  # anti-aliased text may hit the grey now and then
    assert _pixels(gaps, grey) > 5000  # two whole areas, between the hatch lines


def test_png_diverging_uses_both_ends_of_the_scale(tmp_path: Path) -> None:
    out = choropleth_png(
        _squares(),
        _values([-40, -5, 5, 40]),
        value="gap",
        path=tmp_path / "d.png",
        diverging=True,
        **TEXTS,
    )
    rgb = np.asarray(Image.open(out).convert("RGB"), dtype=int)
    reddish = (rgb[..., 0] - rgb[..., 2] > 80).sum()
    bluish = (rgb[..., 2] - rgb[..., 0] > 80).sum()
    assert reddish > 1000 and bluish > 1000


def test_html_is_self_contained_with_data_and_titles(tmp_path: Path) -> None:
    out = choropleth_html(
        _squares(),
        _values([5, 10, 15]),
        value="gap",
        path=tmp_path / "m.html",
        hover=["posts"],
        **TEXTS,
    )
    text = out.read_text(encoding="utf-8")
    _assert_offline_html(text)
    assert "<title>Social worker gap</title>" in text
    for code in ["AA", "BB", "CC", "DD"]:
        assert f'"{code}"' in text
    assert '"name":"no data"' in text  # DD has no value: its own grey trace and legend entry
    assert "Beta" in text and "(BB)" in text and r"Gap (posts): 10\u003cbr\u003eposts: 20" in text


def test_html_diverging_scale_is_centred_at_zero(tmp_path: Path) -> None:
    out = choropleth_html(
        _squares(),
        _values([-10, 5, 30, 2]),
        value="gap",
        path=tmp_path / "d.html",
        hover=[],
        diverging=True,
        **TEXTS,
    )
    text = out.read_text(encoding="utf-8")
    assert '"zmin":-30.0' in text and '"zmax":30.0' in text


def test_empty_shapes_are_refused_with_the_fix(tmp_path: Path) -> None:
    empty = gpd.GeoDataFrame({"code": [], "name": []}, geometry=[], crs="EPSG:4326")
    with pytest.raises(MapUnavailable) as caught:
        require_shapes(empty, "district")
    message = str(caught.value)
    assert "No district boundaries are loaded" in message
    assert "ssp areas import-boundaries FILE --level district" in message
    assert "https://www.demarcation.org.za" in message
    assert require_shapes(_squares(), "district") is not None
    with pytest.raises(MapUnavailable, match="--level LEVEL"):
        write_map(empty, _values([1]), tmp_path / "never.png", value="gap", **TEXTS)


def test_write_map_dispatches_on_suffix(tmp_path: Path) -> None:
    kw = {"value": "gap", "hover": ["posts"], **TEXTS}
    _assert_png(write_map(_squares(), _values([1, 2, 3, 4]), tmp_path / "m.PNG", **kw))
    assert write_map(_squares(), _values([1, 2]), tmp_path / "m.html", **kw).exists()
    with pytest.raises(SSPError, match=r"'\.pdf'.*Fix: end the file name with \.png"):
        write_map(_squares(), _values([1]), tmp_path / "m.pdf", **kw)


def test_bad_values_say_what_to_fix(tmp_path: Path) -> None:
    path = tmp_path / "x.png"
    with pytest.raises(SSPError, match=r"missing.*gap"):
        choropleth_png(_squares(), pd.DataFrame({"code": ["AA"]}), value="gap", path=path, **TEXTS)
    twice = pd.DataFrame({"code": ["AA", "AA"], "gap": [1, 2]})
    with pytest.raises(SSPError, match="codes twice: AA"):
        choropleth_png(_squares(), twice, value="gap", path=path, **TEXTS)
    with pytest.raises(SSPError, match=r"hover.*nope"):
        choropleth_html(_squares(), _values([1]), value="gap", path=path, hover=["nope"], **TEXTS)


@pytest.fixture(scope="module")
def provinces() -> gpd.GeoDataFrame:
    if not PROVINCES.exists():
        pytest.skip(f"no boundary file at {PROVINCES} (third-party data, not in the repo)")
    return gpd.read_file(PROVINCES)[["code", "name", "geometry"]]


def test_real_provinces_png_and_html(provinces: gpd.GeoDataFrame, tmp_path: Path) -> None:
    assert len(provinces) == 9
    values = pd.DataFrame({"code": provinces["code"], "gap": np.arange(9) * 50 - 100})
    values = values[values["code"] != "WC"]
    kw = {"value": "gap", "diverging": True, **TEXTS}
    _assert_png(write_map(provinces, values, tmp_path / "p.png", **kw))
    text = write_map(provinces, values, tmp_path / "p.html", hover=[], **kw).read_text()
    _assert_offline_html(text)
    assert all(f'"{code}"' in text for code in provinces["code"])
    assert "Western Cape" in text and '"name":"no data"' in text
