"""The implementation plan in the web app, on SQLite and PostgreSQL: the plan page and its API,
an activity's history, edits under the optimistic lock (two users, and a true race on
PostgreSQL), progress updates, roles, CSRF and the audit trail.

The demo plan is imported on top of the shared demo (it is national, so it cannot disturb the
other modules' province tests); each test changes an activity of its own.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import date

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select

from ssp_planner.services.plan import load_plan, plan_codes
from ssp_planner.services.plan_demo import DEMO_CODE, load_demo_plan
from ssp_planner.store import session_scope
from ssp_planner.store.models_plan import ActivityRecord
from ssp_planner.store.models_web import AuditEntry
from web.conftest import DemoEnv, csrf_of

EDITORS = ("admin", "national", "me-officer")
READERS = ("viewer", "kzn-planner", "supervisor")  # VIEW only (two of them confined to KZN)


def with_plan(demo: DemoEnv) -> DemoEnv:
    """The demo with the demo plan imported (once per database)."""
    if DEMO_CODE not in plan_codes(demo.engine):
        load_demo_plan(demo.engine)
    return demo


@pytest.fixture
def env(demo: DemoEnv) -> DemoEnv:
    return with_plan(demo)


def activity_id(demo: DemoEnv, number: str) -> int:
    with session_scope(demo.engine) as s:
        found = s.scalar(select(ActivityRecord.id).where(ActivityRecord.number == number))
    assert found is not None
    return found


def stored(demo: DemoEnv, number: str) -> ActivityRecord:
    with session_scope(demo.engine) as s:
        rec = s.scalar(select(ActivityRecord).where(ActivityRecord.number == number))
        assert rec is not None
        s.expunge(rec)
        return rec


def audit_of(demo: DemoEnv, action: str, target: str) -> list[AuditEntry]:
    with session_scope(demo.engine) as s:
        rows = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == action, AuditEntry.target == target)
            .order_by(AuditEntry.id)
        ).all()
        s.expunge_all()
        return list(rows)


def form_version(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "no edit form in the page"
    return found.group(1)


def opened_form(client: TestClient, url: str) -> tuple[str, str]:
    """(version, CSRF token) of the edit form as a browser has them; the client then sends
    the token in the form only, as a browser does."""
    client.headers.pop("X-CSRF-Token", None)
    form = client.get(url).text.split('id="edit"')[1]
    return form_version(form), csrf_of(form)


def edit_form(activity: ActivityRecord, version: str, csrf: str, **changes: str) -> dict:
    """What the edit form posts: every field as shown, with `changes` typed over it."""
    values = {
        "version": version,
        "title": activity.title,
        "owner": activity.owner or "",
        "start_date": str(activity.start_date or ""),
        "due_date": str(activity.due_date or ""),
        "status": activity.status,
        "description": activity.description or "",
        "csrf_token": csrf,
    }
    return values | changes


# --- reading --------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["viewer", "kzn-planner", "national"])
def test_every_role_reads_the_plan_page_and_api(env: DemoEnv, user: str) -> None:
    client = env.client(user)
    html = client.get("/plan").text
    assert "Synthetic demo data" in html and "Workstream 3: Mapping posts" in html
    assert "OVER MAXIMUM" in html and "OVERDUE" in html and "Key lessons" in html
    assert 'href="/plan"' in html and 'href="/reports"' in html  # menu entries
    plans = client.get("/api/v1/plans").json()
    assert plans == [
        {
            "code": DEMO_CODE,
            "title": load_plan(env.engine).title,
            "synthetic": True,
            "activities": 19,
        }
    ]
    view = client.get(f"/api/v1/plans/{DEMO_CODE}").json()
    assert (
        sum(view["counts"].values()) == 19 == sum(len(w["activities"]) for w in view["workstreams"])
    )
    days = next(t for t in view["allocations"] if t["unit"] == "days")
    over = [x["priority"] for x in days["lines"] if x["over_maximum"]]
    assert over == [4] and days["available"] == 120  # 27 days spent of 15–25
    rands = next(t for t in view["allocations"] if t["unit"] == "rands")
    assert rands["maximum_exceeds"] and "exceed the R3,000,000 available" in rands["warnings"][0]
    a51 = next(a for w in view["workstreams"] for a in w["activities"] if a["number"] == "5.1")
    assert a51["status"] == "done" and not a51["overdue"]
    assert a51["latest"]["note"] == "Framework of 18 indicators approved."


def test_overdue_follows_the_reports_rule(env: DemoEnv) -> None:
    """Due date passed and neither done nor dropped, judged today."""
    view = env.client("viewer").get(f"/api/v1/plans/{DEMO_CODE}").json()
    today = date.today().isoformat()
    for act in (a for w in view["workstreams"] for a in w["activities"]):
        late = act["due_date"] < today and act["status"] not in ("done", "dropped")
        assert act["overdue"] == late, act["number"]
    assert view["overdue"] == sum(
        a["overdue"] for w in view["workstreams"] for a in w["activities"]
    )


def test_activity_history_newest_first(env: DemoEnv) -> None:
    key = activity_id(env, "1.1")
    detail = env.client("viewer").get(f"/api/v1/plan/activities/{key}").json()
    assert detail["plan_code"] == DEMO_CODE and detail["workstream"].startswith("1. Recruit")
    assert [u["date"] for u in detail["updates"]] == ["2026-01-30", "2025-10-15", "2025-06-20"]
    html = env.client("viewer").get(f"/plan/activities/{key}").text
    assert "Review approved; five recommendations adopted." in html
    assert 'name="version"' not in html and "Add update" not in html  # no forms for viewers


@pytest.mark.parametrize(
    "path",
    [
        "/plan/activities/99999999",
        "/plan/activities/abc",
        "/plan/activities/0",
        "/plan/activities/-1",
        "/plan/activities/99999999999999999999",
        "/api/v1/plan/activities/99999999",
        "/api/v1/plan/activities/1%27%20OR%201=1",
        "/api/v1/plans/NO-SUCH-PLAN",
        "/plan?plan=NO-SUCH-PLAN",
    ],
)
def test_unknown_or_garbage_ids_are_not_found(env: DemoEnv, path: str) -> None:
    assert env.client("national").get(path).status_code == 404


# --- roles and CSRF -----------------------------------------------------------------------------


@pytest.mark.parametrize("user", READERS)
def test_roles_without_edit_plan_cannot_change_it(env: DemoEnv, user: str) -> None:
    before = stored(env, "1.4")
    key = before.id
    client = env.client(user)
    assert 'name="version"' not in client.get(f"/plan/activities/{key}").text
    tries = [
        client.post(
            f"/plan/activities/{key}/edit",
            data=edit_form(before, str(before.version), client.csrf, title="Hijacked"),  # type: ignore[attr-defined]
        ),
        client.post(
            f"/plan/activities/{key}/updates",
            data={"note": "Hijacked", "csrf_token": client.csrf},  # type: ignore[attr-defined]
        ),
        client.patch(
            f"/api/v1/plan/activities/{key}", json={"version": before.version, "title": "Hijacked"}
        ),
        client.post(f"/api/v1/plan/activities/{key}/updates", json={"note": "Hijacked"}),
    ]
    assert [t.status_code for t in tries] == [403] * 4
    after = stored(env, "1.4")
    assert (after.title, after.version) == (before.title, before.version)
    notes = [u["note"] for u in client.get(f"/api/v1/plan/activities/{key}").json()["updates"]]
    assert "Hijacked" not in notes


@pytest.mark.parametrize("user", EDITORS)
def test_editors_see_the_forms(env: DemoEnv, user: str) -> None:
    html = env.client(user).get(f"/plan/activities/{activity_id(env, '1.4')}").text
    assert 'name="version"' in html and "Add update" in html and "Save changes" in html


def test_missing_csrf_token_is_refused(env: DemoEnv) -> None:
    client = env.client("national")
    del client.headers["X-CSRF-Token"]
    before = stored(env, "1.4")
    key = before.id
    form = edit_form(before, str(before.version), "", title="Forged")
    del form["csrf_token"]
    assert client.post(f"/plan/activities/{key}/edit", data=form).status_code == 403
    patched = client.patch(
        f"/api/v1/plan/activities/{key}", json={"version": before.version, "title": "Forged"}
    )
    assert patched.status_code == 403
    forged = client.post(f"/plan/activities/{key}/updates", data={"note": "Forged"})
    assert forged.status_code == 403
    assert stored(env, "1.4").title == before.title


# --- optimistic locking -----------------------------------------------------------------------


def test_second_of_two_editors_is_refused_and_nothing_is_overwritten(env: DemoEnv) -> None:
    key = activity_id(env, "2.2")
    planner, officer = env.client("national"), env.client("me-officer")
    page = f"/plan/activities/{key}"
    (seen_planner, planner_token), (seen_officer, officer_token) = (
        opened_form(c, page) for c in (planner, officer)
    )
    assert seen_planner == seen_officer
    original = stored(env, "2.2")
    first = planner.post(
        f"{page}/edit",
        data=edit_form(original, seen_planner, planner_token, title="Deployment guidelines v2"),
        follow_redirects=False,
    )
    assert first.status_code == 303 and first.headers["location"] == page
    assert "Activity 2.2 saved (version" in planner.get(page).text
    second = officer.post(
        f"{page}/edit",
        data=edit_form(original, seen_officer, officer_token, owner="Director: M&E", title="Mine"),
        headers={"Referer": f"http://127.0.0.1{page}"},
    )
    assert second.status_code == 409
    assert "Changed by someone else" in second.text
    assert "was changed by someone else after you opened it" in second.text
    assert "nothing was overwritten" in second.text
    assert f'<a href="{page}">Reload the page</a>' in second.text
    now = stored(env, "2.2")
    assert (now.title, now.owner) == ("Deployment guidelines v2", original.owner)
    assert now.version == int(seen_planner) + 1
    [entry] = audit_of(env, "plan.activity.edit", f"plan_activity:{key}")
    assert entry.username == "national"
    assert json.loads(entry.before_json or "") == {
        "version": int(seen_planner),
        "title": original.title,
    }
    assert json.loads(entry.after_json or "") == {
        "version": int(seen_planner) + 1,
        "title": "Deployment guidelines v2",
    }


def test_api_patch_with_a_stale_version_is_409_json(env: DemoEnv) -> None:
    key = activity_id(env, "3.2")
    client = env.client("me-officer")
    version = client.get(f"/api/v1/plan/activities/{key}").json()["activity"]["version"]
    saved = client.patch(
        f"/api/v1/plan/activities/{key}",
        json={"version": version, "due_date": "2026-07-31", "description": "Extended a month"},
    )
    assert saved.status_code == 200, saved.text
    body = saved.json()["activity"]
    assert (body["due_date"], body["version"]) == ("2026-07-31", version + 1)
    assert body["title"] == stored(env, "3.2").title  # fields not sent stay as they were
    stale = client.patch(f"/api/v1/plan/activities/{key}", json={"version": version, "owner": "X"})
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["status"] == 409 and "was changed by someone else" in error["message"]
    assert f"now version {version + 1}" in error["message"]
    assert stored(env, "3.2").owner != "X"
    bad = client.patch(
        f"/api/v1/plan/activities/{key}",
        json={"version": version + 1, "start_date": "2026-08-01", "due_date": "2026-07-01"},
    )
    assert bad.status_code == 400 and "due before it starts" in bad.json()["error"]["message"]
    unknown = client.patch(f"/api/v1/plan/activities/{key}", json={"version": 1, "number": "9.9"})
    assert unknown.status_code == 422


def test_saving_the_form_unchanged_writes_nothing(env: DemoEnv) -> None:
    before = stored(env, "3.3")
    client = env.client("national")
    answer = client.post(
        f"/plan/activities/{before.id}/edit",
        data=edit_form(before, str(before.version), client.csrf),  # type: ignore[attr-defined]
    )
    assert "Nothing to save" in answer.text
    assert stored(env, "3.3").version == before.version
    assert audit_of(env, "plan.activity.edit", f"plan_activity:{before.id}") == []


def save_at_once(clients: dict[str, TestClient], key: int, version: int, tag: str) -> dict:
    """Every client PATCHes the activity with the same version, released together."""
    start = threading.Barrier(len(clients))
    answers: dict[str, Response] = {}

    def save(name: str, client: TestClient) -> None:
        start.wait()
        answers[name] = client.patch(
            f"/api/v1/plan/activities/{key}", json={"version": version, "owner": f"{name} {tag}"}
        )

    threads = [threading.Thread(target=save, args=item) for item in clients.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return answers


def test_simultaneous_saves_one_wins(env: DemoEnv) -> None:
    """Two editors press Save at the same moment with the same version: exactly one is
    stored, the other is told (PostgreSQL: row lock; SQLite: one writer at a time)."""
    key = activity_id(env, "4.2")
    clients = {"national": env.client("national"), "me-officer": env.client("me-officer")}
    for round_ in range(4):
        version = stored(env, "4.2").version
        answers = save_at_once(clients, key, version, f"round {round_}")
        codes = sorted(a.status_code for a in answers.values())
        assert codes == [200, 409], {n: a.text for n, a in answers.items()}
        winner = next(n for n, a in answers.items() if a.status_code == 200)
        now = stored(env, "4.2")
        assert (now.owner, now.version) == (f"{winner} round {round_}", version + 1)
        loser = next(a for a in answers.values() if a.status_code == 409)
        assert f"now version {version + 1}" in loser.json()["error"]["message"]


# --- progress updates --------------------------------------------------------------------------


def test_add_a_progress_update_from_the_page(env: DemoEnv) -> None:
    key = activity_id(env, "1.3")
    client = env.client("me-officer")
    del client.headers["X-CSRF-Token"]  # as a browser posts it: the token from the form only
    token = csrf_of(client.get(f"/plan/activities/{key}").text.split('id="add-update"')[1])
    version = stored(env, "1.3").version
    added = client.post(
        f"/plan/activities/{key}/updates",
        data={
            "date": "2026-10-20",
            "status": "delayed",
            "note": "Consultation postponed <to> November",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    html = client.get(added.headers["location"]).text
    assert "Progress update added to activity 1.3." in html
    assert "Consultation postponed &lt;to&gt; November" in html and "Demo M&amp;E Officer" in html
    first_row = html.split('<table class="history">')[1].split("<tbody>")[1].split("</tr>")[0]
    assert "20 Oct 2026" in first_row and "Delayed" in first_row
    after = stored(env, "1.3")
    assert (after.status, after.version) == ("delayed", version + 1)
    [entry] = audit_of(env, "plan.progress.add", f"plan_activity:{key}")
    assert entry.username == "me-officer"
    assert json.loads(entry.after_json or "") == {
        "date": "2026-10-20",
        "status": "delayed",
        "note": "Consultation postponed <to> November",
        "author": "Demo M&E Officer",
    }
    again = client.post(
        f"/plan/activities/{key}/updates",
        data={"date": "2026-10-20", "note": "Consultation postponed <to> November",
              "csrf_token": token},
    )  # fmt: skip
    assert again.status_code == 400 and "already has this update" in again.text
    empty = client.post(
        f"/plan/activities/{key}/updates",
        data={"note": "  ", "csrf_token": token},
    )
    assert empty.status_code == 422


def test_add_a_progress_update_through_the_api(env: DemoEnv) -> None:
    key = activity_id(env, "5.3")
    client = env.client("national")
    answer = client.post(
        f"/api/v1/plan/activities/{key}/updates",
        json={"note": "Service provider appointed", "status": "on_track"},
    )
    assert answer.status_code == 201, answer.text
    newest = answer.json()["updates"][0]
    assert newest == {
        "date": date.today().isoformat(),
        "note": "Service provider appointed",
        "status": "on_track",
        "author": "Demo National Planner",
    }
    assert len(audit_of(env, "plan.progress.add", f"plan_activity:{key}")) == 1
