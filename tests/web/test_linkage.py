"""Record linkage from the web, on SQLite and PostgreSQL: the run summary, the review queue with
field agreement and masking, province scoping of pairs, decisions by page and API, roles and
the audit trail."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from ssp_planner.services import web_cache
from ssp_planner.services.linkage_demo import run_linkage_demo
from ssp_planner.services.web_linkage import review_queue
from ssp_planner.store import session_scope
from ssp_planner.store.models_linkage import LinkDecision
from ssp_planner.web.roles import NATIONAL, Principal, Role
from web.conftest import DEMO_SIZE, SEED, DemoEnv, form_token, kzn_codes


def fresh_linkage(env: DemoEnv) -> DemoEnv:
    """Source lists of the whole demo population linked in a new run with no decisions yet.

    The imports are idempotent; earlier modules' decisions are removed first (they are keyed
    by row, so they would otherwise empty this module's queue)."""
    with session_scope(env.engine) as session:
        session.execute(delete(LinkDecision))
    run_linkage_demo(
        env.engine, seed=SEED, out_dir=env.data_dir / "linkage", size=DEMO_SIZE, persons=DEMO_SIZE
    )
    web_cache.clear()
    return env


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def link_demo(request: pytest.FixtureRequest, demo_of: Callable[[str], DemoEnv]) -> DemoEnv:
    return fresh_linkage(demo_of(request.param))


def _queue(client: TestClient) -> list[dict]:
    answer = client.get("/api/v1/linkage/reviews")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_summary_for_everyone_queue_for_reviewers(link_demo: DemoEnv) -> None:
    viewer = link_demo.client("viewer")
    summary = viewer.get("/api/v1/linkage").json()
    assert summary["records"] > 0 and summary["persons"] > 0
    assert {s["source"] for s in summary["sources"]} == {"register", "payroll", "npo"}
    assert {m["status"] for m in summary["matches"]} == {"linked", "review"}
    assert summary["review_pending"] == 10
    html = viewer.get("/linkage").text
    assert "Record linkage" in html and "Matches by certainty" in html
    assert "Review queue" not in html and "Accept: same person" not in html
    assert 'href="/linkage"' in viewer.get("/").text
    assert viewer.get("/api/v1/linkage/reviews").status_code == 403
    assert viewer.post("/api/v1/linkage/reviews/1", json={"accept": True}).status_code == 403
    for user in ("me-officer", "supervisor", "national"):
        assert link_demo.client(user).get("/api/v1/linkage/reviews").status_code == 403
    anonymous = TestClient(link_demo.app(), base_url="http://127.0.0.1")
    assert anonymous.get("/api/v1/linkage").status_code == 401


def test_queue_side_by_side_with_agreement(link_demo: DemoEnv) -> None:
    admin = link_demo.client("admin")
    queue = _queue(admin)
    assert len(queue) == 10
    probabilities = [p["match_probability"] for p in queue]
    assert probabilities == sorted(probabilities, reverse=True)
    first = queue[0]
    assert first["personal"] is True and first["match_weight"] is not None
    fields = {f["field"]: f for f in first["fields"]}
    assert fields["surname"]["agreement"] == "agree"
    assert len(fields["surname"]["left"]) > 2  # the full surname for those allowed
    assert {f["agreement"] for f in first["fields"]} <= {"agree", "differ", "missing"}
    html = admin.get("/linkage").text
    assert "Review queue" in html and html.count("Accept: same person") == 10
    assert first["left"]["cells"]["surname"] in html


def test_personal_fields_masked_without_personal_data(link_demo: DemoEnv) -> None:
    """No reviewer role lacks personal data today; the service masks for any that would."""
    masked = review_queue(link_demo.engine, Principal(0, "x", "x", Role.VIEWER, NATIONAL))
    full = review_queue(link_demo.engine, Principal(0, "x", "x", Role.ADMINISTRATOR, NATIONAL))
    for m, f in zip(masked, full, strict=True):
        assert m.personal is False
        cells = m.left.cells
        assert cells["surname"].endswith(".") and len(cells["surname"]) == 2
        assert cells["birth_date"] in ("", "(hidden)")
        assert not cells["id_number"] or cells["id_number"].startswith("*********")
        assert [x.agreement for x in m.fields] == [x.agreement for x in f.fields]


def test_provincial_reviewer_sees_and_decides_only_their_province(link_demo: DemoEnv) -> None:
    kzn = kzn_codes(link_demo)
    planner = link_demo.client("kzn-planner")
    mine = _queue(planner)
    assert mine, "the demo has a KZN pair to review"
    for pair in mine:
        assert {pair["left"]["cells"]["area_code"], pair["right"]["cells"]["area_code"]} <= kzn
    assert planner.get("/api/v1/linkage").json()["review_pending"] == len(mine)
    others = [
        p
        for p in _queue(link_demo.client("admin"))
        if p["pair_id"] not in {m["pair_id"] for m in mine}
    ]
    outside = others[0]["pair_id"]
    assert (
        planner.post(f"/api/v1/linkage/reviews/{outside}", json={"accept": True}).status_code == 404
    )
    page = planner.post(
        f"/linkage/reviews/{outside}",
        data={"decision": "accept", "csrf_token": planner.csrf},  # type: ignore[attr-defined]
        follow_redirects=False,
    )
    assert page.status_code == 404
    assert planner.post("/api/v1/linkage/reviews/999999", json={"accept": True}).status_code == 404
    assert len(_queue(link_demo.client("admin"))) == len(others) + len(mine)  # nothing decided


def test_decisions_change_the_queue_and_are_audited(link_demo: DemoEnv) -> None:
    admin = link_demo.client("admin")
    before = _queue(admin)
    rejected, accepted = before[-1]["pair_id"], before[-2]["pair_id"]
    answer = admin.post(f"/api/v1/linkage/reviews/{rejected}", json={"accept": False})
    assert answer.status_code == 200
    assert answer.json() == {
        "pair_id": rejected,
        "accept": False,
        "review_pending": len(before) - 1,
    }
    no_token = link_demo.client("admin")
    no_token.headers.pop("X-CSRF-Token")
    refused = no_token.post(f"/linkage/reviews/{accepted}", data={"decision": "accept"})
    assert refused.status_code == 403
    token = form_token(admin.get("/linkage").text, f"/linkage/reviews/{accepted}")
    assert token
    admin.headers.pop("X-CSRF-Token")
    page = admin.post(
        f"/linkage/reviews/{accepted}", data={"decision": "accept", "csrf_token": token}
    )
    assert page.status_code == 200 and f"Pair {accepted} accepted" in page.text
    admin.headers["X-CSRF-Token"] = token
    after = {p["pair_id"] for p in _queue(admin)}
    assert after == {p["pair_id"] for p in before} - {rejected, accepted}
    assert (
        admin.post(f"/api/v1/linkage/reviews/{rejected}", json={"accept": True}).status_code == 404
    )
    audit = admin.get("/api/v1/audit", params={"action": "linkage.decide"}).json()["rows"]
    decided = {e["target"]: e["after"] for e in audit}
    assert decided[f"link_pair:{rejected}"] == {"accept": False}
    assert decided[f"link_pair:{accepted}"] == {"accept": True}
