"""Printed precision: the interval a printed figure stands for."""

from __future__ import annotations

import doctest
import math

import pytest

import warehouse.precision
from warehouse.precision import printed_interval, printed_step

CASES = [
    # surface, value, approx, low, high
    ("1.6 percent", 1.6, "exact", 1.55, 1.65),
    ("1.03 million", 1.03e6, "exact", 1.025e6, 1.035e6),
    ("1,031,100", 1031100, "exact", 1031050, 1031150),
    ("96%", 96, "exact", 95.5, 96.5),
    ("96.77%", 96.77, "exact", 96.765, 96.775),
    ("$487 billion", 487e9, "exact", 486.5e9, 487.5e9),
    ("3.49 trillion yuan", 3.49e12, "exact", 3.485e12, 3.495e12),
    ("exceeds 1.03 million", 1.03e6, "over", 1.025e6, math.inf),
    ("almost 253 million", 253e6, "under", -math.inf, 253.5e6),
    ("about 187.9 million", 187.9e6, "about", 187.85e6 - 0.05 * 187.9e6, 187.95e6 + 0.05 * 187.9e6),
    ("148,6", 148.6, "exact", 148.55, 148.65),  # comma as decimal mark
]


@pytest.mark.parametrize(
    ("surface", "value", "approx", "low", "high"), CASES, ids=[c[0] for c in CASES]
)
def test_printed_interval(surface: str, value: float, approx: str, low: float, high: float) -> None:
    _, got_low, got_high = printed_interval(surface, value, approx)
    assert got_low == pytest.approx(low) and got_high == pytest.approx(high)


def test_a_value_the_numeral_does_not_explain_gets_three_significant_digits() -> None:
    assert printed_step("1/4", 0.25) == pytest.approx(0.001)
    assert printed_step("a quarter", 0.25) == pytest.approx(0.1)  # a number word: one digit


def test_doctests() -> None:
    result = doctest.testmod(warehouse.precision)
    assert result.attempted > 0 and result.failed == 0
