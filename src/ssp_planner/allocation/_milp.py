"""Sparse MILP plumbing shared by the post and site models: a builder, a solver, a status check.

Models add blocks of variables and rows as COO triplets, so nothing dense is ever built. The
solver is passed in (tests and benchmarks swap it); `HighsSolver` runs HiGHS through highspy
(it accepts a starting plan), `ScipySolver` through `scipy.optimize.milp`. Every result's status
is checked here, once, for every caller.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from ssp_planner.errors import SSPError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
INF = np.inf


class SolverFailed(SSPError):
    """The solver stopped without a usable answer (not infeasibility: that is diagnosed)."""


class Infeasible(Exception):
    """Internal: the solver proved the model infeasible; callers turn it into a diagnosis."""


@dataclass
class Model:
    """min c·x  s.t.  row_lb ≤ A x ≤ row_ub,  lb ≤ x ≤ ub,  x_j integer where integer[j]."""

    c: FloatArray
    a: sparse.csr_array
    row_lb: FloatArray
    row_ub: FloatArray
    lb: FloatArray
    ub: FloatArray
    integer: npt.NDArray[np.bool_]
    tags: dict[str, Any] = field(default_factory=dict)  # where blocks sit, for their readers

    @classmethod
    def empty(cls) -> Model:
        z = np.zeros(0)
        return cls(z, sparse.csr_array((0, 0)), z, z, z, z, np.zeros(0, dtype=bool))

    def with_objective(self, c: FloatArray) -> Model:
        return replace(self, c=np.asarray(c, dtype=float))

    def with_row(self, cols: IntArray, vals: FloatArray, lb: float, ub: float) -> Model:
        """A copy with one more row lb ≤ Σ vals·x[cols] ≤ ub (staged solves keep optima)."""
        row = sparse.csr_array(
            (np.asarray(vals, dtype=float), (np.zeros(len(cols), dtype=np.int64), cols)),
            shape=(1, self.a.shape[1]),
        )
        return replace(
            self,
            a=sparse.vstack([self.a, row], format="csr"),
            row_lb=np.append(self.row_lb, lb),
            row_ub=np.append(self.row_ub, ub),
        )


@dataclass(frozen=True)
class Solution:
    x: FloatArray
    objective: float
    optimal: bool  # False: stopped at the time limit with a feasible answer
    mip_gap: float  # relative gap between the answer and the best bound (0 for an LP)
    seconds: float


class Solver(Protocol):
    def solve(self, model: Model, start: FloatArray | None = None) -> Solution: ...


@dataclass(frozen=True)
class HighsSolver:
    """HiGHS through highspy; takes a starting plan; deterministic for the same model.

    `mip_rel_gap` is the proof asked for: the answer is within that share of the best possible.
    """

    time_limit: float = 120.0
    mip_rel_gap: float = 1e-4

    def solve(self, model: Model, start: FloatArray | None = None) -> Solution:
        try:
            import highspy
        except ImportError:  # same HiGHS inside scipy, without the starting plan (slower)
            return ScipySolver(self.time_limit, self.mip_rel_gap).solve(model)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("time_limit", float(self.time_limit))
        h.setOptionValue("mip_rel_gap", float(self.mip_rel_gap))
        h.setOptionValue("random_seed", 0)
        h.setOptionValue("threads", 1)
        if not model.integer.any():  # the post model's relaxation: 0.12 s unpresolved, 0.67 s not
            h.setOptionValue("presolve", "off")
        h.passModel(_highs_lp(model, highspy))
        if start is not None and model.integer.any():
            sol = highspy.HighsSolution()
            sol.col_value = np.asarray(start, dtype=float).tolist()
            sol.value_valid = True
            h.setSolution(sol)
        began = time.perf_counter()
        h.run()
        seconds = time.perf_counter() - began
        return _highs_result(h, highspy, seconds, self.time_limit, bool(model.integer.any()))


def _highs_lp(model: Model, highspy: Any) -> Any:
    a = model.a.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = int(a.shape[1]), int(a.shape[0])
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = model.c, model.lb, model.ub
    lp.row_lower_, lp.row_upper_ = model.row_lb, model.row_ub
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
    if model.integer.any():
        kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
        lp.integrality_ = [kinds[int(i)] for i in model.integer]
    return lp


def _highs_result(
    h: Any, highspy: Any, seconds: float, time_limit: float, is_mip: bool
) -> Solution:
    """Status checked every time: optimal, or feasible at a limit with its gap; else raise."""
    status, ms, info = h.getModelStatus(), highspy.HighsModelStatus, h.getInfo()
    if status == ms.kModelEmpty:  # nothing to decide (no shortage anywhere): the empty plan
        return Solution(np.zeros(h.getNumCol()), 0.0, True, 0.0, seconds)
    if status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        raise Infeasible(h.modelStatusToString(status))
    feasible = info.primal_solution_status == 2  # kSolutionStatusFeasible
    limits = (ms.kTimeLimit, ms.kIterationLimit, ms.kSolutionLimit, ms.kInterrupt)
    if status == ms.kOptimal or (status in limits and feasible):
        gap = float(info.mip_gap) if is_mip and np.isfinite(info.mip_gap) else 0.0
        return Solution(
            x=np.asarray(h.getSolution().col_value, dtype=float),
            objective=float(info.objective_function_value),
            optimal=status == ms.kOptimal,
            mip_gap=gap,
            seconds=seconds,
        )
    if status in limits:
        raise SolverFailed(
            f"The solver found no plan within its time limit ({time_limit:g} s). "
            "Fix: allow more time (--time-limit), or solve a smaller problem (fewer areas)."
        )
    raise SolverFailed(f"The solver failed: {h.modelStatusToString(status)}.")


@dataclass(frozen=True)
class ScipySolver:
    """HiGHS via scipy.optimize.milp (no starting plan): the same answers, for comparison."""

    time_limit: float = 120.0
    mip_rel_gap: float = 1e-4

    def solve(self, model: Model, start: FloatArray | None = None) -> Solution:
        began = time.perf_counter()
        res = milp(
            model.c,
            constraints=LinearConstraint(model.a, model.row_lb, model.row_ub),
            integrality=model.integer.astype(np.int8),
            bounds=Bounds(model.lb, model.ub),
            options={"time_limit": self.time_limit, "mip_rel_gap": self.mip_rel_gap},
        )
        return check_status(res, time.perf_counter() - began, self.time_limit)


def check_status(res: object, seconds: float, time_limit: float) -> Solution:
    """scipy's result: optimal, or feasible at the time limit (with its gap); else raise."""
    status = getattr(res, "status", 4)
    x = getattr(res, "x", None)
    if status == 2:
        raise Infeasible(getattr(res, "message", "infeasible"))
    if status in (0, 1) and x is not None:
        gap = getattr(res, "mip_gap", None)
        return Solution(
            x=np.asarray(x, dtype=float),
            objective=float(getattr(res, "fun", np.nan)),
            optimal=status == 0,
            mip_gap=float(gap) if gap is not None and np.isfinite(gap) else 0.0,
            seconds=seconds,
        )
    if status == 1:
        raise SolverFailed(
            f"The solver found no plan within its time limit ({time_limit:g} s). "
            "Fix: allow more time (--time-limit), or solve a smaller problem (fewer areas)."
        )
    raise SolverFailed(f"The solver failed: {getattr(res, 'message', 'unknown error')}.")


def relaxation(model: Model) -> Model:
    """The same model with every variable continuous (its optimum bounds the MILP's)."""
    return replace(model, integer=np.zeros_like(model.integer))


@dataclass
class Builder:
    """Collects variables and rows in blocks; `build` assembles one sparse model."""

    _c: list[FloatArray] = field(default_factory=list)
    _lb: list[FloatArray] = field(default_factory=list)
    _ub: list[FloatArray] = field(default_factory=list)
    _int: list[npt.NDArray[np.bool_]] = field(default_factory=list)
    _rows: list[IntArray] = field(default_factory=list)
    _cols: list[IntArray] = field(default_factory=list)
    _vals: list[FloatArray] = field(default_factory=list)
    _row_lb: list[FloatArray] = field(default_factory=list)
    _row_ub: list[FloatArray] = field(default_factory=list)
    n_vars: int = 0
    n_rows: int = 0
    tags: dict[str, Any] = field(default_factory=dict)

    def add_vars(
        self,
        n: int,
        *,
        lb: float | npt.ArrayLike = 0.0,
        ub: float | npt.ArrayLike = INF,
        cost: float | npt.ArrayLike = 0.0,
        integer: bool = False,
    ) -> IntArray:
        """n new variables; returns their column indices."""
        self._c.append(np.broadcast_to(np.asarray(cost, dtype=float), (n,)).copy())
        self._lb.append(np.broadcast_to(np.asarray(lb, dtype=float), (n,)).copy())
        self._ub.append(np.broadcast_to(np.asarray(ub, dtype=float), (n,)).copy())
        self._int.append(np.full(n, integer))
        idx = np.arange(self.n_vars, self.n_vars + n, dtype=np.int64)
        self.n_vars += n
        return idx

    def add_rows(
        self, n: int, *, lb: float | npt.ArrayLike = -INF, ub: float | npt.ArrayLike = INF
    ) -> IntArray:
        """n new rows lb ≤ (coefficients added with `add_coefs`) ≤ ub; returns their indices."""
        self._row_lb.append(np.broadcast_to(np.asarray(lb, dtype=float), (n,)).copy())
        self._row_ub.append(np.broadcast_to(np.asarray(ub, dtype=float), (n,)).copy())
        idx = np.arange(self.n_rows, self.n_rows + n, dtype=np.int64)
        self.n_rows += n
        return idx

    def add_coefs(self, rows: IntArray, cols: IntArray, vals: float | npt.ArrayLike) -> None:
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        self._rows.append(rows)
        self._cols.append(cols)
        self._vals.append(np.broadcast_to(np.asarray(vals, dtype=float), rows.shape).copy())

    def cost_vector(self) -> FloatArray:
        return np.concatenate(self._c) if self._c else np.zeros(0)

    def build(self) -> Model:
        cat = np.concatenate
        a = sparse.coo_array(
            (cat(self._vals), (cat(self._rows), cat(self._cols))),
            shape=(self.n_rows, self.n_vars),
        ).tocsr()
        a.sum_duplicates()
        return Model(
            c=self.cost_vector(),
            a=a,
            row_lb=cat(self._row_lb) if self._row_lb else np.zeros(0),
            row_ub=cat(self._row_ub) if self._row_ub else np.zeros(0),
            lb=cat(self._lb),
            ub=cat(self._ub),
            integer=cat(self._int),
            tags=dict(self.tags),
        )
