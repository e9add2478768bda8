"""Mentor matching: both solvers reach the brute-force optimum on small cases, the place graph
reproduces the distances exactly, and every pair and every miss comes with its reason."""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import shortest_path

from ssp_planner.supervision import (
    AreaDistance,
    MatchRules,
    centroid_distance,
    match_mentors,
    ordinal_distance,
    split_people,
)
from ssp_planner.supervision.distance import place_graph
from ssp_planner.workforce.hierarchy import bundled_hierarchy

SW = "social_worker"
LANGS = ("xh", "zu", "en")


AREAS = bundled_hierarchy()
TREE = ordinal_distance(AREAS)
CODE = dict(zip(AREAS["code"] + "/" + AREAS["level"], AREAS["id"], strict=True))


def area(code: str, level: str = "municipality") -> int:
    return int(CODE[f"{code}/{level}"])


def rules(capacity: int = 2, max_steps: float = 3, penalty: float = 1.5) -> MatchRules:
    return MatchRules(12, 5, capacity, penalty, max_steps)


def random_case(
    rng: np.random.Generator, pool: np.ndarray, capacity: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    n_tee, n_tor = int(rng.integers(1, 6)), int(rng.integers(1, 4))

    def langs(p: float, k: int) -> list[list[str] | None]:
        return [
            list(rng.choice(LANGS, k, replace=False)) if rng.random() < p else None
            for _ in range(n)
        ]

    n = n_tee
    tees = pd.DataFrame(
        {
            "id": range(n_tee),
            "category": SW,
            "area_id": rng.choice(pool, n_tee),
            "languages": langs(0.6, 1),
        }
    )
    n = n_tor
    tors = pd.DataFrame(
        {
            "id": range(100, 100 + n_tor),
            "category": SW,
            "area_id": rng.choice(pool, n_tor),
            "languages": langs(0.7, 2),
            "years": rng.integers(5, 30, n_tor).astype(float),
            "capacity": capacity,
        }
    )
    return tees, tors


def brute_force(
    tees: pd.DataFrame, tors: pd.DataFrame, dist: AreaDistance, r: MatchRules
) -> tuple[int, float]:
    """The best (matched, −cost) over every way of giving each mentee a mentor or none."""
    steps = dist.between(tees["area_id"].to_numpy(), tors["area_id"].to_numpy())
    best = (0, 0.0)
    for choice in itertools.product([None, *range(len(tors))], repeat=len(tees)):
        used = [j for j in choice if j is not None]
        if any(used.count(j) > tors["capacity"][j] for j in set(used)):
            continue
        cost, ok = 0.0, True
        for i, j in enumerate(choice):
            if j is None:
                continue
            ok &= r.max_steps >= 3 or steps[i, j] <= r.max_steps
            pref = tees["languages"][i][0] if tees["languages"][i] else None
            spoken = tors["languages"][j] or []
            cost += steps[i, j] + (r.language_penalty if pref and pref not in spoken else 0)
        if ok and (len(used), -cost) > (best[0], -best[1]):
            best = (len(used), cost)
    return best


@pytest.mark.parametrize("solver", ["highs", "lsa"])
@pytest.mark.parametrize("distance", ["tree", "centroid"])
def test_both_solvers_reach_the_brute_force_optimum(solver: str, distance: str) -> None:
    rng = np.random.default_rng(20261125)
    pool = AREAS.loc[AREAS["code"].str.match(r"^(EC1|DC1|EC|GP|GT4|JHB|FS)"), "id"].to_numpy()
    for case in range(40):
        dist = TREE
        if distance == "centroid":
            dist = centroid_distance(
                pool, rng.uniform(16, 33, len(pool)), rng.uniform(-35, -22, len(pool)), 150.0
            )
        r = rules(
            capacity=int(rng.integers(1, 3)),
            max_steps=float(rng.integers(0, 4)),
            penalty=float(rng.choice([0.5, 1.5])),
        )
        tees, tors = random_case(rng, pool, r.capacity)
        result = match_mentors(tees, tors, dist, r, solver=solver)
        assert (len(result.pairs), result.total_cost) == pytest.approx(
            brute_force(tees, tors, dist, r)
        ), case
        assert len(result.pairs) + len(result.unmatched) == len(tees)


@pytest.mark.parametrize("max_steps", [0, 1, 2, 3])
def test_the_tree_graph_gives_exactly_the_ordinal_steps(max_steps: int) -> None:
    picks = [
        area("EC101"),
        area("EC102"),
        area("EC", "province"),
        area("DC10", "district"),
        area("JHB"),
        area("GT421"),
        area("EC441"),
    ]
    arcs, exit_tag = place_graph(TREE, np.array(picks), max_steps)
    nodes = sorted({n for u, v, _c in arcs for n in (u, v)}, key=str)
    pos = {n: k for k, n in enumerate(nodes)}
    graph = coo_matrix(
        (
            [c + 1e-12 for *_uv, c in arcs],
            ([pos[u] for u, *_ in arcs], [pos[v] for _u, v, _c in arcs]),
        ),
        shape=(len(nodes), len(nodes)),
    )
    paths = shortest_path(graph.tocsr(), directed=True)
    steps = TREE.between(np.array(picks), np.array(picks))
    for i, a in enumerate(picks):
        for j, b in enumerate(picks):
            found = 0.0 if a == b else paths[pos[("A", a)], pos[(exit_tag, b)]]
            want = steps[i, j] if steps[i, j] <= max_steps else np.inf
            assert found == pytest.approx(want, abs=1e-9), (a, b)


def test_ordinal_steps_follow_the_area_tree() -> None:
    steps = TREE.between(
        np.array([area("EC101")]),
        np.array(
            [area("EC101"), area("EC102"), area("EC441"), area("JHB"), area("EC", "province")]
        ),
    )
    assert steps.tolist() == [[0, 1, 2, 3, 2]]


def test_a_closer_mentor_wins_unless_the_language_is_worth_more() -> None:
    tees = pd.DataFrame(
        {"id": [1], "category": SW, "area_id": [area("EC101")], "languages": [["xh"]]}
    )
    tors = pd.DataFrame(
        {
            "id": [10, 11],
            "category": SW,
            "area_id": [area("EC101"), area("EC102")],
            "languages": [["en"], ["xh", "en"]],
            "years": [10.0, 10.0],
            "capacity": 1,
        }
    )
    near = match_mentors(tees, tors, TREE, rules(penalty=0.5)).pairs.iloc[0]
    assert near["mentor_id"] == 10 and near["language_met"] is False
    assert "prefers xh, which the mentor does not speak" in near["reason"]
    speaker = match_mentors(tees, tors, TREE, rules(penalty=1.5)).pairs.iloc[0]
    assert speaker["mentor_id"] == 11 and speaker["cost"] == 1.0
    assert speaker["reason"] == (
        "same category (social_worker); mentor appointed 10 years ago (at least 5); works in the "
        "same district (1 step); speaks xh, the mentee's preferred language; "
        "mentor takes 1 of 1 mentees"
    )


def test_mentors_take_one_mentee_each_before_anyone_takes_a_second() -> None:
    tees = pd.DataFrame({"id": [1, 2], "category": SW, "area_id": area("EC101"), "languages": None})
    tors = pd.DataFrame(
        {
            "id": [10, 11],
            "category": SW,
            "area_id": area("EC101"),
            "languages": None,
            "years": [8.0, 20.0],
            "capacity": 2,
        }
    )
    pairs = match_mentors(tees, tors, TREE, rules(capacity=2)).pairs
    assert sorted(pairs["mentor_id"]) == [10, 11]
    assert (
        pairs.loc[pairs["mentee_id"] == 1, "mentor_id"].item() == 11
    )  # the most experienced first


def test_every_mentee_left_over_is_told_why() -> None:
    tees = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "category": [SW, SW, SW, "child_youth_care_worker"],
            "area_id": [area("EC101"), area("EC101"), area("JHB"), area("EC101")],
            "languages": None,
        }
    )
    tors = pd.DataFrame(
        {
            "id": [10],
            "category": SW,
            "area_id": area("EC102"),
            "languages": None,
            "years": 9.0,
            "capacity": 1,
        }
    )
    result = match_mentors(tees, tors, TREE, rules(capacity=1, max_steps=2))
    why = result.unmatched.set_index("mentee_id")["reason"]
    assert result.pairs["mentee_id"].tolist() == [1]
    assert why[2].startswith(
        "all 1 eligible mentors within reach are full: "
        "3 newly appointed social_workers compete for 1 places"
    )
    assert why[3] == "no eligible mentor within same province"
    assert why[4] == "no child_youth_care_worker on record has 5+ years' experience to mentor"


def test_newly_appointed_and_experienced_are_chosen_by_date() -> None:
    people = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "category": SW,
            "area_id": area("EC101"),
            "start_date": [date(2025, 6, 1), date(2025, 3, 31), date(2021, 4, 1), date(2026, 5, 1)],
        }
    )
    tees, tors = split_people(people, date(2026, 4, 1), rules())
    assert tees["id"].tolist() == [1]  # 2 started over a year ago; 4 not yet
    assert tors["id"].tolist() == [3] and tors["capacity"].tolist() == [2]
