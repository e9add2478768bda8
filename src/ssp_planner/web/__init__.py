"""The web face: FastAPI pages and a JSON API over the service layer (docs/web.md).

Kept import-light on purpose (the CLI imports `roles` without starting FastAPI); the app is
built by `ssp_planner.web.app.create_app(settings, engine)`.
"""
