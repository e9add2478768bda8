"""Province scoping and personal-data masking, on SQLite and PostgreSQL: a provincial planner
reads and changes only their province, by page, API or guessed id; masked roles never receive
ID numbers, birth dates or full names."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, Practitioner
from web.conftest import WEB_FIXTURES, DemoEnv


def person_in(demo: DemoEnv, province: str) -> Practitioner:
    """Someone working in `province` (municipality rows hang under districts)."""
    with session_scope(demo.engine) as s:
        prov = s.scalar(select(Area.id).where(Area.level == "province", Area.code == province))
        districts = select(Area.id).where(Area.parent_id == prov)
        munis = select(Area.id).where(Area.parent_id.in_(districts))
        person = s.scalar(
            select(Practitioner)
            .where(Practitioner.area_id.in_(munis.union(districts)))
            .order_by(Practitioner.id)
            .limit(1)
        )
        assert person is not None
        return person


def count(demo: DemoEnv) -> int:
    with session_scope(demo.engine) as s:
        return s.scalar(select(func.count(Practitioner.id))) or 0


def test_provincial_planner_sees_only_their_province(demo: DemoEnv) -> None:
    client = demo.client("kzn-planner")
    board = client.get("/api/v1/dashboard").json()
    assert board["area"]["code"] == "KZN"
    assert {a["code"] for a in board["areas"]} >= {"ETH", "DC21"}
    assert all(
        a["code"] in {"ETH"} or a["code"].startswith("DC2") or a["code"] == "DC43"
        for a in board["areas"]
    )
    listing = client.get("/api/v1/inventory", params={"per_page": 100}).json()
    assert listing["total"] > 0 and {r["province"] for r in listing["rows"]} == {"KZN"}
    assert [n["code"] for n in client.get("/api/v1/areas").json()["nodes"]] == ["KZN"]
    needs = client.get("/api/v1/needs/runs/latest", params={"level": "district"}).json()
    assert needs["total"]["code"] == "KZN" and len(needs["rows"]) == 11
    assert client.get("/api/v1/needs/runs/latest", params={"level": "country"}).status_code == 400


@pytest.mark.parametrize(
    "path", ["/areas/GP", "/areas/JHB", "/api/v1/areas/GP", "/api/v1/areas/WC"]
)
def test_other_provinces_areas_are_not_found(demo: DemoEnv, path: str) -> None:
    answer = demo.client("kzn-planner").get(path)
    assert answer.status_code == 404
    assert "among the areas you can see" in answer.text


def test_guessed_ids_of_other_provinces_are_not_found(demo: DemoEnv) -> None:
    client = demo.client("kzn-planner")
    mine, theirs = person_in(demo, "KZN"), person_in(demo, "GP")
    assert client.get(f"/inventory/{mine.id}").status_code == 200
    assert client.get(f"/api/v1/inventory/{mine.id}").json()["practitioner"]["id_number"] == (
        mine.id_number
    )
    for path in (
        f"/inventory/{theirs.id}",
        f"/api/v1/inventory/{theirs.id}",
        "/inventory/99999999",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert theirs.surname not in answer.text and theirs.id_number not in answer.text
    # Filtering on another province's area finds nobody rather than leaking its people.
    assert client.get("/api/v1/inventory", params={"area": "GP"}).json()["total"] == 0


def test_provincial_planner_cannot_import_into_another_province(demo: DemoEnv) -> None:
    client = demo.client("kzn-planner")
    before = count(demo)
    with (WEB_FIXTURES / "mixed_provinces.csv").open("rb") as fh:
        answer = client.post("/api/v1/imports/inventory", files={"file": ("mixed.csv", fh)})
    assert answer.status_code == 422
    body = answer.json()
    assert body["stored"] is False and count(demo) == before
    assert [(e["row"], e["column"], e["value"]) for e in body["errors"]] == [
        (3, "area_code", "JHB")
    ]
    assert "outside your province (KZN)" in body["errors"][0]["problem"]


def test_provincial_planner_cannot_move_a_person_from_another_province(
    demo: DemoEnv, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    theirs = person_in(demo, "GP")
    header = (WEB_FIXTURES / "kzn_good.csv").read_text().splitlines()[0]
    row = (
        f"{theirs.id_number},{theirs.surname},{theirs.first_names},{theirs.birth_date},"
        f"{theirs.sex},social_worker,practitioner,government,DSD KwaZulu-Natal,KZN212,"
        f"{theirs.start_date},,,"
    )
    path = tmp_path / "move.csv"
    path.write_text(header + "\n" + row + "\n")
    with path.open("rb") as fh:
        answer = demo.client("kzn-planner").post("/api/v1/imports/inventory", files={"file": fh})
    assert answer.status_code == 422
    problem = answer.json()["errors"][0]
    assert problem["column"] == "id_number" and "recorded in another province" in problem["problem"]
    assert problem["value"].endswith(theirs.id_number[-4:]) and theirs.id_number not in answer.text


@pytest.mark.parametrize("role", ["national", "me-officer", "viewer"])
def test_masked_roles_get_no_personal_data(demo: DemoEnv, role: str) -> None:
    client = demo.client(role)
    person = person_in(demo, "KZN")
    detail = client.get(f"/api/v1/inventory/{person.id}").json()["practitioner"]
    assert detail["personal"] is False
    assert detail["id_number"] == "*********" + person.id_number[-4:]
    assert "birth_date" not in detail and "surname" not in detail
    assert person.surname not in str(detail)
    page = client.get(f"/inventory/{person.id}").text
    assert person.id_number not in page and person.surname not in page
    assert str(person.birth_date) not in page
    listing = client.get("/inventory", params={"area": "KZN"}).text
    assert person.id_number not in listing
    # Names are not searchable for roles that may not see them.
    found = client.get("/api/v1/inventory", params={"q": person.surname}).json()
    assert all(person.surname not in str(r) for r in found["rows"])


@pytest.mark.parametrize("role", ["admin", "kzn-planner", "supervisor"])
def test_roles_with_a_need_see_personal_data(demo: DemoEnv, role: str) -> None:
    person = person_in(demo, "KZN")
    client = demo.client(role)
    detail = client.get(f"/api/v1/inventory/{person.id}").json()["practitioner"]
    assert detail["personal"] is True and detail["id_number"] == person.id_number
    assert detail["birth_date"] == str(person.birth_date)
    found = client.get("/api/v1/inventory", params={"q": person.id_number}).json()
    assert [r["id"] for r in found["rows"]] == [person.id]
