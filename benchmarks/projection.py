"""Benchmark: the pipeline projection, 1,000 scenarios × 10 years × 9 provinces × 5 categories.

Ours is the vectorised stock-flow model (numpy over scenarios × provinces × categories ×
sectors × ages, looping over years only). The peer is the same equations written the way a
spreadsheet-minded analyst would in Python: one object per province × category cell, loops
over scenarios, years, sectors and ages. The peer is run on a sample of the scenarios (it is
too slow for all 1,000) and timed per scenario; on that sample it also checks our numbers.
Run: `make bench` (or python benchmarks/projection.py).
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from _common import timed, write_results
from ssp_planner.domain.vocabulary import Category
from ssp_planner.projection import Baseline, load_params, project
from ssp_planner.projection.inputs import Inputs, build_inputs
from ssp_planner.projection.params import DEFAULT_PROVINCES
from ssp_planner.projection.run import BASELINE_SCENARIO
from ssp_planner.projection.scenarios import (
    Absorption,
    Context,
    NewPosts,
    Retention,
    Scenario,
    Scholarships,
    apply_scenarios,
)
from ssp_planner.projection.stockflow import Structure

SECTORS = ("government", "npo", "private")


def synthetic_baseline(seed: int, people: int = 30_000) -> Baseline:
    """A national workforce of `people` by province, category, sector, age and rurality."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "province": rng.choice(DEFAULT_PROVINCES, people),
            "category": rng.choice(
                [c.value for c in Category], people, p=[0.55, 0.15, 0.08, 0.12, 0.1]
            ),
            "sector": rng.choice(SECTORS, people, p=[0.69, 0.26, 0.05]),
            "age": rng.integers(22, 65, people),
            "rural": rng.random(people) < 0.4,
        }
    )
    workforce = frame.groupby(list(frame.columns)).size().rename("headcount").reset_index()
    vacancies = workforce.groupby(["province", "category", "sector"], as_index=False)[
        "headcount"
    ].sum()
    vacancies["vacant_funded"] = (vacancies.pop("headcount") * 0.08).round()
    population = pd.Series(
        rng.uniform(1e6, 15e6, len(DEFAULT_PROVINCES)), index=list(DEFAULT_PROVINCES)
    )
    return Baseline(2026, DEFAULT_PROVINCES, workforce, vacancies, population)


def random_scenarios(n: int, seed: int) -> list[Scenario]:
    """`n` scenarios, each a random mix of retention, bursaries, absorption and new posts."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        items = [
            Retention(
                kind="retention",
                reduction=float(rng.uniform(0.05, 0.5)),
                where=str(rng.choice(["all", "rural"])),
                cost_per_post=int(rng.integers(0, 80_000)),
            ),
            Scholarships(kind="scholarships", extra_intake=float(rng.uniform(50, 2000))),
            Absorption(
                kind="absorption",
                fill_rate=float(rng.uniform(0.5, 1.0)),
                cost_per_hire=int(rng.integers(0, 10_000)),
            ),
            NewPosts(kind="new_posts", budget=int(rng.integers(0, 10**9))),
        ]
        keep = rng.random(len(items)) < 0.6
        out.append(
            Scenario(
                name=f"s{i:04d}", interventions=[x for x, k in zip(items, keep, strict=True) if k]
            )
        )
    return out


# --- the peer: one Python object per cell -----------------------------------------------------


@dataclass
class Cell:
    """The stocks of one province × category, as nested Python lists."""

    students: list[list[float]]  # [stream][year of study]
    pool: list[float]  # [stream]
    bonded: list[float]  # [years served]
    employed: list[list[float]]  # [sector][age]
    lapsed: float
    posts: list[float]  # [sector]
    supply: list[float] = field(default_factory=list)


def naive_project(inputs: Inputs, s: int) -> np.ndarray:
    """Scenario `s`'s national supply per year, [T + 1], by loops over Python objects."""
    o, st, dr = inputs.opening, inputs.structure, inputs.drivers
    n_p, n_c = o.lapsed.shape
    cells = {
        (p, c): Cell(
            o.students[p, c].tolist(),
            o.pool[p, c].tolist(),
            [0.0] * st.obligation_years,
            o.employed[p, c].tolist(),
            float(o.lapsed[p, c]),
            o.posts[p, c].tolist(),
        )
        for p in range(n_p)
        for c in range(n_c)
    }
    supply = [sum(sum(map(sum, x.employed)) for x in cells.values())]
    for i in range(dr.intake.shape[1]):
        for (p, c), x in cells.items():
            _naive_year(x, st, dr, s, i, p, c)
        _naive_posts(cells, st, dr, s, i)
        for (p, c), x in cells.items():
            _naive_hire(x, st, float(dr.fill[s, i, p, c]))
        supply.append(sum(sum(map(sum, x.employed)) + sum(x.bonded) for x in cells.values()))
    return np.array(supply)


def _naive_year(x: Cell, st: Structure, dr: object, s: int, i: int, p: int, c: int) -> None:
    intake = dr.intake[s, i, p, c]  # type: ignore[attr-defined]
    grads = [0.0, 0.0]
    for f in range(2):
        row = x.students[f]
        new = [0.0] * len(row)
        for y, n in enumerate(row):
            prog, drop = st.progression[c, y], st.dropout[c, y]
            new[y] += n * (1 - prog - drop)
            if st.final_year[c, y]:
                grads[f] += n * prog
            elif y + 1 < len(row):
                new[y + 1] += n * prog
        new[0] += intake[f]
        x.students[f] = new
    resigned = 0.0
    for k, ages in enumerate(x.employed):
        phi = dr.retention[s, i, p, c, k]  # type: ignore[attr-defined]
        aged = [0.0] * len(ages)
        for a, n in enumerate(ages):
            resigned += n * st.resignation[k, a] * phi
            stay = n * (1 - phi * (st.resignation[k, a] + st.emigration[a]))
            if a + 1 < len(ages) and a + 1 < st.retirement_age_index[k]:
                aged[a + 1] += stay
        x.employed[k] = aged
    breach = sum(x.bonded) * st.breach
    if st.obligation_years:
        served = [b * (1 - st.breach) for b in x.bonded]
        done = served[-1]
        x.bonded = [0.0, *served[:-1]]
        for a, w in enumerate(st.bond_ages):
            x.employed[st.gov][a] += done * w
    reentry = x.lapsed * st.reentry
    x.lapsed = x.lapsed * (1 - st.reentry - st.lapsed_exit) + resigned + breach
    x.pool = [u * (1 - st.pool_exit) + g for u, g in zip(x.pool, grads, strict=True)]
    x.pool[1] += reentry


def _naive_posts(
    cells: dict[tuple[int, int], Cell], st: Structure, dr: object, s: int, i: int
) -> None:
    gaps = {}
    for (p, c), x in cells.items():
        for k in range(len(x.posts)):
            grow = 1 + dr.growth[s, i] * st.funded[k]  # type: ignore[attr-defined]
            x.posts[k] = x.posts[k] * grow + dr.plan_posts[s, i, p, c, k]  # type: ignore[attr-defined]
        gaps[(p, c)] = max(dr.demand[s, i + 1, p, c] - sum(x.posts), 0.0)  # type: ignore[attr-defined]
    money = sum(g * st.cost_per_post[c] for (_p, c), g in gaps.items())
    factor = min(dr.budget[s, i] / money, 1.0) if money > 0 else 0.0  # type: ignore[attr-defined]
    for key, x in cells.items():
        for k in range(len(x.posts)):
            x.posts[k] += gaps[key] * factor * st.new_post_share[k]


def _naive_hire(x: Cell, st: Structure, fill: float) -> None:
    want = []
    for k, ages in enumerate(x.employed):
        occupied = sum(ages) + (sum(x.bonded) if k == st.gov else 0.0)
        want.append(fill * max(x.posts[k] - occupied, 0.0))
    bonded = min(want[st.gov], x.pool[0])
    want[st.gov] -= bonded
    pool_s = x.pool[0] - bonded
    avail, total = pool_s + x.pool[1], sum(want)
    hires = min(total, avail)
    share = pool_s / avail if avail > 0 else 0.0
    x.pool = [pool_s - hires * share, x.pool[1] - hires * (1 - share)]
    if not st.obligation_years:
        want[st.gov] += bonded
        bonded = 0.0
    for k, w in enumerate(want):
        h = w * hires / total if total > 0 else 0.0
        h += bonded if (k == st.gov and not st.obligation_years) else 0.0
        for a, e in enumerate(st.entry_ages):
            x.employed[k][a] += h * e
    if st.obligation_years:
        x.bonded[0] += bonded


# --- running ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenarios", type=int, default=1000)
    parser.add_argument("--peer-sample", type=int, default=5)
    args = parser.parse_args()
    params, base = load_params(), synthetic_baseline(seed=7)
    scenarios = random_scenarios(args.scenarios - 1, seed=11)  # plus the baseline: 1,000 runs
    project(params, base, scenarios[:5], years=10)  # warm caches and imports
    runs = [timed(lambda: project(params, base, scenarios, years=10)) for _ in range(3)]
    secs, result = min(runs, key=lambda r: r[0])
    sample = [BASELINE_SCENARIO, *scenarios[: args.peer_sample - 1]]
    inputs = _peer_inputs(params, base, sample)
    peer_secs, peer = timed(lambda: [naive_project(inputs, s) for s in range(len(sample))])
    ours = result.national()
    diff = max(
        float(np.abs(peer[s] - ours.loc[ours["scenario"] == sc.name, "supply"].to_numpy()).max())
        for s, sc in enumerate(sample)
    )
    per_peer = peer_secs / len(sample)
    rows = [
        _row(
            "ssp projection (vectorised numpy)",
            len(result.names),
            secs,
            secs,
            f"balanced: {result.balanced} (largest residual {result.max_residual:.1e})",
        ),
        _row(
            f"per-object Python loops (timed on {len(sample)}, scaled to all)",
            len(result.names),
            per_peer * len(result.names),
            peer_secs,
            f"largest national supply difference from ours: {diff:.1e} people",
        ),
    ]
    note = (
        f"\n{len(result.names)} scenarios × 10 years × 9 provinces × 5 categories "
        "(× 3 sectors × 45 single-year ages in the employed stock); best of 3 runs for ours. "
        f"Ratio peer ÷ ours: {per_peer * len(result.names) / secs:,.0f}×. Target: < 2 s. "
        f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end.\n"
    )
    print(write_results("projection", "Pipeline projection, 1,000 scenarios", rows, note))


def _peer_inputs(params: object, base: Baseline, sample: list[Scenario]) -> Inputs:
    inputs = build_inputs(params, base, 10, len(sample))  # type: ignore[arg-type]
    ctx = Context(
        2026,
        10,
        base.provinces,
        tuple(Category),
        tuple(params.sector_list),
        inputs.structure.funded,
        inputs.rural_share,
        inputs.province_share,
    )  # type: ignore[attr-defined]
    apply_scenarios(inputs.drivers, sample, ctx)
    return inputs


def _row(tool: str, n: int, secs: float, measured: float, quality: str) -> dict[str, object]:
    return {
        "tool": tool,
        "scenarios": f"{n:,}",
        "seconds (all scenarios)": f"{secs:.2f}",
        "ms per scenario": f"{1000 * secs / n:.2f}",
        "seconds measured": f"{measured:.2f}",
        "quality": quality,
    }


if __name__ == "__main__":
    main()
