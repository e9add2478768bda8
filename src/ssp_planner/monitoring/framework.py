"""The results framework: data elements, indicators (impact → outcome → output → activity),
baselines, default targets and status thresholds, read from TOML and checked as a whole.

An indicator is Σ numerator terms ÷ Σ denominator terms × factor, where a term is a data
element (optionally one category option combo, optionally weighted by an area indicator) or a
stored area indicator such as `population`. How a data element adds up over time is a property
of what it counts (DHIS2 keeps it on the data element too): a stock such as head-count takes the
`last` value of a period, a flow such as services delivered the `sum`, a level such as open
cases the `average`. Across areas everything is summed, and the ratio computed from the sums.

The package ships `framework.toml`; every indicator names its `source` or says `ours = true`.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from ssp_planner.errors import SSPError
from ssp_planner.monitoring.periods import PeriodError, PeriodType, parse_period

DEFAULT_COC = "default"  # DHIS2's name for "no disaggregation"
PACKAGE_FILE = "ssp_planner/monitoring/framework.toml"
_TERM = re.compile(
    r"^(?:area:(?P<area>[a-z0-9_]+)|(?P<element>[a-z0-9_]+)(?:\.(?P<coc>[a-z0-9_]+))?"
    r"(?:\s*\*\s*area:(?P<weight>[a-z0-9_]+))?)$"
)


class Level(StrEnum):
    IMPACT = "impact"
    OUTCOME = "outcome"
    OUTPUT = "output"
    ACTIVITY = "activity"


class Aggregation(StrEnum):
    """How one area's values over several periods combine (then areas are summed)."""

    SUM = "sum"
    AVERAGE = "average"
    LAST = "last"


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class FrameworkError(SSPError):
    """A framework file that cannot be used; lists every problem with its key and fix."""

    def __init__(self, file: str, problems: list[str]) -> None:
        self.problems = problems
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        super().__init__("\n".join([f"{file}: {count} in the framework:", *problems]))


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Term(_Frozen):
    """One operand: a data element (one combo or all; maybe weighted) or an area indicator."""

    element: str | None = None
    coc: str | None = None
    weight: str | None = None
    area: str | None = None

    @classmethod
    def parse(cls, text: Any) -> Term:
        if isinstance(text, Term):
            return text
        m = _TERM.match(str(text).strip())
        if not m:
            raise ValueError(
                f"'{text}' is not a term. Fix: write a data element ('services_delivered'), "
                "one of its combos ('ssp_headcount.social_worker'), an area indicator "
                "('area:population') or a weighted element ('posts_funded * area:flag')."
            )
        return cls(**{k: v for k, v in m.groupdict().items() if v})

    def __str__(self) -> str:
        if self.area:
            return f"area:{self.area}"
        text = f"{self.element}.{self.coc}" if self.coc else str(self.element)
        return f"{text} * area:{self.weight}" if self.weight else text


Terms = Annotated[list[Term], BeforeValidator(lambda v: [Term.parse(t) for t in _as_list(v)])]


def _as_list(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else list(value)


class Provenance(_Frozen):
    source: str | None = None
    ours: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _sourced(self) -> Self:
        if bool(self.source) == self.ours:
            raise ValueError(
                'needs exactly one of `source = "..."` (a published definition) or '
                "`ours = true` (defined for SSP Planner)"
            )
        return self


class DataElement(Provenance):
    name: str
    definition: str
    aggregation: Aggregation
    value_type: Literal["integer_zero_or_positive", "number"] = "integer_zero_or_positive"
    category: str | None = None
    options: list[str] = Field(default_factory=list)

    @property
    def cocs(self) -> list[str]:
        """The category option combos a value may carry (`default` when not disaggregated)."""
        return list(self.options) or [DEFAULT_COC]


class Figure(_Frozen):
    """A baseline or default target value, with where it comes from."""

    value: float
    period: str | None = None
    source: str | None = None
    assumption: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _sourced(self) -> Self:
        if not self.source and not self.assumption:
            raise ValueError('needs `source = "..."` or `assumption = true`')
        if self.period:
            try:
                parse_period(self.period)
            except PeriodError as exc:
                raise ValueError(str(exc)) from None
        return self


class Indicator(Provenance):
    name: str
    level: Level
    definition: str
    unit: str
    numerator: Terms
    denominator: Terms = Field(default_factory=list)
    factor: float = 1.0
    direction: Direction
    frequency: PeriodType = PeriodType.QUARTERLY
    annualised: bool = False
    baseline: Figure | None = None
    target: Figure | None = None

    @property
    def terms(self) -> list[Term]:
        return [*self.numerator, *self.denominator]

    def formula(self) -> str:
        num = " + ".join(map(str, self.numerator))
        if not self.denominator:
            return num
        den = " + ".join(map(str, self.denominator))
        scale = f" × {self.factor:,g}" if self.factor != 1 else ""
        return f"({num}) ÷ ({den}){scale}" + (" (annualised)" if self.annualised else "")


class Thresholds(_Frozen):
    """Shortfall from target (as a share of it) beyond which a value is at risk / off track."""

    at_risk: float = Field(0.05, ge=0)
    off_track: float = Field(0.20, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.off_track < self.at_risk:
            raise ValueError(
                "off_track must be at least at_risk (e.g. at_risk 0.05, off_track 0.2)"
            )
        return self


class Framework(_Frozen):
    version: str
    title: str
    status: Thresholds = Field(default_factory=Thresholds)
    data_elements: dict[str, DataElement]
    indicators: dict[str, Indicator]

    @model_validator(mode="after")
    def _terms_known(self) -> Self:
        problems = [
            f"indicators.{code}: {p}"
            for code, ind in self.indicators.items()
            for p in _term_problems(ind, self.data_elements)
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def area_indicators(self) -> set[str]:
        """Stored area indicators the indicators use (denominators and weights)."""
        terms = [t for ind in self.indicators.values() for t in ind.terms]
        return {t.area for t in terms if t.area} | {t.weight for t in terms if t.weight}

    def digest(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


def _term_problems(ind: Indicator, elements: dict[str, DataElement]) -> list[str]:
    out = []
    for term in ind.terms:
        if term.element is None:
            continue
        el = elements.get(term.element)
        if el is None:
            out.append(f"term '{term}' names no data element (known: {', '.join(elements)})")
        elif term.coc and term.coc not in el.cocs:
            out.append(f"term '{term}': {term.element} has no combo '{term.coc}' ({el.cocs})")
    return out


def load_framework(path: Path | None = None) -> Framework:
    """The framework in `path`, or the packaged default; `FrameworkError` lists every problem."""
    if path is None:
        return _packaged()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SSPError(f"{path}: cannot read the framework file ({exc.strerror}).") from None
    return parse_framework(text, str(path))


@lru_cache(maxsize=1)
def _packaged() -> Framework:
    text = resources.files("ssp_planner.monitoring").joinpath("framework.toml").read_text("utf-8")
    return parse_framework(text, PACKAGE_FILE)


def parse_framework(text: str, file: str) -> Framework:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FrameworkError(file, [f"not valid TOML: {exc}. Fix: correct the syntax."]) from None
    try:
        return Framework.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(e) for e in exc.errors()]
        problems += [p for p in _raw_term_problems(data) if p not in problems]
        raise FrameworkError(file, problems) from None


def _raw_term_problems(data: dict[str, Any]) -> list[str]:
    """Unknown data elements in terms, found even when other fields failed validation (the
    model-level check only runs on a framework whose fields all validated)."""
    elements = data.get("data_elements") or {}
    out = []
    for code, ind in (data.get("indicators") or {}).items():
        if not isinstance(ind, dict):
            continue
        for text in [*_as_list(ind.get("numerator", [])), *_as_list(ind.get("denominator", []))]:
            try:
                term = Term.parse(text)
            except ValueError:
                continue  # reported by the field validation
            if term.element and term.element not in elements:
                out.append(
                    f"- indicators.{code}: term '{term}' names no data element "
                    f"(known: {', '.join(elements)})"
                )
    return out


def _problem(err: Any) -> str:
    key = ".".join(str(p) for p in err["loc"]) or "(top level)"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"- {key}: {msg}"


def framework_frame(framework: Framework) -> pd.DataFrame:
    """The indicators as a table for people: one row each, in the framework's order."""
    rows = []
    for code, ind in framework.indicators.items():
        rows.append(
            {
                "code": code,
                "level": ind.level.value,
                "name": ind.name,
                "unit": ind.unit,
                "formula": ind.formula(),
                "aggregation": _aggregations(ind, framework),
                "direction": ind.direction.value.replace("_", " "),
                "frequency": ind.frequency.value,
                "baseline": ind.baseline.value if ind.baseline else None,
                "target": ind.target.value if ind.target else None,
                "target_basis": _basis(ind.target) if ind.target else "",
                "source": "ours" if ind.ours else ind.source,
                "definition": ind.definition,
                "note": ind.note or "",
            }
        )
    return pd.DataFrame(rows)


def _aggregations(ind: Indicator, framework: Framework) -> str:
    def kinds(terms: list[Term]) -> str:
        names = [
            "stored area value" if t.area else framework.data_elements[str(t.element)].aggregation
            for t in terms
        ]
        return "/".join(dict.fromkeys(names))

    if not ind.denominator:
        return kinds(ind.numerator)
    return f"numerator {kinds(ind.numerator)}; denominator {kinds(ind.denominator)}"


def _basis(fig: Figure) -> str:
    text = fig.source or "assumption: set your own"
    return f"{text} ({fig.note})" if fig.note else text
