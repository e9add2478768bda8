"""Where service points go: choose p sites (offices, clinics, halls) for need at demand points.

Two models, with index names as in the code (i demand point, j candidate site)::

    w_i need at i;  d_ij distance (great-circle km, or the user's travel time);  C_j capacity
    x_j ∈ {0, 1} site j is chosen;  Σ_j x_j = p

    MCLP   (cover the most need within radius r; N_i = {j : d_ij ≤ r})
        max Σ_i w_i c_i      c_i ≤ Σ_{j∈N_i} x_j,  0 ≤ c_i ≤ 1
        with capacities:  max Σ_ij w_i y_ij,  Σ_j y_ij ≤ 1,  y_ij ≤ x_j,  Σ_i w_i y_ij ≤ C_j x_j

    p-median (least need-weighted distance; every point served)
        min Σ_i w_i (Σ_{j∈N_i} d_ij y_ij + D_i f_i)
        Σ_{j∈N_i} y_ij + f_i = 1,  y_ij ≤ x_j,  [Σ_i w_i y_ij ≤ C_j x_j],  y, f ≥ 0

Sparse by construction: pairs beyond the cut-off never enter the model. For the p-median,
N_i holds the K nearest sites of i, and f_i ("served beyond N_i") is priced at D_i, the
distance to the (K+1)-th nearest site, a lower bound on any site left out. The model is thus a
relaxation of the full one; when its answer uses no f_i it is feasible for the full model and
so optimal for it. Otherwise K doubles and the model is solved again. With `max_km` (or a
travel-time table) the pairs are the allowed ones and there is no f_i. A split of one point's
need over several sites is allowed when sites have capacities (a caseload can be shared).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal, Self

import numpy as np
import numpy.typing as npt
import pandas as pd

from ssp_planner.allocation._interchange import interchange
from ssp_planner.allocation._lagrange import Bounds, solve_lagrangian
from ssp_planner.allocation._milp import (
    Builder,
    FloatArray,
    HighsSolver,
    Infeasible,
    IntArray,
    Solution,
    Solver,
)
from ssp_planner.allocation._regions import Regions
from ssp_planner.allocation.distances import (
    chord_to_km,
    great_circle_km,
    nearest,
    pairs_within,
    unit_vectors,
)
from ssp_planner.allocation.feasibility import LocationInfeasible, diagnose_sites

Kind = Literal["mclp", "pmedian"]
MILP_MAX_PAIRS = 150_000  # above this the Lagrangian answer and its proven gap are returned
Triple = tuple[IntArray, IntArray, FloatArray]  # pairs (i, j, cost) by point, nearest first
Served = Callable[[FloatArray], pd.DataFrame]  # solution -> (i, j, d, w) rows actually served


@dataclass(frozen=True)
class Pairs:
    """Candidate pairs (demand i, site j, cost d), and per demand the least cost of any
    pair left out (`beyond`, inf when none is allowed)."""

    i: IntArray
    j: IntArray
    d: FloatArray
    beyond: FloatArray


class Geometry:
    """How distances are known: from coordinates, a dense matrix, or a table of pairs."""

    unit = "km"

    def within(self, radius: float) -> Pairs:
        raise NotImplementedError

    def nearest_k(self, k: int, max_cost: float | None, rows: IntArray) -> Pairs:
        """The k nearest sites of demand points `rows` (pairs' i = position in rows)."""
        raise NotImplementedError

    def assign(self, chosen: IntArray) -> tuple[IntArray, FloatArray]:
        """Each point's nearest chosen site and its cost (inf where none is allowed)."""
        raise NotImplementedError

    def pair_cost(self, i: IntArray, j: IntArray) -> FloatArray:
        raise NotImplementedError

    def assign2(self, chosen: IntArray) -> tuple[IntArray, FloatArray, FloatArray]:
        """Each point's nearest chosen site, its cost, and the cost of the second nearest."""
        raise NotImplementedError


@dataclass(frozen=True)
class PointGeometry(Geometry):
    demand: FloatArray  # unit vectors
    sites: FloatArray

    def within(self, radius: float) -> Pairs:
        i, j, d = pairs_within(self.demand, self.sites, radius)
        return Pairs(i, j, d, np.full(len(self.demand), np.inf))

    def nearest_k(self, k: int, max_cost: float | None, rows: IntArray) -> Pairs:
        n_sites = len(self.sites)
        idx, km = nearest(self.demand[rows], self.sites, min(k + 1, n_sites))
        return _top_k(idx, km, k, n_sites, max_cost)

    def assign(self, chosen: IntArray) -> tuple[IntArray, FloatArray]:
        idx, km = nearest(self.demand, self.sites[chosen], 1)
        return chosen[idx[:, 0]], km[:, 0]

    def assign2(self, chosen: IntArray) -> tuple[IntArray, FloatArray, FloatArray]:
        idx, km = nearest(self.demand, self.sites[chosen], 2)
        second = km[:, 1] if km.shape[1] > 1 else np.full(len(km), np.inf)
        return chosen[idx[:, 0]], km[:, 0], second

    def pair_cost(self, i: IntArray, j: IntArray) -> FloatArray:
        return chord_to_km(np.linalg.norm(self.demand[i] - self.sites[j], axis=1))


@dataclass(frozen=True)
class MatrixGeometry(Geometry):
    cost: FloatArray  # dense (n_demand × n_sites); inf = not allowed
    unit: str = "km"

    def within(self, radius: float) -> Pairs:
        i, j = np.nonzero(self.cost <= radius)
        return Pairs(
            i.astype(np.int64), j.astype(np.int64), self.cost[i, j], np.full(len(self.cost), np.inf)
        )

    def nearest_k(self, k: int, max_cost: float | None, rows: IntArray) -> Pairs:
        cost = self.cost[rows]
        n_sites = cost.shape[1]
        take = min(k + 1, n_sites)
        if take < n_sites:
            part = np.argpartition(cost, take - 1, axis=1)[:, :take]
        else:
            part = np.tile(np.arange(n_sites), (len(cost), 1))
        vals = np.take_along_axis(cost, part, axis=1)
        order = np.lexsort((part, vals), axis=1)
        idx, d = np.take_along_axis(part, order, axis=1), np.take_along_axis(vals, order, axis=1)
        pairs = _top_k(idx.astype(np.int64), d, k, n_sites, max_cost)
        ok = np.isfinite(pairs.d)  # inf marks a forbidden pair
        return Pairs(pairs.i[ok], pairs.j[ok], pairs.d[ok], pairs.beyond)

    def assign(self, chosen: IntArray) -> tuple[IntArray, FloatArray]:
        sub = self.cost[:, chosen]
        best = np.argmin(sub, axis=1)
        return chosen[best], sub[np.arange(len(sub)), best]

    def assign2(self, chosen: IntArray) -> tuple[IntArray, FloatArray, FloatArray]:
        sub = self.cost[:, chosen]
        if sub.shape[1] < 2:
            near, d1 = self.assign(chosen)
            return near, d1, np.full(len(sub), np.inf)
        two = np.argpartition(sub, 1, axis=1)[:, :2]
        vals = np.take_along_axis(sub, two, axis=1)
        order = np.argsort(vals, axis=1, kind="stable")
        two, vals = np.take_along_axis(two, order, axis=1), np.take_along_axis(vals, order, axis=1)
        return chosen[two[:, 0]], vals[:, 0], vals[:, 1]

    def pair_cost(self, i: IntArray, j: IntArray) -> FloatArray:
        return self.cost[i, j]


@dataclass(frozen=True)
class PairGeometry(Geometry):
    """A user's table (e.g. travel minutes): pairs not listed are not allowed."""

    i: IntArray
    j: IntArray
    d: FloatArray
    n_demand: int
    unit: str = "minutes"

    def within(self, radius: float) -> Pairs:
        keep = self.d <= radius
        return Pairs(self.i[keep], self.j[keep], self.d[keep], np.full(self.n_demand, np.inf))

    def nearest_k(self, k: int, max_cost: float | None, rows: IntArray) -> Pairs:
        pos = np.full(self.n_demand, -1)
        pos[rows] = np.arange(len(rows))
        keep = (self.d <= (np.inf if max_cost is None else max_cost)) & (pos[self.i] >= 0)
        return Pairs(pos[self.i[keep]], self.j[keep], self.d[keep], np.full(len(rows), np.inf))

    def assign(self, chosen: IntArray) -> tuple[IntArray, FloatArray]:
        hit = np.isin(self.j, chosen)
        frame = pd.DataFrame({"i": self.i[hit], "j": self.j[hit], "d": self.d[hit]})
        best = frame.sort_values(["i", "d", "j"]).drop_duplicates("i").set_index("i")
        near = best["j"].reindex(range(self.n_demand), fill_value=-1).to_numpy(np.int64)
        return near, best["d"].reindex(range(self.n_demand), fill_value=np.inf).to_numpy(float)

    def assign2(self, chosen: IntArray) -> tuple[IntArray, FloatArray, FloatArray]:
        near, d1 = self.assign(chosen)
        hit = np.isin(self.j, chosen)
        hit[hit] = self.j[hit] != near[self.i[hit]]  # the second nearest: any other chosen site
        rest = pd.Series(self.d[hit]).groupby(self.i[hit]).min()
        return near, d1, rest.reindex(range(self.n_demand), fill_value=np.inf).to_numpy(float)

    def pair_cost(self, i: IntArray, j: IntArray) -> FloatArray:
        n_sites = int(self.j.max(initial=0)) + 1
        table = pd.Series(self.d, index=self.i * n_sites + self.j)
        table = table[~table.index.duplicated()]
        return table.reindex(i * n_sites + j).to_numpy(float, na_value=np.inf)


def _top_k(idx: IntArray, d: FloatArray, k: int, n_sites: int, max_cost: float | None) -> Pairs:
    """The k nearest as pairs; `beyond` = the (k+1)-th distance (a bound for the rest)."""
    n, width = idx.shape
    kk = min(k, width)
    beyond = d[:, kk] if width > kk else np.full(n, np.inf)
    i = np.repeat(np.arange(n), kk)
    j, dist = idx[:, :kk].ravel(), d[:, :kk].ravel()
    if max_cost is not None:
        keep = dist <= max_cost
        i, j, dist = i[keep], j[keep], dist[keep]
        beyond = np.where(beyond <= max_cost, beyond, np.inf)
    if kk >= n_sites:
        beyond = np.full(n, np.inf)
    return Pairs(i.astype(np.int64), j.astype(np.int64), dist.astype(float), beyond.astype(float))


@dataclass(frozen=True)
class LocationResult:
    """Chosen sites and who they serve; `objective` is need covered (MCLP) or need × distance."""

    kind: Kind
    sites: pd.DataFrame  # site_id, chosen, served_need, capacity
    demand: pd.DataFrame  # demand_id, need, site_id (None: not served), cost, covered
    objective: float
    covered_need: float
    total_need: float
    unit: str
    optimal: bool
    mip_gap: float
    seconds: float
    rounds: int = 1

    @property
    def chosen(self) -> list[str]:
        return self.sites.loc[self.sites["chosen"], "site_id"].astype(str).tolist()


@dataclass(frozen=True)
class _Sites:
    """What both models share: ids, need, capacities, p and the distances."""

    demand_ids: tuple[str, ...]
    weights: FloatArray
    site_ids: tuple[str, ...]
    p: int
    geometry: Geometry
    capacities: FloatArray | None = None

    @classmethod
    def from_cost_matrix(
        cls,
        cost: FloatArray,
        weights: FloatArray,
        p: int,
        *,
        capacities: FloatArray | None = None,
        demand_ids: list[str] | None = None,
        site_ids: list[str] | None = None,
        unit: str = "km",
        **kw: float | None,
    ) -> Self:
        """Dense costs (rows: demand points, columns: sites); inf marks a forbidden pair."""
        cost = np.asarray(cost, dtype=float)
        ids = demand_ids or [str(k) for k in range(cost.shape[0])]
        sids = site_ids or [str(k) for k in range(cost.shape[1])]
        geo = MatrixGeometry(cost, unit)
        return cls(
            tuple(ids),
            np.asarray(weights, float),
            tuple(sids),
            int(p),
            geo,
            _caps(capacities),
            **kw,
        )

    @classmethod
    def from_points(
        cls, demand: pd.DataFrame, sites: pd.DataFrame, p: int, **kw: float | None
    ) -> _Sites:
        """demand: demand_id, lat, lon, need; sites: site_id, lat, lon[, capacity]."""
        geo = PointGeometry(
            unit_vectors(demand["lat"], demand["lon"]), unit_vectors(sites["lat"], sites["lon"])
        )
        return cls._build(geo, demand, sites, p, **kw)

    @classmethod
    def _build(
        cls, geo: Any, demand: pd.DataFrame, sites: pd.DataFrame, p: int, **kw: float | None
    ) -> _Sites:
        """The model from any geometry: ids, need and capacities read the same way."""
        caps = (
            sites["capacity"]
            if "capacity" in sites.columns and sites["capacity"].notna().any()
            else None
        )
        return cls(
            tuple(demand["demand_id"].astype(str)),
            demand["need"].to_numpy(float),
            tuple(sites["site_id"].astype(str)),
            int(p),
            geo,
            _caps(caps),
            **kw,
        )

    @classmethod
    def from_pairs(
        cls,
        pairs: pd.DataFrame,
        demand: pd.DataFrame,
        sites: pd.DataFrame,
        p: int,
        **kw: float | None,
    ) -> _Sites:
        """pairs: demand_id, site_id, cost (e.g. travel minutes); other pairs are not allowed."""
        d_pos = {k: n for n, k in enumerate(demand["demand_id"].astype(str))}
        s_pos = {k: n for n, k in enumerate(sites["site_id"].astype(str))}
        i = pairs["demand_id"].astype(str).map(d_pos).to_numpy(dtype=np.int64)
        j = pairs["site_id"].astype(str).map(s_pos).to_numpy(dtype=np.int64)
        geo = PairGeometry(i, j, pairs["cost"].to_numpy(float), len(demand))
        return cls._build(geo, demand, sites, p, **kw)

    def _check(self, pairs: Pairs | None, must_serve: bool, limit: float | None) -> None:
        problems = diagnose_sites(
            p=self.p,
            site_ids=self.site_ids,
            demand_ids=self.demand_ids,
            weights=self.weights,
            capacities=self.capacities,
            served_by=None if pairs is None else np.bincount(pairs.i, minlength=len(self.weights)),
            must_serve=must_serve,
            limit=limit,
            unit=self.geometry.unit,
        )
        if problems:
            raise LocationInfeasible(problems)

    def _result(
        self, kind: Kind, x_sites: FloatArray, served: pd.DataFrame, sol: Solution, rounds: int
    ) -> LocationResult:
        chosen = x_sites > 0.5
        need = pd.Series(self.weights, index=range(len(self.weights)))
        by_site = served.groupby("j")["w"].sum().reindex(range(len(self.site_ids)), fill_value=0.0)
        sites = pd.DataFrame(
            {"site_id": list(self.site_ids), "chosen": chosen, "served_need": by_site.to_numpy()}
        )
        if self.capacities is not None:
            sites["capacity"] = self.capacities
        first = (
            served.sort_values(["i", "w"], ascending=[True, False])
            .drop_duplicates("i")
            .set_index("i")
        )
        demand = pd.DataFrame({"demand_id": list(self.demand_ids), "need": need.to_numpy()})
        demand["site_id"] = [
            self.site_ids[int(first["j"][i])] if i in first.index else None
            for i in range(len(demand))
        ]
        demand["cost"] = [
            float(first["d"][i]) if i in first.index else np.nan for i in range(len(demand))
        ]
        covered = (
            served.groupby("i")["w"].sum().reindex(range(len(demand)), fill_value=0.0).to_numpy()
        )
        demand["covered"] = covered
        objective = (
            float(covered.sum()) if kind == "mclp" else float((served["w"] * served["d"]).sum())
        )
        return LocationResult(
            kind=kind,
            sites=sites,
            demand=demand,
            objective=objective,
            covered_need=float(covered.sum()),
            total_need=float(self.weights.sum()),
            unit=self.geometry.unit,
            optimal=sol.optimal,
            mip_gap=sol.mip_gap,
            seconds=sol.seconds,
            rounds=rounds,
        )


def _caps(capacities: object) -> FloatArray | None:
    if capacities is None:
        return None
    caps = np.asarray(pd.Series(capacities).astype(float).fillna(np.inf))
    return caps


@dataclass(frozen=True)
class MCLP(_Sites):
    """Maximal covering location: the p sites that cover the most need within `radius`."""

    radius: float = 10.0

    def solve(self, solver: Solver | None = None) -> LocationResult:
        pairs = self.geometry.within(self.radius)
        self._check(None, must_serve=False, limit=self.radius)
        b = Builder()
        x = b.add_vars(len(self.site_ids), ub=1.0, integer=True)
        _choose_p(b, x, self.p)
        if self.capacities is None:
            served = _cover_rows(b, pairs, x, self.weights)
        else:
            served = _assign_rows(
                b, pairs, x, self.weights, self.capacities, cost=-self.weights[pairs.i], full=False
            )
        sol = _solve(b, solver)
        return self._result("mclp", sol.x[x], served(sol.x), sol, 1)


@dataclass(frozen=True)
class PMedian(_Sites):
    """p-median: the p sites with the least need-weighted distance; every point is served.
    `max_cost` (km or minutes) forbids pairs further apart; `k` is the first neighbourhood."""

    max_cost: float | None = None
    k: int | None = None

    tol: float = 1e-4
    milp_max_pairs: int = MILP_MAX_PAIRS

    def solve(self, solver: Solver | None = None) -> LocationResult:
        """Lagrangian bounds first; the MILP (warm-started) only while the gap exceeds `tol`
        and the model is small enough for HiGHS to close it quickly; above that, the
        Lagrangian answer with regions of neighbouring sites re-chosen exactly (_regions.py)."""
        n_sites = len(self.site_ids)
        k0 = self.k or min(n_sites, max(8, 2 * math.ceil(n_sites / max(self.p, 1))))
        ks = np.full(len(self.weights), k0)
        pairs = self._neighbourhoods(ks)
        self._check(pairs, must_serve=True, limit=self.max_cost)
        if self.capacities is not None:
            return self._exact(ks, solver, None)
        began = time.perf_counter()
        ijd = _sorted_pairs(pairs)
        bounds = self._lagrangian(ijd, pairs.beyond)
        found = np.isfinite(bounds.upper)
        if found and bounds.gap <= self.tol:
            return self._from_bounds(bounds, time.perf_counter() - began)
        if found and len(pairs.i) > self.milp_max_pairs:
            return self._from_bounds(self._regions(ijd, bounds), time.perf_counter() - began)
        return self._exact(ks, solver, bounds.chosen)

    def _lagrangian(self, ijd: Triple, beyond: FloatArray) -> Bounds:
        i, j, d = ijd
        w, p, n_sites = self.weights, self.p, len(self.site_ids)
        improve = self._swaps(ijd)
        return solve_lagrangian(i, j, d, beyond, w, p, n_sites, self._assign, improve, tol=self.tol)

    def _swaps(self, ijd: Triple) -> Callable[[IntArray], tuple[IntArray, float]]:
        """Vertex substitution from given sites, pricing swaps on the neighbour lists `ijd`."""

        def improve(chosen: IntArray) -> tuple[IntArray, float]:
            return interchange(chosen, ijd, self.weights, len(self.site_ids), self._assign2)

        return improve

    def _assign(self, chosen: IntArray) -> tuple[IntArray, FloatArray]:
        """Each point's nearest chosen site and its cost (inf beyond `max_cost`)."""
        near, cost = self.geometry.assign(chosen)
        return near, self._capped(cost)

    def _assign2(self, chosen: IntArray) -> tuple[IntArray, FloatArray, FloatArray]:
        near, d1, d2 = self.geometry.assign2(chosen)
        return near, self._capped(d1), self._capped(d2)

    def _capped(self, cost: FloatArray) -> FloatArray:
        return cost if self.max_cost is None else np.where(cost <= self.max_cost, cost, np.inf)

    def _regions(self, ijd: Triple, bounds: Bounds) -> Bounds:
        """The Lagrangian answer with each region of neighbouring sites re-chosen exactly."""

        def pair_cost(ii: IntArray, jj: IntArray) -> FloatArray:
            return self._capped(self.geometry.pair_cost(ii, jj))

        def solve_sub(cost: FloatArray, need: FloatArray, p: int) -> IntArray:
            sub = PMedian.from_cost_matrix(cost, need, p, tol=self.tol).solve()
            return np.asarray([int(s) for s in sub.chosen], dtype=np.int64)

        regions = Regions(ijd, self.weights, self._assign, pair_cost, solve_sub)
        sites, cost = regions.improve(bounds.chosen, self._swaps(ijd))
        return replace(bounds, chosen=sites, upper=cost) if cost < bounds.upper else bounds

    def _from_bounds(self, bounds: Bounds, seconds: float) -> LocationResult:
        near, cost = self.geometry.assign(bounds.chosen)
        served = pd.DataFrame({"i": np.arange(len(near)), "j": near, "d": cost, "w": self.weights})
        x = np.zeros(len(self.site_ids))
        x[bounds.chosen] = 1.0
        sol = Solution(x, bounds.upper, bounds.gap <= self.tol, bounds.gap, seconds)
        return self._result("pmedian", x, served, sol, 0)

    def _exact(self, ks: IntArray, solver: Solver | None, start: IntArray | None) -> LocationResult:
        n_sites = len(self.site_ids)
        for rounds in range(1, 64):
            pairs = self._neighbourhoods(ks)
            if self.capacities is None:
                result, far = self._solve_radius(pairs, solver, rounds, start)
            else:
                result, far = self._solve_assign(pairs, solver, rounds)
            if not far.any():
                return result
            ks[far] = np.minimum(n_sites, 2 * ks[far])  # widen only where the proxy was used
        return result

    def _neighbourhoods(self, ks: IntArray) -> Pairs:
        """Each point's ks[i] nearest sites (nearest first), and the bound for the rest."""
        parts = []
        beyond = np.full(len(ks), np.inf)
        for k in np.unique(ks):
            rows = np.nonzero(ks == k)[0]
            got = self.geometry.nearest_k(int(k), self.max_cost, rows)
            parts.append(Pairs(rows[got.i], got.j, got.d, got.beyond))
            beyond[rows] = got.beyond
        return Pairs(
            np.concatenate([q.i for q in parts]),
            np.concatenate([q.j for q in parts]),
            np.concatenate([q.d for q in parts]),
            beyond,
        )

    def _solve_radius(
        self, pairs: Pairs, solver: Solver | None, rounds: int, start: IntArray | None
    ) -> tuple[LocationResult, npt.NDArray[np.bool_]]:
        """Elloumi's radius form: z_ik = 1 while no chosen site is among i's k nearest;
        z_i1 ≥ 1 − x_{j_i1},  z_ik ≥ z_i,k−1 − x_{j_ik},  cost w_i (d_i,k+1 − d_ik) z_ik."""
        order = np.lexsort((pairs.d, pairs.i))
        i, j, d = pairs.i[order], pairs.j[order], pairs.d[order]
        first = np.r_[True, i[1:] != i[:-1]]
        last = np.r_[i[1:] != i[:-1], True]
        nxt = np.where(last, pairs.beyond[i], np.r_[d[1:], 0.0])
        b = Builder()
        x = b.add_vars(len(self.site_ids), ub=1.0, integer=True)
        _choose_p(b, x, self.p)
        open_last = np.where(last & ~np.isfinite(nxt), 0.0, 1.0)  # no proxy: must be served
        step = np.where(np.isfinite(nxt), nxt, d) - d  # 0 where nothing lies beyond
        z = b.add_vars(len(i), ub=open_last, cost=self.weights[i] * step)
        rows = b.add_rows(len(i), lb=np.where(first, 1.0, 0.0))
        b.add_coefs(rows, z, 1.0)
        b.add_coefs(rows, x[j], 1.0)
        b.add_coefs(rows[~first], z[np.nonzero(~first)[0] - 1], -1.0)
        sol = _solve(b, solver, None if start is None else _radius_start(b, x, z, j, first, start))
        far = np.zeros(len(self.weights), dtype=bool)
        far[i[last & (sol.x[z] > 1e-6)]] = True
        chosen = sol.x[x] > 0.5
        hit = chosen[j]
        served = pd.DataFrame({"i": i[hit], "j": j[hit], "d": d[hit]}).drop_duplicates("i")
        served = served.assign(w=self.weights[served["i"].to_numpy()])
        return self._result("pmedian", sol.x[x], served, sol, rounds), far

    def _solve_assign(
        self, pairs: Pairs, solver: Solver | None, rounds: int
    ) -> tuple[LocationResult, npt.NDArray[np.bool_]]:
        """With capacities: the assignment form, y_ij ≤ x_j, Σ_i w_i y_ij ≤ C_j x_j."""
        b = Builder()
        x = b.add_vars(len(self.site_ids), ub=1.0, integer=True)
        _choose_p(b, x, self.p)
        cost = self.weights[pairs.i] * pairs.d
        served = _assign_rows(b, pairs, x, self.weights, self.capacities, cost=cost, full=True)
        sol = _solve(b, solver)
        far = np.zeros(len(self.weights), dtype=bool)
        far[b.tags["far_points"][sol.x[b.tags["far"]] > 1e-6]] = True
        return self._result("pmedian", sol.x[x], served(sol.x), sol, rounds), far


def _sorted_pairs(pairs: Pairs) -> Triple:
    """(i, j, d) by point, nearest first: the order the Lagrangian and swaps expect."""
    order = np.lexsort((pairs.d, pairs.i))
    return pairs.i[order], pairs.j[order], pairs.d[order]


def _choose_p(b: Builder, x: IntArray, p: int) -> None:
    row = b.add_rows(1, lb=float(p), ub=float(p))
    b.add_coefs(np.repeat(row, len(x)), x, 1.0)


def _cover_rows(b: Builder, pairs: Pairs, x: IntArray, w: FloatArray) -> Served:
    """c_i ≤ Σ_{j∈N_i} x_j for points with at least one site in reach."""
    reach = np.unique(pairs.i)
    c = b.add_vars(len(reach), ub=1.0, cost=-w[reach])
    pos = np.full(len(w), -1)
    pos[reach] = np.arange(len(reach))
    rows = b.add_rows(len(reach), ub=0.0)
    b.add_coefs(rows, c, 1.0)
    b.add_coefs(rows[pos[pairs.i]], x[pairs.j], -1.0)

    def served(sol: FloatArray) -> pd.DataFrame:
        chosen = sol[x] > 0.5
        hit = chosen[pairs.j]
        frame = pd.DataFrame({"i": pairs.i[hit], "j": pairs.j[hit], "d": pairs.d[hit]})
        frame = frame.sort_values(["i", "d", "j"]).drop_duplicates("i")
        return frame.assign(w=w[frame["i"].to_numpy()])

    return served


def _assign_rows(
    b: Builder,
    pairs: Pairs,
    x: IntArray,
    w: FloatArray,
    caps: FloatArray | None,
    *,
    cost: FloatArray,
    full: bool,
) -> Served:
    """y_ij ≤ x_j; Σ_j y_ij (+ f_i) = 1 (p-median) or ≤ 1 (MCLP); capacities if given."""
    n = len(w)
    y = b.add_vars(len(pairs.i), ub=1.0, cost=cost)
    link = b.add_rows(len(y), ub=0.0)
    b.add_coefs(link, y, 1.0)
    b.add_coefs(link, x[pairs.j], -1.0)
    one = b.add_rows(n, lb=1.0 if full else -np.inf, ub=1.0)
    b.add_coefs(one[pairs.i], y, 1.0)
    far_pts = np.nonzero(np.isfinite(pairs.beyond))[0] if full else np.zeros(0, dtype=np.int64)
    far = b.add_vars(len(far_pts), ub=1.0, cost=w[far_pts] * pairs.beyond[far_pts])
    b.add_coefs(one[far_pts], far, 1.0)
    b.tags["far"], b.tags["far_points"] = far, far_pts
    if caps is not None:
        finite = np.isfinite(caps)
        cap_rows = b.add_rows(len(caps), ub=0.0)
        b.add_coefs(cap_rows[pairs.j], y, w[pairs.i])
        b.add_coefs(cap_rows[finite], x[finite], -caps[finite])

    def served(sol: FloatArray) -> pd.DataFrame:
        amount = sol[y]
        keep = amount > 1e-6
        frame = pd.DataFrame({"i": pairs.i[keep], "j": pairs.j[keep], "d": pairs.d[keep]})
        return frame.assign(w=w[frame["i"].to_numpy()] * amount[keep])

    return served


def _radius_start(
    b: Builder,
    x: IntArray,
    z: IntArray,
    j: IntArray,
    first: npt.NDArray[np.bool_],
    chosen: IntArray,
) -> FloatArray:
    """The starting vector for chosen sites: z_ik = 1 until a chosen site is among the k nearest."""
    start = np.zeros(b.n_vars)
    start[x[chosen]] = 1.0
    is_open = np.zeros(len(x), dtype=bool)
    is_open[chosen] = True
    group = np.cumsum(first) - 1
    found = pd.Series(is_open[j]).groupby(group).cummax().to_numpy()
    start[z] = (~found).astype(float)
    return start


def _solve(b: Builder, solver: Solver | None, start: FloatArray | None = None) -> Solution:
    try:
        return (solver or HighsSolver(mip_rel_gap=1e-4)).solve(b.build(), start)
    except Infeasible:
        raise LocationInfeasible(
            ["no choice of p sites serves every demand point within the cut-off and capacities"]
        ) from None


def nearest_chosen_km(demand: pd.DataFrame, sites: pd.DataFrame, chosen: list[str]) -> FloatArray:
    """Great-circle km from each demand point to its nearest chosen site (for any answer)."""
    pick = sites[sites["site_id"].astype(str).isin(chosen)]
    d = great_circle_km(
        demand["lat"].to_numpy()[:, None],
        demand["lon"].to_numpy()[:, None],
        pick["lat"].to_numpy()[None, :],
        pick["lon"].to_numpy()[None, :],
    )
    return d.min(axis=1)
