"""Name cleaning, phonetic keys and nicknames: what makes 'THULI N.' findable as 'Nokuthula'.

Lists spell the same person differently: capitals or not, accents dropped ('Elsabe'), initials
instead of given names, a nickname, 'Dhlamini' for 'Dlamini'. Every function here is pure and
cached (the same few thousand names repeat across tens of thousands of rows).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from importlib import resources

_NOT_LETTER = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")
_INITIAL_SPLIT = re.compile(r"[\s.]+")

# Soundex consonant classes; vowels, h, w and y carry no code (so 'Dhlamini' = 'Dlamini').
_SOUND_CLASS = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower case, accents dropped, anything but letters turned into single spaces."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SPACES.sub(" ", _NOT_LETTER.sub(" ", ascii_text.lower())).strip()


@lru_cache(maxsize=1 << 16)
def is_initials(text: str) -> bool:
    """'N.G.', 'N G' or 'N': given names written as initials only.

    'NG' without dots is read as a name: payroll exports are often in capitals, and 'NEO' is a name.
    """
    parts = [p for p in _INITIAL_SPLIT.split(text.strip()) if p]
    return bool(parts) and all(len(p) == 1 and p.isalpha() for p in parts)


@lru_cache(maxsize=1 << 16)
def initials_of(text: str) -> str:
    """'Nomvula Grace' and 'N.G.' both give 'ng'."""
    return "".join(word[0] for word in fold(text).split())


@lru_cache(maxsize=1 << 16)
def phonetic_key(text: str) -> str:
    """A Soundex-style key over the whole name (not cut to four characters, first letter coded).

    Keeping every consonant class tells long Nguni names apart, and coding the first letter makes
    'Phiri'/'Firi' and 'Khumalo'/'Cumalo' agree.
    """
    out: list[str] = []
    last = ""
    for ch in fold(text).replace(" ", ""):
        code = _SOUND_CLASS.get(ch, "")
        if code and code != last:
            out.append(code)
        if ch not in "hw":  # h and w do not separate repeats, as in Soundex
            last = code
    return "".join(out)


@lru_cache(maxsize=1)
def nickname_table() -> dict[str, frozenset[str]]:
    """Folded first name -> the full names it can stand for (itself included for full names)."""
    text = resources.files("ssp_planner.linkage").joinpath("nicknames.csv").read_text("utf-8")
    table: dict[str, set[str]] = {}
    for rec in csv.DictReader(text.splitlines()):
        name, nick = fold(rec["name"]), fold(rec["nickname"])
        table.setdefault(nick, {nick}).add(name)
        table.setdefault(name, {name})
    return {k: frozenset(v) for k, v in table.items()}


@lru_cache(maxsize=1 << 16)
def name_aliases(first_name: str) -> tuple[str, ...]:
    """'thuli' -> ('nokuthula', 'thuli', 'thulisile'): the names a nickname can stand for."""
    return tuple(sorted(nickname_table().get(first_name, frozenset({first_name}))))


@lru_cache(maxsize=1 << 12)
def nicknames_of(full_name: str) -> tuple[str, ...]:
    """The nicknames listed for a full first name (used by the synthetic generator)."""
    key = fold(full_name)
    return tuple(sorted(n for n, names in nickname_table().items() if key in names and n != key))
