"""Record linkage for the web: the latest run's summary and the review queue of uncertain pairs,
limited to the caller's province, with each decision recorded in the audit trail.

A pair belongs to a province when both of its records carry an area code inside it. A pair
spanning two provinces (or with a record without a known area) is left to national reviewers:
deciding it would show a provincial planner another province's personal data. Outside their
scope a pair answers 404, like one that does not exist.
"""

from __future__ import annotations

import math
from datetime import date

from pydantic import BaseModel
from sqlalchemy import Engine, func, select

from ssp_planner.domain.identifiers import mask_id_number
from ssp_planner.errors import NotFoundError
from ssp_planner.ingest.schema import CellError
from ssp_planner.linkage.sources import COLUMNS
from ssp_planner.services.areas import area_ids_by_code
from ssp_planner.services.linkage import (
    NO_RUN,
    REVIEW_FIELDS,
    RecordView,
    ReviewItem,
    decide,
    linkage_report,
    pending_reviews,
)
from ssp_planner.store import session_scope
from ssp_planner.store.models_linkage import LinkPair
from ssp_planner.web.audit import audit_now
from ssp_planner.web.roles import Principal, Scope
from ssp_planner.web.schemas import initials

PERSONAL = ("surname", "first_names", "id_number", "birth_date", "persal_number")
_PARSERS = {c.name: c.parse for c in COLUMNS}


class SourceCount(BaseModel):
    source: str
    records: int
    persons: int


class MatchCount(BaseModel):
    status: str  # 'linked' or 'review'
    kind: str  # what linked the pair, or why it waits for review
    pairs: int


class LinkageSummary(BaseModel):
    """Counts of the latest run (no personal data), and the pairs waiting in the caller's scope."""

    run_id: int
    created_at: str
    synthetic: bool
    threshold: float
    review_low: float
    records: int
    persons: int
    sources: list[SourceCount]
    sources_per_person: dict[int, int]
    matches: list[MatchCount]
    conflicts: dict[str, int]  # field -> persons whose sources disagree on it
    review_pending: int  # in the caller's scope


class RecordOut(BaseModel):
    source: str
    source_date: date
    row: int
    cells: dict[str, str]


class FieldAgreement(BaseModel):
    field: str
    left: str
    right: str
    agreement: str  # 'agree', 'differ' or 'missing'


class ReviewPair(BaseModel):
    pair_id: int
    reason: str
    match_probability: float | None
    match_weight: float | None
    personal: bool  # False: names as initials, ID and PERSAL numbers as last four digits
    left: RecordOut
    right: RecordOut
    fields: list[FieldAgreement]


class Decision(BaseModel):
    pair_id: int
    accept: bool
    review_pending: int


def summary(engine: Engine, scope: Scope) -> LinkageSummary:
    report = linkage_report(engine)
    conflicts: dict[str, int] = {}
    for c in report.conflicts:
        conflicts[c.field] = conflicts.get(c.field, 0) + 1
    return LinkageSummary(
        run_id=report.run_id,
        created_at=report.created_at,
        synthetic=report.synthetic,
        threshold=report.threshold,
        review_low=report.review_low,
        records=report.records,
        persons=report.persons,
        sources=[
            SourceCount(source=s, records=n, persons=report.persons_per_source.get(s, 0))
            for s, n in report.sources.items()
        ],
        sources_per_person=report.sources_per_person,
        matches=_matches(engine, report.run_id),
        conflicts=dict(sorted(conflicts.items())),
        review_pending=len(_in_scope(engine, scope)),
    )


def _matches(engine: Engine, run_id: int) -> list[MatchCount]:
    with session_scope(engine) as session:
        rows = session.execute(
            select(LinkPair.status, LinkPair.kind, func.count(LinkPair.id))
            .where(LinkPair.run_id == run_id)
            .group_by(LinkPair.status, LinkPair.kind)
            .order_by(LinkPair.status, func.count(LinkPair.id).desc())
        ).all()
    return [MatchCount(status=s, kind=k, pairs=int(n)) for s, k, n in rows]


def review_queue(engine: Engine, principal: Principal) -> list[ReviewPair]:
    """The latest run's undecided pairs in the caller's scope, most likely matches first."""
    items = _in_scope(engine, principal.scope)
    with session_scope(engine) as session:
        weights = dict(
            session.execute(
                select(LinkPair.id, LinkPair.match_weight).where(
                    LinkPair.id.in_([i.pair_id for i in items])
                )
            ).all()
        )
    return [_pair(i, weights.get(i.pair_id), principal.sees_personal_data) for i in items]


def decide_and_record(
    engine: Engine, principal: Principal, pair_id: int, *, accept: bool, ip: str | None
) -> Decision:
    """Store a decision on a pair the caller may see (else 404) and audit it."""
    if pair_id not in {i.pair_id for i in _in_scope(engine, principal.scope)}:
        raise NotFoundError(f"No review pair {pair_id} waiting in your scope.")
    decide(engine, pair_id, accept=accept)
    audit_now(
        engine,
        user=principal,
        action="linkage.decide",
        target=f"link_pair:{pair_id}",
        after={"accept": accept},
        ip=ip,
    )
    return Decision(
        pair_id=pair_id, accept=accept, review_pending=len(_in_scope(engine, principal.scope))
    )


def _in_scope(engine: Engine, scope: Scope) -> list[ReviewItem]:
    """Pending pairs (unmasked: masking happens after the agreement is computed)."""
    items = pending_reviews(engine, show_personal=True)
    if scope.national:
        return items
    with session_scope(engine) as session:
        codes = area_ids_by_code(session)

    def inside(record: RecordView) -> bool:
        code = record.cells.get("area_code", "").strip().upper()
        return code in codes and scope.allows(codes[code])

    return [i for i in items if inside(i.left) and inside(i.right)]


def _pair(item: ReviewItem, weight: float | None, personal: bool) -> ReviewPair:
    fields = [
        FieldAgreement(
            field=f,
            left=_shown(f, item.left.cells, personal),
            right=_shown(f, item.right.cells, personal),
            agreement=_agreement(f, item.left.cells.get(f, ""), item.right.cells.get(f, "")),
        )
        for f in REVIEW_FIELDS
    ]
    return ReviewPair(
        pair_id=item.pair_id,
        reason=item.reason,
        match_probability=item.probability,
        match_weight=None if weight is None or not math.isfinite(weight) else round(weight, 2),
        personal=personal,
        left=_record(item.left, personal),
        right=_record(item.right, personal),
        fields=fields,
    )


def _record(record: RecordView, personal: bool) -> RecordOut:
    cells = {f: _shown(f, record.cells, personal) for f in REVIEW_FIELDS}
    return RecordOut(
        source=record.source, source_date=record.source_date, row=record.row, cells=cells
    )


def _shown(field: str, cells: dict[str, str], personal: bool) -> str:
    """A cell as the caller may see it: personal fields masked like the inventory's."""
    value = cells.get(field, "")
    if personal or field not in PERSONAL or not value:
        return value
    if field == "surname":
        return initials("", value)
    if field == "first_names":
        return initials(value, "").strip()
    if field == "birth_date":
        return "(hidden)"
    return mask_id_number(value)


def _agreement(field: str, left: str, right: str) -> str:
    """Compared as the linkage reads them (dates, numbers and codes normalised)."""
    a, b = _normal(field, left), _normal(field, right)
    if not a or not b:
        return "missing"
    return "agree" if a == b else "differ"


def _normal(field: str, value: str) -> str:
    if not value.strip():
        return ""
    parse = _PARSERS.get(field)
    try:
        return str(parse(value) if parse else value).strip().casefold()
    except CellError:
        return value.strip().casefold()


class LinkagePage(BaseModel):
    """The page: the summary (None before any run) and, for reviewers, the queue."""

    summary: LinkageSummary | None
    queue: list[ReviewPair] | None
    no_run: str


def linkage_page(engine: Engine, principal: Principal, *, reviewer: bool) -> LinkagePage:
    try:
        found = summary(engine, principal.scope)
    except NotFoundError:
        return LinkagePage(summary=None, queue=None, no_run=NO_RUN)
    queue = review_queue(engine, principal) if reviewer else None
    return LinkagePage(summary=found, queue=queue, no_run=NO_RUN)


class DecisionRequest(BaseModel):
    accept: bool
