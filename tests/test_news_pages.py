"""Hand-annotated real news pages: every annotation valid, our value F1 held per batch."""

from __future__ import annotations

import json
import math
import sys
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import news_pages
from benchmarks.scoring import Counts

FLOORS = json.loads((ROOT / "benchmarks" / "floors.json").read_text())
ANNOTATIONS = news_pages.load_annotations()
KEYS = {"id", "batch", "host", "topic", "body_sha256", "published", "figures", "ignore"}
BATCHES = (1, 2)  # 1: annotated in 0ef51ae; 2: a second held-out batch, annotated later


def _params():
    return [pytest.param(a, id=f"{a['id'][:8]}-{a['host']}") for a in ANNOTATIONS]


@pytest.fixture(scope="module")
def bodies() -> dict[str, str]:
    found = news_pages.load_bodies()
    if found is None:
        pytest.skip("../shared/html_bench is not available")
    return found


# ---- the annotation file on its own ----------------------------------------------------------


def test_annotations_are_big_and_varied():
    figures = sum(len(a["figures"]) for a in ANNOTATIONS)
    assert len(ANNOTATIONS) >= 20 and figures >= 300
    assert len({a["id"] for a in ANNOTATIONS}) == len(ANNOTATIONS)
    assert len({a["host"] for a in ANNOTATIONS}) >= 15
    assert len({a["topic"] for a in ANNOTATIONS}) >= 15


@pytest.mark.parametrize("annotation", _params())
def test_annotation_line_is_valid(annotation):
    assert set(annotation) == KEYS
    assert annotation["batch"] in BATCHES
    assert len(annotation["body_sha256"]) == 64
    if annotation["published"] is not None:
        date.fromisoformat(annotation["published"])
    spans = []
    for item in annotation["figures"]:
        assert set(item) == {"start", "end", "surface", "value"}, item
        assert isinstance(item["value"], int | float) and math.isfinite(item["value"]), item
        spans.append((item["start"], item["end"]))
    for item in annotation["ignore"]:
        assert set(item) == {"start", "end", "surface", "reason"} and item["reason"], item
        spans.append((item["start"], item["end"]))
    for start, end in spans:
        assert 0 <= start < end
    # figures and ignored spans never overlap one another
    spans.sort()
    for (_, end), (start, _) in pairwise(spans):
        assert end <= start, (end, start)


def test_a_changed_body_is_refused():
    annotation = ANNOTATIONS[0]
    with pytest.raises(news_pages.BodyChanged):
        news_pages.to_case(annotation, "not the annotated text")


def test_benchmark_skips_without_the_bodies(tmp_path, capsys):
    assert news_pages.main(["--bodies-file", str(tmp_path / "absent.jsonl"), "--no-peer"]) == 0
    assert "skipped" in capsys.readouterr().err


# ---- against the bodies in ../shared ---------------------------------------------------------


@pytest.mark.parametrize("annotation", _params())
def test_offsets_match_the_body(annotation, bodies):
    text = bodies[annotation["id"]]
    assert news_pages.body_sha256(text) == annotation["body_sha256"], "body changed"
    for item in annotation["figures"] + annotation["ignore"]:
        assert text[item["start"] : item["end"]] == item["surface"], item


@pytest.fixture(scope="module")
def batch_counts(bodies) -> dict[int, Counts]:
    """Our summed counts per annotation batch (one extraction over every body)."""
    cases = news_pages.load_cases()
    assert cases is not None
    results = news_pages.score_pages(cases, news_pages.predict_ours(cases))
    return {batch: c for batch, (_, _, c) in news_pages.batch_totals(cases, results).items()}


def test_every_batch_has_a_floor():
    assert {a["batch"] for a in ANNOTATIONS} == set(BATCHES)
    for batch in BATCHES:
        assert 0 < FLOORS["news_pages"][f"batch_{batch}"]["floor"] <= 1


@pytest.mark.parametrize("batch", BATCHES)
def test_value_f1_on_news_pages_holds_its_floor(batch, batch_counts):
    counts = batch_counts[batch]
    floor = FLOORS["news_pages"][f"batch_{batch}"]["floor"]
    assert counts.f1 >= floor, (
        f"news pages batch {batch}: value F1 {counts.f1:.4f} < floor {floor}: {counts}"
    )
