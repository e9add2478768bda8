"""Norms: how many practitioners of each SSP category an area needs, as versioned configuration.

Two kinds of norm per category (DESIGN.md vocabulary), both read from TOML:

- *ratio norms*: one practitioner per `per` units of a target indicator (people, children,
  cases, wards), plus one supervisor per `supervisor_per` practitioners;
- *workload norms* (WHO WISN, see `wisn.py`): services with annual cases
  target × prevalence × uptake and an activity standard in minutes per case, category
  allowances (CAS %) and individual allowances (IAS hours × staff).

The package ships defaults (`norms.toml`); a user file overrides them key by key. Every number
carries `source = "..."` or `assumption = true`, so a planner always knows which figures are
published and which are placeholders to set. Bad configuration raises `NormsError`, naming the
file, the key, the problem and the fix, for every problem at once.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from ssp_planner.domain.areas import AGE_SEX_GROUPS, POPULATION, WARDS
from ssp_planner.domain.vocabulary import Category
from ssp_planner.errors import SSPError
from ssp_planner.needs import wisn

PACKAGE_FILE = "ssp_planner/needs/norms.toml"
Method = Literal["ratio", "wisn", "max"]
_DEFAULT_SOURCE = "default_source"  # validation context key: provenance for bare numbers


@dataclass(frozen=True)
class NormsProblem:
    """One thing wrong with a norms file: where, what, and how to put it right."""

    key: str
    problem: str
    fix: str


class NormsError(SSPError):
    """Norms that cannot be used; the message lists every problem with its key and fix."""

    def __init__(self, file: str, problems: Sequence[NormsProblem]) -> None:
        self.file = file
        self.problems = list(problems)
        lines = [f"- {p.key}: {p.problem} Fix: {p.fix}" for p in self.problems]
        count = f"{len(self.problems)} problem" + ("s" if len(self.problems) != 1 else "")
        super().__init__("\n".join([f"{file}: {count} in the norms:", *lines]))


class Sourced(BaseModel):
    """A number with its provenance: a published `source`, or `assumption = true`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float
    source: str | None = None
    assumption: bool = False
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_number(cls, data: Any, info: ValidationInfo) -> Any:
        """A user file may write `key = 90`: it is recorded as set in that file."""
        default = (info.context or {}).get(_DEFAULT_SOURCE)
        is_number = isinstance(data, int | float) and not isinstance(data, bool)
        if is_number and default:
            return {"value": data, "source": default}
        if is_number:
            raise PydanticCustomError(
                "norms",
                "is a bare number {value}, without its source",
                {"value": data, "fix": _PROVENANCE_FIX.format(value=data)},
            )
        provenance = isinstance(data, dict) and (data.get("source") or data.get("assumption"))
        if isinstance(data, dict) and default and not provenance:
            return {**data, "source": default}
        return data

    @model_validator(mode="after")
    def _has_provenance(self) -> Self:
        if not self.source and not self.assumption:
            raise PydanticCustomError(
                "norms",
                "has neither `source` nor `assumption = true`",
                {"fix": _PROVENANCE_FIX.format(value=f"{self.value:g}")},
            )
        return self


_PROVENANCE_FIX = (
    'write {{ value = {value}, source = "where the figure comes from" }}, '
    "or {{ value = {value}, assumption = true }} if it is your own estimate"
)


def _bounded(low: float, high: float | None, *, strict: bool, fix: str) -> AfterValidator:
    """A check that a Sourced value lies in [low, high] (or (low, high] when strict)."""

    def check(x: Sourced) -> Sourced:
        above = x.value > low if strict else x.value >= low
        below = high is None or x.value <= high
        if not (math.isfinite(x.value) and above and below):
            bound = f"more than {low:g}" if strict else f"at least {low:g}"
            if high is not None:
                bound += f" and at most {high:g}"
            raise PydanticCustomError(
                "norms",
                "is {value} but must be {bound}",
                {"value": f"{x.value:g}", "bound": bound, "fix": fix},
            )
        return x

    return AfterValidator(check)


Minutes = Annotated[
    Sourced, _bounded(0, None, strict=True, fix="set the minutes one case takes, above 0")
]
Positive = Annotated[Sourced, _bounded(0, None, strict=True, fix="set a number above 0")]
NonNegative = Annotated[Sourced, _bounded(0, None, strict=False, fix="set a number of 0 or more")]
Share = Annotated[
    Sourced,
    _bounded(0, 1, strict=False, fix="set a share from 0 to 1 (0.5 means half the cases use it)"),
]
Percent = Annotated[
    Sourced, _bounded(0, 100, strict=False, fix="set a percentage of working time from 0 to 100")
]
Hours = Annotated[
    Sourced, _bounded(0, 24, strict=True, fix="set the working hours of one day, 0-24")
]
Target = Annotated[
    list[Annotated[str, Field(min_length=1)]],
    BeforeValidator(lambda v: [v] if isinstance(v, str) else v),
    Field(min_length=1),
]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RatioNorm(_Frozen):
    """One practitioner per `per` units of the target (summed over its indicators)."""

    target: Target
    per: Positive
    note: str | None = None


class ServiceNorm(_Frozen):
    """A WISN service: cases a year = target × prevalence × uptake, each taking the minutes."""

    target: Target
    prevalence: NonNegative
    uptake: Share
    minutes_per_case: Minutes
    note: str | None = None


class IndividualAllowance(_Frozen):
    """A WISN individual allowance: hours a year per staff member × staff doing it per area."""

    hours_per_staff: Positive
    staff: NonNegative
    note: str | None = None


class WorkingTime(_Frozen):
    """The WISN available working time of one full-time practitioner (days, hours a day)."""

    working_days: Positive
    public_holidays: NonNegative
    annual_leave: NonNegative
    sick_leave: NonNegative
    other_leave: NonNegative
    hours_per_day: Hours

    @property
    def awt_hours(self) -> float:
        """AWT = [A − (B + C + D + E)] × h (`wisn.available_working_time`)."""
        return wisn.available_working_time(
            self.working_days.value,
            self.public_holidays.value,
            self.annual_leave.value,
            self.sick_leave.value,
            self.other_leave.value,
            self.hours_per_day.value,
        )

    @model_validator(mode="after")
    def _time_left(self) -> Self:
        if self.awt_hours <= 0:
            raise PydanticCustomError(
                "norms",
                "holidays and leave take all {days} working days, leaving no working time",
                {
                    "days": f"{self.working_days.value:g}",
                    "fix": "check the leave days: their sum must be below working_days",
                },
            )
        return self


class CategoryNorms(_Frozen):
    """The norms of one SSP category; `method` says which of them decide the requirement."""

    method: Method
    supervisor_per: Positive | None = None
    ratios: dict[str, RatioNorm] = Field(default_factory=dict)
    services: dict[str, ServiceNorm] = Field(default_factory=dict)
    allowances: dict[str, Percent] = Field(default_factory=dict)
    individual: dict[str, IndividualAllowance] = Field(default_factory=dict)
    note: str | None = None

    @property
    def uses_ratio(self) -> bool:
        return self.method in ("ratio", "max")

    @property
    def uses_wisn(self) -> bool:
        return self.method in ("wisn", "max")

    @property
    def caf(self) -> float:
        """CAF = 1 ÷ (1 − ΣCAS% ÷ 100) over this category's allowances."""
        return wisn.category_allowance_factor(a.value for a in self.allowances.values())

    @model_validator(mode="after")
    def _method_has_norms(self) -> Self:
        if self.uses_ratio and not self.ratios:
            _method_error(self.method, "ratios", "add [...ratios.<name>] with target and per")
        if self.uses_wisn and not self.services:
            _method_error(self.method, "services", "add [...services.<name>] with its figures")
        total = sum(a.value for a in self.allowances.values())
        if total >= 100:
            raise PydanticCustomError(
                "norms",
                "category allowances add up to {total}% of working time, leaving none for services",
                {"total": f"{total:g}", "fix": "lower the allowances so that they add up to <100"},
            )
        return self


def _method_error(method: str, part: str, fix: str) -> None:
    raise PydanticCustomError(
        "norms",
        "method = '{method}' needs {part}, and none are given",
        {"method": method, "part": part, "fix": f"{fix}, or choose another method"},
    )


class Norms(_Frozen):
    """All norms of one version: working time and, per category, its ratio and WISN norms."""

    version: str = Field(min_length=1, max_length=40)
    year: int
    title: str = ""
    working_time: WorkingTime
    categories: dict[Category, CategoryNorms]
    _origin: str = PrivateAttr(default="norms")

    @property
    def origin(self) -> str:
        """The file(s) these norms were read from, for error messages."""
        return self._origin

    @property
    def awt_hours(self) -> float:
        return self.working_time.awt_hours

    def digest(self) -> str:
        """sha256 of the canonical JSON: identical norms give the same digest (provenance)."""
        body = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


# --- reading -----------------------------------------------------------------------------------


def load_norms(user_file: Path | None = None) -> Norms:
    """The packaged default norms, overridden key by key by `user_file` when given.

    A bare number in the user file (`minutes_per_case = 90`) is recorded with the source
    "set in <file>"; a table with `value` replaces the default figure and its source.
    """
    base = _package_dict()
    if user_file is None:
        return _validate(base, PACKAGE_FILE)
    name = str(user_file)
    try:
        text = Path(user_file).read_text("utf-8")
    except OSError as exc:
        problem = NormsProblem(
            "(file)", f"cannot be read: {exc.strerror or exc}.", "check the path"
        )
        raise NormsError(name, [problem]) from exc
    merged = merge_norms(base, _parse(text, name))
    norms = _validate(merged, name, default_source=f"set in {name}")
    norms._origin = f"{PACKAGE_FILE} + {name}"
    return norms


def norms_from_toml(text: str, file_name: str) -> Norms:
    """Norms from one complete TOML text (every number with its source or assumption)."""
    return _validate(_parse(text, file_name), file_name)


def package_norms_text() -> str:
    """The packaged defaults as TOML text, e.g. for `ssp needs norms --show`."""
    return resources.files("ssp_planner.needs").joinpath("norms.toml").read_text("utf-8")


def merge_norms(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge `override` into `base`; a table holding `value` replaces the whole figure."""
    out = dict(base)
    for key, new in override.items():
        old = out.get(key)
        if isinstance(old, dict) and isinstance(new, dict) and "value" not in new:
            out[key] = merge_norms(old, new)
        else:
            out[key] = new
    return out


@lru_cache(maxsize=1)
def _package_text() -> str:
    return package_norms_text()


def _package_dict() -> dict[str, Any]:
    return _parse(_package_text(), PACKAGE_FILE)


def _parse(text: str, file_name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem = NormsProblem("(syntax)", f"is not valid TOML: {exc}.", _TOML_FIX)
        raise NormsError(file_name, [problem]) from exc


_TOML_FIX = "correct the line named; strings need quotes, tables are written [a.b]"


def _validate(data: dict[str, Any], file_name: str, *, default_source: str | None = None) -> Norms:
    context = {_DEFAULT_SOURCE: default_source} if default_source else {}
    try:
        norms = Norms.model_validate(data, context=context)
    except ValidationError as exc:
        raise NormsError(file_name, [_explain(e) for e in exc.errors()]) from exc
    norms._origin = file_name
    return norms


# --- explaining validation errors ------------------------------------------------------------


def _explain(error: ErrorDetails) -> NormsProblem:
    """Turn one pydantic error into a key path, a problem and a fix a planner can act on."""
    loc = [str(p) for p in error["loc"] if p != "[key]"]
    key = ".".join(loc) or "(top level)"
    ctx = error.get("ctx") or {}
    if error["type"] == "norms":
        return NormsProblem(key, error["msg"] + ".", str(ctx["fix"]))
    problem = _PROBLEMS.get(error["type"], error["msg"]) + _got(error.get("input")) + "."
    return NormsProblem(key, problem, _FIXES.get(error["type"], _generic_fix)(loc))


def _got(value: Any) -> str:
    return f" (got {value!r})" if isinstance(value, str | int | float | bool) else ""


def _generic_fix(_loc: list[str]) -> str:
    return f"compare with the packaged defaults ({PACKAGE_FILE})"


def _unknown_key_fix(loc: list[str]) -> str:
    near = difflib.get_close_matches(loc[-1], _all_field_names(), n=1, cutoff=0.5)
    hint = f"did you mean `{near[0]}`? " if near else ""
    return f"{hint}remove the key or correct its spelling (see {PACKAGE_FILE})"


def _all_field_names() -> list[str]:
    models: list[type[BaseModel]] = [
        Norms,
        WorkingTime,
        CategoryNorms,
        RatioNorm,
        ServiceNorm,
        IndividualAllowance,
        Sourced,
    ]
    return sorted({name for m in models for name in m.model_fields})


_PROBLEMS = {"extra_forbidden": "is not a key the norms know", "missing": "is missing"}
_FIXES: dict[str, Callable[[list[str]], str]] = {
    "enum": lambda loc: "use one of the names listed",
    "literal_error": lambda loc: "use one of the values listed",
    "missing": lambda loc: f"add `{loc[-1]}` (see {PACKAGE_FILE} for an example)",
    "extra_forbidden": _unknown_key_fix,
    "float_parsing": lambda loc: "write a number without quotes",
    "float_type": lambda loc: "write a number without quotes",
    "int_parsing": lambda loc: "write a whole number without quotes",
    "model_type": lambda loc: 'write a table, e.g. { value = 1, source = "..." }',
    "dict_type": lambda loc: "write a table ([section] or { key = value })",
    "list_type": lambda loc: 'write a list of indicator names, e.g. ["gbv_cases"]',
    "too_short": lambda loc: "give at least one entry",
    "string_too_short": lambda loc: "give a non-empty name",
}


# --- indicators the norms need -----------------------------------------------------------------


def required_indicators(norms: Norms) -> dict[str, list[str]]:
    """Indicator name -> the norm keys that use it (only norms the category's method uses)."""
    uses: dict[str, list[str]] = {}
    for category, cat in norms.categories.items():
        prefix = f"categories.{category.value}"
        targets = [(f"ratios.{k}", r.target) for k, r in cat.ratios.items() if cat.uses_ratio]
        targets += [(f"services.{k}", s.target) for k, s in cat.services.items() if cat.uses_wisn]
        for key, names in targets:
            for indicator in names:
                uses.setdefault(indicator, []).append(f"{prefix}.{key}.target")
    return uses


def missing_indicators(norms: Norms, available: set[str]) -> list[str]:
    """Indicators the norms need that `available` lacks (sorted).

    `population` counts as available when the six population_* age/sex groups are.
    """
    have = set(available)
    if set(AGE_SEX_GROUPS) <= have:
        have.add(POPULATION)
    return sorted(set(required_indicators(norms)) - have)


def missing_indicator_problems(norms: Norms, available: set[str]) -> list[NormsProblem]:
    """One problem per missing indicator, naming the first norm key that needs it."""
    uses = required_indicators(norms)
    return [
        NormsProblem(
            uses[name][0], f"needs the indicator `{name}`, which the areas lack.", supply_fix(name)
        )
        for name in missing_indicators(norms, available)
    ]


def supply_fix(indicator: str) -> str:
    """How a planner supplies an indicator the norms need."""
    if indicator == WARDS:
        return "add a `wards` column: the number of wards in each area (1 when the areas are wards)"
    if indicator == POPULATION:
        return "import population figures, or the six population_* age/sex groups, for every area"
    return (
        f"import `{indicator}` for every area (ssp indicators import), or point the norm's "
        "`target` at an indicator you have"
    )
