"""`ssp serve` (the web application) and `ssp users` (accounts that sign in to it)."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer
from rich.table import Table

from ssp_planner.cli_common import console, engine_of, make_typer, settings_of
from ssp_planner.services.accounts import add_user, list_users
from ssp_planner.web.roles import Role

users_app = make_typer("Accounts of the web application (roles, provinces).")


def serve_cmd(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: all).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    dev: Annotated[
        bool,
        typer.Option(
            "--dev",
            help="Demo mode: a random session key if SSP_SECRET_KEY is unset, and cookies "
            "over plain http. Never on a shared server.",
        ),
    ] = False,
) -> None:
    """Start the web application (pages and the /api/v1 JSON API)."""
    import uvicorn

    from ssp_planner.web.app import create_app
    from ssp_planner.web.config import WebSettings

    overrides: dict[str, object] = {"database_url": settings_of(ctx).database_url}
    if dev:
        overrides |= {"dev": True, "cookie_secure": False}
    settings = WebSettings(**overrides)  # type: ignore[arg-type]
    app = create_app(settings, engine_of(ctx))
    scheme = "http" if not settings.cookie_secure else "https (behind your TLS proxy)"
    console.print(f"SSP Planner on {host}:{port} · {scheme} · database {_safe_url(settings)}")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)


def _safe_url(settings: object) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)  # type: ignore[attr-defined]


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name, e.g. thabo.mokoena.")],
    role: Annotated[Role, typer.Option(help="What the user may do (docs/web.md).")],
    province: Annotated[
        str | None, typer.Option(help="Confine the user to one province, e.g. KZN.")
    ] = None,
    full_name: Annotated[str, typer.Option(help="Name shown in the app.")] = "",
    generate: Annotated[
        bool, typer.Option("--generate", help="Make a strong password and print it once.")
    ] = False,
) -> None:
    """Create an account; the password is asked for twice (hidden) unless --generate."""
    if generate:
        password = secrets.token_urlsafe(15)
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = add_user(
        engine_of(ctx),
        username=username,
        password=password,
        role=role,
        province=province,
        full_name=full_name,
    )
    where = f" in {user.province}" if user.province else ""
    console.print(f"Created {user.username}: {user.role.label}{where}.")
    if generate:
        console.print(f"Password (shown once): [bold]{password}[/]", highlight=False)


@users_app.command("list")
def users_list(ctx: typer.Context) -> None:
    """The accounts, their roles and provinces (never their passwords)."""
    table = Table("User", "Name", "Role", "Province", "Active", "Last sign-in", title="Accounts")
    for u in list_users(engine_of(ctx)):
        last = f"{u.last_login_at:%Y-%m-%d %H:%M}" if u.last_login_at else "never"
        table.add_row(
            u.username,
            u.full_name,
            u.role.label,
            u.province or "all",
            "yes" if u.active else "no",
            last,
        )
    console.print(table)
