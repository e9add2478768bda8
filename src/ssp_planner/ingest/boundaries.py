"""Read area boundaries (GeoJSON, shapefile, zipped shapefile) and match them to area codes.

Pure: no storage. The caller passes the stored codes per level; this module picks the code
column and the level, repairs and merges the geometry, and says what did not match.
Boundary files are third-party data: they are read from where the user keeps them, never bundled.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.errors import InputFileError, SSPError

# Column names that hold area codes in common South African layers (MDB 2016/2018, Stats SA
# Census 2011, our own files). Earlier names win a tie between columns matching equally well.
CODE_FIELD_CANDIDATES: tuple[str, ...] = (
    "code",
    "area_code",
    "mdb_code",
    "WardID",
    "WARD_ID",
    "WARD_CODE",
    "CAT_B",
    "MN_MDB_C",
    "LocalMunic",
    "MUNICCODE",
    "MUN_CODE",
    "LM_CODE",
    "DC_MDB_C",
    "DISTRICT",
    "DistrictMu",
    "DC_CODE",
    "PR_MDB_C",
    "PROVINCE",
    "PROV_CODE",
)
# The MDB writes Gauteng and Limpopo as GT and LIM; the stored hierarchy uses GP and LP.
MDB_CODE_ALIASES: dict[str, str] = {"GT": "GP", "LIM": "LP"}
COORDINATE_DECIMALS = 5  # about 1 m on the ground: ample for planning maps, small to store
OFFICIAL_SOURCE_HINT = (
    "official boundaries come from the Municipal Demarcation Board (www.demarcation.org.za, "
    "Spatial Hub: district and local municipality and ward layers)"
)


@dataclass(frozen=True)
class BoundaryMatch:
    """What a boundary file holds for one level: geometry per matched code, and the misses."""

    level: str
    code_field: str
    geometries: dict[str, str]  # stored area code -> GeoJSON geometry text
    unmatched_file_codes: list[str]  # codes in the file that no stored area of `level` has
    areas_without_boundary: list[str]  # stored codes of `level` the file has no shape for


def read_boundary_file(path: Path) -> gpd.GeoDataFrame:
    """Read any vector file GDAL knows, in EPSG:4326, or raise an `InputFileError` saying why."""
    _check_file(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "several layers, reading the first"
            frame = gpd.read_file(path, engine="pyogrio")
    except (DataSourceError, DataLayerError, ValueError) as exc:
        raise _not_geodata(path, f"it could not be read as geodata ({exc}).") from exc
    if not isinstance(frame, gpd.GeoDataFrame):
        raise _not_geodata(path, "it has no geometry (a table without shapes?).")
    if frame.empty or frame.geometry.isna().all():
        raise InputFileError(
            str(path), "the file has no shapes.", "export the layer again with its geometry."
        )
    return _to_wgs84(frame, path)


def match_boundaries(
    frame: gpd.GeoDataFrame,
    stored: Mapping[str, Collection[str]],
    *,
    file_name: str,
    level: str | None = None,
    code_field: str | None = None,
) -> BoundaryMatch:
    """Match features to stored codes (`stored`: level -> codes), choosing column and level.

    The column/level pair with the most distinct matching codes wins, so a municipal layer that
    also carries PROVINCE and DISTRICT columns is matched on its municipality codes.
    """
    levels = [_check_level(level, stored)] if level else [lv for lv, cs in stored.items() if cs]
    columns = [_find_column(frame, code_field, file_name)] if code_field else _candidates(frame)
    if not columns:
        raise _no_code_column(frame, file_name)
    codes = {col: [normalise_code(v) for v in frame[col]] for col in columns}
    field, chosen = _best_pair(codes, levels, stored)
    known = set(stored.get(chosen, ()))
    found = {c for c in codes[field] if c is not None}
    if not found & known:
        raise _no_match(file_name, field, chosen, found, known)
    geometries = _dissolve(frame.geometry, codes[field], known)
    return BoundaryMatch(
        level=chosen,
        code_field=field,
        geometries=geometries,
        unmatched_file_codes=sorted(found - known),
        areas_without_boundary=sorted(known - geometries.keys()),
    )


def normalise_code(value: Any) -> str | None:
    """A file's code as stored: trimmed, upper case, 21001001.0 -> '21001001', GT -> GP."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().upper()
    if not text or text in {"NAN", "NONE", "<NA>"}:
        return None
    return MDB_CODE_ALIASES.get(text, text)


def geometry_to_geojson(geom: BaseGeometry, decimals: int = COORDINATE_DECIMALS) -> str:
    """Compact GeoJSON text on a 10^-decimals grid; snapping first keeps the geometry valid."""
    snapped = shapely.set_precision(geom, 10.0**-decimals)
    return json.dumps(_round(mapping(snapped), decimals), separators=(",", ":"))


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputFileError(
            str(path), "the file does not exist.", f"check the path; {OFFICIAL_SOURCE_HINT}."
        )
    if path.is_dir():
        raise InputFileError(
            str(path),
            "this is a folder, not a file.",
            "name one .geojson, .shp or .zip file in it.",
        )
    if path.stat().st_size == 0:
        raise InputFileError(
            str(path), "the file is empty (0 bytes).", "download or export the boundaries again."
        )


def _not_geodata(path: Path, why: str) -> InputFileError:
    return InputFileError(
        str(path),
        f"this is not a boundary file: {why}",
        "give a GeoJSON file, a shapefile (.shp with its .shx/.dbf/.prj) or a zipped shapefile.",
    )


def _to_wgs84(frame: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    """Reproject to lon/lat; a file without a CRS is trusted only if it looks like lon/lat."""
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise InputFileError(
                str(path),
                "the file has no coordinate reference system and its coordinates are not "
                "longitude/latitude.",
                "keep the .prj file next to the .shp (or inside the .zip).",
            )
        return frame.set_crs(4326)
    if frame.crs.equals("EPSG:4326"):
        return frame
    return frame.to_crs(4326)


def _check_level(level: str, stored: Mapping[str, Collection[str]]) -> str:
    """`level` as stored ('Province' -> 'province'), if it is a level and has stored areas."""
    try:
        value = AreaLevel(level.strip().lower()).value
    except ValueError:
        allowed = ", ".join(lv.value for lv in AreaLevel)
        raise SSPError(f"Unknown area level '{level}'. Fix: use one of {allowed}.") from None
    if not stored.get(value):
        raise SSPError(
            f"No {value} areas are stored, so no {value} boundary can match. "
            "Fix: load that level of areas first, or choose another --level."
        )
    return value


def _columns(frame: gpd.GeoDataFrame) -> list[str]:
    return [str(c) for c in frame.columns if c != frame.geometry.name]


def _find_column(frame: gpd.GeoDataFrame, name: str, file_name: str) -> str:
    """The column called `name`, ignoring case (users type what they see in QGIS)."""
    for col in _columns(frame):
        if col.lower() == name.lower():
            return col
    raise InputFileError(
        file_name,
        f"there is no column '{name}'; columns present: {', '.join(_columns(frame)) or 'none'}.",
        "pass one of these names with --code-field.",
    )


def _no_code_column(frame: gpd.GeoDataFrame, file_name: str) -> InputFileError:
    present = _columns(frame)
    if not present:  # a shapefile whose .dbf was left behind
        return InputFileError(
            file_name,
            "no area code column found: the file has no attribute columns at all.",
            "for a shapefile, keep its .dbf next to the .shp (or zip them together).",
        )
    return InputFileError(
        file_name,
        f"no area code column found; columns present: {', '.join(present)}.",
        "pass the column that holds the area codes with --code-field.",
    )


def _candidates(frame: gpd.GeoDataFrame) -> list[str]:
    by_lower = {c.lower(): c for c in _columns(frame)}
    return [by_lower[n.lower()] for n in CODE_FIELD_CANDIDATES if n.lower() in by_lower]


def _best_pair(
    codes: Mapping[str, list[str | None]], levels: list[str], stored: Mapping[str, Collection[str]]
) -> tuple[str, str]:
    """(column, level) with the most matching codes; ties: earlier column, then deeper level
    (a file of metros alone is a municipality layer)."""
    best: tuple[tuple[int, int, int], str, str] | None = None
    for rank, col in enumerate(codes):
        found = {c for c in codes[col] if c is not None}
        for lv in levels:
            key = (len(found & set(stored.get(lv, ()))), -rank, AreaLevel(lv).depth)
            if best is None or key > best[0]:
                best = (key, col, lv)
    if best is None:  # no level has stored codes: the service reports that before calling here
        raise SSPError("No areas are stored. Fix: load the areas first.")
    return best[1], best[2]


def _no_match(
    file_name: str, field: str, level: str, found: set[str], known: set[str]
) -> InputFileError:
    return InputFileError(
        file_name,
        f"no feature matches a stored {level} code (column '{field}'); "
        f"codes found: {_sample(found)}; expected e.g.: {_sample(known)}.",
        "pass the right column with --code-field and the level with --level, or use a file "
        "with Municipal Demarcation Board codes.",
    )


def _sample(codes: Iterable[str], n: int = 5) -> str:
    items = sorted(codes)
    if not items:
        return "none"
    more = f" (+{len(items) - n} more)" if len(items) > n else ""
    return ", ".join(items[:n]) + more


def _dissolve(geoms: gpd.GeoSeries, codes: list[str | None], known: set[str]) -> dict[str, str]:
    """One repaired polygonal shape per known code, merging features that share the code."""
    parts: dict[str, list[BaseGeometry]] = {}
    for geom, code in zip(geoms, codes, strict=True):
        if code in known:
            parts.setdefault(code, []).extend(_polygons(geom))
    merged = {code: shapely.union_all(polys) for code, polys in parts.items() if polys}
    return {code: geometry_to_geojson(g) for code, g in sorted(merged.items()) if not g.is_empty}


def _polygons(geom: BaseGeometry | None) -> list[BaseGeometry]:
    """The polygons of `geom`, repaired and in 2D; lines and points left by repair are dropped."""
    if geom is None or geom.is_empty:
        return []
    geom = shapely.force_2d(geom)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type == "Polygon":
        return [geom]
    if geom.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [p for part in shapely.get_parts(geom) for p in _polygons(part)]
    return []


def _round(obj: Any, decimals: int) -> Any:
    if isinstance(obj, float):
        return round(obj, decimals)
    if isinstance(obj, list | tuple):
        return [_round(v, decimals) for v in obj]
    if isinstance(obj, dict):
        return {k: _round(v, decimals) for k, v in obj.items()}
    return obj
