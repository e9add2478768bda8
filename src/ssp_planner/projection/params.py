"""Pipeline parameters: study, graduation, scholarships, hiring, attrition, retirement, demand.

The package ships defaults (`params.toml`), each number with its `source` or marked as an
assumption; a user file overrides them key by key (`load_params`). Everything a planner can get
wrong is checked before the model runs, and all problems are reported at once (`ConfigError`:
file, key, problem, fix): rates above 1, negative counts, lists of the wrong length, unknown
provinces, shares that do not add up to 1.
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ssp_planner.domain.vocabulary import Category, Sector
from ssp_planner.projection.sourced import (
    DEFAULT_SOURCE,
    ConfigError,
    Problem,
    Sourced,
    SourcedList,
    bounded,
    config_error,
    digest,
    load_config,
    merge,
    parse_toml,
    validate_config,
)

PACKAGE_FILE = "ssp_planner/projection/params.toml"
WHAT = "projection parameters"
# Province codes of South Africa (DESIGN.md); the service passes the stored ones instead.
DEFAULT_PROVINCES = ("EC", "FS", "GP", "KZN", "LP", "MP", "NC", "NW", "WC")
_FY = re.compile(r"^(\d{4})April$")

Rate = Annotated[Sourced, bounded(0, 1, fix="set a yearly share from 0 to 1 (0.05 is 5% a year)")]
Rates = Annotated[SourcedList, bounded(0, 1, fix="set every share from 0 to 1 (0.05 is 5% a year)")]
Share = Annotated[Sourced, bounded(0, 1, fix="set a share from 0 to 1")]
Count = Annotated[Sourced, bounded(0, None, fix="set a number of people, 0 or more")]
Rands = Annotated[Sourced, bounded(0, None, whole=True, fix="set whole rands, 0 or more")]
RandsList = Annotated[
    SourcedList, bounded(0, None, whole=True, fix="set whole rands a year, 0 or more")
]
Age = Annotated[Sourced, bounded(15, 80, whole=True, fix="set an age in whole years, 15-80")]
Years = Annotated[Sourced, bounded(0, 15, whole=True, fix="set whole years, 0-15")]
Spread = Annotated[Sourced, bounded(0, 15, strict_low=True, fix="set a spread in years above 0")]
Growth = Annotated[
    Sourced, bounded(-0.5, 1, fix="set a yearly growth rate from -0.5 to 1 (0.02 is 2% a year)")
]


def fy_of(day: date) -> int:
    """The South African financial year (April-March) that `day` falls in: 2026-11-25 -> 2026."""
    return day.year if day.month >= 4 else day.year - 1


def fy_label(year: int) -> str:
    """DHIS2's financial-year period string: 2026 -> '2026April'."""
    return f"{year}April"


def parse_fy(text: str) -> int:
    """'2026April' -> 2026; ValueError for anything else."""
    m = _FY.match(str(text).strip())
    if not m:
        raise ValueError(f"'{text}' is not an April financial year; write e.g. 2027April")
    return int(m[1])


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Ages(_Frozen):
    youngest: Age
    graduate_mean: Age
    graduate_sd: Spread


class Attrition(_Frozen):
    age_bands: list[int] = Field(min_length=1)
    emigration: Rates


class SectorParams(_Frozen):
    funded: bool
    retirement_age: Age
    new_post_share: Share
    resignation: Rates


class CategoryParams(_Frozen):
    study_years: int = Field(ge=1, le=8)
    intake: Count
    scholarship_intake: Count
    progression: Rates
    dropout: Rates
    cost_per_post: Rands
    unemployed: Count
    unemployed_scholarship: Count
    lapsed: Count

    @model_validator(mode="after")
    def _per_year_of_study(self) -> Self:
        n = self.study_years
        for name in ("progression", "dropout"):
            got = len(getattr(self, name).values)
            if got != n:
                raise config_error(
                    f"`{name}` has {got} values but study_years is {n}",
                    f"give one {name} share per year of study ({n} values)",
                )
        for y, (p, d) in enumerate(zip(self.progression.values, self.dropout.values, strict=True)):
            if p + d > 1 + 1e-9:
                raise config_error(
                    f"in year {y + 1} of study progression {p:g} + dropout {d:g} = {p + d:g} "
                    "is more than everyone",
                    "lower one of them so that the two add up to 1 or less (the rest repeat)",
                )
        return self


class Scholarship(_Frozen):
    obligation_years: Years
    breach_rate: Rate
    cost_per_student_year: Rands


class Pool(_Frozen):
    exit_rate: Rate


class Lapsed(_Frozen):
    reentry_rate: Rate
    exit_rate: Rate

    @model_validator(mode="after")
    def _at_most_everyone(self) -> Self:
        total = self.reentry_rate.value + self.exit_rate.value
        if total > 1 + 1e-9:
            raise config_error(
                f"reentry_rate + exit_rate = {total:g} is more than everyone",
                "lower one of them so that the two add up to 1 or less",
            )
        return self


class Hiring(_Frozen):
    fill_rate: Rate


class PlanEntry(_Frozen):
    """New funded posts in one financial year, province and category (an allocation plan)."""

    period: str
    province: str
    category: Category
    posts: float = Field(ge=0)
    sector: Sector = Sector.GOVERNMENT

    @field_validator("period")
    @classmethod
    def _period(cls, v: str) -> str:
        return _check_period(v)

    @field_validator("province")
    @classmethod
    def _province(cls, v: str, info: ValidationInfo) -> str:
        return check_province(v, info)


class Posts(_Frozen):
    budget_growth: Growth
    budget: RandsList
    plan: list[PlanEntry] = Field(default_factory=list)


class DemandPoint(_Frozen):
    period: str
    total: Count

    @field_validator("period")
    @classmethod
    def _period(cls, v: str) -> str:
        return _check_period(v)


class Demand(_Frozen):
    growth: Growth
    category_share: dict[Category, Share]
    path: list[DemandPoint] = Field(default_factory=list)


class Rural(_Frozen):
    rule: Literal["non_metro", "none"] = "non_metro"
    districts: list[str] = Field(default_factory=list)


def _check_period(v: str) -> str:
    try:
        parse_fy(v)
    except ValueError as exc:
        raise config_error(
            str(exc), "write the financial year as YYYYApril, e.g. 2027April"
        ) from None
    return v.strip()


def check_province(v: str, info: ValidationInfo) -> str:
    known = tuple((info.context or {}).get("provinces") or DEFAULT_PROVINCES)
    code = v.strip().upper()
    if code not in known:
        raise config_error(f"'{v}' is not a province code", f"use one of {', '.join(known)}")
    return code


class ProjectionParams(_Frozen):
    """All pipeline parameters of one version (see params.toml for the meaning of each)."""

    version: str = Field(min_length=1, max_length=40)
    title: str = ""
    price_year: int = Field(ge=2000, le=2100)
    horizon_years: int = Field(default=10, ge=1, le=50)
    ages: Ages
    attrition: Attrition
    sectors: dict[Sector, SectorParams] = Field(min_length=1)
    categories: dict[Category, CategoryParams]
    scholarship: Scholarship
    pool: Pool
    lapsed: Lapsed
    hiring: Hiring
    posts: Posts
    demand: Demand
    rural: Rural = Field(default_factory=Rural)
    province_share: dict[str, Share] = Field(default_factory=dict)

    @field_validator("province_share")
    @classmethod
    def _provinces(cls, v: dict[str, Sourced], info: ValidationInfo) -> dict[str, Sourced]:
        return {check_province(k, info): s for k, s in v.items()}

    def digest(self) -> str:
        return digest(self)

    @property
    def sector_list(self) -> list[Sector]:
        return list(self.sectors)

    @property
    def oldest(self) -> int:
        """The oldest age held in the stock: one below the highest retirement age."""
        return int(max(s.retirement_age.value for s in self.sectors.values())) - 1


# --- reading ------------------------------------------------------------------------------------


def load_params(
    user_file: Path | None = None, *, provinces: tuple[str, ...] | None = None
) -> ProjectionParams:
    """The packaged parameters, overridden key by key by `user_file`; every problem reported."""
    name = str(user_file) if user_file else PACKAGE_FILE
    context: dict[str, Any] = {"provinces": provinces or DEFAULT_PROVINCES}
    params = load_config(
        ProjectionParams, package_params_text(), PACKAGE_FILE, user_file, what=WHAT, context=context
    )
    return _checked(params, name)


def params_from_dict(
    override: dict[str, Any], *, name: str = "(override)", provinces: tuple[str, ...] | None = None
) -> ProjectionParams:
    """The packaged parameters overridden by `override` (as a user file would be): for
    scripts, tests and the web form."""
    merged = merge(parse_toml(package_params_text(), PACKAGE_FILE, WHAT), override)
    context = {"provinces": provinces or DEFAULT_PROVINCES, DEFAULT_SOURCE: f"set in {name}"}
    return _checked(
        validate_config(ProjectionParams, merged, name, what=WHAT, context=context), name
    )


def _checked(params: ProjectionParams, name: str) -> ProjectionParams:
    problems = cross_checks(params)
    if problems:
        raise ConfigError(name, problems, WHAT)
    return params


@lru_cache(maxsize=1)
def package_params_text() -> str:
    return resources.files("ssp_planner.projection").joinpath("params.toml").read_text("utf-8")


def cross_checks(p: ProjectionParams) -> list[Problem]:
    """Checks across sections (lengths, sums, ages) that one field cannot make alone."""
    return [
        *_band_checks(p),
        *_sector_checks(p),
        *_share_checks(p),
        *_missing_categories(p),
        *_path_checks(p),
    ]


def _band_checks(p: ProjectionParams) -> list[Problem]:
    bands, out = p.attrition.age_bands, []
    if any(b >= a for b, a in itertools.pairwise(bands)):
        out.append(
            Problem(
                "attrition.age_bands",
                f"{bands} do not increase.",
                "list the lower bound of each band in order, e.g. [20, 30, 40]",
            )
        )
    if bands[0] != int(p.ages.youngest.value):
        out.append(
            Problem(
                "attrition.age_bands",
                f"start at {bands[0]} but ages.youngest is {p.ages.youngest.value:g}.",
                "make the first band start at ages.youngest",
            )
        )
    if len(p.attrition.emigration.values) != len(bands):
        out.append(_length("attrition.emigration", len(p.attrition.emigration.values), len(bands)))
    return out


def _length(key: str, got: int, want: int) -> Problem:
    return Problem(
        key,
        f"has {got} values but attrition.age_bands has {want} bands.",
        f"give one value per age band ({want} values)",
    )


def _sector_checks(p: ProjectionParams) -> list[Problem]:
    out, bands = [], p.attrition.age_bands
    for sector, s in p.sectors.items():
        key = f"sectors.{sector.value}"
        res = s.resignation.values
        if len(res) != len(bands):
            out.append(_length(f"{key}.resignation", len(res), len(bands)))
        for b, (r, m) in enumerate(zip(res, p.attrition.emigration.values, strict=False)):
            if r + m > 1 + 1e-9:
                out.append(
                    Problem(
                        f"{key}.resignation",
                        f"in age band {bands[b]}+ resignation {r:g} + emigration {m:g} "
                        "is more than everyone.",
                        "lower one of them so that the two add up to 1 or less",
                    )
                )
        if s.retirement_age.value <= bands[-1]:
            out.append(
                Problem(
                    f"{key}.retirement_age",
                    f"is {s.retirement_age.value:g}, not above the last age band ({bands[-1]}).",
                    "raise the retirement age or lower the last age band",
                )
            )
        if not s.funded and s.new_post_share.value > 0:
            out.append(
                Problem(
                    f"{key}.new_post_share",
                    "is above 0 for a sector that is not funded.",
                    "set it to 0, or set funded = true",
                )
            )
    return out


def _share_checks(p: ProjectionParams) -> list[Problem]:
    out = []
    funded = [s.new_post_share.value for s in p.sectors.values() if s.funded]
    if funded and abs(sum(funded) - 1) > 1e-6:
        out.append(
            Problem(
                "sectors.*.new_post_share",
                f"the funded sectors' shares add up to {sum(funded):g}, not 1.",
                "make the shares of new posts add up to 1",
            )
        )
    shares = p.demand.category_share
    if set(shares) != set(Category):
        missing = ", ".join(sorted(c.value for c in set(Category) - set(shares)))
        out.append(
            Problem(
                "demand.category_share",
                f"has no share for {missing}.",
                "give every category a share",
            )
        )
    elif abs(sum(s.value for s in shares.values()) - 1) > 1e-6:
        out.append(
            Problem(
                "demand.category_share",
                f"adds up to {sum(s.value for s in shares.values()):g}, not 1.",
                "make the category shares add up to 1",
            )
        )
    prov = p.province_share
    if prov and abs(sum(s.value for s in prov.values()) - 1) > 1e-6:
        out.append(
            Problem(
                "province_share",
                f"adds up to {sum(s.value for s in prov.values()):g}, not 1.",
                "make the province shares add up to 1, or remove them to split by population",
            )
        )
    return out


def _missing_categories(p: ProjectionParams) -> list[Problem]:
    return [
        Problem(
            f"categories.{c.value}",
            "is missing.",
            f"add [categories.{c.value}] (see {PACKAGE_FILE})",
        )
        for c in Category
        if c not in p.categories
    ]


def _path_checks(p: ProjectionParams) -> list[Problem]:
    years = [parse_fy(pt.period) for pt in p.demand.path]
    if any(b <= a for a, b in itertools.pairwise(years)):
        return [
            Problem(
                "demand.path",
                "periods are not in increasing order.",
                "list the points from the earliest year to the latest",
            )
        ]
    return []
