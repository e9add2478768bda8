"""Deterministic links and clustering under must-link / cannot-link constraints.

Connected components alone chain errors: one wrong link joins two people and everyone linked to
them. So links are added strongest first (reviewers' accepts, then shared valid ID numbers, then
model links by probability), and a link is skipped when it would put a rejected pair in one
person, or join two groups that each carry a different valid ID number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from ssp_planner.linkage.sources import could_be_same

Pair = tuple[int, int]


def ordered(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)


@dataclass(frozen=True)
class Deterministic:
    links: list[Pair]  # same valid ID number, names and birth dates that agree
    doubtful: list[Pair]  # same valid ID number, unrelated names or births: for review


def deterministic_links(records: pd.DataFrame) -> Deterministic:
    """Rule 1: records sharing a valid ID number are one person, unless names or birth dates
    say not."""
    valid = records[records["id_valid"]]
    shared = valid[valid["id_number"].duplicated(keep=False)]
    links: list[Pair] = []
    doubtful: list[Pair] = []
    rows = shared.sort_values("unique_id").to_dict("records")
    by_id: dict[str, list[dict]] = {}
    for rec in rows:
        by_id.setdefault(rec["id_number"], []).append(rec)
    for group in by_id.values():
        for rec in group[1:]:
            mate = next((g for g in group if g is not rec and could_be_same(rec, g)), None)
            if mate is not None:
                links.append(ordered(rec["unique_id"], mate["unique_id"]))
            else:
                doubtful.append(ordered(rec["unique_id"], group[0]["unique_id"]))
    return Deterministic(links, doubtful)


class _Groups:
    """Union-find that keeps, per group, its members, valid IDs and forbidden partners."""

    def __init__(self, ids: dict[int, str | None], cannot: Iterable[Pair]) -> None:
        self.parent = {u: u for u in ids}
        self.members = {u: {u} for u in ids}
        self.ids = {u: {i} if i else set() for u, i in ids.items()}
        self.forbid: dict[int, set[int]] = {u: set() for u in ids}
        for a, b in cannot:
            if a in self.forbid and b in self.forbid:
                self.forbid[a].add(b)
                self.forbid[b].add(a)

    def find(self, u: int) -> int:
        root = u
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[u] != root:
            self.parent[u], u = root, self.parent[u]
        return root

    def join(self, a: int, b: int, *, force: bool, distinct_ids: bool) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.forbid[ra] & self.members[rb]:
            return False
        clash = self.ids[ra] and self.ids[rb] and not self.ids[ra] & self.ids[rb]
        if clash and distinct_ids and not force:
            return False
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        self.ids[ra] |= self.ids.pop(rb)
        self.forbid[ra] |= self.forbid.pop(rb)
        return True


def cluster(
    ids: dict[int, str | None],
    must: list[Pair],
    links: list[Pair],
    cannot: Iterable[Pair],
    *,
    distinct_ids: bool = True,
) -> dict[int, int]:
    """Person (smallest record id in the group) of every record.

    `ids`: every record with its valid ID number (or None). `links` must come strongest first.
    """
    groups = _Groups(ids, cannot)
    for a, b in must:
        groups.join(a, b, force=True, distinct_ids=distinct_ids)
    for a, b in links:
        groups.join(a, b, force=False, distinct_ids=distinct_ids)
    root_to_person = {r: min(m) for r, m in groups.members.items()}
    return {u: root_to_person[groups.find(u)] for u in ids}
