"""From parameters and the opening position (plain frames) to the arrays the model runs on.

The service hands in frames read from storage (`Baseline`); nothing here reads a database or
a file, and nothing depends on the needs package: a needs run arrives as a frame of required
posts per province and category.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ssp_planner.domain.vocabulary import Category, Sector
from ssp_planner.errors import SSPError
from ssp_planner.projection.params import ProjectionParams, parse_fy
from ssp_planner.projection.stockflow import OTHER, SCHOLARSHIP, Array, Drivers, Opening, Structure

CATEGORIES = tuple(Category)
WORKFORCE_COLUMNS = ["province", "category", "sector", "age", "rural", "headcount"]


@dataclass(frozen=True)
class Baseline:
    """The opening position as plain frames (the service reads them from storage).

    workforce: province, category, sector, age, rural (bool), headcount — employed people.
    vacancies: province, category, sector, vacant_funded — funded posts nobody holds.
    population: province code -> population (splits national figures over provinces).
    need: province, category, required — a needs run at the start; None: the params' path.
    """

    start_year: int
    provinces: tuple[str, ...]
    workforce: pd.DataFrame
    vacancies: pd.DataFrame
    population: pd.Series
    need: pd.DataFrame | None = None
    demand_source: str = "parameters: demand.path"


@dataclass(frozen=True)
class Inputs:
    opening: Opening
    structure: Structure
    drivers: Drivers
    rural_share: Array  # [P, C, K] share of the employed in rural districts
    province_share: Array  # [P]


def build_inputs(params: ProjectionParams, base: Baseline, years: int, n_scenarios: int) -> Inputs:
    """Opening stocks, fixed rates and baseline drivers repeated for `n_scenarios`."""
    sectors = params.sector_list
    _check_sectors(base, sectors)
    employed, rural = _workforce(params, base, sectors)
    vacant = _cells(base.vacancies, base.provinces, sectors, "vacant_funded")
    pshare = _province_share(params, base)
    opening = Opening(
        students=_students(params, pshare),
        pool=_national(params, pshare, ("unemployed_scholarship", "unemployed")),
        lapsed=_national(params, pshare, ("lapsed",))[..., 0],
        employed=employed,
        posts=employed.sum(-1) + vacant,
    )
    share = np.divide(rural, employed.sum(-1), out=np.zeros_like(rural), where=employed.sum(-1) > 0)
    structure = build_structure(params)
    drivers = base_drivers(params, base, opening, pshare, years, n_scenarios)
    return Inputs(opening, structure, drivers, share, pshare)


def _check_sectors(base: Baseline, sectors: list[Sector]) -> None:
    known = {s.value for s in sectors}
    extra = sorted(set(base.workforce["sector"].astype(str)) - known)
    if extra:
        raise SSPError(
            f"The inventory has SSPs in sector(s) {', '.join(extra)}, which the projection "
            f"parameters do not describe. Fix: add [sectors.{extra[0]}] to your parameters file."
        )


def _index(values: pd.Series, labels: list[str]) -> np.ndarray:
    pos = {lab: i for i, lab in enumerate(labels)}
    return values.astype(str).map(pos).to_numpy()


def _workforce(
    params: ProjectionParams, base: Baseline, sectors: list[Sector]
) -> tuple[Array, Array]:
    """Head-count [P, C, K, A] by single-year age (clipped into the stock's age range), and the
    rural part of it summed over ages [P, C, K]."""
    w = base.workforce
    young, old = int(params.ages.youngest.value), params.oldest
    shape = (len(base.provinces), len(CATEGORIES), len(sectors), old - young + 1)
    employed = np.zeros(shape)
    rural = np.zeros(shape[:3])
    if w.empty:
        return employed, rural
    p = _index(w["province"], list(base.provinces))
    c = _index(w["category"], [x.value for x in CATEGORIES])
    k = _index(w["sector"], [s.value for s in sectors])
    a = np.clip(w["age"].to_numpy(dtype=np.int64), young, old) - young
    ok = ~(pd.isna(p) | pd.isna(c) | pd.isna(k))
    p, c, k, a = (np.asarray(x[ok], dtype=np.int64) for x in (p, c, k, a))
    heads = w["headcount"].to_numpy(dtype=float)[ok]
    np.add.at(employed, (p, c, k, a), heads)
    np.add.at(rural, (p, c, k), heads * w["rural"].to_numpy(dtype=bool)[ok])
    return employed, rural


def _cells(
    frame: pd.DataFrame, provinces: tuple[str, ...], sectors: list[Sector], col: str
) -> Array:
    out = np.zeros((len(provinces), len(CATEGORIES), len(sectors)))
    if frame.empty:
        return out
    p = _index(frame["province"], list(provinces))
    c = _index(frame["category"], [x.value for x in CATEGORIES])
    k = _index(frame["sector"], [s.value for s in sectors])
    ok = ~(pd.isna(p) | pd.isna(c) | pd.isna(k))
    idx = tuple(np.asarray(x[ok], dtype=np.int64) for x in (p, c, k))
    np.add.at(out, idx, frame[col].to_numpy(dtype=float)[ok])
    return out


def _province_share(params: ProjectionParams, base: Baseline) -> Array:
    if params.province_share:
        return np.array(
            [
                params.province_share[p].value if p in params.province_share else 0.0
                for p in base.provinces
            ]
        )
    pop = base.population.reindex(list(base.provinces)).fillna(0).to_numpy(dtype=float)
    if pop.sum() <= 0:
        return np.full(len(base.provinces), 1.0 / len(base.provinces))
    return pop / pop.sum()


def _national(params: ProjectionParams, pshare: Array, fields: tuple[str, ...]) -> Array:
    """National counts per category, split over provinces: [P, C, len(fields)]."""
    per_cat = np.array(
        [[getattr(params.categories[c], f).value for f in fields] for c in CATEGORIES]
    )
    return pshare[:, None, None] * per_cat[None]


STUDY_MEMORY = 10  # years of today's intake that make up the opening student stock


def _students(params: ProjectionParams, pshare: Array) -> Array:
    """Students in each year of study at the start: what STUDY_MEMORY years of today's intake
    leave behind (year 1 holds intake × Σk stay^k, k = 0..10; year y the same of what passed
    from y − 1). Near the steady state intake ÷ (1 − stay), but finite when almost nobody
    passes or leaves. [P, C, F, Y]."""
    prog, drop = _study_rates(params)
    intake = _national(params, pshare, ("scholarship_intake", "intake"))  # [P, C, F]
    stay = 1.0 - prog - drop
    out = np.zeros((*intake.shape, prog.shape[1]))
    flow = intake
    for y in range(prog.shape[1]):
        live = (params_years(params) > y)[None, :, None]
        level = flow * _repeats(stay[None, :, None, y])
        out[..., y] = np.where(live, level, 0.0)
        flow = out[..., y] * prog[None, :, None, y]
    return out


def _repeats(stay: Array) -> Array:
    """Σk stay^k for k = 0..STUDY_MEMORY (a geometric sum; STUDY_MEMORY + 1 when stay = 1)."""
    n = STUDY_MEMORY + 1
    safe = np.where(stay < 1, stay, 0.0)
    return np.where(stay < 1, (1 - safe**n) / (1 - safe), float(n))


def params_years(params: ProjectionParams) -> np.ndarray:
    return np.array([params.categories[c].study_years for c in CATEGORIES])


def _study_rates(params: ProjectionParams) -> tuple[Array, Array]:
    n_y = int(params_years(params).max())
    prog, drop = np.zeros((len(CATEGORIES), n_y)), np.zeros((len(CATEGORIES), n_y))
    for i, c in enumerate(CATEGORIES):
        cat = params.categories[c]
        prog[i, : cat.study_years] = cat.progression.values
        drop[i, : cat.study_years] = cat.dropout.values
    return prog, drop


def build_structure(params: ProjectionParams) -> Structure:
    """The fixed rates, by age and sector, on the stock's single-year age axis."""
    young, old = int(params.ages.youngest.value), params.oldest
    ages = np.arange(young, old + 1)
    band = np.searchsorted(np.array(params.attrition.age_bands), ages, side="right") - 1
    starts = np.flatnonzero(np.r_[True, band[1:] != band[:-1]])
    sectors = list(params.sectors.values())
    prog, drop = _study_rates(params)
    years = params_years(params)
    final = np.arange(prog.shape[1])[None, :] == (years - 1)[:, None]
    entry = _entry_ages(params, ages, 0)
    obligation = int(params.scholarship.obligation_years.value)
    bond = _entry_ages(params, ages, obligation)
    used = np.flatnonzero((entry > 0) | (bond > 0))
    return Structure(
        progression=prog,
        dropout=drop,
        final_year=final,
        resignation=np.array([np.array(s.resignation.values)[band] for s in sectors]),
        emigration=np.array(params.attrition.emigration.values)[band],
        band_starts=starts,
        resignation_band=np.array([np.array(s.resignation.values)[band[starts]] for s in sectors]),
        emigration_band=np.array(params.attrition.emigration.values)[band[starts]],
        retirement_age_index=tuple(int(s.retirement_age.value) - young for s in sectors),
        entry_ages=entry,
        bond_ages=bond,
        entry_window=(int(used[0]), int(used[-1]) + 1),
        obligation_years=obligation,
        breach=params.scholarship.breach_rate.value,
        pool_exit=params.pool.exit_rate.value,
        reentry=params.lapsed.reentry_rate.value,
        lapsed_exit=params.lapsed.exit_rate.value,
        funded=np.array([s.funded for s in sectors]),
        new_post_share=np.array([s.new_post_share.value for s in sectors]),
        gov=_gov_index(params),
        cost_per_post=np.array([params.categories[c].cost_per_post.value for c in CATEGORIES]),
        scholarship_cost=params.scholarship.cost_per_student_year.value,
    )


def _gov_index(params: ProjectionParams) -> int:
    sectors = params.sector_list
    return sectors.index(Sector.GOVERNMENT) if Sector.GOVERNMENT in sectors else 0


def _entry_ages(params: ProjectionParams, ages: np.ndarray, shift: int) -> Array:
    """A discretised normal of the age of new hires, `shift` years older, within the stock;
    cut at 4 standard deviations, so that hiring touches only the ages hires have."""
    mean, sd = params.ages.graduate_mean.value + shift, params.ages.graduate_sd.value
    z = (ages - mean) / sd
    w = np.where(np.abs(z) <= 4, np.exp(-0.5 * z**2), 0.0)
    if w.sum() <= 0:  # the mean lies far outside the age range: everyone at the nearest age
        w = np.zeros(len(ages))
        w[int(np.clip(round(mean) - ages[0], 0, len(ages) - 1))] = 1.0
    return w / w.sum()


def base_drivers(
    params: ProjectionParams, base: Baseline, opening: Opening, pshare: Array, years: int, n_s: int
) -> Drivers:
    """The baseline's drivers, one copy per scenario (scenarios then change their copy)."""
    n_p, n_c, n_k = opening.posts.shape
    intake = _national(params, pshare, ("scholarship_intake", "intake"))
    budget = list(params.posts.budget.values) or [0.0]
    budget_path = np.array([budget[min(i, len(budget) - 1)] for i in range(years)])
    demand = baseline_demand(params, base, opening, pshare, years)
    return Drivers(
        intake=np.broadcast_to(intake, (n_s, years, n_p, n_c, 2)).copy(),
        retention=np.ones((n_s, years, n_p, n_c, n_k)),
        fill=np.full((n_s, years, n_p, n_c), params.hiring.fill_rate.value),
        growth=np.full((n_s, years), params.posts.budget_growth.value),
        plan_posts=np.broadcast_to(_plan(params, base, years), (n_s, years, n_p, n_c, n_k)).copy(),
        budget=np.broadcast_to(budget_path, (n_s, years)).copy(),
        demand=np.broadcast_to(demand, (n_s, years + 1, n_p, n_c)).copy(),
        retention_cost=np.zeros((n_s, years, n_p, n_c, n_k)),
        hire_cost=np.zeros((n_s, years, n_p, n_c)),
    )


def _plan(params: ProjectionParams, base: Baseline, years: int) -> Array:
    """The allocation plan's new posts [T, P, C, K]; entries outside the horizon are errors."""
    sectors = params.sector_list
    out = np.zeros((years, len(base.provinces), len(CATEGORIES), len(sectors)))
    for n, e in enumerate(params.posts.plan):
        t = parse_fy(e.period) - base.start_year
        if not 1 <= t <= years:
            raise SSPError(
                f"posts.plan[{n}].period: {e.period} is outside the projected years "
                f"{base.start_year + 1}April-{base.start_year + years}April. "
                "Fix: move the entry into the horizon, or change --years."
            )
        if e.sector not in sectors or not params.sectors[e.sector].funded:
            raise SSPError(
                f"posts.plan[{n}].sector: '{e.sector}' is not a funded sector. "
                "Fix: use a sector with funded = true."
            )
        if e.province not in base.provinces:
            raise SSPError(
                f"posts.plan[{n}].province: '{e.province}' is not a stored province. "
                f"Fix: use one of {', '.join(base.provinces)}."
            )
        out[
            t - 1,
            base.provinces.index(e.province),
            CATEGORIES.index(e.category),
            sectors.index(e.sector),
        ] += e.posts
    return out


def baseline_demand(
    params: ProjectionParams, base: Baseline, opening: Opening, pshare: Array, years: int
) -> Array:
    """Required SSPs [T + 1, P, C]: a needs run grown by demand.growth a year, or the
    parameters' national path, reached linearly from today's supply."""
    growth = (1.0 + params.demand.growth.value) ** np.arange(years + 1)
    if base.need is not None and not base.need.empty:
        need = _need_cells(base)
        return need[None] * growth[:, None, None]
    supply0 = opening.employed.sum((-1, -2))  # [P, C]
    cshare = np.array([params.demand.category_share[c].value for c in CATEGORIES])
    split = pshare[:, None] * cshare[None]
    points = [(parse_fy(p.period) - base.start_year, p.total.value) for p in params.demand.path]
    points = [(t, v) for t, v in points if t > 0]
    out = np.empty((years + 1, *supply0.shape))
    for t in range(years + 1):
        out[t] = _path_value(t, points, supply0, split, params.demand.growth.value)
    return out


def _path_value(
    t: int, points: list[tuple[int, float]], supply0: Array, split: Array, g: float
) -> Array:
    if not points:
        return supply0 * (1.0 + g) ** t
    prev_t, prev = 0, supply0
    for pt, total in points:
        target = split * total
        if t <= pt:
            w = (t - prev_t) / (pt - prev_t)
            return prev + (target - prev) * w
        prev_t, prev = pt, target
    return prev * (1.0 + g) ** (t - prev_t)


def _need_cells(base: Baseline) -> Array:
    assert base.need is not None
    out = np.zeros((len(base.provinces), len(CATEGORIES)))
    need = base.need
    p = _index(need["province"], list(base.provinces))
    c = _index(need["category"], [x.value for x in CATEGORIES])
    ok = ~(pd.isna(p) | pd.isna(c))
    np.add.at(
        out,
        (np.asarray(p[ok], dtype=np.int64), np.asarray(c[ok], dtype=np.int64)),
        need["required"].to_numpy(dtype=float)[ok],
    )
    return out


__all__ = ["OTHER", "SCHOLARSHIP", "WORKFORCE_COLUMNS", "Baseline", "Inputs", "build_inputs"]
