"""Web settings refuse unsafe secrets, and every one is documented (docs/web.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ssp_planner.cli import app as cli
from ssp_planner.settings import Settings
from ssp_planner.web.config import UnsafeSettings, WebSettings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "web.md"
WEB_ONLY = [name for name in WebSettings.model_fields if name not in Settings.model_fields]


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("", "is not set"),
        ("changeme", "is a placeholder"),
        ("short-but-random-Xy7", "fewer than 32"),
        ("a" * 40, "too few different characters"),
    ],
)
def test_unsafe_secret_keys_are_refused(
    key: str, why: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSP_SECRET_KEY", raising=False)
    with pytest.raises(UnsafeSettings, match=why) as err:
        WebSettings(secret_key=key)
    assert "ssp serve --dev" in str(err.value)  # says how to fix it


def test_dev_mode_makes_a_random_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSP_SECRET_KEY", raising=False)
    one, two = WebSettings(dev=True), WebSettings(dev=True)
    assert len(one.secret_key) >= 32 and one.secret_key != two.secret_key


def test_the_secret_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSP_SECRET_KEY", "k3Y-9vQp_Zr2Lm" * 3)
    monkeypatch.setenv("SSP_COOKIE_SECURE", "false")
    settings = WebSettings()
    assert settings.secret_key == "k3Y-9vQp_Zr2Lm" * 3 and settings.cookie_secure is False


@pytest.mark.parametrize("name", WEB_ONLY)
def test_every_web_setting_is_documented(name: str) -> None:
    assert f"SSP_{name.upper()}" in DOCS.read_text()
    assert WebSettings.model_fields[name].description


def test_ssp_serve_refuses_to_start_without_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSP_SECRET_KEY", raising=False)
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "serve"])
    assert result.exit_code == 1
    assert "SSP_SECRET_KEY is not set" in result.output and "--dev" in result.output


def test_ssp_serve_dev_runs_the_app_on_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    calls: dict[str, object] = {}
    monkeypatch.delenv("SSP_SECRET_KEY", raising=False)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.update(app=app, **kw))
    url = f"sqlite:///{tmp_path / 'x.db'}"
    result = CliRunner().invoke(cli, ["--db", url, "serve", "--dev", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls["host"] == "127.0.0.1" and calls["port"] == 8123
    settings = calls["app"].state.settings  # type: ignore[attr-defined]
    assert settings.dev and not settings.cookie_secure and settings.database_url == url
