"""A good first plan for the solver: the LP relaxation rounded down, repaired, then filled greedily.

HiGHS proves optimality fast once it holds a plan near the bound, but its own heuristics take
seconds to find one on national instances. This gives it one in a fraction of a second. It is
only a starting point: the answer is still the solver's, with its reported gap.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ssp_planner.allocation._milp import FloatArray, IntArray

Posts = npt.NDArray[np.int64]  # [group, rank, channel]


@dataclass(frozen=True)
class GroupData:
    """What the heuristic needs about each district × category group and the channels."""

    floor: IntArray  # Σ lo_i: posts the group must get
    cap: IntArray  # Σ hi_i
    per: FloatArray  # practitioners per supervisor (0: no ratio)
    spare: FloatArray  # E_g
    price: npt.NDArray[np.int64]  # [group, rank, channel] rands, 0 = not funded
    budgets: npt.NDArray[np.int64]
    slots: list[FloatArray]  # values of the posts above the floor, best first
    sup_rank: int  # index of the supervisor rank (-1: none)
    pool: dict[int, tuple[IntArray, FloatArray, FloatArray]]  # pool -> (province of group, G, m)
    pool_key: IntArray  # group -> category pool id (-1: unlimited)


def round_and_fill(data: GroupData, relaxed: FloatArray | None) -> Posts | None:
    """Whole posts per (group, rank, channel): rounded relaxation (or nothing), repaired, then
    posts added by value per rand until no budget, need or candidate is left. None if the
    floors cannot be met this way (the solver then starts from scratch)."""
    posts = np.zeros(data.price.shape, dtype=np.int64)
    if relaxed is not None:
        posts = np.floor(relaxed + 1e-9).astype(np.int64)
        if data.sup_rank >= 0:  # supervisors to the nearest: flooring them strands practitioners
            sup = relaxed[:, data.sup_rank, :]
            posts[:, data.sup_rank, :] = np.floor(sup + 0.5).astype(np.int64)
        _repair_supervision(data, posts)
        _trim_to_budget(data, posts)
    state = _State.of(data, posts)
    if not state.meet_floors():
        return None
    state.fill()
    return state.posts


def _repair_supervision(data: GroupData, posts: Posts) -> None:
    """Drop practitioners (dearest channel first) where rounding left too few supervisors."""
    if data.sup_rank < 0:
        return
    prac = [r for r in range(posts.shape[1]) if r != data.sup_rank]
    for g in np.nonzero(data.per > 0)[0]:
        excess = posts[g, prac].sum() - data.per[g] * posts[g, data.sup_rank].sum() - data.spare[g]
        drop = math.ceil(excess - 1e-9)
        for r in prac:
            for f in np.argsort(-data.price[g, r]):
                cut = min(drop, int(posts[g, r, f]))
                posts[g, r, f] -= cut
                drop -= cut


def _trim_to_budget(data: GroupData, posts: Posts) -> None:
    """Where rounding overspends a channel, drop that channel's least valuable practitioners."""
    prac = [r for r in range(posts.shape[1]) if r != data.sup_rank]
    for f, budget in enumerate(data.budgets):
        while (posts[:, :, f] * data.price[:, :, f]).sum() > budget:
            has = np.nonzero(posts[:, prac, f].sum(axis=1) > 0)[0]
            if len(has) == 0:
                return
            last = [_last_value(data, posts, int(g)) for g in has]
            g = int(has[int(np.argmin(last))])
            r = next(r for r in prac if posts[g, r, f] > 0)
            posts[g, r, f] -= 1


def _last_value(data: GroupData, posts: Posts, g: int) -> float:
    above = int(posts[g].sum()) - int(data.floor[g]) - 1
    return float(data.slots[g][above]) if 0 <= above < len(data.slots[g]) else 0.0


@dataclass
class _State:
    data: GroupData
    posts: Posts
    spent: npt.NDArray[np.int64]
    demand: dict[int, FloatArray]  # pool id -> posts per province

    @classmethod
    def of(cls, data: GroupData, posts: Posts) -> _State:
        spent = (posts * data.price).sum(axis=(0, 1)).astype(np.int64)
        demand: dict[int, FloatArray] = {}
        for g, key in enumerate(data.pool_key):
            if key >= 0:
                prov, cand, _m = data.pool[key]
                demand.setdefault(key, np.zeros(len(cand)))[prov[g]] += posts[g].sum()
        return cls(data, posts, spent, demand)

    def next_move(self, g: int) -> tuple[int, int, int] | None:
        """(rank, channel, price) of the cheapest post that keeps every constraint, or None."""
        d, total = self.data, int(self.posts[g].sum())
        if total >= d.cap[g] or not self._candidate_ok(g):
            return None
        rank = 0 if d.sup_rank != 0 else 1
        if d.per[g] > 0 and d.sup_rank >= 0:
            prac = total - self.posts[g, d.sup_rank].sum()
            if prac + 1 - d.per[g] * self.posts[g, d.sup_rank].sum() > d.spare[g] + 1e-9:
                rank = d.sup_rank
        prices = d.price[g, rank]
        ok = [
            (int(p), f) for f, p in enumerate(prices) if p > 0 and self.spent[f] + p <= d.budgets[f]
        ]
        if not ok:
            return None
        price, f = min(ok)
        return rank, f, price

    def _candidate_ok(self, g: int) -> bool:
        key = int(self.data.pool_key[g])
        if key < 0:
            return True
        prov, cand, share = self.data.pool[key]
        demand = self.demand[key].copy()
        demand[prov[g]] += 1
        shortfall = np.maximum(0.0, demand - cand).sum()
        movers = np.minimum(share * cand, np.maximum(0.0, cand - demand)).sum()
        return bool(shortfall <= movers + 1e-6)

    def add(self, g: int, rank: int, f: int, price: int) -> None:
        self.posts[g, rank, f] += 1
        self.spent[f] += price
        key = int(self.data.pool_key[g])
        if key >= 0:
            self.demand[key][self.data.pool[key][0][g]] += 1

    def value(self, g: int) -> float:
        above = int(self.posts[g].sum()) - int(self.data.floor[g])
        slots = self.data.slots[g]
        return float(slots[above]) if 0 <= above < len(slots) else 0.0

    def meet_floors(self) -> bool:
        for g in np.nonzero(self.posts.sum(axis=(1, 2)) < self.data.floor)[0]:
            while self.posts[g].sum() < self.data.floor[g]:
                move = self.next_move(int(g))
                if move is None:
                    return False
                self.add(int(g), *move)
        return True

    def fill(self) -> None:
        heap: list[tuple[float, int]] = []
        for g in range(len(self.data.floor)):
            self._push(heap, g)
        while heap:
            neg, g = heapq.heappop(heap)
            move = self.next_move(g)
            if move is None:
                continue
            ratio = self.value(g) / move[2]
            if ratio <= 0:
                continue
            if ratio < -neg - 1e-15:  # stale: the cheapest channel ran out; try again later
                heapq.heappush(heap, (-ratio, g))
                continue
            self.add(g, *move)
            self._push(heap, g)

    def _push(self, heap: list[tuple[float, int]], g: int) -> None:
        move = self.next_move(g)
        if move is None:
            return
        if (value := self.value(g)) > 0:
            heapq.heappush(heap, (-value / move[2], g))
