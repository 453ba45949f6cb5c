"""Score our figure extractor and quantulum3 on the peer suites in ``../shared/peers/``.

Run from the repository root::

    python -m benchmarks.peers                       # side-by-side table
    python -m benchmarks.peers --json out.json       # also write the numbers
    python -m benchmarks.peers --misses              # per-case misses -> /tmp/peer_misses_<suite>.txt
    python -m benchmarks.peers --write-known-misses  # rewrite benchmarks/peer_known_misses.json

The scoring rule is value F1 (``benchmarks/scoring.py``, unit-aware for physical units). This
module adds what is specific to the peers: reading their cases, leaving out the few cases that
are not figures in our contract or whose peer value is not the text's meaning
(``EXCLUDED_CASES``, each with a reason; bare years in ``ignored_items``), and turning
quantulum3's own output into predictions. Every other case is scored; the ones we do not read
exactly are listed in ``peer_known_misses.json``, which ``tests/test_peers.py`` turns into
strict xfails.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.scoring import (
    CaseResult,
    Counts,
    GoldFigure,
    Ignored,
    Prediction,
    find_span,
    gold_figures,
    overlaps,
    score_case,
    total,
)

ROOT = Path(__file__).resolve().parents[1]
PEERS_DIR = ROOT.parent / "shared" / "peers"
SUITES = ("quantulum3", "recognizers_text", "duckling")

_YEAR = re.compile(r"^(1[5-9]\d\d|20\d\d)$")
_PLUS_MINUS = re.compile(r"±|\+/-|\+-")

# Whole cases left out of scoring, by family. Every entry says why: the peer expects something
# our contract (issue 3) rules out on purpose, or the peer's value is not a reading of the text.
# Everything else is scored, including what we do not read yet: US coins ("ten dimes" = 1.0), unit
# conversions ("0.002 kg" = 2 gram, compared by the scorer's unit table) and summed compound
# measures ("7 feet and 10 inches" = 94 inch, which we read as two figures: a miss).
# The cases we do not read exactly are listed, with what we output, in ``KNOWN_MISSES_FILE``.
_DATES_IDS_SCORES = "date, identifier, phone number or name with digits: not figures (contract)"
_PEER_QUIRK = "peer value is not the text's meaning"
EXCLUDED_CASES: dict[str, str] = {
    # recognizers_text: numbers read out of dates, IP addresses, phone numbers, names
    "recognizers_text:NumberModel:1": _DATES_IDS_SCORES,  # 192.168.1.2
    "recognizers_text:NumberModel:143": _DATES_IDS_SCORES,  # 5/17/2018
    "recognizers_text:NumberModel:144": _DATES_IDS_SCORES,  # +1-222-2222/2222
    "recognizers_text:NumberModel:189": _DATES_IDS_SCORES,  # SCP-173
    "recognizers_text:NumberModelExperimentalMode:141": _DATES_IDS_SCORES,
    "recognizers_text:NumberModelExperimentalMode:142": _DATES_IDS_SCORES,
    # quantulum3: "Voyager 2 in 1979", "Intel Core i7 860 Processor"
    "quantulum3:quantities.json:3": _DATES_IDS_SCORES,
    "quantulum3:quantities.json:61": _DATES_IDS_SCORES,
    # quantulum3 spell-out: "a million and a half" -> 1000000.5
    **{f"quantulum3:extract_spellout_values.py:{i}": _PEER_QUIRK for i in (15, 32, 33)},
    # duckling: "7-9 lakh rupees" -> range [7, 900000]
    "duckling:Duckling/AmountOfMoney/EN/Corpus.hs:135": _PEER_QUIRK,
}

# Scored cases that we miss on purpose or by design, with the family's reason; it heads the
# case's entry in the known-miss file. The peer sums a compound measure into one figure ("7 feet
# and 10 inches" = 94 inch); our contract reads each part as its own figure.
_COMPOUND = "summed compound measure (we read each part as its own figure)"
MISS_FAMILIES: dict[str, str] = {
    f"duckling:Duckling/Distance/EN/Corpus.hs:{i}": _COMPOUND for i in (*range(16, 33), 34, 35)
}


# Until 2026-12-01 these Duckling cases were left out of scoring: US coins ("ten dimes" = 1.0),
# unit conversions and summed compound measures. They are scored now; the floor measured
# without them (0.92) is still held on the cases it was measured on (``in_former_scope``),
# beside the floor of every scored case, so that no floor ever goes down.
_FORMER_COINS = re.compile(r"\b(dimes?|nickels?|quarters?)\b", re.IGNORECASE)
_FORMER_CONVERSIONS = frozenset(
    [f"duckling:Duckling/Distance/EN/Corpus.hs:{i}" for i in (*range(16, 33), 34, 35)]
    + [
        f"duckling:Duckling/Quantity/EN/Corpus.hs:{i}"
        for i in (6, 9, 10, 11, 12, 13, 14, 15, 29, 30, 31, 40)
    ]
)


def in_former_scope(case: PreparedCase) -> bool:
    """Return False for the Duckling cases scored only since 2026-12-01 (see above)."""
    if case.case_id in _FORMER_CONVERSIONS:
        return False
    return not ("/AmountOfMoney/" in case.case_id and _FORMER_COINS.search(case.text))


def exclusion_reason(case: dict[str, Any]) -> str | None:
    """Return why a peer case is left out of scoring, or None when it is scored."""
    return EXCLUDED_CASES.get(case["id"])


@dataclass(frozen=True, slots=True)
class PreparedCase:
    """A peer case ready to score: text, gold figures and the regions to ignore."""

    case_id: str
    text: str
    gold: tuple[GoldFigure, ...]
    ignored: tuple[Ignored, ...]
    group: str
    expected: tuple[dict[str, Any], ...]


def load_suite(name: str, peers_dir: Path = PEERS_DIR) -> list[dict[str, Any]]:
    """Return the raw cases of one peer suite (a list of JSON objects)."""
    with (peers_dir / f"{name}.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def group_of(case: dict[str, Any]) -> str:
    """Return the sub-suite a case belongs to (peer file, model or dimension), for breakdowns."""
    return str(case.get("suite") or case.get("model") or case.get("dimension") or "all")


# Money in a subunit: peers write "50 cents" as 50 Cent and "3 dimes" as 3 dime; our contract
# writes ISO 4217 amounts in the major unit (0.5 USD, 0.3 USD). The gold value is scaled to the
# major unit before scoring. (Duckling already writes its coins in dollars: "ten dimes" = 1.0.)
SUBUNITS: dict[str, float] = {
    "cent": 0.01,
    "pence": 0.01,
    "penny": 0.01,
    "dime": 0.1,
    "nickel": 0.05,
    "satoshi": 1e-8,
}


def _normalise_item(item: dict[str, Any], suite: str) -> dict[str, Any]:
    subunit = SUBUNITS.get(str(item.get("unit") or "").casefold())
    if subunit is not None and item.get("value") is not None:
        return {**item, "value": float(item["value"]) * subunit}
    # quantulum3 writes a range as its mean with an uncertainty ("10-15 exabytes" = 12.5 +- 2.5);
    # our contract has the two ends. A real measurement uncertainty ("9.83e-3 +/- 1e-5") stays.
    if (
        suite == "quantulum3"
        and item.get("uncertainty")
        and item.get("value") is not None
        and not _PLUS_MINUS.search(item.get("surface") or "")
    ):
        mean, spread = float(item["value"]), float(item["uncertainty"])
        return {**item, "value": None, "range": [mean - spread, mean + spread]}
    return item


def ignored_items(text: str, expected: Sequence[dict[str, Any]]) -> list[Ignored]:
    """Return the spans of gold items left out for contract reasons (today: bare years)."""
    regions = []
    for item in expected:
        surface = item.get("surface") or ""
        if _YEAR.match(surface.strip()):
            span = find_span(text, surface)
            if span:
                regions.append(Ignored(span[0], span[1], "year: not a figure (contract)"))
    return regions


def prepare(case: dict[str, Any], suite: str, *, exclude: bool = True) -> PreparedCase | None:
    """Return the case ready to score, or None when it is excluded (``exclusion_reason``).

    With ``exclude=False`` nothing is left out (no excluded cases, no ignored years): the
    peer's annotation as it stands, for reference.
    """
    if exclude and exclusion_reason(case):
        return None
    text = case["text"]
    skipped = ignored_items(text, case["expected"]) if exclude else []
    kept = [
        _normalise_item(item, suite)
        for item in case["expected"]
        if not (exclude and _YEAR.match((item.get("surface") or "").strip()))
    ]
    gold, ignored = gold_figures(text, kept)
    return PreparedCase(
        case["id"],
        text,
        tuple(gold),
        tuple(ignored + skipped),
        group_of(case),
        tuple(case["expected"]),
    )


def exclusion_counts(cases: Iterable[dict[str, Any]]) -> Counter[str]:
    """Return how many of these cases are excluded, by reason."""
    return Counter(r for r in map(exclusion_reason, cases) if r)


# Recognizers-Text's single-type models annotate only their own type: in "sank 27 % to $ 254
# million" the CurrencyModel expects "$ 254 million" and says nothing of "27 %". A false positive
# of another kind that overlaps no gold figure is outside that model's scope. It still counts in
# the gated F1; the "type scope" F1 leaves it out, for both extractors alike.
_PERCENT_KINDS = frozenset({"percent", "percentage_point", "change"})
TYPE_SCOPE: dict[str, frozenset[str]] = {
    "CurrencyModel": frozenset({"money"}),
    "DimensionModel": frozenset({"measure"}),
    "TemperatureModel": frozenset({"measure"}),
    "AgeModel": frozenset({"measure", "count"}),
    "PercentModel": _PERCENT_KINDS,
    "PercentModelPercentMode": _PERCENT_KINDS,
    "OrdinalModel": frozenset({"ordinal"}),
    "OrdinalModelSuppressExtendedTypes": frozenset({"ordinal"}),
}


def out_of_type_scope(case: PreparedCase, prediction: Prediction) -> bool:
    """Return True when a prediction lies outside the type a single-type peer model annotates.

    That is: the case comes from such a model, the prediction's kind is not that type, and the
    prediction overlaps no gold figure.
    """
    kinds = TYPE_SCOPE.get(case.group)
    if kinds is None or prediction.kind in kinds:
        return False
    return not any(
        g.start is not None
        and g.end is not None
        and overlaps(prediction.start, prediction.end, g.start, g.end)
        for g in case.gold
    )


Predictor = Callable[[Sequence[str]], Iterator[list[Prediction]]]


def predict_ours(texts: Sequence[str]) -> Iterator[list[Prediction]]:
    """Yield our extractor's predictions for each text (model loaded once)."""
    from extractors import extract_many  # imported late: the benchmark must load without it

    for figures in extract_many((text, None) for text in texts):
        yield [Prediction(f.start, f.end, float(f.value), f.kind, f.unit) for f in figures]


def predict_quantulum3(texts: Sequence[str]) -> Iterator[list[Prediction]]:
    """Yield quantulum3's predictions for each text; its ranges become their two ends."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "classifier dependencies not installed"
        from quantulum3 import parser

    for text in texts:
        try:
            quantities = parser.parse(text)
        except Exception:  # noqa: BLE001 - a peer crash is a miss, not a benchmark failure
            yield []
            continue
        predictions = []
        for q in quantities:
            start, end = q.span
            unit = q.unit.name
            kind = _quantulum3_kind(unit, q.unit.entity.name)
            scale = SUBUNITS.get(unit.casefold(), 1.0)  # gold is in the major unit too
            spread = getattr(q, "uncertainty", None)
            if spread and not _PLUS_MINUS.search(q.surface):
                low, high = (q.value - spread) * scale, (q.value + spread) * scale
                predictions.append(Prediction(start, end, float(low), kind, unit))
                predictions.append(Prediction(start, end, float(high), kind, unit))
            else:
                predictions.append(Prediction(start, end, float(q.value * scale), kind, unit))
        yield predictions


def _quantulum3_kind(unit: str, entity: str) -> str:
    # quantulum3's unit entity, in our kinds (only used for the type-scope F1)
    if entity == "currency":
        return "money"
    if unit == "percentage":
        return "percent"
    return "count" if entity == "dimensionless" else "measure"


@dataclass(frozen=True, slots=True)
class SuiteScore:
    """One extractor's result on one suite: totals, per-group totals, per-case results."""

    counts: Counts
    groups: dict[str, Counts]
    results: tuple[tuple[PreparedCase, list[Prediction], CaseResult], ...]
    seconds: float
    # the same, leaving out false positives outside a single-type model's scope
    type_scope: Counts


def score_suite(
    cases: Sequence[PreparedCase],
    predict: Predictor,
    predictions: Sequence[list[Prediction]] | None = None,
) -> SuiteScore:
    """Return the value-F1 score of one predictor over prepared cases (peer rule: unsigned).

    ``predictions`` (one list per case) skips running the predictor again.
    """
    began = time.perf_counter()
    if predictions is None:
        predictions = list(predict([c.text for c in cases]))
    seconds = time.perf_counter() - began
    rows = []
    groups: dict[str, Counts] = {}
    out_of_scope = 0
    for case, preds in zip(cases, predictions, strict=True):
        result = score_case(preds, case.gold, case.ignored, signed_changes=False)
        rows.append((case, preds, result))
        groups[case.group] = groups.get(case.group, Counts()) + result.counts
        out_of_scope += sum(out_of_type_scope(case, p) for p in result.false_positives)
    counts = total(r for _, _, r in rows)
    in_scope = Counts(counts.tp, counts.fp - out_of_scope, counts.fn)
    return SuiteScore(counts, groups, tuple(rows), seconds, in_scope)


def scored_cases(raw: Iterable[dict[str, Any]], suite: str) -> list[PreparedCase]:
    """Return the cases of a suite that are scored (not excluded), prepared, in file order."""
    return [c for c in (prepare(r, suite) for r in raw) if c is not None]


def score_both(
    raw: Sequence[dict[str, Any]], suite: str, predict: Predictor
) -> tuple[SuiteScore, SuiteScore]:
    """Return (scored with exclusions, scored on every case as annotated); predicts once."""
    began = time.perf_counter()
    predictions = list(predict([c["text"] for c in raw]))
    seconds = time.perf_counter() - began
    kept = [i for i, c in enumerate(raw) if not exclusion_reason(c)]
    scored = score_suite(scored_cases(raw, suite), predict, [predictions[i] for i in kept])
    everything = [prepare(c, suite, exclude=False) for c in raw]
    everything_scored = score_suite([c for c in everything if c], predict, predictions)
    return replace(scored, seconds=seconds), replace(everything_scored, seconds=seconds)


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e18 else f"{value:.10g}"


def _gold_text(figure: GoldFigure) -> str:
    surface = repr(figure.surface) if figure.surface else "(by value)"
    return f"{surface}={_number(figure.value)}" + (f" {figure.unit}" if figure.unit else "")


def _prediction_text(case: PreparedCase, prediction: Prediction) -> str:
    return (
        f"{case.text[prediction.start : prediction.end]!r}={_number(prediction.value)}"
        + (f" {prediction.unit}" if prediction.unit else "")
        + (" (outside the model's type)" if out_of_type_scope(case, prediction) else "")
    )


def miss_summary(case: PreparedCase, result: CaseResult) -> str | None:
    """Return one line saying how a case is missed (family, missed, spurious), None if exact."""
    if not result.false_positives and not result.false_negatives:
        return None
    parts = [MISS_FAMILIES[case.case_id]] if case.case_id in MISS_FAMILIES else []
    if result.false_negatives:
        parts.append("missed " + ", ".join(map(_gold_text, result.false_negatives)))
    if result.false_positives:
        spurious = (_prediction_text(case, p) for p in result.false_positives)
        parts.append("spurious " + ", ".join(spurious))
    return "; ".join(parts)


def write_misses(suite: str, score: SuiteScore, path: Path) -> int:
    """Write the cases with a false positive or negative to ``path``; return how many."""
    lines = []
    for case, preds, result in score.results:
        summary = miss_summary(case, result)
        if summary is None:
            continue
        gold = ", ".join(map(_gold_text, case.gold)) or "(none)"
        got = ", ".join(f"{_prediction_text(case, p)}/{p.kind}" for p in preds) or "(none)"
        lines.append(
            f"## {case.case_id}\ntext: {case.text!r}\ngold: {gold}\nours: {got}\n{summary}\n"
        )
    path.write_text(f"# {suite}: {len(lines)} cases with misses\n\n" + "\n".join(lines))
    return len(lines)


KNOWN_MISSES_FILE = ROOT / "benchmarks" / "peer_known_misses.json"
_KNOWN_MISSES_ABOUT = (
    "Scored peer cases that our extractor does not read exactly (a gold figure missed or a "
    "figure too many, under benchmarks/scoring.py), with what we output. tests/test_peers.py "
    "marks each one xfail(strict=True). Written by `python -m benchmarks.peers "
    "--write-known-misses`: rerun it after changing the extractor, and read the diff."
)


def _suite_of(case_id: str) -> str:
    return case_id.split(":", 1)[0]


def load_known_misses(path: Path = KNOWN_MISSES_FILE) -> dict[str, str]:
    """Return the known misses {case id: how it is missed}; empty when the file is absent."""
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8"))["known_misses"])


def known_misses(scores: dict[str, SuiteScore]) -> dict[str, str]:
    """Return {case id: how it is missed} for every case of these suites not read exactly."""
    return {
        case.case_id: summary
        for score in scores.values()
        for case, _, result in score.results
        if (summary := miss_summary(case, result)) is not None
    }


def write_known_misses(scores: dict[str, SuiteScore], path: Path = KNOWN_MISSES_FILE) -> None:
    """Rewrite the known-miss file for these suites; entries of other suites are kept."""
    kept = {
        case_id: why
        for case_id, why in load_known_misses(path).items()
        if _suite_of(case_id) not in scores
    }
    rank = {suite: n for n, suite in enumerate(SUITES)}
    # suites in SUITES order; within a suite, file order (the sort is stable)
    misses = dict(
        sorted((kept | known_misses(scores)).items(), key=lambda e: rank.get(_suite_of(e[0]), 99))
    )
    payload = {"about": _KNOWN_MISSES_ABOUT, "known_misses": misses}
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _entry(score: SuiteScore, everything: SuiteScore) -> dict[str, Any]:
    return score.counts.to_dict() | {
        "f1_type_scope": round(score.type_scope.f1, 4),
        "f1_all_cases": round(everything.counts.f1, 4),
        "seconds": round(score.seconds, 2),
        "groups": {g: c.to_dict() for g, c in sorted(score.groups.items())},
    }


def run(
    peers_dir: Path = PEERS_DIR, suites: Sequence[str] = SUITES, with_peer: bool = True
) -> dict[str, Any]:
    """Score ours (and quantulum3) on each suite; return a JSON-ready report.

    Per-case results of ours are kept under the private key ``_ours`` (for ``write_misses``).
    """
    report: dict[str, Any] = {"suites": {}}
    for suite in suites:
        raw = load_suite(suite, peers_dir)
        ours, ours_all = score_both(raw, suite, predict_ours)
        entry: dict[str, Any] = {
            "cases": len(raw),
            "scored_cases": len(ours.results),
            "excluded": dict(exclusion_counts(raw)),
            "ignored_gold_items": sum(len(c.ignored) for c, _, _ in ours.results),
            "ours": _entry(ours, ours_all),
            "_ours": ours,
        }
        if with_peer:
            entry["quantulum3"] = _entry(*score_both(raw, suite, predict_quantulum3))
        report["suites"][suite] = entry
    return report


def format_table(report: dict[str, Any]) -> str:
    """Return the side-by-side table of a report as Markdown."""
    head = (
        "| suite | cases (scored) | ours P | ours R | ours F1 | quantulum3 P | quantulum3 R "
        "| quantulum3 F1 | F1 in type scope, ours / quantulum3 "
        "| F1 on all cases, ours / quantulum3 |"
    )
    lines = [head, "|" + " --- |" * 10]
    for suite, entry in report["suites"].items():
        ours, peer = entry["ours"], entry.get("quantulum3")
        peer_cells = (
            f"{peer['precision']:.3f} | {peer['recall']:.3f} | {peer['f1']:.3f}"
            if peer
            else "- | - | -"
        )
        peer_all = f"{peer['f1_all_cases']:.3f}" if peer else "-"
        peer_scope = f"{peer['f1_type_scope']:.3f}" if peer else "-"
        lines.append(
            f"| {suite} | {entry['cases']} ({entry['scored_cases']}) | {ours['precision']:.3f} "
            f"| {ours['recall']:.3f} | {ours['f1']:.3f} | {peer_cells} "
            f"| {ours['f1_type_scope']:.3f} / {peer_scope} "
            f"| {ours['f1_all_cases']:.3f} / {peer_all} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--peers-dir", type=Path, default=PEERS_DIR)
    parser.add_argument("--suite", action="append", choices=SUITES, help="repeatable")
    parser.add_argument("--json", type=Path, help="write the report as JSON here")
    parser.add_argument(
        "--misses", action="store_true", help="write our misses to /tmp/peer_misses_<suite>.txt"
    )
    parser.add_argument(
        "--write-known-misses",
        action="store_true",
        help=f"rewrite {KNOWN_MISSES_FILE.relative_to(ROOT)} from this run (the suites scored)",
    )
    parser.add_argument("--no-peer", action="store_true", help="skip quantulum3")
    parser.add_argument("--groups", action="store_true", help="print per-group F1 too")
    args = parser.parse_args(argv)
    if not args.peers_dir.is_dir():
        print(f"peer suites not found at {args.peers_dir}: nothing to score")
        return 0
    report = run(args.peers_dir, args.suite or SUITES, with_peer=not args.no_peer)
    print(format_table(report))
    for suite, entry in report["suites"].items():
        print(
            f"\n{suite}: {entry['cases']} cases, {entry['scored_cases']} scored, "
            f"{entry['ignored_gold_items']} ignored gold items; excluded: "
            + (", ".join(f"{n} ({why})" for why, n in entry["excluded"].items()) or "none")
        )
        if args.groups:
            for group, counts in entry["ours"]["groups"].items():
                peer = entry.get("quantulum3", {}).get("groups", {}).get(group)
                peer_f1 = f"{peer['f1']:.3f}" if peer else "-"
                print(f"  {group:45s} ours F1 {counts['f1']:.3f}  quantulum3 F1 {peer_f1}")
        if args.misses:
            path = Path(f"/tmp/peer_misses_{suite}.txt")
            n = write_misses(suite, entry["_ours"], path)
            print(f"  {n} cases with misses written to {path}")
    if args.write_known_misses:
        scores = {suite: entry["_ours"] for suite, entry in report["suites"].items()}
        write_known_misses(scores)
        counts = Counter(_suite_of(case_id) for case_id in known_misses(scores))
        print(
            f"\nknown misses written to {KNOWN_MISSES_FILE.relative_to(ROOT)}: "
            + ", ".join(f"{suite} {counts[suite]}" for suite in scores)
        )
    if args.json:
        clean = {
            "suites": {
                s: {k: v for k, v in e.items() if not k.startswith("_")}
                for s, e in report["suites"].items()
            }
        }
        args.json.write_text(json.dumps(clean, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
