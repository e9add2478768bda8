"""Alembic environment: the engine is handed in by `ssp_planner.store.db.migrate`.

Every `ssp_planner.store.models*` module is imported so that autogenerate sees all tables.
"""

import importlib
import pkgutil

from alembic import context

import ssp_planner.store as store_pkg
from ssp_planner.store.models import Base

for mod in pkgutil.iter_modules(store_pkg.__path__):
    if mod.name.startswith("models"):
        importlib.import_module(f"ssp_planner.store.{mod.name}")

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
