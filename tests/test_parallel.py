"""Extraction on worker processes: the same figures as one process, in the input's order."""

from __future__ import annotations

from datetime import date

from extractors import extract_many
from extractors.parallel import default_processes, extract_parallel

TEXTS = [
    ("Over 1.32 billion people were insured at the end of last year.", date(2025, 7, 14)),
    ("", None),
    ("Exports rose 7.1% to $3.4 trillion last year.", date(2025, 1, 2)),
    ("No figures here at all.", None),
    ("In 2012, 1,031,100 people took part, 173,000 more than in 2012.", None),
    ("Revenue hit $5.2bn, up by 3.96 million or 1.6 percent year-on-year.", "2024-03-01"),
    ("Between 20 and 30 percent of the 148.600 students passed.", None),
]


def _dicts(results):
    return [[f.to_dict() for f in figures] for figures in results]


def test_worker_processes_give_the_same_figures_in_the_same_order():
    expected = _dicts(extract_many(TEXTS))
    assert any(expected) and not expected[1]  # the cases do hold figures, and an empty text
    # chunks of two documents over two workers: several chunks in flight, finishing in any order
    assert _dicts(extract_parallel(TEXTS, processes=2, chunk=2)) == expected
    # a generator input is read as it goes
    assert _dicts(extract_parallel(iter(TEXTS), processes=2, chunk=3)) == expected


def test_one_process_is_extract_many_and_no_input_is_no_output():
    assert _dicts(extract_parallel(TEXTS[:3], processes=1)) == _dicts(extract_many(TEXTS[:3]))
    assert list(extract_parallel([], processes=2)) == []
    assert default_processes() >= 1
