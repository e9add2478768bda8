"""A small min-cost flow toolkit on HiGHS, for mentor matching.

The network is an arc list; `solve` minimises Σ cost·flow subject to conservation at every
node but the source and sink and 0 ≤ flow ≤ upper. Network matrices are totally unimodular, so
HiGHS's simplex returns whole flows for whole capacities. `decompose` turns arc flows back into
how many units went from each start node to each end node.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from ssp_planner.errors import SSPError


@dataclass
class Network:
    n: int = 0
    tails: list[int] = field(default_factory=list)
    heads: list[int] = field(default_factory=list)
    costs: list[float] = field(default_factory=list)
    uppers: list[float] = field(default_factory=list)

    def node(self) -> int:
        self.n += 1
        return self.n - 1

    def arc(self, tail: int, head: int, cost: float, upper: float = np.inf) -> None:
        self.tails.append(tail)
        self.heads.append(head)
        self.costs.append(cost)
        self.uppers.append(upper)


def solve(net: Network, source: int, sink: int) -> np.ndarray:
    """Whole flow on every arc at least cost; raises if HiGHS does not report an optimum."""
    m = len(net.tails)
    if m == 0:
        return np.zeros(0, dtype=np.int64)
    tails, heads = np.array(net.tails), np.array(net.heads)
    rows = np.r_[heads, tails]
    vals = np.r_[np.ones(m), -np.ones(m)]
    cols = np.r_[np.arange(m), np.arange(m)]
    a = coo_matrix((vals, (rows, cols)), shape=(net.n, m)).tocsr()
    keep = np.setdiff1d(np.arange(net.n), [source, sink])
    res = linprog(
        np.array(net.costs),
        A_eq=a[keep],
        b_eq=np.zeros(len(keep)),
        bounds=list(zip(np.zeros(m), np.array(net.uppers), strict=True)),
        method="highs-ds",
    )
    if res.status != 0 or res.x is None:
        raise SSPError(f"The mentor matching could not be solved (HiGHS: {res.message}).")
    return np.rint(res.x).astype(np.int64)


def decompose(
    net: Network, flow: np.ndarray, starts: list[int], ends: set[int]
) -> list[tuple[int, int, int]]:
    """(start, end, units) for the flow leaving each start node and arriving at end nodes.

    Follows positive-flow arcs from each start to an end, taking the path's smallest flow; a
    cycle met on the way (zero-cost cycles are possible) is cancelled, which changes no cost.
    """
    left = flow.copy()
    out: dict[int, list[int]] = defaultdict(list)
    for arc in np.flatnonzero(left > 0).tolist():
        out[net.tails[arc]].append(arc)
    found: dict[tuple[int, int], int] = defaultdict(int)
    for start in starts:
        while True:
            path = _path(net, left, out, start, ends)
            if path is None:
                break
            units = int(min(int(left[k]) for k in path))
            for k in path:
                left[k] -= units
            found[(start, net.heads[path[-1]])] += units
    return [(s, e, u) for (s, e), u in found.items()]


def _path(
    net: Network, left: np.ndarray, out: dict[int, list[int]], start: int, ends: set[int]
) -> list[int] | None:
    """Arcs of one positive-flow path from start to an end node (cycles cancelled on the way)."""
    path: list[int] = []
    seen = {start: 0}
    node = start
    while node not in ends:
        arcs = [k for k in out[node] if left[k] > 0]
        if not arcs:
            return None
        path.append(arcs[0])
        node = net.heads[arcs[0]]
        if node in seen:  # a cycle: cancel it and carry on from where it began
            cycle = path[seen[node] :]
            units = min(int(left[k]) for k in cycle)
            for k in cycle:
                left[k] -= units
            del path[seen[node] :]
        seen = {net.tails[k]: i for i, k in enumerate(path)} | {node: len(path)}
    return path
