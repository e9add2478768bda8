"""The demo generator: deterministic, valid identifiers, plausible and internally consistent."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssp_planner.demo import REFERENCE_DATE, DemoData, generate_demo
from ssp_planner.demo.generate import COUNCIL_PREFIX
from ssp_planner.demo.names import GROUPS, load_name_book
from ssp_planner.demo.places import AGE_SEX_GROUPS
from ssp_planner.domain.areas import AreaLevel, AreaRow, bundled_areas
from ssp_planner.domain.identifiers import IdNumber, check_council_number, check_id_number
from ssp_planner.domain.vocabulary import Category, Rank, Sector

AREAS = bundled_areas()
MUNI_DISTRICT = {r.code: str(r.parent_code) for r in AREAS if r.level is AreaLevel.MUNICIPALITY}
DISTRICT_PROVINCE = {r.code: str(r.parent_code) for r in AREAS if r.level is AreaLevel.DISTRICT}


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(AREAS, size=30_000)


@pytest.fixture(scope="module")
def small() -> DemoData:
    return generate_demo(AREAS, seed=7, size=2_000)


def by_id(data: DemoData) -> dict[str, dict]:
    return {p["id_number"]: p for p in data.practitioners}


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def test_same_arguments_give_identical_output(small: DemoData) -> None:
    assert generate_demo(AREAS, seed=7, size=2_000) == small
    other = generate_demo(AREAS, seed=8, size=2_000)
    assert other.practitioners != small.practitioners
    assert other.indicators != small.indicators


def test_size_and_seed_are_reported(demo: DemoData) -> None:
    assert len(demo.practitioners) == 30_000
    assert demo.seed == 20261125


def test_id_numbers_valid_unique_and_match_sex_and_birth(demo: DemoData) -> None:
    ids = [p["id_number"] for p in demo.practitioners]
    assert len(set(ids)) == len(ids)
    for p in demo.practitioners:
        parsed = check_id_number(p["id_number"], today=REFERENCE_DATE)
        assert isinstance(parsed, IdNumber), parsed
        assert parsed.sex.value == p["sex"]
        assert parsed.birth_date == p["birth_date"]


def test_ages_and_start_dates_are_sensible(demo: DemoData) -> None:
    for p in demo.practitioners:
        assert 22 <= age_on(p["birth_date"], REFERENCE_DATE) <= 64
        assert age_on(p["birth_date"], p["start_date"]) >= 21
        assert p["start_date"] <= REFERENCE_DATE


def test_shares_are_plausible(demo: DemoData) -> None:
    n = len(demo.practitioners)
    share = {k: Counter(p[k] for p in demo.practitioners) for k in ("category", "sector", "sex")}
    assert share["category"][Category.SOCIAL_WORKER] / n == pytest.approx(0.55, abs=0.02)
    assert share["sector"][Sector.GOVERNMENT] / n == pytest.approx(0.70, abs=0.03)
    assert share["sex"]["F"] / n == pytest.approx(0.80, abs=0.03)
    ranks = Counter(p["rank"] for p in demo.practitioners)
    assert ranks[Rank.PRACTITIONER] / ranks[Rank.SUPERVISOR] == pytest.approx(10, rel=0.15)
    assert ranks[Rank.SUPERVISOR] / ranks[Rank.MANAGER] == pytest.approx(8, rel=0.3)


def test_every_district_has_every_category(demo: DemoData) -> None:
    seen = {(MUNI_DISTRICT[p["area_code"]], p["category"]) for p in demo.practitioners}
    assert seen == {(d, c.value) for d in DISTRICT_PROVINCE for c in Category}


def test_persal_numbers_unique_and_government_only(demo: DemoData) -> None:
    persal = [p["persal_number"] for p in demo.practitioners if p["persal_number"]]
    assert len(set(persal)) == len(persal)
    assert all(len(x) == 8 and x.isdigit() for x in persal)
    for p in demo.practitioners:
        assert (p["persal_number"] is not None) == (p["sector"] == Sector.GOVERNMENT)


def test_council_numbers_unique_and_prefixed(demo: DemoData) -> None:
    numbers = [p["council_number"] for p in demo.practitioners if p["council_number"]]
    assert len(set(numbers)) == len(numbers)
    assert len(numbers) > 0.95 * len(demo.practitioners)
    for p in demo.practitioners:
        if p["council_number"]:
            assert check_council_number(p["council_number"]) is None
            assert p["council_number"].startswith(COUNCIL_PREFIX[Category(p["category"])])
    assert COUNCIL_PREFIX[Category.SOCIAL_WORKER] == "10-"
    assert "40-" not in COUNCIL_PREFIX.values()  # confirmed: student social workers


def test_supervisors_are_same_category_and_nearby(demo: DemoData) -> None:
    people = by_id(demo)
    boss_rank = {Rank.PRACTITIONER: Rank.SUPERVISOR, Rank.SUPERVISOR: Rank.MANAGER}
    for p in demo.practitioners:
        if p["supervisor_id_number"] is None:
            continue
        boss = people[p["supervisor_id_number"]]
        assert boss["rank"] == boss_rank[Rank(p["rank"])]
        assert boss["category"] == p["category"]
        district, boss_district = MUNI_DISTRICT[p["area_code"]], MUNI_DISTRICT[boss["area_code"]]
        assert DISTRICT_PROVINCE[district] == DISTRICT_PROVINCE[boss_district]
    practitioners = [p for p in demo.practitioners if p["rank"] == Rank.PRACTITIONER]
    supervised = sum(p["supervisor_id_number"] is not None for p in practitioners)
    assert 0.9 < supervised / len(practitioners) < 1.0
    assert all(
        p["supervisor_id_number"] is None for p in demo.practitioners if p["rank"] == "manager"
    )


def test_most_supervisors_are_in_the_same_district(demo: DemoData) -> None:
    people = by_id(demo)
    pairs = [
        (
            MUNI_DISTRICT[p["area_code"]],
            MUNI_DISTRICT[people[p["supervisor_id_number"]]["area_code"]],
        )
        for p in demo.practitioners
        if p["supervisor_id_number"] and p["rank"] == Rank.PRACTITIONER
    ]
    assert sum(a == b for a, b in pairs) / len(pairs) > 0.9


def test_employers_match_sector(demo: DemoData) -> None:
    for p in demo.practitioners:
        if p["sector"] == Sector.PRIVATE:
            assert p["employer"] == "Private practice"
        else:
            assert p["employer"]
    government = [p["employer"] for p in demo.practitioners if p["sector"] == Sector.GOVERNMENT]
    assert sum(e.startswith("DSD ") for e in government) / len(government) > 0.75


def test_area_codes_are_municipality_level(demo: DemoData) -> None:
    assert {p["area_code"] for p in demo.practitioners} <= set(MUNI_DISTRICT)
    assert {p["area_code"] for p in demo.posts} <= set(MUNI_DISTRICT)


def test_posts_are_held_by_government_and_npo_staff_once(demo: DemoData) -> None:
    numbers = [p["post_number"] for p in demo.posts]
    assert len(set(numbers)) == len(numbers)
    people = by_id(demo)
    held = [p["holder_id_number"] for p in demo.posts if p["holder_id_number"]]
    assert len(set(held)) == len(held)
    assert set(held) == {i for i, p in people.items() if p["sector"] != Sector.PRIVATE}
    for post in demo.posts:
        if post["holder_id_number"]:
            holder = people[post["holder_id_number"]]
            assert post["funded"]
            assert (post["category"], post["area_code"]) == (
                holder["category"],
                holder["area_code"],
            )


def test_vacancies_exist_and_are_higher_in_rural_areas(demo: DemoData) -> None:
    gov = [p for p in demo.posts if p["sector"] == Sector.GOVERNMENT and p["funded"]]
    vacant = [p for p in gov if p["holder_id_number"] is None]
    assert 0.07 < len(vacant) / len(gov) < 0.14
    assert any(not p["funded"] and p["holder_id_number"] is None for p in demo.posts)
    metros = {r.code for r in AREAS if r.level is AreaLevel.DISTRICT and r.code in MUNI_DISTRICT}

    def rate(rows: list[dict]) -> float:
        return sum(p["holder_id_number"] is None for p in rows) / len(rows)

    assert rate([p for p in gov if p["area_code"] not in metros]) > rate(
        [p for p in gov if p["area_code"] in metros]
    )


def indicator_values(data: DemoData) -> dict[tuple[str, str, str], float]:
    return {(i["area_level"], i["area_code"], i["indicator"]): i["value"] for i in data.indicators}


def test_age_sex_groups_sum_to_each_area_population(small: DemoData) -> None:
    values = indicator_values(small)
    levels = {"district", "municipality"}
    keyed = {(r.level.value, r.code): r.populations["2016"] for r in AREAS if r.level in levels}
    checked = 0
    for (level, code), population in keyed.items():
        if (level, code, AGE_SEX_GROUPS[0]) not in values:
            continue
        total = sum(values[(level, code, g)] for g in AGE_SEX_GROUPS)
        assert total == population
        assert all(float(values[(level, code, g)]).is_integer() for g in AGE_SEX_GROUPS)
        checked += 1
    assert checked == 52 + 205  # districts incl. metros, and local municipalities


def test_metros_appear_once_at_district_level(small: DemoData) -> None:
    metros = {c for c, parent in MUNI_DISTRICT.items() if c == parent}
    assert len(metros) == 8
    levels = {(i["area_level"], i["area_code"]) for i in small.indicators}
    assert all(("district", m) in levels and ("municipality", m) not in levels for m in metros)


def test_district_issue_counts_sum_their_municipalities(small: DemoData) -> None:
    values = indicator_values(small)
    totals: Counter[str] = Counter()
    for (level, code, name), value in values.items():
        if level == "municipality" and name == "gbv_cases":
            totals[MUNI_DISTRICT[code]] += int(value)
    for district, total in totals.items():
        assert values[("district", district, "gbv_cases")] == total


def test_indicator_periods_and_sources_say_synthetic(small: DemoData) -> None:
    for i in small.indicators:
        assert "synthetic" in i["source"] and "seed 7" in i["source"]
        assert i["period"] == (
            "2016" if i["indicator"].startswith(("population", "house", "wards")) else "2024"
        )
        assert i["value"] >= 0
    names = {i["indicator"] for i in small.indicators}
    assert {"child_protection_reports", "gbv_cases", "migrants", "households", "wards"} <= names


def test_today_moves_the_reference_date() -> None:
    later = date(2030, 2, 28)
    data = generate_demo(AREAS, seed=3, size=300, today=later)
    for p in data.practitioners:
        assert isinstance(check_id_number(p["id_number"], today=later), IdNumber)
        assert 22 <= age_on(p["birth_date"], later) <= 64
        assert p["start_date"] <= later


def test_edge_sizes_and_bad_areas() -> None:
    assert generate_demo(AREAS, size=0).practitioners == []
    with pytest.raises(ValueError):
        generate_demo(AREAS, size=-1)
    provinces_only = [r for r in AREAS if r.level is not AreaLevel.MUNICIPALITY]
    with pytest.raises(ValueError):
        generate_demo(provinces_only, size=10)


def test_one_province_only() -> None:
    keep: list[AreaRow] = [r for r in AREAS if r.code == "WC" or r.parent_code == "WC"]
    keep += [r for r in AREAS if r.parent_code in {k.code for k in keep} and r not in keep]
    data = generate_demo(keep, seed=1, size=500)
    assert {MUNI_DISTRICT[p["area_code"]] for p in data.practitioners} <= {
        k.code for k in keep if k.level is AreaLevel.DISTRICT
    }


def test_name_list_is_large_and_covers_every_group() -> None:
    book = load_name_book()
    for kind, minimum in (("female_first", 80), ("male_first", 80), ("surname", 200)):
        assert sum(len(book.names(kind, g)) for g in GROUPS) >= minimum
        assert all(book.names(kind, g) for g in GROUPS)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), size=st.integers(0, 400))
def test_any_seed_gives_valid_consistent_rows(seed: int, size: int) -> None:
    data = generate_demo(AREAS, seed=seed, size=size)
    ids = {p["id_number"] for p in data.practitioners}
    assert len(ids) == size
    assert all(isinstance(check_id_number(i, today=REFERENCE_DATE), IdNumber) for i in ids)
    assert all(p["supervisor_id_number"] in ids | {None} for p in data.practitioners)
    assert all(p["holder_id_number"] in ids | {None} for p in data.posts)
