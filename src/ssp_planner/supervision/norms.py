"""Supervision and mentoring norms: ratio, limits, session frequency by experience, matching.

Packaged defaults in `norms.toml` (every number with its source or marked an assumption),
overridden key by key by a user file; problems are reported together with key and fix.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ssp_planner.domain.vocabulary import Rank
from ssp_planner.projection.sourced import Sourced, bounded, config_error, digest, load_config

PACKAGE_FILE = "ssp_planner/supervision/norms.toml"
WHAT = "supervision norms"

Positive = Annotated[Sourced, bounded(0, None, strict_low=True, fix="set a number above 0")]
NonNegative = Annotated[Sourced, bounded(0, None, fix="set a number of 0 or more")]
WholePositive = Annotated[
    Sourced, bounded(1, None, whole=True, fix="set a whole number of 1 or more")
]
Steps = Annotated[Sourced, bounded(0, 3, fix="set 0 (same municipality) up to 3 (anywhere)")]
PerMonth = Annotated[
    Sourced, bounded(0, 31, fix="set sessions a month, 0-31 (0.5: every two months)")
]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Ratio(_Frozen):
    practitioners_per_supervisor: Positive
    max_supervisees: WholePositive
    supervised_ranks: list[Rank] = Field(min_length=1)


class Frequency(_Frozen):
    from_years: float = Field(ge=0)
    per_month: PerMonth


class Sessions(_Frozen):
    types: list[str] = Field(min_length=1)
    counted_types: list[str] = Field(min_length=1)
    min_minutes: NonNegative
    frequency: list[Frequency] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        unknown = sorted(set(self.counted_types) - set(self.types))
        if unknown:
            raise config_error(
                f"counted_types names {', '.join(unknown)}, which is not among types",
                "add it to types, or remove it from counted_types",
            )
        starts = [f.from_years for f in self.frequency]
        if starts[0] != 0 or any(b <= a for a, b in itertools.pairwise(starts)):
            raise config_error(
                f"frequency bands start at {starts}",
                "begin the first band at from_years = 0 and list the bands in increasing order",
            )
        return self


class Mentoring(_Frozen):
    new_within_months: WholePositive
    mentor_min_years: NonNegative
    capacity: WholePositive
    language_penalty: NonNegative
    km_per_step: Positive
    max_steps: Steps


class SupervisionNorms(_Frozen):
    version: str = Field(min_length=1, max_length=40)
    title: str = ""
    ratio: Ratio
    sessions: Sessions
    mentoring: Mentoring

    def digest(self) -> str:
        return digest(self)

    def per_month(self, years: float) -> float:
        """Sessions a month required after `years` of experience."""
        rate = self.sessions.frequency[0].per_month.value
        for band in self.sessions.frequency:
            if years >= band.from_years:
                rate = band.per_month.value
        return rate


def load_norms(user_file: Path | None = None) -> SupervisionNorms:
    """The packaged norms, overridden key by key by `user_file`."""
    return load_config(SupervisionNorms, _package_text(), PACKAGE_FILE, user_file, what=WHAT)


@lru_cache(maxsize=1)
def _package_text() -> str:
    return resources.files("ssp_planner.supervision").joinpath("norms.toml").read_text("utf-8")
