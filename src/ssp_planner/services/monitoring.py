"""Monitoring and evaluation use cases: import and export data values (DHIS2 dataValueSets JSON,
ADX), import targets, compute indicators against targets, workload per SSP, the dashboard.

Imports are one transaction each, all-or-nothing, and idempotent: a value already stored as it
is in the file is left alone, and a file that changes nothing records no batch.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import pandas as pd
from sqlalchemy import Double, Engine, cast, insert, select, update
from sqlalchemy.orm import Session

from ssp_planner.domain.areas import POPULATION, AreaLevel
from ssp_planner.errors import SSPError
from ssp_planner.ingest.errors import RowError
from ssp_planner.ingest.reader import read_table
from ssp_planner.monitoring.compute import compute_indicators, element_totals
from ssp_planner.monitoring.dhis2 import (
    read_exchange_file,
    write_adx,
    write_data_value_sets,
)
from ssp_planner.monitoring.framework import Framework, Thresholds, load_framework
from ssp_planner.monitoring.mapping import IdScheme, Mapping, read_mapping
from ssp_planner.monitoring.outbound import out_value
from ssp_planner.monitoring.performance import distribution, workload, workload_inputs
from ssp_planner.monitoring.periods import Period, parse_period, trend_periods
from ssp_planner.monitoring.tables import SYNTHETIC_NOTE, label_results, provenance_notes
from ssp_planner.monitoring.target_file import SHEET as TARGET_SHEET
from ssp_planner.monitoring.target_file import TargetRecord, validate_targets
from ssp_planner.monitoring.targets import attach_targets
from ssp_planner.monitoring.values import ValueRecord, validate_values
from ssp_planner.reports.dashboard import DashboardData, MapLayer, trend_png, write_dashboard
from ssp_planner.reports.maps import MapUnavailable, require_shapes
from ssp_planner.services.areas import area_ids_by_code, areas_frame, population_frame
from ssp_planner.services.batches import now, sha256_of, start_batch
from ssp_planner.services.boundaries import boundaries_frame
from ssp_planner.services.summary import synthetic_sources
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, AreaIndicator, ImportBatch, Practitioner
from ssp_planner.store.models_monitoring import DataElement, DataValue, IndicatorTarget
from ssp_planner.workforce.population import ESTIMATE_METHOD

ExportFormat = Literal["dhis2-json", "adx"]
DATA_SET = "SSP_ME"
VALUE_FRAME_COLUMNS = ["area_id", "element", "coc", "period", "value"]
_SAME = 5e-5  # values are stored with 4 decimals
WORKLOAD_NOTE = (
    "head-count: the stored inventory as it is now; open cases (average over the period) and "
    "services (sum) from the data values; outliers: robust z-score |z| > 3.5 (median and MAD, "
    "Iglewicz & Hoaglin 1993)."
)


@dataclass(frozen=True)
class ValueImportResult:
    """What one import did; nothing was written unless `batch_id` is set."""

    file: str
    format: str
    rows_read: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    batch_id: int | None = None
    synthetic: bool = False

    @property
    def written(self) -> bool:
        return self.batch_id is not None


# --- import -----------------------------------------------------------------------------------


def import_data_values(
    engine: Engine,
    path: Path,
    *,
    mapping_path: Path | None = None,
    framework: Framework | None = None,
    synthetic: bool = False,
) -> ValueImportResult:
    """Check every value of a dataValueSets JSON or ADX file; store all or nothing."""
    framework = framework or load_framework()
    parsed = read_exchange_file(Path(path))
    mapping, errors = read_mapping(mapping_path) if mapping_path else (Mapping(), [])
    with session_scope(engine) as session:
        codes = area_ids_by_code(session)
        records, problems = validate_values(parsed, mapping, framework, frozenset(codes))
        errors = [*errors, *parsed.errors, *problems]
        base = ValueImportResult(parsed.file, parsed.format, parsed.count, errors=errors)
        if errors or not records:
            return base
        marked = synthetic or parsed.synthetic
        return _store_values(session, Path(path), records, codes, framework, base, marked)


def _store_values(
    session: Session,
    path: Path,
    records: list[ValueRecord],
    codes: dict[str, int],
    framework: Framework,
    base: ValueImportResult,
    synthetic: bool,
) -> ValueImportResult:
    ids = sync_data_elements(session, framework)
    stored = _stored_values(session, {ids[r.element] for r in records}, {r.period for r in records})
    new, changed = _diff(records, ids, codes, stored, synthetic)
    if not new and not changed:
        session.rollback()
        return replace(base, unchanged=len(records))
    batch = start_batch(
        session,
        kind="data_values",
        file_name=path.name,
        sha256=sha256_of(path),
        synthetic=synthetic,
    )
    extra = {"batch_id": batch.id, "synthetic": synthetic}
    if new:
        session.connection().execute(insert(DataValue), [{**r, **extra} for r in new])
    if changed:
        session.execute(update(DataValue), [{**r, **extra} for r in changed])
    _finish(batch, base.rows_read, len(new), len(changed), len(records))
    return replace(
        base,
        inserted=len(new),
        updated=len(changed),
        batch_id=batch.id,
        unchanged=len(records) - len(new) - len(changed),
        synthetic=synthetic,
    )


StoredValues = dict[tuple[int, int, str, str], tuple[int, float, str | None, bool]]


def _diff(
    records: list[ValueRecord],
    ids: dict[str, int],
    codes: dict[str, int],
    stored: StoredValues,
    synthetic: bool,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows to insert and rows to update (value, comment or synthetic mark changed)."""
    new, changed = [], []
    for r in records:
        key = (ids[r.element], codes[r.area_code], r.period, r.coc)
        row = {
            "data_element_id": key[0],
            "area_id": key[1],
            "period": r.period,
            "coc": r.coc,
            "value": r.value,
            "comment": r.comment,
        }
        old = stored.get(key)
        if old is None:
            new.append(row)
        elif abs(old[1] - r.value) > _SAME or old[2] != r.comment or old[3] != synthetic:
            changed.append({**row, "id": old[0]})
    return new, changed


def _finish(batch: ImportBatch, read: int, new: int, changed: int, total: int) -> None:
    batch.rows_read, batch.rows_inserted, batch.rows_updated = read, new, changed
    batch.rows_unchanged = total - new - changed
    batch.finished_at = now()


def sync_data_elements(session: Session, framework: Framework) -> dict[str, int]:
    """Data element code -> id, adding the framework's elements not stored yet."""
    stored = {e.code: e for e in session.scalars(select(DataElement))}
    for code, el in framework.data_elements.items():
        row = stored.get(code) or DataElement(code=code)
        if (row.name, row.aggregation) != (el.name, el.aggregation.value):
            row.name, row.aggregation = el.name, el.aggregation.value
            session.add(row)
        stored[code] = row
    session.flush()
    return {code: row.id for code, row in stored.items()}


def _stored_values(session: Session, element_ids: set[int], periods: set[str]) -> StoredValues:
    query = select(
        DataValue.data_element_id,
        DataValue.area_id,
        DataValue.period,
        DataValue.coc,
        DataValue.id,
        DataValue.value,
        DataValue.comment,
        DataValue.synthetic,
    ).where(DataValue.data_element_id.in_(element_ids))
    if len(periods) <= 500:
        query = query.where(DataValue.period.in_(periods))
    rows = session.execute(query)
    return {(e, a, p, c): (i, float(v), m, bool(y)) for e, a, p, c, i, v, m, y in rows}


def import_targets(
    engine: Engine, path: Path, *, framework: Framework | None = None, synthetic: bool = False
) -> ValueImportResult:
    """Targets per indicator, area and period from CSV/XLSX; all or nothing, idempotent."""
    framework = framework or load_framework()
    table = read_table(Path(path), sheet=TARGET_SHEET)
    with session_scope(engine) as session:
        codes = area_ids_by_code(session)
        records, errors = validate_targets(table, framework, frozenset(codes))
        base = ValueImportResult(table.file, "targets", len(table.rows), errors=errors)
        if errors or not records:
            return base
        return _store_targets(session, Path(path), records, codes, base, synthetic)


def _store_targets(
    session: Session,
    path: Path,
    records: list[TargetRecord],
    codes: dict[str, int],
    base: ValueImportResult,
    synthetic: bool,
) -> ValueImportResult:
    stored = {
        (t.indicator, t.area_id, t.period): t for t in session.scalars(select(IndicatorTarget))
    }
    todo = []
    for r in records:
        old = stored.get((r.indicator, codes[r.area_code], r.period))
        if old is None or abs(float(old.value) - r.value) > _SAME or old.source != r.source:
            todo.append((old, r))
    if not todo:
        session.rollback()
        return replace(base, unchanged=len(records))
    batch = start_batch(
        session, kind="targets", file_name=path.name, sha256=sha256_of(path), synthetic=synthetic
    )
    for old, r in todo:
        target = old or IndicatorTarget(
            indicator=r.indicator, area_id=codes[r.area_code], period=r.period
        )
        target.value, target.source = r.value, r.source
        target.batch_id, target.synthetic = batch.id, synthetic
        session.add(target)
    new = sum(1 for old, _r in todo if old is None)
    _finish(batch, base.rows_read, new, len(todo) - new, len(records))
    return replace(
        base,
        inserted=new,
        updated=len(todo) - new,
        batch_id=batch.id,
        unchanged=len(records) - len(todo),
        synthetic=synthetic,
    )


# --- export -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    path: Path
    values: int
    synthetic: bool


def export_data_values(
    engine: Engine,
    path: Path,
    *,
    fmt: ExportFormat,
    mapping_path: Path | None = None,
    id_scheme: IdScheme = "code",
    data_set: str = DATA_SET,
) -> ExportResult:
    """Every stored value as dataValueSets JSON or ADX, identifiers through the mapping."""
    mapping, errors = read_mapping(mapping_path) if mapping_path else (Mapping(), [])
    if errors:
        lines = [f"row {e.row}, {e.column} '{e.value}': {e.problem} Fix: {e.fix}" for e in errors]
        raise SSPError(f"{errors[0].file}: {len(errors)} problems:\n" + "\n".join(lines[:10]))
    framework = load_framework()
    with session_scope(engine) as session:
        rows = session.execute(
            select(
                DataElement.code,
                Area.code,
                DataValue.period,
                DataValue.coc,
                DataValue.value,
                DataValue.comment,
                DataValue.synthetic,
            )
            .join(DataElement, DataElement.id == DataValue.data_element_id)
            .join(Area, Area.id == DataValue.area_id)
            .order_by(Area.code, DataValue.period, DataElement.code, DataValue.coc)
        ).all()
    synthetic = any(r[6] for r in rows)
    out = [out_value(r[:6], mapping, id_scheme, framework) for r in rows]
    note = f"{SYNTHETIC_NOTE} ({len(out)} values from SSP Planner)" if synthetic else None
    ds = mapping.theirs("dataSet", data_set, id_scheme)
    writer = write_adx if fmt == "adx" else write_data_value_sets
    writer(out, Path(path), data_set=ds, note=note)
    return ExportResult(Path(path), len(out), synthetic)


# --- reading for computation ------------------------------------------------------------------


def values_frame(engine: Engine) -> pd.DataFrame:
    """All stored data values as a long frame (area_id, element, coc, period, value): the
    columnar path every computation starts from. Rows come straight from the DBAPI (SQLAlchemy
    Row objects would cost more than the query); PostgreSQL streams them as CSV through COPY,
    several times faster than fetching rows. Strings become categoricals to save memory."""
    with engine.connect() as conn:
        names = dict(conn.execute(select(DataElement.id, DataElement.code)).all())
        query = select(
            DataValue.area_id,
            DataValue.data_element_id,
            DataValue.coc,
            DataValue.period,
            cast(DataValue.value, Double),
        )
        sql = str(query.compile(dialect=engine.dialect))
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            if engine.dialect.name == "postgresql":
                frame = _copy_csv(cursor, sql)
            else:
                cursor.execute(sql)
                frame = pd.DataFrame(cursor.fetchall(), columns=VALUE_FRAME_COLUMNS)
        finally:
            cursor.close()
    frame["element"] = pd.Categorical(frame["element"].map(names))
    for col in ("coc", "period"):
        frame[col] = frame[col].astype("category")
    frame["value"] = frame["value"].astype(float)
    return frame


def _copy_csv(cursor: Any, sql: str) -> pd.DataFrame:
    buffer = io.BytesIO()
    with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
        for chunk in copy:
            buffer.write(chunk)
    buffer.seek(0)
    if not buffer.getbuffer().nbytes:
        return pd.DataFrame(columns=VALUE_FRAME_COLUMNS)
    text_cols = {"coc": str, "period": str}
    return pd.read_csv(buffer, header=None, names=VALUE_FRAME_COLUMNS, dtype=text_cols)


def area_values_frame(session: Session, areas: pd.DataFrame, names: set[str]) -> pd.DataFrame:
    """Stored area facts the framework uses: population (Census 2022, estimates marked) and
    the latest stored value of any other area indicator named in it."""
    pops = population_frame(session, areas)
    frames = [
        pd.DataFrame(
            {
                "area_id": pops["area_id"],
                "indicator": POPULATION,
                "value": pd.to_numeric(pops["population"], errors="coerce"),
            }
        )
    ]
    others = names - {POPULATION}
    if others:
        rows = session.execute(
            select(
                AreaIndicator.area_id,
                AreaIndicator.indicator,
                AreaIndicator.period,
                AreaIndicator.value,
            ).where(AreaIndicator.indicator.in_(others))
        ).all()
        latest = pd.DataFrame(rows, columns=["area_id", "indicator", "period", "value"])
        latest = latest.sort_values("period").drop_duplicates(["area_id", "indicator"], keep="last")
        frames.append(latest.drop(columns="period"))
    return pd.concat(frames, ignore_index=True).dropna(subset=["value"])


# --- indicators and targets -------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorTable:
    """Indicator values with targets and status, and the notes that must travel with them."""

    frame: pd.DataFrame
    notes: list[str]
    synthetic: list[str]


@dataclass(frozen=True)
class _Inputs:
    """Everything a computation reads, loaded once per command."""

    framework: Framework
    values: pd.DataFrame
    areas: pd.DataFrame
    area_values: pd.DataFrame
    targets: pd.DataFrame
    estimated: set[str]
    synthetic: list[str]


def _load(engine: Engine, framework: Framework | None) -> _Inputs:
    framework = framework or load_framework()
    values = values_frame(engine)
    with session_scope(engine) as session:
        areas = areas_frame(session)
        pops = population_frame(session, areas).merge(areas, left_on="area_id", right_on="id")
        return _Inputs(
            framework=framework,
            values=values,
            areas=areas,
            area_values=area_values_frame(session, areas, framework.area_indicators),
            targets=targets_frame(session),
            estimated=set(pops.loc[pops["estimated"].astype(bool), "level"]),
            synthetic=synthetic_sources(engine),
        )


def indicator_table(
    engine: Engine,
    *,
    level: AreaLevel,
    periods: Sequence[Period],
    framework: Framework | None = None,
    thresholds: Thresholds | None = None,
    codes: Sequence[str] | None = None,
) -> IndicatorTable:
    """Every indicator (or `codes`) for every area at `level` and each period, vs target."""
    return _table(_load(engine, framework), level, periods, thresholds, codes)


def _table(
    inputs: _Inputs,
    level: AreaLevel,
    periods: Sequence[Period],
    thresholds: Thresholds | None,
    codes: Sequence[str] | None = None,
) -> IndicatorTable:
    fw = inputs.framework
    results = compute_indicators(
        fw,
        inputs.values,
        inputs.areas,
        inputs.area_values,
        level=level,
        periods=periods,
        codes=codes,
    )
    results = attach_targets(results, inputs.targets, fw, thresholds)
    method = ESTIMATE_METHOD if level.value in inputs.estimated else None
    notes = provenance_notes(fw, inputs.synthetic, method)
    return IndicatorTable(label_results(results, inputs.areas, fw), notes, inputs.synthetic)


def targets_frame(
    session: Session, codes: list[str] | None = None, periods: list[str] | None = None
) -> pd.DataFrame:
    """Stored targets (indicator, area_id, period, target, target_source), optionally only
    these indicators and periods (a page reads just what it shows)."""
    query = select(
        IndicatorTarget.indicator,
        IndicatorTarget.area_id,
        IndicatorTarget.period,
        IndicatorTarget.value,
        IndicatorTarget.source,
    )
    if codes is not None:
        query = query.where(IndicatorTarget.indicator.in_(codes))
    if periods is not None:
        query = query.where(IndicatorTarget.period.in_(periods))
    rows = session.execute(query).all()
    frame = pd.DataFrame(
        rows, columns=["indicator", "area_id", "period", "target", "target_source"]
    )
    frame["target"] = frame["target"].astype(float)
    return frame


# --- workload -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkloadReport:
    frame: pd.DataFrame
    spread: dict[str, dict[str, float]]
    notes: list[str]


def workload_report(
    engine: Engine, *, period: Period, level: AreaLevel, framework: Framework | None = None
) -> WorkloadReport:
    """Caseload and services per SSP per area: data values for the period, head-count from
    the stored inventory, robust z-score outliers."""
    inputs = _load(engine, framework)
    with session_scope(engine) as session:
        people = session.execute(select(Practitioner.area_id, Practitioner.category)).all()
    return _workload(inputs, pd.DataFrame(people, columns=["area_id", "category"]), period, level)


def _workload(
    inputs: _Inputs, staff: pd.DataFrame, period: Period, level: AreaLevel
) -> WorkloadReport:
    areas = inputs.areas
    totals = element_totals(inputs.framework, inputs.values, areas, level=level, periods=[period])
    frame = workload_inputs(totals, staff, areas, level, period)
    out = workload(frame).merge(areas[["id", "code", "name"]], left_on="area_id", right_on="id")
    spread = {c: distribution(out[c]) for c in ("cases_per_sw", "services_per_ssp_month")}
    notes = [*provenance_notes(inputs.framework, inputs.synthetic, None), WORKLOAD_NOTE]
    return WorkloadReport(out.drop(columns="id"), spread, notes)


# --- dashboard ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardResult:
    data: DashboardData
    html: Path | None
    png: Path | None


def build_dashboard(
    engine: Engine,
    *,
    period: str,
    level: AreaLevel = AreaLevel.DISTRICT,
    indicator: str = "sw_per_100k",
    html: Path | None = None,
    png: Path | None = None,
    framework: Framework | None = None,
    thresholds: Thresholds | None = None,
) -> DashboardResult:
    """National status and trends, `indicator` by area (map and table), workload outliers;
    written as one offline HTML page (and a trend PNG) when paths are given."""
    inputs = _load(engine, framework)
    fw, limits = inputs.framework, thresholds or inputs.framework.status
    if indicator not in fw.indicators:
        raise SSPError(
            f"Unknown indicator '{indicator}'. Fix: use one of {', '.join(fw.indicators)}."
        )
    last = parse_period(period)
    trend = trend_periods(inputs.values["period"].unique(), last)
    national = _table(inputs, AreaLevel.COUNTRY, trend, limits)
    by_area = _table(inputs, level, [last], limits, [indicator])
    with session_scope(engine) as session:
        people = session.execute(select(Practitioner.area_id, Practitioner.category)).all()
    staff = pd.DataFrame(people, columns=["area_id", "category"])
    data = DashboardData(
        title="Social service workforce: monitoring and evaluation",
        period=str(last),
        level=level.value,
        national=national.frame[national.frame["period"] == str(last)].reset_index(drop=True),
        trend=national.frame[["indicator", "period", "value", "target"]],
        areas=by_area.frame,
        map_indicator=indicator,
        map_label=fw.indicators[indicator].name,
        map_unit=fw.indicators[indicator].unit,
        workload=_workload(inputs, staff, last, level).frame,
        directions={c: i.direction for c, i in fw.indicators.items()},
        thresholds=limits,
        notes=by_area.notes,
        synthetic=inputs.synthetic,
    )
    if html:
        layer, note = _map_layer(engine, inputs, data, limits)
        write_dashboard(data, html, layer=layer, map_note=note)
    if png:
        _trend_png(data, png, fw)
    return DashboardResult(data, html, png)


def _map_layer(
    engine: Engine, inputs: _Inputs, data: DashboardData, limits: Thresholds
) -> tuple[MapLayer | None, str | None]:
    """Boundaries of the dashboard's level; else the provinces' (saying so); else no map and
    how to load boundaries."""
    shapes = boundaries_frame(engine, data.level)
    if len(shapes):
        return MapLayer(shapes, data.areas, data.level), None
    how = str(_no_map(data.level))
    province = AreaLevel.PROVINCE.value
    shapes = boundaries_frame(engine, province) if data.level != province else shapes
    if not len(shapes):
        return None, how
    values = _table(
        inputs, AreaLevel.PROVINCE, [parse_period(data.period)], limits, [data.map_indicator]
    ).frame
    return MapLayer(shapes, values, province), f"The map shows provinces. {how}"


def _no_map(level: str) -> MapUnavailable:
    try:
        require_shapes(gpd.GeoDataFrame({"code": []}, geometry=[]), level)
    except MapUnavailable as exc:
        return exc
    return MapUnavailable(level)


def _trend_png(data: DashboardData, path: Path, fw: Framework) -> Path:
    ind = fw.indicators[data.map_indicator]
    rows = data.trend[data.trend["indicator"] == data.map_indicator]
    notes = [n for n in data.notes if not n.startswith(SYNTHETIC_NOTE)]
    foot = " ".join([*([f"{SYNTHETIC_NOTE}."] if data.synthetic else []), *notes])
    return trend_png(
        rows,
        path,
        title=f"{ind.name}: national trend against target",
        unit=ind.unit,
        direction=ind.direction,
        thresholds=data.thresholds,
        footnote=foot,
    )
