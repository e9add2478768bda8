"""Allocation of support days or rands among priorities: totals against what is available.

Ranges ('5–10 days') are how the department plans. The minimums are commitments: if they add
up to more than is available, the plan is over-allocated. The maximums may add up to more
(not every priority will need its upper end); the report says by how much.
"""

from __future__ import annotations

from dataclasses import dataclass

from ssp_planner.plan.model import Allocation, Plan, Unit


@dataclass(frozen=True)
class AllocationLine:
    allocation: Allocation
    priority_title: str
    over_maximum: bool  # spent more than the upper end of its range


@dataclass(frozen=True)
class AllocationTotals:
    """One unit's allocations and their totals; `available` None when the plan does not say."""

    unit: Unit
    lines: tuple[AllocationLine, ...]
    available: int | None
    minimum: int
    maximum: int
    spent: int

    @property
    def over_allocated(self) -> bool:
        """The minimums alone need more than is available."""
        return self.available is not None and self.minimum > self.available

    @property
    def maximum_exceeds(self) -> bool:
        """The upper ends together need more than is available (a warning, not an error)."""
        return self.available is not None and self.maximum > self.available

    @property
    def overspent(self) -> bool:
        return self.available is not None and self.spent > self.available

    @property
    def remaining(self) -> int | None:
        return None if self.available is None else self.available - self.spent


def allocation_totals(plan: Plan) -> list[AllocationTotals]:
    """Totals per unit that the plan allocates or makes available (days first, then rands)."""
    titles = {p.number: p.title for p in plan.priorities}
    out = []
    for unit in Unit:
        rows = [a for a in plan.allocations if a.unit is unit]
        if not rows and plan.available(unit) is None:
            continue
        lines = tuple(
            AllocationLine(
                a, titles.get(a.priority, f"priority {a.priority}"), (a.spent or 0) > a.maximum
            )
            for a in rows
        )
        out.append(
            AllocationTotals(
                unit=unit,
                lines=lines,
                available=plan.available(unit),
                minimum=sum(a.minimum for a in rows),
                maximum=sum(a.maximum for a in rows),
                spent=sum(a.spent or 0 for a in rows),
            )
        )
    return out


def amount(value: int | None, unit: Unit) -> str:
    """'12 days', 'R1,250,000', '—'."""
    if value is None:
        return "—"
    if unit is Unit.RANDS:
        return f"-R{-value:,}" if value < 0 else f"R{value:,}"
    return f"{value:,} day" if abs(value) == 1 else f"{value:,} days"


def amount_range(low: int, high: int, unit: Unit) -> str:
    """'5–10 days', 'R50,000–R80,000'; a single amount when the range is one value."""
    if low == high:
        return amount(low, unit)
    if unit is Unit.RANDS:
        return f"{amount(low, unit)}–{amount(high, unit)}"
    return f"{low:,}–{high:,} days"
