"""What an import would change: rows added, changed and removed per sheet, by natural key.

An empty diff means the workbook holds what is stored, so the import writes nothing and
records no batch (imports are idempotent). Activity versions are not content: ignored here.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from ssp_planner.plan.model import Plan

KEYS: dict[str, Callable[[Any], Hashable]] = {
    "workstreams": lambda w: w.number,
    "activities": lambda a: a.number,
    "updates": lambda u: (u.activity, u.date, u.note),
    "priorities": lambda p: p.number,
    "allocations": lambda a: (a.priority, a.unit),
    "lessons": lambda x: (x.date, x.lesson),
    "actions": lambda x: (x.action, x.owner, x.due_date),
}


@dataclass(frozen=True)
class Change:
    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def __str__(self) -> str:
        return f"{self.added} new, {self.changed} changed, {self.removed} removed"


@dataclass(frozen=True)
class PlanDiff:
    new_plan: bool
    plan_changed: bool  # the plan row itself (title, objective, amounts, ...)
    sheets: dict[str, Change]
    touched: frozenset[str] = frozenset()  # activities whose row or updates differ

    @property
    def empty(self) -> bool:
        return not (self.new_plan or self.plan_changed or any(c.any for c in self.sheets.values()))

    def changed(self, sheet: str) -> bool:
        return self.sheets[sheet].any


def diff_plans(stored: Plan | None, incoming: Plan) -> PlanDiff:
    """Compare `incoming` with `stored` (None: a plan not stored yet)."""
    new = incoming.without_versions()
    old = stored.without_versions() if stored else Plan(code=new.code, title="", objective="")
    head = set(Plan.model_fields) - set(KEYS)
    plan_changed = stored is not None and any(getattr(old, f) != getattr(new, f) for f in head)
    return PlanDiff(
        new_plan=stored is None,
        plan_changed=plan_changed,
        sheets={
            name: _compare(getattr(old, name), getattr(new, name), key)
            for name, key in KEYS.items()
        },
        touched=_touched(old, new),
    )


def _touched(old: Plan, new: Plan) -> frozenset[str]:
    """Activities (of either plan) whose own row or whose set of updates differs."""

    def history(plan: Plan, number: str) -> set[Any]:
        return {u for u in plan.updates if u.activity == number}

    numbers = {a.number for a in old.activities} | {a.number for a in new.activities}
    return frozenset(
        n
        for n in numbers
        if old.activity(n) != new.activity(n) or history(old, n) != history(new, n)
    )


def _compare(old: tuple[Any, ...], new: tuple[Any, ...], key: Callable[[Any], Hashable]) -> Change:
    before = {key(x): x for x in old}
    after = {key(x): x for x in new}
    return Change(
        added=len(after.keys() - before.keys()),
        changed=sum(1 for k in after.keys() & before.keys() if after[k] != before[k]),
        removed=len(before.keys() - after.keys()),
    )
