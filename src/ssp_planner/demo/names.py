"""Synthetic South African names, drawn with each province's rough language mix.

A demo inventory full of one kind of name looks fake to a planner in Limpopo or the Western Cape,
so names come from language groups weighted by province. The weights below are synthetic
assumptions loosely shaped on home-language shares (Stats SA Census), not a statistic.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

GROUPS = ("nguni", "sotho_tswana", "tsonga_venda", "afrikaans", "english", "indian")

# Share of names from each group, per province (synthetic assumption; same order as GROUPS).
PROVINCE_GROUP_WEIGHTS: dict[str, tuple[float, ...]] = {
    "EC": (0.80, 0.04, 0.00, 0.10, 0.05, 0.01),
    "FS": (0.15, 0.70, 0.00, 0.12, 0.03, 0.00),
    "GP": (0.38, 0.32, 0.08, 0.10, 0.09, 0.03),
    "KZN": (0.80, 0.03, 0.00, 0.02, 0.06, 0.09),
    "LP": (0.03, 0.55, 0.38, 0.03, 0.01, 0.00),
    "MP": (0.60, 0.20, 0.10, 0.07, 0.03, 0.00),
    "NC": (0.07, 0.33, 0.00, 0.55, 0.05, 0.00),
    "NW": (0.10, 0.72, 0.05, 0.09, 0.04, 0.00),
    "WC": (0.26, 0.03, 0.00, 0.48, 0.22, 0.01),
}
SECOND_NAME_SHARE = 0.35  # people with two given names
SECOND_NAME_ENGLISH_SHARE = 0.5  # "Thabo Johannes", "Nomsa Grace": second name often English


@dataclass(frozen=True)
class NameBook:
    """Name lists per (kind, group), each ordered from common to rare as in the CSV."""

    lists: dict[tuple[str, str], tuple[str, ...]]

    def names(self, kind: str, group: str) -> tuple[str, ...]:
        return self.lists.get((kind, group), ())


@lru_cache(maxsize=1)
def load_name_book() -> NameBook:
    """Read data/demo_names.csv (columns kind,name,group) once."""
    text = resources.files("ssp_planner.data").joinpath("demo_names.csv").read_text("utf-8")
    lists: dict[tuple[str, str], list[str]] = {}
    for rec in csv.DictReader(text.splitlines()):
        lists.setdefault((rec["kind"], rec["group"]), []).append(rec["name"])
    return NameBook({key: tuple(vals) for key, vals in lists.items()})


def group_weights(province_codes: list[str]) -> np.ndarray:
    """Rows of group probabilities per province; an unknown province gets an even mix."""
    even = tuple(1.0 for _ in GROUPS)
    w = np.array([PROVINCE_GROUP_WEIGHTS.get(code, even) for code in province_codes], float)
    return w / w.sum(axis=1, keepdims=True)


def _zipf_pick(rng: np.random.Generator, options: tuple[str, ...], n: int) -> np.ndarray:
    """Common names (listed first) come up more often, as surnames like Dlamini do."""
    weights = 1.0 / (np.arange(len(options)) + 8.0)
    picks = rng.choice(len(options), size=n, p=weights / weights.sum())
    return np.asarray(options, dtype=object)[picks]


def _draw_kind(
    rng: np.random.Generator, book: NameBook, kind: str, groups: np.ndarray
) -> np.ndarray:
    out = np.empty(len(groups), dtype=object)
    for g, group in enumerate(GROUPS):
        rows = np.flatnonzero(groups == g)
        options = book.names(kind, group) or book.names(kind, "english")
        out[rows] = _zipf_pick(rng, options, len(rows))
    return out


def _given_names(
    rng: np.random.Generator, book: NameBook, groups: np.ndarray, female: np.ndarray
) -> np.ndarray:
    first = np.empty(len(groups), dtype=object)
    for is_female, kind in ((True, "female_first"), (False, "male_first")):
        rows = np.flatnonzero(female == is_female)
        first[rows] = _draw_kind(rng, book, kind, groups[rows])
    return first


def draw_names(
    rng: np.random.Generator, province_weights: np.ndarray, female: np.ndarray
) -> tuple[list[str], list[str]]:
    """(surnames, first_names) per person; `province_weights` holds each person's group mix."""
    cum = np.cumsum(province_weights, axis=1)
    u = rng.random(len(female))[:, None]
    groups = np.minimum((u > cum).sum(axis=1), len(GROUPS) - 1)
    book = load_name_book()
    surnames = _draw_kind(rng, book, "surname", groups)
    first = _given_names(rng, book, groups, female)
    english = rng.random(len(female)) < SECOND_NAME_ENGLISH_SHARE
    second = _given_names(rng, book, np.where(english, GROUPS.index("english"), groups), female)
    two = (rng.random(len(female)) < SECOND_NAME_SHARE) & (second != first)
    given = [f"{a} {b}" if t else a for a, b, t in zip(first, second, two, strict=True)]
    return surnames.tolist(), given
