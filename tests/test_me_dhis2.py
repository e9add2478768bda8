"""DHIS2 exchange on both backends: dataValueSets JSON and ADX in, out and back in; the mapping
file; broken files, wrong periods and unknown codes reported per row with nothing stored."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from conftest import FIXTURES
from ssp_planner.monitoring.dhis2 import read_adx, read_data_value_sets
from ssp_planner.monitoring.mapping import read_mapping
from ssp_planner.services.areas import load_areas
from ssp_planner.services.monitoring import (
    export_data_values,
    import_data_values,
    import_targets,
    values_frame,
)
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, ImportBatch
from ssp_planner.store.models_monitoring import DataValue, IndicatorTarget

D = FIXTURES / "dhis2"
EXPECTED = {
    ("ssp_headcount", "EC101", "social_worker", "202404"): 12.0,
    ("ssp_headcount", "EC101", "social_auxiliary_worker", "202404"): 3.0,
    ("services_delivered", "EC101", "default", "202404"): 250.0,
    ("open_cases", "EC101", "default", "202404"): 700.0,
    ("ssp_headcount", "EC102", "social_worker", "202404"): 8.0,
    ("services_delivered", "EC102", "default", "202405"): 180.0,
    ("open_cases", "BUF", "default", "2024Q2"): 1200.0,
}


def stored(engine: Engine) -> dict[tuple[str, str, str, str], float]:
    frame = values_frame(engine)
    with session_scope(engine) as s:
        codes = dict(s.execute(select(Area.id, Area.code)).all())
    return {
        (str(r.element), codes[r.area_id], str(r.coc), str(r.period)): r.value
        for r in frame.itertuples()
    }


def count(engine: Engine) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count(DataValue.id))) or 0)


@pytest.mark.parametrize("name", ["values.json", "values.adx.xml"])
def test_import_then_export_then_reimport_gives_the_same_values(
    engine: Engine, tmp_path: Path, name: str
) -> None:
    load_areas(engine)
    first = import_data_values(engine, D / name)
    assert not first.errors and first.inserted == 7 and first.written
    assert stored(engine) == EXPECTED
    with session_scope(engine) as s:  # a metro code means its municipality row
        buf = s.scalar(
            select(Area.level)
            .join(DataValue, DataValue.area_id == Area.id)
            .where(Area.code == "BUF")
        )
    assert buf == "municipality"
    again = import_data_values(engine, D / name)
    assert again.unchanged == 7 and not again.written  # idempotent: no new batch
    for fmt, suffix in (("dhis2-json", "json"), ("adx", "xml")):
        out = export_data_values(engine, tmp_path / f"out.{suffix}", fmt=fmt)  # type: ignore[arg-type]
        assert out.values == 7 and not out.synthetic
        back = import_data_values(engine, out.path)
        assert back.unchanged == 7 and not back.written
    with session_scope(engine) as s:
        assert (
            s.scalar(select(func.count(ImportBatch.id)).where(ImportBatch.kind == "data_values"))
            == 1
        )


def test_round_trip_into_a_fresh_database_through_dhis2_uids(
    engine: Engine, sqlite_engine: Engine, tmp_path: Path
) -> None:
    load_areas(engine)
    res = import_data_values(engine, D / "values_uid.json", mapping_path=D / "mapping.csv")
    assert not res.errors and res.inserted == 3
    assert stored(engine)[("ssp_headcount", "EC101", "social_worker", "202404")] == 12
    for fmt, suffix in (("dhis2-json", "json"), ("adx", "xml")):
        path = export_data_values(
            engine,
            tmp_path / f"uid.{suffix}",
            fmt=fmt,  # type: ignore[arg-type]
            mapping_path=D / "mapping.csv",
            id_scheme="uid",
        ).path
        text = path.read_text()
        assert "Qx7Rt2BnK9a" in text and "EC101" not in text
        fresh = sqlite_engine
        load_areas(fresh)
        back = import_data_values(fresh, path, mapping_path=D / "mapping.csv")
        assert not back.errors, back.errors[:3]
        assert stored(fresh) == stored(engine)
    adx = (tmp_path / "uid.xml").read_text()
    assert 'SSP_CAT="SW"' in adx and 'dataSet="Ma6Nb7Oc8Pd"' in adx


def test_bad_values_are_reported_per_row_and_nothing_is_stored(engine: Engine) -> None:
    load_areas(engine)
    res = import_data_values(engine, D / "bad_values.json")
    assert not res.written and count(engine) == 0
    found = {(e.row, e.column) for e in res.errors}
    assert found == {
        (2, "period"),
        (3, "period"),
        (4, "period"),
        (5, "orgUnit"),
        (6, "dataElement"),
        (7, "value"),
        (8, "value"),
        (9, "value"),
        (10, "categoryOptionCombo"),
        (11, "dataElement"),
        (12, "period"),
        (13, "attributeOptionCombo"),
    }
    by_row = {e.row: e for e in res.errors}
    assert "ZZ999" in by_row[5].problem and "mapping file" in by_row[5].fix
    assert "home_visits" in by_row[6].problem and "services_delivered" in by_row[6].fix
    assert "twice (also at row 1)" in by_row[11].problem
    assert "202413" in by_row[2].value and "2024April" in by_row[2].fix
    assert all(e.file == "bad_values.json" for e in res.errors)


def test_broken_json_and_xml_give_the_line(engine: Engine) -> None:
    load_areas(engine)
    res = import_data_values(engine, D / "broken_syntax.json")
    assert [(e.row, e.column[:4]) for e in res.errors] == [(4, "char")]
    assert "not valid JSON" in res.errors[0].problem
    res = import_data_values(engine, D / "broken.xml")
    assert len(res.errors) == 1 and res.errors[0].row == 6
    assert "not well-formed" in res.errors[0].problem and count(engine) == 0


def test_adx_periods_codes_and_entities(engine: Engine) -> None:
    load_areas(engine)
    res = import_data_values(engine, D / "bad_periods.adx.xml")
    assert {(e.row, e.column) for e in res.errors} == {
        (3, "period"),
        (6, "period"),
        (10, "orgUnit"),
        (13, "ssp_category"),
    }
    assert "2024-01-01/P1M" in res.errors[0].fix
    res = import_data_values(engine, D / "entities.xml")
    assert len(res.errors) == 1 and "refused for safety" in res.errors[0].problem
    assert count(engine) == 0


def test_mapping_file_errors(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "type,ours,uid,code\norgUnit,EC101,Qx7Rt2BnK9a,\nOrgUnit,EC102,Pw3Lm8CvD1e,\n"
        "orgUnit,EC103,Qx7Rt2BnK9a,\ndataElement,x,not-a-uid,\norgUnit,EC101,Pw3Lm8CvD1f,\n"
    )
    mapping, errors = read_mapping(path)
    assert [(e.row, e.column) for e in errors] == [(3, "type"), (4, "uid"), (5, "uid"), (6, "ours")]
    assert mapping.ours("orgUnit", "Qx7Rt2BnK9a") == "EC101"
    assert mapping.ours("orgUnit", "EC101") == "EC101"  # our own codes pass through
    as_json = tmp_path / "m.json"
    as_json.write_text(json.dumps({"orgUnit": [{"ours": "EC101", "uid": "Qx7Rt2BnK9a"}]}))
    assert read_mapping(as_json)[0].theirs("orgUnit", "EC101", "uid") == "Qx7Rt2BnK9a"


def test_readers_keep_rows_and_comments() -> None:
    j = read_data_value_sets(D / "values.json")
    a = read_adx(D / "values.adx.xml")
    assert j.count == a.count == 7 and not j.errors and not a.errors
    assert j.values[2].comment == a.values[2].comment == "from the Graaff-Reinet office"
    assert [v.row for v in a.values][:3] == [4, 5, 6]  # lines of the <dataValue>s
    assert a.values[0].disaggregation == (("ssp_category", "social_worker"),)


def test_synthetic_marker_survives_the_round_trip(engine: Engine, tmp_path: Path) -> None:
    load_areas(engine)
    import_data_values(engine, D / "values.json", synthetic=True)
    out = export_data_values(engine, tmp_path / "s.xml", fmt="adx")
    assert out.synthetic and "SYNTHETIC DEMO DATA" in out.path.read_text()
    assert read_adx(out.path).synthetic
    assert read_data_value_sets(
        export_data_values(engine, tmp_path / "s.json", fmt="dhis2-json").path
    ).synthetic


def test_targets_file(engine: Engine, tmp_path: Path) -> None:
    load_areas(engine)
    bad = import_targets(engine, shutil.copy(D / "targets_bad.csv", tmp_path / "t.csv"))
    assert {(e.row, e.column) for e in bad.errors} == {
        (3, "indicator"),
        (4, "area"),
        (5, "period"),
        (6, "target"),
        (7, "period"),
    }
    good = import_targets(engine, D / "targets.csv")
    assert good.inserted == 2 and not good.errors
    assert import_targets(engine, D / "targets.csv").unchanged == 2
    with session_scope(engine) as s:
        assert s.scalar(select(func.count(IndicatorTarget.id))) == 2
