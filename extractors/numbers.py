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

_COMMA_GROUPS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3}){1,12}(?:\.[0-9]{1,20})?")
_DOT_GROUPS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3}){2,12}")
_ONE_DOT_GROUP = re.compile(r"[1-9][0-9]{0,2}\.[0-9]{3}")
_INDIAN_GROUPS = re.compile(r"[0-9]{1,2}(?:,[0-9]{2}){1,6},[0-9]{3}(?:\.[0-9]{1,20})?")
_EURO_DECIMAL = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3}){1,12},[0-9]{1,20}")
_SPACE_GROUPS = re.compile(r"[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3}){1,12}(?:\.[0-9]{1,20})?")
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
    >>> parse_digits("1.111,11")
    (Decimal('1111.11'), ())
    >>> parse_digits("12a") is None
    True
    """
    text = surface.strip()
    warnings: tuple[str, ...] = ()
    if (
        _COMMA_GROUPS.fullmatch(text)
        or _SPACE_GROUPS.fullmatch(text)
        or (_INDIAN_GROUPS.fullmatch(text))
    ):
        cleaned = re.sub(r"[,\s\u00a0\u202f]", "", text)
    elif _EURO_DECIMAL.fullmatch(text):  # dots group thousands, the comma is the decimal point
        cleaned = text.replace(".", "").replace(",", ".")
    elif _DOT_GROUPS.fullmatch(text):
        cleaned, warnings = text.replace(".", ""), (DOT_SEPARATOR,)
    else:
        cleaned = text
        if _ONE_DOT_GROUP.fullmatch(text):
            warnings = (AMBIGUOUS_SEPARATOR,)
    if not re.fullmatch(r"[0-9]{0,60}(?:\.[0-9]{1,60})?", cleaned) or not cleaned:
        return None
    try:
        return Decimal(cleaned), warnings
    except InvalidOperation:
        return None


_VULGAR = {
    "½": "1/2",
    "⅓": "1/3",
    "⅔": "2/3",
    "¼": "1/4",
    "¾": "3/4",
    "⅕": "1/5",
    "⅖": "2/5",
    "⅗": "3/5",
    "⅘": "4/5",
    "⅙": "1/6",
    "⅚": "5/6",
    "⅛": "1/8",
    "⅜": "3/8",
    "⅝": "5/8",
    "⅞": "7/8",
}
_SCI = re.compile(r"([0-9]{1,4}(?:\.[0-9]{1,12})?)(?:[eE]|\s?[×xX*]\s?10\^?)([-+−]?[0-9]{1,3})")


def parse_special(surface: str) -> tuple[Decimal, tuple[str, ...]] | None:
    """Return (value, ()) for scientific notation, fractions and vulgar fractions, or None.

    >>> [float(parse_special(s)[0]) for s in ("1.3e6", "6.23x10^-4", "2 1/4", "3/4", "2½")]
    [1300000.0, 0.000623, 2.25, 0.75, 2.5]
    >>> float(parse_special("7 3 / 4")[0])
    7.75
    """
    text = surface.strip()
    sci = _SCI.fullmatch(text)
    if sci:
        exponent = int(sci.group(2).replace("−", "-"))
        return Decimal(sci.group(1)).scaleb(exponent), ()
    if text and text[-1] in _VULGAR:
        text = (text[:-1] + " " if text[:-1] else "") + _VULGAR[text[-1]]
    match = re.fullmatch(r"(?:([0-9]{1,3})(?:\s{1,2}|-))?([0-9]{1,3}) ?/ ?([0-9]{1,3})", text)
    if not match or int(match.group(3)) == 0:
        return None
    whole = Decimal(match.group(1) or 0)
    return whole + Decimal(match.group(2)) / Decimal(match.group(3)), ()


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
    if lowered in data["scale_aliases"]:
        return int(data["scale_aliases"][lowered])
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
    digits = re.fullmatch(r"([0-9]{1,9})(?:st|nd|rd|th)", text)
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


# --- number phrases: a small greedy parser over word and digit tokens -----------------------

WordToken = tuple[str, str, Decimal]  # (kind, lowered text, value)


def classify_word(word: str) -> WordToken | None:
    """Return the token kind of one word of a number phrase, or None when it is not one.

    >>> classify_word("twenty"), classify_word("Million")[0], classify_word("thirds")[0]
    (('tens', 'twenty', Decimal('20')), 'scale', 'frac')
    """
    data = tables()
    low = word.lower()
    parsed = parse_digits(low) if low[:1].isdigit() else None
    if parsed is not None:
        return "digit", low, parsed[0]
    if low in data["units"]:
        return "unit", low, Decimal(data["units"][low])
    if low in data["tens"]:
        return "tens", low, Decimal(data["tens"][low])
    if low == "hundred" or low == "hundreds":
        return "hundred", low, Decimal(100)
    if low in data["scales"] or low in data["scale_aliases"]:
        return "scale", low, Decimal(data["scales"].get(low, data["scale_aliases"].get(low)))
    if low in ("dozen", "dozens", "doz", "dozs", "dz", "dzs"):
        return "dozen", low, Decimal(12)
    if low in data["fractions"]:
        return "frac", low, Decimal(data["fractions"][low])
    if low in ("and", "a", "an", "point", "minus", "negative", "-", "—", "–", "&"):
        return low if low not in ("—", "–") else "-", low, Decimal(0)
    return None


def parse_phrase(tokens: list[WordToken], start: int = 0) -> tuple[Decimal, int] | None:
    """Return (value, tokens used) of the number phrase at ``tokens[start]``, or None.

    >>> def run(text):
    ...     toks = [classify_word(w) for w in text.split()]
    ...     found = parse_phrase(toks)
    ...     return None if found is None else (float(found[0]), found[1])
    >>> run("two hundred and fifty thousand"), run("twenty five thirty six")
    ((250000.0, 5), (25.0, 2))
    >>> run("five and a half million"), run("3 million and a half")
    ((5500000.0, 5), (3500000.0, 5))
    >>> run("two point two million"), run("minus ten"), run("two thirds")
    ((2200000.0, 4), (-10.0, 2), (0.6666666666666666, 2))
    >>> run("one and two"), run("hundred and five twenty two")
    ((1.0, 1), (105.0, 3))
    >>> run("half a dozen"), run("three lakh crore"), run("one hundred and three quarters")
    ((6.0, 3), (3000000000000.0, 3), (100.75, 5))
    >>> run("a quarter million"), run("three quarters billion"), run("a fifth")
    ((250000.0, 3), (750000000.0, 3), (0.2, 2))
    """
    state = _PhraseState()
    i = start
    if i < len(tokens) and tokens[i][0] in ("minus", "negative"):
        state.sign, i = Decimal(-1), i + 1
    while i < len(tokens):
        used = state.feed(tokens, i)
        if used == 0:
            break
        i += used
    if state.consumed == 0:
        return None
    return state.value(), i - start if state.consumed else 0


def _fraction_after_and(toks: list[WordToken], start: int) -> tuple[Decimal, int] | None:
    """Return (value, tokens) of a fraction phrase after "and" ("fifty-four hundredths")."""
    if start >= len(toks) or toks[start][0] not in ("unit", "tens"):
        return None
    found = parse_phrase(toks, start)
    if found is None or found[1] == 0 or toks[start + found[1] - 1][0] != "frac":
        return None
    return (found[0], found[1]) if 0 < found[0] < 1 else None


class _PhraseState:
    """Accumulator for ``parse_phrase``: total, current group and the last token kind."""

    def __init__(self) -> None:
        self.sign = Decimal(1)
        self.total = Decimal(0)
        self.current = Decimal(0)
        self.last: str | None = None
        self.last_scale = Decimal(0)
        self.consumed = 0
        self.fraction = Decimal(0)
        self.done = False

    def value(self) -> Decimal:
        return self.sign * (self.total + self.current + self.fraction)

    def _take(self, kind: str, count: int = 1) -> int:
        self.last, self.consumed = kind, self.consumed + count
        return count

    def feed(self, toks: list[WordToken], i: int) -> int:
        if self.done:
            return 0
        kind, _, value = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if kind in ("unit", "digit"):
            return self._number(kind, value)
        if kind == "tens":
            if self.last in ("unit", "tens", "digit") or self.current % 100:
                return 0
            self.current += value
            return self._take(kind)
        if kind == "hundred":
            if self.last == "hundred":
                return 0
            self.current = (self.current or Decimal(1)) * 100
            return self._take(kind)
        if kind == "scale":
            return self._scale(value)
        if kind == "dozen":
            self.current = (self.current or Decimal(1)) * 12
            return self._take(kind)
        if kind == "frac":
            return self._fraction(toks[i][1], value, nxt)
        if kind in ("a", "an"):
            return self._article(toks, i)
        if kind in ("and", "&"):
            return self._and(toks, i)
        if kind == "point":
            return self._point(toks, i)
        if kind == "-" and self.last == "tens" and nxt and nxt[0] == "unit" and nxt[2] < 10:
            return self._take("dash")
        return 0

    def _number(self, kind: str, value: Decimal) -> int:
        if self.last in ("unit", "digit"):
            return 0
        if self.last in ("tens", "dash"):
            if kind == "digit" or value >= 10 or self.current % 10:
                return 0
        elif self.last == "hundred" and self.current % 100 == 0 and value >= 100:
            return 0
        if kind == "digit" and self.last not in (None, "and") and value >= 100:
            return 0
        self.current += value
        return self._take("digit" if kind == "digit" else "unit")

    def _scale(self, value: Decimal) -> int:
        if self.last == "scale" and value > self.last_scale:
            self.total = (self.total + self.current) * value
            self.current, self.last_scale = Decimal(0), value
            return self._take("scale")
        if self.last_scale and value >= self.last_scale:
            return 0
        self.total += (self.current or Decimal(1)) * value
        self.current, self.last_scale = Decimal(0), value
        return self._take("scale")

    def _fraction(self, word: str, denominator: Decimal, nxt: WordToken | None) -> int:
        scaled_next = nxt is not None and nxt[0] in ("a", "an", "scale", "dozen", "hundred")
        if self.last in (None, "a") and not self.current and scaled_next:
            self.current = 1 / denominator  # "half a dozen", "quarter million"
            return self._take("half")
        singular = not word.endswith("s") and word != "half"
        if singular and self.current != 1 and not (nxt and nxt[0] == "scale"):
            return 0  # "twenty-fifth" is an ordinal, "twenty-fifths" a fraction
        if self.last in ("unit", "tens", "digit", "hundred", "scale") and (
            self.current or self.total
        ):
            if scaled_next and nxt is not None and nxt[0] == "scale" and not self.total:
                self.current = self.current / denominator  # "three quarters billion"
                return self._take("half")
            # "one hundred thirty two fifths" = 132/5: the whole number is the numerator
            self.total, self.current = (self.total + self.current) / denominator, Decimal(0)
            self.done = True
            return self._take("frac")
        return 0

    def _article(self, toks: list[WordToken], i: int) -> int:
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if nxt is None or self.last not in (None, "and", "half"):
            return 0
        if nxt[0] in ("hundred", "scale", "dozen"):
            if self.last == "half":
                return self._take("half")
            self.current = Decimal(1) if self.last is None else self.current
            return self._take("a")
        if nxt[0] == "frac" and i + 2 < len(toks) and toks[i + 2][0] == "scale":
            return self._take("a")  # "a quarter million"
        if nxt[0] == "frac" and self.last is None:
            self.fraction += 1 / nxt[2]
            self.done = True
            return self._take("frac", 2)
        return 0

    def _and(self, toks: list[WordToken], i: int) -> int:
        rest = toks[i + 1 : i + 3]
        if not rest or self.last not in ("hundred", "scale", "unit", "tens", "digit"):
            return 0
        if rest[0][0] in ("a", "an", "unit") and len(rest) > 1 and rest[1][0] == "frac":
            if rest[0][0] == "unit" and rest[0][2] >= rest[1][2]:
                return 0
            numerator = Decimal(1) if rest[0][0] in ("a", "an") else rest[0][2]
            return self._and_fraction(toks, i, numerator / rest[1][2])
        tail = _fraction_after_and(toks, i + 1)
        if tail is not None:
            self.fraction += tail[0]
            self.done = True
            return self._take("frac", tail[1] + 1)
        joinable = self.last in ("hundred", "scale") and rest[0][0] in ("unit", "tens", "digit")
        after = rest[1][0] if len(rest) > 1 else None
        blocked = after == "hundred" and self.last == "hundred"  # "3 hundred and 2 hundred"
        if joinable and (self.last == "scale" or rest[0][2] < 100) and not blocked:
            return self._take("and")
        return 0

    def _and_fraction(self, toks: list[WordToken], i: int, part: Decimal) -> int:
        """ "five and a half (million)", "3 million and a half", "one billion and a half million"."""
        scale = toks[i + 3][2] if i + 3 < len(toks) and toks[i + 3][0] == "scale" else None
        self.done = True
        if scale is not None and (self.last != "scale" or scale < self.last_scale):
            if self.last == "scale":
                self.total += part * scale
            else:
                self.total += (self.current + self.fraction + part) * scale
                self.current, self.fraction = Decimal(0), Decimal(0)
            self.last_scale = scale
            return self._take("scale", 4)
        if self.last == "scale" and not self.current:
            self.total += part * self.last_scale
        else:
            self.fraction += part
        return self._take("frac", 3)

    def _point(self, toks: list[WordToken], i: int) -> int:
        if self.last not in ("unit", "tens", "digit", "hundred"):
            return 0
        digits, j = "", i + 1
        while j < len(toks) and toks[j][0] in ("unit", "digit") and toks[j][2] < 10:
            digits += str(int(toks[j][2]))
            j += 1
        if not digits and j < len(toks) and toks[j][0] in ("tens", "digit", "unit"):
            whole = toks[j][2]
            j += 1
            if toks[j : j + 1] and toks[j][0] == "-":
                j += 1
            if toks[j : j + 1] and toks[j][0] == "unit" and toks[j][2] < 10:
                whole += toks[j][2]
                j += 1
            digits = str(whole).replace(".", "")
        if not digits:
            return 0
        self.current += Decimal("0." + digits)
        return self._take("digit", j - i)
