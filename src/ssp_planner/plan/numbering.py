"""Hierarchical activity numbers: '4.1' is activity 1 of workstream 4, '4.1.2' a step of 4.1.

Numbers sort as numbers ('4.2' before '4.10'), and the first part names the workstream.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^\d+(\.\d+)+$")
NUMBER_HELP = "write the workstream number, a dot and the activity number, e.g. 4.1 (or 4.1.2)"


def check_number(text: str) -> str | None:
    """None when `text` is an activity number, else what is wrong with it."""
    if not _NUMBER.match(text):
        return f"'{text}' is not an activity number"
    if any(int(part) == 0 for part in text.split(".")):
        return f"'{text}' has a part numbered 0; numbering starts at 1"
    return None


def number_key(number: str) -> tuple[int, ...]:
    """Sort key: '4.10' after '4.9'."""
    return tuple(int(part) for part in number.split("."))


def workstream_of(number: str) -> int:
    """The workstream an activity belongs to: the first part of its number."""
    return int(number.split(".", 1)[0])


def parent_of(number: str) -> str | None:
    """'4.1' for '4.1.2'; None for a top-level activity such as '4.1'."""
    parts = number.split(".")
    return ".".join(parts[:-1]) if len(parts) > 2 else None


def depth_of(number: str) -> int:
    """1 for '4.1', 2 for '4.1.2': how far to indent it in a table."""
    return number.count(".")
