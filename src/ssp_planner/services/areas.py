"""Load the area hierarchy and its population figures into storage; read the tree back."""

from __future__ import annotations

import hashlib

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ssp_planner.domain.areas import (
    POPULATION,
    POPULATION_SOURCES,
    AreaLevel,
    AreaRow,
    bundled_areas,
    parent_level,
)
from ssp_planner.errors import SSPError
from ssp_planner.services.batches import start_batch
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, AreaIndicator
from ssp_planner.workforce import population_with_estimates


def load_areas(engine: Engine, rows: list[AreaRow] | None = None) -> int:
    """Store the bundled areas (or `rows`) with their populations; a no-op if already loaded.

    Returns the number of areas inserted. Parents are inserted before children.
    """
    rows = rows if rows is not None else bundled_areas()
    with session_scope(engine) as session:
        if session.scalar(select(func.count(Area.id))):
            return 0
        digest = hashlib.sha256(repr(rows).encode()).hexdigest()
        batch = start_batch(
            session, kind="areas", file_name="ssp_planner/data/areas.csv", sha256=digest
        )
        ids: dict[tuple[AreaLevel, str], int] = {}
        for row in sorted(rows, key=lambda r: r.level.depth):
            plevel = parent_level(row)
            area = Area(
                code=row.code,
                level=row.level.value,
                name=row.name,
                parent_id=ids[(plevel, row.parent_code)] if plevel and row.parent_code else None,
                source=row.source,
            )
            session.add(area)
            session.flush()
            ids[(row.level, row.code)] = area.id
            _add_populations(session, area.id, row, batch.id)
        batch.rows_read = batch.rows_inserted = len(rows)
        return len(rows)


def _add_populations(session: Session, area_id: int, row: AreaRow, batch_id: int) -> None:
    for col, (period, source) in POPULATION_SOURCES.items():
        value = row.populations.get(period)
        if value is None:
            continue  # missing stays missing: estimates are computed and marked, never stored
        src = row.source if col == "population_2022" else source
        session.add(
            AreaIndicator(
                area_id=area_id,
                indicator=POPULATION,
                period=period,
                value=value,
                source=src,
                batch_id=batch_id,
            )
        )


def area_ids_by_code(session: Session) -> dict[str, int]:
    """Code -> id, the most specific level winning (a metro code means its municipality row)."""
    rows = session.execute(select(Area.code, Area.level, Area.id)).all()
    by_code: dict[str, tuple[int, int]] = {}
    for code, level, area_id in rows:
        depth = AreaLevel(level).depth
        if code not in by_code or depth > by_code[code][0]:
            by_code[code] = (depth, area_id)
    return {code: area_id for code, (_d, area_id) in by_code.items()}


def area_table(engine: Engine, deepest: AreaLevel) -> pd.DataFrame:
    """Areas down to `deepest`, with population (marked where estimated), in tree order."""
    with session_scope(engine) as session:
        areas = areas_frame(session)
        pops = population_frame(session, areas)
    if areas.empty:
        raise SSPError("No areas are loaded. Fix: run `ssp demo` or `ssp areas load`.")
    out = areas.merge(pops, left_on="id", right_on="area_id").drop(columns="area_id")
    depth = out["level"].map(lambda lv: AreaLevel(lv).depth)
    return out[depth <= deepest.depth].sort_values(["code"]).reset_index(drop=True)


def areas_frame(session: Session) -> pd.DataFrame:
    rows = session.execute(select(Area.id, Area.code, Area.level, Area.name, Area.parent_id)).all()
    return pd.DataFrame(rows, columns=["id", "code", "level", "name", "parent_id"])


def population_frame(session: Session, areas: pd.DataFrame) -> pd.DataFrame:
    """Census 2022 population per area, estimated (and marked) where Stats SA gives no figure."""
    rows = session.execute(
        select(
            AreaIndicator.area_id, AreaIndicator.period, AreaIndicator.value, AreaIndicator.source
        ).where(AreaIndicator.indicator == POPULATION)
    ).all()
    pops = pd.DataFrame(rows, columns=["area_id", "period", "value", "source"])
    return population_with_estimates(areas, pops)
