"""Bad input: no crash, no hang, and text[start:end] == surface for every figure."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import extract_figures
from extractors.candidates import find_candidates

NEWSY = st.sampled_from(
    [
        "1,031,100",
        "$5.2bn",
        "96.77%",
        " per cent",
        "£10 and 16 billion",
        "two-thirds",
        "12th",
        "between",
        " and ",
        "-",
        "–",
        "1.",
        "..",
        ",",
        " rose ",
        " fell ",
        "last year",
        "2012",
        "COVID-19",
        "\n",
        "  ",
        "½",
        "x10^",
        "e-",
        "US$",
        "yuan",
        "km2",
        "°C",
        "one in five",
        "more than",
        "up by ",
        " or ",
        "(",
        ")",
        "🙂",
        "中文",
        "١٢٣",
        "Ⅻ",
        "\u00a0",
        "\u202f",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=2_000),
    st.lists(NEWSY, max_size=400).map("".join),
    st.binary(max_size=2_000).map(lambda b: b.decode("utf-8", errors="replace")),
    # a run of one piece repeated: separators, signs and digits in long rows
    st.tuples(NEWSY, st.integers(50, 3_000)).map(lambda p: p[0] * p[1]),
)


def _check(text: str, published: str | None = None) -> None:
    for figure in extract_figures(text, published):
        assert text[figure.start : figure.end] == figure.surface
        assert figure.start < figure.end
        assert figure.value == figure.value  # not NaN


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.sampled_from([None, "2025-07-14", "not a date", "0000-00-00"]))
def test_random_text_never_breaks_the_invariant(text: str, published: str | None) -> None:
    _check(text, published)


@settings(max_examples=300, deadline=None)
@given(st.lists(NEWSY, max_size=80).map("".join))
def test_candidate_spans_stay_inside_the_text(text: str) -> None:
    found = find_candidates(text)
    for cand in found:
        assert 0 <= cand.start < cand.end <= len(text)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\x01\x02\xff\ufffd" * 1000,
        "1" * 100_000,
        "1," * 500_000,
        "." * 1_000_000,
        "1 " * 200_000,
        "-1" * 100_000,
        "1:" * 100_000,
        "| 1 | 2 |\n" * 20_000,
        "中文 🙂 ١٢٣ Ⅻ 12 " * 2_000,
        "It rose 5% to $3bn. " * 500,
    ],
    ids=[
        "empty",
        "garbage",
        "digits",
        "commas",
        "dots",
        "spaced-digits",
        "signs",
        "colons",
        "table-rows",
        "scripts",
        "repeated-news",
    ],
)
def test_bad_inputs(text: str) -> None:
    _check(text, "2025-07-14")


def test_five_megabyte_single_line() -> None:
    # one line, no sentence end: spaCy only ever sees bounded pieces of it
    filler = "word " * 200
    line = "The fund grew 3.2% to 1.5 billion yuan while 7,000 fewer people joined " + filler
    line = (line * (5_000_000 // len(line) + 1))[:5_000_000]
    assert "\n" not in line and len(line) == 5_000_000
    figures = extract_figures(line)
    assert figures[0].surface == "3.2%" and len(figures) > 10_000
    for figure in figures:
        assert line[figure.start : figure.end] == figure.surface
        assert figure.sentence_end is not None and figure.sentence_end - figure.start < 2_000
