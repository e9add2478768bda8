"""Deterministic synthetic demo data: an SSP inventory, its posts and area indicators.

A planner needs a full, believable national picture to try the product before real files arrive,
and tests and benchmarks need the same picture every time. So everything comes from one seeded
`numpy.random.Generator` and the area table: same inputs, same output, no clock, no I/O except
the bundled names list. Every share and rate below is a synthetic demo assumption.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from ssp_planner.demo.names import draw_names, group_weights
from ssp_planner.demo.places import Geography, area_indicators, build_geography
from ssp_planner.domain.areas import AreaRow
from ssp_planner.domain.vocabulary import Category, Rank, Sector

DEFAULT_SEED = 20261125
REFERENCE_DATE = date(2026, 4, 1)  # fixed "today", so output never depends on the clock

CATEGORIES = list(Category)
RANKS = list(Rank)
SECTORS = list(Sector)
GOV, NPO, PRIVATE = (SECTORS.index(s) for s in (Sector.GOVERNMENT, Sector.NPO, Sector.PRIVATE))
PRACTITIONER, SUPERVISOR, MANAGER = (RANKS.index(r) for r in Rank)

# Synthetic demo assumptions, loosely sized on FACTS.md: the SACSSP register 2023/24 (44,848 social
# workers, 15,141 social auxiliary workers, 10,056 auxiliary CYCWs, 548 CYCWs) and 23,561
# government-employed SSPs in Sep 2024. Not statistics: only the demo uses them.
CATEGORY_SHARES: dict[Category, float] = {
    Category.SOCIAL_WORKER: 0.55,
    Category.SOCIAL_AUXILIARY_WORKER: 0.15,
    Category.CHILD_YOUTH_CARE_WORKER: 0.08,
    Category.AUXILIARY_CHILD_YOUTH_CARE_WORKER: 0.12,
    Category.COMMUNITY_DEVELOPMENT_PRACTITIONER: 0.10,
}
# (government, npo, private) per category; overall about 69% / 27% / 5% (synthetic).
SECTOR_SHARES: dict[Category, tuple[float, float, float]] = {
    Category.SOCIAL_WORKER: (0.68, 0.25, 0.07),
    Category.SOCIAL_AUXILIARY_WORKER: (0.72, 0.26, 0.02),
    Category.CHILD_YOUTH_CARE_WORKER: (0.45, 0.50, 0.05),
    Category.AUXILIARY_CHILD_YOUTH_CARE_WORKER: (0.60, 0.38, 0.02),
    Category.COMMUNITY_DEVELOPMENT_PRACTITIONER: (0.95, 0.05, 0.00),
}
# Overall about 79% women (synthetic; social service work is female-dominated).
FEMALE_SHARE: dict[Category, float] = {
    Category.SOCIAL_WORKER: 0.85,
    Category.SOCIAL_AUXILIARY_WORKER: 0.80,
    Category.CHILD_YOUTH_CARE_WORKER: 0.70,
    Category.AUXILIARY_CHILD_YOUTH_CARE_WORKER: 0.75,
    Category.COMMUNITY_DEVELOPMENT_PRACTITIONER: 0.60,
}
# 1 supervisor per 10 practitioners (FACTS.md supervision norm), 1 manager per 8 supervisors.
RANK_SHARES = np.array([80.0, 8.0, 1.0]) / 89.0
# Youngest age and Beta(a, b) shape of the age spread up to MAX_AGE, per rank.
RANK_AGE = {PRACTITIONER: (22, 2.0, 3.5), SUPERVISOR: (30, 2.5, 2.5), MANAGER: (35, 3.0, 2.0)}
MAX_AGE = 64
# Beta(a, b) of the start date within [21st birthday, today]: near 1 = started recently.
RANK_SERVICE = {PRACTITIONER: (2.0, 1.0), SUPERVISOR: (1.5, 1.5), MANAGER: (1.2, 2.0)}
RURAL_EXTRA_WEIGHT = 0.3  # rural areas get up to 30% more SSPs per head (rural norm 1:2,500)
COVERAGE_PER_CELL = 10  # above 10 x districts x categories people, every cell gets one
OTHER_DEPARTMENT_SHARE = 0.35  # government social workers outside DSD (~4,613 of 23,561 SSPs)
PERMANENT_RESIDENT_SHARE = 0.02
UNSUPERVISED_SHARE = 0.04  # practitioners with no supervisor on record: a gap to find
UNREGISTERED_SHARE = 0.02  # no council number (registration lapsed or pending)
GOV_VACANCY_RATE, GOV_VACANCY_RURAL = 0.08, 0.05  # 8% in cities up to 13% in rural areas
NPO_VACANCY_RATE = 0.05
UNFUNDED_SHARE = 0.015  # unfunded vacant posts, per government post
# SACSSP prefixes: '10-' social worker is confirmed (FACTS.md); the others are SYNTHETIC,
# invented for the demo (real prefixes unconfirmed), and chosen not to clash with '40-' students.
COUNCIL_PREFIX: dict[Category, str] = {
    Category.SOCIAL_WORKER: "10-",
    Category.SOCIAL_AUXILIARY_WORKER: "91-",  # synthetic
    Category.CHILD_YOUTH_CARE_WORKER: "92-",  # synthetic
    Category.AUXILIARY_CHILD_YOUTH_CARE_WORKER: "93-",  # synthetic
    Category.COMMUNITY_DEVELOPMENT_PRACTITIONER: "94-",  # synthetic
}
# Other government employers of social workers, with synthetic relative weights.
OTHER_DEPARTMENTS: dict[str, float] = {
    "Department of Health {province}": 0.40,
    "Department of Education {province}": 0.15,
    "Department of Correctional Services": 0.30,
    "South African Police Service": 0.15,
}
GENERAL_NPOS = (
    "Child Welfare {muni}",
    "FAMSA {district}",
    "SANCA {district}",
    "Lifeline {district}",
    "NICRO {province}",
    "Khulisa Social Solutions",
    "Childline {province}",
)
CYC_NPOS = (
    "{muni} Child and Youth Care Centre",
    "SOS Children's Villages {province}",
    "NACCW Isibindi {district}",
    "Child Welfare {muni}",
)
CDP_NPOS = ("{district} Community Development Trust", "Khulisa Social Solutions")
_OTHER_TEMPLATES = list(OTHER_DEPARTMENTS)
_OTHER_CUM = np.cumsum(list(OTHER_DEPARTMENTS.values())) / sum(OTHER_DEPARTMENTS.values())
CYC = {Category.CHILD_YOUTH_CARE_WORKER, Category.AUXILIARY_CHILD_YOUTH_CARE_WORKER}


@dataclass(frozen=True)
class DemoData:
    """Generated rows, ready for the service layer to store (see module docstring)."""

    practitioners: list[dict]
    posts: list[dict]
    indicators: list[dict]
    seed: int


@dataclass(frozen=True)
class _People:
    """One entry per person; ints index CATEGORIES, RANKS, SECTORS and geography lists."""

    muni: np.ndarray
    category: np.ndarray
    rank: np.ndarray
    sector: np.ndarray
    female: np.ndarray
    birth: np.ndarray  # date ordinals
    start: np.ndarray


def generate_demo(
    areas: list[AreaRow],
    *,
    seed: int = DEFAULT_SEED,
    size: int = 30_000,
    today: date | None = None,
) -> DemoData:
    """Practitioners, posts and indicators for `areas`; identical for identical arguments."""
    if size < 0:
        raise ValueError("size must be zero or more")
    today = today or REFERENCE_DATE
    rng = np.random.default_rng(seed)
    geo = build_geography(areas)
    people = _draw_people(rng, geo, size, today)
    practitioners = _practitioner_rows(rng, geo, people)
    ids = [row["id_number"] for row in practitioners]
    return DemoData(
        practitioners=practitioners,
        posts=_posts(rng, geo, people, ids),
        indicators=area_indicators(geo, rng, seed),
        seed=seed,
    )


def _draw_people(rng: np.random.Generator, geo: Geography, size: int, today: date) -> _People:
    muni, category = _place(rng, geo, size)
    cum_sector = np.cumsum([SECTOR_SHARES[c] for c in CATEGORIES], axis=1)[category]
    sector = (rng.random(size)[:, None] > cum_sector[:, :-1]).sum(axis=1)
    female = rng.random(size) < np.array([FEMALE_SHARE[c] for c in CATEGORIES])[category]
    rank = rng.choice(len(RANKS), size=size, p=RANK_SHARES)
    birth = _birth_dates(rng, rank, today)
    start = _start_dates(rng, rank, birth, today)
    return _People(muni, category, rank, sector, female, birth, start)


def _place(rng: np.random.Generator, geo: Geography, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Municipality and category per person: population-weighted, rural areas weighted up."""
    n_cells = len(geo.district_codes) * len(CATEGORIES)
    seeded = _coverage(rng, geo) if size >= COVERAGE_PER_CELL * n_cells else (_none(), _none())
    rest = size - len(seeded[0])
    weights = geo.muni_pop * (1.0 + RURAL_EXTRA_WEIGHT * geo.rurality)
    muni = rng.choice(len(weights), size=rest, p=weights / weights.sum())
    shares = np.array([CATEGORY_SHARES[c] for c in CATEGORIES])
    category = rng.choice(len(CATEGORIES), size=rest, p=shares / shares.sum())
    order = rng.permutation(size)
    return np.concatenate([seeded[0], muni])[order], np.concatenate([seeded[1], category])[order]


def _none() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


def _coverage(rng: np.random.Generator, geo: Geography) -> tuple[np.ndarray, np.ndarray]:
    """One person per district x category, so no district map cell is empty in the demo."""
    munis, cats = [], []
    for d in range(len(geo.district_codes)):
        options = np.flatnonzero(geo.muni_district == d)
        if len(options) == 0:
            continue
        w = geo.muni_pop[options] + 1.0
        munis.append(rng.choice(options, size=len(CATEGORIES), p=w / w.sum()))
        cats.append(np.arange(len(CATEGORIES)))
    if not munis:
        return _none(), _none()
    return np.concatenate(munis), np.concatenate(cats)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _birth_dates(rng: np.random.Generator, rank: np.ndarray, today: date) -> np.ndarray:
    """Ages between the rank's youngest age and MAX_AGE at `today`, as date ordinals."""
    oldest = _years_before(today, MAX_AGE + 1).toordinal() + 1
    birth = np.zeros(len(rank), dtype=np.int64)
    for r, (min_age, a, b) in RANK_AGE.items():
        rows = np.flatnonzero(rank == r)
        youngest = _years_before(today, min_age).toordinal()
        f = np.minimum(rng.beta(a, b, size=len(rows)), 1.0 - 1e-9)
        birth[rows] = youngest - np.floor(f * (youngest - oldest + 1)).astype(np.int64)
    return birth


def _start_dates(
    rng: np.random.Generator, rank: np.ndarray, birth: np.ndarray, today: date
) -> np.ndarray:
    """A start date after the 21st birthday (7,672 days is always past it) and before today."""
    earliest = birth + 7672
    window = today.toordinal() - earliest
    start = np.zeros(len(rank), dtype=np.int64)
    for r, (a, b) in RANK_SERVICE.items():
        rows = np.flatnonzero(rank == r)
        g = np.minimum(rng.beta(a, b, size=len(rows)), 1.0 - 1e-9)
        start[rows] = earliest[rows] + np.floor(g * window[rows]).astype(np.int64)
    return start


def _ymd(ordinals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    days = (ordinals - date(1970, 1, 1).toordinal()).astype("datetime64[D]")
    years, months = days.astype("datetime64[Y]"), days.astype("datetime64[M]")
    month = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    return years.astype(np.int64) + 1970, month, day


def _luhn(body: np.ndarray) -> np.ndarray:
    """Vectorised `luhn_check_digit` for 12-digit integers."""
    digits = (body[:, None] // 10 ** np.arange(11, -1, -1, dtype=np.int64)) % 10
    doubled = digits[:, 1::2] * 2
    doubled -= 9 * (doubled > 9)
    total = digits[:, 0::2].sum(axis=1) + doubled.sum(axis=1)
    return (10 - total % 10) % 10


def _later_duplicates(values: np.ndarray) -> np.ndarray:
    """True for every repeat of a value after its first occurrence."""
    order = np.argsort(values, kind="stable")
    dup = np.zeros(len(values), dtype=bool)
    dup[order[1:]] = values[order[1:]] == values[order[:-1]]
    return dup


def _id_numbers(rng: np.random.Generator, birth: np.ndarray, female: np.ndarray) -> list[str]:
    """Valid, unique SA ID numbers: YYMMDD, serial by sex, citizenship, 8, Luhn digit."""
    year, month, day = _ymd(birth)
    yymmdd = (year % 100) * 10_000 + month * 100 + day
    citizen = (rng.random(len(birth)) < PERMANENT_RESIDENT_SHARE).astype(np.int64)
    male = (~female).astype(np.int64)
    serial = rng.integers(0, 5000, size=len(birth)) + 5000 * male
    body = yymmdd * 1_000_000 + serial * 100 + citizen * 10 + 8
    while (dup := _later_duplicates(body)).any():  # same birth date, sex and serial: redraw
        serial[dup] = rng.integers(0, 5000, size=dup.sum()) + 5000 * male[dup]
        body = yymmdd * 1_000_000 + serial * 100 + citizen * 10 + 8
    ids = body * 10 + _luhn(body)
    return [f"{v:013d}" for v in ids.tolist()]


def _persal_numbers(rng: np.random.Generator, sector: np.ndarray) -> list[str | None]:
    """Unique 8-digit PERSAL numbers (leading zeros kept) for government employees only."""
    out: list[str | None] = [None] * len(sector)
    rows = np.flatnonzero(sector == GOV)
    values = rng.choice(100_000_000, size=len(rows), replace=False)
    for i, v in zip(rows.tolist(), values.tolist(), strict=True):
        out[i] = f"{v:08d}"
    return out


def _council_numbers(rng: np.random.Generator, people: _People) -> list[str | None]:
    """Unique registration numbers per category, issued in order of start date."""
    out: list[str | None] = [None] * len(people.category)
    for c, cat in enumerate(CATEGORIES):
        rows = np.flatnonzero(people.category == c)
        rows = rows[np.argsort(people.start[rows], kind="stable")]
        numbers = np.sort(rng.choice(999_000, size=len(rows), replace=False) + 1000)
        for i, n in zip(rows.tolist(), numbers.tolist(), strict=True):
            out[i] = f"{COUNCIL_PREFIX[cat]}{n:06d}"
    for i in np.flatnonzero(rng.random(len(out)) < UNREGISTERED_SHARE).tolist():
        out[i] = None
    return out


def _short(name: str) -> str:
    return name.removeprefix("City of ").strip()


def _employers(rng: np.random.Generator, geo: Geography, people: _People) -> list[str | None]:
    """'DSD <province>' for most government staff, pattern NPO names, 'Private practice'."""
    u = rng.random(len(people.sector))
    pick = rng.integers(0, 1 << 30, size=len(people.sector))
    district = geo.muni_district[people.muni].tolist()
    province = geo.muni_province[people.muni].tolist()
    out: list[str | None] = []
    for i, (s, c) in enumerate(zip(people.sector.tolist(), people.category.tolist(), strict=True)):
        if s == PRIVATE:
            out.append("Private practice")
            continue
        template = _employer_template(s, CATEGORIES[c], float(u[i]), int(pick[i]))
        out.append(
            template.format(
                province=geo.province_names[province[i]],
                district=_short(geo.district_names[district[i]]),
                muni=_short(geo.muni_names[int(people.muni[i])]),
            )
        )
    return out


def _employer_template(sector: int, category: Category, u: float, pick: int) -> str:
    if sector == GOV:
        if category is Category.SOCIAL_WORKER and u < OTHER_DEPARTMENT_SHARE:
            at = int(np.searchsorted(_OTHER_CUM, u / OTHER_DEPARTMENT_SHARE, side="right"))
            return _OTHER_TEMPLATES[min(at, len(_OTHER_TEMPLATES) - 1)]
        return "DSD {province}"
    options: tuple[str, ...]
    if category in CYC:
        options = CYC_NPOS
    elif category is Category.COMMUNITY_DEVELOPMENT_PRACTITIONER:
        options = CDP_NPOS
    else:
        options = GENERAL_NPOS
    return options[pick % len(options)]


def _choose_within(rng: np.random.Generator, pool_keys: np.ndarray, want: np.ndarray) -> np.ndarray:
    """For each wanted key, a random pool position with that key, or -1 if there is none."""
    if len(pool_keys) == 0:
        return np.full(len(want), -1, dtype=np.int64)
    order = np.argsort(pool_keys, kind="stable")
    ranked = pool_keys[order]
    lo = np.searchsorted(ranked, want, "left")
    count = np.searchsorted(ranked, want, "right") - lo
    pick = np.minimum(lo + (rng.random(len(want)) * count).astype(np.int64), len(order) - 1)
    return np.where(count > 0, order[pick], -1)


def _link(
    rng: np.random.Generator, who: np.ndarray, pool: np.ndarray, levels: list[np.ndarray]
) -> np.ndarray:
    """Boss index per person (-1: none), trying each key level in turn (narrowest first)."""
    boss = np.full(len(who), -1, dtype=np.int64)
    todo, pool_ix = np.flatnonzero(who), np.flatnonzero(pool)
    for keys in levels:
        found = _choose_within(rng, keys[pool_ix], keys[todo])
        ok = found >= 0
        boss[todo[ok]] = pool_ix[found[ok]]
        todo = todo[~ok]
    return boss


def _supervisors(rng: np.random.Generator, geo: Geography, people: _People) -> np.ndarray:
    """Practitioners get a supervisor, supervisors a manager, of the same category: same district
    and sector if possible, else same district, else same province."""
    n_cat, n_sec = len(CATEGORIES), len(SECTORS)
    district = geo.muni_district[people.muni]
    by_district = district * n_cat + people.category
    levels = [
        by_district * n_sec + people.sector,
        by_district,
        geo.muni_province[people.muni] * n_cat + people.category,
    ]
    rank = people.rank
    boss = _link(rng, rank == PRACTITIONER, rank == SUPERVISOR, levels)
    managers = _link(rng, rank == SUPERVISOR, rank == MANAGER, levels)
    boss = np.where(rank == SUPERVISOR, managers, boss)
    gap = (rank == PRACTITIONER) & (rng.random(len(rank)) < UNSUPERVISED_SHARE)
    return np.where(gap, -1, boss)


def _practitioner_rows(rng: np.random.Generator, geo: Geography, people: _People) -> list[dict]:
    ids = _id_numbers(rng, people.birth, people.female)
    weights = group_weights(geo.province_codes)[geo.muni_province[people.muni]]
    surnames, first_names = draw_names(rng, weights, people.female)
    employers = _employers(rng, geo, people)
    persal = _persal_numbers(rng, people.sector)
    council = _council_numbers(rng, people)
    boss = _supervisors(rng, geo, people).tolist()
    return _records(
        id_number=ids,
        surname=surnames,
        first_names=first_names,
        birth_date=[date.fromordinal(d) for d in people.birth.tolist()],
        sex=["F" if f else "M" for f in people.female.tolist()],
        **_codes(geo, people, np.arange(len(ids))),
        employer=employers,
        start_date=[date.fromordinal(d) for d in people.start.tolist()],
        persal_number=persal,
        council_number=council,
        supervisor_id_number=[ids[b] if b >= 0 else None for b in boss],
    )


def _codes(geo: Geography, people: _People, rows: np.ndarray) -> dict[str, list]:
    """Category, rank, sector and area code columns for the given people."""
    return {
        "category": [CATEGORIES[c].value for c in people.category[rows].tolist()],
        "rank": [RANKS[r].value for r in people.rank[rows].tolist()],
        "sector": [SECTORS[s].value for s in people.sector[rows].tolist()],
        "area_code": [geo.muni_codes[m] for m in people.muni[rows].tolist()],
    }


def _records(**columns: list) -> list[dict]:
    """Equal-length columns -> row dicts (keys in argument order)."""
    keys = list(columns)
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _posts(rng: np.random.Generator, geo: Geography, people: _People, ids: list[str]) -> list[dict]:
    """A filled post per government/NPO person, funded vacancies (more in rural areas) and a
    few unfunded vacancies; numbered per province in area, category and rank order."""
    holders = np.flatnonzero(people.sector != PRIVATE)
    gov = people.sector[holders] == GOV
    rural = geo.rurality[people.muni[holders]]
    rate = np.where(gov, GOV_VACANCY_RATE + GOV_VACANCY_RURAL * rural, NPO_VACANCY_RATE)
    vacant = holders[rng.random(len(holders)) < rate / (1.0 - rate)]
    unfunded = holders[gov & (rng.random(len(holders)) < UNFUNDED_SHARE)]
    src = np.concatenate([holders, vacant, unfunded])
    holder = np.concatenate([holders, np.full(len(vacant) + len(unfunded), -1)]).tolist()
    funded = (np.arange(len(src)) < len(holders) + len(vacant)).tolist()
    province = geo.muni_province[people.muni[src]]
    order = np.lexsort((people.rank[src], people.category[src], people.muni[src], province))
    seq = np.arange(len(order)) - np.searchsorted(province[order], province[order]) + 1
    codes = [geo.province_codes[p] for p in province[order].tolist()]
    return _records(
        post_number=[f"P-{c}-{n:06d}" for c, n in zip(codes, seq.tolist(), strict=True)],
        **_codes(geo, people, src[order]),
        funded=[funded[i] for i in order.tolist()],
        holder_id_number=[ids[holder[i]] if holder[i] >= 0 else None for i in order.tolist()],
    )
