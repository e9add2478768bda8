"""Cost per post per year by funding channel, category and rank, with its year and provenance.

Costs are configuration, never facts: the bundled `costs.toml` marks every figure as an
assumption, and a user's TOML file overrides any key. Money is whole rands (int) throughout.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ssp_planner.domain.vocabulary import Category, Rank
from ssp_planner.errors import SSPError

PACKAGE_FILE = "ssp_planner/allocation/costs.toml"
GOVERNMENT, NPO = "government", "npo"


class CostsError(SSPError):
    """A costs file that cannot be used: every problem is listed with its key and fix."""


@dataclass(frozen=True)
class PostCost:
    rands: int
    source: str
    assumption: bool


@dataclass(frozen=True)
class CostTable:
    """`cost(channel, category, rank)` in rands per post per year, as of `year`."""

    year: int
    origin: str
    labels: dict[str, str]
    entries: dict[tuple[str, str, str], PostCost]

    @property
    def channels(self) -> list[str]:
        return list(self.labels)

    def cost(self, channel: str, category: str, rank: str) -> int | None:
        entry = self.entries.get((channel, category, rank))
        return entry.rands if entry else None

    def assumptions(self) -> list[str]:
        """Keys still set to an assumption: every output lists them so the user sets them."""
        return [".".join(k) for k, e in self.entries.items() if e.assumption]

    def digest(self) -> str:
        body = {"year": self.year, "costs": {".".join(k): e.rands for k, e in self.entries.items()}}
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def package_costs_text() -> str:
    return resources.files("ssp_planner.allocation").joinpath("costs.toml").read_text("utf-8")


def load_costs(user_file: Path | None = None) -> CostTable:
    """The bundled costs, with `user_file` (TOML) laid over them key by key."""
    data = _parse(package_costs_text(), PACKAGE_FILE)
    origin = PACKAGE_FILE
    if user_file is not None:
        if not user_file.is_file():
            raise CostsError(f"{user_file}: file not found. Fix: check the path of --costs.")
        override = _mark_bare(_parse(user_file.read_text("utf-8"), str(user_file)), user_file.name)
        data = _merge(data, override)
        origin = f"{PACKAGE_FILE} + {user_file.name}"
    return costs_from_dict(data, origin)


def costs_from_dict(data: dict[str, Any], origin: str) -> CostTable:
    """Validate every key; report all problems at once (key, value, fix)."""
    problems: list[str] = []
    year = data.get("year")
    if not isinstance(year, int) or not 1990 <= year <= 2100:
        problems.append(f"year = {year!r}: the year the costs apply to is required (e.g. 2025)")
    labels: dict[str, str] = {}
    entries: dict[tuple[str, str, str], PostCost] = {}
    for channel, body in (data.get("channels") or {}).items():
        labels[channel] = str(body.get("label", channel))
        for category, ranks in body.items():
            if category == "label":
                continue
            problems += _check_category(channel, category, ranks, entries)
    if not entries:
        problems.append("no costs at all: add [channels.government.social_worker] etc.")
    if problems:
        raise CostsError(
            f"{origin}: the post costs cannot be used:\n  - "
            + "\n  - ".join(problems)
            + "\nFix: correct these keys (costs are whole rands per post per year)."
        )
    return CostTable(year=int(year), origin=origin, labels=labels, entries=entries)  # type: ignore[arg-type]


def _check_category(
    channel: str, category: str, ranks: Any, out: dict[tuple[str, str, str], PostCost]
) -> list[str]:
    where = f"channels.{channel}.{category}"
    if category not in {c.value for c in Category}:
        known = ", ".join(c.value for c in Category)
        return [f"{where}: unknown category; use one of {known}"]
    problems = []
    for rank, spec in ranks.items():
        if rank not in {r.value for r in Rank}:
            problems.append(f"{where}.{rank}: unknown rank; use practitioner, supervisor, manager")
            continue
        rands = spec.get("rands") if isinstance(spec, dict) else None
        if not isinstance(rands, int) or isinstance(rands, bool) or rands <= 0:
            problems.append(f"{where}.{rank} = {rands!r}: give whole rands > 0, e.g. 420000")
            continue
        source = str(spec.get("source") or spec.get("note") or "")
        out[(channel, category, rank)] = PostCost(rands, source, bool(spec.get("assumption")))
    return problems


def _parse(text: str, file_name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CostsError(f"{file_name}: not valid TOML ({exc}). Fix: correct the line.") from None


def _mark_bare(data: dict[str, Any], file_name: str) -> dict[str, Any]:
    """`practitioner = 455000` in a user's file becomes {rands, source: set in <file>}."""
    for body in (data.get("channels") or {}).values():
        for category, ranks in body.items():
            if category == "label" or not isinstance(ranks, dict):
                continue
            for rank, spec in ranks.items():
                if isinstance(spec, int):
                    ranks[rank] = {"rands": spec, "source": f"set in {file_name}"}
                elif isinstance(spec, dict) and "assumption" not in spec:
                    spec.setdefault("source", f"set in {file_name}")
                    spec["assumption"] = False
    return data


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and "rands" not in value:
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


_MONEY = re.compile(
    r"^\s*R?\s*(?P<num>\d[\d ,_]*(?:\.\d+)?)\s*(?P<unit>k|thousand|m|mn|million|bn|b|billion)?\s*$",
    re.IGNORECASE,
)
_UNITS = {"k": 10**3, "thousand": 10**3, "m": 10**6, "mn": 10**6, "million": 10**6}
_UNITS |= {"b": 10**9, "bn": 10**9, "billion": 10**9}


def parse_rands(text: str) -> int:
    """'R500m', 'R 1.2bn', 'R1,5m', '250 000 000', 'R750 million' -> whole rands.

    >>> parse_rands("R1.5bn")
    1500000000
    """
    match = _MONEY.match(str(text))
    if not match:
        raise SSPError(
            f"'{text}' is not an amount of money. Fix: write it like R500m, R1.2bn or 500000000."
        )
    number = match["num"].replace(" ", "").replace("_", "")
    # "1,500,000" groups thousands; "1,5m" is a decimal comma (as written in South Africa)
    number = (
        number.replace(",", "")
        if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", number)
        else number.replace(",", ".")
    )
    unit = _UNITS.get((match["unit"] or "").lower(), 1)
    whole, _, frac = number.partition(".")
    rands = int(whole) * unit + (int(frac) * unit) // 10 ** len(frac) if frac else int(whole) * unit
    return rands


def format_rands(rands: int | float) -> str:
    """R 1,234,567 (whole rands), or R 12.5 million for large sums in prose."""
    value = round(rands)
    if abs(value) >= 10**6:
        return f"R{value / 10**6:,.1f} million"
    return f"R{value:,}"
