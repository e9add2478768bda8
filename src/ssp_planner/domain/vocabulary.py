"""SSP categories, ranks and employer sectors, and the spellings people type for them.

Spreadsheets from provinces and NPOs write "SW", "Social Worker" or "CYCW"; `parse_*` maps those
to one canonical value so that every count downstream uses the same words (DESIGN.md vocabulary).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, TypeVar


class Category(StrEnum):
    SOCIAL_WORKER = "social_worker"
    SOCIAL_AUXILIARY_WORKER = "social_auxiliary_worker"
    CHILD_YOUTH_CARE_WORKER = "child_youth_care_worker"
    AUXILIARY_CHILD_YOUTH_CARE_WORKER = "auxiliary_child_youth_care_worker"
    COMMUNITY_DEVELOPMENT_PRACTITIONER = "community_development_practitioner"

    @property
    def label(self) -> str:
        return _LABELS[self]


class Rank(StrEnum):
    PRACTITIONER = "practitioner"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"


class Sector(StrEnum):
    GOVERNMENT = "government"
    NPO = "npo"
    PRIVATE = "private"


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"


_LABELS = {
    Category.SOCIAL_WORKER: "Social worker",
    Category.SOCIAL_AUXILIARY_WORKER: "Social auxiliary worker",
    Category.CHILD_YOUTH_CARE_WORKER: "Child and youth care worker",
    Category.AUXILIARY_CHILD_YOUTH_CARE_WORKER: "Auxiliary child and youth care worker",
    Category.COMMUNITY_DEVELOPMENT_PRACTITIONER: "Community development practitioner",
}

_CATEGORY_ALIASES: dict[str, Category] = {
    "sw": Category.SOCIAL_WORKER,
    "social work": Category.SOCIAL_WORKER,
    "saw": Category.SOCIAL_AUXILIARY_WORKER,
    "social auxiliary": Category.SOCIAL_AUXILIARY_WORKER,
    "auxiliary social worker": Category.SOCIAL_AUXILIARY_WORKER,
    "cycw": Category.CHILD_YOUTH_CARE_WORKER,
    "child youth care worker": Category.CHILD_YOUTH_CARE_WORKER,
    "child and youth care worker": Category.CHILD_YOUTH_CARE_WORKER,
    "acycw": Category.AUXILIARY_CHILD_YOUTH_CARE_WORKER,
    "auxiliary cycw": Category.AUXILIARY_CHILD_YOUTH_CARE_WORKER,
    "auxiliary child and youth care worker": Category.AUXILIARY_CHILD_YOUTH_CARE_WORKER,
    "cdp": Category.COMMUNITY_DEVELOPMENT_PRACTITIONER,
    "community development": Category.COMMUNITY_DEVELOPMENT_PRACTITIONER,
    "community development worker": Category.COMMUNITY_DEVELOPMENT_PRACTITIONER,
    "cdw": Category.COMMUNITY_DEVELOPMENT_PRACTITIONER,
}

_RANK_ALIASES: dict[str, Rank] = {
    "practitioner": Rank.PRACTITIONER,
    "staff": Rank.PRACTITIONER,
    "supervisor": Rank.SUPERVISOR,
    "social work supervisor": Rank.SUPERVISOR,
    "manager": Rank.MANAGER,
    "social work manager": Rank.MANAGER,
}

_SECTOR_ALIASES: dict[str, Sector] = {
    "govt": Sector.GOVERNMENT,
    "gov": Sector.GOVERNMENT,
    "public": Sector.GOVERNMENT,
    "public sector": Sector.GOVERNMENT,
    "dsd": Sector.GOVERNMENT,
    "ngo": Sector.NPO,
    "npo": Sector.NPO,
    "non profit": Sector.NPO,
    "nonprofit": Sector.NPO,
    "non profit organisation": Sector.NPO,
    "private sector": Sector.PRIVATE,
}

_SEX_ALIASES: dict[str, Sex] = {
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "woman": Sex.FEMALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "man": Sex.MALE,
}


E = TypeVar("E", bound=StrEnum)


def normalise_word(text: str) -> str:
    """Fold case, '&' and punctuation so that 'Child & Youth-Care Worker' matches its alias."""
    text = text.strip().lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _lookup(text: str, enum: type[E], aliases: dict[str, E]) -> E | None:
    key = normalise_word(text)
    for member in enum:
        if key in (normalise_word(member.value), normalise_word(member.name)):
            return member
        if hasattr(member, "label") and key == normalise_word(member.label):
            return member
    return aliases.get(key)


def parse_category(text: str) -> Category | None:
    """'SW', 'Social Worker', 'social_worker' -> Category.SOCIAL_WORKER; None if unknown."""
    return _lookup(text, Category, _CATEGORY_ALIASES)


def parse_rank(text: str) -> Rank | None:
    return _lookup(text, Rank, _RANK_ALIASES)


def parse_sector(text: str) -> Sector | None:
    return _lookup(text, Sector, _SECTOR_ALIASES)


def parse_sex(text: str) -> Sex | None:
    return _lookup(text, Sex, _SEX_ALIASES)


def allowed_spellings(enum: type[StrEnum]) -> list[str]:
    """Canonical values first, then accepted aliases: for templates and error messages."""
    table: dict[type[StrEnum], dict[str, Any]] = {
        Category: _CATEGORY_ALIASES,
        Rank: _RANK_ALIASES,
        Sector: _SECTOR_ALIASES,
        Sex: _SEX_ALIASES,
    }
    aliases = table[enum]
    return [m.value for m in enum] + sorted(aliases)
