"""ORM tables of the web application (migration 0008): accounts and the audit trail.

Passwords are stored only as argon2 hashes. `session_epoch` lets the server end every session of
a user (signed cookies cannot be recalled one by one): bumping it makes old cookies stale.
The audit trail is append-only; `username` is kept as text so entries outlive their account.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ssp_planner.store.models import Base


class WebUser(Base):
    """A person who signs in; `province` set means they see and change only that province."""

    __tablename__ = "web_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(30))
    province: Mapped[str | None] = mapped_column(String(5), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class AuditEntry(Base):
    """One change or sign-in event: who, when, what, and for edits the values before and after."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("web_user.id", ondelete="SET NULL"), nullable=True
    )
    username: Mapped[str] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str] = mapped_column(String(300))
    before_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    after_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    ip: Mapped[str | None] = mapped_column(String(45), nullable=True)
