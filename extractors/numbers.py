"""Number reading: digits, separators, scale words and suffixes, number words, fractions.

Pure helpers, no regex search over whole texts (that is ``candidates.py``). The word tables
live in ``extractors/data/numbers.json``.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
AMBIGUOUS_SEPARATOR = "ambiguous_thousands_separator"
DOT_SEPARATOR = "dot_thousands_separator"

_COMMA_GROUPS = re.compile(r"\d{1,3}(?:,\d{3}){1,12}(?:\.\d{1,20})?")
_DOT_GROUPS = re.compile(r"\d{1,3}(?:\.\d{3}){2,12}")
_ONE_DOT_GROUP = re.compile(r"[1-9]\d{0,2}\.\d{3}")
_SPACE_GROUPS = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3}){1,12}(?:\.\d{1,20})?")
_WORD_SPLIT = re.compile(r"[\s\-]+")


@lru_cache(maxsize=1)
def tables() -> dict[str, Any]:
    """Return the number-word tables (loaded once from data/numbers.json)."""
    with open(DATA_DIR / "numbers.json", encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def to_float(number: Decimal) -> float:
    """Return a float without binary noise for values that have a short decimal form.

    >>> to_float(Decimal("1.32") * Decimal(10**9))
    1320000000.0
    """
    return float(number)


def parse_digits(surface: str) -> tuple[Decimal, tuple[str, ...]] | None:
    """Return (value, warnings) for a digit string with separators, or None if it is not one.

    >>> parse_digits("1,031,100")
    (Decimal('1031100'), ())
    >>> parse_digits("96.77")
    (Decimal('96.77'), ())
    >>> parse_digits("148.600")
    (Decimal('148.600'), ('ambiguous_thousands_separator',))
    >>> parse_digits("1.234.567")
    (Decimal('1234567'), ('dot_thousands_separator',))
    >>> parse_digits("1 000 000")
    (Decimal('1000000'), ())
    >>> parse_digits("12a") is None
    True
    """
    text = surface.strip()
    warnings: tuple[str, ...] = ()
    if _COMMA_GROUPS.fullmatch(text) or _SPACE_GROUPS.fullmatch(text):
        cleaned = re.sub(r"[,\s\u00a0\u202f]", "", text)
    elif _DOT_GROUPS.fullmatch(text):
        cleaned, warnings = text.replace(".", ""), (DOT_SEPARATOR,)
    else:
        cleaned = text
        if _ONE_DOT_GROUP.fullmatch(text):
            warnings = (AMBIGUOUS_SEPARATOR,)
    if not re.fullmatch(r"\d{0,60}(?:\.\d{1,60})?", cleaned) or not cleaned:
        return None
    try:
        return Decimal(cleaned), warnings
    except InvalidOperation:
        return None


def scale_of(word: str) -> int | None:
    """Return the multiplier of a scale word or suffix, or None.

    >>> scale_of("billion"), scale_of("bn"), scale_of("K"), scale_of("crore")
    (1000000000, 1000000000, 1000, 10000000)
    >>> scale_of("apples") is None
    True
    """
    data = tables()
    if word in data["scale_suffixes"]:
        return int(data["scale_suffixes"][word])
    lowered = word.lower()
    for key in ("scales", "scale_suffixes"):
        if lowered in data[key]:
            return int(data[key][lowered])
    return None


def words_to_number(phrase: str) -> Decimal | None:
    """Return the value of an English number phrase, or None when it is not one.

    >>> words_to_number("three million")
    Decimal('3000000')
    >>> words_to_number("two hundred and fifty thousand")
    Decimal('250000')
    >>> words_to_number("thirty-five")
    Decimal('35')
    >>> words_to_number("a dozen")
    Decimal('12')
    >>> words_to_number("one hundred twenty three")
    Decimal('123')
    >>> words_to_number("and") is None
    True
    """
    data = tables()
    words = [w for w in _WORD_SPLIT.split(phrase.lower().strip()) if w]
    total, current, seen = Decimal(0), Decimal(0), False
    for index, word in enumerate(words):
        if word == "and" and seen:
            continue
        if word in ("a", "an") and index == 0:
            current, seen = Decimal(1), False
            continue
        if word in data["units"] or word in data["tens"]:
            current += Decimal(data["units"].get(word, data["tens"].get(word)))
        elif word in data["groups"]:
            current = (current or Decimal(1)) * Decimal(data["groups"][word])
        elif word == "hundred":
            current = (current or Decimal(1)) * 100
        elif word in data["scales"]:
            total += (current or Decimal(1)) * Decimal(data["scales"][word])
            current = Decimal(0)
        else:
            return None
        seen = True
    return total + current if seen else None


def fraction_value(phrase: str) -> float | None:
    """Return a fraction phrase as a ratio rounded to 4 places, or None.

    >>> fraction_value("two-thirds"), fraction_value("three quarters"), fraction_value("one half")
    (0.6667, 0.75, 0.5)
    >>> fraction_value("two people") is None
    True
    """
    parts = [p for p in _WORD_SPLIT.split(phrase.lower().strip()) if p]
    if len(parts) != 2:
        return None
    data = tables()
    numerator = {"a": 1, "an": 1, **data["units"]}.get(parts[0])
    denominator = data["fractions"].get(parts[1])
    if numerator is None or denominator is None or numerator == 0:
        return None
    return round(numerator / denominator, 4)


def ordinal_value(surface: str) -> int | None:
    """Return the value of an ordinal ("12th", "twenty-first", "third"), or None.

    >>> ordinal_value("12th"), ordinal_value("twenty-first"), ordinal_value("third")
    (12, 21, 3)
    >>> ordinal_value("12") is None
    True
    """
    text = surface.lower().strip()
    digits = re.fullmatch(r"(\d{1,9})(?:st|nd|rd|th)", text)
    if digits:
        return int(digits.group(1))
    data = tables()
    parts = [p for p in _WORD_SPLIT.split(text) if p]
    if not parts or parts[-1] not in data["ordinals"]:
        return None
    head = words_to_number(" ".join(parts[:-1])) if len(parts) > 1 else Decimal(0)
    if head is None:
        return None
    last = data["ordinals"][parts[-1]]
    if last >= 100 and head:
        return int(head * last)
    return int(head + last)


def scaled(value: Decimal, scale: int | None) -> float:
    """Return value times scale as a float (Decimal arithmetic: no 1320000000.0000002).

    >>> scaled(Decimal("1.32"), 10**9), scaled(Decimal("96.77"), None)
    (1320000000.0, 96.77)
    """
    return to_float(value * scale) if scale else to_float(value)
