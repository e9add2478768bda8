"""Accounts on both backends: creation rules, authentication, demo users, `ssp users`."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from ssp_planner.cli import app as cli
from ssp_planner.errors import SSPError
from ssp_planner.services.accounts import (
    DEMO_ACCOUNTS,
    add_user,
    authenticate,
    create_demo_users,
    list_users,
    load_principal,
)
from ssp_planner.services.areas import load_areas
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area
from ssp_planner.store.models_web import WebUser
from ssp_planner.web.roles import Role

PASSWORD = "correct horse battery"


@pytest.fixture
def db(engine: Engine) -> Engine:
    load_areas(engine)
    return engine


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"password": "short"}, "at least 12"),
        ({"role": Role.PROVINCIAL_PLANNER}, "needs a province"),
        ({"role": Role.NATIONAL_PLANNER, "province": "KZN"}, "works nationally"),
        ({"role": Role.VIEWER, "province": "XX"}, "Unknown province 'XX'"),
        ({"username": "a b"}, "not a usable user name"),
    ],
)
def test_bad_accounts_are_refused_with_the_fix(
    sqlite_engine: Engine, kw: dict, message: str
) -> None:
    db = sqlite_engine
    load_areas(db)
    values = {"username": "thandi", "password": PASSWORD, "role": Role.VIEWER} | kw
    with pytest.raises(SSPError, match=message):
        add_user(db, **values)
    assert list_users(db) == []


def test_passwords_are_stored_as_argon2_hashes_only(db: Engine) -> None:
    add_user(db, username="Thandi", password=PASSWORD, role=Role.SUPERVISOR, province="kzn")
    with session_scope(db) as s:
        user = s.scalar(select(WebUser))
        assert user is not None
        assert user.username == "thandi" and user.province == "KZN"
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
        assert authenticate(s, "THANDI ", PASSWORD) is not None
        assert authenticate(s, "thandi", PASSWORD + "x") is None
        assert authenticate(s, "nobody", PASSWORD) is None
    with pytest.raises(SSPError, match="taken"):
        add_user(db, username="thandi", password=PASSWORD, role=Role.VIEWER)


def test_a_provincial_principal_is_scoped_to_the_province_subtree(sqlite_engine: Engine) -> None:
    db = sqlite_engine
    load_areas(db)
    user = add_user(
        db, username="pplanner", password=PASSWORD, role=Role.PROVINCIAL_PLANNER, province="KZN"
    )
    principal = load_principal(db, user.id, 0)
    assert principal is not None and principal.scope.province == "KZN"
    with session_scope(db) as s:
        ids = {(a.level, a.code): a.id for a in s.scalars(select(Area))}
    assert principal.scope.allows(ids[("province", "KZN")])
    assert principal.scope.allows(ids[("municipality", "KZN212")])  # two levels down
    assert principal.scope.allows(ids[("municipality", "ETH")])  # the metro's own row
    assert not principal.scope.allows(ids[("district", "JHB")])
    assert not principal.scope.allows(ids[("country", "ZA")])
    assert load_principal(db, user.id, 1) is None  # sessions of an older epoch are over


def test_demo_users_one_per_role_with_working_passwords(db: Engine) -> None:
    first = create_demo_users(db)
    again = create_demo_users(db)  # re-running the demo replaces them
    assert sorted(r for _u, r, _p in again) == sorted(r.value for r in Role)
    assert len(list_users(db)) == len(DEMO_ACCOUNTS)
    with session_scope(db) as s:
        for (user, _role, old), (_u, _r, new) in zip(first, again, strict=True):
            assert authenticate(s, user, new) is not None
            assert authenticate(s, user, old) is None


def test_ssp_users_add_and_list(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    url = sqlite_engine.url.render_as_string()
    load_areas(sqlite_engine)
    runner = CliRunner()
    added = runner.invoke(
        cli,
        [
            "--db",
            url,
            "users",
            "add",
            "lindiwe",
            "--role",
            "provincial_planner",
            "--province",
            "KZN",
            "--full-name",
            "Lindiwe M",
        ],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert added.exit_code == 0, added.output
    assert "Created lindiwe: Provincial planner in KZN" in added.output
    generated = runner.invoke(
        cli, ["--db", url, "users", "add", "ops", "--role", "administrator", "--generate"]
    )
    assert generated.exit_code == 0 and "Password (shown once)" in generated.output
    refused = runner.invoke(
        cli, ["--db", url, "users", "add", "xolani", "--role", "provincial_planner", "--generate"]
    )
    assert refused.exit_code == 1 and "needs a province" in refused.output
    listed = runner.invoke(cli, ["--db", url, "users", "list"])
    assert "lindiwe" in listed.output and "ops" in listed.output
    assert "$argon2" not in listed.output
