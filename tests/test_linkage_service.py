"""Linkage through storage on SQLite and PostgreSQL: import source lists (raw layer), run,
report, review; decisions hold on the next run; the raw layer never changes. Also `ssp link`."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from conftest import FIXTURES
from ssp_planner.cli import app
from ssp_planner.demo import REFERENCE_DATE, generate_demo
from ssp_planner.domain.areas import bundled_areas
from ssp_planner.linkage.synthetic import make_sources
from ssp_planner.services.areas import load_areas
from ssp_planner.services.linkage import (
    decide,
    import_source,
    linkage_report,
    pending_reviews,
    run_linkage,
)
from ssp_planner.services.linkage_demo import run_linkage_demo, write_source_csv
from ssp_planner.store import session_scope
from ssp_planner.store.models_linkage import LinkMember, LinkPair, LinkSource, LinkSourceRow


def _raw_layer_digest(engine: Engine) -> str:
    with session_scope(engine) as s:
        rows = s.execute(
            select(LinkSourceRow.id, LinkSourceRow.source_id, LinkSourceRow.row_number,
                   LinkSourceRow.raw_json, LinkSourceRow.row_key).order_by(LinkSourceRow.id)
        ).all()  # fmt: skip
        sources = s.execute(select(LinkSource.id, LinkSource.header_json, LinkSource.rows_read))
        text = repr(rows) + repr(sources.all())
    return hashlib.sha256(text.encode()).hexdigest()


def _persons_of(engine: Engine, run_id: int) -> dict[int, int]:
    with session_scope(engine) as s:
        query = select(LinkMember.row_id, LinkMember.person_id).where(LinkMember.run_id == run_id)
        return {row: person for row, person in s.execute(query)}


@pytest.fixture
def demo(engine: Engine, tmp_path: Path):  # type: ignore[no-untyped-def]
    load_areas(engine)
    return run_linkage_demo(engine, seed=3, out_dir=tmp_path, size=300, persons=200)


def test_demo_imports_links_and_charts(engine: Engine, demo) -> None:  # type: ignore[no-untyped-def]
    assert [i.source for i in demo.imports] == ["register", "payroll", "npo"]
    assert all(i.batch_id for i in demo.imports) and demo.chart.stat().st_size > 10_000
    assert 170 <= demo.run.persons <= 220 < demo.run.records
    report = linkage_report(engine)
    assert report.synthetic and sum(report.sources.values()) == report.records
    assert report.sources_per_person.get(2, 0) > 70
    ids = [v for c in report.conflicts if c.field == "id_number" for v in c.values]
    assert all(v.startswith("*********") for v in ids)  # masked unless --show-personal
    if ids:
        shown = linkage_report(engine, show_personal=True).conflicts
        assert any(not v.startswith("*") for c in shown for v in c.values)


def test_decisions_hold_on_the_next_run_and_raw_rows_never_change(
    engine: Engine,
    demo,  # type: ignore[no-untyped-def]
) -> None:
    raw_before = _raw_layer_digest(engine)
    first = demo.run.run_id
    pending = pending_reviews(engine)
    assert pending and pending[0].left.cells["surname"]
    accept, reject = pending[0], pending[1] if len(pending) > 1 else None
    decide(engine, accept.pair_id, accept=True)
    with session_scope(engine) as s:
        linked = s.scalars(
            select(LinkPair).where(LinkPair.run_id == first, LinkPair.status == "linked")
        ).first()
        assert linked is not None
        split = (linked.id, linked.row_l, linked.row_r)
        acc = s.get(LinkPair, accept.pair_id)
        assert acc is not None
        joined = (acc.row_l, acc.row_r)
    decide(engine, split[0], accept=False)  # a reviewer separates two linked records
    if reject:
        decide(engine, reject.pair_id, accept=False)
    assert accept.pair_id not in {p.pair_id for p in pending_reviews(engine)}
    second = run_linkage(engine, today=REFERENCE_DATE)
    persons = _persons_of(engine, second.run_id)
    assert persons[joined[0]] == persons[joined[1]]
    assert persons[split[1]] != persons[split[2]]
    third = run_linkage(engine, today=REFERENCE_DATE)  # and again: decisions are stored
    assert (
        _persons_of(engine, third.run_id)[joined[0]] == _persons_of(engine, third.run_id)[joined[1]]
    )
    assert _raw_layer_digest(engine) == raw_before


def test_import_keeps_incomplete_rows_and_is_idempotent(engine: Engine, tmp_path: Path) -> None:
    load_areas(engine)
    path = FIXTURES / "linkage" / "npo_list.csv"
    first = import_source(engine, path, source="npo", source_date=REFERENCE_DATE)
    assert first.batch_id and first.rows_read == 6 and first.rows_with_issues == 3
    again = import_source(engine, path, source="npo", source_date=REFERENCE_DATE)
    assert again.already_imported and again.batch_id is None
    bad = import_source(engine, FIXTURES / "linkage" / "no_surname.csv", source="x",
                        source_date=REFERENCE_DATE)  # fmt: skip
    assert bad.batch_id is None and any(i.column == "surname" for i in bad.issues)
    with session_scope(engine) as s:
        assert len(s.scalars(select(LinkSourceRow)).all()) == 6  # the row without a surname too


def test_cli_import_run_report_review(engine: Engine, db_url: str, tmp_path: Path) -> None:
    load_areas(engine)
    runner = CliRunner()

    def ssp(*args: str | Path, input: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["--db", db_url, "link", *map(str, args)], input=input)

    lists = make_sources(generate_demo(bundled_areas(), seed=4, size=200), seed=4).lists
    for name, rows in lists.items():
        path = write_source_csv(rows, tmp_path / f"{name}.csv")
        assert ssp("import-source", path, "--source", name, "--date", "2026-03-01").exit_code == 0
    extra = tmp_path / "npo.csv"
    extra.write_bytes((FIXTURES / "linkage" / "npo_list.csv").read_bytes())
    got = ssp("import-source", extra, "--source", "famsa", "--date", "2026-03-01")
    assert got.exit_code == 0, got.output
    assert "6 rows stored" in got.output and (tmp_path / "npo.issues.csv").exists()
    assert ssp("import-source", extra, "--source", "x", "--date", "March").exit_code != 0
    got = ssp("run", "--threshold", "0.9")
    assert got.exit_code == 0 and "persons" in got.output, got.output
    chart = tmp_path / "weights.png"
    got = ssp("report", "--chart", chart)
    assert got.exit_code == 0 and chart.exists(), got.output
    assert "SYNTHETIC" not in got.output  # a real list (famsa) takes part in this run
    assert "8001010009082" not in got.output
    pending = len(pending_reviews(engine))
    got = ssp("review", input="a\nr\nq\n")
    assert got.exit_code == 0, got.output
    assert "[a]ccept / [r]eject" in got.output and "*********" in got.output
    assert f"{min(pending, 2)} decision(s) stored" in got.output
    assert len(pending_reviews(engine)) == max(pending - 2, 0)
