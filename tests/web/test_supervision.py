"""Supervision and mentoring pages and API on SQLite and PostgreSQL: the report cut to the
caller's province, masking, one person's supervision, the sessions upload (errors shown,
nothing stored; a good file stored once; out-of-province people refused) and mentor matching."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, Practitioner
from ssp_planner.store.models_people import MentoringRun, SupervisionSession
from web.conftest import DemoEnv, kzn_codes
from web.test_projection import last_audit, with_people

HEADER = "supervisee_id_number,supervisor_id_number,session_date,session_type,duration_minutes"


@pytest.fixture
def env(demo: DemoEnv) -> DemoEnv:
    return with_people(demo)


def province_people(demo: DemoEnv, province: str, limit: int = 3) -> list[Practitioner]:
    """People of `province` who have a supervisor (so a session needs no supervisor column)."""
    with session_scope(demo.engine) as s:
        prov = s.scalar(select(Area.id).where(Area.level == "province", Area.code == province))
        districts = select(Area.id).where(Area.parent_id == prov)
        areas = select(Area.id).where(Area.parent_id.in_(districts)).union(districts)
        found = s.scalars(
            select(Practitioner)
            .where(Practitioner.area_id.in_(areas), Practitioner.supervisor_id.is_not(None))
            .order_by(Practitioner.id)
            .limit(limit)
        ).all()
        s.expunge_all()
        assert len(found) == limit
        return list(found)


def sessions_file(folder: Path, name: str, rows: list[tuple[str, str, str]]) -> Path:
    """A sessions CSV: (supervisee ID number, date, type), an hour each."""
    path = folder / name
    lines = [HEADER, *(f"{who},,{day},{kind},60" for who, day, kind in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def upload(client, path: Path, page: bool = True):  # type: ignore[no-untyped-def]
    with path.open("rb") as fh:
        files = {"file": (path.name, fh, "text/csv")}
        if page:
            return client.post(
                "/supervision/sessions", files=files, data={"csrf_token": client.csrf}
            )
        return client.post("/api/v1/supervision/sessions", files=files)


def session_count(demo: DemoEnv) -> int:
    with session_scope(demo.engine) as s:
        return s.scalar(select(func.count(SupervisionSession.id))) or 0


def test_national_report_page_and_api(env: DemoEnv) -> None:
    client = env.client("national")
    page = client.get("/supervision", params={"months": 3})
    assert page.status_code == 200
    assert "Ratio against the norm" in page.text and "Session compliance" in page.text
    assert "Record sessions" in page.text  # national planners manage supervision
    report = client.get("/api/v1/supervision", params={"months": 3}).json()
    assert report["area_name"] == "South Africa" and len(report["provinces"]) == 9
    h = report["headline"]
    assert h["practitioners"] == sum(r["practitioners"] for r in report["provinces"])
    assert h["unsupervised"] == len(report["unsupervised"]) > 0
    assert 0 < h["compliance_rate"] < 1 and h["norm"] == 10
    # National planners do not see personal data: initials and the last four digits only.
    person = report["unsupervised"][0]
    assert person["personal"] is False and re.fullmatch(r"\*{9}\d{4}", person["id_number"])
    social = client.get("/api/v1/supervision", params={"category": "social_worker"}).json()
    assert {r["category"] for r in social["districts"]} == {"social_worker"}
    assert {p["category"] for p in social["unsupervised"]} <= {"social_worker"}


def test_provincial_users_see_their_province_with_names(env: DemoEnv) -> None:
    codes = kzn_codes(env)
    for user in ("kzn-planner", "supervisor"):
        report = env.client(user).get("/api/v1/supervision").json()
        assert report["area_name"] == "KwaZulu-Natal"
        assert [r["code"] for r in report["provinces"]] == ["KZN"]
        assert {r["code"] for r in report["districts"]} <= codes and len(report["districts"]) == 11
        people = report["unsupervised"] + [o["supervisor"] for o in report["over_limit"]]
        assert people and {p["area_code"] for p in people} <= codes
        assert all(p["personal"] and len(p["id_number"]) == 13 for p in people)
    page = env.client("kzn-planner").get("/supervision")
    assert "Province</th>" not in page.text  # one province: the district table says it all


def test_person_page_is_scoped(env: DemoEnv) -> None:
    mine, theirs = province_people(env, "KZN", 1)[0], province_people(env, "GP", 1)[0]
    client = env.client("kzn-planner")
    page = client.get(f"/supervision/people/{mine.id}")
    assert page.status_code == 200 and f"{mine.first_names} {mine.surname}" in page.text
    api = client.get(f"/api/v1/supervision/people/{mine.id}").json()
    assert api["person"]["id_number"] == mine.id_number and api["supervisor"] is not None
    for path in (f"/supervision/people/{theirs.id}", f"/api/v1/supervision/people/{theirs.id}"):
        answer = client.get(path)
        assert answer.status_code == 404 and "among the people you can see" in answer.text
    assert client.get("/api/v1/supervision/people/99999999").status_code == 404
    masked = env.client("viewer").get(f"/api/v1/supervision/people/{theirs.id}").json()
    assert masked["person"]["personal"] is False and theirs.surname not in str(masked)


def test_bad_upload_shows_every_error_and_stores_nothing(env: DemoEnv, tmp_path: Path) -> None:
    kzn, gp = province_people(env, "KZN", 2), province_people(env, "GP", 1)
    day = (date.today() - timedelta(days=3)).isoformat()
    path = sessions_file(
        tmp_path,
        "bad-sessions.csv",
        [
            (gp[0].id_number, day, "individual"),  # another province's person
            (kzn[0].id_number, day, "coffee"),  # not a session type
            (kzn[1].id_number, day, "group"),  # fine on its own
        ],
    )
    client = env.client("kzn-planner")
    before = session_count(env)
    page = upload(client, path)
    assert page.status_code == 200
    assert "Nothing was stored." in page.text and "2 problem(s) in 2 of 3 row(s)" in page.text
    assert "recorded in another province, not KZN" in page.text
    assert "unknown session type" in page.text and gp[0].id_number not in page.text
    assert session_count(env) == before
    entry = last_audit(env)
    assert (entry.action, entry.target) == ("supervision.sessions_import_refused", path.name)
    links = sorted(set(re.findall(r'href="(/supervision/reports/[^"]+)"', page.text)))
    assert [link.rsplit(".", 1)[1] for link in links] == ["csv", "xlsx"]
    report = client.get(links[0])
    assert 'filename="sessions.errors.csv"' in report.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert [(r["row"], r["column"]) for r in rows] == [
        ("2", "supervisee_id_number"),
        ("3", "session_type"),
    ]
    assert env.client("supervisor").get(links[0]).status_code == 404  # the uploader's only
    api = upload(client, path, page=False)
    assert api.status_code == 422 and len(api.json()["errors"]) == 2
    assert api.json()["error_report_csv"].startswith("/api/v1/supervision/reports/")
    # A national planner may record anyone's sessions: only the bad type remains.
    national = upload(env.client("national"), path, page=False).json()
    assert [e["column"] for e in national["errors"]] == ["session_type"]
    assert session_count(env) == before


def test_good_upload_is_stored_once_and_audited(env: DemoEnv, tmp_path: Path) -> None:
    kzn = province_people(env, "KZN", 3)
    day = (date.today() - timedelta(days=5)).isoformat()
    path = sessions_file(tmp_path, "kzn-sessions.csv", [(p.id_number, day, "peer") for p in kzn])
    client = env.client("supervisor")
    before = session_count(env)
    page = upload(client, path)
    assert page.status_code == 200
    if "Nothing to change" in page.text:  # a rerun on the same database stored it before
        assert session_count(env) == before
    else:
        assert "Imported: 3 new, 0 updated, 0 unchanged" in page.text
        assert session_count(env) == before + 3
        entry = last_audit(env)
        assert entry.action == "supervision.sessions_import" and '"inserted": 3' in (
            entry.after_json or ""
        )
    again = upload(client, path, page=False)
    assert again.status_code == 200
    assert again.json()["stored"] is False and again.json()["unchanged"] == 3
    assert session_count(env) == before + (0 if "Nothing to change" in page.text else 3)
    person = client.get(f"/api/v1/supervision/people/{kzn[0].id}").json()
    assert person["sessions"][0]["session_date"] == day


@pytest.mark.parametrize("user", ["viewer", "me-officer"])
def test_roles_without_supervision_rights_cannot_change_anything(
    env: DemoEnv, user: str, tmp_path: Path
) -> None:
    client = env.client(user)
    path = sessions_file(tmp_path, "s.csv", [])
    assert upload(client, path, page=False).status_code == 403
    assert upload(client, path).status_code == 403
    assert client.post("/api/v1/mentoring/runs", json={}).status_code == 403
    assert client.post("/mentoring/run", data={"csrf_token": client.csrf}).status_code == 403
    page = client.get("/supervision")
    assert page.status_code == 200 and "Record sessions" not in page.text
    assert "Match mentors" not in client.get("/mentoring").text


def test_mentoring_is_scoped_and_masked(env: DemoEnv) -> None:
    codes = kzn_codes(env)
    kzn = env.client("kzn-planner").get("/api/v1/mentoring/runs/latest").json()
    assert kzn["pairs"] and {p["mentee"]["area_code"] for p in kzn["pairs"]} <= codes
    assert all(p["mentee"]["personal"] for p in kzn["pairs"])
    national = env.client("national").get("/api/v1/mentoring/runs/latest").json()
    assert national["matched"] + national["unmatched"] > kzn["matched"] + kzn["unmatched"]
    assert not any(p["mentee"]["personal"] for p in national["pairs"])
    page = env.client("viewer").get("/mentoring")
    assert page.status_code == 200 and "masked for your role" in page.text
    assert env.client("viewer").get("/api/v1/mentoring/runs/999999").status_code == 404


def test_supervisor_runs_mentor_matching_and_it_is_audited(env: DemoEnv) -> None:
    client = env.client("supervisor")
    with session_scope(env.engine) as s:
        before = s.scalar(select(func.count(MentoringRun.id))) or 0
    answer = client.post("/api/v1/mentoring/runs", json={"on": "2026-04-01"})
    assert answer.status_code == 201, answer.text
    run = answer.json()
    assert run["on_date"] == "2026-04-01" and run["matched"] > 0
    entry = last_audit(env)
    assert (entry.username, entry.action, entry.target) == (
        "supervisor",
        "mentoring.run",
        f"mentoring_run:{run['id']}",
    )
    form = client.post(
        "/mentoring/run", data={"csrf_token": client.csrf, "on": ""}, follow_redirects=False
    )
    assert form.status_code == 303 and form.headers["location"].startswith("/mentoring?run=")
    assert "Mentoring run" in client.get(form.headers["location"]).text
    with session_scope(env.engine) as s:
        assert s.scalar(select(func.count(MentoringRun.id))) == before + 2
