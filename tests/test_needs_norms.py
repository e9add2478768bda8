"""Norms configuration: packaged defaults, user overrides, provenance and bad-config messages."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ssp_planner.domain.vocabulary import Category
from ssp_planner.needs import (
    PACKAGE_FILE,
    NormsError,
    load_norms,
    missing_indicators,
    norms_from_toml,
    package_norms_text,
    required_indicators,
)


def _numbers(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every {value = ...} table (and stray bare number) in a parsed TOML tree."""
    if isinstance(node, dict):
        if "value" in node:
            yield path, node
            return
        for key, child in node.items():
            yield from _numbers(child, f"{path}.{key}" if path else key)
    elif isinstance(node, int | float) and not isinstance(node, bool) and path != "year":
        yield path, node


def test_every_default_number_names_its_source_or_is_an_assumption() -> None:
    tree = tomllib.loads(package_norms_text())
    numbers = list(_numbers(tree))
    assert len(numbers) > 40
    for path, node in numbers:
        assert isinstance(node, dict), f"{path} is a bare number"
        assert node.get("source") or node.get("assumption") is True, path
        if node.get("assumption"):
            assert node.get("note") or node.get("source"), f"{path}: say what the user must set"


def test_defaults_cover_every_category_and_the_facts_md_norms() -> None:
    norms = load_norms()
    assert set(norms.categories) == set(Category)
    assert norms.version and norms.year >= 2024
    sw = norms.categories[Category.SOCIAL_WORKER]
    assert sw.ratios["population"].per.value == 5000
    assert "IOL, 19 May 2024" in (sw.ratios["population"].per.source or "")
    assert sw.ratios["caseload"].per.value == 60
    assert sw.supervisor_per is not None and sw.supervisor_per.value == 10
    assert sw.supervisor_per.assumption  # FACTS.md: unconfirmed as a prescribed norm
    assert "Public Holidays Act" in (norms.working_time.public_holidays.source or "")


def test_digest_is_stable_and_follows_the_content(tmp_path: Path) -> None:
    assert load_norms().digest() == load_norms().digest()
    user = tmp_path / "mine.toml"
    user.write_text("[working_time]\nhours_per_day = 7.5\n")
    assert load_norms(user).digest() != load_norms().digest()


def test_user_file_overrides_by_key_and_records_its_source(tmp_path: Path) -> None:
    user = tmp_path / "ec.toml"
    user.write_text(
        "[categories.social_worker.services.gbv_case]\n"
        "minutes_per_case = 420\n"
        'uptake = { value = 0.8, source = "EC DSD 2025 survey" }\n'
        "[categories.social_worker.ratios.population]\n"
        "per = { value = 2500, assumption = true }\n"
    )
    norms = load_norms(user)
    gbv = norms.categories[Category.SOCIAL_WORKER].services["gbv_case"]
    assert gbv.minutes_per_case.value == 420
    assert gbv.minutes_per_case.source == f"set in {user}"
    assert gbv.uptake.source == "EC DSD 2025 survey"
    assert (
        gbv.prevalence
        == load_norms().categories[Category.SOCIAL_WORKER].services["gbv_case"].prevalence
    )  # untouched keys keep the default
    per = norms.categories[Category.SOCIAL_WORKER].ratios["population"].per
    assert per.value == 2500 and per.assumption and per.source is None
    assert str(user) in norms.origin


def _error(tmp_path: Path, text: str) -> NormsError:
    user = tmp_path / "district.toml"
    user.write_text(text)
    with pytest.raises(NormsError) as info:
        load_norms(user)
    assert str(user) in str(info.value)  # every message names the file
    return info.value


def test_unknown_category_lists_the_valid_ones(tmp_path: Path) -> None:
    err = _error(tmp_path, '[categories.social_wroker]\nmethod = "ratio"\n')
    text = str(err)
    assert "categories.social_wroker:" in text
    assert "'social_worker'" in text and "'community_development_practitioner'" in text
    assert "Fix: use one of the names listed" in text


def test_negative_time_names_the_key_and_the_fix(tmp_path: Path) -> None:
    err = _error(tmp_path, "[categories.social_worker.services.gbv_case]\nminutes_per_case = -5\n")
    assert "categories.social_worker.services.gbv_case.minutes_per_case: is -5" in str(err)
    assert "Fix: set the minutes one case takes, above 0" in str(err)
    assert [p.key for p in err.problems] == [
        "categories.social_worker.services.gbv_case.minutes_per_case"
    ]


def test_zero_time_is_refused_too(tmp_path: Path) -> None:
    err = _error(tmp_path, "[working_time]\nhours_per_day = 0\n")
    assert "working_time.hours_per_day: is 0 but must be more than 0" in str(err)


def test_uptake_outside_zero_to_one(tmp_path: Path) -> None:
    err = _error(tmp_path, "[categories.social_worker.services.gbv_case]\nuptake = 1.5\n")
    assert "services.gbv_case.uptake: is 1.5 but must be at least 0 and at most 1" in str(err)
    assert "Fix: set a share from 0 to 1" in str(err)


def test_unknown_method(tmp_path: Path) -> None:
    err = _error(tmp_path, '[categories.social_worker]\nmethod = "median"\n')
    assert "categories.social_worker.method:" in str(err)
    assert "'ratio', 'wisn' or 'max' (got 'median')" in str(err)


def test_leave_that_takes_every_working_day(tmp_path: Path) -> None:
    err = _error(tmp_path, "[working_time]\nannual_leave = 300\n")
    assert "working_time: holidays and leave take all 260 working days" in str(err)


def test_allowances_of_100_percent(tmp_path: Path) -> None:
    err = _error(tmp_path, "[categories.social_worker.allowances]\nmeetings_and_reports = 95\n")
    assert "categories.social_worker: category allowances add up to 103%" in str(err)


def test_misspelt_key_gets_a_suggestion(tmp_path: Path) -> None:
    err = _error(tmp_path, "[categories.social_worker.services.gbv_case]\nminuts_per_case = 5\n")
    assert "gbv_case.minuts_per_case: is not a key the norms know" in str(err)
    assert "did you mean `minutes_per_case`?" in str(err)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    err = _error(
        tmp_path,
        "[categories.social_worker.services.gbv_case]\nuptake = 2\nminutes_per_case = 0\n"
        '[categories.social_worker]\nmethod = "x"\n',
    )
    assert len(err.problems) == 3
    assert "3 problems" in str(err)


def test_a_complete_file_needs_provenance_for_each_number() -> None:
    lines = package_norms_text().splitlines()
    text = "\n".join("per = 5000" if ln.startswith("per = { value = 5000,") else ln for ln in lines)
    with pytest.raises(NormsError) as info:
        norms_from_toml(text, "complete.toml")
    message = str(info.value)
    assert message.startswith("complete.toml:")
    assert "categories.social_worker.ratios.population.per: is a bare number 5000" in message
    assert "Fix: write { value = 5000, source =" in message


def test_toml_syntax_errors_name_the_file_and_line(tmp_path: Path) -> None:
    err = _error(tmp_path, "[working_time\nhours_per_day = 8\n")
    assert "is not valid TOML" in str(err) and "line 1" in str(err)


def test_unreadable_user_file(tmp_path: Path) -> None:
    with pytest.raises(NormsError, match="cannot be read"):
        load_norms(tmp_path / "absent.toml")


def test_the_packaged_defaults_validate_on_their_own() -> None:
    norms = norms_from_toml(package_norms_text(), PACKAGE_FILE)
    assert norms == load_norms()


def test_required_and_missing_indicators() -> None:
    norms = load_norms()
    uses = required_indicators(norms)
    assert "categories.social_worker.services.gbv_case.target" in uses["gbv_cases"]
    assert "categories.community_development_practitioner.ratios.ward.target" in uses["wards"]
    have = set(uses) - {"wards", "population"}
    assert missing_indicators(norms, have) == ["population", "wards"]
    groups = {g for g in uses if g.startswith("population_")} | {
        "population_18_59_female",
        "population_18_59_male",
        "population_60plus_female",
        "population_60plus_male",
    }
    # population is derived from the six age/sex groups when there is no population column
    assert missing_indicators(norms, have | groups) == ["wards"]
