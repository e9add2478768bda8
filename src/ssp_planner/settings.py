"""One settings object, built at the edge (CLI, web) and passed in; read from SSP_* variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SSP_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///ssp.db",
        description="SQLAlchemy URL. Default: ssp.db (SQLite) in the working directory; "
        "PostgreSQL as postgresql://user:password@host/dbname.",
    )
    data_dir: Path = Field(
        default=Path("."),
        description="Where reports, maps and error reports are written when no path is given.",
    )
    shared_dir: Path | None = Field(
        default=None,
        description="Folder with reference data that may not be bundled (boundary GeoJSON); "
        "default: ../shared/data/areas next to the working directory, when it exists.",
    )

    def boundaries_dir(self) -> Path | None:
        """Where the demo looks for boundary files; None when there is no such folder."""
        candidates = [self.shared_dir] if self.shared_dir else []
        candidates += [Path.cwd().parent / "shared" / "data" / "areas"]
        return next((p for p in candidates if p.is_dir()), None)
