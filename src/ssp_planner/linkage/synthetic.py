"""Overlapping source lists with known truth, for the demo, the tests and the benchmark.

People come from `ssp_planner.demo.generate_demo`; each source list covers some of them and
writes them the way such lists do: the council register nearly complete and clean, the payroll
in capitals with initials and few errors, NPO lists with many missing ID numbers and birth dates,
nicknames, swapped name columns and married surnames. Every rate below is a synthetic assumption.
Seeded: the same arguments give the same lists.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ssp_planner.demo import DemoData
from ssp_planner.ingest.reader import Table
from ssp_planner.linkage.names import nicknames_of

Person = dict[str, object]


@dataclass(frozen=True)
class SourceProfile:
    """Who a list covers, which columns it has, and how often each corruption happens."""

    name: str
    columns: tuple[str, ...]
    coverage: dict[str, float]  # sector -> share of its people on this list
    missing_id: float = 0.0
    wrong_id: float = 0.0  # a digit mistyped (the check digit then mostly fails)
    copied_id: float = 0.0  # someone else's valid ID number
    missing_birth: float = 0.0
    birth_typo: float = 0.0
    missing_council: float = 0.0
    typo: float = 0.0  # per name
    swapped: float = 0.0
    initials: float = 0.0
    nickname: float = 0.0
    married: float = 0.0  # women listed under another surname
    moved: float = 0.0  # another area than the person's current one
    duplicate: float = 0.0  # the same person listed twice
    upper_case: bool = False
    day_first: bool = False  # dates as DD/MM/YYYY
    extra: dict[str, float] = field(default_factory=dict)


_PERSON_COLS = ("surname", "first_names", "id_number", "birth_date", "sex", "category")
REGISTER = SourceProfile(
    "register",
    (*_PERSON_COLS, "council_number", "area_code"),
    {"government": 0.9, "npo": 0.9, "private": 0.9},
    missing_id=0.25, wrong_id=0.02, missing_birth=0.05, missing_council=0.01,
    typo=0.02, swapped=0.01, married=0.06, moved=0.15,
)  # fmt: skip
PAYROLL = SourceProfile(
    "payroll",
    (*_PERSON_COLS, "persal_number", "rank", "sector", "employer", "area_code", "start_date"),
    {"government": 0.98},
    missing_id=0.005, wrong_id=0.01, birth_typo=0.005, typo=0.01, swapped=0.005,
    initials=0.3, married=0.02, moved=0.02, upper_case=True,
)  # fmt: skip
NPO = SourceProfile(
    "npo",
    (*_PERSON_COLS, "council_number", "sector", "employer", "area_code"),
    {"npo": 0.9, "private": 0.3},
    missing_id=0.45, wrong_id=0.05, copied_id=0.005, missing_birth=0.4, birth_typo=0.02,
    missing_council=0.3, typo=0.05, swapped=0.04, initials=0.05, nickname=0.15, married=0.05,
    moved=0.1, duplicate=0.02, day_first=True,
)  # fmt: skip
PROFILES = (REGISTER, PAYROLL, NPO)


@dataclass(frozen=True)
class SyntheticSources:
    lists: dict[str, list[dict[str, str]]]  # source -> rows of cell text, by source column
    truth: dict[str, list[int]]  # source -> person index of each row


def make_sources(
    data: DemoData, *, seed: int, profiles: tuple[SourceProfile, ...] = PROFILES
) -> SyntheticSources:
    """Source lists over the people of `data`, each row traceable to its person."""
    rng = random.Random(seed)
    people = data.practitioners
    lists, truth = {}, {}
    for profile in profiles:
        rows, owners = [], []
        for idx, person in enumerate(people):
            if rng.random() >= profile.coverage.get(str(person["sector"]), 0.0):
                continue
            copies = 2 if rng.random() < profile.duplicate else 1
            for _ in range(copies):
                rows.append(_row(rng, profile, person, people))
                owners.append(idx)
        order = list(range(len(rows)))
        rng.shuffle(order)  # a list is not sorted like the population
        lists[profile.name] = [rows[i] for i in order]
        truth[profile.name] = [owners[i] for i in order]
    return SyntheticSources(lists, truth)


def _row(
    rng: random.Random, p: SourceProfile, person: Person, people: list[Person]
) -> dict[str, str]:
    row = {col: _cell(person.get(col)) for col in p.columns}
    surname, given = row["surname"], row["first_names"]
    if person["sex"] == "F" and rng.random() < p.married:
        surname = _married(rng, surname, str(rng.choice(people)["surname"]))
    if rng.random() < p.nickname:
        given = _nickname(rng, given)
    surname, given = _typo(rng, surname, p.typo), _typo(rng, given, p.typo)
    if rng.random() < p.initials:
        given = _initials(rng, given)
    if rng.random() < p.swapped:
        surname, given = given.split(" ")[0], surname
    row["surname"], row["first_names"] = surname, given
    _corrupt_ids(rng, p, row, people)
    if "area_code" in row and rng.random() < p.moved:
        row["area_code"] = str(rng.choice(people)["area_code"])
    if p.upper_case:
        row["surname"], row["first_names"] = row["surname"].upper(), row["first_names"].upper()
    if p.day_first:
        for col in ("birth_date", "start_date"):
            if row.get(col):
                y, m, d = row[col].split("-")
                row[col] = f"{d}/{m}/{y}"
    return row


def _cell(value: object) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def _corrupt_ids(
    rng: random.Random, p: SourceProfile, row: dict[str, str], people: list[Person]
) -> None:
    draws: list[tuple[str, float, Callable[[str], str]]] = [
        ("id_number", p.missing_id, lambda _v: ""),
        ("id_number", p.wrong_id, lambda v: _mistype_digit(rng, v)),
        ("id_number", p.copied_id, lambda _v: str(rng.choice(people)["id_number"])),
        ("birth_date", p.missing_birth, lambda _v: ""),
        ("birth_date", p.birth_typo, lambda v: _birth_typo(rng, v)),
        ("council_number", p.missing_council, lambda _v: ""),
    ]
    for col, rate, change in draws:
        if col in row and row[col] and rng.random() < rate:
            row[col] = change(row[col])


def _typo(rng: random.Random, text: str, rate: float) -> str:
    """One slip of the keyboard after the first letter: drop, double, swap or replace."""
    if len(text) < 4 or rng.random() >= rate:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    if kind == 2:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeiounmlstkhr") + text[i + 1 :]


def _initials(rng: random.Random, given: str) -> str:
    letters = [w[0].upper() for w in given.split()]
    return rng.choice([".".join(letters) + ".", " ".join(letters), letters[0]])


def _nickname(rng: random.Random, given: str) -> str:
    first, *rest = given.split(" ")
    options = nicknames_of(first)
    if not options:
        return given
    return " ".join([rng.choice(options).title(), *rest])


def _married(rng: random.Random, maiden: str, other: str) -> str:
    return f"{maiden}-{other}" if rng.random() < 0.3 else other


def _mistype_digit(rng: random.Random, value: str) -> str:
    i = rng.randrange(len(value))
    return value[:i] + str((int(value[i]) + rng.randrange(1, 10)) % 10) + value[i + 1 :]


def _birth_typo(rng: random.Random, iso: str) -> str:
    """Day and month swapped where that is a date, else the day one off."""
    y, m, d = (int(x) for x in iso.split("-"))
    if d <= 12 and d != m:
        return date(y, d, m).isoformat()
    return date(y, m, d - 1 if d > 1 else 2).isoformat()


def as_table(name: str, rows: list[dict[str, str]]) -> Table:
    """A generated list as if read from a file (header row 1, data from row 2)."""
    header = list(rows[0]) if rows else []
    return Table(name, header, [(i + 2, [r[h] for h in header]) for i, r in enumerate(rows)])
