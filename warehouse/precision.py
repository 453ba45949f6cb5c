"""Printed precision: the interval of values a printed figure can stand for.

"1.6 percent" stands for anything in [1.55, 1.65]; "1.03 million" for [1.025, 1.035] million;
"173,000" was probably rounded to the thousand; "about" widens the interval; "over" and "under"
leave one side open. The checks compare these intervals, so a statement is only called wrong
when no reading of its printed numbers makes it true.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

# relative widening for "about", "around", "roughly", "nearly"
ABOUT_WIDENING = 0.05

_NUMERAL = re.compile(r"\d+(?:[.,\u00a0\u202f ]\d+)*")


def _is_power_of_ten(ratio: float) -> bool:
    if ratio <= 0 or not math.isfinite(ratio):
        return False
    exponent = math.log10(ratio)
    return abs(exponent - round(exponent)) < 1e-6


def _reading(numeral: str, decimal: str) -> tuple[float, int] | None:
    """Return (number, decimals) of a numeral read with ``decimal`` as the decimal mark."""
    thousands = "," if decimal == "." else "."
    cleaned = re.sub(r"[\u00a0\u202f ]", "", numeral).replace(thousands, "")
    if cleaned.count(decimal) > 1:
        return None
    decimals = len(cleaned.split(decimal)[1]) if decimal in cleaned else 0
    try:
        return float(cleaned.replace(decimal, ".")), decimals
    except ValueError:
        return None


def printed_step(surface: str, value: float) -> float:
    """Return the unit of the last printed digit, in the units of ``value``.

    >>> printed_step("1.6 percent", 1.6)
    0.1
    >>> printed_step("1.03 million", 1_030_000.0)
    10000.0
    >>> printed_step("173,000", 173_000.0)
    1000.0
    >>> printed_step("13503", 13503.0)
    1.0
    >>> printed_step("148.600", 148_600.0)   # dot as thousands separator: exact to the unit
    1.0
    >>> printed_step("$487 billion", 487e9)
    1000000000.0
    >>> printed_step("two", 2.0)
    1.0
    """
    magnitude = abs(value)
    match = _NUMERAL.search(surface)
    if match is None or magnitude == 0:
        # a number word ("two", "a dozen"): one significant digit
        return 10.0 ** math.floor(math.log10(magnitude)) if magnitude else 1.0
    for decimal in (".", ","):
        reading = _reading(match.group(0), decimal)
        if reading is None or reading[0] == 0:
            continue
        number, decimals = reading
        scale = magnitude / number
        if not _is_power_of_ten(scale):
            continue
        step = scale * 10.0 ** (-decimals)
        if decimals == 0 and number >= 1000:
            digits = str(int(number))
            step *= 10.0 ** (len(digits) - len(digits.rstrip("0")))
        return float(f"{step:.12g}")
    # the numeral does not explain the value: assume three significant digits
    return 10.0 ** (math.floor(math.log10(magnitude)) - 2)


@lru_cache(maxsize=65536)  # surfaces repeat ("95%", "2,000"): a hit skips the parsing
def printed_interval(
    surface: str, value: float, approx: str = "exact"
) -> tuple[float, float, float]:
    """Return (step, low, high): the values the printed figure can stand for.

    Open sides are infinite. A negative value is a signed change: "over" widens its magnitude.

    >>> printed_interval("1.6 percent", 1.6)
    (0.1, 1.55, 1.65)
    >>> printed_interval("over 1.32 billion", 1.32e9, "over")[1:]
    (1315000000.0, inf)
    >>> printed_interval("about 100", 100.0, "about")
    (1.0, 94.5, 105.5)
    >>> printed_interval("more than 300", -300.0, "over")[1:]
    (-inf, -299.5)
    """
    step = printed_step(surface, value)
    half = step / 2
    low, high = value - half, value + half
    if approx == "about":
        widen = ABOUT_WIDENING * abs(value)
        low, high = low - widen, high + widen
    elif approx in ("over", "at_least"):
        low, high = (low, math.inf) if value >= 0 else (-math.inf, high)
    elif approx in ("under", "at_most"):
        low, high = (-math.inf, high) if value >= 0 else (low, math.inf)
    return step, round(low, 12), round(high, 12)
