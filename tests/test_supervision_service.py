"""Supervision on both backends: links follow the inventory with their history, the sessions
import is all-or-nothing and idempotent, and the report reads it all back."""

from __future__ import annotations

import csv
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func, select, update

from ssp_planner.demo import REFERENCE_DATE, generate_demo
from ssp_planner.domain.areas import AreaLevel, bundled_areas
from ssp_planner.services.areas import load_areas
from ssp_planner.services.demo import write_inventory_csv
from ssp_planner.services.inventory import import_inventory
from ssp_planner.services.supervision import (
    import_sessions,
    people_on,
    supervision_report,
    sync_links,
    sync_links_once,
    write_supervision_xlsx,
)
from ssp_planner.store import session_scope
from ssp_planner.store.models import ImportBatch, Practitioner
from ssp_planner.store.models_people import SupervisionLink, SupervisionSession

HEADER = [
    "supervisee_id_number",
    "supervisor_id_number",
    "session_date",
    "session_type",
    "duration_minutes",
]


def demo(engine: Engine, tmp_path: Path) -> None:
    """Areas and a small synthetic inventory, imported as a user's file would be."""
    load_areas(engine)
    data = generate_demo(bundled_areas(), seed=7, size=300)
    import_inventory(engine, write_inventory_csv(data, tmp_path / "inventory.csv"), synthetic=True)


def supervised(engine: Engine, n: int) -> list[tuple[str, str, date]]:
    """(ID number, supervisor's ID number, start date) of n linked practitioners."""
    with session_scope(engine) as s:
        rows = s.execute(
            select(
                Practitioner.id_number, Practitioner.supervisor_id_number, Practitioner.start_date
            )
            .where(Practitioner.supervisor_id.is_not(None), Practitioner.rank == "practitioner")
            .order_by(Practitioner.id)
            .limit(n)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def sessions_stored(engine: Engine) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count(SupervisionSession.id))) or 0)


def test_links_follow_the_inventory_and_keep_their_history(engine: Engine, tmp_path: Path) -> None:
    demo(engine, tmp_path)
    today = date(2026, 6, 1)
    with session_scope(engine) as s:
        made = sync_links(s, today)
        linked = s.scalar(
            select(func.count(Practitioner.id)).where(Practitioner.supervisor_id.is_not(None))
        )
        assert made == linked and sync_links(s, today) == 0
        tee, old = s.execute(
            select(Practitioner.id, Practitioner.supervisor_id)
            .where(Practitioner.rank == "practitioner", Practitioner.supervisor_id.is_not(None))
            .limit(1)
        ).one()
        new = s.scalar(
            select(Practitioner.id)
            .where(Practitioner.rank == "supervisor", Practitioner.id != old)
            .limit(1)
        )
        s.execute(update(Practitioner).where(Practitioner.id == tee).values(supervisor_id=new))
    with session_scope(engine) as s:
        assert sync_links(s, today) == 2  # the old link closes, the new one opens
        history = s.execute(
            select(
                SupervisionLink.supervisor_id,
                SupervisionLink.end_date,
                SupervisionLink.inferred_start,
            )
            .where(SupervisionLink.supervisee_id == tee)
            .order_by(SupervisionLink.start_date)
        ).all()
        assert [tuple(h) for h in history] == [(old, today, True), (new, None, False)]
        before = people_on(s, today - timedelta(days=1)).set_index("id")["supervisor_id"]
        after = people_on(s, today).set_index("id")["supervisor_id"]
    assert before[tee] == old and after[tee] == new


def test_two_readers_syncing_links_at_once_both_succeed(engine: Engine, tmp_path: Path) -> None:
    """A report read while another reader's sync of the same new links is in flight: the
    unique key makes one of them wait and then refuse its insert; it syncs again and finds
    the links in place (the web serves many readers at once; this was a 500 on PostgreSQL)."""
    demo(engine, tmp_path)
    today = date(2026, 6, 1)
    outcome: dict[str, object] = {}
    with session_scope(engine) as first:
        made = sync_links(first, today)  # inserted, not yet committed
        assert made > 0

        def second() -> None:
            try:
                outcome["changed"] = sync_links_once(engine, today)
            except Exception as exc:  # the assertion below names it
                outcome["error"] = exc

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=1.0)  # PostgreSQL: blocked on the unique index; SQLite: on the lock
    thread.join(timeout=60)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["changed"] == 0  # everything was already in place when it got through
    with session_scope(engine) as s:
        links = s.scalar(select(func.count(SupervisionLink.id)))
    assert links == made


def test_sessions_import_once_then_nothing_changes(engine: Engine, tmp_path: Path) -> None:
    demo(engine, tmp_path)
    (a, a_sup, _), (b, _b_sup, _) = supervised(engine, 2)
    rows = [
        [a, "", "2026-03-02", "individual", 60],
        [a, a_sup, "05/03/2026", "Group", 90],
        [b, "", "2026-03-10", "peer", 45],
    ]
    path = write_csv(tmp_path / "sessions.csv", rows)
    first = import_sessions(engine, path, today=REFERENCE_DATE)
    assert (first.inserted, first.errors, first.written) == (3, [], True)
    again = import_sessions(engine, path, today=REFERENCE_DATE)
    assert (again.unchanged, again.written) == (3, False)
    rows[2][4] = 50
    changed = import_sessions(engine, write_csv(path, rows), today=REFERENCE_DATE)
    assert (changed.updated, changed.unchanged) == (1, 2)
    with session_scope(engine) as s:
        sup = s.scalar(select(Practitioner.id).where(Practitioner.id_number == a_sup))
        blank = s.scalar(
            select(SupervisionSession.supervisor_id).where(
                SupervisionSession.session_date == date(2026, 3, 2)
            )
        )
        batches = s.scalar(select(func.count()).where(ImportBatch.kind == "supervision_sessions"))
    assert blank == sup  # a blank supervisor is the one linked on that day
    assert batches == 2 and sessions_stored(engine) == 3


def test_a_broken_file_stores_nothing_and_says_what_to_fix(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    engine = sqlite_engine
    demo(engine, tmp_path)
    ((a, _a_sup, start),) = supervised(engine, 1)
    rows = [
        [a, "", "2026-03-02", "individual", 60],  # good
        ["8001015009087", "", "2026-03-02", "individual", 60],  # valid ID, nobody stored
        [a, "", "2031-01-01", "individual", 60],  # future
        [a, "", "2026-03-03", "coffee", 60],  # unknown type
        [a, "", "2026-03-04", "individual", 0],  # no minutes
        [a, "", "2026-03-02", "individual", 45],  # same session as row 2
        [a, a, "2026-03-05", "individual", 60],  # supervises themselves
        [a, "", (start - timedelta(days=3)).isoformat(), "group", 60],  # before they started
    ]
    result = import_sessions(engine, write_csv(tmp_path / "broken.csv", rows), today=REFERENCE_DATE)
    assert not result.written and sessions_stored(engine) == 0
    found = {(e.row, e.column): (e.problem, e.fix) for e in result.errors}
    assert found[(3, "supervisee_id_number")] == (
        "no such person in the inventory",
        "import the inventory first, or correct the ID number",
    )
    assert found[(4, "session_date")][0] == "is in the future"
    assert found[(5, "session_type")] == (
        "unknown session type",
        "use one of: individual, group, peer",
    )
    assert found[(6, "duration_minutes")][0] == "must be whole minutes from 1 to 600"
    assert found[(7, "session_date")][0] == "same session as row 2 (supervisee, date and type)"
    assert found[(8, "supervisor_id_number")][0] == "a person cannot supervise themselves"
    assert found[(9, "session_date")][0].startswith("is before the supervisee started")
    assert all(
        e.value.startswith("*********") for e in result.errors if e.column.endswith("id_number")
    )
    kept = import_sessions(engine, tmp_path / "broken.csv", today=REFERENCE_DATE, skip_invalid=True)
    assert (kept.inserted, kept.rejected) == (1, 7)


def test_sessions_from_a_workbook(sqlite_engine: Engine, tmp_path: Path) -> None:
    demo(sqlite_engine, tmp_path)
    ((a, _sup, _),) = supervised(sqlite_engine, 1)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "sessions"
    ws.append(HEADER)
    ws.append([a, None, date(2026, 3, 2), "individual", 60])
    wb.save(tmp_path / "sessions.xlsx")
    assert (
        import_sessions(sqlite_engine, tmp_path / "sessions.xlsx", today=REFERENCE_DATE).inserted
        == 1
    )


def test_report_reads_people_links_and_sessions(sqlite_engine: Engine, tmp_path: Path) -> None:
    engine = sqlite_engine
    demo(engine, tmp_path)
    ((a, _sup, _),) = supervised(engine, 1)
    write_csv(tmp_path / "s.csv", [[a, "", "2026-03-02", "individual", 60]])
    import_sessions(engine, tmp_path / "s.csv", today=REFERENCE_DATE)
    report = supervision_report(engine, months=3, today=REFERENCE_DATE)
    assert report.on == date(2026, 3, 2)  # defaults to the latest recorded session
    head = report.headline()
    prov = report.ratios[AreaLevel.PROVINCE]
    assert head["practitioners"] == prov.loc[prov["category"] == "all", "practitioners"].sum() > 0
    assert len(prov) == 9 * 6 and len(report.ratios[AreaLevel.DISTRICT]) == 52 * 6
    assert head["unsupervised"] == len(report.unsupervised) > 0  # the demo leaves some unlinked
    assert 0 <= head["compliance_rate"] < 1
    assert report.people["id_number"].str.startswith("*********").all()
    assert report.notes[0].startswith("SYNTHETIC DEMO DATA")
    book = write_supervision_xlsx(report, tmp_path / "supervision.xlsx")
    assert book.stat().st_size > 10_000


@pytest.mark.parametrize("text", ["", "supervisee_id_number\n"])
def test_empty_files_are_refused_whole(sqlite_engine: Engine, tmp_path: Path, text: str) -> None:
    from ssp_planner.errors import InputFileError

    path = tmp_path / "empty.csv"
    path.write_text(text)
    with pytest.raises(InputFileError, match="Fix:"):
        import_sessions(sqlite_engine, path)
