"""Roll areas up the hierarchy: each area's ancestor at a chosen level."""

from __future__ import annotations

import pandas as pd

from ssp_planner.domain.areas import AreaLevel, bundled_areas, parent_level


def ancestor_at(areas: pd.DataFrame, level: AreaLevel) -> pd.Series:
    """For every area id, the id of its ancestor (or itself) at `level`; NA above that level.

    `areas` has columns id, level, parent_id. A metro's municipality row has the metro's district
    row as parent, so metros roll up like any other municipality.
    """
    parent = areas.set_index("id")["parent_id"]
    lvl = areas.set_index("id")["level"]
    result = pd.Series(pd.NA, index=parent.index, dtype="Int64")
    current = pd.Series(parent.index, index=parent.index, dtype="Int64")
    for _ in range(len(AreaLevel)):
        at_level = current.map(lvl) == level.value
        result[at_level & result.isna()] = current[at_level & result.isna()]
        current = current.map(parent).astype("Int64")
    return result


def bundled_hierarchy() -> pd.DataFrame:
    """The bundled areas as the frame the roll-ups take (id, code, level, parent_id), with
    ids by position: for computations on the areas without a database (benchmarks, tests)."""
    rows, ids = [], {}
    for i, r in enumerate(sorted(bundled_areas(), key=lambda r: r.level.depth)):
        ids[(r.level, r.code)] = i
        up = parent_level(r)
        rows.append(
            (i, r.code, r.level.value, ids[(up, r.parent_code)] if up and r.parent_code else None)
        )
    return pd.DataFrame(rows, columns=["id", "code", "level", "parent_id"])
