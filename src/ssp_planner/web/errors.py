"""One exception handler for the whole app: the same error becomes an HTML page
(`errors/{status}.html`, else `errors/error.html`) or JSON `{"error": {...}}`, chosen by the
path (/api/…) and the Accept header, like datasette's handle_exception.

Domain exceptions carry no HTTP knowledge; their status is looked up here by class name along
the exception's MRO, so a subclass (e.g. a module's own NotFoundError) inherits its parent's
status and this module need not import every service to map their errors.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from jinja2 import TemplateNotFound
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ssp_planner.errors import SSPError
from ssp_planner.web.auth import LoginRefused, LoginRequired, session_principal
from ssp_planner.web.render import page
from ssp_planner.web.roles import Principal

log = logging.getLogger("ssp_planner.web")

STATUS_BY_NAME = {
    "NotFoundError": 404,
    "MapUnavailable": 404,
    "StaleEditError": 409,  # optimistic lock: someone saved the record after it was opened
    "StaleDataError": 409,  # SQLAlchemy's version_id_col check
    "UnsafeSettings": 500,
    "SSPError": 400,
}
STALE_MESSAGE = (
    "Someone else saved this record after you opened it, so your changes were not saved "
    "(nothing was overwritten). Fix: reload the page to see their version, then make your "
    "change again."
)
TITLES = {
    400: "That could not be done",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Changed by someone else",
    413: "File too large",
    422: "Some values were not understood",
    429: "Too many attempts",
    500: "Something went wrong",
}


def install(app: FastAPI) -> None:
    for exc_type in (
        StarletteHTTPException,
        RequestValidationError,
        LoginRequired,
        SSPError,
        Exception,
    ):
        app.add_exception_handler(exc_type, handle)


async def handle(request: Request, exc: Exception) -> Response:
    if isinstance(exc, LoginRequired) and not wants_json(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    status, message, details = classify(exc)
    if status >= 500:
        log.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    headers = {"Retry-After": "60"} if status == 429 else None
    if wants_json(request):
        body = {"error": {"status": status, "message": message, "details": details}}
        return JSONResponse(body, status_code=status, headers=headers)
    principal = await _principal(request)
    context: dict[str, Any] = {
        "status": status,
        "title": TITLES.get(status, "Error"),
        "message": message,
        "details": details,
        "back": _same_site_referer(request),
    }
    try:
        response = page(request, f"errors/{status}.html", principal, status_code=status, **context)
    except TemplateNotFound:
        response = page(request, "errors/error.html", principal, status_code=status, **context)
    if headers:
        response.headers.update(headers)
    return response


async def _principal(request: Request) -> Principal | None:
    """Who is signed in, for the error page's menu (also when no route ran, as on a 404)."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    try:
        return await run_in_threadpool(session_principal, request, request.app.state.engine)
    except Exception:  # the error page must render even when the database is the problem
        return None


def _same_site_referer(request: Request) -> str | None:
    """The page the request came from, as a path on this site (the 409 page's reload link);
    None for another site's address, so the link cannot lead elsewhere."""
    referer = urlsplit(request.headers.get("referer", ""))
    if (
        referer.netloc != request.url.netloc
        or not referer.path.startswith("/")
        or referer.path.startswith("//")
    ):
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")


def classify(exc: Exception) -> tuple[int, str, list[dict[str, str]]]:
    """(status, message for people, per-field details); never echoes submitted values."""
    if isinstance(exc, LoginRequired):
        return 401, "Sign in first: your session has ended or you have not signed in.", []
    if isinstance(exc, LoginRefused):
        return exc.status, str(exc), []
    if isinstance(exc, RequestValidationError):
        details = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
                "problem": e["msg"],
            }
            for e in exc.errors()
        ]  # "input" is left out on purpose: it may hold a password
        return 422, "Some values were not understood. Fix: correct the fields listed.", details
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code, str(exc.detail), []
    for cls in type(exc).__mro__:
        status = STATUS_BY_NAME.get(cls.__name__)
        if status is not None:
            if status == 409:
                return 409, str(exc) if isinstance(exc, SSPError) else STALE_MESSAGE, []
            if status >= 500:
                break
            return status, str(exc), []
    return (
        500,
        (
            "Something went wrong on the server; the details are in the server log. "
            "Fix: try again; if it happens again, tell the administrator what you did and when."
        ),
        [],
    )


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept
