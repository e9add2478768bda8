"""`ssp project`, `ssp supervision …` and `ssp mentoring …`: parse, call one service, print."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from ssp_planner.cli_common import ErrorsOption, SkipInvalidOption, console, engine_of, make_typer
from ssp_planner.cli_render import fmt, print_import_result
from ssp_planner.domain.areas import AreaLevel
from ssp_planner.services import people_demo
from ssp_planner.services import projection as projection_service
from ssp_planner.services import supervision as supervision_service

supervision_app = make_typer("Supervision: ratios against the norm, sessions and compliance.")
mentoring_app = make_typer("Mentoring: match newly appointed SSPs to experienced mentors.")

OnOption = Annotated[
    datetime | None, typer.Option("--on", formats=["%Y-%m-%d"], help="Reference date (YYYY-MM-DD).")
]
NormsOption = Annotated[
    Path | None, typer.Option("--norms", help="TOML overriding the supervision norms.")
]
XlsxOption = Annotated[Path | None, typer.Option("--xlsx", help="Also write an .xlsx workbook.")]
SHOWN = 10


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def project_cmd(
    ctx: typer.Context,
    years: Annotated[
        int | None, typer.Option("--years", help="Years to project (default 10).")
    ] = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario",
            "-s",
            help="Bundled scenario name, 'all', or a .toml/.json file; repeatable.",
        ),
    ] = None,
    xlsx: XlsxOption = None,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Write supply vs demand as a PNG.")
    ] = None,
    params: Annotated[
        Path | None, typer.Option("--params", help="TOML overriding the projection parameters.")
    ] = None,
    on: OnOption = None,
    needs_run: Annotated[
        int | None,
        typer.Option("--needs-run", help="Needs run giving the demand (default: the latest)."),
    ] = None,
) -> None:
    """Project supply, demand, shortfall, unemployed graduates and post costs per year."""
    report = projection_service.run_projection(
        engine_of(ctx),
        on=_day(on),
        years=years,
        scenarios=scenario or [],
        params_file=params,
        needs_run=needs_run,
    )
    _print_projection(console, report)
    if xlsx:
        console.print(f"Written {projection_service.write_projection_xlsx(report, xlsx)}")
    if chart:
        console.print(f"Written {projection_service.write_projection_chart(report, chart)}")


@supervision_app.command("report")
def supervision_report(
    ctx: typer.Context,
    on: OnOption = None,
    months: Annotated[int, typer.Option(help="Months of sessions up to --on.", min=1, max=60)] = 12,
    xlsx: XlsxOption = None,
    norms: NormsOption = None,
) -> None:
    """Ratios per province and district against the norm, SSPs without a supervisor,
    supervisors over their limit, and session compliance."""
    report = supervision_service.supervision_report(
        engine_of(ctx), on=_day(on), months=months, norms_file=norms
    )
    _print_supervision(console, report)
    if xlsx:
        console.print(f"Written {supervision_service.write_supervision_xlsx(report, xlsx)}")


@supervision_app.command("import-sessions")
def import_sessions(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Sessions CSV or XLSX (docs/supervision.md).")],
    skip_invalid: SkipInvalidOption = False,
    errors: ErrorsOption = None,
    norms: NormsOption = None,
) -> None:
    """Validate and import supervision sessions; nothing is stored if any row is bad."""
    result = supervision_service.import_sessions(
        engine_of(ctx), file, skip_invalid=skip_invalid, norms_file=norms
    )
    print_import_result(console, result, errors or file.with_name(file.stem + ".errors.csv"))
    if result.errors and not result.written and not skip_invalid:
        raise typer.Exit(1)


@mentoring_app.command("match")
def mentoring_match(
    ctx: typer.Context,
    on: OnOption = None,
    languages: Annotated[
        Path | None,
        typer.Option(help="CSV/XLSX: id_number, languages ('xh; en', preferred first)."),
    ] = None,
    xlsx: XlsxOption = None,
    norms: NormsOption = None,
    solver: Annotated[str, typer.Option(help="auto, highs or lsa.")] = "auto",
) -> None:
    """Match newly appointed SSPs to mentors: optimal, with reasons, and who was not matched."""
    report = supervision_service.run_mentoring(
        engine_of(ctx), on=_day(on), languages_file=languages, norms_file=norms, solver=solver
    )
    _print_mentoring(console, report)
    if xlsx:
        console.print(f"Written {supervision_service.write_mentoring_xlsx(report, xlsx)}")


# --- rendering ---------------------------------------------------------------------------------


def _banner(out: Console, notes: list[str]) -> None:
    for note in notes:
        if note.startswith("SYNTHETIC"):
            out.print(f"[bold yellow]{note}[/]")


def _table(title: str, frame: pd.DataFrame, columns: dict[str, str]) -> Table:
    table = Table(title=title)
    for label in columns.values():
        table.add_column(
            label,
            justify="left"
            if label
            in ("Year", "Area", "Scenario", "Mentee", "Mentor", "Category", "Why", "Reason")
            else "right",
            overflow="fold",
        )
    for row in frame.itertuples(index=False):
        table.add_row(
            *(str(getattr(row, c)) if c == "id" else fmt(getattr(row, c)) for c in columns)
        )
    return table


def _print_projection(out: Console, report: projection_service.ProjectionReport) -> None:
    _banner(out, report.notes)
    nat = report.national
    base = nat[nat["scenario"] == report.result.names[0]].assign(
        post_cost_m=lambda f: f["post_cost"].astype("Float64") / 1e6
    )
    cols = {
        "period": "Year",
        "supply": "Supply",
        "demand": "Demand",
        "shortfall": "Shortfall",
        "graduates": "Graduates",
        "hires": "Hires",
        "leavers": "Leavers",
        "unemployed": "Unemployed",
        "funded_posts": "Funded posts",
        "post_cost_m": "Post cost R m",
    }
    out.print(_table("Pipeline projection, South Africa (baseline)", base.round(0), cols))
    if report.comparison is not None:
        cmp = report.comparison.assign(
            extra_m=lambda f: f["extra_cost_rands"] / 1e6,
            post_years_closed_per_r1m=lambda f: f["post_years_closed_per_r1m"].map(
                lambda v: "—" if pd.isna(v) else f"{v:.3f}"
            ),
        )
        cols = {
            "scenario": "Scenario",
            "shortfall_final_year": "Shortfall (last year)",
            "post_years_closed": "Post-years closed",
            "extra_m": "Extra cost R m",
            "post_years_closed_per_r1m": "Closed per R1 m",
            "unemployed_final_year": "Unemployed (last year)",
        }
        out.print(
            _table("Scenarios against the baseline: shortfall closed per rand", cmp.round(3), cols)
        )
    colour = "green" if report.result.balanced else "bold red"
    out.print(f"[{colour}]{report.result.balance_note()}[/]")
    out.print(f"Demand: {report.result.demand_source}.")
    out.print(
        f"Stored as projection run {report.run_id}. "
        "Shortfall is summed over provinces and categories."
    )


def _print_supervision(out: Console, report: supervision_service.SupervisionReport) -> None:
    _banner(out, report.notes)
    out.print(f"People in post on {report.on.isoformat()}; sessions from {report.period.label}.")
    prov = _merged(report, AreaLevel.PROVINCE)
    out.print(_table("Supervision by province", prov, _SUPERVISION_COLUMNS))
    dist = _merged(report, AreaLevel.DISTRICT)
    above = dist[~dist["meets_norm"]].sort_values("ratio", ascending=False)
    out.print(
        f"{len(above)} of {len(dist)} districts are above the norm of "
        f"1:{report.norms.ratio.practitioners_per_supervisor.value:g}."
    )
    if len(above):
        out.print(
            _table(
                f"Districts furthest above the norm (first {SHOWN})",
                above.head(SHOWN),
                _SUPERVISION_COLUMNS,
            )
        )
    h = report.headline()
    out.print(
        f"National: {h['practitioners']:,} practitioners, {h['supervisors']:,} supervisors "
        f"(1:{h['ratio']:g}, norm 1:{h['norm']:g}); {h['unsupervised']:,} without a supervisor; "
        f"{h['over_limit']:,} supervisors over the limit of "
        f"{report.norms.ratio.max_supervisees.value:g}; "
        f"{h['compliance_rate']:.0%} of supervisees had the sessions due."
    )
    if len(report.over_limit):
        cols = {
            "id": "Record",
            "id_number": "ID number",
            "area": "Area",
            "category": "Category",
            "supervisees": "Supervisees",
            "limit": "Limit",
        }
        out.print(
            _table(
                f"Supervisors most over the limit (first {SHOWN}; all in --xlsx)",
                report.over_limit.head(SHOWN),
                cols,
            )
        )


_SUPERVISION_COLUMNS = {
    "name": "Area",
    "practitioners": "Practitioners",
    "supervisors": "Supervisors",
    "ratio": "Ratio 1:",
    "supervisor_shortfall": "Supervisors short",
    "unsupervised": "No supervisor",
    "over_limit": "Over limit",
    "compliance_pct": "Sessions compliant %",
}


def _merged(report: supervision_service.SupervisionReport, level: AreaLevel) -> pd.DataFrame:
    r = report.ratios[level]
    c = report.compliance[level]
    r, c = r[r["category"] == "all"], c[c["category"] == "all"]
    out = r.merge(c[["code", "compliance_rate"]], on="code")
    return out.assign(compliance_pct=(out["compliance_rate"] * 100).round(0))


def _print_mentoring(out: Console, report: supervision_service.MentoringReport) -> None:
    _banner(out, report.notes)
    res = report.result
    out.print(
        f"{report.mentees:,} newly appointed SSPs, {report.mentors:,} possible mentors: "
        f"{len(res.pairs):,} matched, {len(res.unmatched):,} not matched; total distance cost "
        f"{res.total_cost:,.1f} ({res.method} distance, solver {res.solver})."
    )
    if len(report.pairs):
        cols = {
            "mentee": "Mentee",
            "mentor": "Mentor",
            "category": "Category",
            "steps": "Steps",
            "reason": "Reason",
        }
        out.print(_table(f"Pairs (first {SHOWN}; all in --xlsx)", report.pairs.head(SHOWN), cols))
    if len(report.unmatched):
        cols = {"mentee": "Mentee", "area": "Area", "category": "Category", "reason": "Why"}
        out.print(_table(f"Not matched (first {SHOWN})", report.unmatched.head(SHOWN), cols))
    for note in report.notes[1:] if report.notes[0].startswith("SYNTHETIC") else report.notes:
        out.print(f"[dim]{note}[/]")


def print_people_demo(out: Console, report: people_demo.PeopleDemoReport) -> None:
    """What `ssp demo` prints after the inventory: sessions, projection, supervision, mentoring."""
    for line in people_demo.summary_lines(report):
        out.print(line)
    out.print("Written: " + ", ".join(p.name for p in report.files))
