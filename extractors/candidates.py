"""The fast candidate pass: every possible figure in a text, found with compiled regexes.

No context here beyond a few characters either side: the unit, currency and scale glued to
the number, and the masks that say a number is a date, a time, an identifier or a year.
Qualifiers, periods, changes, measure and entity are ``context.py``'s job.

Every pattern uses bounded repetition and literal alternations, so the pass is linear in
the text length (see tests/test_fuzz.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from extractors import numbers
from extractors.joins import distribute, join_money_parts, join_ratios
from extractors.masks import (
    MONTHS,
    after_identifier_word,
    after_month,
    inside,
    is_not_figure,
    mask_spans,
    mask_start_within,
)
from extractors.phrases import PERIOD_NAME_AFTER, find_phrases
from extractors.units import (
    UnitMatch,
    currency_before,
    is_ambiguous_currency,
    scaled_code_after,
    scaled_code_before,
    unit_after,
)

MAX_DIGITS = 20  # longer digit runs are identifiers or garbage, not figures


@dataclass(slots=True)
class Candidate:
    """A possible figure before context: span, number, unit, kind and what was glued to it."""

    start: int
    end: int
    value: float
    unit: str | None
    kind: str
    num_start: int
    num_end: int
    scale: int | None = None
    currency: str | None = None
    approx: str = "exact"
    warnings: list[str] = field(default_factory=list)
    words: bool = False
    direction: str | None = None
    integer: bool = True
    subunit: bool = False  # cents, pence: value already in the main unit


_ORDINAL_TAIL = r"(?:st|nd|rd|th)"
_NUMBER = re.compile(
    rf"""(?=[0-9.½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞])
    (?:(?P<ord>(?<![\w.])[0-9]{{1,4}}{_ORDINAL_TAIL}\b)
    |(?P<sci>(?<![\w.,])[0-9]{{1,4}}(?:\.[0-9]{{1,12}})?(?:[eE][-+−]?[0-9]{{1,3}}
        |[\s\u00a0]?[×xX*][\s\u00a0]?10\^?[-+−]?[0-9]{{1,3}})(?![0-9.]))
    |(?P<frac>(?<![\w.,/])(?<!/[ ])(?:[0-9]{{1,3}}(?:[\s\u00a0]{{1,2}}|-(?=[0-9]/)))?[0-9]{{1,3}}[ ]?/[ ]?[0-9]{{1,3}}
        (?![0-9/])(?![ ]/))  # 3/4, 2 1/2, tokenised "7 3 / 4"
    |(?P<vulgar>(?<![\w.,])[0-9]{{0,3}}[½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞])
    |(?P<spaced>(?<![0-9.,])[0-9]{{1,3}}(?:[ ],[ ][0-9]{{3}}){{1,6}}(?:[ ]\.[ ][0-9]{{1,9}})?(?!,?[0-9])
        |(?<![0-9.,])[0-9]{{1,9}}[ ]\.[ ][0-9]{{1,9}}(?!,?[0-9]))  # tokenised newswire: "6 . 2", "80 , 000"
    |(?P<digits>(?<![0-9_])(?<![0-9.,][.,])(?:[0-9]{{1,3}}(?:,[0-9]{{3}}){{1,12}}(?:\.[0-9]{{1,12}})?(?!,?[0-9])
        |[0-9]{{1,2}}(?:,[0-9]{{2}}){{1,6}},[0-9]{{3}}(?:\.[0-9]{{1,12}})?(?!,?[0-9])
        |[0-9]{{1,3}}(?:\.[0-9]{{3}}){{1,12}},[0-9]{{1,12}}(?![0-9]|[.,][0-9])  # 1.111,11
        |[0-9]{{1,3}}(?:\.[0-9]{{3}}){{2,12}}(?!\.?[0-9])
        |[0-9]{{1,3}}(?:[\u00a0\u202f ][0-9]{{3}}){{1,6}}(?:\.[0-9]{{1,12}})?(?![0-9/])
        |[0-9]{{1,{MAX_DIGITS}}}(?:\.[0-9]{{1,12}})?(?![0-9])
        |\.[0-9]{{1,12}})))
    """,
    re.VERBOSE,
)


_SCALE = re.compile(
    r"(?P<glued>bn|mn|mln|bln|tln|tn|trn|mil|MM|k|K|m|M|b|B|T)(?![A-Za-z0-9])"
    r"|(?P<gap>[\s\u00a0]{1,2}|-)(?P<word>(?i:thousand|million|billion|trillion|lakhs?|crores?"
    r"|hundred|bn|mn|mln|tn|bln|tln|lacs?|lkhs?|cr|koti|mil))(?![A-Za-z])"
)
_MULTIPLIER_SUFFIX = re.compile(
    r"(?:[\s\u00a0]{1,2}times|[\s\u00a0]?x|-?fold)(?![A-Za-z0-9])", re.IGNORECASE
)
_ENDS_WITH_NUMBER = re.compile(r"[0-9][\s\u00a0]{0,2}$")
_GRAND = re.compile(r"[\s\u00a0]{1,2}grand\b(?![\s\u00a0]{1,2}[A-Za-z])")
_PLURAL_NOUN = re.compile(r"[\s\u00a0]{1,2}(?:[a-z]{1,12}[\s\u00a0-])?[a-z]{2,15}s\b")
_NAMED_AFTER = re.compile(r"[\s\u00a0][A-Z][a-z]")
_MILLION_NOUNS = re.compile(
    r"[\s\u00a0]{1,2}(?:people|users|residents|viewers|jobs|households|customers|subscribers"
    r"|visitors|passengers|voters|tourists|children|workers|of|in|for|more|fewer|a)\b"
)
_DURATIONS = frozenset(("year", "month", "week", "day", "h", "min", "s", "decade", "century"))
_PERIOD_DURATION = re.compile(
    rf"[\s\u00a0]{{1,2}}(?:to|ending|ended|through|until)[\s\u00a0]{{1,2}}"
    rf"(?:{MONTHS}\b|the[\s\u00a0]end\b|end\b|(?:19|20)[0-9]{{2}}\b|mid)"
)


def find_candidates(text: str) -> list[Candidate]:
    """Return every possible figure in ``text``, sorted by start, spans never overlapping."""
    masked = mask_spans(text)
    found: list[Candidate] = []
    for match in _NUMBER.finditer(text):
        if inside(masked, match.start()) and not match.group("sci"):
            continue
        cut = mask_start_within(masked, match.start(), match.end())
        if cut is not None and match.group("digits") and text[cut - 1] in " \u00a0\u202f":
            # "roughly 400 737 Max jets": a space-grouped number runs into a masked name
            head = re.match(r"[0-9]{1,3}", text[match.start() : cut])
            if head:
                cand = _number(text, match.start(), match.start() + head.end(), "digits")
                if cand is not None:
                    found.append(cand)
            continue
        cand = _ordinal(text, match) if match.group("ord") else _digits(text, match)
        if cand is not None:
            found.append(cand)
        if match.group("digits") and text[match.end() : match.end() + 1] == ",":
            found.extend(_comma_list(text, match))
    found.extend(_word_candidates(text, masked))
    found.extend(_point_fractions(text))
    found = _drop_restated(text, _drop_overlaps(sorted(found, key=lambda c: (c.start, -c.end))))
    return join_money_parts(text, join_ratios(text, distribute(text, found)))


_OPEN_PAREN = re.compile(r"[\s\u00a0]{0,2}\([\s\u00a0]?")
_CLOSE_PAREN = re.compile(r"[\s\u00a0]?\)")


def _drop_restated(text: str, found: list[Candidate]) -> list[Candidate]:
    """Drop a number restated in parentheses: "forty-five (45) days", "45 (forty-five)"."""
    out: list[Candidate] = []
    for cand in found:
        left = out[-1] if out else None
        if (
            left is not None
            and left.value == cand.value
            and left.words != cand.words
            and _OPEN_PAREN.fullmatch(text, left.end, cand.start)
            and _CLOSE_PAREN.match(text, cand.end)
        ):
            continue
        out.append(cand)
    return out


def _ordinal(text: str, match: re.Match[str]) -> Candidate | None:
    if PERIOD_NAME_AFTER.match(text, match.end(), min(len(text), match.end() + 24)):
        return None
    if after_month(text, match.start()):
        return None  # "on November 5th": a date
    value = numbers.ordinal_value(match.group(0))
    if value is None:
        return None
    return Candidate(
        match.start(), match.end(), float(value), None, "ordinal", match.start(), match.end()
    )


def _digits(text: str, match: re.Match[str]) -> Candidate | None:
    form = next((g for g in ("sci", "frac", "vulgar", "spaced") if match.group(g)), "digits")
    return _number(text, match.start(), match.end(), form)


def _number(text: str, start: int, end: int, form: str) -> Candidate | None:
    """Return the candidate of the digits at ``text[start:end]`` (``form``: the _NUMBER group)."""
    surface = text[start:end]
    if form in ("sci", "frac", "vulgar"):
        parsed = numbers.parse_special(surface)
        if parsed is None or (form == "frac" and not _fraction_ok(text, surface, end)):
            return None
    elif form == "spaced":
        parsed = numbers.parse_digits(surface.replace(" , ", ",").replace(" . ", "."))
    else:
        parsed = numbers.parse_digits(surface if surface[0] != "." else "0" + surface)
    if parsed is None:
        return None
    if start > 0 and text[start - 1].isalpha() and not _glued_currency(text, start):
        return None
    value, warnings = parsed
    half = _AND_A_HALF.match(text, end) if form == "digits" and surface.isdigit() else None
    if half:  # "age 59 and a half", "3 and a half years"
        value, end = value + Decimal("0.5"), half.end()
    cand = Candidate(start, end, 0.0, None, "count", start, end, warnings=list(warnings))
    cand.integer = "." not in surface or bool(warnings and "dot" in warnings[0])
    _attach_prefix(text, cand, value)
    _attach_suffix(text, cand, value)
    if cand.kind == "skip" or is_not_figure(text, cand, surface):
        return None
    return cand


_AND_A_HALF = re.compile(r"[\s\u00a0]{1,2}and[\s\u00a0]{1,2}a[\s\u00a0]{1,2}half\b(?![\s\u00a0]{1,2}of\b)")


def _glued_currency(text: str, start: int) -> bool:
    prefix = currency_before(text, start)
    return prefix is not None and prefix[0] >= start - 4


# "Exercises 22,24,26,31": three or more numbers joined by commas that are not thousands groups
_COMMA_LIST = re.compile(r"(?:[0-9]{1,6},){2,20}[0-9]{1,6}(?![0-9]|[.,][0-9])")
_LIST_ITEM = re.compile(r"[0-9]{1,6}")


def _comma_list(text: str, match: re.Match[str]) -> list[Candidate]:
    """Return the candidates of the items after the first of a comma list ("22,24,26,31")."""
    if "," in match.group(0) or not _COMMA_LIST.match(text, match.start()):
        return []
    listed = _COMMA_LIST.match(text, match.start())
    assert listed is not None
    items = list(_LIST_ITEM.finditer(text, match.end(), listed.end()))
    out = [_number(text, item.start(), item.end(), "digits") for item in items]
    return [c for c in out if c is not None]


_GOOD_DENOMINATORS = frozenset((2, 3, 4, 5, 6, 8, 10, 16, 32, 64, 100))


def _fraction_ok(text: str, surface: str, end: int) -> bool:
    """Return True for "1/4 inch", "2 1/2", "3/4 of": not "24/7" or "9/11"."""
    head, _, tail = surface.rpartition("/")
    numerator = int(re.findall(r"[0-9]{1,3}", head)[-1])
    denominator = int(tail)
    if denominator == 0 or numerator >= denominator:
        return False
    after = text[end : end + 8]
    return (
        denominator in _GOOD_DENOMINATORS
        or bool(unit_after(text, end))
        or (bool(re.match(r"[\s\u00a0]{1,2}of\b", after)))
    )


def _attach_prefix(text: str, cand: Candidate, value: Decimal | None = None) -> None:
    coded = scaled_code_before(text, cand.num_start)
    if coded is not None:  # "MAUD 60": 60 million Australian dollars
        cand.start, cand.currency, cand.scale = coded.start, coded.code, coded.scale
        cand.unit, cand.kind = coded.code, "money"
        return
    prefix = currency_before(text, cand.num_start)
    if prefix and _code_of_previous_number(text, prefix[0], cand.num_start):
        prefix = None  # "3 CAD 3 cents": the code belongs to the number before it
    if prefix:
        cand.start, cand.currency = prefix
        cand.unit, cand.kind = prefix[1], "money"
        return
    sign = cand.num_start - 1
    if sign < 0 or text[sign] not in "-−":
        return
    if (
        sign == 0
        or text[sign - 1] in "(\n\t<>=~≤≥"
        or (text[sign - 1] in " \u00a0" and not _range_dash(text, sign, value))
    ):
        cand.start = sign  # "-5", "(-5", "<-30"; not the range "75 -300mm"


_SIGNED_NUMBER_BEFORE = re.compile(r"(?<![0-9.,])(-?)([0-9]{1,9}(?:\.[0-9]{1,9})?)[\s\u00a0]{1,2}$")


def _range_dash(text: str, dash: int, value: Decimal | None) -> bool:
    """Return True when the dash before a number joins a range ("75 -300mm", "2 -7 g"): the
    number before it is unsigned and smaller. A table row of signed values ("225.86 -12.99
    -5.44%") keeps its signs."""
    before = _SIGNED_NUMBER_BEFORE.search(text, max(0, dash - 14), dash)
    if before is None or before.group(1) or value is None:
        return False
    return Decimal(before.group(2)) < value


_NUMBER_BEFORE = re.compile(r"([0-9][0-9.,]{0,20})[\s\u00a0]{1,3}$")


def _code_of_previous_number(text: str, prefix_start: int, num_start: int) -> bool:
    """Return True when a spaced currency prefix belongs to the number before it ("3 CAD 3
    cents"): not when it is glued to ours ("3 USD50") or the number before has its own
    currency ("rmb 10 usd 20")."""
    if text[num_start - 1 : num_start].isalpha():
        return False
    before = _NUMBER_BEFORE.search(text, max(0, prefix_start - 26), prefix_start)
    if before is None:
        return False
    return currency_before(text, before.start(1)) is None


def _read_scale(text: str, cand: Candidate, pos: int, value: Decimal) -> tuple[int | None, int]:
    """Return (scale, end) of the scale word or suffix at ``pos`` ("bn", " million", "lakh crore")."""
    scale_match = _SCALE.match(text, pos, min(len(text), pos + 14))
    if not scale_match:
        return None, pos
    glued = scale_match.group("glued")
    if glued in _LETTER_SCALES and cand.currency is None and value >= 1000:
        return None, pos  # "the 1500b packet", "Radeon Pro 5500M": not 1.5 trillion, 5.5 billion
    scale = numbers.scale_of(glued or scale_match.group("word"))
    if glued == "m" and not _is_million_m(text, cand, scale_match.end()):
        return None, pos
    if glued == "T" and cand.currency is None:
        return None, pos  # "$2.174T" is a trillion; "5T" alone is not
    if (
        glued in ("B", "M", "K")
        and cand.currency is None
        and _NAMED_AFTER.match(text, scale_match.end())
    ):
        return None, pos  # "2B Mindset": a name
    if not scale:
        return None, pos
    pos = scale_match.end()
    second = _SCALE.match(text, pos, min(len(text), pos + 14))
    bigger = numbers.scale_of(second.group("word")) if second and second.group("word") else None
    if second is not None and bigger and bigger > scale:
        return scale * bigger, second.end()  # "lakh crore", "hundred million"
    return scale, pos


_LETTER_SCALES = frozenset("bBmMT")  # k stays: "1200k" is read as 1.2 million
_SCALE_WORD_AFTER_CODE = re.compile(
    r"[\s\u00a0]{1,2}(?P<word>thousand|million|billion|trillion|bn|mn|mln)(?![A-Za-z])"
)


def _attach_suffix(text: str, cand: Candidate, value: Decimal) -> None:
    pos = cand.num_end
    scale = cand.scale  # set by a scaled prefix ("MAUD 60")
    coded = scaled_code_after(text, pos) if cand.currency is None and scale is None else None
    if coded is not None:  # "30 MUSD", "twenty MUSD"
        cand.currency, scale, pos = coded.code, coded.scale, coded.end
    elif scale is None:
        scale, pos = _read_scale(text, cand, pos, value)
    grand = _GRAND.match(text, pos, min(len(text), pos + 24)) if scale is None else None
    if grand:
        scale, pos = 1000, grand.end()  # "10 grand": thousands of the local currency
        cand.currency = cand.currency or "USD"
    unit = unit_after(text, pos)
    if unit and unit.unit in ("m", "l") and scale:
        unit = None
    if unit and not _unit_fits(text, cand, unit, scale):
        pound = unit.surface.lower().startswith("pound")
        unit = UnitMatch(unit.start, unit.end, "lb", "measure", unit.surface) if pound else None
    if (
        unit
        and unit.kind == "measure"
        and unit.unit in _DURATIONS
        and unit.start > pos
        and text[unit.start - 1] == "-"
        and unit.surface[:1].isupper()
    ):
        cand.kind = "skip"  # "Five-Year Plan": part of a name, not a figure
        return
    if unit and unit.unit in _DURATIONS and _is_period(text, cand, unit):
        cand.kind = "skip"  # "in the 12 months to May", "over the past two years": a period
        return
    if unit:
        cand.unit, cand.kind, pos = unit.unit, unit.kind, unit.end
        after_code = _SCALE_WORD_AFTER_CODE.match(text, pos, min(len(text), pos + 12))
        if after_code and scale is None and unit.surface.upper() == unit.unit:  # 75 USD million
            scale, pos = numbers.scale_of(after_code.group("word")), after_code.end()
    else:
        mult = _MULTIPLIER_SUFFIX.match(text, pos, min(len(text), pos + 8))
        if mult and cand.currency is None and _is_multiplier(text, mult, cand):
            cand.unit, cand.kind, pos = "times", "ratio", mult.end()
    named = _DOLLAR_NAMED.match(text, pos) if cand.unit == cand.currency == "USD" else None
    if named and text[cand.start : cand.num_start].strip() == "$":
        # "$10 billion (Canadian)": the bare sign's dollar is named after the figure
        cand.currency = cand.unit = _DOLLAR_COUNTRIES[named.group("country").lower()]
        pos = named.end()
    if cand.currency and not cand.unit:
        cand.unit = cand.currency
    if cand.kind == "count" and cand.currency:
        cand.kind = "money"
    cand.scale, cand.end = scale, pos
    sign = -1 if cand.start < cand.num_start and text[cand.start] in "-−" else 1
    cand.value = sign * numbers.scaled(value, scale)
    if cand.unit and cand.unit.endswith(("_cent", "_pence", "_sat", "_dime", "_nickel")):
        code, _, part = cand.unit.partition("_")
        cand.unit, cand.subunit = code, True
        divisor = {"sat": 10**8, "dime": 10, "nickel": 20}.get(part, 100)
        cand.value = float(Decimal(repr(cand.value)) / divisor)


_DOLLAR_COUNTRIES = {
    "us": "USD",
    "u.s.": "USD",
    "american": "USD",
    "canadian": "CAD",
    "australian": "AUD",
    "new zealand": "NZD",
    "hong kong": "HKD",
    "singapore": "SGD",
    "taiwan": "TWD",
    "taiwanese": "TWD",
}
_DOLLAR_NAMED = re.compile(
    r"[\s\u00a0]{0,2}\((?P<country>US|U\.S\.|American|Canadian|Australian|New Zealand|Hong Kong"
    r"|Singapore|Taiwan(?:ese)?)(?:[\s\u00a0]{1,2}dollars?)?\)"
)


_FREQUENCY_AFTER = re.compile(
    r"[\s\u00a0]{0,2}(?:this|that|last|each|every|per|during|since|already|so[\s\u00a0]far|before|after"
    r"|a[\s\u00a0](?:day|week|month|year|season|game|match)|an[\s\u00a0]hour|in[\s\u00a0](?:the|a|his|her"
    r"|their|its|one|two|three)|[,.;:!?)]|$)",
    re.IGNORECASE,
)


_PERIOD_BEFORE = re.compile(
    r"(?i)\b(?:first|past|last|next|previous|coming|same|latest|final|opening|remaining"
    r"|following|preceding)[\s\u00a0]{1,2}$"
)
_FOR_THE = re.compile(r"(?i)\bfor[\s\u00a0]{1,2}the[\s\u00a0]{1,2}$")


def _is_period(text: str, cand: Candidate, unit: UnitMatch) -> bool:
    """Return True for a duration that names a period: "the 12 months to May", "over the past
    two years", "the first seven months of the year", "for the nine months, net rose"."""
    if _PERIOD_DURATION.match(text, unit.end, unit.end + 24):
        return True
    if _PERIOD_BEFORE.search(text, max(0, cand.start - 12), cand.start):
        return True
    return bool(_FOR_THE.search(text, max(0, cand.start - 10), cand.start)) and bool(
        re.match(r"[\s\u00a0]{0,2},", text[unit.end : unit.end + 3])
    )


# "three times that of 2019", "four times those in Europe": a multiple of an earlier level
_MULTIPLE_OF = re.compile(
    r"[\s\u00a0]{1,2}(?:that|those)[\s\u00a0]{1,2}(?:of|in|for|at|on|seen|recorded|reported)\b",
    re.IGNORECASE,
)


def _is_multiplier(text: str, mult: re.Match[str], cand: Candidate) -> bool:
    """Return True for "three times the level", "1.6 times disposable income", "3x":
    not "four times this month" (a count of events). A fractional factor ("rose 1.6 times")
    and a multiple of a level ("three times that of 2019") are multipliers wherever they stand."""
    if "times" not in mult.group(0).lower():
        return True  # "3x", "threefold"
    end = min(len(text), mult.end() + 20)
    if not cand.integer or _MULTIPLE_OF.match(text, mult.end(), end):
        return True
    return not _FREQUENCY_AFTER.match(text, mult.end(), end)


def _is_million_m(text: str, cand: Candidate, after: int) -> bool:
    if cand.currency:
        return True
    window = text[after : after + 24]
    return bool(_MILLION_NOUNS.match(window) or _PLURAL_NOUN.match(window))


def _unit_fits(text: str, cand: Candidate, unit: object, scale: int | None) -> bool:
    word = getattr(unit, "surface", "")
    if cand.currency and getattr(unit, "kind", "") == "money":
        return False
    if is_ambiguous_currency(word):
        if word.lower() in ("pound", "pounds"):
            after = getattr(unit, "end", 0)
            return not re.match(r"[\s\u00a0]{1,2}of\b", text[after : after + 6])
        return bool(scale)
    return True


def _word_candidates(text: str, masked: list[tuple[int, int]]) -> list[Candidate]:
    out: list[Candidate] = []
    for phrase in find_phrases(text):
        if inside(masked, phrase.start):
            continue
        if phrase.kind in ("ordinal", "times"):
            unit = "times" if phrase.kind == "times" else None
            kind = "ratio" if phrase.kind == "times" else "ordinal"
            out.append(
                Candidate(
                    phrase.start,
                    phrase.end,
                    float(phrase.value),
                    unit,
                    kind,
                    phrase.start,
                    phrase.end,
                    words=True,
                )
            )
            continue
        cand = Candidate(
            phrase.start,
            phrase.end,
            0.0,
            None,
            phrase.kind,
            phrase.start,
            phrase.end,
            words=True,
            integer=phrase.value == phrase.value.to_integral_value(),
        )
        _attach_prefix(text, cand)
        _attach_suffix(text, cand, phrase.value)
        bare = cand.kind == "count" and cand.unit is None and cand.scale is None
        if bare and after_identifier_word(text, cand.start, spelled=True):
            continue  # "version two", "Terminal Five"
        if cand.kind != "skip":
            out.append(cand)
    return out


# "cut rates by a quarter-point", "a half-point rise": a fraction of a percentage point
_POINT_FRACTION = re.compile(
    r"\b(?i:(?:an?[\s\u00a0]{1,2})?(?P<part>quarter|half|three-quarters?)[\s\u00a0-]"
    r"(?:percentage[\s\u00a0-])?points?)\b"
)
_POINT_PARTS = {"quarter": 0.25, "half": 0.5, "three-quarter": 0.75, "three-quarters": 0.75}


def _point_fractions(text: str) -> list[Candidate]:
    if "point" not in text:
        return []
    out = []
    for match in _POINT_FRACTION.finditer(text):
        value = _POINT_PARTS[match.group("part").lower()]
        out.append(
            Candidate(
                match.start(),
                match.end(),
                value,
                "percentage_point",
                "percentage_point",
                match.start(),
                match.end(),
                words=True,
                integer=False,
            )
        )
    return out


def _drop_overlaps(found: list[Candidate]) -> list[Candidate]:
    kept: list[Candidate] = []
    for cand in found:
        if kept and cand.start < kept[-1].end:
            if (cand.end - cand.start) > (kept[-1].end - kept[-1].start):
                kept[-1] = cand
            continue
        kept.append(cand)
    return kept
