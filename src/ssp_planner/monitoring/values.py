"""Check data values read from a file against the framework, the areas and the mapping.

Every value is checked and every problem reported (file, row, column, value, problem, fix);
the service stores nothing unless the list of problems is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ssp_planner.ingest.errors import RowError
from ssp_planner.monitoring.dhis2 import ParsedFile, RawValue
from ssp_planner.monitoring.framework import DEFAULT_COC, DataElement, Framework
from ssp_planner.monitoring.mapping import Mapping
from ssp_planner.monitoring.periods import PeriodError, parse_period

MAX_DECIMALS = 4  # the storage column keeps 4 decimals
MAX_ABS = Decimal(10) ** 13


@dataclass(frozen=True)
class ValueRecord:
    row: int
    element: str
    area_code: str
    period: str
    coc: str
    value: float
    comment: str | None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.element, self.area_code, self.period, self.coc)


def validate_values(
    parsed: ParsedFile, mapping: Mapping, framework: Framework, area_codes: frozenset[str]
) -> tuple[list[ValueRecord], list[RowError]]:
    """Records for the values that passed, and the problems of those that did not."""
    records: list[ValueRecord] = []
    errors: list[RowError] = []
    first_row: dict[tuple[str, str, str, str], int] = {}
    for raw in parsed.values:
        check = _Check(parsed.file, raw, errors)
        rec = check.run(mapping, framework, area_codes)
        if rec is None:
            continue
        if rec.key in first_row:
            check.fail(
                "dataElement",
                raw.data_element,
                f"this value is given twice (also at row {first_row[rec.key]}).",
                "keep one value per data element, org unit, period and combo.",
            )
            continue
        first_row[rec.key] = rec.row
        records.append(rec)
    return records, errors


class _Check:
    """The checks of one raw value; each failure is added to `errors`."""

    def __init__(self, file: str, raw: RawValue, errors: list[RowError]) -> None:
        self.file, self.raw, self.errors = file, raw, errors
        self.before = len(errors)

    def fail(self, column: str, value: str, problem: str, fix: str) -> None:
        self.errors.append(RowError(self.file, self.raw.row, column, value, problem, fix))

    def run(
        self, mapping: Mapping, framework: Framework, area_codes: frozenset[str]
    ) -> ValueRecord | None:
        raw = self.raw
        code = mapping.ours("dataElement", raw.data_element)
        element = self._element(code, framework)
        area = mapping.ours("orgUnit", raw.org_unit)
        if area not in area_codes:
            self.fail(
                "orgUnit",
                raw.org_unit,
                f"org unit '{raw.org_unit}' is not a stored area.",
                "map its UID to our area code in the mapping file (a row "
                f"'orgUnit,<area code>,{raw.org_unit},'), or write our area code (e.g. "
                "EC101, BUF); load the areas first with `ssp areas load`.",
            )
        period = self._period()
        coc = self._coc(mapping, element) if element else None
        self._aoc(mapping)
        value = self._value(element) if element else None
        if len(self.errors) > self.before or element is None or value is None:
            return None
        comment = raw.comment or None
        return ValueRecord(raw.row, code, area, str(period), str(coc), value, comment)

    def _element(self, code: str, framework: Framework) -> DataElement | None:
        element = framework.data_elements.get(code)
        if element is None:
            self.fail(
                "dataElement",
                self.raw.data_element,
                f"data element '{self.raw.data_element}' is not in the framework.",
                "map its UID to one of our data elements in the mapping file (type "
                f"dataElement), or use one of: {', '.join(framework.data_elements)}.",
            )
        return element

    def _period(self) -> str | None:
        try:
            return str(parse_period(self.raw.period))
        except PeriodError as exc:
            why, _, fix = str(exc).partition(" Fix: ")
            self.fail("period", self.raw.period, why, fix or "write a DHIS2 period.")
            return None

    def _coc(self, mapping: Mapping, element: DataElement) -> str | None:
        raw = self.raw
        if raw.disaggregation:
            return self._adx_coc(mapping, element)
        coc = mapping.ours("categoryOptionCombo", raw.coc) if raw.coc else DEFAULT_COC
        if coc not in element.cocs:
            self.fail(
                "categoryOptionCombo",
                raw.coc,
                f"'{raw.coc}' is not a combo of {raw.data_element}.",
                f"use one of {', '.join(element.cocs)} (or map its UID in the mapping "
                "file, type categoryOptionCombo).",
            )
            return None
        return coc

    def _adx_coc(self, mapping: Mapping, element: DataElement) -> str | None:
        pairs = self.raw.disaggregation
        name, option = pairs[0]
        category = mapping.ours("category", name)
        if len(pairs) > 1 or element.category is None or category != element.category:
            expected = element.category or "none (not disaggregated)"
            self.fail(
                name,
                option,
                f"disaggregation {dict(pairs)} does not fit {self.raw.data_element}.",
                f"use the one category attribute {expected} (or map it, type category).",
            )
            return None
        coc = mapping.ours("categoryOptionCombo", option)
        if coc not in element.cocs:
            self.fail(
                name,
                option,
                f"'{option}' is not an option of {category}.",
                f"use one of {', '.join(element.cocs)}.",
            )
            return None
        return coc

    def _aoc(self, mapping: Mapping) -> None:
        aoc = self.raw.aoc
        if aoc and mapping.ours("attributeOptionCombo", aoc) != DEFAULT_COC:
            self.fail(
                "attributeOptionCombo",
                aoc,
                "attribute option combos other than the default are not stored.",
                "export without attribute disaggregation, or map this one to 'default' "
                "(type attributeOptionCombo) if it is your instance's default.",
            )

    def _value(self, element: DataElement) -> float | None:
        text = self.raw.value
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        problem = _value_problem(number, element)
        if number is None or problem:
            self.fail(
                "value",
                text,
                problem or f"'{text}' is not a number.",
                "write a plain number such as 12 or 12.5 (a point for decimals).",
            )
            return None
        return float(number)


def _value_problem(number: Decimal | None, element: DataElement) -> str | None:
    if number is None:
        return None
    if not number.is_finite() or abs(number) >= MAX_ABS:
        return "is not a finite number below 10,000,000,000,000."
    whole = number >= 0 and number == number.to_integral_value()
    if element.value_type == "integer_zero_or_positive" and not whole:
        return "must be a whole number of 0 or more (a count)."
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        return f"has more than {MAX_DECIMALS} decimals."
    return None
