"""CSRF protection by synchroniser token: one random token per session, kept in the signed
session cookie, echoed by every unsafe request as a hidden form field (`csrf_token`) or, from
scripts and API clients, the `X-CSRF-Token` header.

A cross-site form can make the browser send our cookie (SameSite=Lax still allows top-level
POST navigations in old browsers) but cannot read the token, so its request is refused.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
REFUSED = (
    "This form has expired or came from another site, so it was not accepted. "
    "Fix: reload the page and submit it again (cookies must be allowed for this site)."
)


def csrf_token(request: Request) -> str:
    """The session's token, made on first use (also for visitors not yet signed in)."""
    token = request.session.get(FIELD)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[FIELD] = token
    return token


def rotate(request: Request) -> str:
    """A fresh token at sign-in and sign-out, so a token seen before cannot be replayed."""
    request.session[FIELD] = secrets.token_urlsafe(32)
    return str(request.session[FIELD])


async def verify_csrf(request: Request) -> None:
    """App-wide dependency: refuse any unsafe request that does not echo the token (403).

    The header or the form field may carry it; either matching is enough, since neither can
    be known to another site.
    """
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get(FIELD)
    sent = [request.headers.get(HEADER)]
    if request.headers.get("content-type", "").startswith(_FORMS):
        value = (await request.form()).get(FIELD)
        sent.append(value if isinstance(value, str) else None)
    if not expected or not any(s and hmac.compare_digest(str(expected), s) for s in sent):
        raise HTTPException(status_code=403, detail=REFUSED)
