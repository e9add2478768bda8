"""Sign in and out: the form pages and the API's session resource."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from ssp_planner.web.auth import LoginRefused, sign_in, sign_out
from ssp_planner.web.csrf import csrf_token
from ssp_planner.web.deps import EngineDep, LimiterDep, MaybeUser
from ssp_planner.web.feature import Feature
from ssp_planner.web.render import flash, page
from ssp_planner.web.schemas import LoginIn, SessionOut, UserPublic

feature = Feature("auth")


def safe_next(target: str | None) -> str:
    """Only a path on this site: never '//host' or a full URL (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


@feature.pages.get("/login", response_class=HTMLResponse)
def login_form(request: Request, user: MaybeUser, next: str = "/") -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return page(request, "login.html", None, next=safe_next(next))


@feature.pages.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    engine: EngineDep,
    limiter: LimiterDep,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=500)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    try:
        principal = sign_in(request, engine, limiter, username, password)
    except LoginRefused as exc:
        return page(
            request,
            "login.html",
            None,
            status_code=exc.status,
            error=str(exc),
            username=username,
            next=safe_next(next),
        )
    flash(request, f"Signed in as {principal.username} ({principal.role.label}).")
    return RedirectResponse(safe_next(next), status_code=303)


@feature.pages.post("/logout")
def logout(request: Request, engine: EngineDep, user: MaybeUser) -> RedirectResponse:
    sign_out(request, engine, user)
    flash(request, "Signed out.")
    return RedirectResponse("/login", status_code=303)


@feature.api.get("/session", tags=["session"])
def session_info(request: Request, user: MaybeUser) -> SessionOut:
    """Who is signed in, and the CSRF token for unsafe requests (also before signing in)."""
    return SessionOut(csrf_token=csrf_token(request), user=UserPublic.of(user) if user else None)


@feature.api.post("/session", tags=["session"], responses={401: {}, 429: {}})
def api_login(
    request: Request, engine: EngineDep, limiter: LimiterDep, body: LoginIn
) -> SessionOut:
    """Sign in; the answer carries a new CSRF token (the old one stops working)."""
    principal = sign_in(request, engine, limiter, body.username, body.password)
    return SessionOut(csrf_token=csrf_token(request), user=UserPublic.of(principal))


@feature.api.delete("/session", tags=["session"], status_code=204)
def api_logout(request: Request, engine: EngineDep, user: MaybeUser) -> Response:
    sign_out(request, engine, user)
    return Response(status_code=204)
