"""Accounts of the web application: create, list, authenticate, and the principal a session
acts as. Passwords are kept only as argon2id hashes (argon2-cffi's defaults, RFC 9106).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.errors import SSPError
from ssp_planner.services.batches import now
from ssp_planner.services.web_cache import cached
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area
from ssp_planner.store.models_web import WebUser
from ssp_planner.web.audit import record_audit
from ssp_planner.web.roles import NATIONAL, Principal, Role, Scope, check_role_province

HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 12
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,79}$")

# One demo account per role; the provincial ones work in KwaZulu-Natal.
DEMO_ACCOUNTS: list[tuple[str, Role, str | None, str]] = [
    ("admin", Role.ADMINISTRATOR, None, "Demo Administrator"),
    ("national", Role.NATIONAL_PLANNER, None, "Demo National Planner"),
    ("kzn-planner", Role.PROVINCIAL_PLANNER, "KZN", "Demo KZN Provincial Planner"),
    ("supervisor", Role.SUPERVISOR, "KZN", "Demo Supervisor (KZN)"),
    ("me-officer", Role.ME_OFFICER, None, "Demo M&E Officer"),
    ("viewer", Role.VIEWER, None, "Demo Viewer"),
]


@dataclass(frozen=True)
class UserInfo:
    """An account as shown to administrators: never the hash."""

    id: int
    username: str
    full_name: str
    role: Role
    province: str | None
    active: bool
    last_login_at: datetime | None


def add_user(
    engine: Engine,
    *,
    username: str,
    password: str,
    role: Role,
    province: str | None = None,
    full_name: str = "",
) -> UserInfo:
    """Create an account; refuses weak passwords, unknown provinces and taken user names."""
    username = normalise_username(username)
    province = province.strip().upper() if province else None
    check_role_province(role, province)
    _check_password(password)
    with session_scope(engine) as session:
        if province:
            _check_province(session, province)
        if session.scalar(select(WebUser.id).where(WebUser.username == username)):
            raise SSPError(f"The user name '{username}' is taken. Fix: choose another.")
        user = WebUser(
            username=username,
            full_name=full_name.strip(),
            role=role.value,
            province=province,
            password_hash=HASHER.hash(password),
            active=True,
            session_epoch=0,
            created_at=now(),
        )
        session.add(user)
        session.flush()
        record_audit(
            session,
            user=None,  # accounts are made from the command line (or by the demo)
            action="user.add",
            target=f"web_user:{username}",
            after={"role": role.value, "province": province, "full_name": user.full_name},
        )
        return _info(user)


def list_users(engine: Engine) -> list[UserInfo]:
    with session_scope(engine) as session:
        return [_info(u) for u in session.scalars(select(WebUser).order_by(WebUser.username))]


def create_demo_users(engine: Engine) -> list[tuple[str, str, str]]:
    """One account per role with a fresh random password: (username, role, password).

    Existing demo accounts are replaced, so running the demo again prints working passwords.
    """
    created = []
    for username, role, province, full_name in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(12)
        with session_scope(engine) as session:
            old = session.scalar(select(WebUser).where(WebUser.username == username))
            if old is not None:
                session.delete(old)
        add_user(
            engine,
            username=username,
            password=password,
            role=role,
            province=province,
            full_name=full_name,
        )
        created.append((username, role.value, password))
    return created


def authenticate(session: Session, username: str, password: str) -> WebUser | None:
    """The active user with this name and password, else None (same cost either way).

    A hash made with older argon2 parameters is upgraded on the way in.
    """
    user = session.scalar(
        select(WebUser).where(WebUser.username == normalise_username(username, strict=False))
    )
    stored = user.password_hash if user is not None and user.active else _dummy_hash(HASHER)
    try:
        HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    user.last_login_at = now()
    return user


def load_principal(engine: Engine, user_id: int, epoch: int) -> Principal | None:
    """The principal of a session, or None when the account is gone, inactive, or its
    sessions were ended (epoch bumped) since this one began."""
    with session_scope(engine) as session:
        user = session.get(WebUser, user_id)
        if user is None or not user.active or user.session_epoch != epoch:
            return None
        found = (user.id, user.username, user.full_name, Role(user.role), user.province)
    province = found[4]
    scope = cached(engine, ("scope", province), lambda: _scope(engine, province))
    return Principal(*found[:4], scope=scope)


def _scope(engine: Engine, province: str | None) -> Scope:
    with session_scope(engine) as session:
        return scope_for(session, province)


def scope_for(session: Session, province: str | None) -> Scope:
    """The province's own area and every area below it; the whole country for None."""
    if not province:
        return NATIONAL
    rows = session.execute(select(Area.id, Area.parent_id, Area.level, Area.code)).all()
    roots = {r.id for r in rows if r.level == AreaLevel.PROVINCE.value and r.code == province}
    children: dict[int, list[int]] = {}
    for r in rows:
        if r.parent_id is not None:
            children.setdefault(r.parent_id, []).append(r.id)
    seen, todo = set(roots), list(roots)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return Scope(province=province, area_ids=frozenset(seen))


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified when the user name is unknown, so a wrong name costs as long as a wrong
    password and response times do not reveal which accounts exist. Made on first use, not
    at import: every `ssp` command imports this module."""
    return hasher.hash(secrets.token_urlsafe(16))


def normalise_username(name: str, *, strict: bool = True) -> str:
    value = name.strip().lower()
    if strict and not _USERNAME.match(value):
        raise SSPError(
            f"'{name}' is not a usable user name. Fix: 3–80 characters: letters, digits, "
            "'.', '_', '-' or '@', starting with a letter or digit."
        )
    return value[:80]


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SSPError(
            f"The password has {len(password)} characters; at least {MIN_PASSWORD_LENGTH} are "
            "needed. Fix: use a longer passphrase, or let `ssp users add --generate` make one."
        )


def _check_province(session: Session, province: str) -> None:
    known = sorted(session.scalars(select(Area.code).where(Area.level == AreaLevel.PROVINCE.value)))
    if not known:
        raise SSPError(
            "No areas are loaded, so the province cannot be checked. "
            "Fix: run `ssp areas load` (or `ssp demo`) first."
        )
    if province not in known:
        raise SSPError(f"Unknown province '{province}'. Fix: use one of {', '.join(known)}.")


def _info(user: WebUser) -> UserInfo:
    return UserInfo(
        user.id,
        user.username,
        user.full_name,
        Role(user.role),
        user.province,
        user.active,
        user.last_login_at,
    )
