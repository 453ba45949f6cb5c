"""Currencies, percent forms and physical units, read from ``extractors/data/units.json``.

The tables are data; this module only compiles them into anchored regular expressions.
Every alternation is a plain list of literals, so matching is linear in the input.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True, slots=True)
class UnitMatch:
    """A unit or currency read next to a number: its end offset, unit code and figure kind."""

    start: int
    end: int
    unit: str
    kind: str
    surface: str


@lru_cache(maxsize=1)
def unit_tables() -> dict[str, Any]:
    """Return the unit tables (loaded once from data/units.json)."""
    with open(DATA_DIR / "units.json", encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    """Return the context lexicon (qualifiers, change words, identifier prefixes)."""
    with open(DATA_DIR / "lexicon.json", encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def alternation(words: list[str]) -> str:
    """Return a trie-shaped regex matching any of ``words``, preferring the longest.

    Python's ``re`` tries the branches of a flat alternation one by one at every position;
    a trie shares prefixes, so the candidate pass stays fast with hundreds of unit words.
    A space in a word matches one or two spaces.

    >>> alternation(["km", "km2", "kg"])
    'k(?:g|m(?:2)?)'
    >>> bool(re.fullmatch(alternation(["per cent", "percent"]), "per  cent"))
    True
    """
    trie: dict[str, Any] = {}
    for word in set(words):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _emit(trie)


def _emit(node: dict[str, Any]) -> str:
    branches = []
    for char in sorted(k for k in node if k):
        atom = r"[\s\u00a0]{1,2}" if char == " " else re.escape(char)
        branches.append(atom + _emit(node[char]))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


_alternation = alternation


@lru_cache(maxsize=1)
def prefix_regex() -> re.Pattern[str]:
    """Return the regex of currency prefixes that end right before a number ("US$", "£", "RMB ")."""
    data = unit_tables()
    prefixes = [p for p in data["currency_prefixes"] if p not in data["weak_prefixes"]]
    prefixes += [c for c in data["iso_codes"] if c not in prefixes]
    prefixes = [p for p in prefixes if p not in data["word_codes"]]  # "ALL 5 solutions"
    return re.compile(rf"(?<![A-Za-z])(?:{_alternation(prefixes)})[\s\u00a0]{{0,1}}$")


@lru_cache(maxsize=1)
def _suffix_regex() -> re.Pattern[str]:
    data = unit_tables()
    sensitive = set(data["case_sensitive"])
    words = list(data["percent"]) + list(data["currency_words"]) + list(data["physical"])
    loose = [w for w in words if w not in sensitive]
    exact = [w for w in words if w in sensitive] + list(data["iso_codes"])
    exact += [c for c in data["currency_prefixes"] if c.isalpha() and c.isupper()]
    body = rf"(?i:{_alternation(loose)})|(?-i:{_alternation(exact)})"
    return re.compile(rf"(?P<gap>[\s\u00a0]{{0,2}}|-)(?P<unit>{body})(?![A-Za-z0-9])")


def _classify(word: str) -> tuple[str, str] | None:
    data = unit_tables()
    key = re.sub(r"[\s\u00a0]+", " ", word)
    lowered = key.lower()
    if key in data["case_sensitive"] and key in data["physical"]:
        return data["physical"][key], "measure"
    if lowered in data["percent"]:
        unit = data["percent"][lowered]
        return unit, ("percent" if unit == "percent" else "percentage_point")
    if key in data["iso_codes"]:
        return key, "money"
    if key in data["currency_prefixes"] and key.isupper():
        return data["currency_prefixes"][key], "money"
    if lowered in data["currency_words"]:
        return data["currency_words"][lowered], "money"
    if key in data["physical"]:
        return data["physical"][key], "measure"
    if lowered in data["physical"]:
        return data["physical"][lowered], "measure"
    return None


def unit_after(text: str, pos: int) -> UnitMatch | None:
    """Return the unit, percent sign or currency word that starts at ``pos``, or None.

    >>> unit_after("3.49 trillion yuan ($487", 13)
    UnitMatch(start=14, end=18, unit='CNY', kind='money', surface='yuan')
    >>> unit_after("96.77%,", 5).unit
    'percent'
    >>> unit_after("12 km2 of land", 2).unit
    'km2'
    >>> unit_after("12 people", 2) is None
    True
    """
    match = _suffix_regex().match(text, pos, min(len(text), pos + 40))
    if not match or (match.group("gap") == "-" and match.group("unit") == "%"):
        return None
    word = match.group("unit")
    found = _classify(word)
    if found is None:
        return None
    if "\n" in match.group("gap"):
        return None
    if match.group("gap") and word in unit_tables()["glued_only"]:
        return None
    return UnitMatch(match.start("unit"), match.end(), found[0], found[1], word)


def currency_before(text: str, pos: int) -> tuple[int, str] | None:
    """Return (start, ISO code) of a currency prefix ending at ``pos``, or None.

    >>> currency_before("revenue of US$5.2bn", 14)
    (11, 'USD')
    >>> currency_before("costs £10", 7)
    (6, 'GBP')
    >>> currency_before("RMB 5 billion", 4)
    (0, 'CNY')
    """
    window_start = max(0, pos - 12)
    match = prefix_regex().search(text, window_start, pos)
    if not match:
        return None
    symbol = match.group(0).rstrip()
    code = unit_tables()["currency_prefixes"].get(symbol)
    if code is None and symbol in unit_tables()["iso_codes"]:
        code = symbol
    return (match.start(), code) if code else None


@dataclass(frozen=True, slots=True)
class ScaledCode:
    """An ISO code with a scale letter before it ("MUSD", "kEUR"): span, code and scale."""

    start: int
    end: int
    code: str
    scale: int


@lru_cache(maxsize=1)
def _scaled_code_regexes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    data = unit_tables()
    body = (
        rf"(?P<scale>{_alternation(list(data['code_scales']))})"
        rf"(?P<code>{_alternation(data['iso_codes'])})"
    )
    after = re.compile(rf"[\s\u00a0]{{0,2}}{body}(?![A-Za-z0-9])")
    before = re.compile(rf"(?<![A-Za-z0-9]){body}[\s\u00a0]?$")
    return after, before


def scaled_code_after(text: str, pos: int) -> ScaledCode | None:
    """Return the scaled ISO code ("30 MUSD": millions of USD) starting at ``pos``, or None.

    >>> scaled_code_after("losses of 30 MUSD were", 12)
    ScaledCode(start=13, end=17, code='USD', scale=1000000)
    >>> scaled_code_after("30 MUSIC", 2) is None
    True
    """
    match = _scaled_code_regexes()[0].match(text, pos, min(len(text), pos + 8))
    if match is None:
        return None
    scale = unit_tables()["code_scales"][match.group("scale")]
    return ScaledCode(match.start("scale"), match.end(), match.group("code"), int(scale))


def scaled_code_before(text: str, pos: int) -> ScaledCode | None:
    """Return the scaled ISO code ending right before ``pos`` ("MAUD 60"), or None.

    >>> scaled_code_before("revenues of MAUD 60", 17)
    ScaledCode(start=12, end=16, code='AUD', scale=1000000)
    """
    match = _scaled_code_regexes()[1].search(text, max(0, pos - 7), pos)
    if match is None:
        return None
    scale = unit_tables()["code_scales"][match.group("scale")]
    return ScaledCode(match.start(), match.end("code"), match.group("code"), int(scale))


@lru_cache(maxsize=1)
def glued_prefix_regex() -> re.Pattern[str]:
    """Return the regex of letter currency prefixes glued to a number ("CHF3.04", "RM42")."""
    data = unit_tables()
    letters = [
        p for p in data["currency_prefixes"] if p[:1].isalpha() and p not in data["weak_prefixes"]
    ]
    letters += data["iso_codes"]
    return re.compile(rf"(?:{_alternation(letters)})[0-9]")


def is_ambiguous_currency(word: str) -> bool:
    """Return True for currency words that need a scale or money context ("won", "pounds")."""
    return word.lower() in set(unit_tables()["ambiguous_currency_words"])
