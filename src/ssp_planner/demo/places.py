"""Where demo people work, and synthetic indicators for those places.

Everything here is derived from the area table (codes, parents, 2016 populations) plus the seed.
Rurality is a proxy from municipality size, since the area table carries no poverty data: small
municipalities are treated as more rural (more children and older people, bigger households,
more vacancies), metros as fully urban.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ssp_planner.domain.areas import AGE_SEX_GROUPS, AreaLevel, AreaRow

POPULATION_PERIOD = "2016"
ISSUES_PERIOD = "2024"
# Municipalities at or above this size count as urban; at or below RURAL_POP as fully rural.
URBAN_POP, RURAL_POP = 600_000, 20_000


@dataclass(frozen=True)
class Geography:
    """Municipality-level places (locals and metros) with their district and province."""

    muni_codes: list[str]
    muni_names: list[str]
    muni_pop: np.ndarray  # int, 2016
    muni_district: np.ndarray  # index into district_codes
    is_metro: np.ndarray  # bool
    rurality: np.ndarray  # 0 (metro/city) .. 1 (small rural municipality)
    district_codes: list[str]
    district_names: list[str]
    district_pop: np.ndarray
    district_province: np.ndarray  # index into province_codes
    province_codes: list[str]
    province_names: list[str]

    @property
    def muni_province(self) -> np.ndarray:
        return self.district_province[self.muni_district]


def _pop(row: AreaRow) -> int:
    return row.populations.get(POPULATION_PERIOD) or 0


def build_geography(areas: list[AreaRow]) -> Geography:
    """Index the area table; metros appear as both a district and a municipality row."""
    provs = [r for r in areas if r.level is AreaLevel.PROVINCE]
    prov_ix = {r.code: i for i, r in enumerate(provs)}
    dists = [r for r in areas if r.level is AreaLevel.DISTRICT and r.parent_code in prov_ix]
    dist_ix = {r.code: i for i, r in enumerate(dists)}
    munis = [r for r in areas if r.level is AreaLevel.MUNICIPALITY and r.parent_code in dist_ix]
    if not munis or sum(_pop(r) for r in munis) == 0:
        raise ValueError("areas need municipality rows (with 2016 populations) under districts")
    pop = np.array([_pop(r) for r in munis], dtype=np.int64)
    metro = np.array([r.code == r.parent_code for r in munis])
    return Geography(
        muni_codes=[r.code for r in munis],
        muni_names=[r.name for r in munis],
        muni_pop=pop,
        muni_district=np.array([dist_ix[str(r.parent_code)] for r in munis], dtype=np.int64),
        is_metro=metro,
        rurality=np.where(metro, 0.0, _rurality(pop)),
        district_codes=[r.code for r in dists],
        district_names=[r.name for r in dists],
        district_pop=np.array([_pop(r) for r in dists], dtype=np.int64),
        district_province=np.array([prov_ix[str(r.parent_code)] for r in dists], np.int64),
        province_codes=[r.code for r in provs],
        province_names=[r.name for r in provs],
    )


def _rurality(pop: np.ndarray) -> np.ndarray:
    span = np.log(URBAN_POP) - np.log(RURAL_POP)
    return np.clip((np.log(URBAN_POP) - np.log(np.maximum(pop, 1))) / span, 0.0, 1.0)


def _age_sex_shares(rng: np.random.Generator, rural: np.ndarray) -> np.ndarray:
    """Rough SA age structure: ~30-42% children, 7-11% aged 60+, more women among adults."""
    jitter = np.exp(rng.normal(0.0, 0.05, size=(len(rural), 2)))
    child = (0.30 + 0.12 * rural) * jitter[:, 0]
    old = (0.07 + 0.04 * rural) * jitter[:, 1]
    adult = 1.0 - child - old
    f_child, f_adult, f_old = 0.495, 0.505 + 0.03 * rural, 0.60
    cols = [child * f_child, child * (1 - f_child), adult * f_adult]
    cols += [adult * (1 - f_adult), old * f_old, old * (1 - f_old)]
    shares = np.column_stack(cols)
    return shares / shares.sum(axis=1, keepdims=True)


def _issue_counts(
    rng: np.random.Generator, groups: np.ndarray, households: np.ndarray, rural: np.ndarray
) -> dict[str, np.ndarray]:
    """Poisson counts from synthetic rates per relevant population, lognormal area noise."""
    children = groups[:, 0] + groups[:, 1]
    women = groups[:, 2] + groups[:, 4]
    adults = groups[:, 2] + groups[:, 3]
    older = groups[:, 4] + groups[:, 5]
    total = groups.sum(axis=1)
    means = {
        "child_protection_reports": children * 0.006 * (1 + 0.5 * rural),
        "gbv_cases": women * 0.004 * (1 + 0.2 * rural),
        "substance_abuse_cases": adults * 0.003 * (1.2 - 0.4 * rural),
        "older_persons_in_need": older * 0.08 * (1 + 0.5 * rural),
        "persons_with_disability": total * 0.065 * (1 + 0.3 * rural),
        "migrants": total * 0.02 * (1 + 2.0 * (1 - rural)),
        "disaster_affected_households": households * 0.006 * rng.lognormal(0, 0.8, len(rural)),
    }
    return {
        name: rng.poisson(mean * rng.lognormal(0.0, 0.25, len(rural))).astype(np.int64)
        for name, mean in means.items()
    }


def _to_districts(geo: Geography, values: np.ndarray) -> np.ndarray:
    """District value = sum over its municipalities (so the two levels agree)."""
    out = np.zeros((len(geo.district_codes), *values.shape[1:]), dtype=np.int64)
    np.add.at(out, geo.muni_district, values)
    return out


def _district_groups(geo: Geography, muni_groups: np.ndarray) -> np.ndarray:
    """Sum municipalities, then put the (±few) rounding gap of the source into one group so
    each district's groups add up exactly to the district's own 2016 population."""
    groups = _to_districts(geo, muni_groups)
    groups[:, 2] += geo.district_pop - groups.sum(axis=1)
    if (groups < 0).any():
        raise ValueError("district and municipality populations disagree beyond rounding")
    return groups


PEOPLE_PER_WARD = 12_500  # synthetic stand-in until real ward areas are imported


def area_indicators(geo: Geography, rng: np.random.Generator, seed: int) -> list[dict]:
    """Age/sex split (period 2016) and social-issue counts (2024) per district and municipality.

    Metros are emitted once, at district level, under their metro code.
    """
    rural = geo.rurality
    groups = rng.multinomial(geo.muni_pop, _age_sex_shares(rng, rural))
    hh_size = (3.0 + 0.9 * rural) * np.exp(rng.normal(0.0, 0.05, len(rural)))
    households = np.rint(geo.muni_pop / hh_size).astype(np.int64)
    issues = _issue_counts(rng, groups, households, rural)
    tables = {**{g: groups[:, i] for i, g in enumerate(AGE_SEX_GROUPS)}, "households": households}
    tables["wards"] = np.maximum(1, np.rint(geo.muni_pop / PEOPLE_PER_WARD)).astype(np.int64)
    tables.update(issues)
    d_groups = _district_groups(geo, groups)
    d_tables = {g: d_groups[:, i] for i, g in enumerate(AGE_SEX_GROUPS)}
    d_tables.update({k: _to_districts(geo, v) for k, v in tables.items() if k not in d_tables})
    local = [i for i in range(len(geo.muni_codes)) if not geo.is_metro[i]]
    rows = _rows(seed, AreaLevel.DISTRICT, geo.district_codes, d_tables, range(len(d_groups)))
    return rows + _rows(seed, AreaLevel.MUNICIPALITY, geo.muni_codes, tables, local)


_METHODS = {
    **{g: "age/sex split of the Stats SA Community Survey 2016 population" for g in AGE_SEX_GROUPS},
    "households": "2016 population divided by a household size of 3.0 (urban) to 3.9 (rural)",
    "wards": f"2016 population divided by {PEOPLE_PER_WARD:,} people per ward "
    "(a stand-in, not the Municipal Demarcation Board's ward count)",
}
_ISSUE_METHOD = "Poisson count from an assumed rate per relevant population group"


def _rows(
    seed: int,
    level: AreaLevel,
    codes: list[str],
    tables: dict[str, np.ndarray],
    which: Iterable[int],
) -> list[dict]:
    which = list(which)
    summed = "; summed over municipalities" if level is AreaLevel.DISTRICT else ""
    rows = []
    for name, values in tables.items():
        period = POPULATION_PERIOD if name in _METHODS else ISSUES_PERIOD
        method = _METHODS.get(name, _ISSUE_METHOD) + summed
        source = f"synthetic demo data (seed {seed}): {method}"
        vals = values.tolist()
        for i in which:
            rows.append(
                {
                    "area_code": codes[i],
                    "area_level": level.value,
                    "indicator": name,
                    "period": period,
                    "value": float(vals[i]),
                    "source": source,
                }
            )
    return rows
