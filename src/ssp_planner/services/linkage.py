"""Record linkage use cases: import source lists, run linkage, report, review.

Source rows are stored as read (the raw layer) and never changed; a run parses them again, links
them with `ssp_planner.linkage`, and stores persons, golden records and the review queue as a new
run. Reviewers' decisions are stored by row key and applied on the next run.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from importlib.metadata import version
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from ssp_planner import __version__
from ssp_planner.domain.identifiers import check_id_number, mask_id_number
from ssp_planner.errors import NotFoundError, SSPError
from ssp_planner.ingest.errors import RowError
from ssp_planner.ingest.reader import Table, read_table
from ssp_planner.linkage import (
    Decisions,
    GoldenRules,
    LinkOptions,
    LinkResult,
    SourceRecord,
    check_source,
    golden_records,
    lineage_from,
    link_record,
    link_records,
)
from ssp_planner.linkage.chart import write_histogram
from ssp_planner.linkage.cluster import Pair, ordered
from ssp_planner.linkage.golden import Golden
from ssp_planner.linkage.sources import SHEET, AreaLineage, canonical_cells, raw_cells
from ssp_planner.services.batches import now, sha256_of, start_batch
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, ImportBatch
from ssp_planner.store.models_linkage import (
    LinkDecision,
    LinkMember,
    LinkPair,
    LinkPerson,
    LinkRun,
    LinkSource,
    LinkSourceIssue,
    LinkSourceRow,
)

NO_RUN = (
    "no linkage run yet. Fix: import source lists (`ssp link import-source`), then `ssp link run`."
)


@dataclass(frozen=True)
class SourceImportResult:
    file: str
    source: str
    source_date: date
    rows_read: int
    issues: list[RowError]
    batch_id: int | None = None  # None: nothing written
    already_imported: bool = False

    @property
    def rows_with_issues(self) -> int:
        return len({i.row for i in self.issues if i.row > 1})


def import_source(
    engine: Engine,
    path: Path,
    *,
    source: str,
    source_date: date,
    synthetic: bool = False,
    today: date | None = None,
) -> SourceImportResult:
    """Store every row of a source list as read, with its validation report; one transaction.

    Incomplete rows are kept (a missing ID number is data); only a file that is not a source list
    at all (no surname column) is refused. The same file for the same source and date again
    changes nothing.
    """
    if not source.strip():
        raise SSPError("the source needs a name. Fix: pass --source, e.g. --source payroll")
    table = read_table(path, sheet=SHEET)
    sha = sha256_of(path)
    with session_scope(engine) as session:
        codes = frozenset(session.scalars(select(Area.code)))
        check = check_source(table, codes, today or date.today())
        base = SourceImportResult(path.name, source, source_date, len(table.rows), check.issues)
        if check.fatal:
            return base
        if _already_imported(session, source, source_date, sha):
            return replace(base, already_imported=True)
        batch = start_batch(
            session, kind="link_source", file_name=path.name, sha256=sha, synthetic=synthetic
        )
        stored = _store_source(session, table, source, source_date, batch.id, base)
        batch.rows_read = batch.rows_inserted = len(table.rows)
        batch.finished_at = now()
        _store_rows(session, stored.id, source, table, check.issues)
        return replace(base, batch_id=batch.id)


def _already_imported(session: Session, source: str, day: date, sha: str) -> bool:
    return (
        session.scalar(
            select(func.count(LinkSource.id))
            .join(ImportBatch, ImportBatch.id == LinkSource.batch_id)
            .where(
                LinkSource.name == source, LinkSource.source_date == day, ImportBatch.sha256 == sha
            )
        )
        or 0
    ) > 0


def _store_source(
    session: Session, table: Table, source: str, day: date, batch_id: int, res: SourceImportResult
) -> LinkSource:
    stored = LinkSource(
        name=source,
        source_date=day,
        batch_id=batch_id,
        file_name=table.file,
        header_json=json.dumps(table.header, ensure_ascii=False),
        rows_read=len(table.rows),
        rows_with_issues=res.rows_with_issues,
    )
    session.add(stored)
    session.flush()
    return stored


def _store_rows(
    session: Session, source_id: int, source: str, table: Table, issues: list[RowError]
) -> None:
    rows = []
    for row_no, raw in raw_cells(table):
        text = json.dumps(raw, ensure_ascii=False)
        key = hashlib.sha256(f"{source}\x1f{json.dumps(raw, sort_keys=True)}".encode()).hexdigest()
        rows.append(
            {"source_id": source_id, "row_number": row_no, "raw_json": text, "row_key": key}
        )
    session.execute(insert(LinkSourceRow), rows)
    if issues:
        session.execute(
            insert(LinkSourceIssue),
            [
                {"source_id": source_id, "row": i.row, "column": i.column, "value": i.value,
                 "problem": i.problem, "fix": i.fix}
                for i in issues
            ],
        )  # fmt: skip


# --- runs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """The rows of the active source lists, parsed and normalised for one run."""

    records: pd.DataFrame
    sources: dict[int, SourceRecord]  # row id -> values for the golden record
    keys: dict[int, str]  # row id -> row key
    source_ids: list[int]


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    records: int
    persons: int
    linked_pairs: int
    review_pairs: int
    multi_source_persons: int
    persons_with_conflicts: int


def run_linkage(
    engine: Engine,
    *,
    options: LinkOptions | None = None,
    rules: GoldenRules | None = None,
    today: date | None = None,
) -> RunSummary:
    """Link the newest import of every source into persons; store them as a new run."""
    options, rules = options or LinkOptions(), rules or GoldenRules()
    with session_scope(engine) as session:
        loaded = _load(session, today or date.today())
        decisions = _decisions(session, loaded.keys)
        synthetic = _all_synthetic(session, loaded.source_ids)
    if loaded.records.empty:
        raise SSPError("no source rows to link. Fix: `ssp link import-source FILE --source NAME`.")
    result = link_records(loaded.records, decisions, options)
    persons = golden_records(result.person_of, loaded.sources, rules)
    with session_scope(engine) as session:
        run = _store_run(session, loaded, result, options, rules, synthetic)
        _store_persons(session, run.id, persons)
        _store_pairs(session, run.id, result)
    return RunSummary(
        run_id=run.id,
        records=len(loaded.records),
        persons=len(persons),
        linked_pairs=len(result.links),
        review_pairs=len(result.review),
        multi_source_persons=sum(len(p.sources) > 1 for p in persons),
        persons_with_conflicts=sum(bool(p.conflicts) for p in persons),
    )


def active_sources(session: Session) -> list[LinkSource]:
    """The newest import of each source name (an older payroll export is superseded)."""
    newest: dict[str, LinkSource] = {}
    for src in session.scalars(select(LinkSource).order_by(LinkSource.source_date, LinkSource.id)):
        newest[src.name] = src
    return sorted(newest.values(), key=lambda s: s.id)


def _lineage(session: Session) -> AreaLineage:
    parent = {i: c for i, c in session.execute(select(Area.id, Area.code))}
    return lineage_from(
        (code, level, parent.get(pid) if pid else None)
        for code, level, pid in session.execute(select(Area.code, Area.level, Area.parent_id))
    )


def _load(session: Session, today: date) -> Loaded:
    codes = frozenset(session.scalars(select(Area.code)))
    lineage = _lineage(session)
    records, sources, keys, ids = [], {}, {}, []
    for src in active_sources(session):
        ids.append(src.id)
        rows = session.execute(
            select(
                LinkSourceRow.id,
                LinkSourceRow.row_number,
                LinkSourceRow.raw_json,
                LinkSourceRow.row_key,
            )
            .where(LinkSourceRow.source_id == src.id)
            .order_by(LinkSourceRow.row_number)
        ).all()
        table = Table(
            src.file_name,
            json.loads(src.header_json),
            [(n, list(json.loads(raw).values())) for _i, n, raw, _k in rows],
        )
        row_ids = {n: i for i, n, _raw, _k in rows}
        for row_no, values in check_source(table, codes, today).rows:
            if not values.get("surname"):
                continue  # nothing to link on; the row stays in the raw layer and the report
            uid = row_ids[row_no]
            rec = link_record(uid, src.name, values, lineage)
            records.append(rec)
            sources[uid] = SourceRecord(uid, src.name, src.source_date, values, rec["id_valid"])
        keys.update({i: k for i, _n, _raw, k in rows})
    return Loaded(pd.DataFrame(records), sources, keys, ids)


def _decisions(session: Session, keys: dict[int, str]) -> Decisions:
    """Stored decisions as pairs of this run's row ids (a key may now name several rows)."""
    rows_of: dict[str, list[int]] = {}
    for uid, key in keys.items():
        rows_of.setdefault(key, []).append(uid)
    accepted: set[Pair] = set()
    rejected: set[Pair] = set()
    for dec in session.scalars(select(LinkDecision)):
        pairs = {
            ordered(a, b)
            for a in rows_of.get(dec.key_l, [])
            for b in rows_of.get(dec.key_r, [])
            if a != b
        }
        (accepted if dec.accept else rejected).update(pairs)
    return Decisions(frozenset(accepted), frozenset(rejected - accepted))


def _all_synthetic(session: Session, source_ids: list[int]) -> bool:
    flags = session.scalars(
        select(ImportBatch.synthetic)
        .join(LinkSource, LinkSource.batch_id == ImportBatch.id)
        .where(LinkSource.id.in_(source_ids))
    ).all()
    return bool(flags) and all(flags)


def _store_run(
    session: Session,
    loaded: Loaded,
    result: LinkResult,
    options: LinkOptions,
    rules: GoldenRules,
    synthetic: bool,
) -> LinkRun:
    settings = json.dumps({"options": options.as_dict(), "rules": rules.as_dict()}, sort_keys=True)
    digest = hashlib.sha256((settings + "".join(sorted(loaded.keys.values()))).encode()).hexdigest()
    run = LinkRun(
        created_at=now(),
        threshold=options.band.threshold,
        review_low=options.band.review_low,
        options_json=json.dumps(options.as_dict()),
        golden_rules_json=json.dumps(rules.as_dict()),
        model_json=json.dumps(result.model),
        histogram_json=json.dumps(result.histogram),
        sources_json=json.dumps(loaded.source_ids),
        records=len(loaded.records),
        persons=len(set(result.person_of.values())),
        review_pairs=len(result.review),
        inputs_digest=digest,
        software_version=__version__,
        splink_version=version("splink"),
        synthetic=synthetic,
    )
    session.add(run)
    session.flush()
    return run


def _store_persons(session: Session, run_id: int, persons: list[Golden]) -> None:
    rows = [
        LinkPerson(
            run_id=run_id,
            golden_json=json.dumps(p.values, ensure_ascii=False),
            provenance_json=json.dumps(p.provenance),
            conflicts_json=json.dumps(p.conflicts, ensure_ascii=False),
            n_records=len(p.records),
            n_sources=len(p.sources),
        )
        for p in persons
    ]
    session.add_all(rows)
    session.flush()
    session.execute(
        insert(LinkMember),
        [
            {"run_id": run_id, "person_id": row.id, "row_id": uid}
            for row, p in zip(rows, persons, strict=True)
            for uid in p.records
        ],
    )


def _store_pairs(session: Session, run_id: int, result: LinkResult) -> None:
    def rows(frame: pd.DataFrame, status: str, kind_col: str) -> list[dict]:
        return [
            {
                "run_id": run_id,
                "row_l": int(r.unique_id_l),
                "row_r": int(r.unique_id_r),
                "status": status,
                "kind": str(getattr(r, kind_col)),
                "match_weight": _finite(r.match_weight),
                "match_probability": _finite(r.match_probability),
            }
            for r in frame.itertuples(index=False)
        ]

    batch = rows(result.links, "linked", "kind") + rows(result.review, "review", "reason")
    if batch:
        session.execute(insert(LinkPair), batch)


def _finite(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


# --- report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    person_id: int
    field: str
    values: list[str]  # masked unless personal data may be shown


@dataclass(frozen=True)
class LinkReport:
    run_id: int
    created_at: str
    synthetic: bool
    threshold: float
    review_low: float
    records: int
    persons: int
    sources: dict[str, int]  # source -> records linked
    sources_per_person: dict[int, int]  # number of sources -> persons
    persons_per_source: dict[str, int]  # source -> persons found in it
    review_pending: int
    conflicts: list[Conflict]
    histogram: list[tuple[float, int]] = field(default_factory=list)


def latest_run(session: Session) -> LinkRun:
    run = session.scalars(select(LinkRun).order_by(LinkRun.id.desc()).limit(1)).first()
    if run is None:
        raise NotFoundError(NO_RUN)
    return run


def linkage_report(engine: Engine, *, show_personal: bool = False) -> LinkReport:
    """Counts, sources per person, conflicts and the match-weight histogram of the latest run."""
    with session_scope(engine) as session:
        run = latest_run(session)
        per_person = Counter(
            session.scalars(select(LinkPerson.n_sources).where(LinkPerson.run_id == run.id))
        )
        by_source = _by_source(session, run.id)
        conflicts = [
            Conflict(pid, name, [_conflict_value(name, v, show_personal) for v in values])
            for pid, text in session.execute(
                select(LinkPerson.id, LinkPerson.conflicts_json)
                .where(LinkPerson.run_id == run.id, LinkPerson.conflicts_json != "{}")
                .order_by(LinkPerson.id)
            )
            for name, values in json.loads(text).items()
        ]
        pending = len(_pending_pairs(session, run.id))
        return LinkReport(
            run_id=run.id,
            created_at=f"{run.created_at:%Y-%m-%d %H:%M}",
            synthetic=run.synthetic,
            threshold=run.threshold,
            review_low=run.review_low,
            records=run.records,
            persons=run.persons,
            sources={s: n for s, (n, _p) in by_source.items()},
            sources_per_person=dict(sorted(per_person.items())),
            persons_per_source={s: p for s, (_n, p) in by_source.items()},
            review_pending=pending,
            conflicts=conflicts,
            histogram=[(float(b), int(n)) for b, n in json.loads(run.histogram_json)],
        )


def _by_source(session: Session, run_id: int) -> dict[str, tuple[int, int]]:
    """Source -> (records in the run, distinct persons they belong to)."""
    rows = session.execute(
        select(
            LinkSource.name, func.count(LinkMember.id), func.count(LinkMember.person_id.distinct())
        )
        .join(LinkSourceRow, LinkSourceRow.id == LinkMember.row_id)
        .join(LinkSource, LinkSource.id == LinkSourceRow.source_id)
        .where(LinkMember.run_id == run_id)
        .group_by(LinkSource.name)
        .order_by(LinkSource.name)
    ).all()
    return {name: (int(n), int(p)) for name, n, p in rows}


def _shown(field_name: str, value: str, show_personal: bool) -> str:
    """ID numbers show their last four digits unless personal data may be shown."""
    return value if show_personal or field_name != "id_number" else mask_id_number(value)


def _conflict_value(field_name: str, value: str, show_personal: bool) -> str:
    """Masked ID numbers look alike, so say which one passes the check."""
    shown = _shown(field_name, value, show_personal)
    if field_name == "id_number" and isinstance(check_id_number(value), str):
        shown += " (fails the check)"
    return shown


def write_report_chart(report: LinkReport, path: Path) -> Path:
    title = f"Match weights of scored record pairs, linkage run {report.run_id}"
    if report.synthetic:
        title += " (SYNTHETIC DEMO DATA)"
    return write_histogram(
        report.histogram,
        path,
        threshold=report.threshold,
        review_low=report.review_low,
        title=title,
    )


# --- review ----------------------------------------------------------------------------------

REVIEW_FIELDS = (
    "surname",
    "first_names",
    "id_number",
    "birth_date",
    "sex",
    "council_number",
    "persal_number",
    "category",
    "employer",
    "area_code",
)


@dataclass(frozen=True)
class RecordView:
    source: str
    source_date: date
    row: int
    cells: dict[str, str]  # REVIEW_FIELDS as typed; ID numbers masked unless allowed


@dataclass(frozen=True)
class ReviewItem:
    pair_id: int
    reason: str
    probability: float | None
    left: RecordView
    right: RecordView


def pending_reviews(
    engine: Engine, *, show_personal: bool = False, limit: int | None = None
) -> list[ReviewItem]:
    """The latest run's pairs waiting for a decision, most likely matches first."""
    with session_scope(engine) as session:
        run = latest_run(session)
        pairs = _pending_pairs(session, run.id)[:limit]
        return [
            ReviewItem(
                p.id,
                p.kind,
                p.match_probability,
                _record_view(session, p.row_l, show_personal),
                _record_view(session, p.row_r, show_personal),
            )
            for p in pairs
        ]


def _pending_pairs(session: Session, run_id: int) -> list[LinkPair]:
    pairs = session.scalars(
        select(LinkPair)
        .where(LinkPair.run_id == run_id, LinkPair.status == "review")
        .order_by(LinkPair.match_probability.desc(), LinkPair.id)
    ).all()
    decided = {(d.key_l, d.key_r) for d in session.scalars(select(LinkDecision))}
    keys = _row_keys(session, {r for p in pairs for r in (p.row_l, p.row_r)})
    return [p for p in pairs if _key_pair(keys[p.row_l], keys[p.row_r]) not in decided]


def _row_keys(session: Session, row_ids: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    ids = sorted(row_ids)
    for start in range(0, len(ids), 500):  # keep IN lists short on every backend
        chunk = ids[start : start + 500]
        query = select(LinkSourceRow.id, LinkSourceRow.row_key).where(LinkSourceRow.id.in_(chunk))
        out.update({i: k for i, k in session.execute(query)})
    return out


def _key_pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _record_view(session: Session, row_id: int, show_personal: bool) -> RecordView:
    row = session.get(LinkSourceRow, row_id)
    assert row is not None
    src = session.get(LinkSource, row.source_id)
    assert src is not None
    cells = canonical_cells(json.loads(src.header_json), list(json.loads(row.raw_json).values()))
    shown = {f: _shown(f, cells[f], show_personal) if cells.get(f) else "" for f in REVIEW_FIELDS}
    return RecordView(src.name, src.source_date, row.row_number, shown)


def decide(engine: Engine, pair_id: int, *, accept: bool) -> None:
    """Store a reviewer's decision on a pair; it holds on every later run (by row keys)."""
    with session_scope(engine) as session:
        pair = session.get(LinkPair, pair_id)
        if pair is None:
            raise NotFoundError(f"no review pair {pair_id}. Fix: list them with `ssp link review`.")
        keys = _row_keys(session, {pair.row_l, pair.row_r})
        key_l, key_r = _key_pair(keys[pair.row_l], keys[pair.row_r])
        found = session.scalars(
            select(LinkDecision).where(LinkDecision.key_l == key_l, LinkDecision.key_r == key_r)
        ).first()
        if found is None:
            found = LinkDecision(key_l=key_l, key_r=key_r, accept=accept, run_id=pair.run_id)
            session.add(found)
        found.accept, found.decided_at = accept, now()
