"""Categories, ranks, sectors and sex as people spell them in spreadsheets."""

from __future__ import annotations

from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssp_planner.domain.vocabulary import (
    Category,
    Rank,
    Sector,
    Sex,
    allowed_spellings,
    normalise_word,
    parse_category,
    parse_rank,
    parse_sector,
    parse_sex,
)

PARSERS = {Category: parse_category, Rank: parse_rank, Sector: parse_sector, Sex: parse_sex}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SW", Category.SOCIAL_WORKER),
        ("sw", Category.SOCIAL_WORKER),
        ("Social Worker", Category.SOCIAL_WORKER),
        ("social_worker", Category.SOCIAL_WORKER),
        ("SOCIAL_WORKER", Category.SOCIAL_WORKER),
        ("  Social   worker ", Category.SOCIAL_WORKER),
        ("CYCW", Category.CHILD_YOUTH_CARE_WORKER),
        ("Child & Youth Care Worker", Category.CHILD_YOUTH_CARE_WORKER),
        ("Child and Youth Care Worker", Category.CHILD_YOUTH_CARE_WORKER),
        ("child & youth-care worker", Category.CHILD_YOUTH_CARE_WORKER),
        ("SAW", Category.SOCIAL_AUXILIARY_WORKER),
        ("Social Auxiliary Worker", Category.SOCIAL_AUXILIARY_WORKER),
        ("ACYCW", Category.AUXILIARY_CHILD_YOUTH_CARE_WORKER),
        ("Auxiliary Child & Youth Care Worker", Category.AUXILIARY_CHILD_YOUTH_CARE_WORKER),
        ("CDP", Category.COMMUNITY_DEVELOPMENT_PRACTITIONER),
        ("Community Development Practitioner", Category.COMMUNITY_DEVELOPMENT_PRACTITIONER),
    ],
)
def test_category_spellings(text: str, expected: Category) -> None:
    assert parse_category(text) is expected


@pytest.mark.parametrize("text", ["Plumber", "", "   ", "Social", "nurse", "S W X", "SW1"])
def test_unknown_category(text: str) -> None:
    assert parse_category(text) is None


@pytest.mark.parametrize("member", list(Category))
def test_every_category_label_parses_back(member: Category) -> None:
    assert parse_category(member.label) is member
    assert parse_category(member.label.upper()) is member
    assert parse_category(member.value) is member


@pytest.mark.parametrize("enum", list(PARSERS))
def test_every_allowed_spelling_parses(enum: type[StrEnum]) -> None:
    spellings = allowed_spellings(enum)
    assert spellings[: len(enum)] == [m.value for m in enum]  # canonical values come first
    for text in spellings:
        assert PARSERS[enum](text) in set(enum), text
        assert PARSERS[enum](text.upper()) == PARSERS[enum](text)


@pytest.mark.parametrize(
    ("parser", "text", "expected"),
    [
        (parse_rank, "Supervisor", Rank.SUPERVISOR),
        (parse_rank, "Social Work Manager", Rank.MANAGER),
        (parse_rank, "staff", Rank.PRACTITIONER),
        (parse_sector, "Govt", Sector.GOVERNMENT),
        (parse_sector, "DSD", Sector.GOVERNMENT),
        (parse_sector, "NGO", Sector.NPO),
        (parse_sector, "Non-profit", Sector.NPO),
        (parse_sector, "Private", Sector.PRIVATE),
        (parse_sex, "F", Sex.FEMALE),
        (parse_sex, "female", Sex.FEMALE),
        (parse_sex, "M", Sex.MALE),
        (parse_sex, "Male", Sex.MALE),
    ],
)
def test_rank_sector_sex_spellings(parser: object, text: str, expected: StrEnum) -> None:
    assert parser(text) is expected  # type: ignore[operator]


@pytest.mark.parametrize(
    ("parser", "text"),
    [(parse_rank, "boss"), (parse_sector, "church"), (parse_sex, "X"), (parse_sex, "")],
)
def test_unknown_rank_sector_sex(parser: object, text: str) -> None:
    assert parser(text) is None  # type: ignore[operator]


def test_normalise_word() -> None:
    assert normalise_word(" Child & Youth-Care  Worker ") == "child and youth care worker"
    assert normalise_word("SOCIAL_WORKER") == "social worker"


@given(st.text(max_size=40))
def test_parsers_never_raise(text: str) -> None:
    for enum, parse in PARSERS.items():
        got = parse(text)
        assert got is None or got in set(enum)
