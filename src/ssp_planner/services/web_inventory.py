"""Inventory search and detail for the web: filtered by the caller's scope in the query itself.

Returns full records; the web face picks the masked or full output schema by role, so this
layer never decides what a person may see, only which rows they may see at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Engine, Select, func, or_, select
from sqlalchemy.orm import aliased

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.domain.vocabulary import Category, Rank, Sector
from ssp_planner.errors import NotFoundError
from ssp_planner.services.areas import areas_frame
from ssp_planner.services.web_cache import cached
from ssp_planner.store import session_scope
from ssp_planner.store.models import ImportBatch, Practitioner
from ssp_planner.web.roles import Scope
from ssp_planner.workforce.hierarchy import ancestor_at

MAX_TERMS = 5


class InventoryFilters(BaseModel):
    """Search form and API query: every field optional; blanks (from forms) mean 'any'."""

    q: str = Field(default="", max_length=100, description="Words to find (see docs/web.md).")
    category: Category | None = None
    rank: Rank | None = None
    sector: Sector | None = None
    area: str | None = Field(default=None, max_length=20, description="Province/district code.")
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=25, ge=1, le=100)

    @field_validator("category", "rank", "sector", "area", mode="before")
    @classmethod
    def _blank_is_any(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


@dataclass(frozen=True)
class PractitionerRecord:
    """Everything stored about one person, with where the row came from."""

    id: int
    id_number: str
    surname: str
    first_names: str
    birth_date: date
    sex: str
    category: str
    rank: str
    sector: str
    employer: str | None
    area_code: str
    area_name: str
    province: str | None
    start_date: date
    persal_number: str | None
    council_number: str | None
    supervisor: PractitionerRecord | None = None
    supervisees: int = 0
    batch_id: int | None = None
    batch_file: str | None = None
    batch_at: datetime | None = None
    synthetic: bool = False


@dataclass(frozen=True)
class AreaChoice:
    code: str
    name: str
    level: str


@dataclass(frozen=True)
class InventoryPage:
    rows: list[PractitionerRecord]
    total: int
    page: int
    per_page: int
    area_choices: list[AreaChoice]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_inventory(
    engine: Engine, scope: Scope, filters: InventoryFilters, *, personal: bool
) -> InventoryPage:
    """One page of the practitioners in scope that match the filters, ordered by name.

    `q` matches every word (AND) against names, ID, PERSAL and council numbers and employer
    when `personal`; otherwise only employer and council number, so that people without
    access to personal data cannot find out whether a named person is on the inventory.
    Words are bound parameters with LIKE wildcards escaped: `%`, `_` and quotes match literally.
    """
    lookup = _area_lookup(engine)
    query = _scoped(select(Practitioner), scope)
    if filters.area:
        query = query.where(Practitioner.area_id.in_(_subtree(lookup, filters.area)))
    for attr in ("category", "rank", "sector"):
        value = getattr(filters, attr)
        if value is not None:
            query = query.where(getattr(Practitioner, attr) == value.value)
    for word in filters.q.lower().split()[:MAX_TERMS]:
        # lower(col) LIKE, not ILIKE: the same on both backends, and faster on PostgreSQL
        query = query.where(
            or_(*(func.lower(col).contains(word, autoescape=True) for col in _fields(personal)))
        )
    page = (
        query.add_columns(func.count().over().label("total"))  # the count in the same scan
        .order_by(*_order(personal))
        .limit(filters.per_page)
        .offset((filters.page - 1) * filters.per_page)
    )
    with session_scope(engine) as session:
        found = session.execute(page).all()
        if found:
            total = int(found[0].total)
        else:  # past the last page (or nothing matches): count separately
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = [_record(p, lookup) for p, _total in found]
    choices = cached(engine, ("area-choices", scope.province), lambda: _choices(lookup, scope))
    return InventoryPage(rows, total, filters.page, filters.per_page, choices)


def practitioner_detail(engine: Engine, scope: Scope, practitioner_id: int) -> PractitionerRecord:
    """One person with supervisor, supervisee count and import batch; NotFoundError when the
    id does not exist *or* lies outside the scope (the two are indistinguishable on purpose)."""
    lookup = _area_lookup(engine)
    with session_scope(engine) as session:
        person = session.scalar(
            _scoped(select(Practitioner), scope).where(Practitioner.id == practitioner_id)
        )
        if person is None:
            raise NotFoundError(f"No practitioner {practitioner_id} among the records you can see.")
        sup = aliased(Practitioner)
        supervisor = session.scalar(
            _scoped(select(sup), scope, sup).where(sup.id == person.supervisor_id)
        )
        supervisees = session.scalar(
            _scoped(select(func.count()), scope).where(Practitioner.supervisor_id == person.id)
        )
        batch = session.get(ImportBatch, person.batch_id)
        return PractitionerRecord(
            **{
                **_record(person, lookup).__dict__,
                "supervisor": _record(supervisor, lookup) if supervisor else None,
                "supervisees": supervisees or 0,
                "batch_id": batch.id if batch else None,
                "batch_file": batch.file_name if batch else None,
                "batch_at": batch.finished_at or batch.started_at if batch else None,
                "synthetic": bool(batch and batch.synthetic),
            }
        )


def _order(personal: bool) -> list:
    """By name for those who see names; otherwise by place, so the order reveals no names."""
    if personal:
        return [Practitioner.surname, Practitioner.first_names, Practitioner.id]
    return [Practitioner.area_id, Practitioner.category, Practitioner.id]


def _scoped(query: Select, scope: Scope, table: type[Practitioner] = Practitioner) -> Select:
    if scope.area_ids is None:
        return query
    return query.where(table.area_id.in_(sorted(scope.area_ids)))


def _fields(personal: bool) -> list:
    shared = [Practitioner.employer, Practitioner.council_number]
    if not personal:
        return shared
    return [
        Practitioner.surname,
        Practitioner.first_names,
        Practitioner.id_number,
        Practitioner.persal_number,
        *shared,
    ]


@dataclass(frozen=True)
class _Lookup:
    areas: pd.DataFrame  # id, code, level, name, parent_id
    province_of: dict[int, str]
    code_name: dict[int, tuple[str, str]]


def _area_lookup(engine: Engine) -> _Lookup:
    def build() -> _Lookup:
        with session_scope(engine) as session:
            areas = areas_frame(session)
        codes = areas.set_index("id")["code"]
        up = ancestor_at(areas, AreaLevel.PROVINCE).dropna()
        names = {int(r.id): (str(r.code), str(r.name)) for r in areas.itertuples()}
        return _Lookup(areas, {int(k): str(codes[int(v)]) for k, v in up.items()}, names)

    return cached(engine, "area-lookup", build)


def _subtree(lookup: _Lookup, code: str) -> list[int]:
    areas = lookup.areas
    todo = list(areas.loc[areas["code"] == code, "id"].astype(int))
    seen = set(todo)
    children = areas.dropna(subset=["parent_id"]).groupby("parent_id")["id"].apply(list)
    while todo:
        for child in children.get(todo.pop(), []):
            if int(child) not in seen:
                seen.add(int(child))
                todo.append(int(child))
    return sorted(seen)


def _choices(lookup: _Lookup, scope: Scope) -> list[AreaChoice]:
    areas = lookup.areas
    keep = areas["level"].isin([AreaLevel.PROVINCE.value, AreaLevel.DISTRICT.value])
    rows = areas[keep & areas["id"].map(lambda i: scope.allows(int(i)))]
    rows = rows.assign(prov=rows["id"].map(lookup.province_of)).sort_values(["prov", "level"])
    return [AreaChoice(r.code, r.name, r.level) for r in rows.itertuples()]


def _record(p: Practitioner, lookup: _Lookup) -> PractitionerRecord:
    area_code, area_name = lookup.code_name[p.area_id]
    return PractitionerRecord(
        id=p.id,
        id_number=p.id_number,
        surname=p.surname,
        first_names=p.first_names,
        birth_date=p.birth_date,
        sex=p.sex,
        category=p.category,
        rank=p.rank,
        sector=p.sector,
        employer=p.employer,
        area_code=area_code,
        area_name=area_name,
        province=lookup.province_of.get(p.area_id),
        start_date=p.start_date,
        persal_number=p.persal_number,
        council_number=p.council_number,
    )


__all__ = ["InventoryFilters", "InventoryPage", "PractitionerRecord"]
