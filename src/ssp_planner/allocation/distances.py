"""Great-circle distances and near-neighbour pairs, without ever building a dense matrix.

Points go on the unit sphere; a k-d tree over those 3-D points finds neighbours by chord
length, which orders pairs exactly as the great-circle distance does (chord = 2 sin(θ/2)).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def unit_vectors(lat: FloatArray, lon: FloatArray) -> FloatArray:
    phi, lam = np.radians(np.asarray(lat, float)), np.radians(np.asarray(lon, float))
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def chord_to_km(chord: FloatArray) -> FloatArray:
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord) / 2.0, 0.0, 1.0))


def km_to_chord(km: float) -> float:
    return float(2.0 * np.sin(min(km / EARTH_RADIUS_KM, np.pi) / 2.0))


def great_circle_km(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Haversine distance in km, element-wise (broadcasts)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlam = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def pairs_within(
    demand: FloatArray, sites: FloatArray, radius_km: float
) -> tuple[IntArray, IntArray, FloatArray]:
    """(demand index, site index, km) for every pair at most `radius_km` apart, sorted."""
    tree = cKDTree(sites)
    hits = tree.query_ball_point(demand, r=km_to_chord(radius_km) * (1 + 1e-12))
    counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
    i = np.repeat(np.arange(len(hits)), counts)
    j = np.fromiter((s for h in hits for s in sorted(h)), dtype=np.int64, count=int(counts.sum()))
    km = chord_to_km(np.linalg.norm(demand[i] - sites[j], axis=1))
    keep = km <= radius_km
    return i[keep], j[keep], km[keep]


def nearest(demand: FloatArray, sites: FloatArray, k: int) -> tuple[IntArray, FloatArray]:
    """The k nearest sites of each demand point: (site indices, km), each row nearest first."""
    k = min(k, len(sites))
    dist, idx = cKDTree(sites).query(demand, k=k)
    idx, dist = np.asarray(idx).reshape(len(demand), k), np.asarray(dist).reshape(len(demand), k)
    return idx.astype(np.int64), chord_to_km(dist)
