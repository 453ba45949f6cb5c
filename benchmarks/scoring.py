"""Value F1 over figure cases: the shared scoring rule of the gold set and the peer benchmarks.

Rule (issue 3, "How it is measured"):

- A predicted figure matches a gold figure when their character spans overlap; the pair counts
  as correct only when the values agree (relative tolerance 1e-6). Predictions and gold figures
  are paired one to one (a maximum bipartite matching, so the order of figures never matters).
- A gold figure with no span (surface null, or a surface that does not occur in the text) is
  matched by value alone, anywhere in the case.
- Ranges and bounds: a gold item whose value is null but which carries a range (``range: [a, b]``,
  or interval notation such as ``"[20,30)"`` in ``raw_resolution``) becomes two gold figures,
  ``a`` and ``b``, both with the range's span: this is our contract's pair of ``at_least`` and
  ``at_most`` figures. A one-sided bound (``bound: b``, ``"(30,)"``) becomes one gold figure
  ``b``. A degenerate range (``"[20,20]"``, "equals 20") is one gold figure. Only the values are
  scored, not the ``approx`` qualifier.
- A gold item with value null and no range or bound (a unit named without a number, a relative
  ordinal such as "last") is not a figure in our contract: it is left out, and its span is an
  *ignored region*: predictions overlapping it count neither way.
- Units: when the gold figure's unit and the prediction's unit are both in ``UNIT_TABLE`` and of
  the same physical dimension (length, area, volume, mass), the values are compared after
  converting both to that dimension's base unit, so "0.002 kg" matches a gold 2 gram and "5 km"
  no longer matches a gold 5 metre. Any other pair (a unit missing from the table, money, two
  dimensions, no unit on one side) is compared as written.
- Precision, recall and F1 are micro-averaged: true positives, false positives and false
  negatives are summed over all cases. A negative case (no gold figures) turns every prediction
  into a false positive.

Everything here is a pure function of its arguments; ``benchmarks/peers.py`` and
``tests/test_gold.py`` feed it cases and predictions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

REL_TOL = 1e-6
# values of zero need an absolute tolerance too
ABS_TOL = 1e-9

_MONEY_KINDS = frozenset({"currency", "money"})

_INTERVAL = re.compile(
    r"^\s*[\[(]\s*(?P<low>[-+]?[\d.eE+-]*)\s*,\s*(?P<high>[-+]?[\d.eE+-]*)\s*[\])]\s*$"
)


# Physical units as data: (dimension, size in the dimension's base unit, the symbol our extractor
# writes (``extractors/data/units.json``) or None, the unit names the peers write). Symbols are
# matched as written ("Mt" is not "mt"), peer names ignoring case ("Kilometre", "pound-mass").
# Ambiguous names are left out on purpose, so a pair with one of them is compared as written:
# Duckling's "M" (metre or mile), "ton" (short, long or metric), "degree", "dram" (mass or fluid).
# Volumes are US customary (the peers' gallon and cup are US ones). Base units: metre, square
# metre, litre, kilogram.
UNIT_TABLE: tuple[tuple[str, float, str | None, tuple[str, ...]], ...] = (
    ("length", 1e3, "km", ("kilometre", "kilometer")),
    ("length", 1.0, "m", ("metre", "meter")),
    ("length", 0.1, None, ("decimetre", "decimeter")),
    ("length", 1e-2, "cm", ("centimetre", "centimeter")),
    ("length", 1e-3, "mm", ("millimetre", "millimeter")),
    ("length", 1e-9, None, ("nanometre", "nanometer")),
    ("length", 1e-12, None, ("picometre", "picometer")),
    ("length", 1e-18, None, ("attometre", "attometer")),
    ("length", 1609.344, "mi", ("mile",)),
    ("length", 1852.0, "nmi", ("nautical mile",)),
    ("length", 0.9144, "yd", ("yard",)),
    ("length", 0.3048, "ft", ("foot",)),
    ("length", 0.0254, "in", ("inch",)),
    ("length", 9.4607304725808e15, "ly", ("light-year", "light year")),
    ("area", 1e6, "km2", ("square kilometre", "square kilometer")),
    ("area", 1.0, "m2", ("square metre", "square meter")),
    ("area", 2589988.110336, "mi2", ("square mile",)),
    ("area", 0.09290304, "ft2", ("square foot",)),
    ("area", 1e4, "ha", ("hectare",)),
    ("area", 4046.8564224, "acre", ("acre",)),
    ("volume", 1e12, None, ("cubic kilometre", "cubic kilometer")),
    ("volume", 1e3, "m3", ("cubic metre", "cubic meter")),
    ("volume", 100.0, None, ("hectolitre", "hectoliter")),
    ("volume", 1.0, "l", ("litre", "liter")),
    ("volume", 0.1, "dl", ("decilitre", "deciliter")),
    ("volume", 1e-2, "cl", ("centilitre", "centiliter")),
    ("volume", 1e-3, "ml", ("millilitre", "milliliter", "cubic centimetre", "cubic centimeter")),
    ("volume", 28.316846592, "ft3", ("cubic foot",)),
    ("volume", 158.987294928, "bbl", ("barrel",)),
    ("volume", 3.785411784, "gal", ("gallon",)),
    ("volume", 0.946352946, "qt", ("quart",)),
    ("volume", 0.473176473, "pt", ("pint",)),
    ("volume", 0.2365882365, "cup", ("cup",)),
    ("volume", 0.01478676478125, "tbsp", ("tablespoon",)),
    ("volume", 0.00492892159375, "tsp", ("teaspoon",)),
    ("mass", 1e9, "Mt", ("megatonne",)),
    ("mass", 1e3, "t", ("tonne", "metric ton")),
    ("mass", 1.0, "kg", ("kilogram",)),
    ("mass", 1e-3, "g", ("gram",)),
    ("mass", 1e-6, "mg", ("milligram",)),
    ("mass", 1e-9, "µg", ("microgram",)),
    ("mass", 2e-4, "ct", ("carat",)),
    ("mass", 6.35029318, "st", ("stone",)),
    ("mass", 0.45359237, "lb", ("pound", "pound-mass")),
    ("mass", 0.028349523125, "oz", ("ounce",)),
)
OUR_UNITS: dict[str, tuple[str, float]] = {
    symbol: (dimension, size) for dimension, size, symbol, _ in UNIT_TABLE if symbol
}
PEER_UNITS: dict[str, tuple[str, float]] = {
    name: (dimension, size) for dimension, size, _, names in UNIT_TABLE for name in names
}


def unit_size(unit: str | None) -> tuple[str, float] | None:
    """Return (dimension, size in the base unit) of a unit symbol or peer unit name, or None.

    None means the unit is not a physical unit of the table (money, "M", no unit at all).

    >>> unit_size("kg"), unit_size("Gram"), unit_size("pound-mass")
    (('mass', 1.0), ('mass', 0.001), ('mass', 0.45359237))
    >>> unit_size("M") is None, unit_size("USD") is None, unit_size(None) is None
    (True, True, True)
    """
    if not unit:
        return None
    return OUR_UNITS.get(unit) or PEER_UNITS.get(unit.casefold())


def unit_factors(unit: str | None, other: str | None) -> tuple[float, float]:
    """Return the factors that put values in ``unit`` and in ``other`` on one scale.

    Both are 1.0 (compare as written) unless both units are in the table with one dimension.

    >>> unit_factors("kg", "Gram"), unit_factors("km", "USD"), unit_factors("m", "M")
    ((1.0, 0.001), (1.0, 1.0), (1.0, 1.0))
    """
    mine, theirs = unit_size(unit), unit_size(other)
    if mine and theirs and mine[0] == theirs[0]:
        return mine[1], theirs[1]
    return 1.0, 1.0


@dataclass(frozen=True, slots=True)
class Prediction:
    """One predicted figure: span, value, kind (for signed changes) and unit (for conversions)."""

    start: int
    end: int
    value: float
    kind: str | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class GoldFigure:
    """One gold figure to find; ``start``/``end`` are None when it is matched by value alone.

    ``unit`` is the physical unit the value is in (None for money and plain numbers).
    """

    value: float
    start: int | None = None
    end: int | None = None
    surface: str | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class Ignored:
    """A span where predictions are not scored, with the reason."""

    start: int
    end: int
    reason: str


@dataclass(frozen=True, slots=True)
class Counts:
    """True positives, false positives and false negatives; adds up over cases."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        """Return tp / (tp + fp); 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Return tp / (tp + fn); 1.0 when there was nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Return the harmonic mean of precision and recall (0.0 when both are 0)."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        """Return counts and rates as a JSON-ready dict (rates rounded to 4 places)."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def values_agree(predicted: float, gold: float, rel_tol: float = REL_TOL) -> bool:
    """Return True when two values agree within the relative tolerance.

    >>> values_agree(1320000000.0, 1.32e9)
    True
    >>> values_agree(0.6667, 2 / 3)
    False
    >>> values_agree(0.0, 0)
    True
    """
    return math.isclose(predicted, gold, rel_tol=rel_tol, abs_tol=ABS_TOL)


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Return True when the half-open spans [a_start, a_end) and [b_start, b_end) share a char.

    >>> overlaps(0, 5, 4, 9), overlaps(0, 5, 5, 9)
    (True, False)
    """
    return a_start < b_end and b_start < a_end


def find_span(text: str, surface: str, start_at: int = 0) -> tuple[int, int] | None:
    """Return the span of ``surface`` in ``text`` at or after ``start_at`` (ignoring case).

    A whole-word occurrence is preferred ("second" is not found inside "seconds" when it also
    stands alone); None means the surface does not occur there.

    >>> find_span("Up 10M, then 10m", "10m")
    (3, 6)
    >>> find_span("Up 10M, then 10m", "10m", 6)
    (13, 16)
    >>> find_span("won by 4.1 seconds, Verstappen second", "second")
    (31, 37)
    >>> find_span("abc", "x") is None
    True
    """
    if not surface:
        return None
    before = r"(?<!\w)" if surface[0].isalnum() else ""
    after = r"(?!\w)" if surface[-1].isalnum() else ""
    pattern = re.compile(before + re.escape(surface) + after, re.IGNORECASE)
    found = pattern.search(text, start_at) or re.compile(re.escape(surface), re.IGNORECASE).search(
        text, start_at
    )
    return found.span() if found else None


def interval_endpoints(raw: str) -> list[float] | None:
    """Return the finite endpoints of an interval written like ``"[20,30)"`` or ``"(30,)"``.

    None means the string is not interval notation.

    >>> interval_endpoints("[1000,5000)"), interval_endpoints("(30,)"), interval_endpoints("end+1")
    ([1000.0, 5000.0], [30.0], None)
    """
    match = _INTERVAL.match(raw)
    if not match:
        return None
    points = []
    for part in (match["low"], match["high"]):
        if part:
            try:
                points.append(float(part))
            except ValueError:
                return None
    return points or None


def range_values(item: Mapping[str, Any]) -> list[float] | None:
    """Return the endpoint values a null-valued gold item stands for, or None when it has none.

    Reads ``range`` (two endpoints), ``bound`` (one), or interval notation in
    ``raw_resolution`` (a string, or a dict with a string ``value``).

    >>> range_values({"value": None, "range": [10, 20]})
    [10.0, 20.0]
    >>> range_values({"value": None, "bound": 7})
    [7.0]
    >>> range_values({"value": None, "raw_resolution": {"value": "(20,35]"}})
    [20.0, 35.0]
    >>> range_values({"value": None, "raw_resolution": {"value": "end+0"}}) is None
    True

    A degenerate range (``"[20,20]"``, "equals 20") is the single value it names:

    >>> range_values({"value": None, "raw_resolution": {"value": "[20,20]"}})
    [20.0]
    """
    if item.get("range"):
        values = [float(v) for v in item["range"]]
    elif item.get("bound") is not None:
        values = [float(item["bound"])]
    else:
        raw = item.get("raw_resolution")
        if isinstance(raw, dict):
            raw = raw.get("value")
        found = interval_endpoints(raw) if isinstance(raw, str) else None
        if found is None:
            return None
        values = found
    if len(values) == 2 and values_agree(values[0], values[1]):
        return values[:1]
    return values


def gold_figures(
    text: str, expected: Sequence[Mapping[str, Any]]
) -> tuple[list[GoldFigure], list[Ignored]]:
    """Return the gold figures of one case and the regions to ignore, following the module rule.

    Spans come from ``start``/``end_inclusive`` when given, else from the first occurrence of
    ``surface`` in the text after the previous occurrence of the same surface (ignoring case).
    """
    figures: list[GoldFigure] = []
    ignored: list[Ignored] = []
    cursor: dict[str, int] = {}
    for item in expected:
        surface = item.get("surface")
        span: tuple[int, int] | None = None
        if item.get("start") is not None and item.get("end_inclusive") is not None:
            span = (int(item["start"]), int(item["end_inclusive"]) + 1)
        elif surface:
            key = surface.casefold()
            span = find_span(text, surface, cursor.get(key, 0))
            if span is not None:
                cursor[key] = span[1]
        if item.get("value") is not None:
            values = [float(item["value"])]
        else:
            values = range_values(item) or []
        if not values:
            if span is not None:
                ignored.append(Ignored(span[0], span[1], "gold item without a value"))
            continue
        # "Pound" is money in a currency case: only physical units are converted
        unit = None if item.get("kind") in _MONEY_KINDS else item.get("unit")
        for value in values:
            if span is None:
                figures.append(GoldFigure(value=value, surface=surface, unit=unit))
            else:
                figures.append(GoldFigure(value, span[0], span[1], surface, unit))
    return figures, ignored


def _pairs(pred: Prediction, gold: GoldFigure, signed_changes: bool) -> bool:
    if (
        gold.start is not None
        and gold.end is not None
        and not overlaps(pred.start, pred.end, gold.start, gold.end)
    ):
        return False
    mine, theirs = unit_factors(pred.unit, gold.unit)
    predicted, wanted = pred.value * mine, gold.value * theirs
    if values_agree(predicted, wanted):
        return True
    # peers do not sign changes: "fell 2.3%" is 2.3 to them and -2.3 to us
    return (
        not signed_changes and pred.kind == "change" and values_agree(abs(predicted), abs(wanted))
    )


def match(
    predictions: Sequence[Prediction],
    gold: Sequence[GoldFigure],
    *,
    signed_changes: bool = True,
) -> list[tuple[int, int]]:
    """Return the (prediction index, gold index) pairs of a maximum one-to-one matching."""
    edges = [
        [g for g, item in enumerate(gold) if _pairs(pred, item, signed_changes)]
        for pred in predictions
    ]
    owner: dict[int, int] = {}  # gold index -> prediction index

    def augment(p: int, seen: set[int]) -> bool:
        for g in edges[p]:
            if g in seen:
                continue
            seen.add(g)
            if g not in owner or augment(owner[g], seen):
                owner[g] = p
                return True
        return False

    for p in range(len(predictions)):
        augment(p, set())
    return sorted((p, g) for g, p in owner.items())


@dataclass(frozen=True, slots=True)
class CaseResult:
    """The outcome of one case: counts, and what was missed or spurious (for miss reports)."""

    counts: Counts
    false_positives: tuple[Prediction, ...]
    false_negatives: tuple[GoldFigure, ...]


def score_case(
    predictions: Sequence[Prediction],
    gold: Sequence[GoldFigure],
    ignored: Sequence[Ignored] = (),
    *,
    signed_changes: bool = True,
) -> CaseResult:
    """Return the counts of one case under the module rule."""
    pairs = match(predictions, gold, signed_changes=signed_changes)
    matched_p = {p for p, _ in pairs}
    matched_g = {g for _, g in pairs}
    spurious = tuple(
        pred
        for p, pred in enumerate(predictions)
        if p not in matched_p
        and not any(overlaps(pred.start, pred.end, ig.start, ig.end) for ig in ignored)
    )
    missed = tuple(item for g, item in enumerate(gold) if g not in matched_g)
    return CaseResult(Counts(len(pairs), len(spurious), len(missed)), spurious, missed)


def total(results: Iterable[CaseResult]) -> Counts:
    """Return the micro-averaged counts over many case results."""
    counts = Counts()
    for result in results:
        counts = counts + result.counts
    return counts
