"""Post costs: configuration with its year, every default marked as an assumption; money parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssp_planner.allocation import CostsError, load_costs, parse_rands
from ssp_planner.errors import SSPError


@pytest.mark.parametrize(
    ("text", "rands"),
    [
        ("R500m", 500_000_000),
        ("R 1.2bn", 1_200_000_000),
        ("250 000 000", 250_000_000),
        ("R750 million", 750_000_000),
        ("R10k", 10_000),
        ("r1,5m", 1_500_000),
        ("1,500,000", 1_500_000),
    ],
)
def test_parse_rands(text: str, rands: int) -> None:
    assert parse_rands(text) == rands


def test_parse_rands_refuses_words() -> None:
    with pytest.raises(SSPError, match=r"is not an amount of money\. Fix: write it like R500m"):
        parse_rands("lots")


def test_bundled_costs_are_assumptions_with_a_year() -> None:
    costs = load_costs()
    assert costs.year == 2025
    assert costs.cost("government", "social_worker", "practitioner") == 420_000
    assert "government.social_worker.practitioner" in costs.assumptions()
    assert isinstance(costs.cost("npo", "social_worker", "supervisor"), int)


def test_user_file_overrides_and_is_no_longer_an_assumption(tmp_path: Path) -> None:
    mine = tmp_path / "costs.toml"
    mine.write_text("year = 2026\n[channels.government.social_worker]\npractitioner = 455000\n")
    costs = load_costs(mine)
    assert costs.year == 2026
    assert costs.cost("government", "social_worker", "practitioner") == 455_000
    assert "government.social_worker.practitioner" not in costs.assumptions()
    assert costs.digest() != load_costs().digest()


def test_bad_costs_file_lists_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        "[channels.government.plumber]\npractitioner = 1\n"
        "[channels.government.social_worker]\nsupervisor = -5\n"
    )
    with pytest.raises(CostsError) as err:
        load_costs(bad)
    assert "channels.government.plumber: unknown category" in str(err.value)
    assert "channels.government.social_worker.supervisor = -5" in str(err.value)
