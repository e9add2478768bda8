"""Boundary import: real files (the shared provinces layer, shapes each test writes to tmp_path),
matched on area code, on every database backend. No boundary file lives in the repository."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Polygon, box
from sqlalchemy import Engine, select

from conftest import SHARED_AREAS
from ssp_planner.errors import InputFileError, SSPError
from ssp_planner.ingest.boundaries import geometry_to_geojson, normalise_code
from ssp_planner.services.areas import load_areas
from ssp_planner.services.boundaries import (
    BoundaryImportResult,
    boundaries_frame,
    find_boundary_files,
    import_boundaries,
)
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area

PROVINCES = SHARED_AREAS / "provinces.geojson"
needs_shared = pytest.mark.skipif(
    not PROVINCES.is_file(),
    reason=f"{PROVINCES} absent: the shared boundary data is not checked out next to the repo",
)


def square(x: float, y: float, size: float = 0.1) -> Polygon:
    return box(x, y, x + size, y + size)


def write_geojson(path: Path, features: list[tuple[dict[str, Any], Polygon]]) -> Path:
    """A FeatureCollection of made-up shapes, written the way QGIS would."""
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
            for props, geom in features
        ],
    }
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


def write_shapefile(folder: Path, codes: dict[str, Polygon], column: str, crs: str) -> Path:
    """Squares given in lon/lat, stored in `crs` (like an MDB download in a projected CRS)."""
    frame = gpd.GeoDataFrame({column: list(codes)}, geometry=list(codes.values()), crs=4326)
    path = folder / "munis.shp"
    frame.to_crs(crs).to_file(path, engine="pyogrio")
    return path


def stored(engine: Engine, level: str) -> dict[str, tuple[str | None, str | None]]:
    with session_scope(engine) as session:
        rows = session.execute(
            select(Area.code, Area.boundary_geojson, Area.boundary_source).where(
                Area.level == level
            )
        )
        return {code: (geo, src) for code, geo, src in rows}


@pytest.fixture
def areas(engine: Engine) -> Engine:
    load_areas(engine)
    return engine


@pytest.fixture
def loaded_sqlite(sqlite_engine: Engine) -> Engine:
    load_areas(sqlite_engine)
    return sqlite_engine


# --- matching on real files ------------------------------------------------------------------


@needs_shared
def test_shared_provinces_match_all_nine(areas: Engine) -> None:
    result = import_boundaries(areas, PROVINCES, source="rsa.shapefiles (Stats SA 2011)")
    assert (result.level, result.matched, result.code_field) == ("province", 9, "code")
    assert result.unmatched_file_codes == []
    assert result.areas_without_boundary == []
    frame = boundaries_frame(areas, "province")
    assert sorted(frame["code"]) == ["EC", "FS", "GP", "KZN", "LP", "MP", "NC", "NW", "WC"]
    assert frame.crs is not None and frame.crs.equals("EPSG:4326")
    assert frame.geometry.is_valid.all()
    minx, miny, maxx, maxy = frame.total_bounds  # South Africa, without the Prince Edward Islands
    assert 16 < minx < maxx < 33 and -35 < miny < maxy < -22
    assert (
        stored(areas, "province")["GP"][1] == "provinces.geojson (rsa.shapefiles (Stats SA 2011))"
    )
    # districts stay without a boundary and say so
    assert boundaries_frame(areas, "district").empty


def test_unknown_code_is_reported_unmatched(areas: Engine, tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "made_up.geojson",
        [
            ({"code": "GP"}, square(28, -26)),
            ({"code": "wc "}, square(19, -33)),
            ({"code": "XX"}, square(0, 0)),
        ],
    )
    result = import_boundaries(areas, path)
    assert (result.level, result.matched) == ("province", 2)
    assert result.unmatched_file_codes == ["XX"]
    assert result.areas_without_boundary == ["EC", "FS", "KZN", "LP", "MP", "NC", "NW"]
    assert "XX" in result.summary() and "2 province boundaries matched" in result.summary()


def test_district_layer_lists_districts_without_boundary(areas: Engine, tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "districts.geojson",
        [({"DISTRICT": "DC1"}, square(18, -32)), ({"DISTRICT": "CPT"}, square(18.5, -34))],
    )
    result = import_boundaries(areas, path)
    assert (result.level, result.matched, result.code_field) == ("district", 2, "DISTRICT")
    assert len(result.areas_without_boundary) == 50
    assert "DC10" in result.areas_without_boundary and "CPT" not in result.areas_without_boundary
    assert list(boundaries_frame(areas, "district")["code"]) == ["CPT", "DC1"]
    assert boundaries_frame(areas, "municipality").empty  # the metro's other row is untouched


def test_shapefile_in_web_mercator_is_reprojected(areas: Engine, tmp_path: Path) -> None:
    squares = {"CPT": square(18.5, -34.0), "WC011": square(18.0, -31.5)}
    path = write_shapefile(tmp_path, squares, "CAT_B", "EPSG:3857")
    assert gpd.read_file(path).crs.to_epsg() == 3857
    result = import_boundaries(areas, path)
    assert (result.level, result.matched, result.code_field) == ("municipality", 2, "CAT_B")
    frame = boundaries_frame(areas, "municipality").set_index("code")
    for code, original in squares.items():
        assert frame.geometry[code].bounds == pytest.approx(original.bounds, abs=1e-4)


def test_zipped_shapefile_is_read(areas: Engine, tmp_path: Path) -> None:
    shp = write_shapefile(tmp_path, {"WC011": square(18.0, -31.5)}, "LocalMunic", "EPSG:32734")
    archive = tmp_path / "munis.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("munis.*"):
            if part != archive:
                zf.write(part, part.name)
    shp.unlink()  # only the archive is left to read
    result = import_boundaries(areas, archive, level="municipality")
    assert result.matched == 1 and result.code_field == "LocalMunic"


def test_mdb_province_codes_gt_and_lim_map_to_gp_and_lp(areas: Engine, tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "mdb.geojson",
        [({"PROVINCE": "GT"}, square(28, -26)), ({"PROVINCE": "LIM"}, square(29, -23.5))],
    )
    result = import_boundaries(areas, path)
    assert (result.matched, result.unmatched_file_codes) == (2, [])
    assert {c for c, (geo, _s) in stored(areas, "province").items() if geo} == {"GP", "LP"}


def test_features_sharing_a_code_are_merged(areas: Engine, tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "eku_parts.geojson",
        [({"code": "GP"}, square(28, -26)), ({"code": "GP"}, square(28.1, -26))],
    )
    assert import_boundaries(areas, path).matched == 1
    geom = boundaries_frame(areas, "province").geometry.iloc[0]
    assert geom.geom_type == "Polygon"  # two touching squares dissolve into one shape
    assert geom.area == pytest.approx(0.02)


def test_invalid_geometry_is_repaired(areas: Engine, tmp_path: Path) -> None:
    bowtie = Polygon([(28, -26), (28.2, -25.8), (28.2, -26), (28, -25.8)])
    assert not bowtie.is_valid
    path = write_geojson(tmp_path / "bowtie.geojson", [({"code": "GP"}, bowtie)])
    import_boundaries(areas, path)
    geom = boundaries_frame(areas, "province").geometry.iloc[0]
    assert geom.is_valid and geom.area == pytest.approx(0.02)


def test_reimport_changes_nothing(areas: Engine, tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "two.geojson",
        [({"code": "GP"}, square(28.123456789, -26.1)), ({"code": "WC"}, square(19, -33))],
    )
    first = import_boundaries(areas, path)
    before = stored(areas, "province")
    second = import_boundaries(areas, path)
    assert (first.changed, second.changed) == (2, 0)
    assert stored(areas, "province") == before
    assert "28.12346" in (before["GP"][0] or "")  # coordinates kept to 5 decimals


def test_explicit_code_field_and_level(areas: Engine, tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "own.geojson", [({"Kode": "NC", "code": "ignored"}, square(21, -29))]
    )
    result = import_boundaries(areas, path, level="Province", code_field="kode")
    assert (result.level, result.code_field, result.matched) == ("province", "Kode", 1)


# --- errors a user can act on ----------------------------------------------------------------


def test_missing_file(loaded_sqlite: Engine, tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"nowhere\.geojson: the file does not exist"):
        import_boundaries(loaded_sqlite, tmp_path / "nowhere.geojson")


def test_zero_byte_file(loaded_sqlite: Engine, tmp_path: Path) -> None:
    empty = tmp_path / "empty.geojson"
    empty.touch()
    with pytest.raises(InputFileError, match=r"empty\.geojson: the file is empty \(0 bytes\)"):
        import_boundaries(loaded_sqlite, empty)


@pytest.mark.parametrize(
    ("name", "content"),
    [("notes.geojson", "These are meeting notes, not shapes.\n"), ("table.csv", "code,n\nGP,1\n")],
)
def test_file_that_is_not_geodata(
    loaded_sqlite: Engine, tmp_path: Path, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        import_boundaries(loaded_sqlite, path)
    assert f"{name}: this is not a boundary file" in str(err.value)
    assert "zipped shapefile" in str(err.value)


def test_no_code_column_lists_columns(loaded_sqlite: Engine, tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "names.geojson", [({"NAME": "Gauteng", "ID": 7}, square(0, 0))])
    with pytest.raises(InputFileError) as err:
        import_boundaries(loaded_sqlite, path)
    message = str(err.value)
    assert "names.geojson: no area code column found; columns present: NAME, ID" in message
    assert "--code-field" in message


def test_shapefile_without_its_dbf(loaded_sqlite: Engine, tmp_path: Path) -> None:
    shp = write_shapefile(tmp_path, {"GP": square(28, -26)}, "code", "EPSG:4326")
    shp.with_suffix(".dbf").unlink()
    with pytest.raises(InputFileError, match=r"no attribute columns.*keep its \.dbf"):
        import_boundaries(loaded_sqlite, shp)


def test_code_field_not_in_file(loaded_sqlite: Engine, tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "p.geojson", [({"code": "GP"}, square(0, 0))])
    with pytest.raises(InputFileError, match="there is no column 'PCODE'; columns present: code"):
        import_boundaries(loaded_sqlite, path, code_field="PCODE")


def test_no_feature_matches(loaded_sqlite: Engine, tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "kenya.geojson", [({"code": c}, square(36, -1)) for c in ("KE01", "KE02")]
    )
    with pytest.raises(InputFileError) as err:
        import_boundaries(loaded_sqlite, path, level="province")
    message = str(err.value)
    assert "no feature matches a stored province code (column 'code')" in message
    assert "codes found: KE01, KE02; expected e.g.: EC, FS, GP, KZN, LP (+4 more)" in message


def test_areas_not_loaded(engine: Engine, tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "p.geojson", [({"code": "GP"}, square(28, -26))])
    with pytest.raises(SSPError, match=r"p\.geojson: areas are not loaded yet.*Fix: load"):
        import_boundaries(engine, path)


def test_level_without_stored_areas(loaded_sqlite: Engine, tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "w.geojson", [({"WardID": "79800001"}, square(28, -26))])
    with pytest.raises(SSPError, match="No ward areas are stored"):
        import_boundaries(loaded_sqlite, path, level="ward")
    with pytest.raises(SSPError, match="Unknown area level 'suburb'"):
        import_boundaries(loaded_sqlite, path, level="suburb")


# --- small pure pieces -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (" gp ", "GP"),
        ("GT", "GP"),
        ("LIM", "LP"),
        ("LIM354", "LIM354"),
        (21001001.0, "21001001"),
        (float("nan"), None),
        (None, None),
        ("", None),
    ],
)
def test_normalise_code(raw: object, code: str | None) -> None:
    assert normalise_code(raw) == code


def test_geojson_text_is_rounded_and_valid() -> None:
    text = geometry_to_geojson(square(28.1234567, -26.7654321, 0.0000301))
    geom = shapely.from_geojson(text)
    assert geom.is_valid and "28.12346" in text and "28.123457" not in text


def test_find_boundary_files(tmp_path: Path) -> None:
    for name in ("b.geojson", "a.SHP", "a.shx", "a.dbf", "c.zip", "areas.csv"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in find_boundary_files(tmp_path)] == ["a.SHP", "b.geojson", "c.zip"]
    assert find_boundary_files(tmp_path / "absent") == []


def test_summary_is_one_line() -> None:
    result = BoundaryImportResult(
        file="/data/munis.shp",
        level="municipality",
        matched=211,
        code_field="CAT_B",
        unmatched_file_codes=[],
        areas_without_boundary=[f"X{i}" for i in range(7)],
        changed=3,
    )
    assert result.summary() == (
        "munis.shp: 211 municipality boundaries matched on column 'CAT_B' (3 changed); "
        "codes in file not stored: none; municipality areas without boundary: "
        "7 (X0, X1, X2, X3, X4 … (+2 more))"
    )
