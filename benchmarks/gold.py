"""Score our figure extractor on the own gold set ``fixtures/gold/news_figures.jsonl``.

Run from the repository root::

    python -m benchmarks.gold            # value F1 (signed: "fell 2.3%" must be -2.3)
    python -m benchmarks.gold --misses   # per-case misses -> /tmp/gold_misses.txt

Unlike the peer suites, nothing is excluded here: the gold set follows our own contract.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.scoring import (
    CaseResult,
    Counts,
    Prediction,
    gold_figures,
    match,
    score_case,
    total,
)

# attributes compared on matched figures (reported, not gated): gold field -> Figure reader
ATTRIBUTES: dict[str, Callable[[Any], Any]] = {
    "unit": lambda f: f.unit,
    "kind": lambda f: f.kind,
    "approx": lambda f: f.approx,
    "period": lambda f: f.period,
    "change": lambda f: f.change.direction if f.change else None,
}

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "fixtures" / "gold" / "news_figures.jsonl"


def load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    """Return the gold cases (one JSON object per line)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def predict_figures(cases: Sequence[dict[str, Any]]) -> list[list[Any]]:
    """Return our figures (``extractors.records.Figure``) for each gold case, with its date."""
    from extractors import extract_many  # imported late: the benchmark must load without it

    items = [
        (c["text"], date.fromisoformat(c["published"]) if c["published"] else None) for c in cases
    ]
    return [list(figures) for figures in extract_many(items)]


def as_predictions(figures: Sequence[Any]) -> list[Prediction]:
    """Return the scoring view of figures: span, value, kind."""
    return [Prediction(f.start, f.end, float(f.value), f.kind) for f in figures]


def predict(cases: Sequence[dict[str, Any]]) -> list[list[Prediction]]:
    """Return our predictions for each gold case, read with its publication date."""
    return [as_predictions(figures) for figures in predict_figures(cases)]


def attribute_agreement(
    cases: Sequence[dict[str, Any]], figures: Sequence[Sequence[Any]]
) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Return, per attribute, (agreeing, compared) over value-matched pairs, and the mismatches.

    ``period`` is compared only where the gold item names one; ``change`` compares the
    direction (None when a side has no change).
    """
    tally = {name: [0, 0] for name in ATTRIBUTES}
    mismatches = []
    for case, found in zip(cases, figures, strict=True):
        gold, _ = gold_figures(case["text"], case["expected"])
        items = case["expected"]
        for p, g in match(as_predictions(found), gold):
            item = items[g]
            for name, read in ATTRIBUTES.items():
                if name == "period" and not item.get("period"):
                    continue
                want = (
                    (item.get("change") or {}).get("direction") if name == "change" else item[name]
                )
                got = read(found[p])
                tally[name][1] += 1
                tally[name][0] += got == want
                if got != want:
                    mismatches.append(
                        f"{case['id']}: {item['surface']!r} {name} {got!r}, gold {want!r}"
                    )
    agreement = {name: (agree, compared) for name, (agree, compared) in tally.items()}
    return agreement, mismatches


def score_gold(
    cases: Sequence[dict[str, Any]], predictions: Sequence[list[Prediction]]
) -> dict[str, CaseResult]:
    """Return each case's result under the value-F1 rule, signed changes, by case id."""
    results = {}
    for case, preds in zip(cases, predictions, strict=True):
        gold, ignored = gold_figures(case["text"], case["expected"])
        results[case["id"]] = score_case(preds, gold, ignored)
    return results


def format_misses(
    cases: Sequence[dict[str, Any]],
    predictions: Sequence[list[Prediction]],
    results: dict[str, CaseResult],
) -> str:
    """Return a readable list of the cases with a missed or spurious figure."""
    blocks = []
    for case, preds in zip(cases, predictions, strict=True):
        result = results[case["id"]]
        if not result.false_negatives and not result.false_positives:
            continue
        text = case["text"]
        got = ", ".join(f"{text[p.start : p.end]!r}={p.value:g}/{p.kind}" for p in preds)
        missed = ", ".join(f"{g.surface!r}={g.value:g}" for g in result.false_negatives)
        spurious = ", ".join(
            f"{text[p.start : p.end]!r}={p.value:g}" for p in result.false_positives
        )
        blocks.append(
            f"## {case['id']}\ntext: {text!r}\nours: {got or '(none)'}\n"
            + (f"missed: {missed}\n" if missed else "")
            + (f"spurious: {spurious}\n" if spurious else "")
        )
    return f"# gold: {len(blocks)} cases with misses\n\n" + "\n".join(blocks)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the gold benchmark from the command line; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--misses", type=Path, nargs="?", const=Path("/tmp/gold_misses.txt"))
    args = parser.parse_args(argv)
    cases = load_gold(args.gold)
    figures = predict_figures(cases)
    predictions = [as_predictions(found) for found in figures]
    results = score_gold(cases, predictions)
    counts: Counts = total(results.values())
    exact = sum(1 for r in results.values() if not r.false_negatives and not r.false_positives)
    n_figures = sum(len(c["expected"]) for c in cases)
    print(
        f"gold: {len(cases)} cases, {n_figures} figures, {exact} cases read exactly; "
        f"value F1 {counts.f1:.3f} (P {counts.precision:.3f}, R {counts.recall:.3f}; "
        f"tp {counts.tp}, fp {counts.fp}, fn {counts.fn})"
    )
    agreement, mismatches = attribute_agreement(cases, figures)
    print(
        "on value-matched figures, agreement: "
        + ", ".join(f"{name} {a}/{n}" for name, (a, n) in agreement.items())
    )
    if args.misses:
        args.misses.write_text(
            format_misses(cases, predictions, results)
            + "\n# attributes that differ on value-matched figures\n\n"
            + "\n".join(mismatches)
            + "\n"
        )
        print(f"misses written to {args.misses}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
