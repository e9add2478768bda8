"""Supervision ratios per district and province against the norm; who has no supervisor; which
supervisors carry more supervisees than their limit.

For area g at the chosen level and category c (people counted where they work):

    practitioners[g, c]  = people of a supervised rank            (norms.ratio.supervised_ranks)
    supervisors[g, c]    = people of rank supervisor
    ratio                = practitioners ÷ supervisors             (the norm: ≤ N, e.g. 10)
    supervisors_needed   = ⌈practitioners ÷ N⌉;  supervisor_shortfall = max(needed − supervisors, 0)
    unsupervised         = practitioners with no active supervision link on the day
    over_limit           = supervisors with more than max_supervisees active supervisees

Counts are summed up the area tree first; ratios come from the sums (category "all" included).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.domain.vocabulary import Category, Rank
from ssp_planner.supervision.norms import SupervisionNorms
from ssp_planner.workforce.hierarchy import ancestor_at

ALL = "all"
PEOPLE_COLUMNS = ["id", "category", "rank", "area_id", "supervisor_id"]
RATIO_COLUMNS = [
    "level",
    "code",
    "name",
    "category",
    "practitioners",
    "supervisors",
    "ratio",
    "norm",
    "meets_norm",
    "supervisors_needed",
    "supervisor_shortfall",
    "unsupervised",
    "over_limit",
]


def supervision_ratios(
    people: pd.DataFrame, areas: pd.DataFrame, norms: SupervisionNorms, level: AreaLevel
) -> pd.DataFrame:
    """One row per area at `level` and category (plus "all"); columns RATIO_COLUMNS.

    people: PEOPLE_COLUMNS, supervisor_id the active supervisor on the day (NA: none).
    areas: id, code, level, name, parent_id.
    """
    flags = _flags(people, norms)
    flags["area"] = people["area_id"].map(ancestor_at(areas, level)).to_numpy()
    flags = flags.dropna(subset=["area"])
    counts = flags.groupby(["area", "category"])[
        ["practitioners", "supervisors", "unsupervised", "over_limit"]
    ].sum()
    keys = pd.MultiIndex.from_product(
        [areas.loc[areas["level"] == level.value, "id"], [c.value for c in Category]],
        names=["area", "category"],
    )
    table = counts.reindex(keys, fill_value=0).astype("int64").reset_index()
    totals = table.groupby("area", as_index=False)[
        ["practitioners", "supervisors", "unsupervised", "over_limit"]
    ].sum()
    table = pd.concat([table, totals.assign(category=ALL)], ignore_index=True)
    return _finish(table, areas, norms, level)


def _flags(people: pd.DataFrame, norms: SupervisionNorms) -> pd.DataFrame:
    """Per person: is a practitioner to supervise, a supervisor, unsupervised, over the limit."""
    supervised = people["rank"].isin([r.value for r in norms.ratio.supervised_ranks])
    load = supervisee_counts(people, norms)
    over = people["id"].map(load).fillna(0) > norms.ratio.max_supervisees.value
    return pd.DataFrame(
        {
            "category": people["category"].astype(str).to_numpy(),
            "practitioners": supervised.to_numpy(dtype=int),
            "supervisors": (people["rank"] == Rank.SUPERVISOR.value).to_numpy(dtype=int),
            "unsupervised": (supervised & people["supervisor_id"].isna()).to_numpy(dtype=int),
            "over_limit": over.to_numpy(dtype=int),
        }
    )


def supervisee_counts(people: pd.DataFrame, norms: SupervisionNorms) -> pd.Series:
    """Supervisor id -> active supervisees of a supervised rank."""
    supervised = people["rank"].isin([r.value for r in norms.ratio.supervised_ranks])
    return people.loc[supervised, "supervisor_id"].dropna().astype("int64").value_counts()


def _finish(
    table: pd.DataFrame, areas: pd.DataFrame, norms: SupervisionNorms, level: AreaLevel
) -> pd.DataFrame:
    norm = norms.ratio.practitioners_per_supervisor.value
    info = areas.set_index("id")[["code", "name"]]
    out = table.join(info, on="area")
    sup = out["supervisors"].where(out["supervisors"] > 0)
    out["ratio"] = (out["practitioners"] / sup).round(1)
    out["norm"] = norm
    out["meets_norm"] = (out["practitioners"] == 0) | (out["ratio"] <= norm)
    out["supervisors_needed"] = np.ceil(out["practitioners"] / norm).astype("int64")
    out["supervisor_shortfall"] = (out["supervisors_needed"] - out["supervisors"]).clip(lower=0)
    out["level"] = level.value
    order = [c.value for c in Category] + [ALL]
    out["category"] = pd.Categorical(out["category"], categories=order, ordered=True)
    return out.sort_values(["code", "category"])[RATIO_COLUMNS].reset_index(drop=True)


def unsupervised_people(people: pd.DataFrame, norms: SupervisionNorms) -> pd.DataFrame:
    """People of a supervised rank with no active supervisor: id, category, area_id."""
    supervised = people["rank"].isin([r.value for r in norms.ratio.supervised_ranks])
    rows = people.loc[supervised & people["supervisor_id"].isna(), ["id", "category", "area_id"]]
    return rows.sort_values("id").reset_index(drop=True)


def supervisors_over_limit(people: pd.DataFrame, norms: SupervisionNorms) -> pd.DataFrame:
    """Supervisors above max_supervisees: id, category, area_id, supervisees, limit, excess."""
    load = supervisee_counts(people, norms)
    limit = int(norms.ratio.max_supervisees.value)
    over = load[load > limit]
    rows = people.set_index("id").reindex(over.index)[["category", "area_id"]]
    rows = rows.assign(supervisees=over.to_numpy(), limit=limit, excess=over.to_numpy() - limit)
    return (
        rows.rename_axis("id")
        .reset_index()
        .sort_values(["excess", "id"], ascending=[False, True])
        .reset_index(drop=True)
    )
