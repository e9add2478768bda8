"""Web settings: built at the edge (`ssp serve`, tests) and passed to `create_app`.

They extend the one `Settings` object with what only the web face needs, read from SSP_*
variables like the rest. Loading refuses an unsafe secret, so a misconfigured server does not
start rather than start with forgeable sessions.
"""

from __future__ import annotations

import secrets

from pydantic import Field, model_validator

from ssp_planner.errors import SSPError
from ssp_planner.settings import Settings

MIN_SECRET_LENGTH = 32
_PLACEHOLDERS = {"changeme", "change-me", "secret", "dev", "development", "password"}


class UnsafeSettings(SSPError):
    """The web settings would make sessions forgeable or cookies leak; the message says why."""


class WebSettings(Settings):
    secret_key: str = Field(
        default="",
        description="Signs session cookies; at least 32 random characters, e.g. from "
        "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`. Required unless dev.",
    )
    dev: bool = Field(
        default=False,
        description="Demo/development mode: without SSP_SECRET_KEY a random key is made per "
        "start (everyone signs in again after a restart). Never on a shared server.",
    )
    cookie_secure: bool = Field(
        default=True,
        description="Send the session cookie over HTTPS only. Set false only for a plain-http "
        "intranet test server; browsers then send it unencrypted.",
    )
    session_hours: int = Field(
        default=8, ge=1, le=24 * 7, description="Hours a sign-in lasts (one working day)."
    )
    login_max_failures: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins allowed per user name and address before a lockout.",
    )
    login_lockout_minutes: int = Field(
        default=15, ge=1, description="How long a lockout lasts, and the window failures count in."
    )
    upload_max_mb: int = Field(
        default=20, ge=1, le=500, description="Largest file accepted by an upload form, in MB."
    )

    @model_validator(mode="after")
    def _refuse_unsafe_secret(self) -> WebSettings:
        if not self.secret_key and self.dev:
            self.secret_key = secrets.token_urlsafe(48)
        problem = _secret_problem(self.secret_key)
        if problem:
            raise UnsafeSettings(
                f"SSP_SECRET_KEY {problem}, so session cookies could be forged. Fix: set "
                f"SSP_SECRET_KEY to at least {MIN_SECRET_LENGTH} random characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))'), or start a "
                "local demo with `ssp serve --dev`."
            )
        return self

    @property
    def session_seconds(self) -> int:
        return self.session_hours * 3600


def _secret_problem(key: str) -> str | None:
    if not key:
        return "is not set"
    if key.strip().lower() in _PLACEHOLDERS:
        return "is a placeholder"
    if len(key) < MIN_SECRET_LENGTH:
        return f"is {len(key)} characters long (fewer than {MIN_SECRET_LENGTH})"
    if len(set(key)) < 8:
        return "repeats too few different characters"
    return None
