"""Documentation stays in step with the code: every setting and every input column is described."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssp_planner.ingest.inventory import COLUMNS
from ssp_planner.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_is_in_the_readme(name: str) -> None:
    assert f"SSP_{name.upper()}" in (ROOT / "README.md").read_text()
    assert Settings.model_fields[name].description


@pytest.mark.parametrize("column", [c.name for c in COLUMNS])
def test_every_inventory_column_is_documented(column: str) -> None:
    assert f"`{column}`" in (ROOT / "docs" / "inventory-format.md").read_text()


def test_readme_opens_with_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    block = text.split("```bash", 1)[1].split("```", 1)[0].strip().splitlines()
    assert [line.split()[0:2] for line in block] == [["make", "demo"], ["make", "test"]]
