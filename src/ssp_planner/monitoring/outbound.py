"""Stored values as the receiving DHIS2 instance names them (mapping applied, numbers as text)."""

from __future__ import annotations

from ssp_planner.monitoring.dhis2 import OutValue
from ssp_planner.monitoring.framework import DEFAULT_COC, Framework
from ssp_planner.monitoring.mapping import IdScheme, Mapping

StoredRow = tuple[str, str, str, str, float, str | None]  # element, area, period, coc, value, note


def out_value(row: StoredRow, mapping: Mapping, scheme: IdScheme, framework: Framework) -> OutValue:
    """One stored value for export. In ADX a disaggregation is an attribute named by the
    category's code whose value is the option's code, whatever the id scheme."""
    element, area, period, coc, value, comment = row
    el = framework.data_elements.get(element)
    category = el.category if el is not None and coc != DEFAULT_COC else None
    return OutValue(
        data_element=mapping.theirs("dataElement", element, scheme),
        org_unit=mapping.theirs("orgUnit", area, scheme),
        period=period,
        value=format_value(float(value)),
        coc=mapping.theirs("categoryOptionCombo", coc, scheme),
        category=mapping.theirs("category", category, "code") if category else None,
        option=mapping.theirs("categoryOptionCombo", coc, "code") if category else None,
        comment=comment,
    )


def format_value(value: float) -> str:
    """12.0 -> '12'; 12.5 -> '12.5' (at most the 4 stored decimals)."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.4f}".rstrip("0")
