"""`ssp me`: monitoring and evaluation commands. Each parses, calls one service, prints."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from ssp_planner.cli_common import ErrorsOption, console, engine_of, make_typer, settings_of
from ssp_planner.cli_render import fmt, synthetic_banner
from ssp_planner.domain.areas import AreaLevel
from ssp_planner.ingest.errors import write_error_report
from ssp_planner.monitoring.framework import (
    Framework,
    Thresholds,
    framework_frame,
    load_framework,
)
from ssp_planner.monitoring.periods import parse_period
from ssp_planner.reports.tables import write_table
from ssp_planner.services import monitoring as me
from ssp_planner.services.summary import synthetic_sources

me_app = make_typer(
    "Monitoring and evaluation: indicator framework, targets, DHIS2 exchange, dashboards."
)
MAX_ERRORS_SHOWN = 30
FrameworkOption = Annotated[
    Path | None, typer.Option("--framework", help="Framework TOML (default: the shipped one).")
]


class ExportFormat(StrEnum):
    DHIS2_JSON = "dhis2-json"
    ADX = "adx"


class IdScheme(StrEnum):
    CODE = "code"
    UID = "uid"


@me_app.command("framework")
def framework_cmd(
    file: FrameworkOption = None,
    xlsx: Annotated[Path | None, typer.Option(help="Also write the framework as XLSX.")] = None,
) -> None:
    """Show the indicators: level, formula, aggregation, direction, target and source."""
    fw = load_framework(file)
    table = framework_frame(fw)
    out = Table(title=f"{fw.title} (version {fw.version})")
    for col in ("code", "level", "name", "formula", "target", "source"):
        out.add_column(col, overflow="fold")
    for r in table.itertuples():
        out.add_row(r.code, r.level, r.name, r.formula, fmt(r.target), str(r.source))
    console.print(out)
    if xlsx:
        notes = [f"{fw.title}, version {fw.version}", "ours = defined for SSP Planner"]
        write_table(table, xlsx, sheet="framework", notes=notes)
        console.print(f"Written {xlsx}")


@me_app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="DHIS2 dataValueSets .json or ADX .xml/.adx.")],
    mapping: Annotated[
        Path | None, typer.Option(help="Mapping of DHIS2 UIDs/codes to ours (.csv or .json).")
    ] = None,
    framework: FrameworkOption = None,
    errors: ErrorsOption = None,
) -> None:
    """Import data values; every value is checked and nothing is stored if any is bad."""
    result = me.import_data_values(
        engine_of(ctx), file, mapping_path=mapping, framework=_fw(framework)
    )
    _print_import(result, errors or file.with_name(file.stem + ".errors.csv"))


@me_app.command("targets")
def targets_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Targets CSV/XLSX: indicator,area,period,target.")],
    framework: FrameworkOption = None,
    errors: ErrorsOption = None,
) -> None:
    """Import targets per indicator, area and period (they override the framework defaults)."""
    result = me.import_targets(engine_of(ctx), file, framework=_fw(framework))
    _print_import(result, errors or file.with_name(file.stem + ".errors.csv"))


@me_app.command("export")
def export_cmd(
    ctx: typer.Context,
    format: Annotated[ExportFormat, typer.Option("--format", help="Output format.")] = (
        ExportFormat.DHIS2_JSON
    ),
    out: Annotated[Path | None, typer.Option(help="Output file.")] = None,
    mapping: Annotated[Path | None, typer.Option(help="Mapping to DHIS2 UIDs/codes.")] = None,
    id_scheme: Annotated[IdScheme, typer.Option(help="Identifiers to write.")] = IdScheme.CODE,
) -> None:
    """Export every stored data value as DHIS2 dataValueSets JSON or ADX XML."""
    suffix = "json" if format is ExportFormat.DHIS2_JSON else "xml"
    path = out or settings_of(ctx).data_dir / f"me-export.{suffix}"
    result = me.export_data_values(
        engine_of(ctx), path, fmt=format.value, mapping_path=mapping, id_scheme=id_scheme.value
    )
    if result.synthetic:
        console.print(f"[bold yellow]{me.SYNTHETIC_NOTE}: the file is marked synthetic.[/]")
    console.print(f"Exported {result.values:,} values to {result.path}")


@me_app.command("dashboard")
def dashboard_cmd(
    ctx: typer.Context,
    period: Annotated[str, typer.Option(help="DHIS2 period, e.g. 2026Q1 or 2025April.")],
    html: Annotated[Path | None, typer.Option(help="Write the dashboard (one HTML file).")] = None,
    png: Annotated[Path | None, typer.Option(help="Write the trend chart as PNG.")] = None,
    level: Annotated[AreaLevel, typer.Option(help="Areas of the map.")] = AreaLevel.DISTRICT,
    indicator: Annotated[str, typer.Option(help="Indicator on the map.")] = "sw_per_100k",
    at_risk: Annotated[float | None, typer.Option(help="Shortfall share: at risk.")] = None,
    off_track: Annotated[float | None, typer.Option(help="Shortfall share: off track.")] = None,
) -> None:
    """Indicators against targets for a period: status table, trends, map, workload."""
    limits = _thresholds(at_risk, off_track)
    board = me.build_dashboard(
        engine_of(ctx),
        period=period,
        level=level,
        indicator=indicator,
        html=html,
        png=png,
        thresholds=limits,
    )
    _print_status(board.data.national, synthetic_banner(board.data.synthetic), period)
    for path in (board.html, board.png):
        if path:
            console.print(f"Written {path}")


@me_app.command("performance")
def performance_cmd(
    ctx: typer.Context,
    period: Annotated[str, typer.Option(help="DHIS2 period, e.g. 2026Q1.")],
    level: Annotated[AreaLevel, typer.Option(help="Areas to compare.")] = AreaLevel.DISTRICT,
) -> None:
    """Caseload and services per SSP by area, their spread and outliers (robust z-score)."""
    engine = engine_of(ctx)
    report = me.workload_report(engine, period=parse_period(period), level=level)
    banner = synthetic_banner(synthetic_sources(engine))
    if banner:
        console.print(f"[bold yellow]{banner}[/]")
    out = Table(title=f"Workload per SSP by {level.value}, {period}")
    for col in ("area", "SSPs", "social workers", "cases per SW", "services per SSP/month", "flag"):
        out.add_column(col, justify="left" if col in ("area", "flag") else "right")
    for r in report.frame.sort_values("cases_per_sw", ascending=False).itertuples():
        flag = " ".join(f for f in (r.cases_per_sw_outlier, r.services_per_ssp_month_outlier) if f)
        out.add_row(
            f"{r.name} ({r.code})",
            fmt(r.headcount),
            fmt(r.social_workers),
            fmt(r.cases_per_sw),
            fmt(r.services_per_ssp_month),
            flag,
        )
    console.print(out)
    for line in report.notes[-1:]:
        console.print(f"[dim]{line}[/]")


def _fw(path: Path | None) -> Framework | None:
    return load_framework(path) if path else None


def _thresholds(at_risk: float | None, off_track: float | None) -> Thresholds | None:
    if at_risk is None and off_track is None:
        return None
    base = load_framework().status
    return Thresholds(
        at_risk=base.at_risk if at_risk is None else at_risk,
        off_track=base.off_track if off_track is None else off_track,
    )


def _print_import(result: me.ValueImportResult, report: Path) -> None:
    if result.errors:
        table = Table(title=f"{len(result.errors)} problems in {result.file}")
        for col in ("file", "row", "column", "value", "problem", "fix"):
            table.add_column(col, overflow="fold")
        for e in result.errors[:MAX_ERRORS_SHOWN]:
            table.add_row(e.file, str(e.row), e.column, e.value, e.problem, e.fix)
        console.print(table)
        if len(result.errors) > MAX_ERRORS_SHOWN:
            console.print(f"… and {len(result.errors) - MAX_ERRORS_SHOWN} more.")
        console.print(f"Full error report: {write_error_report(result.errors, report)}")
        console.print("[red]Nothing was stored.[/] Fix the rows above and import again.")
        raise typer.Exit(1)
    if result.written:
        mark = " [bold yellow](synthetic)[/]" if result.synthetic else ""
        console.print(
            f"[green]Imported {result.file}[/]{mark} as batch {result.batch_id}: "
            f"{result.inserted:,} new, {result.updated:,} updated, {result.unchanged:,} "
            f"unchanged (of {result.rows_read:,})."
        )
    else:
        console.print(f"Nothing changed: all {result.unchanged:,} values are already stored.")


def _print_status(frame: pd.DataFrame, banner: str | None, period: str) -> None:
    if banner:
        console.print(f"[bold yellow]{banner}[/]")
    colours = {"on track": "green", "at risk": "yellow", "off track": "red"}
    out = Table(title=f"National indicators, {period}")
    for col in ("level", "indicator", "value", "target", "unit", "status"):
        out.add_column(col, justify="right" if col in ("value", "target") else "left")
    for r in frame.itertuples():
        style = colours.get(r.status, "dim")
        out.add_row(
            r.result_level,
            r.indicator_name,
            fmt(r.value),
            fmt(r.target),
            r.unit,
            f"[{style}]{r.status}[/]",
        )
    console.print(out)
