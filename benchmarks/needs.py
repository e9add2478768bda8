"""Benchmark: need for every ward in the country × all categories × 10 scenarios.

About 4,500 synthetic wards are generated deterministically (seeded) under the bundled
municipalities: each municipality's synthetic demo indicators are split over its wards. Ours is
`compute_need` (vectorised over wards). The peer is how a department spreadsheet computes the
same ratio + WISN formula: one formula per row, here a pandas `apply` over the wards with plain
Python arithmetic. Both start from the same scenario (`apply_scenario`), and the quality check is
the largest absolute difference between their required posts. Run: `make bench` (or
python benchmarks/needs.py from the repository root). Aim: under 2 s for the whole set.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import pandas as pd

from _common import timed, write_results
from ssp_planner.demo.places import AGE_SEX_GROUPS, area_indicators, build_geography
from ssp_planner.domain.areas import AreaLevel, bundled_areas, parent_level
from ssp_planner.domain.vocabulary import Category
from ssp_planner.needs import (
    BASELINE,
    Disaster,
    MigrantInflow,
    NewLaw,
    Norms,
    PopulationGrowth,
    Scenario,
    ServiceNorm,
    Sourced,
    apply_scenario,
    compute_need,
    load_norms,
    need_table,
)

SEED = 2025
AIM_SECONDS = 2.0


# --- synthetic wards ---------------------------------------------------------------------------


def municipality_indicators(seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """Demo indicators per municipality (metros from their district rows) and their provinces."""
    geo = build_geography(bundled_areas())
    rows = pd.DataFrame(area_indicators(geo, np.random.default_rng(seed), seed=seed))
    metros = {c for c, m in zip(geo.muni_codes, geo.is_metro, strict=True) if m}
    keep = (rows.area_level == "municipality") | rows.area_code.isin(metros)
    wide = rows[keep].pivot_table(index="area_code", columns="indicator", values="value")
    province = pd.Series(
        [geo.province_codes[p] for p in geo.muni_province], index=geo.muni_codes
    ).reindex(wide.index)
    return wide, province


def split_into_wards(munis: pd.DataFrame, target: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """About `target` wards in all, in proportion to population; ward codes are synthetic."""
    rng = np.random.default_rng(seed)
    pop = munis[list(AGE_SEX_GROUPS)].sum(axis=1)
    counts = np.maximum(1, np.rint(pop / pop.sum() * target)).astype(int)
    blocks, parents = [], []
    for i, (code, n) in enumerate(zip(munis.index, counts, strict=True)):
        shares = rng.dirichlet(np.full(n, 8.0))
        codes = [f"{i + 1:05d}{k + 1:03d}" for k in range(n)]  # 8 digits, like real ward IDs
        blocks.append(
            pd.DataFrame(
                np.outer(shares, munis.loc[code].to_numpy()), index=codes, columns=munis.columns
            )
        )
        parents += [code] * n
    wards = pd.concat(blocks).assign(wards=1.0)
    return wards, pd.Series(parents, index=wards.index)


def areas_with_wards(parents: pd.Series) -> pd.DataFrame:
    """The bundled area table plus the synthetic ward rows under their municipalities."""
    rows = sorted(bundled_areas(), key=lambda r: r.level.depth)
    ids: dict[tuple[AreaLevel, str], int] = {}
    records: list[tuple[Any, ...]] = []
    for i, row in enumerate(rows, start=1):
        plevel = parent_level(row)
        parent = ids.get((plevel, row.parent_code)) if plevel and row.parent_code else None
        ids[(row.level, row.code)] = i
        records.append((i, row.code, row.level.value, row.name, parent))
    start = len(records) + 1
    for j, (ward, muni) in enumerate(parents.items(), start=start):
        records.append(
            (j, ward, "ward", f"Ward {ward} (synthetic)", ids[(AreaLevel.MUNICIPALITY, muni)])
        )
    return pd.DataFrame(records, columns=["id", "code", "level", "name", "parent_id"])


# --- scenarios ---------------------------------------------------------------------------------


def scenarios(wards_by_province: dict[str, list[str]]) -> list[Scenario]:
    """Ten scenarios for 2030 touching every modifier kind."""
    growth = PopulationGrowth(annual_rate=0.012, base_year=2022)
    floods = Disaster(
        area_codes=wards_by_province["KZN"],
        indicators=["disaster_affected_households", "gbv_cases", "child_protection_reports"],
        multiplier=2.5,
        from_year=2029,
        to_year=2030,
    )
    drought = Disaster(
        area_codes=wards_by_province["EC"],
        indicators=["households"],
        multiplier=1.3,
        from_year=2030,
        to_year=2031,
    )
    inflow = MigrantInflow(area_codes=wards_by_province["GP"], people=2_000, from_year=2026)
    early = NewLaw(
        category=Category.SOCIAL_WORKER,
        service="early_intervention",
        from_year=2027,
        add=_early_intervention(),
    )
    gbv = NewLaw(
        category=Category.SOCIAL_WORKER, service="gbv_case", from_year=2026, uptake_multiplier=1.6
    )
    older = NewLaw(
        category=Category.SOCIAL_AUXILIARY_WORKER,
        service="older_persons_home_visit",
        from_year=2028,
        uptake_multiplier=1.5,
    )
    slow = PopulationGrowth(annual_rate=0.005, base_year=2022)
    sets = {
        "baseline": [],
        "growth 1.2%": [growth],
        "KZN floods": [floods],
        "GP inflow": [inflow],
        "early intervention law": [early],
        "GBV act": [gbv],
        "EC drought": [drought],
        "older persons act": [older],
        "growth 0.5%": [slow],
        "all together": [growth, floods, drought, inflow, early, gbv, older],
    }
    return [
        BASELINE if not mods else Scenario(name=name, year=2030, modifiers=mods)
        for name, mods in sets.items()
    ]


def _early_intervention() -> ServiceNorm:
    return ServiceNorm(
        target=["population_0_17_female", "population_0_17_male"],
        prevalence=Sourced(value=0.01, assumption=True, note="benchmark scenario"),
        uptake=Sourced(value=0.6, assumption=True),
        minutes_per_case=Sourced(value=300, assumption=True),
    )


# --- the peer: one formula per row -------------------------------------------------------------


def peer_need(frame: pd.DataFrame, norms: Norms) -> pd.DataFrame:
    """Required posts per ward and category, row by row, as a spreadsheet formula would."""
    awt = (
        norms.working_time.working_days.value
        - norms.working_time.public_holidays.value
        - norms.working_time.annual_leave.value
        - norms.working_time.sick_leave.value
        - norms.working_time.other_leave.value
    ) * norms.working_time.hours_per_day.value

    def row_need(row: pd.Series) -> pd.Series:
        out = {}
        for category, cat in norms.categories.items():
            out[category.value] = _peer_cell(row, cat, awt)
        return pd.Series(out)

    return frame.apply(row_need, axis=1)


def _peer_cell(row: pd.Series, cat: Any, awt: float) -> float:
    def value(name: str) -> float:
        if name == "population" and name not in row.index:
            return sum(row[g] for g in AGE_SEX_GROUPS)
        return float(row[name])

    ratio = max(sum(value(t) for t in r.target) / r.per.value for r in cat.ratios.values())
    staff = 0.0
    for s in cat.services.values():
        cases = sum(value(t) for t in s.target) * s.prevalence.value * s.uptake.value
        staff += cases / (awt * 60 / s.minutes_per_case.value)
    cas = sum(a.value for a in cat.allowances.values())
    iaf = sum(a.hours_per_staff.value * a.staff.value for a in cat.individual.values()) / awt
    work = staff / (1 - cas / 100) + iaf
    practitioners = {"ratio": ratio, "wisn": work}.get(cat.method, max(ratio, work))
    per = cat.supervisor_per.value if cat.supervisor_per else None
    return practitioners * (1 + (1 / per if per else 0))


# --- run ---------------------------------------------------------------------------------------


def run(target_wards: int) -> tuple[list[dict[str, object]], str]:
    munis, province = municipality_indicators(SEED)
    wards, parents = split_into_wards(munis, target_wards, SEED)
    by_province = {p: list(parents.index[parents.map(province) == p]) for p in set(province)}
    norms, cases = load_norms(), scenarios(by_province)
    n, k = len(wards), len(Category)

    ours_s, ours = timed(lambda: [compute_need(wards, norms, scenario=s) for s in cases])
    peer_s, peer = timed(lambda: [peer_need(*apply_scenario(wards, norms, s)) for s in cases])
    diff = max(_max_difference(o, p) for o, p in zip(ours, peer, strict=True))

    areas = areas_with_wards(parents)
    supply = _synthetic_supply(ours[0])
    table_s, table = timed(lambda: need_table(ours[-1], supply, areas, pd.Series(dtype=float)))
    task = f"{n:,} wards × {k} categories × {len(cases)} scenarios"
    rows = [
        _row("ssp compute_need (vectorised)", task, ours_s, ours_s, "reference"),
        _row("pandas apply, one formula per row", task, peer_s, ours_s, f"{diff:.2e} posts"),
        _row(
            "ssp need_table (roll-up, 1 scenario)",
            f"{len(table):,} rows, 5 levels",
            table_s,
            None,
            "-",
        ),
    ]
    verdict = "met" if ours_s < AIM_SECONDS else "NOT met"
    note = (
        f"\nAim: the whole set under {AIM_SECONDS:g} s: {verdict} ({ours_s:.2f} s). "
        f"Required posts nationally: baseline {ours[0]['required'].sum():,.0f}, "
        f"'{cases[-1].name}' {ours[-1]['required'].sum():,.0f}. "
        "The peer is given the same scenario-adjusted inputs (apply_scenario, timed with it). "
        f"SYNTHETIC DATA: wards and indicators generated from seed {SEED}; norms are the "
        "packaged defaults, many of them assumptions.\n"
    )
    return rows, note


def _max_difference(ours: pd.DataFrame, peer: pd.DataFrame) -> float:
    wide = ours.pivot(index="area_code", columns="category", values="required")
    return float(np.abs(wide.sort_index() - peer.sort_index()[wide.columns]).to_numpy().max())


def _synthetic_supply(need: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    filled = rng.poisson(need["required"].to_numpy() * 0.6)
    return need[["area_code", "category"]].assign(
        filled=filled, vacant_funded=rng.poisson(0.3, len(need))
    )


def _row(tool: str, task: str, secs: float, ours: float | None, quality: str) -> dict[str, object]:
    return {
        "tool": tool,
        "task": task,
        "seconds": f"{secs:.2f}",
        "× ours": f"{secs / ours:.1f}" if ours else "-",
        "max |Δ required| vs ours": quality,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wards", type=int, default=4_500, help="about how many wards")
    args = parser.parse_args()
    rows, note = run(args.wards)
    print(write_results("needs", "Needs model: every ward × categories × scenarios", rows, note))


if __name__ == "__main__":
    main()
