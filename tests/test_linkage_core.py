"""The pure parts of linkage: names, the source list format, clustering, review band, golden
records. Fast: no Splink run here (see test_linkage_quality.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from conftest import FIXTURES
from ssp_planner.domain.areas import bundled_areas
from ssp_planner.ingest.reader import read_table
from ssp_planner.linkage.cluster import cluster, deterministic_links
from ssp_planner.linkage.golden import GoldenRules, SourceRecord, golden_record
from ssp_planner.linkage.names import (
    fold,
    initials_of,
    is_initials,
    name_aliases,
    nicknames_of,
    phonetic_key,
)
from ssp_planner.linkage.review import NAME_ONLY, NAMES_ONLY, UNCERTAIN, Band, Decisions
from ssp_planner.linkage.review import split_scored as split_band
from ssp_planner.linkage.sources import check_source, lineage_from, link_record

TODAY = date(2026, 4, 1)
AREAS = bundled_areas()
LINEAGE = lineage_from((a.code, a.level.value, a.parent_code) for a in AREAS)
CODES = frozenset(a.code for a in AREAS)


def test_names_fold_initials_and_sound() -> None:
    assert fold("  Elsabé  van der MERWE-Smit ") == "elsabe van der merwe smit"
    assert is_initials("N.G.") and is_initials("N G") and not is_initials("NEO")
    assert initials_of("Nomvula Grace") == initials_of("N.G.") == "ng"
    assert phonetic_key("Dhlamini") == phonetic_key("Dlamini")
    assert phonetic_key("Nkozi") == phonetic_key("Nkosi")
    assert phonetic_key("Mthembu") != phonetic_key("Mkhize")


def test_nicknames_map_both_ways_and_allow_ambiguity() -> None:
    assert set(name_aliases("thuli")) == {"thuli", "nokuthula", "thulisile"}
    assert name_aliases("nokuthula") == ("nokuthula",)
    assert "johannes" in set(name_aliases("hannes")) & set(name_aliases("johan"))
    assert "Piet" in {n.title() for n in nicknames_of("Pieter")}


def test_source_list_keeps_incomplete_rows_and_reports_problems() -> None:
    check = check_source(read_table(FIXTURES / "linkage" / "npo_list.csv", sheet="x"), CODES, TODAY)
    assert not check.fatal and len(check.rows) == 6
    found = {(i.row, i.column): i for i in check.issues}
    assert found[(1, "Notes")].problem == "unknown column"  # a warning: the file is still read
    assert found[(4, "id_number")].value.endswith("9083")  # masked, not the whole ID
    assert not found[(4, "id_number")].value.startswith("8001")
    assert "not a real calendar date" in found[(4, "birth_date")].problem
    assert (4, "council_number") in found and (5, "surname") in found and (6, "area_code") in found
    assert (3, "id_number") not in found  # a missing ID number is data, not an error


def test_missing_surname_column_is_fatal() -> None:
    check = check_source(
        read_table(FIXTURES / "linkage" / "no_surname.csv", sheet="x"), CODES, TODAY
    )
    assert check.fatal and any(i.column == "surname" for i in check.issues)


def _records() -> list[dict]:
    check = check_source(read_table(FIXTURES / "linkage" / "npo_list.csv", sheet="x"), CODES, TODAY)
    return [link_record(row, "npo", values, LINEAGE) for row, values in check.rows]


def test_link_record_normalises_and_flags_name_only() -> None:
    full, initials, bad, _nameless, name_only, _by_name = _records()
    assert full["id_valid"] and full["birth_date"] == "1980-01-01" and full["sex"] == "F"
    assert full["district_code"] == "ETH" and full["province_code"] == "KZN"
    assert initials["initials_only"] and initials["initials"] == "ng" and initials["name_only"]
    assert not bad["id_valid"] and bad["id_number"] == "8001010009083" and not bad["name_only"]
    assert name_only["name_only"] and name_only["area_code"] == "XX999"


def _rec(uid: int, **kw: object) -> dict:
    base = {"unique_id": uid, "id_number": None, "id_valid": False, "birth_date": None,
            "surname_key": "1", "first_key": "2", "name_key": "1|2", "first_aliases": ["a"],
            "surname_tokens": ["s"], "initials": "a", "surname": "s",
            "first_name": "a"}  # fmt: skip
    return {**base, **kw}


def test_same_valid_id_links_unless_names_or_birth_dates_disagree() -> None:
    rows = [
        _rec(1, id_number="X", id_valid=True),
        _rec(2, id_number="X", id_valid=True, first_key="9", first_aliases=["b"]),  # married
        _rec(
            3,
            id_number="X",
            id_valid=True,
            surname_key="7",
            first_key="8",
            name_key="7|8",
            first_aliases=["z"],
            surname_tokens=["q"],
            initials="z",
            surname="q",
            first_name="z",
        ),
        _rec(4, id_number="Y", id_valid=True, birth_date="1980-01-01"),
        _rec(5, id_number="Y", id_valid=True, birth_date="1995-06-30"),
        _rec(6, id_number="Y", id_valid=True, birth_date="1980-01-07"),  # one digit off
    ]
    rule = deterministic_links(pd.DataFrame(rows))
    assert set(rule.links) == {(1, 2), (4, 6)}
    assert set(rule.doubtful) == {(1, 3), (4, 5)}


def test_cluster_respects_cannot_link_and_distinct_ids() -> None:
    ids = {1: "A", 2: None, 3: "B", 4: None, 5: None}
    # 1-2 and 2-3 would chain A and B together: the weaker link is skipped.
    person = cluster(ids, [], [(1, 2), (2, 3), (4, 5)], [])
    assert person[1] == person[2] != person[3] and person[4] == person[5] == 4
    rejected = cluster(ids, [], [(1, 2), (4, 5)], [(1, 2)])
    assert rejected[1] != rejected[2]
    forced = cluster(ids, [(1, 3)], [], [])  # a reviewer's accept overrides the ID guard
    assert forced[1] == forced[3] == 1


def test_review_band_and_names_only_pairs() -> None:
    pairs = pd.DataFrame(
        {
            "unique_id_l": [1, 1, 2, 3, 4],
            "unique_id_r": [2, 3, 5, 4, 5],
            "match_weight": [20.0, 2.0, 20.0, 20.0, -5.0],
            "match_probability": [0.999, 0.8, 0.999, 0.999, 0.03],
        }
    )
    # record 5 has only a name; records 3 and 4 have an ID number and a council number each.
    evidence = pd.Series({1: 0b11, 2: 0b01, 3: 0b01, 4: 0b1000, 5: 0})
    links, review = split_band(pairs, evidence, Band(0.95, 0.5), Decisions())
    assert list(zip(links.unique_id_l, links.unique_id_r, strict=True)) == [(1, 2)]
    keys = zip(review.unique_id_l, review.unique_id_r, strict=True)
    reasons = dict(zip(keys, review.reason, strict=True))
    assert reasons == {(1, 3): UNCERTAIN, (2, 5): NAME_ONLY, (3, 4): NAMES_ONLY}
    decided = Decisions(rejected=frozenset({(1, 2)}))
    links, _ = split_band(pairs, evidence, Band(0.95, 0.5), decided)
    assert links.empty
    with pytest.raises(ValueError):
        Band(0.5, 0.9)


def _source(uid: int, source: str, day: date, valid: bool = True, **values: str) -> SourceRecord:
    return SourceRecord(uid, source, day, values, valid)


def test_golden_record_by_priority_recency_with_provenance_and_conflicts() -> None:
    old, new = date(2025, 1, 1), date(2026, 1, 1)
    records = [
        _source(1, "npo", new, surname="Dlamini", first_names="Nomvula", area_code="ETH",
                id_number="8001010009082", council_number="10-123456"),
        _source(2, "payroll", old, surname="DLAMINI", first_names="N.G.", area_code="KZN225",
                persal_number="12345678", id_number="8001010009082"),
        _source(3, "register", old, False, surname="Dlamini-Nkosi", first_names="Nomvula Grace",
                id_number="8001010009083", council_number="10-123456"),
        _source(4, "npo", old, surname="Dlamini", area_code="ETH", birth_date="1980-01-02"),
    ]  # fmt: skip
    golden = golden_record(1, records, GoldenRules())
    assert golden.values["surname"] == "Dlamini-Nkosi" and golden.provenance["surname"] == 3
    assert golden.values["first_names"] == "Nomvula Grace"  # full names before initials
    assert golden.values["id_number"] == "8001010009082"  # a valid ID before the register's typo
    assert golden.provenance["id_number"] == 2  # payroll outranks the NPO list
    assert golden.values["area_code"] == "KZN225"  # payroll first for where people work
    assert golden.values["birth_date"] == "1980-01-02" and golden.provenance["birth_date"] == 4
    assert golden.conflicts == {"id_number": ["8001010009082", "8001010009083"]}
    assert golden.sources == ["npo", "payroll", "register"]
    newest = golden_record(1, [records[3], records[0]], GoldenRules(priority=()))
    assert newest.provenance["surname"] == 1  # same priority: the newer list wins


def test_every_source_column_is_documented() -> None:
    from ssp_planner.linkage.sources import COLUMNS

    text = (FIXTURES.parent.parent / "docs" / "linkage.md").read_text()
    assert all(f"`{c.name}`" in text for c in COLUMNS)
