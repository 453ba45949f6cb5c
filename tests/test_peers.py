"""Value-F1 scoring rule on tiny hand cases, and our extractor held to its floors on the peer suites."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import peers
from benchmarks.scoring import (
    Counts,
    GoldFigure,
    Ignored,
    Prediction,
    gold_figures,
    match,
    score_case,
    total,
)

FLOORS = json.loads((ROOT / "benchmarks" / "floors.json").read_text())


def _score(preds, expected, text="x" * 80, **kwargs):
    gold, ignored = gold_figures(text, expected)
    return score_case(preds, gold, ignored, **kwargs).counts


# ---- the scoring rule ----------------------------------------------------------------------


def test_overlapping_span_with_equal_value_is_a_true_positive():
    text = "Sales rose to $5.2bn last year."
    expected = [{"surface": "$5.2bn", "value": 5.2e9}]
    assert _score([Prediction(14, 20, 5_200_000_000.0)], expected, text) == Counts(1, 0, 0)
    # a partial overlap is enough ("5.2bn" inside "$5.2bn")
    assert _score([Prediction(15, 20, 5.2e9)], expected, text) == Counts(1, 0, 0)


def test_wrong_value_counts_once_as_false_positive_and_once_as_false_negative():
    text = "Sales rose to $5.2bn last year."
    expected = [{"surface": "$5.2bn", "value": 5.2e9}]
    assert _score([Prediction(14, 20, 5.2e6)], expected, text) == Counts(0, 1, 1)


def test_relative_tolerance_is_one_in_a_million():
    text = "two-thirds of voters"
    expected = [{"surface": "two-thirds", "value": 2 / 3}]
    assert _score([Prediction(0, 10, 0.6666667)], expected, text).tp == 1
    assert _score([Prediction(0, 10, 0.6667)], expected, text).tp == 0


def test_equal_value_elsewhere_in_the_text_does_not_match_a_spanned_gold():
    text = "5 apples and 5 pears"
    expected = [{"surface": "5 pears", "value": 5, "start": 13, "end_inclusive": 19}]
    assert _score([Prediction(0, 1, 5.0)], expected, text) == Counts(0, 1, 1)


def test_gold_without_surface_is_matched_by_value_anywhere():
    text = "one hundred and five"
    expected = [{"surface": None, "value": 105}]
    assert _score([Prediction(0, 20, 105.0)], expected, text) == Counts(1, 0, 0)
    assert _score([Prediction(0, 3, 1.0)], expected, text) == Counts(0, 1, 1)


def test_surface_is_found_ignoring_case_and_as_a_whole_word():
    text = "He won by 4.1 seconds, Verstappen Second"
    gold, _ = gold_figures(text, [{"surface": "second", "value": 2}])
    assert (gold[0].start, gold[0].end) == (34, 40)


def test_repeated_surfaces_take_successive_occurrences():
    text = "5% then 5% again"
    gold, _ = gold_figures(text, [{"surface": "5%", "value": 5}, {"surface": "5%", "value": 5}])
    assert [(g.start, g.end) for g in gold] == [(0, 2), (8, 10)]


def test_negative_case_turns_every_prediction_into_a_false_positive():
    assert _score([Prediction(0, 3, 737.0), Prediction(5, 6, 9.0)], []) == Counts(0, 2, 0)
    assert _score([], []) == Counts(0, 0, 0)


def test_range_gold_becomes_its_two_ends():
    text = "between 10 and 20 dollars"
    expected = [{"surface": text, "value": None, "range": [10, 20]}]
    both = [Prediction(8, 10, 10.0), Prediction(15, 25, 20.0)]
    assert _score(both, expected, text) == Counts(2, 0, 0)
    assert _score(both[:1], expected, text) == Counts(1, 0, 1)


def test_interval_notation_and_one_sided_bounds():
    text = "The number is between 20 and 30."
    expected = [
        {
            "surface": "between 20 and 30",
            "value": None,
            "raw_resolution": {"value": "[20,30)"},
            "start": 14,
            "end_inclusive": 30,
        }
    ]
    assert _score([Prediction(22, 24, 20.0), Prediction(29, 31, 30.0)], expected, text).tp == 2
    text = "less than 7 EUR"
    expected = [{"surface": text, "value": None, "bound": 7}]
    assert _score([Prediction(10, 15, 7.0)], expected, text) == Counts(1, 0, 0)


def test_degenerate_range_is_one_gold_figure():
    text = "The number equals 20."
    expected = [{"surface": "equals 20", "value": None, "raw_resolution": {"value": "[20,20]"}}]
    gold, _ = gold_figures(text, expected)
    assert [g.value for g in gold] == [20.0]
    assert _score([Prediction(18, 20, 20.0)], expected, text) == Counts(1, 0, 0)


def test_money_in_a_subunit_is_scored_in_the_major_unit():
    case = {
        "id": "c",
        "text": "pay 50 cents more and 470 pence",
        "expected": [
            {"surface": "50 cents", "value": 50, "unit": "Cent"},
            {"surface": "470 pence", "value": 470, "unit": "Pence"},
        ],
    }
    prepared = peers.prepare(case, "recognizers_text")
    assert [round(g.value, 6) for g in prepared.gold] == [0.5, 4.7]
    # quantulum3 writes coins in their own unit: "3 dimes" is 3 dime, 0.3 USD for us
    case["expected"] = [{"surface": "3 dimes", "value": 3, "unit": "dime"}]
    case["text"] = "That one costs 3 dimes"
    assert [round(g.value, 6) for g in peers.prepare(case, "quantulum3").gold] == [0.3]
    # other units are left as the peer wrote them
    case["expected"] = [{"surface": "50 cents", "value": 50, "unit": "Centimetre"}]
    assert [g.value for g in peers.prepare(case, "recognizers_text").gold] == [50.0]


def test_physical_units_of_one_dimension_are_compared_converted():
    text = "0.002 kg of salt"
    expected = [{"surface": "0.002 kg", "value": 2, "unit": "Gram", "kind": "dimension"}]
    assert _score([Prediction(0, 8, 0.002, "measure", "kg")], expected, text) == Counts(1, 0, 0)
    assert _score([Prediction(0, 8, 2000.0, "measure", "mg")], expected, text).tp == 1
    # a wrong unit is a wrong figure, even with the value as written
    assert _score([Prediction(0, 8, 2.0, "measure", "kg")], expected, text) == Counts(0, 1, 1)
    # quantulum3's unit names are read by the same table
    assert _score([Prediction(0, 8, 0.002, "measure", "kilogram")], expected, text).tp == 1


def test_units_outside_the_table_or_of_another_dimension_compare_as_written():
    text = "9m away"
    # Duckling's "M" is metre or mile: not in the table
    expected = [{"surface": "9m", "value": 9, "unit": "M", "kind": "dimension"}]
    assert _score([Prediction(0, 2, 9.0, "measure", "m")], expected, text).tp == 1
    # no unit on our side (a count), or a unit of another dimension
    expected = [{"surface": "9m", "value": 9, "unit": "Metre", "kind": "dimension"}]
    assert _score([Prediction(0, 2, 9.0, "count")], expected, text).tp == 1
    assert _score([Prediction(0, 2, 9.0, "measure", "kg")], expected, text).tp == 1
    # money is never converted: "Pound" is sterling in a currency case
    text = "361 million pounds"
    expected = [{"surface": text, "value": 361e6, "unit": "Pound", "kind": "currency"}]
    assert _score([Prediction(0, 18, 361e6, "money", "lb")], expected, text).tp == 1


def test_summed_compound_measure_is_a_miss_not_an_exclusion():
    case = {
        "id": "duckling:Duckling/Distance/EN/Corpus.hs:16",
        "text": "7 feet and 10 inches",
        "expected": [{"surface": "7 feet and 10 inches", "value": 94, "unit": "Inch"}],
    }
    prepared = peers.prepare(case, "duckling")
    parts = [Prediction(0, 6, 7.0, "measure", "ft"), Prediction(11, 20, 10.0, "measure", "in")]
    result = score_case(parts, prepared.gold, prepared.ignored, signed_changes=False)
    assert result.counts == Counts(0, 2, 1)
    summary = peers.miss_summary(prepared, result)
    assert summary.startswith("summed compound measure") and "'7 feet'=7 ft" in summary
    whole = [Prediction(0, 20, 94.0, "measure", "in")]
    assert peers.miss_summary(prepared, score_case(whole, prepared.gold)) is None


def test_gold_without_value_or_range_is_an_ignored_region():
    text = "Do you mean next or last?"
    expected = [{"surface": "last", "value": None, "raw_resolution": {"value": "end+0"}}]
    gold, ignored = gold_figures(text, expected)
    assert gold == [] and ignored == [Ignored(20, 24, "gold item without a value")]
    assert _score([Prediction(20, 24, -1.0)], expected, text) == Counts(0, 0, 0)
    assert _score([Prediction(12, 16, 1.0)], expected, text) == Counts(0, 1, 0)


def test_signed_changes_match_unsigned_peer_values_only_when_asked():
    text = "Exports fell 2.3% in May."
    expected = [{"surface": "2.3%", "value": 2.3}]
    change = Prediction(13, 17, -2.3, "change")
    assert _score([change], expected, text).tp == 0
    assert _score([change], expected, text, signed_changes=False).tp == 1
    # only a change may flip its sign
    assert (
        _score([Prediction(13, 17, -2.3, "percent")], expected, text, signed_changes=False).tp == 0
    )


def test_matching_is_one_to_one_and_maximal_whatever_the_order():
    # the first prediction could take either gold figure; a greedy pass would strand the second
    gold = [GoldFigure(10.0), GoldFigure(10.0, 0, 5)]
    preds = [Prediction(0, 5, 10.0), Prediction(20, 25, 10.0)]
    assert len(match(preds, gold)) == 2
    assert len(match(preds[::-1], gold)) == 2
    assert len(match(preds * 2, gold)) == 2


def test_counts_are_micro_averaged():
    a = score_case([Prediction(0, 1, 1.0)], [GoldFigure(1.0, 0, 1)])
    b = score_case([Prediction(0, 1, 9.0)], [GoldFigure(1.0, 0, 1), GoldFigure(2.0, 2, 3)])
    counts = total([a, b])
    assert counts == Counts(tp=1, fp=1, fn=2)
    assert (counts.precision, counts.recall) == (0.5, pytest.approx(1 / 3))
    assert counts.f1 == pytest.approx(0.4)
    assert Counts().f1 == 1.0 and Counts(0, 1, 0).f1 == 0.0


# ---- peer adapters ----------------------------------------------------------------------------


def test_quantulum3_ranges_are_read_as_their_two_ends():
    case = {
        "id": "q",
        "text": "around 10-15 exabytes of data",
        "expected": [{"surface": "10-15 exabytes", "value": 12.5, "uncertainty": 2.5}],
    }
    prepared = peers.prepare(case, "quantulum3")
    assert sorted(g.value for g in prepared.gold) == [10.0, 15.0]
    case["expected"][0].update(surface="9.83e-3 +/- 1e-5 km/s2", value=0.00983, uncertainty=1e-5)
    case["text"] = "at 9.83e-3 +/- 1e-5 km/s2"
    assert [g.value for g in peers.prepare(case, "quantulum3").gold] == [0.00983]


def test_years_are_ignored_and_excluded_cases_are_left_out():
    case = {
        "id": "q",
        "text": "valued at $5 million in 2013",
        "expected": [{"surface": "$5 million", "value": 5e6}, {"surface": "2013", "value": 2013}],
    }
    prepared = peers.prepare(case, "quantulum3")
    assert [g.value for g in prepared.gold] == [5e6]
    assert [i.reason for i in prepared.ignored] == ["year: not a figure (contract)"]
    assert peers.prepare(case, "quantulum3", exclude=False).gold[1].value == 2013
    # US coins are scored: Duckling writes them in dollars, our contract too
    coins = {
        "id": "d",
        "text": "ten dimes",
        "dimension": "AmountOfMoney",
        "expected": [{"surface": "ten dimes", "value": 1, "unit": "USD", "kind": "currency"}],
    }
    assert peers.exclusion_reason(coins) is None
    assert [g.value for g in peers.prepare(coins, "duckling").gold] == [1.0]
    assert (
        peers.prepare(
            {"id": "recognizers_text:NumberModel:143", "text": "5/17/2018", "expected": []},
            "recognizers_text",
        )
        is None
    )


# ---- our extractor on the peer suites ---------------------------------------------------------

KNOWN_MISSES = peers.load_known_misses()

def _scored_case_params():
    """One pytest.param per scored peer case, known misses marked as strict xfails."""
    if not peers.PEERS_DIR.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/peers is absent"))]
    params = []
    for suite in peers.SUITES:
        if not (peers.PEERS_DIR / f"{suite}.jsonl").is_file():
            continue
        for case in peers.load_suite(suite):
            if peers.exclusion_reason(case):
                continue
            why = KNOWN_MISSES.get(case["id"])
            # strict: a known miss that passes fails, until the file is written again
            marks = [pytest.mark.xfail(strict=True, reason=f"known miss: {why}")] if why else []
            params.append(pytest.param(case["id"], marks=marks, id=case["id"]))
    return params


@pytest.fixture(scope="module")
def peer_scores(shared_dir) -> dict[str, peers.SuiteScore]:
    """Our scores on every peer suite present, from one batched extraction over all cases."""
    peers_dir = shared_dir / "peers"
    cases = {
        suite: peers.scored_cases(peers.load_suite(suite, peers_dir), suite)
        for suite in peers.SUITES
        if (peers_dir / f"{suite}.jsonl").is_file()
    }
    texts = [case.text for suite_cases in cases.values() for case in suite_cases]
    predictions = iter(list(peers.predict_ours(texts)))
    return {
        suite: peers.score_suite(
            suite_cases, peers.predict_ours, [next(predictions) for _ in suite_cases]
        )
        for suite, suite_cases in cases.items()
    }


@pytest.fixture(scope="module")
def case_results(peer_scores):
    """Each scored case's (prepared case, result), by case id."""
    return {
        case.case_id: (case, result)
        for score in peer_scores.values()
        for case, _, result in score.results
    }


@pytest.mark.parametrize("case_id", _scored_case_params())
def test_peer_case_is_read_exactly(case_id, case_results):
    """Every gold figure found with its value and no figure too many (scoring.py's rule)."""
    case, result = case_results[case_id]
    summary = peers.miss_summary(case, result)
    assert summary is None, (
        f"{case.text!r}: {summary} (a new miss: fix it, or record it with "
        "`python -m benchmarks.peers --write-known-misses`)"
    )


def test_known_misses_name_scored_cases(case_results):
    stale = sorted(set(KNOWN_MISSES) - set(case_results))
    assert not stale, (
        f"{len(stale)} known misses are not scored cases (first: {stale[:3]}); "
        "run `python -m benchmarks.peers --write-known-misses`"
    )


@pytest.mark.parametrize("suite", peers.SUITES)
def test_value_f1_on_peer_suite_holds_its_floor(suite, peer_scores):
    if suite not in peer_scores:
        pytest.skip(f"{suite}.jsonl is not in ../shared/peers")
    score = peer_scores[suite]
    floor = FLOORS["peers"][suite]["floor"]
    message = (
        f"{suite}: value F1 {score.counts.f1:.4f} is below its floor {floor} "
        f"({score.counts.to_dict()})"
    )
    assert score.counts.f1 >= floor, f"{message}; run `python -m benchmarks.peers --misses`"


def test_duckling_holds_its_floor_on_the_former_scope(peer_scores):
    """The 0.92 floor was measured before 174 Duckling cases were scored (US coins, unit
    conversions, compound measures); it still holds on the cases it was measured on."""
    if "duckling" not in peer_scores:
        pytest.skip("duckling.jsonl is not in ../shared/peers")
    former = [r for case, _, r in peer_scores["duckling"].results if peers.in_former_scope(case)]
    counts = total(former)
    floor = FLOORS["peers"]["duckling_former_scope"]["floor"]
    assert len(former) == FLOORS["peers"]["duckling_former_scope"]["cases"]
    assert counts.f1 >= floor, f"duckling (former scope): value F1 {counts.f1:.4f} < {floor}"


def test_other_kinds_outside_a_single_type_model_are_out_of_its_scope():
    case = {
        "id": "recognizers_text:CurrencyModel:x",
        "model": "CurrencyModel",
        "text": "income sank 27 % to $ 254 million",
        "expected": [{"surface": "$ 254 million", "value": 254e6}],
    }
    prepared = peers.prepare(case, "recognizers_text")
    percent = Prediction(12, 16, -27.0, "change")
    wrong_money = Prediction(20, 33, 254.0, "count")
    assert peers.out_of_type_scope(prepared, percent)
    # a wrong reading on the gold figure's own span stays in scope
    assert not peers.out_of_type_scope(prepared, wrong_money)
    score = peers.score_suite([prepared], peers.predict_ours, [[percent, wrong_money]])
    assert score.counts == Counts(0, 2, 1) and score.type_scope == Counts(0, 1, 1)
    # multi-type suites have no such scope
    number_case = {**case, "model": "NumberModel"}
    assert not peers.out_of_type_scope(peers.prepare(number_case, "recognizers_text"), percent)
