"""Signing in and out, the session's principal, and login rate limiting.

Sessions are Starlette's signed cookies (HttpOnly, SameSite=Lax, Secure unless configured off)
holding only the user id, the account's session epoch and the CSRF token; the role and
province are read from storage on every request so that changes apply at once.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy import Engine

from ssp_planner.errors import SSPError
from ssp_planner.services.accounts import authenticate, load_principal
from ssp_planner.store import session_scope
from ssp_planner.web import csrf
from ssp_planner.web.audit import audit_now, record_audit
from ssp_planner.web.roles import Principal

_UID, _EPOCH = "uid", "ep"


class LoginRequired(Exception):
    """No valid session: pages redirect to the sign-in form, the API answers 401."""


class LoginRefused(SSPError):
    """Wrong name or password, or locked out; `status` is 401 or 429."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class LoginLimiter:
    """Failed sign-ins per (user name, client address) in a sliding window, in memory.

    In memory on purpose: one server process serves an intranet; a restart forgetting the
    counts is acceptable, and no shared store is needed. Keying on name *and* address stops
    guessing at one account without letting a stranger lock a colleague out from elsewhere.
    """

    max_failures: int = 5
    window_seconds: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    _failures: dict[tuple[str, str], deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _now(self) -> float:
        return self.clock()

    def retry_after(self, username: str, ip: str) -> int:
        """Seconds until this name may try again from this address; 0 if it may now."""
        key = (username.strip().lower(), ip)
        with self._lock:
            recent = self._prune(key)
            if len(recent) < self.max_failures:
                return 0
            return max(1, math.ceil(recent[0] + self.window_seconds - self._now()))

    def failed(self, username: str, ip: str) -> None:
        key = (username.strip().lower(), ip)
        with self._lock:
            self._prune(key).append(self._now())
            if len(self._failures) > 10_000:  # bound memory under a spray of made-up names
                self._failures = {k: v for k, v in self._failures.items() if v}

    def succeeded(self, username: str, ip: str) -> None:
        with self._lock:
            self._failures.pop((username.strip().lower(), ip), None)

    def _prune(self, key: tuple[str, str]) -> deque[float]:
        recent = self._failures.setdefault(key, deque())
        while recent and recent[0] <= self._now() - self.window_seconds:
            recent.popleft()
        return recent


def sign_in(
    request: Request, engine: Engine, limiter: LoginLimiter, username: str, password: str
) -> Principal:
    """Check the password (rate limited), start the session, and audit either outcome."""
    ip = client_ip(request)
    wait = limiter.retry_after(username, ip)
    if wait:
        audit_now(engine, user=username, action="login.locked", target="session", ip=ip)
        raise LoginRefused(
            f"Too many failed sign-ins for '{username.strip()}' from this computer. "
            f"Try again in {math.ceil(wait / 60)} minute(s), or ask an administrator to "
            "check your account.",
            429,
        )
    with session_scope(engine) as session:
        user = authenticate(session, username, password)
        if user is None:
            record_audit(session, user=username, action="login.failed", target="session", ip=ip)
        else:
            uid, epoch = user.id, user.session_epoch
    if user is None:
        limiter.failed(username, ip)
        raise LoginRefused("Wrong user name or password.", 401)
    limiter.succeeded(username, ip)
    principal = load_principal(engine, uid, epoch)
    assert principal is not None  # just authenticated and active
    request.session.clear()
    request.session.update({_UID: uid, _EPOCH: epoch})
    csrf.rotate(request)
    audit_now(engine, user=principal, action="login", target="session", ip=ip)
    return principal


def sign_out(request: Request, engine: Engine, principal: Principal | None) -> None:
    if principal is not None:
        audit_now(engine, user=principal, action="logout", target="session", ip=client_ip(request))
    request.session.clear()
    csrf.rotate(request)


def session_principal(request: Request, engine: Engine) -> Principal | None:
    """The signed-in principal, or None (no cookie, expired, account gone or sessions ended)."""
    uid, epoch = request.session.get(_UID), request.session.get(_EPOCH)
    if not isinstance(uid, int) or not isinstance(epoch, int):
        return None
    return load_principal(engine, uid, epoch)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
