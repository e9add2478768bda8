"""Supervision and mentoring use cases: links kept in step with the inventory, the compliance
report, the sessions import (transactional, idempotent) and mentor matching.

Lists of people show the practitioner's record number and a masked ID number only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ssp_planner import __version__
from ssp_planner.domain.areas import AreaLevel
from ssp_planner.domain.identifiers import mask_id_number
from ssp_planner.errors import SSPError
from ssp_planner.ingest.reader import read_table
from ssp_planner.services.areas import areas_frame
from ssp_planner.services.batches import finish_batch, now, sha256_of, start_batch
from ssp_planner.services.inventory import ImportResult
from ssp_planner.services.projection import write_sheets
from ssp_planner.services.summary import synthetic_sources
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, Practitioner
from ssp_planner.store.models_people import (
    MentoringPair,
    MentoringRun,
    SupervisionLink,
    SupervisionSession,
)
from ssp_planner.supervision import (
    SHEET,
    AreaDistance,
    MatchResult,
    MatchRules,
    Period,
    StoredPerson,
    SupervisionNorms,
    boundary_distance,
    compliance_by_area,
    load_norms,
    match_mentors,
    session_compliance,
    split_people,
    supervision_ratios,
    supervisors_over_limit,
    unsupervised_people,
    validate_sessions,
)
from ssp_planner.supervision.norms import PACKAGE_FILE as NORMS_FILE
from ssp_planner.supervision.session_file import (
    SESSION_KEY,
    SESSION_VALUES,
    diff_sessions,
    parse_languages,
)

LEVELS = (AreaLevel.PROVINCE, AreaLevel.DISTRICT)


# --- links -------------------------------------------------------------------------------------


def sync_links(session: Session, today: date) -> int:
    """Open, close or reopen links so the open ones match the inventory's supervisor column.

    A first link starts when both people were in post (marked inferred); a change of
    supervisor closes the old link and opens the new one `today`. Returns links changed.
    """
    current = dict(
        session.execute(
            select(Practitioner.id, Practitioner.supervisor_id).where(
                Practitioner.supervisor_id.is_not(None)
            )
        ).all()
    )
    open_ = {
        r.supervisee_id: r
        for r in session.execute(
            select(
                SupervisionLink.id, SupervisionLink.supervisee_id, SupervisionLink.supervisor_id
            ).where(SupervisionLink.end_date.is_(None))
        )
    }
    stale = [r.id for s, r in open_.items() if current.get(s) != r.supervisor_id]
    if stale:
        session.execute(
            update(SupervisionLink).where(SupervisionLink.id.in_(stale)).values(end_date=today)
        )
    new = {
        s: int(b)
        for s, b in current.items()
        if b is not None and (s not in open_ or open_[s].supervisor_id != b)
    }
    if new:
        session.execute(insert(SupervisionLink), _new_links(session, new, today))
    return len(stale) + len(new)


def sync_links_once(engine: Engine, today: date) -> int:
    """`sync_links` in a transaction of its own, safe when two readers sync at once.

    Reports read through it (the web serves many at a time): when a concurrent sync has
    inserted the same links first, the unique key refuses ours; that transaction is rolled back
    and the sync is run again, now finding the links in place."""
    for attempt in range(2):
        try:
            with session_scope(engine) as session:
                return sync_links(session, today)
        except IntegrityError:
            if attempt:
                raise
    return 0


def _new_links(session: Session, new: dict[int, int], today: date) -> list[dict[str, object]]:
    seen = set(session.scalars(select(SupervisionLink.supervisee_id).distinct()))
    starts = dict(session.execute(select(Practitioner.id, Practitioner.start_date)).all())
    rows = []
    for tee, tor in new.items():
        first = tee not in seen
        start = max(starts[tee], starts[tor]) if first else today
        rows.append(
            {
                "supervisee_id": tee,
                "supervisor_id": tor,
                "start_date": start,
                "end_date": None,
                "inferred_start": first,
            }
        )
    return rows


def people_on(session: Session, on: date) -> pd.DataFrame:
    """People in post on `on` with their active supervisor then (NA: none):
    id, id_number, category, rank, area_id, start_date, supervisor_id."""
    people = pd.DataFrame(
        session.execute(
            select(
                Practitioner.id,
                Practitioner.id_number,
                Practitioner.category,
                Practitioner.rank,
                Practitioner.area_id,
                Practitioner.start_date,
            ).where(Practitioner.start_date <= on)
        ).all(),
        columns=["id", "id_number", "category", "rank", "area_id", "start_date"],
    )
    links = session.execute(
        select(SupervisionLink.supervisee_id, SupervisionLink.supervisor_id).where(
            SupervisionLink.start_date <= on,
            (SupervisionLink.end_date.is_(None)) | (SupervisionLink.end_date > on),
        )
    ).all()
    active = pd.Series(dict(links), dtype="Int64")
    people["supervisor_id"] = people["id"].map(active).astype("Int64")
    in_post = set(people["id"])
    people.loc[~people["supervisor_id"].isin(in_post), "supervisor_id"] = pd.NA
    return people


# --- report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupervisionReport:
    on: date
    period: Period
    ratios: dict[AreaLevel, pd.DataFrame]
    compliance: dict[AreaLevel, pd.DataFrame]
    unsupervised: pd.DataFrame
    over_limit: pd.DataFrame
    people: pd.DataFrame
    norms: SupervisionNorms
    notes: list[str]

    def headline(self) -> dict[str, float]:
        """National totals from the province rows of category "all"."""
        r = self.ratios[AreaLevel.PROVINCE]
        r = r[r["category"] == "all"]
        c = self.compliance[AreaLevel.PROVINCE]
        c = c[c["category"] == "all"]
        sup = int(r["supervisors"].sum())
        return {
            "practitioners": int(r["practitioners"].sum()),
            "supervisors": sup,
            "ratio": round(float(r["practitioners"].sum()) / sup, 1) if sup else float("nan"),
            "norm": self.norms.ratio.practitioners_per_supervisor.value,
            "unsupervised": len(self.unsupervised),
            "over_limit": len(self.over_limit),
            "compliance_rate": round(
                float(c["compliant"].sum()) / max(int(c["supervisees"].sum()), 1), 3
            ),
        }


def supervision_report(
    engine: Engine,
    *,
    on: date | None = None,
    months: int = 12,
    norms_file: Path | None = None,
    today: date | None = None,
) -> SupervisionReport:
    """Ratios per district and province against the norm, people without a supervisor,
    supervisors over their limit, and session compliance over the `months` up to `on`
    (default: the latest recorded session, else today)."""
    norms = load_norms(norms_file)
    today = today or date.today()
    sync_links_once(engine, today)
    with session_scope(engine) as session:
        areas = areas_frame(session)
        on = on or _latest_session(session) or today
        period = Period.months_to(on, months)
        people = people_on(session, on)
        if people.empty:
            raise SSPError(
                f"No SSPs were in post on {on}. "
                "Fix: import the inventory, or choose another --on date."
            )
        sessions = _sessions(session, period)
    codes = areas.set_index("id")["code"]
    supervised = people[people["rank"].isin([r.value for r in norms.ratio.supervised_ranks])]
    per_person = session_compliance(supervised, sessions, period, norms)
    return SupervisionReport(
        on=on,
        period=period,
        ratios={lv: supervision_ratios(people, areas, norms, lv) for lv in LEVELS},
        compliance={lv: compliance_by_area(per_person, areas, lv) for lv in LEVELS},
        unsupervised=_shown(unsupervised_people(people, norms), people, codes),
        over_limit=_shown(supervisors_over_limit(people, norms), people, codes),
        people=_shown(per_person, people, codes),
        norms=norms,
        notes=_report_notes(engine, norms, norms_file, period, on),
    )


def _latest_session(session: Session) -> date | None:
    return session.scalar(select(func.max(SupervisionSession.session_date)))


def _sessions(session: Session, period: Period) -> pd.DataFrame:
    rows = session.execute(
        select(
            SupervisionSession.supervisee_id,
            SupervisionSession.session_date,
            SupervisionSession.session_type,
            SupervisionSession.duration_minutes,
        ).where(
            SupervisionSession.session_date >= period.start,
            SupervisionSession.session_date <= period.end,
        )
    ).all()
    return pd.DataFrame(
        rows, columns=["supervisee_id", "session_date", "session_type", "duration_minutes"]
    )


def _shown(frame: pd.DataFrame, people: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
    """A list of people as it may be shown: record number, masked ID number, area code."""
    ids = people.set_index("id")["id_number"]
    out = frame.copy()
    out.insert(1, "id_number", out["id"].map(ids).map(mask_id_number))
    out["area"] = out.pop("area_id").map(codes)
    return out


def _report_notes(
    engine: Engine, norms: SupervisionNorms, norms_file: Path | None, period: Period, on: date
) -> list[str]:
    origin = f"{NORMS_FILE} + {norms_file}" if norms_file else NORMS_FILE
    notes = [
        f"SSP Planner {__version__}; supervision norms {norms.version} from {origin} "
        f"(digest {norms.digest()[:12]}).",
        f"People in post on {on.isoformat()}; sessions from {period.label}.",
        "Experience counts from each person's start date "
        "(the inventory has no qualification date).",
        "ID numbers are masked to their last four digits; "
        "'id' is the record number in the database.",
    ]
    if banner := synthetic_sources(engine):
        notes.insert(0, "SYNTHETIC DEMO DATA — not real people: " + "; ".join(banner) + ".")
    return notes


def write_supervision_xlsx(report: SupervisionReport, path: Path) -> Path:
    sheets = {
        **{f"ratios {lv.value}": f for lv, f in report.ratios.items()},
        **{f"sessions {lv.value}": f for lv, f in report.compliance.items()},
        "no supervisor": report.unsupervised,
        "over limit": report.over_limit,
        "supervisees": report.people,
    }
    return write_sheets(path, sheets, report.notes)


# --- sessions import ---------------------------------------------------------------------------


def import_sessions(
    engine: Engine,
    path: Path,
    *,
    skip_invalid: bool = False,
    synthetic: bool = False,
    today: date | None = None,
    norms_file: Path | None = None,
) -> ImportResult:
    """Validate every row; write nothing if any row is bad (unless `skip_invalid`).
    Importing the same rows again changes nothing and records no batch."""
    norms = load_norms(norms_file)
    today = today or date.today()
    table = read_table(Path(path), sheet=SHEET)
    with session_scope(engine) as session:
        sync_links(session, today)
        stored = {
            i: StoredPerson(pid, start)
            for pid, i, start in session.execute(
                select(Practitioner.id, Practitioner.id_number, Practitioner.start_date)
            )
        }
        checked = validate_sessions(table, tuple(norms.sessions.types), stored, today)
        rejected = len({e.row for e in checked.errors if e.row > 1})
        base = ImportResult(
            Path(path).name, checked.rows_read, errors=checked.errors, rejected=rejected
        )
        if (checked.errors and not skip_invalid) or not checked.records:
            return base
        records = _with_supervisors(session, pd.DataFrame(checked.records))
        return _upsert_sessions(session, Path(path), records, base, synthetic)


def _with_supervisors(session: Session, records: pd.DataFrame) -> pd.DataFrame:
    """A blank supervisor is the supervisee's supervisor on the session's day (from the links)."""
    links = pd.DataFrame(
        session.execute(
            select(
                SupervisionLink.supervisee_id,
                SupervisionLink.supervisor_id,
                SupervisionLink.start_date,
                SupervisionLink.end_date,
            )
        ).all(),
        columns=["supervisee_id", "linked", "start", "end"],
    )
    blank = records[records["supervisor_id"].isna()].reset_index()
    merged = blank.merge(links, on="supervisee_id")
    day, end = pd.to_datetime(merged["session_date"]), pd.to_datetime(merged["end"])
    merged = merged[(pd.to_datetime(merged["start"]) <= day) & (end.isna() | (end > day))]
    found = merged.drop_duplicates("index").set_index("index")["linked"]
    records["supervisor_id"] = (
        records["supervisor_id"].astype("Int64").fillna(found.astype("Int64"))
    )
    return records


def _upsert_sessions(
    session: Session, path: Path, records: pd.DataFrame, base: ImportResult, synthetic: bool
) -> ImportResult:
    cols = (
        SupervisionSession.id,
        *(getattr(SupervisionSession, c) for c in SESSION_KEY + SESSION_VALUES),
    )
    new, changed = diff_sessions(session.execute(select(*cols)).all(), records)
    if not new and not changed:
        session.rollback()
        return replace(base, unchanged=len(records))
    batch = start_batch(
        session,
        kind="supervision_sessions",
        file_name=path.name,
        sha256=sha256_of(path),
        synthetic=synthetic,
    )
    if new:
        rows = [{**r, "batch_id": batch.id} for r in new]
        session.connection().execute(insert(SupervisionSession), rows)
    if changed:
        session.execute(update(SupervisionSession), [{**r, "batch_id": batch.id} for r in changed])
    return finish_batch(batch, base, rows=len(records), inserted=len(new), updated=len(changed))


# --- mentoring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MentoringReport:
    run_id: int | None
    result: MatchResult
    mentees: int
    mentors: int
    pairs: pd.DataFrame  # shown: masked ID numbers and area codes
    unmatched: pd.DataFrame
    notes: list[str]


def run_mentoring(
    engine: Engine,
    *,
    on: date | None = None,
    languages_file: Path | None = None,
    norms_file: Path | None = None,
    solver: str = "auto",
    store: bool = True,
) -> MentoringReport:
    """Match newly appointed SSPs to mentors (supervision.mentoring) and store the run."""
    norms, on = load_norms(norms_file), on or date.today()
    rules = MatchRules.from_norms(norms)
    with session_scope(engine) as session:
        areas = areas_frame(session)
        people = people_on(session, on)
        if languages_file is not None:
            people["languages"] = people["id_number"].map(
                read_languages(languages_file, set(people["id_number"]))
            )
        mentees, mentors = split_people(people, on, rules)
        distance = _distance(
            session, areas, pd.concat([mentees["area_id"], mentors["area_id"]]), norms
        )
    result = match_mentors(mentees, mentors, distance, rules, solver=solver)
    run_id = _store_match(engine, result, norms, people, on) if store else None
    codes = areas.set_index("id")["code"]
    ids = people.set_index("id")["id_number"].map(mask_id_number)
    pairs = result.pairs.assign(
        mentee=result.pairs["mentee_id"].map(ids), mentor=result.pairs["mentor_id"].map(ids)
    )
    unmatched = result.unmatched.assign(
        mentee=result.unmatched["mentee_id"].map(ids), area=result.unmatched["area_id"].map(codes)
    )
    notes = _mentoring_notes(engine, result, norms, rules, on, languages_file, run_id)
    return MentoringReport(run_id, result, len(mentees), len(mentors), pairs, unmatched, notes)


def read_languages(path: Path, known: set[str]) -> dict[str, list[str]]:
    """ID number -> languages spoken (the first preferred), from a CSV/XLSX with columns
    id_number, languages ("xh; en"). The inventory has no language column: this is the way in."""
    languages, errors = parse_languages(read_table(Path(path), sheet="languages"), known)
    if errors:
        shown = "; ".join(f"row {e.row}: {e.value} {e.problem}" for e in errors[:5])
        raise SSPError(
            f"{Path(path).name}: {len(errors)} rows name nobody in post ({shown}). "
            "Fix: correct or remove those rows."
        )
    return languages


def _distance(
    session: Session, areas: pd.DataFrame, used: pd.Series, norms: SupervisionNorms
) -> AreaDistance:
    """Centroid km when every area in use has a stored boundary; else the ordinal fallback."""
    ids = sorted(set(used.dropna().astype(int)))
    query = select(Area.id, Area.boundary_geojson).where(
        Area.id.in_(ids), Area.boundary_geojson.is_not(None)
    )
    shapes = {i: str(g) for i, g in session.execute(query).all()} if ids else {}
    return boundary_distance(areas, ids, shapes, norms.mentoring.km_per_step.value)


def _store_match(
    engine: Engine, result: MatchResult, norms: SupervisionNorms, people: pd.DataFrame, on: date
) -> int:
    digest = hashlib.sha256(
        people.drop(columns=["languages"], errors="ignore").to_csv(index=False).encode()
    ).hexdigest()
    rows = [
        {
            "mentee_id": int(r.mentee_id),
            "mentor_id": int(r.mentor_id),
            "cost": float(r.cost),
            "reason": r.reason,
        }
        for r in result.pairs.itertuples()
    ]
    rows += [
        {"mentee_id": int(r.mentee_id), "mentor_id": None, "cost": None, "reason": r.reason}
        for r in result.unmatched.itertuples()
    ]
    with session_scope(engine) as session:
        run = MentoringRun(
            on_date=on,
            rules_digest=norms.digest(),
            inputs_digest=digest,
            distance_method=result.method,
            matched=len(result.pairs),
            unmatched=len(result.unmatched),
            total_cost=result.total_cost,
            software_version=__version__,
            synthetic=bool(synthetic_sources(engine)),
            created_at=now(),
        )
        session.add(run)
        session.flush()
        if rows:
            session.execute(insert(MentoringPair), [{**r, "run_id": run.id} for r in rows])
        return run.id


def _mentoring_notes(
    engine: Engine,
    result: MatchResult,
    norms: SupervisionNorms,
    rules: MatchRules,
    on: date,
    languages_file: Path | None,
    run_id: int | None,
) -> list[str]:
    method = (
        "great-circle km between stored boundary centroids"
        if result.method == "centroid"
        else "the area tree (0 same municipality, 1 same district, 2 same province, "
        "3 elsewhere), since not every area in use has a stored boundary"
    )
    notes = [
        f"SSP Planner {__version__}; mentoring run {run_id if run_id is not None else '(none)'}; "
        f"norms {norms.version} (digest {norms.digest()[:12]}); solver {result.solver}.",
        f"Mentees: appointed in the {rules.new_within_months} months up to {on.isoformat()}. "
        f"Mentors: {rules.mentor_min_years:g}+ years since appointment, same category, "
        f"{rules.capacity} mentees each.",
        f"Distance: {method}.",
        f"Languages: from {languages_file}."
        if languages_file
        else "Languages: none recorded (the inventory has no language column; pass "
        "--languages FILE with id_number and languages to use preferences).",
    ]
    if banner := synthetic_sources(engine):
        notes.insert(0, "SYNTHETIC DEMO DATA — not real people: " + "; ".join(banner) + ".")
    return notes


def write_mentoring_xlsx(report: MentoringReport, path: Path) -> Path:
    return write_sheets(path, {"pairs": report.pairs, "unmatched": report.unmatched}, report.notes)
