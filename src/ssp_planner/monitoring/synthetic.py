"""Synthetic monthly data values for the demo, consistent with the stored synthetic inventory.

Head-counts come from the inventory itself: a person counts from the month they started, and
synthetic leavers (about 8% a year) are added back to the months before they left, so the last
month equals the inventory. Appointments are the people who started that month. Everything
else is drawn around the head-count with per-area rates (caseload near the 60-case norm,
services per SSP), seeded, so one seed gives the same values every time. Three municipalities
get double the usual caseload, so the workload view has outliers to find. SYNTHETIC: never
real counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ssp_planner.monitoring.framework import DEFAULT_COC
from ssp_planner.monitoring.periods import Period

MONTHLY_EXIT_RATE = 0.007  # ≈ 8% a year (synthetic)
CASELOAD_MEDIAN, CASELOAD_SPREAD = 58.0, 0.22  # lognormal around the 60-case norm (synthetic)
SERVICES_PER_SSP_MONTH = 22.0  # synthetic
OVERLOADED_AREAS = 3
CATEGORIES = (
    "social_worker",
    "social_auxiliary_worker",
    "child_youth_care_worker",
    "auxiliary_child_youth_care_worker",
    "community_development_practitioner",
)


@dataclass(frozen=True)
class Inventory:
    """people: area, category, rank, start (date), within_norm (bool).
    posts: area, filled, vacant (funded posts per area, now)."""

    people: pd.DataFrame
    posts: pd.DataFrame


def synthetic_values(inv: Inventory, months: list[Period], seed: int) -> pd.DataFrame:
    """Long frame: element, area, coc, period, value (whole numbers ≥ 0)."""
    rng = np.random.default_rng(seed)
    areas = sorted(set(inv.people["area"]) | set(inv.posts["area"]))
    ends = np.array([np.datetime64(m.end) for m in months])
    started = _started_by(inv.people, areas, ends)  # (area, category, month), cumulative
    exits = rng.poisson(MONTHLY_EXIT_RATE * started)
    later = np.flip(np.cumsum(np.flip(exits, axis=2), axis=2), axis=2) - exits
    head = started + later  # leavers still counted before the month they left
    total = head.sum(axis=1)
    out = {f"ssp_headcount.{c}": head[:, i, :] for i, c in enumerate(CATEGORIES)}
    out["ssp_exits"] = exits.sum(axis=1)
    out |= _posts(inv, areas, total)
    out |= _ranks(inv.people, areas, ends, total)
    out |= _work(rng, head[:, 0, :], total, out["practitioners"])
    eve = np.array([np.datetime64(months[0].start) - np.timedelta64(1, "D")])
    before = _started_by(inv.people, areas, eve)
    out["appointments"] = np.diff(started.sum(axis=1), axis=1, prepend=before.sum(axis=1)).clip(0)
    days = rng.lognormal(np.log(150), 0.3, size=(len(areas), 1))
    out["days_to_fill"] = np.round(out["appointments"] * days * rng.lognormal(0, 0.1, total.shape))
    return _long(out, areas, months)


def _started_by(people: pd.DataFrame, areas: list[str], ends: np.ndarray) -> np.ndarray:
    a = pd.Categorical(people["area"], categories=areas).codes
    c = pd.Categorical(people["category"], categories=list(CATEGORIES)).codes
    m = np.searchsorted(ends, people["start"].to_numpy(dtype="datetime64[D]"), side="left")
    keep = (m < len(ends)) & (a >= 0) & (c >= 0)
    counts = np.zeros((len(areas), len(CATEGORIES), len(ends)), dtype=np.int64)
    np.add.at(counts, (a[keep], c[keep], m[keep]), 1)
    return np.cumsum(counts, axis=2)


def _posts(inv: Inventory, areas: list[str], total: np.ndarray) -> dict[str, np.ndarray]:
    posts = inv.posts.set_index("area").reindex(areas).fillna(0)
    funded = (posts["filled"] + posts["vacant"]).to_numpy()[:, None]
    now = np.maximum(total[:, -1:], 1)
    filled = np.clip(np.round(posts["filled"].to_numpy()[:, None] * total / now), 0, funded)
    return {"posts_filled": filled, "posts_vacant_funded": funded - filled}


def _ranks(
    people: pd.DataFrame, areas: list[str], ends: np.ndarray, total: np.ndarray
) -> dict[str, np.ndarray]:
    """Practitioners, supervisors and those within the supervision norm, by start date and
    scaled by the head-count's path (leavers included)."""
    scale = total / np.maximum(_count(people, areas, ends), 1)
    pr = people[people["rank"] == "practitioner"]
    sup = people[people["rank"] == "supervisor"]
    within = pr[pr["within_norm"].astype(bool)]
    return {
        "practitioners": np.round(_count(pr, areas, ends) * scale),
        "supervisors": np.round(_count(sup, areas, ends) * scale),
        "practitioners_within_supervision_norm": np.round(_count(within, areas, ends) * scale),
    }


def _count(people: pd.DataFrame, areas: list[str], ends: np.ndarray) -> np.ndarray:
    """People started by each month's end, per area (all categories)."""
    return _started_by(people.assign(category=CATEGORIES[0]), areas, ends)[:, 0, :]


def _work(
    rng: np.random.Generator, sw: np.ndarray, total: np.ndarray, practitioners: np.ndarray
) -> dict[str, np.ndarray]:
    n, months = total.shape
    caseload = rng.lognormal(np.log(CASELOAD_MEDIAN), CASELOAD_SPREAD, size=(n, 1))
    caseload[rng.choice(n, size=min(OVERLOADED_AREAS, n), replace=False)] *= 2.2
    noise = rng.lognormal(0, 0.05, size=(n, months))
    trend = 1 + 0.01 * np.arange(months)[None, :]
    open_cases = np.round(sw * caseload * noise)
    reported = rng.poisson(sw * 8.0 * noise)
    per_ssp = rng.lognormal(np.log(SERVICES_PER_SSP_MONTH), 0.15, size=(n, 1))
    services = np.round(total * per_ssp * trend * rng.lognormal(0, 0.06, size=(n, months)))
    return {
        "open_cases": open_cases,
        "cases_reported": reported,
        "cases_assessed": rng.binomial(reported, rng.uniform(0.7, 0.97, size=(n, 1))),
        "cases_closed": np.round(open_cases * 0.08 * noise),
        "services_delivered": services,
        "people_served": np.round(services * 0.55),
        "supervision_sessions": rng.poisson(practitioners * 0.85),
    }


def _long(arrays: dict[str, np.ndarray], areas: list[str], months: list[Period]) -> pd.DataFrame:
    frames = []
    names = [str(m) for m in months]
    for key, grid in arrays.items():
        element, _, coc = key.partition(".")
        frames.append(
            pd.DataFrame(
                {
                    "element": element,
                    "area": np.repeat(areas, len(months)),
                    "coc": coc or DEFAULT_COC,
                    "period": np.tile(names, len(areas)),
                    "value": np.asarray(grid, dtype=float).reshape(-1).clip(0).round(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
