"""Supervision and mentoring for the web: the compliance report limited to the caller's
province, one person's supervision, the sessions upload with the province check, and the
stored mentor matches.

The report itself is the CLI's (`supervision_report`), computed for the country and then cut to
the caller's areas; people leave here as `PersonOut`, with names and ID numbers only for roles
that may see personal data, and only for people in the caller's province.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import Engine, select

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.domain.identifiers import mask_id_number
from ssp_planner.domain.vocabulary import Category
from ssp_planner.errors import NotFoundError, SSPError
from ssp_planner.ingest.errors import RowError
from ssp_planner.ingest.reader import read_table
from ssp_planner.services.inventory import ImportResult
from ssp_planner.services.supervision import import_sessions, run_mentoring, supervision_report
from ssp_planner.services.web_import import record_import, refused_result
from ssp_planner.services.web_queries import BlankIsNone, newest_first, run_or_newest
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, Practitioner
from ssp_planner.store.models_people import (
    MentoringPair,
    MentoringRun,
    SupervisionSession,
)
from ssp_planner.supervision import SHEET, StoredPerson, load_norms, validate_sessions
from ssp_planner.web.audit import audit_now
from ssp_planner.web.roles import Principal, Scope
from ssp_planner.web.schemas import initials

CATEGORIES = ("all", *(c.value for c in Category))
LIST_LIMIT = 300  # people per list on a page; the counts say how many there are in all


@dataclass(frozen=True)
class Audience:
    """Who is looking: their areas and whether they may see names and ID numbers."""

    scope: Scope
    personal: bool

    @classmethod
    def of(cls, principal: Principal) -> Audience:
        return cls(principal.scope, principal.sees_personal_data)


class PersonOut(BaseModel):
    """A person as this viewer may see them: initials and the last four ID digits unless the
    role sees personal data and the person is in the viewer's province."""

    id: int
    personal: bool
    name: str
    id_number: str
    category: str
    area_code: str


class RatioRow(BaseModel):
    level: str
    code: str
    name: str
    category: str
    practitioners: int
    supervisors: int
    ratio: float | None  # practitioners per supervisor; None without supervisors
    norm: float
    meets_norm: bool
    supervisors_needed: int
    supervisor_shortfall: int
    unsupervised: int
    over_limit: int


class ComplianceRow(BaseModel):
    level: str
    code: str
    name: str
    category: str
    supervisees: int
    sessions_due: int
    sessions_counted: int
    compliant: int
    compliance_rate: float | None
    hours: float


class OverLimit(BaseModel):
    supervisor: PersonOut
    supervisees: int
    limit: int
    excess: int


class Headline(BaseModel):
    practitioners: int
    supervisors: int
    ratio: float | None
    norm: float
    unsupervised: int
    over_limit: int
    compliance_rate: float | None


class SupervisionView(BaseModel):
    on: date
    period: str
    months: int
    category: str
    area_name: str
    headline: Headline
    provinces: list[RatioRow]
    districts: list[RatioRow]
    compliance_provinces: list[ComplianceRow]
    compliance_districts: list[ComplianceRow]
    unsupervised: list[PersonOut]  # the first LIST_LIMIT; headline.unsupervised counts all
    over_limit: list[OverLimit]
    notes: list[str]


class SupervisionQuery(BaseModel):
    """The page's filters and the API's query: sessions over `months` up to `on`."""

    on: Annotated[date | None, BlankIsNone] = None
    months: int = Field(default=12, ge=1, le=36)
    category: str = Field(default="all", max_length=40)


class SessionOut(BaseModel):
    session_date: date
    session_type: str
    duration_minutes: int
    supervisor: PersonOut | None


class PersonSupervision(BaseModel):
    person: PersonOut
    supervisor: PersonOut | None
    supervisees: list[PersonOut]
    sessions: list[SessionOut]  # newest first, the last LIST_LIMIT
    mentoring_run: int | None
    mentor: PersonOut | None
    mentor_reason: str | None


# --- the report --------------------------------------------------------------------------------


def supervision_view(
    engine: Engine, viewer: Audience, *, on: date | None, months: int, category: str
) -> SupervisionView:
    """The supervision report for the viewer's areas: ratios and session compliance per
    province and district, people without a supervisor, supervisors over their limit."""
    if category not in CATEGORIES:
        raise SSPError(f"Unknown category '{category}'. Fix: use one of {', '.join(CATEGORIES)}.")
    report = supervision_report(engine, on=on, months=months)
    allowed = _allowed_codes(engine, viewer.scope)
    ratios = {lv: _in_scope(f, allowed, lv, category) for lv, f in report.ratios.items()}
    compliance = {lv: _in_scope(f, allowed, lv, category) for lv, f in report.compliance.items()}
    ids = [*report.unsupervised["id"], *report.over_limit["id"]]
    people = _people(engine, viewer, [int(i) for i in ids])
    unsupervised = [people[int(i)] for i in report.unsupervised["id"] if int(i) in people]
    if category != "all":
        unsupervised = [p for p in unsupervised if p.category == category]
    over = [
        OverLimit(
            supervisor=people[int(r.id)],
            supervisees=int(r.supervisees),
            limit=int(r.limit),
            excess=int(r.excess),
        )
        for r in report.over_limit.itertuples()
        if int(r.id) in people and category in ("all", people[int(r.id)].category)
    ]
    prov, comp = ratios[AreaLevel.PROVINCE], compliance[AreaLevel.PROVINCE]
    return SupervisionView(
        on=report.on,
        period=report.period.label,
        months=months,
        category=category,
        area_name=str(prov["name"].iloc[0]) if len(prov) == 1 else "South Africa",
        headline=_headline(prov, comp, len(unsupervised), len(over), report.norms),
        provinces=[RatioRow(**_row(r)) for r in prov.to_dict("records")],
        districts=[RatioRow(**_row(r)) for r in ratios[AreaLevel.DISTRICT].to_dict("records")],
        compliance_provinces=[ComplianceRow(**_row(r)) for r in comp.to_dict("records")],
        compliance_districts=[
            ComplianceRow(**_row(r)) for r in compliance[AreaLevel.DISTRICT].to_dict("records")
        ],
        unsupervised=unsupervised[:LIST_LIMIT],
        over_limit=over[:LIST_LIMIT],
        notes=report.notes,
    )


def _allowed_codes(engine: Engine, scope: Scope) -> dict[str, set[str]]:
    """Province and district codes the scope covers, by level."""
    query = select(Area.id, Area.level, Area.code).where(
        Area.level.in_([AreaLevel.PROVINCE.value, AreaLevel.DISTRICT.value])
    )
    with session_scope(engine) as session:
        rows = session.execute(query).all()
    out: dict[str, set[str]] = {AreaLevel.PROVINCE.value: set(), AreaLevel.DISTRICT.value: set()}
    for r in rows:
        if scope.allows(r.id):
            out[r.level].add(r.code)
    return out


def _in_scope(
    frame: pd.DataFrame, allowed: dict[str, set[str]], level: AreaLevel, category: str
) -> pd.DataFrame:
    keep = frame["code"].isin(allowed[level.value]) & (frame["category"].astype(str) == category)
    return frame[keep]


def _headline(
    prov: pd.DataFrame, comp: pd.DataFrame, unsupervised: int, over: int, norms: Any
) -> Headline:
    practitioners, supervisors = int(prov["practitioners"].sum()), int(prov["supervisors"].sum())
    supervisees = int(comp["supervisees"].sum())
    return Headline(
        practitioners=practitioners,
        supervisors=supervisors,
        ratio=round(practitioners / supervisors, 1) if supervisors else None,
        norm=norms.ratio.practitioners_per_supervisor.value,
        unsupervised=unsupervised,
        over_limit=over,
        compliance_rate=round(int(comp["compliant"].sum()) / supervisees, 3)
        if supervisees
        else None,
    )


def _row(record: dict[str, Any]) -> dict[str, Any]:
    """Plain Python values for pydantic: NaN to None, numpy scalars to numbers."""
    out = {}
    for key, value in record.items():
        if hasattr(value, "item"):
            value = value.item()
        out[key] = None if isinstance(value, float) and value != value else value
    out["category"] = str(out["category"])
    return out


# --- people ------------------------------------------------------------------------------------


def _people(engine: Engine, viewer: Audience, ids: list[int]) -> dict[int, PersonOut]:
    """The people with these ids that lie in the viewer's scope, as the viewer may see them."""
    found = _lookup(engine, viewer, ids)
    return {i: p for i, (p, inside) in found.items() if inside}


def _lookup(engine: Engine, viewer: Audience, ids: list[int]) -> dict[int, tuple[PersonOut, bool]]:
    """Everyone with these ids, each with whether they are in scope; only people in scope
    are shown in full, and only to roles that see personal data."""
    if not ids:
        return {}
    query = (
        select(
            Practitioner.id,
            Practitioner.first_names,
            Practitioner.surname,
            Practitioner.id_number,
            Practitioner.category,
            Practitioner.area_id,
            Area.code,
        )
        .join(Area, Area.id == Practitioner.area_id)
        .where(Practitioner.id.in_(sorted(set(ids))))
    )
    with session_scope(engine) as session:
        rows = session.execute(query).all()
    out = {}
    for r in rows:
        inside = viewer.scope.allows(r.area_id)
        full = inside and viewer.personal
        out[r.id] = (
            PersonOut(
                id=r.id,
                personal=full,
                name=f"{r.first_names} {r.surname}" if full else initials(r.first_names, r.surname),
                id_number=r.id_number if full else mask_id_number(r.id_number),
                category=r.category,
                area_code=r.code,
            ),
            inside,
        )
    return out


def person_supervision(engine: Engine, viewer: Audience, person_id: int) -> PersonSupervision:
    """One person's supervisor, supervisees, sessions and mentor; 404 outside the scope."""
    with session_scope(engine) as session:
        person = session.get(Practitioner, person_id)
        if person is None or not viewer.scope.allows(person.area_id):
            raise NotFoundError(f"No person {person_id} among the people you can see.")
        supervisor_id = person.supervisor_id
        supervisees = list(
            session.scalars(
                select(Practitioner.id)
                .where(Practitioner.supervisor_id == person_id)
                .order_by(Practitioner.id)
            )
        )
        sessions = session.execute(
            select(
                SupervisionSession.session_date,
                SupervisionSession.session_type,
                SupervisionSession.duration_minutes,
                SupervisionSession.supervisor_id,
            )
            .where(SupervisionSession.supervisee_id == person_id)
            .order_by(SupervisionSession.session_date.desc())
            .limit(LIST_LIMIT)
        ).all()
        pair = session.execute(
            select(MentoringPair.run_id, MentoringPair.mentor_id, MentoringPair.reason)
            .where(MentoringPair.mentee_id == person_id)
            .order_by(MentoringPair.run_id.desc())
            .limit(1)
        ).first()
    wanted = [person_id, *supervisees, *(s.supervisor_id for s in sessions if s.supervisor_id)]
    wanted += [i for i in (supervisor_id, pair.mentor_id if pair else None) if i is not None]
    people = {i: p for i, (p, _inside) in _lookup(engine, viewer, wanted).items()}
    return PersonSupervision(
        person=people[person_id],
        supervisor=people.get(supervisor_id) if supervisor_id else None,
        supervisees=[people[i] for i in supervisees],
        sessions=[
            SessionOut(
                session_date=s.session_date,
                session_type=s.session_type,
                duration_minutes=s.duration_minutes,
                supervisor=people.get(s.supervisor_id) if s.supervisor_id else None,
            )
            for s in sessions
        ],
        mentoring_run=pair.run_id if pair else None,
        mentor=people.get(pair.mentor_id) if pair and pair.mentor_id else None,
        mentor_reason=pair.reason if pair else None,
    )


# --- sessions upload ---------------------------------------------------------------------------


def import_sessions_upload(engine: Engine, path: Path, scope: Scope) -> ImportResult:
    """Import `path` as the CLI would; for a scoped user, first refuse rows naming a person
    recorded in another province (every row error, and nothing stored)."""
    if scope.national:
        return import_sessions(engine, path)
    table = read_table(path, sheet=SHEET)
    with session_scope(engine) as session:
        stored = session.execute(
            select(
                Practitioner.id,
                Practitioner.id_number,
                Practitioner.start_date,
                Practitioner.area_id,
            )
        ).all()
    people = {r.id_number: StoredPerson(r.id, r.start_date) for r in stored}
    numbers = {r.id: r.id_number for r in stored}
    area = {r.id: r.area_id for r in stored}
    types = tuple(load_norms().sessions.types)
    checked = validate_sessions(table, types, people, date.today())
    outside = [
        RowError(
            table.file,
            int(rec["row"]),  # type: ignore[call-overload]
            f"{role}_id_number",
            mask_id_number(numbers[int(rec[f"{role}_id"])]),  # type: ignore[call-overload]
            f"this person is recorded in another province, not {scope.province}",
            "remove the row: that province's supervisors record their own sessions",
        )
        for rec in checked.records
        for role in ("supervisee", "supervisor")
        if rec[f"{role}_id"] is not None and not scope.allows(area[int(rec[f"{role}_id"])])  # type: ignore[call-overload]
    ]
    if not outside:
        return import_sessions(engine, path)
    return refused_result(path.name, checked.rows_read, checked.errors + outside)


def sessions_import_and_record(
    engine: Engine, path: Path, principal: Principal, *, reports_dir: Path, ip: str | None
) -> tuple[ImportResult, str | None]:
    """The web's one call for a sessions upload: import, audit, keep any error report
    (its token is returned; None when there were no errors)."""
    result = import_sessions_upload(engine, path, principal.scope)
    action = (
        "supervision.sessions_import_refused" if result.errors else "supervision.sessions_import"
    )
    return result, record_import(engine, principal, result, action, reports_dir=reports_dir, ip=ip)


# --- mentoring ---------------------------------------------------------------------------------


class MentoringRunInfo(BaseModel):
    id: int
    on_date: date
    matched: int  # in the whole country
    unmatched: int
    total_cost: float
    distance_method: str
    synthetic: bool
    created_at: datetime


class PairOut(BaseModel):
    mentee: PersonOut
    mentor: PersonOut | None  # None: no mentor could be matched (see reason)
    cost: float | None
    reason: str


class MentoringView(BaseModel):
    run: MentoringRunInfo
    pairs: list[PairOut]  # mentees in the viewer's areas, matched first
    matched: int
    unmatched: int


class MentoringPage(BaseModel):
    view: MentoringView | None
    runs: list[MentoringRunInfo]


class MentoringRequest(BaseModel):
    on: Annotated[date | None, BlankIsNone] = Field(
        default=None, description="who is new and who may mentor; today"
    )


def recent_mentoring_runs(engine: Engine, limit: int = 20) -> list[MentoringRunInfo]:
    with session_scope(engine) as session:
        runs = session.scalars(newest_first(MentoringRun, limit))
        return [MentoringRunInfo.model_validate(r, from_attributes=True) for r in runs]


def mentoring_view(engine: Engine, viewer: Audience, run_id: int | None) -> MentoringView:
    """A stored matching (default: the newest), its mentees limited to the viewer's areas."""
    with session_scope(engine) as session:
        run = session.scalar(run_or_newest(MentoringRun, run_id))
        if run is None:
            raise NotFoundError(
                f"No mentoring run {run_id}." if run_id else "No mentor matching yet."
            )
        info = MentoringRunInfo.model_validate(run, from_attributes=True)
        rows = session.execute(
            select(
                MentoringPair.mentee_id,
                MentoringPair.mentor_id,
                MentoringPair.cost,
                MentoringPair.reason,
            )
            .where(MentoringPair.run_id == info.id)
            .order_by(MentoringPair.mentor_id.is_(None), MentoringPair.mentee_id)
        ).all()
    ids = [r.mentee_id for r in rows] + [r.mentor_id for r in rows if r.mentor_id is not None]
    found = _lookup(engine, viewer, ids)
    pairs = [
        PairOut(
            mentee=found[r.mentee_id][0],
            mentor=found[r.mentor_id][0] if r.mentor_id is not None else None,
            cost=r.cost,
            reason=r.reason,
        )
        for r in rows
        if found[r.mentee_id][1]
    ]
    matched = sum(p.mentor is not None for p in pairs)
    return MentoringView(
        run=info, pairs=pairs[:LIST_LIMIT], matched=matched, unmatched=len(pairs) - matched
    )


def mentoring_page(engine: Engine, viewer: Audience, run_id: int | None) -> MentoringPage:
    runs = recent_mentoring_runs(engine)
    view = mentoring_view(engine, viewer, run_id) if runs else None
    return MentoringPage(view=view, runs=runs)


def start_mentoring(
    engine: Engine, principal: Principal, request: MentoringRequest, ip: str | None
) -> MentoringRunInfo:
    """Match new SSPs to mentors across the country (one optimisation: a mentor may serve
    across a boundary) and store the run; the same inventory and date give the same matches,
    whoever starts it."""
    report = run_mentoring(engine, on=request.on)
    assert report.run_id is not None  # stored
    audit_now(
        engine,
        user=principal,
        action="mentoring.run",
        target=f"mentoring_run:{report.run_id}",
        after={
            "on": (request.on or date.today()).isoformat(),
            "matched": len(report.pairs),
            "unmatched": len(report.unmatched),
            "method": report.result.method,
        },
        ip=ip,
    )
    return next(r for r in recent_mentoring_runs(engine, 5) if r.id == report.run_id)
