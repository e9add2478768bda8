"""Golden records: one row per person, each field taken from the source trusted most for it.

For every field the candidates are the person's records that have a value; they are ranked by
usable-ness (a valid ID number before one failing its check digit, full first names before
initials), then by the source priority for that field, then by the source's date (newest first).
The winner's record is kept as the field's provenance. Where records disagree on a field that
identifies a person (two different ID numbers, birth dates...), the person lists a conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ssp_planner.linkage.names import fold, is_initials

FIELDS = (
    "id_number",
    "surname",
    "first_names",
    "birth_date",
    "sex",
    "persal_number",
    "council_number",
    "category",
    "rank",
    "sector",
    "employer",
    "area_code",
    "start_date",
)
CONFLICT_FIELDS = ("id_number", "birth_date", "sex", "persal_number", "council_number")


@dataclass(frozen=True)
class GoldenRules:
    """Source priority, most trusted first; sources not named come after, newest first.

    `per_field` overrides the priority for single fields, e.g. the payroll knows best where a
    government employee works now: {"area_code": ("payroll",)}.
    """

    priority: tuple[str, ...] = ("register", "payroll")
    per_field: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {"area_code": ("payroll",), "employer": ("payroll",)}
    )

    def rank(self, field_name: str, source: str) -> int:
        order = tuple(self.per_field.get(field_name, ())) + self.priority
        return order.index(source) if source in order else len(order)

    def as_dict(self) -> dict[str, Any]:
        return {"priority": list(self.priority), "per_field": dict(self.per_field)}


@dataclass(frozen=True)
class SourceRecord:
    """One record as the golden record sees it: parsed values and where they came from."""

    uid: int
    source: str
    source_date: date
    values: Mapping[str, object]
    id_valid: bool


@dataclass(frozen=True)
class Golden:
    person: int
    values: dict[str, str | None]
    provenance: dict[str, int]  # field -> uid of the record it was taken from
    conflicts: dict[str, list[str]]  # field -> the differing values
    records: list[int]
    sources: list[str]


def _usable(field_name: str, rec: SourceRecord) -> int:
    """0 for a value fit to use, 1 for one we keep only when nothing better exists."""
    if field_name == "id_number":
        return 0 if rec.id_valid else 1
    if field_name == "first_names":
        return 1 if is_initials(str(rec.values["first_names"])) else 0
    return 0


def choose(
    field_name: str, records: Sequence[SourceRecord], rules: GoldenRules
) -> SourceRecord | None:
    """The record whose value for `field_name` goes into the golden record."""
    have = [r for r in records if r.values.get(field_name) not in (None, "")]
    if not have:
        return None
    return min(
        have,
        key=lambda r: (
            _usable(field_name, r),
            rules.rank(field_name, r.source),
            -r.source_date.toordinal(),
            r.uid,
        ),
    )


_COMPARE: dict[str, Callable[[str], str]] = {"id_number": lambda v: v.replace(" ", "")}


def conflicts(records: Sequence[SourceRecord]) -> dict[str, list[str]]:
    """Identifying fields on which the person's records disagree."""
    out = {}
    for name in CONFLICT_FIELDS:
        norm = _COMPARE.get(name, fold)
        seen: dict[str, str] = {}
        for rec in records:
            value = rec.values.get(name)
            if value not in (None, ""):
                seen.setdefault(norm(str(value)), str(value))
        if len(seen) > 1:
            out[name] = sorted(seen.values())
    return out


def golden_record(person: int, records: Sequence[SourceRecord], rules: GoldenRules) -> Golden:
    values: dict[str, str | None] = {}
    provenance: dict[str, int] = {}
    for name in FIELDS:
        best = choose(name, records, rules)
        values[name] = str(best.values[name]) if best else None
        if best:
            provenance[name] = best.uid
    return Golden(
        person=person,
        values=values,
        provenance=provenance,
        conflicts=conflicts(records),
        records=sorted(r.uid for r in records),
        sources=sorted({r.source for r in records}),
    )


def golden_records(
    person_of: Mapping[int, int], records: Mapping[int, SourceRecord], rules: GoldenRules
) -> list[Golden]:
    """One golden record per person, in order of person id."""
    members: dict[int, list[SourceRecord]] = {}
    for uid, person in person_of.items():
        members.setdefault(person, []).append(records[uid])
    return [golden_record(p, members[p], rules) for p in sorted(members)]
