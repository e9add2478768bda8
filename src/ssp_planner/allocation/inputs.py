"""The allocation input files: candidates, limits, demand points, sites, travel times.

Column specifications and row checks only (pure): the service reads the file with
`ingest.reader.read_table` and hands the table here; every bad cell comes back as a RowError
(file, row, column, value, problem, fix), all of them, never just the first.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ssp_planner.domain.vocabulary import Category, parse_category
from ssp_planner.ingest.errors import RowError
from ssp_planner.ingest.reader import Cell, Table, cell_text
from ssp_planner.ingest.schema import CellError, Column, match_header, parse_rows

Parsed = tuple[pd.DataFrame, list[RowError]]


def _number(
    low: float | None, high: float | None, *, whole: bool = False
) -> Callable[[Cell], object]:
    def parse(raw: Cell) -> float | int:
        text = cell_text(raw).replace(" ", "").replace(",", ".")
        share = text.endswith("%")
        try:
            value = float(text.rstrip("%")) / (100 if share else 1)
        except ValueError:
            raise CellError("not a number", "write a number, e.g. 12 or 0.25") from None
        if whole and not value.is_integer():
            raise CellError("not a whole number", "write a whole number of posts or people")
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"from {low:g}" + (f" to {high:g}" if high is not None else " up")
            raise CellError("out of range", f"use a number {span}")
        return int(value) if whole else value

    return parse


def _category(raw: Cell) -> str:
    got = parse_category(cell_text(raw))
    if got is None:
        raise CellError("unknown category", f"use one of: {', '.join(c.value for c in Category)}")
    return got.value


def _text(raw: Cell) -> str:
    return " ".join(cell_text(raw).split())[:200]


def _upper(raw: Cell) -> str:
    return cell_text(raw).upper()


WHOLE = _number(0, None, whole=True)
CANDIDATES = [
    Column("province", True, "province code (EC, FS, GP, KZN, LP, MP, NC, NW, WC)", "EC", _upper),
    Column("category", True, "SSP category", "social_worker", _category),
    Column(
        "candidates",
        True,
        "people available to fill new posts",
        "850",
        WHOLE,
        aliases=("unemployed_graduates", "graduates"),
    ),
    Column(
        "willing_to_move",
        False,
        "share willing to work in another province (0–1 or %)",
        "0.25",
        _number(0, 1),
    ),
]
LIMITS = [
    Column("code", True, "area code (municipality)", "EC101", _upper, aliases=("area_code",)),
    Column("category", True, "SSP category", "social_worker", _category),
    Column("minimum", False, "at least this many new posts", "1", WHOLE),
    Column("maximum", False, "at most this many new posts", "20", WHOLE),
    Column("planned", False, "new posts already planned (kept in the plan)", "2", WHOLE),
]
DEMAND = [
    Column(
        "demand_id",
        True,
        "demand point id (ward or area code)",
        "EC101",
        _text,
        aliases=("code", "ward", "id"),
    ),
    Column(
        "lat",
        True,
        "latitude (decimal degrees, south negative)",
        "-33.9",
        _number(-90, 90),
        aliases=("latitude",),
    ),
    Column(
        "lon",
        True,
        "longitude (decimal degrees)",
        "18.4",
        _number(-180, 180),
        aliases=("longitude", "lng"),
    ),
    Column("need", True, "need to serve (e.g. required posts or cases)", "12.5", _number(0, None)),
]
SITES = [
    Column("site_id", True, "site id", "S001", _text, aliases=("id",)),
    Column("name", True, "site name (office, clinic, hall)", "Mthatha DSD office", _text),
    Column(
        "lat", True, "latitude (decimal degrees)", "-31.6", _number(-90, 90), aliases=("latitude",)
    ),
    Column(
        "lon",
        True,
        "longitude (decimal degrees)",
        "28.8",
        _number(-180, 180),
        aliases=("longitude", "lng"),
    ),
    Column(
        "capacity",
        False,
        "need the site can serve (caseload); blank = no limit",
        "60",
        _number(0, None),
    ),
]
TRAVEL = [
    Column("demand_id", True, "demand point id", "EC101", _text),
    Column("site_id", True, "site id", "S001", _text),
    Column("minutes", True, "travel time in minutes", "45", _number(0, None), aliases=("cost",)),
]


def _parse(table: Table, columns: list[Column]) -> Parsed:
    found, errors = match_header(table, columns)
    if any(e.row == 1 for e in errors):
        return pd.DataFrame(columns=[c.name for c in columns]), errors
    rows, cell_errors = parse_rows(table, columns, found)
    frame = pd.DataFrame([{"_row": n, **v} for n, v in rows])
    return frame, errors + cell_errors


def _unique(frame: pd.DataFrame, table: Table, keys: list[str], what: str) -> list[RowError]:
    dup = frame.dropna(subset=keys).duplicated(keys, keep="first")
    return [
        RowError(
            table.file,
            int(r["_row"]),
            keys[-1],
            str(r[keys[-1]]),
            f"{what} listed twice",
            "keep one row for it (delete or merge the other)",
        )
        for _, r in frame.dropna(subset=keys)[dup].iterrows()
    ]


def _known(
    frame: pd.DataFrame, table: Table, col: str, known: set[str], fix: str
) -> list[RowError]:
    bad = frame[frame[col].notna() & ~frame[col].astype(str).isin(known)]
    return [
        RowError(table.file, int(r["_row"]), col, str(r[col]), "unknown code", fix)
        for _, r in bad.iterrows()
    ]


def parse_candidates(table: Table, provinces: set[str]) -> Parsed:
    frame, errors = _parse(table, CANDIDATES)
    if frame.empty:
        return frame, errors
    errors += _known(
        frame, table, "province", provinces, f"use one of: {', '.join(sorted(provinces))}"
    )
    errors += _unique(frame, table, ["province", "category"], "province and category")
    return frame.drop(columns="_row"), errors


def parse_limits(table: Table, codes: set[str]) -> Parsed:
    frame, errors = _parse(table, LIMITS)
    if frame.empty:
        return frame, errors
    errors += _known(frame, table, "code", codes, "use the code of a municipality in the needs run")
    errors += _unique(frame, table, ["code", "category"], "area and category")
    for _, r in frame.iterrows():
        if (
            pd.notna(r.get("minimum"))
            and pd.notna(r.get("maximum"))
            and r["minimum"] > r["maximum"]
        ):
            errors.append(
                RowError(
                    table.file,
                    int(r["_row"]),
                    "maximum",
                    str(r["maximum"]),
                    f"maximum below the minimum ({r['minimum']})",
                    "raise the maximum or lower the minimum",
                )
            )
    return frame.drop(columns="_row"), errors


def parse_demand(table: Table) -> Parsed:
    frame, errors = _parse(table, DEMAND)
    if frame.empty:
        return frame, errors
    errors += _unique(frame, table, ["demand_id"], "demand point")
    return frame.drop(columns="_row"), errors


def parse_sites(table: Table) -> Parsed:
    frame, errors = _parse(table, SITES)
    if frame.empty:
        return frame, errors
    errors += _unique(frame, table, ["site_id"], "site")
    return frame.drop(columns="_row"), errors


def parse_travel_times(table: Table, demand_ids: set[str], site_ids: set[str]) -> Parsed:
    frame, errors = _parse(table, TRAVEL)
    if frame.empty:
        return frame, errors
    errors += _known(frame, table, "demand_id", demand_ids, "use an id from the demand file")
    errors += _known(frame, table, "site_id", site_ids, "use an id from the sites file")
    errors += _unique(frame, table, ["demand_id", "site_id"], "demand point and site pair")
    return frame.drop(columns="_row").rename(columns={"minutes": "cost"}), errors
