"""Number helpers: digits and separators, scale words, number phrases, fractions, ordinals."""

from __future__ import annotations

import doctest
from decimal import Decimal

import pytest

from extractors import context, masks, numbers, phrases, units
from extractors.numbers import classify_word, parse_digits, parse_phrase, parse_special


@pytest.mark.parametrize("module", [numbers, units, context, phrases, masks])
def test_doctests_pass(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("surface", "value", "warnings"),
    [
        ("1,031,100", "1031100", ()),
        ("96.77", "96.77", ()),
        ("148.600", "148.600", ("ambiguous_thousands_separator",)),
        ("1.234.567", "1234567", ("dot_thousands_separator",)),
        ("12,34,567.89", "1234567.89", ()),
        ("1\u202f234\u202f567.89", "1234567.89", ()),
        ("40 000", "40000", ()),
        ("0.5", "0.5", ()),
    ],
)
def test_parse_digits(surface: str, value: str, warnings: tuple[str, ...]) -> None:
    assert parse_digits(surface) == (Decimal(value), warnings)


@pytest.mark.parametrize("surface", ["", "abc", "1,2,3", "1..2", "12a"])
def test_parse_digits_refuses_non_numbers(surface: str) -> None:
    assert parse_digits(surface) is None


@pytest.mark.parametrize(
    ("surface", "value"),
    [("1e10", 1e10), ("-12e-1", None), ("2.48×10−5", 2.48e-5), ("1/4", 0.25), ("⅔", 2 / 3)],
)
def test_parse_special(surface: str, value: float | None) -> None:
    parsed = parse_special(surface)
    if value is None:
        assert parsed is None
    else:
        assert parsed is not None and float(parsed[0]) == pytest.approx(value, rel=1e-12)


def _phrase(text: str) -> list[float]:
    tokens = [classify_word(word) for word in text.replace("-", " ").split()]
    assert all(token is not None for token in tokens), text
    values, index = [], 0
    while index < len(tokens):
        found = parse_phrase(tokens, index)  # type: ignore[arg-type]
        if found is None or found[1] == 0:
            index += 1
            continue
        values.append(float(found[0]))
        index += found[1]
    return values


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("three million", [3e6]),
        ("two hundred and fifty thousand", [250000]),
        ("one hundred twenty three", [123]),
        ("twenty five thirty six", [25, 36]),
        ("one two and three", [1, 2, 3]),
        ("hundred and five twenty two million", [105, 22e6]),
        ("two and a half million", [2.5e6]),
        ("one million and a half", [1.5e6]),
        ("half a dozen", [6]),
        ("a quarter million", [250000]),
        ("three lakh crore", [3e12]),
        ("two point zero three", [2.03]),
        ("two point seventy one", [2.71]),
        ("minus ten", [-10]),
        ("two thirds", [2 / 3]),
        ("one hundred and three quarters", [100.75]),
        ("two and fifty four hundredths", [2.54]),
        ("4 thousand 3 hundred and 21", [4321]),
        ("3 hundred and 2 hundred", [300, 200]),
    ],
)
def test_parse_phrase(text: str, values: list[float]) -> None:
    assert _phrase(text) == pytest.approx(values, rel=1e-12)


def test_words_to_number_and_fraction_value() -> None:
    assert numbers.words_to_number("a dozen") == 12
    assert numbers.words_to_number("thirty-five") == 35
    assert numbers.words_to_number("apples") is None
    assert numbers.fraction_value("two-thirds") == 0.6667
    assert numbers.fraction_value("two people") is None


@pytest.mark.parametrize(
    ("surface", "value"),
    [("12th", 12), ("1st", 1), ("twenty-first", 21), ("third", 3), ("hundredth", 100)],
)
def test_ordinal_value(surface: str, value: int) -> None:
    assert numbers.ordinal_value(surface) == value


@pytest.mark.parametrize(
    ("word", "scale"),
    [
        ("billion", 10**9),
        ("bn", 10**9),
        ("b", 10**9),
        ("M", 10**6),
        ("mn", 10**6),
        ("k", 1000),
        ("K", 1000),
        ("lakh", 10**5),
        ("crore", 10**7),
        ("Trillion", 10**12),
    ],
)
def test_scale_of(word: str, scale: int) -> None:
    assert numbers.scale_of(word) == scale


def test_scaled_has_no_binary_noise() -> None:
    assert numbers.scaled(Decimal("1.32"), 10**9) == 1_320_000_000.0
    assert numbers.scaled(Decimal("3.49"), 10**12) == 3_490_000_000_000.0
