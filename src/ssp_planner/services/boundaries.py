"""Import area boundaries into storage and read them back for maps.

The geometry is third-party (Municipal Demarcation Board, Stats SA): it enters a database only
through this import, from files the user holds; the package never ships any.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import shapely
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.errors import SSPError
from ssp_planner.ingest.boundaries import (
    BoundaryMatch,
    match_boundaries,
    read_boundary_file,
)
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area

BOUNDARY_SUFFIXES: frozenset[str] = frozenset({".geojson", ".shp", ".zip"})
_SOURCE_MAX = 500  # length of Area.boundary_source


@dataclass(frozen=True)
class BoundaryImportResult:
    """What one boundary import did, for the CLI and the demo to report."""

    file: str
    level: str
    matched: int
    unmatched_file_codes: list[str]
    areas_without_boundary: list[str]
    code_field: str = ""
    changed: int = 0  # matched areas whose stored boundary or source text changed

    def summary(self) -> str:
        """One line: matched, changed, and both kinds of miss (with a few codes)."""
        return (
            f"{Path(self.file).name}: {self.matched} {self.level} boundaries matched on column "
            f"'{self.code_field}' ({self.changed} changed); "
            f"codes in file not stored: {_few(self.unmatched_file_codes)}; "
            f"{self.level} areas without boundary: {_few(self.areas_without_boundary)}"
        )


def import_boundaries(
    engine: Engine,
    path: Path,
    *,
    level: str | None = None,
    code_field: str | None = None,
    source: str | None = None,
) -> BoundaryImportResult:
    """Store the boundaries in `path` on the areas of one level whose code they carry.

    One transaction; areas the file does not cover keep what they had, and importing the same
    file again writes nothing. `source` (e.g. "MDB 2018") is kept next to the file name.
    """
    path = Path(path)
    frame = read_boundary_file(path)
    with session_scope(engine) as session:
        stored = _stored_codes(session)
        if not stored:
            raise SSPError(
                f"{path}: areas are not loaded yet, so the boundaries have nothing to match. "
                "Fix: load the areas first (ssp areas load), then import the boundaries again."
            )
        match = match_boundaries(
            frame, stored, file_name=str(path), level=level, code_field=code_field
        )
        changed = _write(session, match, _source_label(path, source))
        without = _codes_without_boundary(session, match.level)
    return BoundaryImportResult(
        file=str(path),
        level=match.level,
        matched=len(match.geometries),
        unmatched_file_codes=match.unmatched_file_codes,
        areas_without_boundary=without,
        code_field=match.code_field,
        changed=changed,
    )


def boundaries_frame(engine: Engine, level: str) -> gpd.GeoDataFrame:
    """Areas of `level` that have a boundary: columns code, name, geometry (EPSG:4326)."""
    try:
        value = AreaLevel(level).value
    except ValueError:
        raise SSPError(f"Unknown area level '{level}'.") from None
    with session_scope(engine) as session:
        rows = session.execute(
            select(Area.code, Area.name, Area.boundary_geojson)
            .where(Area.level == value, Area.boundary_geojson.is_not(None))
            .order_by(Area.code)
        ).all()
    return gpd.GeoDataFrame(
        {"code": [r.code for r in rows], "name": [r.name for r in rows]},
        geometry=[shapely.from_geojson(r.boundary_geojson) for r in rows],
        crs="EPSG:4326",
    )


def find_boundary_files(folder: Path) -> list[Path]:
    """The *.geojson, *.shp and *.zip files in `folder`, by name; [] when the folder is absent
    (boundaries are optional: the caller says where to get them)."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in BOUNDARY_SUFFIXES
    )


def _stored_codes(session: Session) -> dict[str, set[str]]:
    codes: dict[str, set[str]] = {}
    for code, level in session.execute(select(Area.code, Area.level)):
        codes.setdefault(level, set()).add(code)
    return codes


def _write(session: Session, match: BoundaryMatch, label: str) -> int:
    """Set boundary and source on matched areas; touch only rows that differ (idempotent)."""
    areas = session.scalars(
        select(Area).where(Area.level == match.level, Area.code.in_(list(match.geometries)))
    )
    changed = 0
    for area in areas:
        text = match.geometries[area.code]
        if area.boundary_geojson != text or area.boundary_source != label:
            area.boundary_geojson, area.boundary_source = text, label
            changed += 1
    return changed


def _codes_without_boundary(session: Session, level: str) -> list[str]:
    query = select(Area.code).where(Area.level == level, Area.boundary_geojson.is_(None))
    return sorted(session.scalars(query))


def _source_label(path: Path, source: str | None) -> str:
    label = f"{path.name} ({source.strip()})" if source and source.strip() else path.name
    return label[:_SOURCE_MAX]


def _few(codes: list[str], n: int = 5) -> str:
    if not codes:
        return "none"
    more = f" … (+{len(codes) - n} more)" if len(codes) > n else ""
    return f"{len(codes)} ({', '.join(codes[:n])}{more})"


def boundary_source(engine: Engine, level: AreaLevel | str) -> str:
    """Where the stored boundaries of `level` came from, for map footnotes and sources."""
    value = level.value if isinstance(level, AreaLevel) else level
    with session_scope(engine) as session:
        labels = session.scalars(
            select(Area.boundary_source)
            .where(Area.level == value, Area.boundary_source.is_not(None))
            .distinct()
        ).all()
    return "; ".join(sorted(str(x) for x in labels)) or "imported boundary files"
