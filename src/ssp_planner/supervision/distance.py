"""How far apart two areas are, in "steps", for matching mentors to mentees.

Two methods, chosen per run:

- centroid: great-circle km between the areas' boundary centroids ÷ km_per_step, used only
  when every area involved has a stored boundary (mixing units would make costs incomparable);
- ordinal (the fallback): 0 same municipality (or same area), 1 same district, 2 same
  province, 3 elsewhere — one step per level of the area tree two people do not share.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import shapely

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.workforce.hierarchy import ancestor_at

ORDINAL, CENTROID = "ordinal", "centroid"
EARTH_RADIUS_KM = 6371.0
LEVEL_WORDS = (
    "the same municipality",
    "the same district",
    "the same province",
    "another province",
)


@dataclass(frozen=True)
class AreaDistance:
    """Steps between every pair of areas (`ids` indexes both axes)."""

    ids: np.ndarray
    steps: np.ndarray  # [n, n]
    method: str
    km: np.ndarray | None = None  # [n, n] when method is centroid
    tree: pd.DataFrame | None = None  # ordinal: municipality, district, province id per area

    @cached_property
    def index(self) -> pd.Index:
        return pd.Index(self.ids)

    def between(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Steps between areas a[i] and b[j], [len(a), len(b)]."""
        return self.steps[np.ix_(self.index.get_indexer(a), self.index.get_indexer(b))]

    def describe(self, a: int, b: int) -> str:
        """'the same district (1 step)' or '212 km (2.1 steps)', for the reasons of a pair."""
        i, j = self.index.get_loc(a), self.index.get_loc(b)
        step = float(self.steps[i, j])
        if self.method == CENTROID and self.km is not None:
            return f"{self.km[i, j]:,.0f} km between area centres ({step:.1f} steps)"
        return f"{LEVEL_WORDS[int(step)]} ({int(step)} step{'s' if step != 1 else ''})"


def ordinal_distance(areas: pd.DataFrame) -> AreaDistance:
    """Steps from the area tree: the first level two areas share (areas: id, level, parent_id)."""
    ids = areas["id"].to_numpy()
    ups = [
        ancestor_at(areas, lv).reindex(ids).to_numpy(dtype=float, na_value=np.nan) for lv in _TREE
    ]
    steps = np.full((len(ids), len(ids)), 3.0)
    for level, up in reversed(list(enumerate(ups))):
        same = (up[:, None] == up[None, :]) & ~np.isnan(up)[:, None]
        steps[same] = level
    np.fill_diagonal(steps, 0.0)
    tree = pd.DataFrame(dict(zip(_COLUMNS, ups, strict=True)), index=ids)
    return AreaDistance(ids, steps, ORDINAL, tree=tree)


def centroid_distance(
    ids: np.ndarray, lon: np.ndarray, lat: np.ndarray, km_per_step: float
) -> AreaDistance:
    """Steps = great-circle km between centroids ÷ km_per_step (haversine)."""
    la, lo = np.radians(lat), np.radians(lon)
    dlat = la[:, None] - la[None, :]
    dlon = lo[:, None] - lo[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(la)[:, None] * np.cos(la)[None, :] * np.sin(dlon / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
    return AreaDistance(np.asarray(ids), km / km_per_step, CENTROID, km)


def pairwise(distance: AreaDistance, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Steps between a[i] and b[i], elementwise."""
    return distance.steps[distance.index.get_indexer(a), distance.index.get_indexer(b)]


Arc = tuple[object, object, float]
_TREE = (AreaLevel.MUNICIPALITY, AreaLevel.DISTRICT, AreaLevel.PROVINCE)
_COLUMNS = ("municipality", "district", "province")


def place_graph(
    distance: AreaDistance, areas: np.ndarray, max_steps: float
) -> tuple[list[Arc], str]:
    """Arcs such that the cheapest path from mentee node ("A", a) to mentor node (tag, b)
    costs exactly steps(a, b), and no path exists beyond max_steps (3 or more: anywhere).
    Returns the arcs and the tag of the mentor-side nodes.

    Ordinal: the area tree, 0.5 per edge (municipality-district-province-country), each area
    joined to its tree node at the cost of half the steps its level implies (a walk through
    the tree never costs less than the tree path, so the tree is exact). Centroid: arcs from
    every mentee-side area to every mentor-side area in reach, ("A", a) → ("B", b) — bipartite,
    so that no chain of short hops reaches an area beyond max_steps.
    """
    areas = np.unique(areas)
    if distance.method == CENTROID or distance.tree is None:
        steps = distance.between(areas, areas)
        ok = (steps <= max_steps + 1e-9) | (max_steps >= 3)
        pairs = zip(*np.nonzero(ok), strict=True)
        return [
            (("A", int(areas[i])), ("B", int(areas[j])), float(steps[i, j])) for i, j in pairs
        ], "B"
    return _tree_arcs(distance.tree, areas, max_steps), "A"


def _tree_arcs(tree: pd.DataFrame, areas: np.ndarray, max_steps: float) -> list[Arc]:
    """tree: per area id, its municipality, district and province ids (NA above its level).

    An area's chain runs from its lowest tree node to the country; the edge below tree level
    ℓ (1 district, 2 province, 3 country) is kept when ℓ ≤ max_steps.
    """
    arcs: list[Arc] = []
    edges: set[tuple[tuple[str, int], tuple[str, int], int]] = set()
    for a in areas:
        found = [(tag, tree.at[a, col]) for tag, col in zip("MDP", _COLUMNS, strict=True)]
        chain = [(tag, int(v)) for tag, v in found if pd.notna(v)] + [("N", 0)]
        anchor = 0.5 * (4 - len(chain))  # municipality 0, district 0.5, province 1, country 1.5
        arcs += [(("A", int(a)), chain[0], anchor), (chain[0], ("A", int(a)), anchor)]
        for lower, upper in itertools.pairwise(chain):
            edges.add((lower, upper, "MDPN".index(upper[0])))
    for lower, upper, level in edges:
        if level <= max_steps:
            arcs += [(lower, upper, 0.5), (upper, lower, 0.5)]
    return arcs


def boundary_distance(
    areas: pd.DataFrame, ids: list[int], shapes: dict[int, str], km_per_step: float
) -> AreaDistance:
    """Centroid distance when every area in `ids` has a boundary (GeoJSON text in `shapes`);
    otherwise the ordinal distance over `areas` (the documented fallback)."""
    if not ids or any(i not in shapes for i in ids):
        return ordinal_distance(areas)
    points = [shapely.from_geojson(shapes[i]).centroid for i in ids]
    lon, lat = np.array([p.x for p in points]), np.array([p.y for p in points])
    return centroid_distance(np.array(ids), lon, lat, km_per_step)
