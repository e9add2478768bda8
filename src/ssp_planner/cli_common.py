"""What every `ssp` command module shares: the console, error handling, settings and engine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy import Engine
from typer.core import TyperGroup

from ssp_planner.errors import SSPError
from ssp_planner.settings import Settings
from ssp_planner.store import connect, migrate

# Options every validated import shares (inventory, sessions, indicator values, plan).
ErrorsOption = Annotated[
    Path | None, typer.Option(help="Error report (.csv or .xlsx); default FILE.errors.csv.")
]
SkipInvalidOption = Annotated[bool, typer.Option(help="Store the valid rows and report the rest.")]

console = Console()
if not console.is_terminal:  # piped or captured: wide enough that tables don't fold
    console.width = max(console.width, 140)


class SSPGroup(TyperGroup):
    """Turn domain errors into one red line and exit code 1, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except SSPError as exc:
            Console(stderr=True, soft_wrap=True).print(
                f"[bold red]Error:[/] {exc}", markup=True, highlight=False
            )
            raise typer.Exit(1) from exc


def make_typer(help_text: str, **kw: Any) -> typer.Typer:
    kw.setdefault("no_args_is_help", True)
    return typer.Typer(help=help_text, cls=SSPGroup, pretty_exceptions_enable=False, **kw)


def settings_of(ctx: typer.Context) -> Settings:
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, Settings) else Settings()


def engine_of(ctx: typer.Context) -> Engine:
    """Open the configured database, bringing its schema up to date first."""
    engine = connect(settings_of(ctx).database_url)
    migrate(engine)
    return engine
