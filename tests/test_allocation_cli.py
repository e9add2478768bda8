"""`ssp allocate` in-process: posts, sites, runs, show and compare; errors are one red line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ssp_planner.cli import app
from ssp_planner.store import connect, migrate
from test_allocation_service import FIXTURES, store_needs_run


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_posts_sites_runs_show_compare(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    engine = connect(url)
    migrate(engine)
    store_needs_run(engine)
    engine.dispose()
    run = CliRunner().invoke
    posts = run(
        app,
        [
            "--db",
            url,
            "allocate",
            "posts",
            "--budget",
            "R15m",
            "--xlsx",
            str(tmp_path / "plan.xlsx"),
            "--explanation",
            str(tmp_path / "plan.md"),
        ],
    )
    assert posts.exit_code == 0, posts.output
    out = _flat(posts.output)
    assert "SYNTHETIC" not in out or "ASSUMED COSTS" in out
    assert "59 new posts for R14.9 million a year (budget R15.0 million)" in out
    assert "One more R10.0 million (government) buys" in out
    assert (tmp_path / "plan.xlsx").exists() and (tmp_path / "plan.md").exists()
    maxmin = run(
        app,
        [
            "--db",
            url,
            "allocate",
            "posts",
            "--budget",
            "R20m",
            "--fairness",
            "maxmin",
            "--no-marginal",
        ],
    )
    assert maxmin.exit_code == 0, maxmin.output
    sites = run(
        app,
        [
            "--db",
            url,
            "allocate",
            "sites",
            "--p",
            "2",
            "--radius-km",
            "15",
            "--demand",
            str(FIXTURES / "demand.csv"),
            "--sites",
            str(FIXTURES / "sites.csv"),
        ],
    )
    assert sites.exit_code == 0, sites.output
    assert "2 sites chosen; 23.0 of 26.0 need covered" in _flat(sites.output)
    listing = run(app, ["--db", url, "allocate", "runs"])
    assert listing.exit_code == 0 and "pmedian" not in listing.output and "mclp" in listing.output
    shown = run(app, ["--db", url, "allocate", "show", "1"])
    assert shown.exit_code == 0 and "Run 1 (posts, total)" in _flat(shown.output)
    compared = run(app, ["--db", url, "allocate", "compare", "1", "2"])
    assert compared.exit_code == 0 and "difference" in compared.output


def test_no_needs_run_is_one_red_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--db", f"sqlite:///{tmp_path / 'y.db'}", "allocate", "posts", "--budget", "R1m"]
    )
    assert result.exit_code == 1
    assert "Fix: run `ssp needs --scenario baseline` first" in _flat(result.output)
    assert "Traceback" not in result.output


def test_bad_budget_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--db", f"sqlite:///{tmp_path / 'z.db'}", "allocate", "posts", "--budget", "plenty"]
    )
    assert result.exit_code == 1
    assert "'plenty' is not an amount of money" in _flat(result.output)
