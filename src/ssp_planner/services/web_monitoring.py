"""The M&E dashboard for the web: indicator status, one indicator's trend and its map, for the
caller's scope, computed from only the stored values each view needs.

Reading every stored value (`services.monitoring.values_frame`) takes seconds on a national
database, so a view never does: it asks SQL for the data elements of the indicators it shows
and the months inside the periods it shows, then computes with the same functions as the CLI
dashboard (`compute_indicators`, `attach_targets`, `label_results`). Results are cached until
the next import (`web_cache`), and filtered to the caller's areas before they leave.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import Double, Engine, cast, func, select

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.errors import NotFoundError, SSPError
from ssp_planner.monitoring.compute import compute_indicators
from ssp_planner.monitoring.framework import Framework, load_framework
from ssp_planner.monitoring.periods import (
    Period,
    PeriodError,
    PeriodType,
    parse_period,
    roll_up,
    trend_periods,
)
from ssp_planner.monitoring.tables import label_results, provenance_notes
from ssp_planner.monitoring.targets import Status, attach_targets
from ssp_planner.reports.dashboard import STATUS_COLOURS
from ssp_planner.services.areas import areas_frame
from ssp_planner.services.monitoring import area_values_frame, targets_frame
from ssp_planner.services.summary import synthetic_sources
from ssp_planner.services.web_cache import cached
from ssp_planner.services.web_charts import ChartData, series
from ssp_planner.services.web_maps import MapData, map_or_note
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area
from ssp_planner.store.models_monitoring import DataElement, DataValue
from ssp_planner.web.roles import Scope

PERIOD_TYPES = (PeriodType.QUARTERLY, PeriodType.FINANCIAL_APRIL)
MAP_LEVELS = tuple(
    lv.value for lv in (AreaLevel.PROVINCE, AreaLevel.DISTRICT, AreaLevel.MUNICIPALITY)
)
DEFAULT_INDICATOR = "caseload_per_sw"
NO_VALUES = "No indicator values are stored yet. Fix: an M&E officer uploads a DHIS2 file here."


class Choice(BaseModel):
    code: str
    name: str


class IndicatorStatus(BaseModel):
    """One indicator in the caller's top area (country or province) for one period."""

    code: str
    name: str
    result_level: str
    unit: str
    direction: str
    baseline: float | None
    baseline_period: str | None
    actual: float | None
    target: float | None
    target_source: str | None
    status: str
    colour: str


class StatusView(BaseModel):
    area: str
    period: str
    rule: str
    indicators: list[IndicatorStatus]
    counts: dict[str, int]
    notes: list[str]
    synthetic: list[str]


class TrendPoint(BaseModel):
    period: str
    actual: float | None
    target: float | None
    status: str


class TrendView(BaseModel):
    indicator: Choice
    unit: str
    area: str
    points: list[TrendPoint]
    chart: ChartData | None


class AreaValue(BaseModel):
    code: str
    name: str
    actual: float | None
    target: float | None
    status: str
    colour: str


class MapView(BaseModel):
    indicator: Choice
    unit: str
    period: str
    level: str
    areas: list[AreaValue]
    map: MapData | None
    map_note: str | None


class MePage(BaseModel):
    """The page: its three views (None before any values), and the choices of its filters."""

    status: StatusView | None
    trend: TrendView | None
    by_area: MapView | None
    indicators: list[Choice]
    periods: list[str]
    levels: list[str]
    indicator: str
    period: str | None
    level: str


# --- choices ----------------------------------------------------------------------------------


def indicator_choices(framework: Framework | None = None) -> list[Choice]:
    fw = framework or load_framework()
    return [Choice(code=c, name=i.name) for c, i in fw.indicators.items()]


def stored_periods(engine: Engine) -> list[str]:
    """The distinct periods of the stored values (a short list; cached until the next import)."""

    def build() -> list[str]:
        with session_scope(engine) as session:
            return sorted(session.scalars(select(DataValue.period).distinct()))

    return cached(engine, ("me-periods",), build)


def period_choices(engine: Engine) -> list[str]:
    """Quarters and April–March years holding stored values, newest first."""
    found: set[Period] = set()
    for name in stored_periods(engine):
        for ptype in PERIOD_TYPES:
            try:
                found.add(roll_up(parse_period(name), ptype))
            except PeriodError:
                continue
    ordered = sorted(found, key=lambda p: (p.type is not PeriodType.FINANCIAL_APRIL, p.start))
    return [str(p) for p in reversed(ordered)]


def default_level(engine: Engine) -> str:
    """Districts when their boundaries are stored, else provinces (the map needs shapes)."""
    with session_scope(engine) as session:
        drawn = session.scalar(
            select(func.count(Area.id)).where(
                Area.level == AreaLevel.DISTRICT.value, Area.boundary_source.is_not(None)
            )
        )
    return AreaLevel.DISTRICT.value if drawn else AreaLevel.PROVINCE.value


def me_page(
    engine: Engine, scope: Scope, *, indicator: str | None, period: str | None, level: str | None
) -> MePage:
    fw = load_framework()
    periods = period_choices(engine)
    code = indicator or DEFAULT_INDICATOR
    chosen = period or (periods[0] if periods else None)
    lv = level or default_level(engine)
    page = MePage(
        status=None,
        trend=None,
        by_area=None,
        indicators=indicator_choices(fw),
        periods=periods,
        levels=list(MAP_LEVELS),
        indicator=code,
        period=chosen,
        level=lv,
    )
    if chosen is None:
        return page
    return page.model_copy(
        update={
            "status": status_view(engine, scope, period=chosen),
            "trend": trend_view(engine, scope, indicator=code, period=chosen),
            "by_area": map_view(engine, scope, indicator=code, period=chosen, level=lv),
        }
    )


# --- views ------------------------------------------------------------------------------------


def status_view(engine: Engine, scope: Scope, *, period: str) -> StatusView:
    """Every indicator for the caller's country or province in `period`, against its target."""
    last = parse_period(period)
    return cached(
        engine, ("me-status", scope.province, str(last)), lambda: _status(engine, scope, last)
    )


def _status(engine: Engine, scope: Scope, last: Period) -> StatusView:
    fw = load_framework()
    table = _results(engine, scope, fw, list(fw.indicators), [last], _top(scope))
    rows = [
        IndicatorStatus(
            code=r.indicator,
            name=r.indicator_name,
            result_level=r.result_level,
            unit=r.unit,
            direction=r.direction,
            baseline=_baseline(fw, r.indicator)[0],
            baseline_period=_baseline(fw, r.indicator)[1],
            actual=_num(r.value),
            target=_num(r.target),
            target_source=r.target_source if isinstance(r.target_source, str) else None,
            status=r.status,
            colour=STATUS_COLOURS.get(r.status, STATUS_COLOURS[Status.NO_TARGET.value]),
        )
        for r in table.itertuples()
    ]
    t, synthetic = fw.status, synthetic_sources(engine)
    return StatusView(
        area=str(table["name"].iloc[0]) if len(table) else "",
        period=str(last),
        rule=f"On track: at most {t.at_risk:.0%} short of target; at risk: up to "
        f"{t.off_track:.0%} short; off track: further.",
        indicators=rows,
        counts={s.value: sum(r.status == s.value for r in rows) for s in Status},
        notes=provenance_notes(fw, synthetic, None),
        synthetic=synthetic,
    )


def trend_view(engine: Engine, scope: Scope, *, indicator: str, period: str) -> TrendView:
    """`indicator` for the caller's country or province over every period up to `period`."""
    fw, last = _framework_with(indicator), parse_period(period)
    key = ("me-trend", scope.province, indicator, str(last))
    return cached(engine, key, lambda: _trend(engine, scope, fw, indicator, last))


def _trend(engine: Engine, scope: Scope, fw: Framework, code: str, last: Period) -> TrendView:
    periods = trend_periods(stored_periods(engine), last)
    table = _results(engine, scope, fw, [code], periods, _top(scope))
    ind = fw.indicators[code]
    points = [
        TrendPoint(period=r.period, actual=_num(r.value), target=_num(r.target), status=r.status)
        for r in table.itertuples()
    ]
    area = str(table["name"].iloc[0]) if len(table) else ""
    chart = ChartData(
        title=f"{ind.name}: {area}, actual against target",
        x_label="period",
        y_label=ind.unit,
        series=[
            series("actual", [p.period for p in points], [p.actual for p in points]),
            series("target", [p.period for p in points], [p.target for p in points], dash=True),
        ],
    )
    return TrendView(
        indicator=Choice(code=code, name=ind.name),
        unit=ind.unit,
        area=area,
        points=points,
        chart=chart if points else None,
    )


def map_view(engine: Engine, scope: Scope, *, indicator: str, period: str, level: str) -> MapView:
    """`indicator` for every area of `level` in the caller's scope, with the map of them."""
    fw, last = _framework_with(indicator), parse_period(period)
    if level not in MAP_LEVELS:
        raise SSPError(
            f"Level '{level}' is not available. Fix: use one of {', '.join(MAP_LEVELS)}."
        )
    key = ("me-map", scope.province, indicator, str(last), level)
    return cached(engine, key, lambda: _map(engine, scope, fw, indicator, last, level))


def _map(
    engine: Engine, scope: Scope, fw: Framework, code: str, last: Period, level: str
) -> MapView:
    table = _results(engine, scope, fw, [code], [last], AreaLevel(level))
    ind = fw.indicators[code]
    rows = [
        AreaValue(
            code=r.code,
            name=r.name,
            actual=_num(r.value),
            target=_num(r.target),
            status=r.status,
            colour=STATUS_COLOURS.get(r.status, STATUS_COLOURS[Status.NO_TARGET.value]),
        )
        for r in table.sort_values("code").itertuples()
    ]
    shown, note = None, None
    if rows:
        frame = pd.DataFrame([r.model_dump() for r in rows])
        shown, note = map_or_note(
            engine,
            level,
            frame,
            value="actual",
            title=f"{ind.name} by {level}, {last}",
            legend=ind.unit,
            hover=("actual", "target", "status"),
            codes=None if scope.national else set(frame["code"]),
        )
    return MapView(
        indicator=Choice(code=code, name=ind.name),
        unit=ind.unit,
        period=str(last),
        level=level,
        areas=rows,
        map=shown,
        map_note=note,
    )


# --- computation on the values a view needs ---------------------------------------------------


def _results(
    engine: Engine,
    scope: Scope,
    fw: Framework,
    codes: list[str],
    periods: Sequence[Period],
    level: AreaLevel,
) -> pd.DataFrame:
    """Indicator × area × period with targets, status and labels, areas in the scope only."""
    elements = sorted({t.element for c in codes for t in fw.indicators[c].terms if t.element})
    months = [p for p in stored_periods(engine) if _inside(p, periods)]
    values = _values(engine, elements, months)
    with session_scope(engine) as session:
        areas = areas_frame(session)
        area_values = area_values_frame(session, areas, fw.area_indicators)
        targets = targets_frame(session, codes, [str(p) for p in periods])
    results = compute_indicators(
        fw, values, areas, area_values, level=level, periods=periods, codes=codes
    )
    if scope.area_ids is not None:
        results = results[results["area_id"].isin(scope.area_ids)]
    return label_results(attach_targets(results, targets, fw), areas, fw).reset_index(drop=True)


def _values(engine: Engine, elements: list[str], periods: list[str]) -> pd.DataFrame:
    """The stored values of these elements in these periods, as `values_frame` shapes them."""
    query = (
        select(
            DataValue.area_id,
            DataElement.code,
            DataValue.coc,
            DataValue.period,
            cast(DataValue.value, Double),
        )
        .join(DataElement, DataElement.id == DataValue.data_element_id)
        .where(DataElement.code.in_(elements), DataValue.period.in_(periods))
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all() if elements and periods else []
    frame = pd.DataFrame(rows, columns=["area_id", "element", "coc", "period", "value"])
    frame["value"] = frame["value"].astype(float)
    return frame


def _inside(name: str, periods: Sequence[Period]) -> bool:
    try:
        p = parse_period(name)
    except PeriodError:
        return False
    return any(t.contains(p) for t in periods)


def _top(scope: Scope) -> AreaLevel:
    return AreaLevel.COUNTRY if scope.national else AreaLevel.PROVINCE


def _framework_with(code: str) -> Framework:
    fw = load_framework()
    if code not in fw.indicators:
        raise SSPError(f"Unknown indicator '{code}'. Fix: use one of {', '.join(fw.indicators)}.")
    return fw


def _baseline(fw: Framework, code: str) -> tuple[float | None, str | None]:
    base = fw.indicators[code].baseline
    return (base.value, base.period) if base else (None, None)


def _num(x: object) -> float | None:
    if x is None or x is pd.NA:
        return None
    value = float(x)  # type: ignore[arg-type]
    return None if math.isnan(value) else round(value, 4)


class MeQuery(BaseModel):
    """The page's filters and the API's query (empty: the default indicator, the newest
    period, districts when they can be drawn)."""

    indicator: str | None = Field(default=None, max_length=80)
    period: str | None = Field(default=None, max_length=20)
    level: str | None = Field(default=None, max_length=20)


def latest_period(engine: Engine, period: str | None) -> str:
    """`period`, or the newest one holding values; NotFoundError before any values."""
    if period:
        return period
    periods = period_choices(engine)
    if not periods:
        raise NotFoundError(NO_VALUES)
    return periods[0]
