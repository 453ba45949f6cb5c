"""The regex candidate pass on its own: values, units, masks, and the unit tables as data."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from extractors.candidates import find_candidates
from extractors.units import alternation, currency_before, unit_after, unit_tables

CASES_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "extract_cases.jsonl"
CASES = [json.loads(line) for line in CASES_FILE.read_text(encoding="utf-8").splitlines() if line]
# the candidate pass gives values before context: a change is not signed yet
UNSIGNED = [c for c in CASES if not c.get("xfail") and c["group"] != "change"]


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in UNSIGNED])
def test_candidates_read_the_values_of_every_case(case: dict) -> None:
    text = case["text"]
    found = {(text[c.start : c.end], round(abs(c.value), 9)) for c in find_candidates(text)}
    for expected in case["expect"]:
        assert (expected["surface"], round(abs(expected["value"]), 9)) in found, expected


def test_candidates_never_overlap_and_are_sorted() -> None:
    text = " ".join(c["text"] for c in CASES)
    found = find_candidates(text)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))


@pytest.mark.parametrize(
    "text",
    [
        "COVID-19",
        "G20",
        "Boeing 737",
        "Tokyo 2020",
        "1024*768",
        "0108263",
        "Registration Number: 130349",
        "in 2012",
        "Copyright 1995",
        "2025-07-14 19:33",
        "won 6-2",
        "the 2019-20 season",
        "at 2 pm",
        "the 1990s",
        "5G networks",
        "one of the",
    ],
)
def test_not_figures(text: str) -> None:
    assert find_candidates(text) == []


def test_every_unit_in_the_tables_is_read_after_a_number() -> None:
    tables = unit_tables()
    words = list(tables["physical"]) + list(tables["percent"])
    words = [w for w in words if w not in tables["glued_only"]]
    words += [w for w in tables["currency_words"] if w not in tables["glued_only"]]
    missing = []
    for word in words:
        text = f"5 {word} here"
        match = unit_after(text, 1)
        if match is None or text[match.start : match.end].lower() != word.lower():
            missing.append(word)
    # ambiguous words ("won", "real") need a scale; one-letter symbols only glue ("50p")
    assert set(missing) <= set(tables["ambiguous_currency_words"]) | {"°"}, missing


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("US$5", "USD"),
        ("HK$5", "HKD"),
        ("£5", "GBP"),
        ("€5", "EUR"),
        ("₹5", "INR"),
        ("RMB 5", "CNY"),
        ("Rs.5", "INR"),
        ("CHF5", "CHF"),
        ("KWD 5", "KWD"),
    ],
)
def test_currency_prefixes(text: str, code: str) -> None:
    found = currency_before(text, len(text) - 1)
    assert found is not None and found[1] == code


def test_alternation_prefers_the_longest_word() -> None:
    import re

    pattern = re.compile(alternation(["km", "km2", "kilometres", "kilometre"]))
    assert pattern.match("km2").group(0) == "km2"
    assert pattern.match("kilometres").group(0) == "kilometres"


@pytest.mark.parametrize(
    "text",
    [
        "1" * 100_000,
        "1," * 50_000,
        "." * 100_000,
        "1." * 50_000,
        "$" * 50_000 + "5",
        "one " * 25_000,
        "a " * 50_000,
        "- " * 50_000 + "5",
        "1 " * 50_000,
        "¥" * 30_000,
    ],
)
def test_pathological_inputs_finish(text: str) -> None:
    # no timing is asserted; a catastrophic regex would make this test hang
    for cand in find_candidates(text):
        assert 0 <= cand.start < cand.end <= len(text)
