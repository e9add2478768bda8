"""Read areas, populations and the inventory from storage; the core in workforce/ summarises."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, case, func, select

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.services.areas import areas_frame, population_frame
from ssp_planner.store import session_scope
from ssp_planner.store.models import ImportBatch, Post, Practitioner
from ssp_planner.workforce import summarise_inventory


def inventory_summary(engine: Engine, level: AreaLevel) -> pd.DataFrame:
    """Head-count, posts and SSPs per 100,000 by area at `level` and category."""
    with session_scope(engine) as session:
        areas = areas_frame(session)
        head = session.execute(
            select(Practitioner.area_id, Practitioner.category, func.count()).group_by(
                Practitioner.area_id, Practitioner.category
            )
        ).all()
        posts = session.execute(
            select(
                Post.area_id,
                Post.category,
                func.count(Post.holder_id),
                func.sum(case((Post.holder_id.is_(None) & Post.funded, 1), else_=0)),
            ).group_by(Post.area_id, Post.category)
        ).all()
        population = population_frame(session, areas)
    return summarise_inventory(
        areas,
        pd.DataFrame(head, columns=["area_id", "category", "headcount"]),
        pd.DataFrame(posts, columns=["area_id", "category", "posts_filled", "posts_vacant_funded"]),
        population,
        level,
    )


def synthetic_sources(engine: Engine) -> list[str]:
    """Names of stored batches that are synthetic demo data: every output must say so."""
    with session_scope(engine) as session:
        return list(
            session.scalars(select(ImportBatch.file_name).where(ImportBatch.synthetic.is_(True)))
        )


def provenance_notes(engine: Engine, table: pd.DataFrame) -> list[str]:
    """Where the figures of a summary come from, for the notes sheet of an export."""
    from ssp_planner import __version__

    notes = [f"SSP Planner {__version__}: head-counts and posts from the stored inventory."]
    if banner := synthetic_sources(engine):
        notes.insert(0, "SYNTHETIC DEMO DATA — not real people: " + "; ".join(banner))
    notes += [f"population: {basis}" for basis in sorted(set(table["basis"].dropna()))]
    return notes
