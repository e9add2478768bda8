"""The mapping between our codes and a DHIS2 instance's identifiers (UIDs or codes).

A CSV with the header `type,ours,uid,code` (or JSON `{"orgUnit": [{"ours", "uid", "code"}]}`),
one row per thing: `orgUnit` (our area code), `dataElement`, `categoryOptionCombo` (our
option, e.g. `social_worker`, or `default`), `attributeOptionCombo` (only `default`),
`category` (ADX attribute name of a disaggregation) and `dataSet`. Reading a file, an
identifier is looked up by UID, then by code, and otherwise taken as our own code, so a file
that already uses our codes needs no mapping. Writing, `--id-scheme uid|code` picks the column.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ssp_planner.errors import InputFileError
from ssp_planner.ingest.errors import RowError

KINDS = (
    "orgUnit",
    "dataElement",
    "categoryOptionCombo",
    "attributeOptionCombo",
    "category",
    "dataSet",
)
IdScheme = Literal["uid", "code"]
_UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")  # DHIS2 UIDs: 11 characters, a letter first


@dataclass(frozen=True)
class Mapping:
    """Translations per kind; empty means 'both sides use our codes'."""

    inbound: dict[str, dict[str, str]] = field(default_factory=dict)
    outbound: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)

    def ours(self, kind: str, ident: str) -> str:
        """Our code for a file's identifier (the identifier itself when not mapped)."""
        return self.inbound.get(kind, {}).get(ident, ident)

    def theirs(self, kind: str, ours: str, scheme: IdScheme) -> str:
        """The receiving system's identifier for our code (our code when not mapped)."""
        uid, code = self.outbound.get(kind, {}).get(ours, ("", ""))
        chosen = uid if scheme == "uid" else code
        return chosen or code or uid or ours

    def knows(self, kind: str, ident: str) -> bool:
        return ident in self.inbound.get(kind, {})


def read_mapping(path: Path) -> tuple[Mapping, list[RowError]]:
    """The mapping in `path` (.csv or .json) and every problem found in it."""
    path = Path(path)
    rows = _json_rows(path) if path.suffix.lower() == ".json" else _csv_rows(path)
    mapping, errors = Mapping(), []
    seen_ours: dict[tuple[str, str], int] = {}
    for row, rec in rows:
        problem = _check(rec)
        if problem:
            errors.append(RowError(path.name, row, problem[0], problem[1], problem[2], problem[3]))
            continue
        kind, ours, uid, code = rec["type"], rec["ours"], rec["uid"], rec["code"]
        if (kind, ours) in seen_ours:
            errors.append(_dup(path, row, "ours", ours, seen_ours[(kind, ours)]))
            continue
        seen_ours[(kind, ours)] = row
        inbound = mapping.inbound.setdefault(kind, {})
        for col, ident in (("uid", uid), ("code", code)):
            if ident and inbound.get(ident, ours) != ours:
                errors.append(_dup(path, row, col, ident, None))
            elif ident:
                inbound[ident] = ours
        mapping.outbound.setdefault(kind, {})[ours] = (uid, code)
    return mapping, errors


def _check(rec: dict[str, str]) -> tuple[str, str, str, str] | None:
    """(column, value, problem, fix) for a bad mapping row, else None."""
    if rec["type"] not in KINDS:
        return ("type", rec["type"], "is not a mapping type.", f"write one of: {', '.join(KINDS)}.")
    if not rec["ours"]:
        return ("ours", "", "our code is empty.", "write our code (area code, data element…).")
    if not rec["uid"] and not rec["code"]:
        return ("uid", "", "neither uid nor code is given.", "give the DHIS2 UID, code or both.")
    if rec["uid"] and not _UID.match(rec["uid"]):
        return (
            "uid",
            rec["uid"],
            "is not a DHIS2 UID (11 letters/digits, a letter first).",
            "copy the UID from DHIS2 (Maintenance app or /api), or put it in 'code'.",
        )
    return None


def _dup(path: Path, row: int, column: str, value: str, first: int | None) -> RowError:
    where = f"row {first}" if first else "an earlier row"
    return RowError(
        path.name,
        row,
        column,
        value,
        f"is mapped twice (also at {where}) to different codes.",
        "keep one row per identifier and per our code.",
    )


def _csv_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(
            str(path),
            f"cannot read the mapping file ({exc}).",
            "give a UTF-8 CSV with the header type,ours,uid,code.",
        ) from None
    reader = csv.DictReader(text.splitlines())
    header = set(reader.fieldnames or [])
    if not {"type", "ours"} <= header or not header & {"uid", "code"}:
        raise InputFileError(
            str(path),
            f"the header is {sorted(header)}.",
            "start the mapping file with the header type,ours,uid,code.",
        )
    return [(i, _clean(rec)) for i, rec in enumerate(reader, start=2)]


def _json_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(
            str(path),
            f"cannot read the mapping file ({exc}).",
            'give JSON like {"orgUnit": [{"ours": "EC101", "uid": "…"}]}.',
        ) from None
    if not isinstance(doc, dict):
        raise InputFileError(
            str(path),
            "is not a JSON object.",
            'give JSON like {"orgUnit": [{"ours": "EC101", "uid": "…"}]}.',
        )
    rows, n = [], 0
    for kind, items in doc.items():
        for item in items if isinstance(items, list) else [items]:
            n += 1
            rec = item if isinstance(item, dict) else {}
            rows.append((n, _clean({**rec, "type": kind})))
    return rows


def _clean(rec: dict[str, Any]) -> dict[str, str]:
    return {k: str(rec.get(k) or "").strip() for k in ("type", "ours", "uid", "code")}
