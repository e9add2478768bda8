"""The application factory: settings and engine in, a FastAPI app out (no import-time state).

Pages and the JSON API (/api/v1, OpenAPI at /api/v1/openapi.json) come from the features in
`web.routers`. Every asset is served from here — our CSS and script, and plotly.js from the
installed plotly package — so the app works on an intranet with no internet at all.
"""

from __future__ import annotations

from importlib import resources

import plotly
from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware

from ssp_planner import __version__
from ssp_planner.store import connect, migrate
from ssp_planner.web import errors
from ssp_planner.web.auth import LoginLimiter
from ssp_planner.web.config import WebSettings
from ssp_planner.web.csrf import verify_csrf
from ssp_planner.web.middleware import BodyLimit, SecurityHeaders
from ssp_planner.web.render import STATIC, templates
from ssp_planner.web.routers import FEATURES

API_PREFIX = "/api/v1"
SESSION_COOKIE = "ssp_session"
PLOTLY_JS = "/static/vendor/plotly.min.js"


def create_app(settings: WebSettings, engine: Engine | None = None) -> FastAPI:
    """Build the app. Without `engine`, connect to `settings.database_url` and migrate it."""
    if engine is None:
        engine = connect(settings.database_url)
        migrate(engine)
    app = FastAPI(
        title="SSP Planner",
        version=__version__,
        description="Plan, deploy and monitor the social service workforce. Sign in with "
        "POST /api/v1/session; send the token from GET /api/v1/session as X-CSRF-Token on "
        "every POST, PUT, PATCH and DELETE.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # Swagger UI and ReDoc load their scripts from a CDN
        redoc_url=None,
        dependencies=[Depends(verify_csrf)],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.limiter = LoginLimiter(
        max_failures=settings.login_max_failures,
        window_seconds=settings.login_lockout_minutes * 60,
    )
    app.state.features = FEATURES
    for feature in FEATURES:
        app.include_router(feature.pages, include_in_schema=False)
        app.include_router(feature.api, prefix=API_PREFIX)
    _add_assets(app)
    errors.install(app)
    # Outermost last: headers wrap everything; sessions exist before any route or handler runs.
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_seconds,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(BodyLimit, max_bytes=(settings.upload_max_mb + 1) * 1024 * 1024)
    app.add_middleware(SecurityHeaders)
    return app


def _add_assets(app: FastAPI) -> None:
    plotly_js = resources.files("plotly").joinpath("package_data", "plotly.min.js")

    @app.get(PLOTLY_JS, include_in_schema=False)
    def plotly_min_js() -> FileResponse:
        return FileResponse(str(plotly_js), media_type="text/javascript")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    templates.env.globals["plotly_url"] = f"{PLOTLY_JS}?v={plotly.__version__}"
