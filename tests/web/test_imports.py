"""Uploading the inventory on SQLite and PostgreSQL: a bad file shows every row error, stores
nothing and offers its report; a good file is stored once; both are audited."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from ssp_planner.store import session_scope
from ssp_planner.store.models import Practitioner
from ssp_planner.store.models_web import AuditEntry
from web.conftest import WEB_FIXTURES, DemoEnv


def upload(client, name: str, page: bool = True):  # type: ignore[no-untyped-def]
    with (WEB_FIXTURES / name).open("rb") as fh:
        if page:
            return client.post(
                "/import", files={"file": (name, fh, "text/csv")}, data={"csrf_token": client.csrf}
            )
        return client.post("/api/v1/imports/inventory", files={"file": (name, fh, "text/csv")})


def people(demo: DemoEnv) -> int:
    with session_scope(demo.engine) as s:
        return s.scalar(select(func.count(Practitioner.id))) or 0


def last_audit(demo: DemoEnv) -> AuditEntry:
    with session_scope(demo.engine) as s:
        entry = s.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
        assert entry is not None
        return entry


def test_bad_file_shows_errors_stores_nothing_and_offers_the_report(demo: DemoEnv) -> None:
    client = demo.client("kzn-planner")
    before = people(demo)
    page = upload(client, "kzn_bad.csv")
    assert page.status_code == 200
    assert "Nothing was stored." in page.text and "5 problem(s) in 3 of 3 row(s)" in page.text
    assert "check digit is 5 but should be 4" in page.text and "unknown area code" in page.text
    assert "*********1085" in page.text and "8005174321085" not in page.text  # masked in reports
    assert people(demo) == before
    entry = last_audit(demo)
    assert (entry.username, entry.action, entry.target) == (
        "kzn-planner",
        "inventory.import_refused",
        "kzn_bad.csv",
    )
    links = sorted(set(__import__("re").findall(r'href="(/import/reports/[^"]+)"', page.text)))
    assert [link.rsplit(".", 1)[1] for link in links] == ["csv", "xlsx"]
    report = client.get(links[0])
    assert report.status_code == 200
    assert 'filename="inventory.errors.csv"' in report.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert [(r["row"], r["column"]) for r in rows] == [
        ("2", "id_number"),
        ("3", "surname"),
        ("3", "category"),
        ("3", "area_code"),
        ("4", "start_date"),
    ]
    sheet = load_workbook(io.BytesIO(client.get(links[1]).content))["errors"]
    assert sheet.max_row == 6
    # The report belongs to its uploader: another user (even an admin) cannot fetch it.
    assert demo.client("admin").get(links[0]).status_code == 404
    assert client.get("/import/reports/" + "A" * 32 + ".csv").status_code == 404


def test_good_file_is_imported_once_and_audited(demo: DemoEnv) -> None:
    client = demo.client("kzn-planner")
    before = people(demo)
    first = upload(client, "kzn_good.csv")
    if "Nothing to change" in first.text:  # the other backend's run or a rerun left it stored
        assert people(demo) == before
    else:
        assert "Imported: 3 new, 0 updated, 0 unchanged" in first.text
        assert people(demo) == before + 3
        entry = last_audit(demo)
        assert entry.action == "inventory.import" and '"inserted": 3' in (entry.after_json or "")
    again = upload(client, "kzn_good.csv", page=False)
    assert again.status_code == 200
    assert again.json()["stored"] is False and again.json()["unchanged"] == 3
    found = client.get("/api/v1/inventory", params={"q": "Mthembu Lindiwe"}).json()
    assert found["total"] == 1 and found["rows"][0]["area_code"] == "KZN212"


def test_import_api_returns_422_with_the_errors(demo: DemoEnv) -> None:
    answer = upload(demo.client("national"), "kzn_bad.csv", page=False)
    assert answer.status_code == 422
    body = answer.json()
    assert body["stored"] is False and len(body["errors"]) == 5
    assert body["error_report_csv"].startswith("/api/v1/imports/reports/")


def test_only_importing_roles_may_upload_and_files_have_limits(sqlite_demo: DemoEnv) -> None:
    demo = sqlite_demo
    assert upload(demo.client("viewer"), "kzn_good.csv", page=False).status_code == 403
    client = demo.client("national")
    huge_cell = client.post(
        "/api/v1/imports/inventory", files={"file": ("one.csv", b"x" * 200_000)}
    )
    assert huge_cell.status_code == 400 and "row 1 cannot be read as CSV" in huge_cell.text
    small_app = demo.app(upload_max_mb=1)
    limited = demo.client("national", app=small_app).post(
        "/api/v1/imports/inventory", files={"file": ("big.csv", b"x" * (2 * 1024 * 1024))}
    )
    assert limited.status_code == 413 and "larger than" in limited.json()["error"]["message"]
    streamed = demo.client("national", app=small_app).post(  # just under the body limit
        "/api/v1/imports/inventory", files={"file": ("big.csv", b"x" * (1024 * 1024 + 10))}
    )
    assert streamed.status_code == 413 and "larger than 1 MB" in streamed.text
    odd = client.post("/api/v1/imports/inventory", files={"file": ("../../etc/pass wd.exe", b"a")})
    assert odd.status_code == 400 and "'.exe' files are not supported" in odd.text
