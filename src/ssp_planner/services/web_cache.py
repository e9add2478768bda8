"""A small in-process cache for page figures, keyed by a stamp of the stored data.

Dashboards and area pages summarise the whole inventory (tens of milliseconds of pandas work)
while the data changes only on imports and runs. Every cached value is keyed by the database,
the caller's key and `data_stamp`, which moves whenever an import batch, a needs run, a
scenario or a boundary is stored, so no one has to remember to invalidate. The stamp itself is
read at most once a second per database: under load a figure may be up to a second old.

Builds are single-flight: when fifty people open the dashboard at once after an import, one
request computes it and the others wait for that result instead of computing it fifty times.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Engine, func, select

from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, ImportBatch, NeedsRun, ScenarioRecord

T = TypeVar("T")
MAX_ENTRIES = 256
STAMP_SECONDS = 1.0
_entries: OrderedDict[Hashable, Any] = OrderedDict()
_stamps: dict[tuple[int, str], tuple[float, tuple[Any, ...]]] = {}
_building: dict[Hashable, threading.Lock] = {}
_lock = threading.Lock()


def data_stamp(engine: Engine) -> tuple[Any, ...]:
    """Changes whenever stored inputs change: one cheap query of maxima and counts."""
    with session_scope(engine) as session:
        return tuple(
            session.execute(
                select(
                    select(func.max(ImportBatch.id)).scalar_subquery(),
                    select(func.max(ImportBatch.finished_at)).scalar_subquery(),
                    select(func.max(NeedsRun.id)).scalar_subquery(),
                    select(func.max(ScenarioRecord.updated_at)).scalar_subquery(),
                    select(func.count(Area.boundary_source)).scalar_subquery(),
                    select(func.count(Area.id)).scalar_subquery(),
                )
            ).one()
        )


def _recent_stamp(engine: Engine) -> tuple[Any, ...]:
    key = (id(engine), str(engine.url))
    now = time.monotonic()
    seen = _stamps.get(key)
    if seen is not None and now - seen[0] < STAMP_SECONDS:
        return seen[1]
    stamp = data_stamp(engine)
    _stamps[key] = (now, stamp)
    return stamp


def cached(engine: Engine, key: Hashable, build: Callable[[], T]) -> T:
    """`build()` once per (database, key, data stamp); least recently used entries go first."""
    full_key = (id(engine), str(engine.url), key, _recent_stamp(engine))
    with _lock:
        if full_key in _entries:
            _entries.move_to_end(full_key)
            return _entries[full_key]
        gate = _building.setdefault(full_key, threading.Lock())
    with gate:  # one builder per key; the others wait here, then find the value
        with _lock:
            if full_key in _entries:
                return _entries[full_key]
        value = build()
        with _lock:
            _entries[full_key] = value
            _building.pop(full_key, None)
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget everything (tests that change data behind the app's back)."""
    with _lock:
        _entries.clear()
        _stamps.clear()
