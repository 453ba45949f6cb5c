"""extract_figures / extract_many / figures_frame on the case file fixtures/extract_cases.jsonl.

Each case lists every figure of its text (surface, value, unit, kind and, where it matters,
approx, period, change, warnings) and the spans that must not be figures. Known misses stay
in the file with an "xfail" reason and run as strict xfails.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from extractors import extract_figures, extract_many, figures_frame
from extractors.records import Figure

CASES_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "extract_cases.jsonl"
CASES = [json.loads(line) for line in CASES_FILE.read_text(encoding="utf-8").splitlines() if line]


def _param(case: dict[str, Any]) -> Any:
    marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if case.get("xfail") else []
    return pytest.param(case, id=case["id"], marks=marks)


def _find(figures: list[Figure], surface: str, used: set[int]) -> int:
    for index, figure in enumerate(figures):
        if figure.surface == surface and index not in used:
            return index
    raise AssertionError(f"no figure {surface!r}; got {[f.surface for f in figures]}")


def _check_figure(figures: list[Figure], index: int, expected: dict[str, Any]) -> None:
    figure = figures[index]
    label = expected["surface"]
    assert figure.value == pytest.approx(expected["value"], rel=1e-9), label
    assert (figure.unit, figure.kind) == (expected["unit"], expected["kind"]), label
    for key in ("approx", "period", "measure", "entity"):
        if key in expected:
            assert getattr(figure, key) == expected[key], f"{label}: {key}"
    if "warnings" in expected:
        assert list(figure.warnings) == expected["warnings"], label
    if "change" in expected:
        assert figure.change is not None, label
        for key, value in expected["change"].items():
            assert getattr(figure.change, key) == value, f"{label}: change.{key}"


def _occurrences(text: str, surface: str) -> list[tuple[int, int]]:
    pattern = rf"(?<![\w.]){re.escape(surface)}(?![\w])"
    return [(m.start(), m.end()) for m in re.finditer(pattern, text)]


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    text = case["text"]
    figures = extract_figures(text, case.get("published"))
    used: set[int] = set()
    for expected in case["expect"]:
        index = _find(figures, expected["surface"], used)
        used.add(index)
        _check_figure(figures, index, expected)
    extra = [f.surface for i, f in enumerate(figures) if i not in used]
    assert not extra, f"unexpected figures {extra}"
    for surface in case.get("absent", []):
        for start, end in _occurrences(text, surface):
            assert not [f for f in figures if f.start < end and start < f.end], surface
    for figure in figures:
        assert text[figure.start : figure.end] == figure.surface


def test_case_file_is_varied() -> None:
    groups = {c["group"] for c in CASES}
    assert {"scale", "words", "cur", "pct", "unit", "mult", "range", "approx", "change"} <= groups
    assert {"period", "ordinal", "not"} <= groups
    assert len(CASES) >= 90


@pytest.mark.parametrize(
    "published",
    [date(2025, 7, 14), datetime(2025, 7, 14, 19, 33), "2025-07-14", "2025-07-14 19:33"],
)
def test_published_accepts_dates_datetimes_and_strings(published: object) -> None:
    figures = extract_figures("Revenue was $5 billion last year.", published)  # type: ignore[arg-type]
    assert [f.period for f in figures] == ["2024"]


def test_unreadable_publication_date_leaves_relative_periods_open() -> None:
    assert [f.period for f in extract_figures("It cost $5 billion last year.", "soon")] == [None]


def test_extract_many_keeps_input_order_across_batches() -> None:
    texts = [(f"Sales rose {i + 1}% to ${i + 2} billion.", None) for i in range(40)]
    texts.insert(7, ("", None))
    texts.insert(20, ("No numbers here.", None))
    results = list(extract_many(texts, batch_size=4))
    assert len(results) == len(texts)
    assert results[7] == [] and results[20] == []
    for (text, _), figures in zip(texts, results, strict=True):
        for figure in figures:
            assert text[figure.start : figure.end] == figure.surface
    assert [f.value for f in results[0]] == [1.0, 2e9]
    assert [f.value for f in results[-1]] == [40.0, 41e9]


def test_extract_many_equals_extract_figures() -> None:
    texts = [c["text"] for c in CASES[:30]]
    many = list(extract_many((t, "2025-07-14") for t in texts))
    one = [extract_figures(t, "2025-07-14") for t in texts]
    assert many == one


def test_figures_frame_has_one_row_per_figure() -> None:
    docs = [
        ("a", "Almost 253 million people joined in 2024, up by 3.96 million.", None),
        ("b", "Nothing to count.", None),
        ("c", "Revenue was $5 billion last year.", "2025-07-14"),
    ]
    frame = figures_frame(docs)
    assert list(frame["doc_id"]) == ["a", "a", "c"]
    assert list(frame["surface"]) == ["253 million", "3.96 million", "$5 billion"]
    assert list(frame["change_direction"])[1] == "up"
    assert frame.loc[2, "period"] == "2024"
    assert frame.loc[0, "sentence"].startswith("Almost 253 million")
    # a change's base is the index of the figure it changes, an integer column with gaps
    assert str(frame["change_base"].dtype) == "Int64"
    assert frame.loc[1, "change_base"] == 0 and frame["change_base"].isna()[0]


def test_sentence_offsets_hold_the_figure() -> None:
    text = "First line has 5 apples.\nSecond line: Mr. Li said 30% rose. Then 7 more."
    for figure in extract_figures(text):
        assert figure.sentence_start is not None and figure.sentence_end is not None
        sentence = text[figure.sentence_start : figure.sentence_end]
        assert figure.surface in sentence
        assert "\n" not in sentence


def test_blank_pipeline_still_reads_values_without_context() -> None:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    text = "Almost 253 million people joined the nation's maternity insurance in 2024."
    figures = extract_figures(text, nlp=nlp)
    assert [(f.surface, f.value, f.approx, f.period) for f in figures] == [
        ("253 million", 253e6, "under", "2024")
    ]
    assert figures[0].measure is None and figures[0].entity is None


def test_measure_and_entity_come_from_the_parse() -> None:
    text = (
        "In Tianjin, there are 8,837 institutes that have gained certificates for long-term "
        "care services, and the number of participants in the national basic medical insurance "
        "system surpassed 1.32 billion."
    )
    figures = {f.surface: f for f in extract_figures(text)}
    assert figures["8,837"].measure == (
        "institutes that have gained certificates for long-term care services"
    )
    assert figures["8,837"].entity == "Tianjin"
    assert figures["1.32 billion"].measure == (
        "participants in the national basic medical insurance system"
    )


def test_threads_share_the_pipeline_safely() -> None:
    # Prefect may run extraction tasks in threads over the one cached spaCy pipeline
    import threading

    texts = [(c["text"], "2025-07-14") for c in CASES]
    expected = list(extract_many(texts))
    results: dict[int, list[list[Figure]]] = {}

    def run(index: int) -> None:
        results[index] = list(extract_many(texts))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[i] for i in range(3)] == [expected] * 3


def test_missing_model_falls_back_to_blank_pipeline_and_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from extractors.figures import load_nlp

    with caplog.at_level("WARNING", logger="extractors.figures"):
        nlp = load_nlp("no_such_spacy_model_for_newsfacts")
        again = load_nlp("no_such_spacy_model_for_newsfacts")
    assert nlp is again and nlp.pipe_names == ["sentencizer"]
    assert len([r for r in caplog.records if "not installed" in r.getMessage()]) == 1
    figures = extract_figures("Revenue rose 5% to $3 billion last year.", "2025-01-02", nlp=nlp)
    assert [(f.surface, f.value, f.period) for f in figures] == [
        ("5%", 5.0, "2024"),
        ("$3 billion", 3e9, "2024"),
    ]


def test_a_dump_of_numbers_is_read_without_context() -> None:
    # a flattened list of 100 numbers in one "sentence": values only, no parse (linear cost)
    dump = "Lottery results " + ", ".join(str(n) for n in range(101, 201)) + "."
    text = "Almost 253 million people joined maternity insurance in 2024.\n" + dump
    figures = extract_figures(text)
    assert figures[0].measure == "maternity insurance"
    listed = figures[1:]
    assert [f.value for f in listed] == [float(n) for n in range(101, 201)]
    assert all(f.measure is None and f.entity is None for f in listed)
