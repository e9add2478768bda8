"""The allocation part of `ssp demo`: fund a default budget, explain it, map it; choose sites.

Post allocation runs on the stored needs run (computed here if missing). The bundled areas have
no coordinates below province, so the site demo uses SYNTHETIC demand points (one per
municipality, its need = required posts) and SYNTHETIC candidate sites, both placed at seeded
random points inside the province boundaries when those are loaded (else inside South Africa's
bounding box); their files say so in their names and every output says so in its notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from ssp_planner.errors import NotFoundError
from ssp_planner.reports.maps import MapUnavailable
from ssp_planner.services import allocation as service
from ssp_planner.services.boundaries import boundaries_frame
from ssp_planner.store import session_scope
from ssp_planner.store.models import NeedsRun

DEMO_BUDGET, DEMO_NPO_BUDGET = 500_000_000, 100_000_000  # rands a year: an illustration
DEMO_SITES_P, DEMO_RADIUS_KM, SITES_PER_DISTRICT = 25, 60.0, 3
SA_BOX = (-34.8, -22.1, 16.5, 32.9)  # lat min, lat max, lon min, lon max


@dataclass(frozen=True)
class AllocationDemoReport:
    posts: service.PostAllocation
    sites: service.SiteAllocation
    files: list[Path]
    lines: list[str] = field(default_factory=list)


def run_allocation_demo(engine: Engine, *, out_dir: Path, seed: int) -> AllocationDemoReport:
    """Allocate the demo budget and choose demo sites; write plan, explanation and maps."""
    _ensure_needs(engine)
    request = service.PostRequest(budget=DEMO_BUDGET, npo_budget=DEMO_NPO_BUDGET)
    posts = service.allocate(engine, request)
    files = [
        service.write_plan(posts, out_dir / "allocation-plan.xlsx"),
        service.write_explanation(posts, out_dir / "allocation-explanation.md"),
    ]
    lines = [
        f"Allocation (run {posts.run_id}): {int(posts.plan.new_posts.sum()):,} new posts for "
        f"{service.format_rands(sum(posts.plan.spent().values()))} a year; optimality gap "
        f"{posts.plan.mip_gap:.3%}."
    ]
    for suffix in (".png", ".html"):
        try:
            files.append(service.write_plan_map(engine, posts, out_dir / f"allocation-map{suffix}"))
        except MapUnavailable as exc:
            lines.append(f"No allocation map: {exc}")
            break
    sites = _site_demo(engine, posts, out_dir, seed)
    files.append(service.write_sites(sites, out_dir / "sites-plan-synthetic.xlsx"))
    files += [
        service.write_sites_map(engine, sites, out_dir / f"sites-map-synthetic{suffix}")
        for suffix in (".png", ".html")
    ]
    r = sites.result
    lines.append(
        f"Service points (SYNTHETIC, run {sites.run_id}): {len(r.chosen)} of {len(r.sites)} "
        f"sites cover {r.covered_need / max(r.total_need, 1e-9):.0%} of need within "
        f"{DEMO_RADIUS_KM:g} km."
    )
    return AllocationDemoReport(posts, sites, files, lines)


def _ensure_needs(engine: Engine) -> None:
    with session_scope(engine) as session:
        found = session.scalar(select(NeedsRun.id).where(NeedsRun.scenario_name == "baseline"))
    if found is None:
        from ssp_planner.services.needs import run_needs

        run_needs(engine)


def _site_demo(
    engine: Engine, posts: service.PostAllocation, out_dir: Path, seed: int
) -> service.SiteAllocation:
    rng = np.random.default_rng(seed)
    pairs = posts.plan.problem.pairs
    need = pairs.groupby(["code", "province", "district"], as_index=False)["required"].sum()
    demand = _points(engine, need["province"], rng).assign(
        demand_id=need["code"].to_numpy(), need=need["required"].round(2).to_numpy()
    )
    districts = need.drop_duplicates("district").loc[:, ["district", "province"]]
    districts = districts.loc[districts.index.repeat(SITES_PER_DISTRICT)].reset_index(drop=True)
    site_pts = _points(engine, districts["province"], rng)
    sites = site_pts.assign(
        site_id=[f"S{k + 1:04d}" for k in range(len(site_pts))],
        name=[f"Synthetic site {k + 1} ({d})" for k, d in enumerate(districts["district"])],
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    demand_file = out_dir / f"demand-points-synthetic-seed{seed}.csv"
    sites_file = out_dir / f"sites-synthetic-seed{seed}.csv"
    demand[["demand_id", "lat", "lon", "need"]].to_csv(demand_file, index=False)
    sites[["site_id", "name", "lat", "lon"]].to_csv(sites_file, index=False)
    request = service.SiteRequest(demand_file, sites_file, p=DEMO_SITES_P, radius_km=DEMO_RADIUS_KM)
    note = f"demand points and sites are random points (seed {seed}), not real places"
    return service.allocate_sites(engine, request, synthetic=note)


def _points(engine: Engine, provinces: pd.Series, rng: np.random.Generator) -> pd.DataFrame:
    """One seeded random point per row, inside that row's province boundary when loaded."""
    shapes = boundaries_frame(engine, "province").set_index("code")
    lat, lon = np.empty(len(provinces)), np.empty(len(provinces))
    for k, code in enumerate(provinces.astype(str)):
        box = tuple(shapes.loc[code].geometry.bounds) if code in shapes.index else None
        lat[k], lon[k] = _inside(shapes.loc[code].geometry if box else None, box, rng)
    return pd.DataFrame({"lat": lat.round(5), "lon": lon.round(5)})


def _inside(
    geom: object, box: tuple[float, ...] | None, rng: np.random.Generator
) -> tuple[float, float]:
    import shapely

    if geom is None or box is None:
        return rng.uniform(SA_BOX[0], SA_BOX[1]), rng.uniform(SA_BOX[2], SA_BOX[3])
    minx, miny, maxx, maxy = box
    for _ in range(1000):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(geom, x, y):
            return y, x
    raise NotFoundError("Could not place a demo point inside a province boundary.")
