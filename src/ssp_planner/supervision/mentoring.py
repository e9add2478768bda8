"""Match newly appointed SSPs to mentors: an optimal assignment, with a reason for every pair and
for every mentee left without a mentor.

Within one category at a time (a mentor is always of the mentee's category), for mentee i and
mentor j with their areas and languages:

    cost[i, j] = steps(area_i, area_j) + λ · [i's preferred language not known to be spoken by j]
    maximise   Σ x[i, j]                    (as many mentees matched as possible), then
    minimise   Σ cost[i, j] · x[i, j]
    subject to Σj x[i, j] ≤ 1,  Σi x[i, j] ≤ capacity[j],  x ∈ {0, 1},
               x[i, j] = 0 where steps > max_steps (3 or more: anywhere)

as one objective Σ (cost − M)·x, M = (mentees + 1)·(max cost + 1) + 1: one more match always
beats any saving in cost. Two exact solvers:

- "highs" (default): min-cost flow by HiGHS on groups of alike mentees (area, preferred language)
  and mentors (area, languages): source → mentee group → its area's node in its language's layer
  (or, at cost λ, the any-language layer) → the place graph (`distance.place_graph`: path cost =
  steps) → mentor group → sink. The ordinal place graph is the area tree, so the network stays
  small at national scale. Mentors of a group are filled in turn, the most experienced first.
- "lsa": `scipy.optimize.linear_sum_assignment` on mentees × mentor places (dense).
- "auto" (default): highs on the area tree (ordinal distance); with centroid distance, whose
  place graph is dense, lsa while mentees × places stays under LSA_CELLS, else highs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from ssp_planner.errors import SSPError
from ssp_planner.supervision import flow
from ssp_planner.supervision.distance import (
    CENTROID,
    LEVEL_WORDS,
    AreaDistance,
    pairwise,
    place_graph,
)
from ssp_planner.supervision.norms import SupervisionNorms
from ssp_planner.supervision.sessions import whole_years

PAIR_COLUMNS = ["mentee_id", "mentor_id", "category", "steps", "language_met", "cost", "reason"]
UNMATCHED_COLUMNS = ["mentee_id", "category", "area_id", "reason"]
ANY = "*"  # the any-language layer
LSA_CELLS = 30_000_000  # mentees × mentor places per category lsa may take on (~240 MB)
Pairs = list[tuple[int, int]]  # (mentee row, mentor row) within one category
Solver = Callable[[pd.DataFrame, pd.DataFrame, AreaDistance, "MatchRules"], Pairs]


@dataclass(frozen=True)
class MatchRules:
    new_within_months: int
    mentor_min_years: float
    capacity: int
    language_penalty: float
    max_steps: float

    @classmethod
    def from_norms(cls, norms: SupervisionNorms) -> MatchRules:
        m = norms.mentoring
        return cls(
            int(m.new_within_months.value),
            m.mentor_min_years.value,
            int(m.capacity.value),
            m.language_penalty.value,
            m.max_steps.value,
        )


@dataclass(frozen=True)
class MatchResult:
    pairs: pd.DataFrame  # PAIR_COLUMNS
    unmatched: pd.DataFrame  # UNMATCHED_COLUMNS
    method: str  # distance method
    solver: str

    @property
    def total_cost(self) -> float:
        return float(self.pairs["cost"].sum())


def split_people(
    people: pd.DataFrame, on: date, rules: MatchRules
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mentees (appointed within new_within_months up to `on`) and mentors (mentor_min_years or
    more of experience), from people: id, category, area_id, start_date[, languages]."""
    frame = people.copy()
    if "languages" not in frame:
        frame["languages"] = None
    start = pd.to_datetime(frame["start_date"])
    whole = whole_years(frame["start_date"], [on])[:, 0]
    part = ((pd.Timestamp(on) - start).dt.days.to_numpy() - 365.25 * whole) / 365.25
    years = pd.Series(whole + np.clip(part, 0, 0.99), index=frame.index)  # by anniversaries
    cutoff = pd.Timestamp(on) - pd.DateOffset(months=rules.new_within_months)
    frame["years"] = np.floor(years * 10) / 10
    mentees = frame[(start > cutoff) & (start <= pd.Timestamp(on))]
    mentors = frame[years >= rules.mentor_min_years].assign(capacity=rules.capacity)
    return mentees.reset_index(drop=True), mentors.reset_index(drop=True)


def match_mentors(
    mentees: pd.DataFrame,
    mentors: pd.DataFrame,
    distance: AreaDistance,
    rules: MatchRules,
    *,
    solver: str = "auto",
) -> MatchResult:
    """Optimal assignment per category (see the module docstring).

    mentees: id, category, area_id, languages (None or a list, the first preferred).
    mentors: id, category, area_id, languages, years, capacity.
    """
    solvers: dict[str, Solver] = {"highs": _solve_highs, "lsa": _solve_lsa}
    if solver not in (*solvers, "auto"):
        raise SSPError(f"Unknown solver '{solver}'. Fix: use 'auto', 'highs' or 'lsa'.")
    pairs, unmatched, used = [], [], set()
    for cat, tees in mentees.groupby("category", sort=True):
        tors = mentors[mentors["category"] == cat].reset_index(drop=True)
        tees = tees.reset_index(drop=True)
        name = (
            solver if solver != "auto" else _auto(distance, len(tees), int(tors["capacity"].sum()))
        )
        found = solvers[name](tees, tors, distance, rules) if len(tors) else []
        used.add(name)
        pairs.append(_pair_rows(tees, tors, found, distance, rules))
        unmatched.append(_unmatched_rows(tees, tors, found, distance, rules))
    return MatchResult(
        _concat(pairs, PAIR_COLUMNS),
        _concat(unmatched, UNMATCHED_COLUMNS),
        distance.method,
        "+".join(sorted(used)) or solver,
    )


def _auto(distance: AreaDistance, mentees: int, places: int) -> str:
    if distance.tree is not None or mentees * places > LSA_CELLS:
        return "highs"
    return "lsa"


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return (
        pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    )


def preferred(languages: object) -> str | None:
    return str(languages[0]) if isinstance(languages, list | tuple) and languages else None


def _spoken(languages: object) -> frozenset[str]:
    return frozenset(map(str, languages)) if isinstance(languages, list | tuple) else frozenset()


def _unmet(tees: pd.DataFrame, tors: pd.DataFrame) -> np.ndarray:
    """[mentees, mentors] True where a preferred language is not known to be spoken."""
    prefs = tees["languages"].map(preferred)
    spoken = tors["languages"].map(_spoken)
    out = np.zeros((len(tees), len(tors)), dtype=bool)
    for lang in prefs.dropna().unique():
        out[(prefs == lang).to_numpy()] = ~spoken.map(lambda s, x=lang: x in s).to_numpy(dtype=bool)
    return out


def _allowed(steps: np.ndarray, rules: MatchRules) -> np.ndarray:
    return steps <= rules.max_steps + 1e-9 if rules.max_steps < 3 else np.ones(steps.shape, bool)


def _big_m(max_cost: float, n: int) -> float:
    return (n + 1) * (max_cost + 1.0) + 1.0


# --- solvers ------------------------------------------------------------------------------------


def _solve_lsa(
    tees: pd.DataFrame, tors: pd.DataFrame, distance: AreaDistance, rules: MatchRules
) -> Pairs:
    """The objective on individuals: one column per mentor place."""
    steps = distance.between(tees["area_id"].to_numpy(), tors["area_id"].to_numpy())
    cost = steps + rules.language_penalty * _unmet(tees, tors)
    allowed = _allowed(steps, rules)
    place = np.repeat(np.arange(len(tors)), tors["capacity"].to_numpy())
    matrix = np.where(
        allowed[:, place], cost[:, place], _big_m(float(cost.max(initial=0)), len(tees))
    )
    rows, cols = linear_sum_assignment(matrix)
    return [
        (int(r), int(place[c])) for r, c in zip(rows, cols, strict=True) if allowed[r, place[c]]
    ]


def _solve_highs(
    tees: pd.DataFrame, tors: pd.DataFrame, distance: AreaDistance, rules: MatchRules
) -> Pairs:
    """Min-cost flow on groups over the place graph; then pairs by filling mentors in turn."""
    g_codes, g_keys = _factorize(
        zip(tees["area_id"], tees["languages"].map(preferred).fillna(ANY), strict=True)
    )
    h_codes, h_keys = _factorize(zip(tors["area_id"], tors["languages"].map(_spoken), strict=True))
    layers = [*sorted({str(p) for _a, p in g_keys if p != ANY}), ANY]
    areas = np.r_[tees["area_id"].to_numpy(), tors["area_id"].to_numpy()]
    net, node = flow.Network(), dict[tuple[object, object], int]()
    source, sink = net.node(), net.node()
    arcs, exit_tag = place_graph(distance, areas, rules.max_steps)
    for u, v, c in arcs:
        for lay in layers:
            net.arc(node.setdefault((u, lay), net.node()), node.setdefault((v, lay), net.node()), c)
    for a in np.unique(areas):
        for lay, tag in itertools.product(layers, ("A", exit_tag)):
            node.setdefault(((tag, int(a)), lay), net.node())
    max_cost = float(distance.steps.max(initial=0)) + rules.language_penalty
    big = _big_m(max_cost, len(tees))
    g_nodes = [
        _mentee_group(net, node, source, g, key, np.sum(g_codes == g), big, rules)
        for g, key in enumerate(g_keys)
    ]
    places = np.bincount(h_codes, weights=tors["capacity"].to_numpy(), minlength=len(h_keys))
    h_nodes = [
        _mentor_group(net, node, sink, key, places[h], layers, exit_tag)
        for h, key in enumerate(h_keys)
    ]
    flows = flow.solve(net, source, sink)
    h_of = {n: h for h, n in enumerate(h_nodes)}
    moves = sorted(
        (g_nodes.index(s), h_of[e], u)
        for s, e, u in flow.decompose(net, flows, g_nodes, set(h_nodes))
    )
    return _fill(g_codes, h_codes, tors, moves)


def _factorize(
    keys: Iterable[tuple[object, object]],
) -> tuple[np.ndarray, list[tuple[object, object]]]:
    """Group code per row, and the groups in order of first appearance."""
    index: dict[tuple[object, object], int] = {}
    codes = [index.setdefault(k, len(index)) for k in keys]
    return np.array(codes, dtype=np.int64), list(index)


def _mentee_group(
    net: flow.Network,
    node: dict,
    source: int,
    g: int,
    key: tuple,
    n: int,
    big: float,
    rules: MatchRules,
) -> int:
    area, pref = key
    here = net.node()
    net.arc(source, here, -big, float(n))
    if pref != ANY:
        net.arc(here, node[(("A", int(area)), pref)], 0.0)
    net.arc(here, node[(("A", int(area)), ANY)], rules.language_penalty if pref != ANY else 0.0)
    return here


def _mentor_group(
    net: flow.Network,
    node: dict,
    sink: int,
    key: tuple,
    places: float,
    layers: list[str],
    tag: str,
) -> int:
    area, spoken = key
    here = net.node()
    net.arc(here, sink, 0.0, float(places))
    for lay in layers:
        if lay == ANY or lay in spoken:
            net.arc(node[((tag, int(area)), lay)], here, 0.0)
    return here


def _fill(
    g_codes: np.ndarray, h_codes: np.ndarray, tors: pd.DataFrame, moves: list[tuple[int, int, int]]
) -> Pairs:
    """Group flows to pairs: mentees in row order; each mentor of a group takes one mentee
    before any takes a second, the most experienced first."""
    queue = _members(g_codes, np.arange(len(g_codes)))
    order = np.lexsort((tors["id"].to_numpy(), -tors["years"].to_numpy(dtype=float)))
    by_group = _members(h_codes[order], order)
    cap = tors["capacity"].to_numpy()
    slots = {h: _slots(by_group[h], cap) for _g, h, _u in moves}
    pairs: Pairs = []
    for g, h, units in moves:
        pairs += [(int(queue[g].pop(0)), int(slots[h].pop(0))) for _ in range(units)]
    return pairs


def _members(codes: np.ndarray, rows: np.ndarray) -> dict[int, list[int]]:
    """Group code -> its rows, in the order given."""
    out: dict[int, list[int]] = {}
    for code, row in zip(codes.tolist(), rows.tolist(), strict=True):
        out.setdefault(code, []).append(row)
    return out


def _slots(members: list[int], cap: np.ndarray) -> list[int]:
    """Mentor places of one group in the order they are given out: round by round."""
    rounds = int(cap[members].max())
    return [r for k in range(rounds) for r in members if cap[r] > k]


# --- reasons ------------------------------------------------------------------------------------


def _pair_rows(
    tees: pd.DataFrame, tors: pd.DataFrame, pairs: Pairs, distance: AreaDistance, rules: MatchRules
) -> pd.DataFrame:
    """One row per pair: the cost the optimum paid and the reasons, in words."""
    if not pairs:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    i, j = (np.array(x) for x in zip(*sorted(pairs), strict=True))
    tee, tor = tees.iloc[i].reset_index(drop=True), tors.iloc[j].reset_index(drop=True)
    steps = pairwise(distance, tee["area_id"].to_numpy(), tor["area_id"].to_numpy())
    prefs = [preferred(v) for v in tee["languages"]]  # not .map: it turns None into NaN
    met = [
        None if p is None else p in _spoken(s) for p, s in zip(prefs, tor["languages"], strict=True)
    ]
    unmet = np.array([m is False for m in met])
    load = pd.Series(j).map(pd.Series(j).value_counts())
    reasons = [
        "; ".join(
            [
                f"same category ({a.category})",
                f"mentor appointed {b.years:g} years ago (at least {rules.mentor_min_years:g})",
                f"works in {distance.describe(int(a.area_id), int(b.area_id))}",
                _language_text(a.languages, b.languages),
                f"mentor takes {n} of {b.capacity} mentees",
            ]
        )
        for a, b, n in zip(tee.itertuples(), tor.itertuples(), load, strict=True)
    ]
    return pd.DataFrame(
        {
            "mentee_id": tee["id"],
            "mentor_id": tor["id"],
            "category": tee["category"],
            "steps": steps,
            "language_met": pd.Series(met, dtype=object),  # True, False or None (no preference)
            "cost": steps + rules.language_penalty * unmet,
            "reason": reasons,
        }
    )


def _language_text(mentee: object, mentor: object) -> str:
    pref = preferred(mentee)
    if pref is None:
        return "no language preference recorded"
    if not isinstance(mentor, list | tuple):
        return f"prefers {pref}; the mentor's languages are not recorded"
    if pref in mentor:
        return f"speaks {pref}, the mentee's preferred language"
    return (
        f"prefers {pref}, which the mentor does not speak (no closer match speaking it had a place)"
    )


def _unmatched_rows(
    tees: pd.DataFrame, tors: pd.DataFrame, pairs: Pairs, distance: AreaDistance, rules: MatchRules
) -> pd.DataFrame:
    """Every mentee without a mentor, and why: no mentor at all, none in reach, or all full."""
    left = tees.drop(index=[i for i, _j in pairs])
    if left.empty:
        return pd.DataFrame(columns=UNMATCHED_COLUMNS)
    per_area = tors["area_id"].value_counts()
    reach = (
        _allowed(distance.between(left["area_id"].to_numpy(), per_area.index.to_numpy()), rules)
        @ per_area.to_numpy()
    )
    places = int(tors["capacity"].sum()) if len(tors) else 0
    why = [
        _why(str(c), int(r), len(tors), places, len(tees), rules, distance.method)
        for c, r in zip(left["category"], reach, strict=True)
    ]
    return pd.DataFrame(
        {
            "mentee_id": left["id"],
            "category": left["category"],
            "area_id": left["area_id"],
            "reason": why,
        }
    )


def _why(
    category: str,
    reach: int,
    mentors: int,
    places: int,
    mentees: int,
    rules: MatchRules,
    method: str,
) -> str:
    if mentors == 0:
        return (
            f"no {category} on record has {rules.mentor_min_years:g}+ years' experience to mentor"
        )
    if reach == 0:
        return f"no eligible mentor within {_limit(rules, method)}"
    return (
        f"all {reach} eligible mentors within reach are full: {mentees} newly appointed "
        f"{category}s compete for {places} places ({rules.capacity} each), and the matched ones "
        "are closer to their mentors or have no other mentor in reach"
    )


def _limit(rules: MatchRules, method: str) -> str:
    if method == CENTROID:
        return f"{rules.max_steps:g} distance steps"
    return LEVEL_WORDS[int(rules.max_steps)].removeprefix("the ")
