"""Parameter and scenario files: the packaged defaults cite their sources, and a bad file is
refused with every problem named by key, with its fix."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ssp_planner.errors import SSPError
from ssp_planner.projection import (
    ConfigError,
    bundled_scenarios,
    load_params,
    package_params_text,
    read_scenarios,
    resolve_scenarios,
)
from ssp_planner.projection.params import fy_label, fy_of, parse_fy


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_params(path)
    return str(info.value)


def test_every_packaged_figure_has_a_source_or_is_an_assumption() -> None:
    params = load_params()
    assert params.horizon_years == 10
    text = package_params_text()
    assert "55,000 social service professionals by 2030" in text  # NDP target (FACTS.md)
    assert "4,829 DSD-funded" in text  # unemployed graduates (FACTS.md, year unconfirmed)
    sw = params.categories[next(iter(params.categories))]
    assert sw.unemployed_scholarship.assumption  # the count's year is [unconfirmed]


def test_a_user_file_overrides_one_key_and_a_bare_number_records_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.toml", "[hiring]\nfill_rate = 0.9\n")
    params = load_params(path)
    assert params.hiring.fill_rate.value == 0.9
    assert params.hiring.fill_rate.source == "set in mine.toml"
    assert params.pool == load_params().pool  # everything else stays packaged


def test_rates_above_one_negative_counts_and_unknown_provinces_are_named(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.toml",
        """
[hiring]
fill_rate = 1.4

[categories.social_worker]
intake = -50

[[posts.plan]]
period = "2028April"
province = "XX"
category = "social_worker"
posts = 10
""",
    )
    message = refused(path)
    assert message.startswith(f"{path}: 3 problems in the projection parameters:")
    assert (
        "- hiring.fill_rate: is 1.4 but must be at least 0 and at most 1. Fix: set a yearly share"
        in message
    )
    assert (
        "- categories.social_worker.intake: is -50 but must be at least 0. "
        "Fix: set a number of people" in message
    )
    assert (
        "- posts.plan[0].province: 'XX' is not a province code. Fix: use one of EC, FS, GP"
        in message
    )


@pytest.mark.parametrize(
    ("text", "key", "phrase"),
    [
        (
            "[categories.social_worker]\nprogression = [0.9, 0.9, 0.9]\n",
            "categories.social_worker",
            "has 3 values but study_years is 4",
        ),
        (
            "[categories.social_worker]\n"
            "progression = [0.9, 0.9, 0.9, 0.9]\ndropout = [0.2, 0, 0, 0]\n",
            "categories.social_worker",
            "is more than everyone",
        ),
        (
            "[sectors.npo]\nresignation = [0.1, 0.1]\n",
            "sectors.npo.resignation",
            "has 2 values but attrition.age_bands has 5 bands",
        ),
        (
            "[sectors.npo]\nnew_post_share = 0.5\n",
            "sectors.*.new_post_share",
            "add up to 1.3, not 1",
        ),
        (
            "[sectors.government]\nretirement_age = 59\n",
            "sectors.government.retirement_age",
            "not above the last age band (60)",
        ),
        (
            "[attrition]\nemigration = [0.1, 0.1, 0.1, 1.5, 0.1]\n",
            "attrition.emigration",
            "value 4 of the list is 1.5",
        ),
        ("[lapsed]\nreentry_rate = 0.7\nexit_rate = 0.6\n", "lapsed", "is more than everyone"),
        (
            '[[demand.path]]\nperiod = "2030"\ntotal = 10\n',
            "demand.path[0].period",  # a user's list replaces the packaged one
            "is not an April financial year",
        ),
        ("[hiring]\nfill_rat = 0.5\n", "hiring.fill_rat", "did you mean `fill_rate`?"),
        (
            "[scholarship]\nobligation_years = 2.5\n",
            "scholarship.obligation_years",
            "must be a whole number",
        ),
        (
            "[sectors.ngo]\nfunded = true\n",
            "sectors.ngo",
            "Input should be 'government', 'npo' or 'private'",
        ),
    ],
)
def test_each_mistake_names_its_key_and_a_fix(
    tmp_path: Path, text: str, key: str, phrase: str
) -> None:
    message = refused(write(tmp_path, "p.toml", text))
    line = next(ln for ln in message.splitlines() if ln.startswith(f"- {key}:"))
    assert phrase in line and "Fix: " in line


def test_a_file_that_is_not_toml_says_where(tmp_path: Path) -> None:
    message = refused(write(tmp_path, "p.toml", "[hiring\nfill_rate = 1\n"))
    assert "(syntax): is not valid TOML" in message and "Fix: correct the line named" in message


def test_a_missing_file_is_one_clear_problem(tmp_path: Path) -> None:
    assert "(file): cannot be read" in refused(tmp_path / "nowhere.toml")


def test_bundled_scenarios_load_and_names_resolve() -> None:
    names = [s.name for s in bundled_scenarios()]
    assert names == ["rural_retention", "npo_parity", "more_scholarships", "absorb_graduates"]
    assert [s.name for s in resolve_scenarios(["npo_parity", "npo_parity"])] == ["npo_parity"]
    assert len(resolve_scenarios(["all"])) == 4
    with pytest.raises(SSPError, match=r"Unknown scenario 'nope'\. Fix: name a bundled scenario"):
        resolve_scenarios(["nope"])


def test_scenario_files_in_toml_and_json(tmp_path: Path) -> None:
    toml = write(
        tmp_path,
        "s.toml",
        '[cheap]\ndescription = "x"\n'
        '[[cheap.interventions]]\nkind = "absorption"\nfill_rate = 0.9\n',
    )
    json_ = write(
        tmp_path,
        "s.json",
        '{"rich": {"interventions": [{"kind": "new_posts", "budget": 1000000}]}}',
    )
    assert [s.name for s in resolve_scenarios([str(toml), str(json_)])] == ["cheap", "rich"]


def test_a_bad_scenario_file_names_the_intervention_and_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.toml",
        '[x]\n[[x.interventions]]\nkind = "retention"\nreduction = 1.5\ncost_per_post = 10\n'
        'provinces = ["ZZ"]\n[[x.interventions]]\nkind = "teleport"\n',
    )
    with pytest.raises(ConfigError) as info:
        read_scenarios(path)
    message = str(info.value)
    assert (
        "interventions[0].retention.reduction: Input should be less than or equal to 1" in message
    )
    assert "interventions[0].retention.provinces: 'ZZ' is not a province code" in message
    assert "- scenario.interventions[1]: Input tag 'teleport'" in message
    assert "Fix: use one of the kinds listed" in message


def test_financial_years() -> None:
    assert fy_of(date(2026, 3, 31)) == 2025 and fy_of(date(2026, 4, 1)) == 2026
    assert fy_label(2026) == "2026April" and parse_fy("2026April") == 2026
    with pytest.raises(ValueError, match="not an April financial year"):
        parse_fy("2026Q1")
