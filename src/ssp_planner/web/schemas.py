"""Input and output schemas of the web face. Output schemas decide what leaves the server:
a practitioner goes out as `PractitionerMasked` unless the principal's role may see personal
data, and no schema has a field for a password hash."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from ssp_planner.domain.identifiers import mask_id_number
from ssp_planner.ingest.errors import RowError
from ssp_planner.needs import Scenario
from ssp_planner.services.inventory import ImportResult
from ssp_planner.services.web_inventory import InventoryPage, PractitionerRecord
from ssp_planner.web.render import category_label
from ssp_planner.web.roles import Principal


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=500)


class UserPublic(BaseModel):
    username: str
    full_name: str
    role: str
    role_label: str
    province: str | None
    sees_personal_data: bool

    @classmethod
    def of(cls, p: Principal) -> UserPublic:
        return cls(
            username=p.username,
            full_name=p.full_name,
            role=p.role.value,
            role_label=p.role.label,
            province=p.scope.province,
            sees_personal_data=p.sees_personal_data,
        )


class SessionOut(BaseModel):
    """The API's first call: the CSRF token to send as X-CSRF-Token, and who is signed in."""

    csrf_token: str
    user: UserPublic | None


class _PractitionerBase(BaseModel):
    id: int
    sex: str
    category: str
    category_label: str
    rank: str
    sector: str
    employer: str | None
    area_code: str
    area_name: str
    province: str | None
    start_date: date
    council_number: str | None


class PractitionerMasked(_PractitionerBase):
    """For roles without access to personal data: initials, last four ID digits, no birth date."""

    personal: Literal[False] = False
    name: str
    id_number: str
    persal_number: str | None


class PractitionerFull(_PractitionerBase):
    personal: Literal[True] = True
    name: str
    surname: str
    first_names: str
    id_number: str
    birth_date: date
    persal_number: str | None


PractitionerOut = Annotated[PractitionerMasked | PractitionerFull, Field(discriminator="personal")]


class PractitionerDetailOut(BaseModel):
    practitioner: PractitionerOut
    supervisor: PractitionerOut | None
    supervisees: int
    batch_id: int | None
    batch_file: str | None
    imported_at: datetime | None
    synthetic: bool


class InventoryPageOut(BaseModel):
    rows: list[PractitionerOut]
    total: int
    page: int
    pages: int
    per_page: int


def present(record: PractitionerRecord, principal: Principal) -> PractitionerOut:
    """The record as this principal may see it."""
    base = {
        "id": record.id,
        "sex": record.sex,
        "category": record.category,
        "category_label": category_label(record.category),
        "rank": record.rank,
        "sector": record.sector,
        "employer": record.employer,
        "area_code": record.area_code,
        "area_name": record.area_name,
        "province": record.province,
        "start_date": record.start_date,
        "council_number": record.council_number,
    }
    if principal.sees_personal_data:
        return PractitionerFull(
            **base,
            name=f"{record.first_names} {record.surname}",
            surname=record.surname,
            first_names=record.first_names,
            id_number=record.id_number,
            birth_date=record.birth_date,
            persal_number=record.persal_number,
        )
    return PractitionerMasked(
        **base,
        name=initials(record.first_names, record.surname),
        id_number=mask_id_number(record.id_number),
        persal_number=mask_id_number(record.persal_number) if record.persal_number else None,
    )


def present_page(page: InventoryPage, principal: Principal) -> InventoryPageOut:
    return InventoryPageOut(
        rows=[present(r, principal) for r in page.rows],
        total=page.total,
        page=page.page,
        pages=page.pages,
        per_page=page.per_page,
    )


def present_detail(record: PractitionerRecord, principal: Principal) -> PractitionerDetailOut:
    return PractitionerDetailOut(
        practitioner=present(record, principal),
        supervisor=present(record.supervisor, principal) if record.supervisor else None,
        supervisees=record.supervisees,
        batch_id=record.batch_id,
        batch_file=record.batch_file,
        imported_at=record.batch_at,
        synthetic=record.synthetic,
    )


def initials(first_names: str, surname: str) -> str:
    """'Nomvula Grace', 'Dlamini' -> 'N. G. D.': enough to tell rows apart, not to identify."""
    parts = [*first_names.split(), *surname.split()]
    return " ".join(f"{p[0].upper()}." for p in parts if p) or "—"


class RowErrorOut(BaseModel):
    file: str
    row: int
    column: str
    value: str
    problem: str
    fix: str

    @classmethod
    def of(cls, e: RowError) -> RowErrorOut:
        return cls(**e.__dict__)


class ImportResultOut(BaseModel):
    file: str
    stored: bool
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    batch_id: int | None
    errors: list[RowErrorOut]
    error_report_csv: str | None = None
    error_report_xlsx: str | None = None

    @classmethod
    def of(cls, r: ImportResult, report_token: str | None) -> ImportResultOut:
        return cls(
            file=r.file,
            stored=r.written,
            rows_read=r.rows_read,
            inserted=r.inserted,
            updated=r.updated,
            unchanged=r.unchanged,
            rejected=r.rejected,
            batch_id=r.batch_id,
            errors=[RowErrorOut.of(e) for e in r.errors],
            error_report_csv=f"/api/v1/imports/reports/{report_token}.csv"
            if report_token
            else None,
            error_report_xlsx=f"/api/v1/imports/reports/{report_token}.xlsx"
            if report_token
            else None,
        )


class ScenarioOut(BaseModel):
    name: str
    description: str
    year: int
    modifiers: list[str]
    digest: str

    @classmethod
    def of(cls, s: Scenario) -> ScenarioOut:
        kinds = [m.kind for m in s.modifiers]
        return cls(
            name=s.name, description=s.description, year=s.year, modifiers=kinds, digest=s.digest()
        )


class NeedsQuery(BaseModel):
    """The needs page's choices and the API's query: which run, level, category and map."""

    run: int | None = Field(default=None, ge=1, le=2**31 - 1)
    level: str = Field(default="province", max_length=20)
    category: str = Field(default="all", max_length=40)
    map: str = Field(default="gap", max_length=20)


class RunRequest(BaseModel):
    scenario: str = Field(default="baseline", min_length=1, max_length=100)


class CompareRequest(BaseModel):
    scenarios: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=2, max_length=6
    )
    level: str = "province"
    category: str = "all"


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    username: str
    action: str
    target: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    ip: str | None


class AuditPageOut(BaseModel):
    rows: list[AuditEntryOut]
    total: int
    page: int
    per_page: int
    actions: list[str]
