"""Response headers for every answer: a strict Content-Security-Policy (only our own scripts,
no inline script), no framing, no MIME sniffing, and cache lifetimes for static files.

Plain ASGI rather than BaseHTTPMiddleware: it only edits the response-start message, adding
no task switch per request (it matters under load on two cores).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# plotly.js injects <style> elements at run time, hence 'unsafe-inline' for styles only.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
STATIC_VERSIONED = "public, max-age=31536000, immutable"
STATIC_PLAIN = "public, max-age=3600"


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        versioned = b"v=" in scope.get("query_string", b"")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
                if path.startswith("/static/"):
                    headers["Cache-Control"] = STATIC_VERSIONED if versioned else STATIC_PLAIN
                else:
                    headers.setdefault("Cache-Control", "no-store")  # pages hold personal data
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuse a request whose declared body is larger than `max_bytes` before reading it, so
    a huge upload is not spooled to disk first (the upload helper still caps what it reads)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._declared(scope) > self.max_bytes:
            limit_mb = self.max_bytes // (1024 * 1024)
            message = (
                f"The request is larger than {limit_mb} MB. Fix: split the file, or ask the "
                "administrator to raise SSP_UPLOAD_MAX_MB."
            )
            body = {"error": {"status": 413, "message": message, "details": []}}
            await JSONResponse(body, status_code=413)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _declared(scope: Scope) -> int:
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return 0
        return 0
