"""`run_mentoring` on stored people: every newly appointed SSP is either paired or told why
not, the run is stored, languages come from an optional file, centroids when boundaries exist."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select, update

from ssp_planner.demo import REFERENCE_DATE, generate_demo
from ssp_planner.domain.areas import bundled_areas
from ssp_planner.errors import SSPError
from ssp_planner.services.areas import load_areas
from ssp_planner.services.demo import write_inventory_csv
from ssp_planner.services.inventory import import_inventory
from ssp_planner.services.supervision import run_mentoring, write_mentoring_xlsx
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, Practitioner
from ssp_planner.store.models_people import MentoringPair, MentoringRun


def demo(engine: Engine, tmp_path: Path, size: int = 400) -> None:
    load_areas(engine)
    data = generate_demo(bundled_areas(), seed=7, size=size)
    import_inventory(engine, write_inventory_csv(data, tmp_path / "inventory.csv"), synthetic=True)


def test_every_mentee_is_paired_or_told_why_and_the_run_is_stored(
    engine: Engine, tmp_path: Path
) -> None:
    demo(engine, tmp_path)
    report = run_mentoring(engine, on=REFERENCE_DATE)
    result = report.result
    assert report.mentees == len(result.pairs) + len(result.unmatched) > 0
    assert result.method == "ordinal" and result.solver == "highs"
    assert result.pairs["reason"].str.startswith("same category").all()
    assert report.pairs["mentee"].str.startswith("*********").all()
    with session_scope(engine) as s:
        run = s.scalars(select(MentoringRun)).one()
        stored = s.scalar(
            select(func.count(MentoringPair.id)).where(MentoringPair.run_id == run.id)
        )
        unmatched = s.scalar(
            select(func.count(MentoringPair.id)).where(MentoringPair.mentor_id.is_(None))
        )
    assert (run.matched, run.unmatched, stored) == (
        len(result.pairs),
        len(result.unmatched),
        report.mentees,
    )
    assert unmatched == len(result.unmatched) and run.synthetic
    assert run.total_cost == pytest.approx(result.total_cost)


def test_languages_from_a_file_and_distance_from_centroids(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    demo(sqlite_engine, tmp_path, size=300)
    first = run_mentoring(sqlite_engine, on=REFERENCE_DATE, store=False)
    tee = first.result.pairs.iloc[0]
    with session_scope(sqlite_engine) as s:
        ids = dict(s.execute(select(Practitioner.id, Practitioner.id_number)).all())
        for area_id in s.scalars(select(Area.id)).all():  # a small square per area, spread out
            x, y = 16 + (area_id % 17) * 0.8, -34 + (area_id // 17) * 0.7
            ring = [[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]
            geo = json.dumps({"type": "Polygon", "coordinates": [ring]})
            s.execute(update(Area).where(Area.id == area_id).values(boundary_geojson=geo))
    langs = tmp_path / "languages.csv"
    pd.DataFrame(
        {"id_number": [ids[tee["mentee_id"]], ids[tee["mentor_id"]]], "languages": ["zu", "zu; en"]}
    ).to_csv(langs, index=False)
    report = run_mentoring(sqlite_engine, on=REFERENCE_DATE, languages_file=langs, store=False)
    assert report.result.method == "centroid" and report.result.solver == "lsa"
    assert "km between area centres" in report.result.pairs["reason"].iloc[0]
    assert any("Languages: from" in n for n in report.notes)
    met = report.result.pairs.set_index("mentee_id").loc[tee["mentee_id"], "language_met"]
    assert met is True
    assert write_mentoring_xlsx(report, tmp_path / "m.xlsx").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("id_number,languages\n8001015009087,xh\n")
    with pytest.raises(
        SSPError, match=r"bad.csv: 1 rows name nobody in post .*Fix: correct or remove"
    ):
        run_mentoring(sqlite_engine, on=REFERENCE_DATE, languages_file=bad, store=False)
