"""The pipeline stock-flow model, vectorised over scenarios × years × provinces × categories.

Index names as in the code: s scenario, t year (0 = opening, 1..T projected), p province,
c category, f stream (0 scholarship, 1 other), y year of study, k employer sector, a single-year
age (youngest + a), o years of service obligation served. Stocks at the end of year t:

    students  N[f, y]    pool U[f]    bonded B[o]    employed E[k, a]    lapsed L    posts X[k]

Flows in year t, each computed on the opening stocks of the year:

    students   pass = N·prog[y],  drop = N·dropout[y],  grad[f] = pass at the final year
               N'[f, 0] = N·stay + intake[f];   N'[f, y] = N·stay + pass[f, y−1]
    employed   resign = Σa E·res[k, a]·φ,  emig = Σa E·emi[a]·φ   (φ: retention effect, 1 = none)
               survivors age one year; those reaching retirement_age[k] retire
    bonded     breach = B·β;  complete = B[O−1]·(1−β) → E[gov] at the ages new hires have + O
    lapsed     L' = L·(1−ρ−λ) + resign + breach          (reentry = L·ρ to the pool, L·λ lost)
    pool       U'[f] = U·(1−ε) + grad[f] + reentry·[f = other] − take[f]
    posts      X'[k] = X·(1 + g) + plan + budget posts     (funded sectors; the others held)
               budget posts go where need exceeds posts: gap·min(1, budget ÷ Σ gap·cost)
    hiring     W[k] = fill·max(X' − occupied, 0)
               bonded hires = min(W[gov], U[0])           (scholarship holders serve first)
               other hires  = min(ΣW − bonded hires, U[0] + U[1] left), spread ∝ W[k]

Balance, checked for every stock, year, scenario, province and category:
closing − opening = in − out (`balance_residuals`). Supply = Σ E + Σ B.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
SCHOLARSHIP, OTHER = 0, 1

# Stock -> (inflows, outflows): the accounting identity every year must satisfy.
BALANCE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "students": (("intake",), ("dropout", "graduates")),
    "pool": (("graduates", "reentry"), ("hires_bonded", "hires_from_pool", "pool_exit")),
    "bonded": (("bonded_in",), ("breaches", "completions")),
    "employed": (("hires_direct", "completions"), ("resignations", "emigration", "retirements")),
    "lapsed": (("resignations", "breaches"), ("reentry", "lapsed_exit")),
}
STOCKS = ("students", "pool", "bonded", "employed", "lapsed")
FLOWS = tuple(sorted({f for ins, outs in BALANCE.values() for f in ins + outs}))


@dataclass(frozen=True)
class Opening:
    """Stocks at the start (no scenario axis): [P, C, F, Y], [P, C, F], [P, C], [P, C, K, A]."""

    students: Array
    pool: Array
    lapsed: Array
    employed: Array
    posts: Array  # [P, C, K] funded establishment (posts of unfunded sectors: their head-count)


@dataclass(frozen=True)
class Structure:
    """Rates that no scenario changes."""

    progression: Array  # [C, Y]
    dropout: Array  # [C, Y]
    final_year: npt.NDArray[np.bool_]  # [C, Y] the year of study graduates leave from
    resignation: Array  # [K, A]
    emigration: Array  # [A]
    band_starts: npt.NDArray[np.intp]  # [B] first age index of each attrition age band
    resignation_band: Array  # [K, B] (rates are constant within a band)
    emigration_band: Array  # [B]
    retirement_age_index: tuple[int, ...]  # per sector: first age index that retires
    entry_ages: Array  # [A] age distribution of new hires (sums to 1)
    bond_ages: Array  # [A] ages on completing the obligation
    entry_window: tuple[int, int]  # ages [lo, hi) where entry_ages or bond_ages are not 0
    obligation_years: int
    breach: float
    pool_exit: float
    reentry: float
    lapsed_exit: float
    funded: npt.NDArray[np.bool_]  # [K]
    new_post_share: Array  # [K]
    gov: int  # sector index scholarship holders serve in
    cost_per_post: Array  # [C] rands a year
    scholarship_cost: float  # rands per scholarship student a year


@dataclass
class Drivers:
    """What scenarios change, with a leading scenario axis S and year axis T (projected years)."""

    intake: Array  # [S, T, P, C, F]
    retention: Array  # [S, T, P, C, K] multiplier on resignation and emigration
    fill: Array  # [S, T, P, C]
    growth: Array  # [S, T] yearly growth of the funded establishment
    plan_posts: Array  # [S, T, P, C, K]
    budget: Array  # [S, T] rands for new posts
    demand: Array  # [S, T + 1, P, C]
    retention_cost: Array  # [S, T, P, C, K] rands per employed person a year
    hire_cost: Array  # [S, T, P, C] rands per hire
    names: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Trajectory:
    """Stocks, flows and costs, each [S, T + 1, P, C] (flows and costs are NaN at t = 0)."""

    stocks: dict[str, Array]
    flows: dict[str, Array]
    series: dict[str, Array]  # supply, demand, posts, students_scholarship, costs, ...


@dataclass
class _State:
    students: Array  # [S, P, C, F, Y]
    pool: Array  # [S, P, C, F]
    bonded: Array  # [S, P, C, O]
    employed: Array  # [S, P, C, K, A]
    lapsed: Array  # [S, P, C]
    posts: Array  # [S, P, C, K]
    # Work buffers for the employed stock (the only large array): reused every year.
    bands: Array  # [S, P, C, K, B] Σ of E over each age band: the one summing pass a year
    spare: Array  # [S, P, C, K, A] next year's E is written here, then the two swap
    keep: Array  # [S, P, C, K, A] survival factors 1 − φ·(res + emi) for `keep_phi`
    keep_phi: Array | None = None


def simulate(opening: Opening, st: Structure, dr: Drivers) -> Trajectory:
    """Run every scenario over every year at once; loops only over years (and sectors)."""
    n_s, n_t = dr.intake.shape[:2]
    state = _start(opening, st, n_s)
    rec = _Recorder(n_s, n_t, opening.lapsed.shape)
    rec.stocks(0, state, st, dr)
    for i in range(n_t):
        flows, costs = _year(state, st, dr, i)
        rec.stocks(i + 1, state, st, dr)
        rec.flows(i + 1, flows, costs)
    return rec.result()


def _start(o: Opening, st: Structure, n_s: int) -> _State:
    def rep(a: Array) -> Array:
        return np.broadcast_to(a.astype(np.float64), (n_s, *a.shape)).copy()

    p, c = o.lapsed.shape
    employed = rep(o.employed)
    return _State(
        students=rep(o.students),
        pool=rep(o.pool),
        bonded=np.zeros((n_s, p, c, st.obligation_years)),
        employed=employed,
        lapsed=rep(o.lapsed),
        posts=rep(o.posts),
        bands=np.add.reduceat(employed, st.band_starts, axis=-1),
        spare=np.empty_like(employed),
        keep=np.empty_like(employed),
    )


def _year(
    s: _State, st: Structure, dr: Drivers, i: int
) -> tuple[dict[str, Array], dict[str, Array]]:
    """One year of flows (t = i + 1), updating `s` in place; returns flows and costs [S, P, C]."""
    employed_open = s.bands.sum(-1)  # [S, P, C, K]
    students_sch_open = s.students[..., SCHOLARSHIP, :].sum(-1)
    f: dict[str, Array] = {}
    grads = _study(s, st, dr.intake[:, i], f)
    _leave_and_age(s, st, dr.retention[:, i], f)
    _serve(s, st, f)
    _lapse(s, st, f)
    _pool_in(s, st, grads, f)
    f["post_change"] = _grow_posts(s, st, dr, i)
    hires = _hire(s, st, dr.fill[:, i], f)
    s.bands = np.add.reduceat(s.employed, st.band_starts, axis=-1)
    costs = {
        "post_cost": (s.posts * st.funded).sum(-1) * st.cost_per_post,
        "scholarship_cost": students_sch_open * st.scholarship_cost,
        "intervention_cost": (dr.retention_cost[:, i] * employed_open).sum(-1)
        + dr.hire_cost[:, i] * hires,
    }
    return f, costs


def _study(s: _State, st: Structure, intake: Array, f: dict[str, Array]) -> Array:
    """Students pass, drop out or repeat; graduates leave from the final year (returned,
    [S, P, C, F])."""
    n = s.students
    prog = st.progression[None, None, :, None, :]
    drop = st.dropout[None, None, :, None, :]
    final = st.final_year[None, None, :, None, :]
    passing = n * prog
    grads = (passing * final).sum(-1)
    moving = np.where(final, 0.0, passing)
    new = n * (1.0 - prog - drop)
    new[..., 1:] += moving[..., :-1]
    new[..., 0] += intake
    f["intake"] = intake.sum(-1)
    f["dropout"] = (n * drop).sum((-1, -2))
    f["graduates"] = grads.sum(-1)
    s.students = new
    return grads


def _leave_and_age(s: _State, st: Structure, phi: Array, f: dict[str, Array]) -> None:
    """Resignation and emigration (scaled by the retention effect φ), then a birthday each;
    those reaching their sector's retirement age retire. Leavers by sector stay in `f` until
    hiring has used them to know the posts they left."""
    e, aged = s.employed, s.spare
    resign = (s.bands * st.resignation_band).sum(-1) * phi  # Σa E·res = Σ bands · band rate
    emig = (s.bands * st.emigration_band).sum(-1) * phi
    _survival(s, st, phi)
    aged[..., 0] = 0.0
    np.multiply(e[..., :-1], s.keep[..., :-1], out=aged[..., 1:])
    retire = e[..., -1] * s.keep[..., -1]  # the oldest age turns the highest retirement age
    for k, first in enumerate(st.retirement_age_index):
        if first < e.shape[-1]:
            retire[..., k] += aged[..., k, first:].sum(-1)
            aged[..., k, first:] = 0.0
    s.employed, s.spare = aged, e
    f["_left_k"] = resign + emig + retire
    f["resignations"] = resign.sum(-1)
    f["emigration"] = emig.sum(-1)
    f["retirements"] = retire.sum(-1)


def _survival(s: _State, st: Structure, phi: Array) -> None:
    """keep = 1 − φ·(res + emi); recomputed only when φ changed since last year."""
    if s.keep_phi is not None and np.array_equal(s.keep_phi, phi):
        return
    np.multiply(phi[..., None], (st.resignation + st.emigration)[None, None, None], out=s.keep)
    np.subtract(1.0, s.keep, out=s.keep)
    s.keep_phi = phi.copy()


def _serve(s: _State, st: Structure, f: dict[str, Array]) -> None:
    """Bonded scholarship holders serve a year; a few breach; the last year's cohort completes."""
    b = s.bonded
    if st.obligation_years == 0:
        f["breaches"] = f["completions"] = np.zeros(b.shape[:3])
        return
    served = b * (1.0 - st.breach)
    f["breaches"] = b.sum(-1) * st.breach
    f["completions"] = served[..., -1]
    new = np.zeros_like(b)
    new[..., 1:] = served[..., :-1]
    s.bonded = new
    _add_entrants(s.employed[..., st.gov, :], f["completions"], st.bond_ages, st.entry_window)


def _lapse(s: _State, st: Structure, f: dict[str, Array]) -> None:
    lapsed = s.lapsed
    f["reentry"] = lapsed * st.reentry
    f["lapsed_exit"] = lapsed * st.lapsed_exit
    s.lapsed = lapsed * (1.0 - st.reentry - st.lapsed_exit) + f["resignations"] + f["breaches"]


def _pool_in(s: _State, st: Structure, grads: Array, f: dict[str, Array]) -> None:
    f["pool_exit"] = s.pool.sum(-1) * st.pool_exit
    s.pool = s.pool * (1.0 - st.pool_exit) + grads
    s.pool[..., OTHER] += f["reentry"]


def _grow_posts(s: _State, st: Structure, dr: Drivers, i: int) -> Array:
    """Establishment growth, the allocation plan, then posts the budget buys where need
    exceeds posts (in proportion to the gap, never beyond it). Returns the change [S, P, C]."""
    before = s.posts.sum(-1)
    growth = 1.0 + dr.growth[:, i, None, None, None] * st.funded
    s.posts = s.posts * growth + dr.plan_posts[:, i]
    gap = np.maximum(dr.demand[:, i + 1] - s.posts.sum(-1), 0.0)
    money = (gap * st.cost_per_post).sum((1, 2))
    factor = np.divide(dr.budget[:, i], money, out=np.zeros_like(money), where=money > 0)
    bought = gap * np.minimum(factor, 1.0)[:, None, None]
    s.posts += bought[..., None] * st.new_post_share
    return s.posts.sum(-1) - before


def _hire(s: _State, st: Structure, fill: Array, f: dict[str, Array]) -> Array:
    """Fill funded vacancies from the pool: scholarship holders into government first (bonded),
    then everyone left into what remains, in proportion to each sector's vacancies."""
    occupied = s.bands.sum(-1) - f.pop("_left_k")  # Σa E after leaving, without a pass over E
    occupied[..., st.gov] += f["completions"] + s.bonded.sum(-1)
    want = fill[..., None] * np.maximum(s.posts - occupied, 0.0)  # [S, P, C, K]
    pool_s, pool_o = s.pool[..., SCHOLARSHIP], s.pool[..., OTHER]
    bonded = np.minimum(want[..., st.gov], pool_s)
    want[..., st.gov] -= bonded
    pool_s = pool_s - bonded
    avail, total = pool_s + pool_o, want.sum(-1)
    hires = np.minimum(total, avail)
    by_sector = want * _ratio(hires, total)[..., None]
    share_s = _ratio(pool_s, avail)
    s.pool = np.stack([pool_s - hires * share_s, pool_o - hires * (1.0 - share_s)], axis=-1)
    if not st.obligation_years:  # no obligation: scholarship holders are ordinary hires
        by_sector[..., st.gov] += bonded
    _add_entrants(s.employed, by_sector, st.entry_ages, st.entry_window)
    if st.obligation_years:
        s.bonded[..., 0] += bonded
        f["bonded_in"], f["hires_direct"] = bonded, hires
    else:
        f["bonded_in"], f["hires_direct"] = np.zeros_like(bonded), hires + bonded
    f["hires_bonded"], f["hires_from_pool"] = bonded, hires
    return hires + bonded


def _add_entrants(e: Array, heads: Array, ages: Array, window: tuple[int, int]) -> None:
    """e[..., a] += heads · ages[a], only over the ages new entrants can have."""
    lo, hi = window
    e[..., lo:hi] += heads[..., None] * ages[lo:hi]


def _ratio(a: Array, b: Array) -> Array:
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)


class _Recorder:
    """Collects stocks and flows into [S, T + 1, P, C] arrays."""

    def __init__(self, n_s: int, n_t: int, pc: tuple[int, ...]) -> None:
        shape = (n_s, n_t + 1, *pc)
        self._stocks = {
            k: np.zeros(shape)
            for k in (
                *STOCKS,
                "posts",
                "students_scholarship",
                "pool_scholarship",
                "supply",
                "demand",
                "posts_government",
            )
        }
        self._flows = {k: np.full(shape, np.nan) for k in (*FLOWS, "post_change")}
        self._costs = {
            k: np.full(shape, np.nan)
            for k in ("post_cost", "scholarship_cost", "intervention_cost")
        }

    def stocks(self, t: int, s: _State, st: Structure, dr: Drivers) -> None:
        out = self._stocks
        out["students"][:, t] = s.students.sum((-1, -2))
        out["students_scholarship"][:, t] = s.students[..., SCHOLARSHIP, :].sum(-1)
        out["pool"][:, t] = s.pool.sum(-1)
        out["pool_scholarship"][:, t] = s.pool[..., SCHOLARSHIP]
        out["bonded"][:, t] = s.bonded.sum(-1)
        out["employed"][:, t] = s.bands.sum((-1, -2))
        out["lapsed"][:, t] = s.lapsed
        out["posts"][:, t] = (s.posts * st.funded).sum(-1)
        out["posts_government"][:, t] = s.posts[..., st.gov]
        out["supply"][:, t] = out["employed"][:, t] + out["bonded"][:, t]
        out["demand"][:, t] = dr.demand[:, t]

    def flows(self, t: int, flows: dict[str, Array], costs: dict[str, Array]) -> None:
        for name, value in flows.items():
            self._flows[name][:, t] = value
        for name, value in costs.items():
            self._costs[name][:, t] = value

    def result(self) -> Trajectory:
        return Trajectory(stocks=self._stocks, flows=self._flows, series=self._costs)


def balance_residuals(traj: Trajectory) -> dict[str, Array]:
    """closing − opening − (in − out) per stock, [S, T, P, C]: zero up to rounding when the
    model conserves people (the flows are recorded apart from the stock updates)."""
    out = {}
    for stock, (ins, outs) in BALANCE.items():
        level = traj.stocks[stock]
        inflow = sum(traj.flows[n][:, 1:] for n in ins)
        outflow = sum(traj.flows[n][:, 1:] for n in outs)
        out[stock] = level[:, 1:] - level[:, :-1] - (inflow - outflow)
    return out
