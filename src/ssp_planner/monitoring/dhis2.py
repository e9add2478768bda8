"""Read and write DHIS2 dataValueSets JSON and ADX XML (IHE, urn:ihe:qrph:adx:2015).

Reading collects every problem it can see as a `RowError` and keeps going; the caller stores
nothing if any was found. `row` is the value's position in `dataValues` (1 = first) for JSON
and the line of the `<dataValue>` for ADX; a syntax error gives the line where parsing stopped.
ADX is read with defusedxml (entity expansion and external references refused), since the files
come from other systems. Identifiers are returned as written: `mapping.py` translates them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, feature_namespaces
from xml.sax.saxutils import escape, quoteattr

import defusedxml.sax
from defusedxml import DefusedXmlException

from ssp_planner.errors import InputFileError
from ssp_planner.ingest.errors import RowError
from ssp_planner.monitoring.periods import PeriodError, parse_adx_period, parse_period

ADX_NS = "urn:ihe:qrph:adx:2015"
SSP_NS = "urn:ssp-planner"  # our marker for synthetic demo data, ignored by other readers
JSON_SUFFIXES, ADX_SUFFIXES = {".json"}, {".xml", ".adx"}
_GROUP_KNOWN = {"orgUnit", "period", "dataSet", "completeDate", "id"}
_VALUE_KNOWN = {"dataElement", "value"}
_JSON_REQUIRED = ("dataElement", "period", "orgUnit", "value")
_JSON_FIELDS = (*_JSON_REQUIRED, "categoryOptionCombo", "attributeOptionCombo", "comment")
_JSON_FIX = 'write each value as {"dataElement": …, "period": …, "orgUnit": …, "value": …}.'


@dataclass(frozen=True)
class RawValue:
    """One data value as the file gives it (ADX periods already in DHIS2 form)."""

    row: int
    data_element: str
    org_unit: str
    period: str
    value: str
    coc: str = ""
    disaggregation: tuple[tuple[str, str], ...] = ()
    aoc: str = ""
    comment: str = ""


@dataclass
class ParsedFile:
    file: str
    format: str
    values: list[RawValue] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    synthetic: bool = False
    count: int = 0  # data values seen, good or bad

    def error(self, row: int, column: str, value: object, problem: str, fix: str) -> None:
        self.errors.append(RowError(self.file, row, column, str(value)[:200], problem, fix))


@dataclass(frozen=True)
class OutValue:
    """One value to write, identifiers already in the receiving system's scheme."""

    data_element: str
    org_unit: str
    period: str
    value: str
    coc: str
    category: str | None = None  # ADX: disaggregation attribute name (None: not disaggregated)
    option: str | None = None
    comment: str | None = None


def read_exchange_file(path: Path) -> ParsedFile:
    """dataValueSets JSON (.json) or ADX (.xml, .adx), by the file's suffix."""
    suffix = Path(path).suffix.lower()
    if suffix in JSON_SUFFIXES:
        return read_data_value_sets(path)
    if suffix in ADX_SUFFIXES:
        return read_adx(path)
    raise InputFileError(
        str(path),
        f"cannot tell the format of a '{suffix or '(no suffix)'}' file.",
        "name DHIS2 dataValueSets files *.json and ADX files *.xml or *.adx.",
    )


# --- dataValueSets JSON ------------------------------------------------------------------------


def read_data_value_sets(path: Path) -> ParsedFile:
    out = ParsedFile(Path(path).name, "dhis2-json")
    try:
        doc = json.loads(_text(path), parse_int=str, parse_float=str)
    except json.JSONDecodeError as exc:
        snippet = exc.doc[max(0, exc.pos - 30) : exc.pos + 30].replace("\n", " ")
        out.error(
            exc.lineno,
            f"char {exc.colno}",
            snippet,
            f"not valid JSON: {exc.msg}.",
            "correct the JSON syntax at that line (an export from DHIS2 is valid JSON).",
        )
        return out
    if not isinstance(doc, dict) or not isinstance(doc.get("dataValues"), list):
        out.error(
            1,
            "dataValues",
            type(doc).__name__,
            "no 'dataValues' list at the top level.",
            'write {"dataValues": [{"dataElement": …, "period": …, "orgUnit": …, '
            '"value": …}]} (DHIS2 /api/dataValueSets format).',
        )
        return out
    out.synthetic = bool((doc.get("ssp_planner") or {}).get("synthetic"))
    top = {k: doc[k] for k in ("period", "orgUnit", "attributeOptionCombo") if doc.get(k)}
    out.count = len(doc["dataValues"])
    for i, item in enumerate(doc["dataValues"], start=1):
        _json_value(out, i, item, top)
    return out


def _json_value(out: ParsedFile, row: int, item: Any, top: dict[str, Any]) -> None:
    if not isinstance(item, dict):
        out.error(row, "dataValues", item, "is not an object.", _JSON_FIX)
        return
    merged = {**top, **{k: v for k, v in item.items() if v is not None}}
    bad = [k for k in _JSON_FIELDS if k in merged and not isinstance(merged[k], str)]
    for key in bad:
        kind = type(merged[key]).__name__
        out.error(
            row,
            key,
            merged[key],
            f"'{key}' is a {kind}, not text or a number.",
            f"write {key} as a string.",
        )
    text = {k: merged[k].strip() if k in merged and k not in bad else "" for k in _JSON_FIELDS}
    missing = [k for k in _JSON_REQUIRED if not text[k] and k not in bad]
    for key in missing:
        deletion = " (DHIS2 deletions are not imported)" if key == "value" else ""
        out.error(
            row, key, "", f"'{key}' is missing or empty.", f"give every value a {key}{deletion}."
        )
    if bad or missing:
        return
    out.values.append(
        RawValue(
            row,
            text["dataElement"],
            text["orgUnit"],
            text["period"],
            text["value"],
            coc=text["categoryOptionCombo"],
            aoc=text["attributeOptionCombo"],
            comment=text["comment"],
        )
    )


def write_data_value_sets(
    values: Iterable[OutValue], path: Path, *, data_set: str, note: str | None = None
) -> Path:
    """A dataValueSets document, one entry per value (DHIS2 accepts it at /api/dataValueSets).

    Written one value per line: readable in a diff, and fast (json's C encoder per entry)."""
    head: dict[str, Any] = {"dataSet": data_set}
    if note:
        head["ssp_planner"] = {"synthetic": True, "note": note}
    entries = (json.dumps(_json_entry(v), ensure_ascii=False) for v in values)
    opening = json.dumps(head, ensure_ascii=False)[:-1] + ', "dataValues": [\n'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(opening + ",\n".join(entries) + "\n]}\n", encoding="utf-8")
    return path


def _json_entry(v: OutValue) -> dict[str, str]:
    entry = {
        "dataElement": v.data_element,
        "period": v.period,
        "orgUnit": v.org_unit,
        "categoryOptionCombo": v.coc,
        "value": v.value,
    }
    if v.comment:
        entry["comment"] = v.comment
    return entry


# --- ADX ---------------------------------------------------------------------------------------


def read_adx(path: Path) -> ParsedFile:
    out = ParsedFile(Path(path).name, "adx")
    handler = _AdxHandler(out)
    parser = defusedxml.sax.make_parser()
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(handler)
    try:
        parser.parse(str(path))
    except SAXParseException as exc:
        out.error(
            exc.getLineNumber() or 0,
            f"char {(exc.getColumnNumber() or 0) + 1}",
            "",
            f"not well-formed XML: {exc.getMessage()}.",
            "correct the XML at that line (every tag closed, attributes quoted).",
        )
    except DefusedXmlException as exc:
        out.error(
            handler.line(),
            "(XML)",
            type(exc).__name__,
            "the file declares XML entities or external references, refused for safety.",
            "export the ADX again without a DOCTYPE or entities.",
        )
    except OSError as exc:
        raise InputFileError(
            str(path), f"cannot read the file ({exc.strerror}).", "check the path and permissions."
        ) from None
    if not handler.seen_root and not out.errors:
        out.error(
            1, "adx", "", "no <adx> root element.", f'start the file with <adx xmlns="{ADX_NS}">.'
        )
    return out


class _AdxHandler(ContentHandler):
    """Collects dataValues with their group's orgUnit and period, and each element's line."""

    def __init__(self, out: ParsedFile) -> None:
        super().__init__()
        self.out = out
        self.seen_root = False
        self.group: dict[str, str] | None = None
        self.period = ""
        self.current: dict[str, Any] | None = None
        self.text: list[str] | None = None

    def line(self) -> int:
        locator = getattr(self, "_locator", None)
        return locator.getLineNumber() if locator else 0

    def startElementNS(self, name: tuple[str | None, str], qname: str | None, attrs: Any) -> None:
        uri, local = name
        plain = {k[1]: v for k, v in attrs.items() if k[0] is None}
        if not self.seen_root:
            self._root(uri, local, attrs)
        elif local == "group" and uri == ADX_NS:
            self._group(plain)
        elif local == "dataValue" and uri == ADX_NS:
            self._value_start(plain)
        elif local == "annotation" and self.current is not None:
            self.text = []

    def _root(self, uri: str | None, local: str, attrs: Any) -> None:
        self.seen_root = True
        if (uri, local) != (ADX_NS, "adx"):
            self.out.error(
                self.line(),
                "adx",
                f"{{{uri}}}{local}" if uri else local,
                "the root element is not ADX.",
                f'start the file with <adx xmlns="{ADX_NS}">.',
            )
        self.out.synthetic = attrs.get((SSP_NS, "synthetic")) == "true"

    def _group(self, attrs: dict[str, str]) -> None:
        row = self.line()
        self.group, self.period = attrs, ""
        for key in ("orgUnit", "period"):
            if not attrs.get(key, "").strip():
                self.out.error(
                    row, key, "", f"<group> has no {key}.", f"give every group an {key} attribute."
                )
        if attrs.get("period", "").strip():
            try:
                self.period = str(parse_adx_period(attrs["period"]))
            except PeriodError as exc:
                self.out.error(
                    row,
                    "period",
                    attrs["period"],
                    str(exc).split(" Fix:")[0],
                    "write the period as start/duration, e.g. 2024-01-01/P1M "
                    "(month) or 2024-04-01/P1Y (April financial year).",
                )

    def _value_start(self, attrs: dict[str, str]) -> None:
        row = self.line()
        self.out.count += 1
        if self.group is None:
            self.out.error(
                row,
                "dataValue",
                "",
                "<dataValue> outside a <group>.",
                "put data values inside <group orgUnit=… period=…>.",
            )
            return
        for key in ("dataElement", "value"):
            if not attrs.get(key, "").strip():
                self.out.error(
                    row,
                    key,
                    "",
                    f"'{key}' is missing or empty.",
                    f"give every dataValue a {key} attribute.",
                )
        self.current = {"row": row, **attrs}

    def characters(self, content: str) -> None:
        if self.text is not None:
            self.text.append(content)

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
        local = name[1]
        if local == "annotation" and self.current is not None and self.text is not None:
            self.current["comment"] = "".join(self.text).strip()
            self.text = None
        elif local == "dataValue" and self.current is not None:
            self._value_end(self.current)
            self.current = None
        elif local == "group":
            self.group = None

    def _value_end(self, attrs: dict[str, Any]) -> None:
        group = self.group or {}
        if not (self.period and group.get("orgUnit") and attrs.get("dataElement")):
            return
        if not str(attrs.get("value", "")).strip():
            return
        extra = tuple(
            sorted(
                (k, v)
                for k, v in attrs.items()
                if k not in _VALUE_KNOWN and k not in ("row", "comment")
            )
        )
        aoc = ";".join(f"{k}={v}" for k, v in sorted(group.items()) if k not in _GROUP_KNOWN)
        self.out.values.append(
            RawValue(
                row=attrs["row"],
                data_element=attrs["dataElement"].strip(),
                org_unit=group["orgUnit"].strip(),
                period=self.period,
                value=str(attrs["value"]).strip(),
                disaggregation=extra,
                aoc=aoc,
                comment=attrs.get("comment", ""),
            )
        )


def write_adx(
    values: Iterable[OutValue], path: Path, *, data_set: str, note: str | None = None
) -> Path:
    """One <group> per org unit and period, in the order given (sort the values first)."""
    head = f'<adx xmlns="{ADX_NS}"'
    if note:
        head += f' xmlns:ssp="{SSP_NS}" ssp:synthetic="true"'
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    if note:
        lines.append(f"<!-- {escape(note).replace('--', '-')} -->")
    lines.append(head + ">")
    key: tuple[str, str] | None = None
    for v in values:
        if (v.org_unit, v.period) != key:
            if key is not None:
                lines.append("  </group>")
            key = (v.org_unit, v.period)
            adx_period = parse_period(v.period).to_adx()
            lines.append(
                f"  <group dataSet={quoteattr(data_set)} orgUnit={quoteattr(v.org_unit)} "
                f"period={quoteattr(adx_period)}>"
            )
        lines.append(_adx_value(v))
    if key is not None:
        lines.append("  </group>")
    lines.append("</adx>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _adx_value(v: OutValue) -> str:
    attrs = f"dataElement={quoteattr(v.data_element)}"
    if v.category and v.option:
        attrs += f" {v.category}={quoteattr(v.option)}"
    attrs += f" value={quoteattr(v.value)}"
    if not v.comment:
        return f"    <dataValue {attrs}/>"
    return f"    <dataValue {attrs}><annotation>{escape(v.comment)}</annotation></dataValue>"


def _text(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(
            str(path), "is not UTF-8 text.", "save the file as UTF-8 (DHIS2 exports are UTF-8)."
        ) from None
    except OSError as exc:
        raise InputFileError(
            str(path), f"cannot read the file ({exc.strerror}).", "check the path and permissions."
        ) from None
