"""`migrate()` builds the whole schema and is safe to run again, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from ssp_planner.store import migrate
from ssp_planner.store.db import alembic_config

TABLES = {"area", "practitioner", "import_batch", "post", "area_indicator"}


def _current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def _heads(engine: Engine) -> set[str]:
    """Every branch head: features add migration branches off a common base."""
    return set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


def test_migrate_creates_tables_and_stamps_head(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    assert names >= TABLES | {"alembic_version"}
    heads = _heads(engine)
    assert heads
    assert _current_revisions(engine) == heads


def test_migrate_is_idempotent(engine: Engine) -> None:
    before = set(inspect(engine).get_table_names())
    migrate(engine)  # the fixture already migrated once
    migrate(engine)
    engine.dispose()  # fresh inspector connection
    assert set(inspect(engine).get_table_names()) == before
    assert _current_revisions(engine) == _heads(engine)
