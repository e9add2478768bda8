"""Area levels and the bundled South African hierarchy (Municipal Demarcation Board codes)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources


class AreaLevel(StrEnum):
    COUNTRY = "country"
    PROVINCE = "province"
    DISTRICT = "district"
    MUNICIPALITY = "municipality"
    WARD = "ward"

    @property
    def depth(self) -> int:
        return list(AreaLevel).index(self)


# Where each population column of the bundled areas.csv comes from (data/AREAS_SOURCE.md).
POPULATION_SOURCES: dict[str, tuple[str, str]] = {
    "population_2022": ("2022", "Stats SA Census 2022"),
    "population_2016_cs": ("2016", "Stats SA Community Survey 2016 (via OpenUpSA/wazimap-za)"),
    "population_2011_census": ("2011", "Stats SA Census 2011 on 2016 boundaries (via wazimap-za)"),
}
POPULATION = "population"
WARDS = "wards"
# Area indicators splitting the population by age and sex (the demo generates them; the needs
# model sums them for children and stands them in for `population` when it is absent).
AGE_SEX_GROUPS = (
    "population_0_17_female",
    "population_0_17_male",
    "population_18_59_female",
    "population_18_59_male",
    "population_60plus_female",
    "population_60plus_male",
)


@dataclass(frozen=True)
class AreaRow:
    """One row of an area table: its code is unique together with its level (metros repeat)."""

    code: str
    name: str
    level: AreaLevel
    parent_code: str | None
    populations: dict[str, int | None]  # period -> count, None where no source gave a figure
    source: str


def bundled_areas() -> list[AreaRow]:
    """The South African areas shipped with the package (see data/AREAS_SOURCE.md)."""
    text = resources.files("ssp_planner.data").joinpath("areas.csv").read_text("utf-8")
    return parse_area_rows(text.splitlines())


def parse_area_rows(lines: list[str]) -> list[AreaRow]:
    rows = []
    for rec in csv.DictReader(lines):
        pops = {
            period: int(rec[col]) if rec.get(col) else None
            for col, (period, _src) in POPULATION_SOURCES.items()
        }
        rows.append(
            AreaRow(
                code=rec["code"],
                name=rec["name"],
                level=AreaLevel(rec["level"]),
                parent_code=rec["parent_code"] or None,
                populations=pops,
                source=rec["source"],
            )
        )
    return rows


def parent_level(row: AreaRow) -> AreaLevel | None:
    """A metro's municipality row has itself (a district) as parent; others sit one level up."""
    if row.parent_code is None:
        return None
    return list(AreaLevel)[row.level.depth - 1]
