"""Report downloads on SQLite and PostgreSQL: the progress report in every format, the plan
workbook, the planning brief (national users only: it holds every province's figures), bad
periods, and the audit entry of each download."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from ssp_planner.reports.render.pdf import pdf_available
from ssp_planner.services.plan_demo import DEMO_CODE, DEMO_PERIOD
from ssp_planner.services.web_reports import current_quarter
from web.conftest import DemoEnv
from web.test_plan import audit_of, with_plan

needs_pdf = pytest.mark.skipif(not pdf_available(), reason="WeasyPrint is not installed")


@pytest.fixture
def env(demo: DemoEnv) -> DemoEnv:
    return with_plan(demo)


def zip_names(content: bytes) -> set[str]:
    return set(zipfile.ZipFile(io.BytesIO(content)).namelist())


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        pytest.param("pdf", "application/pdf", marks=needs_pdf),
        ("html", "text/html; charset=utf-8"),
        ("md", "text/markdown; charset=utf-8"),
    ],
)
def test_progress_report_downloads(env: DemoEnv, fmt: str, media_type: str) -> None:
    client = env.client("kzn-planner")  # the plan is national: every role may read it
    before = len(audit_of(env, "report.download", f"report:progress:{DEMO_CODE}:{DEMO_PERIOD}"))
    answer = client.get(
        "/reports/progress", params={"plan": DEMO_CODE, "period": DEMO_PERIOD, "format": fmt}
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == media_type
    name = f"progress-{DEMO_CODE}-{DEMO_PERIOD}.{fmt}"
    assert answer.headers["content-disposition"] == f'attachment; filename="{name}"'
    body = answer.content
    if fmt == "docx":
        assert "word/document.xml" in zip_names(body)
    elif fmt == "pdf":
        assert body.startswith(b"%PDF")
    else:
        text = body.decode("utf-8")
        assert "Progress to date" in text and "SYNTHETIC DEMO DATA" in text
        assert "OVERDUE" in text and "OVER MAXIMUM" in text
    entries = audit_of(env, "report.download", f"report:progress:{DEMO_CODE}:{DEMO_PERIOD}")
    assert len(entries) == before + 1 and entries[-1].username == "kzn-planner"
    assert name in (entries[-1].after_json or "")


def test_progress_report_api_defaults_to_this_quarter(env: DemoEnv) -> None:
    answer = env.client("viewer").get("/api/v1/reports/progress", params={"format": "md"})
    assert answer.status_code == 200
    quarter = current_quarter()
    assert f"progress-{DEMO_CODE}-{quarter}.md" in answer.headers["content-disposition"]
    assert f"Progress report {quarter}" in answer.text


@pytest.mark.parametrize("period", ["2026Q5", "next quarter", "1'; DROP TABLE plan"])
def test_a_bad_period_says_how_to_write_one(env: DemoEnv, period: str) -> None:
    client = env.client("viewer")
    page = client.get("/reports/progress", params={"period": period})
    assert page.status_code == 400 and "Fix: write one of" in page.text
    api = client.get("/api/v1/reports/progress", params={"period": period})
    assert api.status_code == 400 and "2024Q1" in api.json()["error"]["message"]
    unknown = client.get("/api/v1/reports/progress", params={"plan": "NOPE", "period": "2026Q3"})
    assert unknown.status_code == 404
    assert client.get("/api/v1/reports/progress", params={"format": "exe"}).status_code == 422


def test_plan_workbook_download(env: DemoEnv, tmp_path) -> None:  # type: ignore[no-untyped-def]
    answer = env.client("viewer").get("/reports/plan-workbook", params={"plan": DEMO_CODE})
    assert answer.status_code == 200
    assert answer.headers["content-type"].endswith("spreadsheetml.sheet")
    assert f'filename="plan-{DEMO_CODE}.xlsx"' in answer.headers["content-disposition"]
    path = tmp_path / "plan.xlsx"
    path.write_bytes(answer.content)
    book = load_workbook(path, read_only=True)
    assert {"plan", "activities", "updates", "read me"} <= set(book.sheetnames)
    assert audit_of(env, "report.download", f"report:plan_workbook:{DEMO_CODE}")


@pytest.mark.parametrize(
    ("fmt", "magic"), [("docx", b"PK"), pytest.param("pdf", b"%PDF", marks=needs_pdf)]
)
def test_national_users_download_the_brief(env: DemoEnv, fmt: str, magic: bytes) -> None:
    answer = env.client("me-officer").get("/api/v1/reports/brief", params={"format": fmt})
    assert answer.status_code == 200 and answer.content.startswith(magic)
    assert "planning-brief-" in answer.headers["content-disposition"]
    assert audit_of(env, "report.download", "report:brief")[-1].username == "me-officer"
    html = env.client("national").get("/reports/brief", params={"format": "html"})
    assert "Gap between need and supply" in html.text and "Implementation plan" in html.text


@pytest.mark.parametrize("user", ["kzn-planner", "supervisor"])
def test_province_users_cannot_download_the_brief(env: DemoEnv, user: str) -> None:
    """The brief tabulates every province; it cannot be confined to one, so it is refused."""
    client = env.client(user)
    page = client.get("/reports")
    assert page.status_code == 200 and "available to national users only" in page.text
    assert 'action="/reports/brief"' not in page.text
    assert 'action="/reports/progress"' in page.text
    refused = client.get("/reports/brief", params={"format": "html"})
    assert refused.status_code == 403 and "national users only" in refused.text
    assert "Gauteng" not in refused.text
    assert client.get("/api/v1/reports/brief").status_code == 403


def test_reports_page_offers_every_download(env: DemoEnv) -> None:
    html = env.client("national").get("/reports").text
    for action in ("/reports/progress", "/reports/plan-workbook", "/reports/brief"):
        assert f'action="{action}"' in html
    assert f'value="{current_quarter()}"' in html
    assert "national users only" not in html
