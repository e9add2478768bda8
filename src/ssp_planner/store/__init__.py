"""Storage: ORM tables, engine creation and migrations. SQLite/PostgreSQL differences live here."""

from ssp_planner.store.db import connect, migrate, session_scope

__all__ = ["connect", "migrate", "session_scope"]
