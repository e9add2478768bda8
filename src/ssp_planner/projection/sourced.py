"""Figures with their provenance, read from TOML: shared by the projection parameters and the
supervision norms.

Every default number says where it comes from: `source = "..."` for a published figure,
`assumption = true` for a placeholder the user must set. A user file overrides the packaged
defaults key by key; a bare number there (`fill_rate = 0.9`) is recorded as "set in <file>".
Bad files raise `ConfigError`, naming the file, every bad key, the problem and the fix at once.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from ssp_planner.errors import SSPError

DEFAULT_SOURCE = "default_source"  # validation context key: provenance of bare numbers
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a configuration file: where, what, and how to put it right."""

    key: str
    problem: str
    fix: str


class ConfigError(SSPError):
    """A parameters or norms file that cannot be used; lists every problem with key and fix."""

    def __init__(self, file: str, problems: Sequence[Problem], what: str = "parameters") -> None:
        self.file = file
        self.problems = list(problems)
        lines = [f"- {p.key}: {p.problem} Fix: {p.fix}" for p in self.problems]
        count = f"{len(self.problems)} problem" + ("s" if len(self.problems) != 1 else "")
        super().__init__("\n".join([f"{file}: {count} in the {what}:", *lines]))


class _Provenance(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str | None = None
    assumption: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _has_provenance(self) -> Self:
        if not self.source and not self.assumption:
            raise PydanticCustomError(
                "config",
                "has neither `source` nor `assumption = true`",
                {"fix": PROVENANCE_FIX.format(value=self._shown())},
            )
        return self

    def _shown(self) -> str:
        return "..."


class Sourced(_Provenance):
    """One number and where it comes from."""

    value: float

    @model_validator(mode="before")
    @classmethod
    def _bare(cls, data: Any, info: ValidationInfo) -> Any:
        return _wrap_bare(data, info, "value", lambda d: _is_number(d))

    def _shown(self) -> str:
        return f"{self.value:g}"


class SourcedList(_Provenance):
    """A list of numbers (one per age band or year of study) and where they come from."""

    values: list[float]

    @model_validator(mode="before")
    @classmethod
    def _bare(cls, data: Any, info: ValidationInfo) -> Any:
        is_list = isinstance(data, list) and all(_is_number(v) for v in data)
        return _wrap_bare(data, info, "values", lambda _d: is_list)

    def _shown(self) -> str:
        return "[" + ", ".join(f"{v:g}" for v in self.values) + "]"


PROVENANCE_FIX = (
    'write {{ value = {value}, source = "where the figure comes from" }}, '
    "or {{ value = {value}, assumption = true }} if it is your own estimate"
)


def _is_number(data: Any) -> bool:
    return isinstance(data, int | float) and not isinstance(data, bool)


def _wrap_bare(data: Any, info: ValidationInfo, field: str, bare: Any) -> Any:
    """A user file may write `key = 0.9`: recorded as set in that file; the package may not."""
    default = (info.context or {}).get(DEFAULT_SOURCE)
    if bare(data):
        if default:
            return {field: data, "source": default}
        shown = f"{data:g}" if _is_number(data) else str(data)
        raise PydanticCustomError(
            "config",
            "is a bare number {value}, without its source",
            {"value": shown, "fix": PROVENANCE_FIX.format(value=shown)},
        )
    provenance = isinstance(data, dict) and (data.get("source") or data.get("assumption"))
    if isinstance(data, dict) and default and not provenance:
        return {**data, "source": default}
    return data


def bounded(
    low: float, high: float | None, *, fix: str, strict_low: bool = False, whole: bool = False
) -> AfterValidator:
    """A check that every number of a Sourced/SourcedList lies in [low, high]."""

    def check(x: Sourced | SourcedList) -> Sourced | SourcedList:
        values = [x.value] if isinstance(x, Sourced) else x.values
        for i, v in enumerate(values):
            ok = math.isfinite(v) and (v > low if strict_low else v >= low)
            ok = ok and (high is None or v <= high) and (not whole or float(v).is_integer())
            if not ok:
                where = "" if isinstance(x, Sourced) else f"value {i + 1} of the list "
                raise PydanticCustomError(
                    "config",
                    "{where}is {value} but must be {bound}",
                    {
                        "where": where,
                        "value": f"{v:g}",
                        "bound": _bound(low, high, strict_low, whole),
                        "fix": fix,
                    },
                )
        return x

    return AfterValidator(check)


def _bound(low: float, high: float | None, strict: bool, whole: bool) -> str:
    text = ("a whole number " if whole else "") + (
        f"above {low:g}" if strict else f"at least {low:g}"
    )
    return text + (f" and at most {high:g}" if high is not None else "")


def config_error(message: str, fix: str) -> PydanticCustomError:
    """A validation error whose message and fix reach the user as they are written."""
    return PydanticCustomError(
        "config", message.replace("{", "{{").replace("}", "}}"), {"fix": fix}
    )


def digest(model: BaseModel) -> str:
    """sha256 of the canonical JSON: the same configuration always gives the same digest."""
    body = json.dumps(model.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


# --- reading ------------------------------------------------------------------------------------


def load_config(
    model: type[M],
    package_text: str,
    package_name: str,
    user_file: Path | None,
    *,
    what: str = "parameters",
    context: dict[str, Any] | None = None,
) -> M:
    """The packaged defaults, overridden key by key by `user_file` when given."""
    base = parse_toml(package_text, package_name, what)
    if user_file is None:
        return validate_config(model, base, package_name, what=what, context=context)
    name = str(user_file)
    try:
        text = Path(user_file).read_text("utf-8")
    except OSError as exc:
        problem = Problem("(file)", f"cannot be read: {exc.strerror or exc}.", "check the path")
        raise ConfigError(name, [problem], what) from exc
    merged = merge(base, parse_toml(text, name, what))
    ctx = {**(context or {}), DEFAULT_SOURCE: f"set in {Path(name).name}"}
    return validate_config(model, merged, name, what=what, context=ctx)


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge `override` into `base`; a table holding `value(s)` replaces the whole figure."""
    out = dict(base)
    for key, new in override.items():
        old = out.get(key)
        figure = isinstance(new, dict) and ("value" in new or "values" in new)
        if isinstance(old, dict) and isinstance(new, dict) and not figure:
            out[key] = merge(old, new)
        else:
            out[key] = new
    return out


def parse_toml(text: str, file_name: str, what: str = "parameters") -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        fix = "correct the line named; strings need quotes, tables are written [a.b]"
        raise ConfigError(
            file_name, [Problem("(syntax)", f"is not valid TOML: {exc}.", fix)], what
        ) from exc


def validate_config(
    model: type[M],
    data: dict[str, Any],
    file_name: str,
    *,
    what: str = "parameters",
    context: dict[str, Any] | None = None,
) -> M:
    try:
        return model.model_validate(data, context=context or {})
    except ValidationError as exc:
        problems = [explain(e, model, file_name) for e in exc.errors()]
        raise ConfigError(file_name, problems, what) from exc


def explain(error: ErrorDetails, model: type[BaseModel], file_name: str) -> Problem:
    """Turn one pydantic error into a key path, a problem and a fix a planner can act on."""
    loc = [f"[{p}]" if isinstance(p, int) else str(p) for p in error["loc"] if p != "[key]"]
    key = ".".join(loc).replace(".[", "[") or "(top level)"
    ctx = error.get("ctx") or {}
    if error["type"] == "config":
        return Problem(key, error["msg"] + ".", str(ctx["fix"]))
    got = error.get("input")
    shown = f" (got {got!r})" if isinstance(got, str | int | float | bool) else ""
    problem = _PROBLEMS.get(error["type"], error["msg"]) + shown + "."
    if error["type"] == "extra_forbidden":
        return Problem(key, problem, _unknown_key_fix(loc, model))
    return Problem(key, problem, _FIXES.get(error["type"], "compare with the packaged defaults"))


def _unknown_key_fix(loc: list[str], model: type[BaseModel]) -> str:
    near = difflib.get_close_matches(loc[-1], sorted(_field_names(model)), n=1, cutoff=0.5)
    hint = f"did you mean `{near[0]}`? " if near else ""
    return f"{hint}remove the key or correct its spelling (see the packaged defaults)"


def _field_names(model: type[BaseModel], seen: set[type] | None = None) -> set[str]:
    """Every field name of `model` and the models nested in it."""
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    names = set(model.model_fields)
    for field in model.model_fields.values():
        for sub in _models_in(field.annotation):
            names |= _field_names(sub, seen)
    return names


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models_in(arg)]


_PROBLEMS = {"extra_forbidden": "is not a key the file may have", "missing": "is missing"}
_FIXES = {
    "enum": "use one of the names listed",
    "literal_error": "use one of the values listed",
    "missing": "add it (see the packaged defaults for an example)",
    "float_parsing": "write a number without quotes",
    "float_type": "write a number without quotes",
    "int_parsing": "write a whole number without quotes",
    "int_type": "write a whole number without quotes",
    "int_from_float": "write a whole number",
    "greater_than_equal": "raise the number",
    "less_than_equal": "lower the number",
    "model_type": 'write a table, e.g. { value = 1, source = "..." }',
    "dict_type": "write a table ([section] or { key = value })",
    "list_type": "write a list, e.g. [1, 2]",
    "string_type": 'write text in quotes, e.g. "EC"',
    "bool_type": "write true or false",
    "too_short": "give at least one entry",
    "union_tag_invalid": "use one of the kinds listed",
    "union_tag_not_found": "add kind = retention, scholarships, absorption, new_posts or demand",
    "less_than": "lower the number",
    "greater_than": "raise the number",
}
