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
from functools import lru_cache

from extractors import numbers
from extractors.joins import distribute, join_money_parts, join_ratios
from extractors.phrases import PERIOD_NAME_AFTER, find_phrases
from extractors.units import (
    UnitMatch,
    currency_before,
    is_ambiguous_currency,
    lexicon,
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


_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# Digit-led spans that are never figures: dates, times, versions, phone numbers, decades.
# The leading lookahead lets every other position fail at once.
_MASKS = re.compile(
    rf"""(?=[0-9+('])(?:
    \b[0-9]{{4}}[-/.][0-9]{{1,2}}[-/.][0-9]{{1,2}}\b                       # 2025-07-14
    |\b[0-9]{{1,2}}(?:[/.]|[ ]/[ ])[0-9]{{1,2}}(?:[/.]|[ ]/[ ])[0-9]{{2,4}}\b    # 14/07/2025
    |\b[0-9]{{1,2}}:[0-9]{{2}}(?::[0-9]{{2}})?(?:[\s\u00a0]?(?i:[ap]\.?m\b\.?))?  # 19:33, 7:30 pm
    |\b[0-9]{{1,2}}(?:\.[0-9]{{2}})?[\s\u00a0]?(?i:a\.m\.|p\.m\.|am\b|pm\b)   # 2 pm
    |\b[0-9]{{1,2}}[\s\u00a0]?o'clock
    |\b[0-9]{{1,2}}(?:st|nd|rd|th)?[\s\u00a0]{{1,2}}(?:of[\s\u00a0])?{_MONTHS}\b  # 14 July
    |\b[0-9]{{1,5}}[*×xX][0-9]{{1,5}}\b(?![\s\u00a0]?(?:cm|mm|m|km|ft|in)\b)  # 1024*768
    |\b[0-9]{{1,3}}(?:\.[0-9]{{1,3}}){{3}}\b                              # 192.168.1.2
    |(?:\+[0-9]{{1,3}}[-\s\u00a0]?)?\(?[0-9]{{2,4}}\)?[-\s\u00a0][0-9]{{3,4}}[-\s\u00a0][0-9]{{4}}\b  # phone numbers
    |\+[0-9]{{1,3}}(?:[-\s\u00a0/.][0-9]{{2,5}}){{2,5}}\b                     # +1-222-2222/2222
    |\b[0-9]{{1,12}}(?:-[0-9]{{1,12}}){{2,6}}\b(?!-)                           # 1111-22223333-4444
    |\b[0-9]{{2,4}}'?s\b                                                # 1990s
    |'[0-9]{{2}}s?\b)
    """,
    re.VERBOSE,
)
_WEB = re.compile(
    r"\b(?:https?://|www\.)[^\s]{1,200}|[\w.+-]{1,64}@[\w-]{1,64}(?:\.[\w-]{1,20}){1,4}"
)
_MONTH_BEFORE = re.compile(rf"\b{_MONTHS}\.?[\s\u00a0]{{1,2}}$")
# lower-case and tokenised newswire dates: "on may 19", "nov . 6", "sept . 30", "as of december 1"
_MONTH_BEFORE_LOOSE = re.compile(rf"\b(?i:{_MONTHS})(?:[\s\u00a0]?\.)?[\s\u00a0]{{1,2}}$")
# "on 1 may that year", "14 march": "may" and "march" are also verbs ("5 may be closed"), so
# those two need a preposition before the day or a year after the month
_MONTH_AFTER_LOOSE = re.compile(
    r"[\s\u00a0]{1,2}(?:of[\s\u00a0]{1,2})?(?i:(?P<verb>may|march)|jan(?:uary)?|feb(?:ruary)?"
    r"|apr(?:il)?|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?"
    r"|dec(?:ember)?)\b(?P<year>[\s\u00a0]{0,2},?[\s\u00a0]{0,2}(?:19|20)[0-9]{2}\b)?"
)
_DATE_PREPOSITION = re.compile(
    r"(?i:\b(?:on|from|since|until|till|by|before|after|of|between|and|to))[\s\u00a0]{1,2}$"
)
_IDENTIFIER_BEFORE = re.compile(r"(?:^|[^0-9A-Za-z])[A-Za-z][A-Za-z0-9]{0,11}[-‐]$")
_ORDINAL_TAIL = r"(?:st|nd|rd|th)"
_NUMBER = re.compile(
    rf"""(?=[0-9.½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞])
    (?:(?P<ord>(?<![\w.])[0-9]{{1,4}}{_ORDINAL_TAIL}\b)
    |(?P<sci>(?<![\w.,])[0-9]{{1,4}}(?:\.[0-9]{{1,12}})?(?:[eE][-+−]?[0-9]{{1,3}}
        |[\s\u00a0]?[×xX*][\s\u00a0]?10\^?[-+−]?[0-9]{{1,3}})(?![0-9.]))
    |(?P<frac>(?<![\w.,/])(?<!/[ ])(?:[0-9]{{1,3}}[\s\u00a0]{{1,2}})?[0-9]{{1,3}}[ ]?/[ ]?[0-9]{{1,3}}
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
_LIST_MARKER = re.compile(r"(?:^|\n)[ \t]{0,8}\(?$")


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
    rf"(?:{_MONTHS}\b|the[\s\u00a0]end\b|end\b|(?:19|20)[0-9]{{2}}\b|mid)"
)
_EXPONENT_OR_ERROR = re.compile(r"(?:\^|±|\+/-|\+-)[\s\u00a0]?$")
_YEAR_CONTEXT = re.compile(
    r"(?i:in|since|by|from|until|of|year|circa|c\.|before|after|end|to)\s{1,3}$"
)


def find_candidates(text: str) -> list[Candidate]:
    """Return every possible figure in ``text``, sorted by start, spans never overlapping."""
    masked = _mask_spans(text)
    found: list[Candidate] = []
    for match in _NUMBER.finditer(text):
        if _inside(masked, match.start()) and not match.group("sci"):
            continue
        cand = _ordinal(text, match) if match.group("ord") else _digits(text, match)
        if cand is not None:
            found.append(cand)
        if match.group("digits") and text[match.end() : match.end() + 1] == ",":
            found.extend(_comma_list(text, match))
    found.extend(_word_candidates(text, masked))
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


def _mask_spans(text: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _MASKS.finditer(text)]
    if "@" in text or "://" in text or "www." in text:
        spans = sorted(spans + [(m.start(), m.end()) for m in _WEB.finditer(text)])
    return spans


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    # spans are sorted and few; a bisect would do, a scan is clearer and fast enough here
    lo, hi = 0, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        if spans[mid][1] <= pos:
            lo = mid + 1
        else:
            hi = mid
    return lo < len(spans) and spans[lo][0] <= pos < spans[lo][1]


def _ordinal(text: str, match: re.Match[str]) -> Candidate | None:
    if PERIOD_NAME_AFTER.match(text, match.end(), min(len(text), match.end() + 14)):
        return None
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
    cand = Candidate(start, end, 0.0, None, "count", start, end, warnings=list(warnings))
    cand.integer = "." not in surface or bool(warnings and "dot" in warnings[0])
    _attach_prefix(text, cand, value)
    _attach_suffix(text, cand, value)
    if cand.kind == "skip" or _is_not_figure(text, cand, surface):
        return None
    return cand


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
    numerator = int(head.split()[-1])
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
    if unit and unit.unit in _DURATIONS and _PERIOD_DURATION.match(text, unit.end, unit.end + 24):
        cand.kind = "skip"  # "in the 12 months to May": a period, not a figure
        return
    if unit:
        cand.unit, cand.kind, pos = unit.unit, unit.kind, unit.end
        after_code = _SCALE_WORD_AFTER_CODE.match(text, pos, min(len(text), pos + 12))
        if after_code and scale is None and unit.surface.upper() == unit.unit:  # 75 USD million
            scale, pos = numbers.scale_of(after_code.group("word")), after_code.end()
    else:
        mult = _MULTIPLIER_SUFFIX.match(text, pos, min(len(text), pos + 8))
        if mult and cand.currency is None and _is_multiplier(text, mult):
            cand.unit, cand.kind, pos = "times", "ratio", mult.end()
    if cand.currency and not cand.unit:
        cand.unit = cand.currency
    if cand.kind == "count" and cand.currency:
        cand.kind = "money"
    cand.scale, cand.end = scale, pos
    sign = -1 if cand.start < cand.num_start and text[cand.start] in "-−" else 1
    cand.value = sign * numbers.scaled(value, scale)
    if cand.unit and cand.unit.endswith(("_cent", "_pence", "_sat", "_dime")):
        code, _, part = cand.unit.partition("_")
        cand.unit, cand.subunit = code, True
        divisor = {"sat": 10**8, "dime": 10}.get(part, 100)
        cand.value = float(Decimal(repr(cand.value)) / divisor)


_FREQUENCY_AFTER = re.compile(
    r"[\s\u00a0]{0,2}(?:this|that|last|each|every|per|during|since|already|so[\s\u00a0]far|before|after"
    r"|a[\s\u00a0](?:day|week|month|year|season|game|match)|an[\s\u00a0]hour|in[\s\u00a0](?:the|a|his|her"
    r"|their|its|one|two|three)|[,.;:!?)]|$)",
    re.IGNORECASE,
)


def _is_multiplier(text: str, mult: re.Match[str]) -> bool:
    """Return True for "three times the level", "1.6 times disposable income", "3x":
    not "four times this month" (a count of events)."""
    if "times" not in mult.group(0).lower():
        return True  # "3x", "threefold"
    return not _FREQUENCY_AFTER.match(text, mult.end(), min(len(text), mult.end() + 20))


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


def _is_not_figure(text: str, cand: Candidate, surface: str) -> bool:
    """Return True for years, identifiers, list markers and other digits that are not figures."""
    bare = cand.unit is None and cand.scale is None and cand.kind == "count"
    digits_only = surface.isdigit()
    if cand.start == cand.num_start and _IDENTIFIER_BEFORE.search(
        text, max(0, cand.start - 14), cand.start
    ):
        return True  # COVID-19, SCP-173, F-35
    if cand.end < len(text) and text[cand.end].isalnum() and cand.kind != "money":
        return True  # 5G, 3D, 06F6: part of a name
    if bare and _MONTH_BEFORE.search(text, max(0, cand.start - 12), cand.start):
        return True  # July 14
    if bare and digits_only and _is_day_of_month(text, cand, int(surface)):
        return True  # nov . 6, on may 19, on 1 may that year
    if _EXPONENT_OR_ERROR.search(text, max(0, cand.start - 4), cand.start):
        return True  # km^2, ±0.01, +/- 1e-5: an exponent or an uncertainty, not a figure
    if cand.start >= 2 and text[cand.start - 1] == "/" and text[cand.start - 2].isdigit():
        return True  # 2022/23, 24/7: a season or a rate written with a slash
    if digits_only and len(surface) > 1 and surface[0] == "0" and bare:
        return True  # 0108263: a code
    if bare and digits_only and len(surface) == 4 and _is_year(text, cand, int(surface)):
        return True
    letter = cand.end == cand.num_end + 1 and text[cand.num_end].isalpha()  # 777F, 13C
    if (bare or letter) and _after_identifier_word(text, cand.num_start):
        return True  # No. 5, Boeing 777F
    if bare and surface in _AIRCRAFT and _AIRCRAFT_AFTER.match(text, cand.end, cand.end + 14):
        return True
    if bare and digits_only and _is_address(text, cand, surface):
        return True
    if bare and text[max(0, cand.start - 4) : cand.start] in _AIRCRAFT_VARIANT:
        return True  # the 800 of a 737-800
    if bare and digits_only and len(surface) > 12:
        return True
    if (
        bare
        and len(surface) <= 2
        and _LIST_MARKER.search(text, max(0, cand.start - 10), cand.start)
    ):
        after = text[cand.num_end : cand.num_end + 2]
        if after[:1] in (".", ")") and after[1:2] in (" ", "\t"):
            return True
    if bare and len(surface) <= 2 and _is_inline_marker(text, cand):
        return True
    return bare and _is_score_or_span(text, cand)


_MARKER_AFTER = re.compile(r"[ \t]?\)[ \t]{1,2}[A-Za-z]")


def _is_inline_marker(text: str, cand: Candidate) -> bool:
    """Return True for a list marker inside a sentence: "it 1) explains ... and 2) predicts"
    (a closing parenthesis that no opening one matches)."""
    if not _MARKER_AFTER.match(text, cand.num_end, min(len(text), cand.num_end + 5)):
        return False
    window = text[max(0, cand.start - 80) : cand.start]
    return window.rfind("(") <= window.rfind(")")


def _is_day_of_month(text: str, cand: Candidate, day: int) -> bool:
    """Return True for a day written next to a month in any case or tokenisation."""
    if not 1 <= day <= 31:
        return False
    if _MONTH_BEFORE_LOOSE.search(text, max(0, cand.start - 14), cand.start):
        return True
    after = _MONTH_AFTER_LOOSE.match(text, cand.end, min(len(text), cand.end + 24))
    if after is None:
        return False
    if not after.group("verb") or after.group("year"):
        return True
    return bool(_DATE_PREPOSITION.search(text, max(0, cand.start - 10), cand.start))


def _is_year(text: str, cand: Candidate, number: int) -> bool:
    if 1900 <= number <= 2100:
        return True
    window = text[max(0, cand.start - 12) : cand.start]
    return 1000 <= number < 1900 and bool(_YEAR_CONTEXT.search(window))


_WORD_BEFORE = re.compile(
    r"([A-Za-z.#&]{1,14})((?:[\s\u00a0]\.)?)[\s\u00a0]{0,2}:?[\s\u00a0]{0,2}$"
)


def _after_identifier_word(text: str, pos: int, spelled: bool = False) -> bool:
    """Return True after "No.", "no .", "exit", "Terminal" ...; ``spelled``: the number is in
    words, where only the words of ``identifier_prefixes_words`` name ("version two")."""
    match = _WORD_BEFORE.search(text, max(0, pos - 20), pos)
    if not match:
        return False
    word = match.group(1).lower() + match.group(2).strip()
    words = _identifier_words(spelled)
    return word in words or word.rstrip(".") in words


@lru_cache(maxsize=2)
def _identifier_words(spelled: bool = False) -> frozenset[str]:
    return frozenset(lexicon()["identifier_prefixes_words" if spelled else "identifier_prefixes"])


_STREET_AFTER = re.compile(
    r"[\s\u00a0]{1,2}(?:[A-Z][a-z]{1,15}[\s\u00a0]{1,2}){1,3}(?:Street|St|Avenue|Ave|Road|Rd"
    r"|Boulevard|Blvd|Lane|Ln|Drive|Dr|Place|Court|Ct|Terrace|Parkway|Pkwy|Square|Sq)\b"
)
_STATE_BEFORE = re.compile(
    r"\b(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV"
    r"|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY),?[\s\u00a0]{1,2}$"
)


def _is_address(text: str, cand: Candidate, surface: str) -> bool:
    """Return True for a house number ("123 Random Street") or a US ZIP code ("PA 23456")."""
    if len(surface) <= 5 and _STREET_AFTER.match(text, cand.end, min(len(text), cand.end + 60)):
        return True
    return len(surface) == 5 and bool(
        _STATE_BEFORE.search(text, max(0, cand.start - 5), cand.start)
    )


# Boeing's 7x7 family named without the maker: "265 of its 737 jets", "the 787 Dreamliner"
_AIRCRAFT_AFTER = re.compile(
    r"[\s\u00a0]{1,2}(?:jets?|jetliners?|planes?|aircraft|airliners?|freighters?|fleet|Max|MAX"
    r"|Dreamliners?|family)\b|-[0-9]{1,3}\b"
)
_AIRCRAFT = frozenset(("707", "717", "727", "737", "747", "757", "767", "777", "787"))
_AIRCRAFT_VARIANT = frozenset(f"{model}-" for model in _AIRCRAFT)


_SCORE_CONTEXT = re.compile(
    r"(?i)\b(?:won|win|wins|beat|beats|beaten|defeated|defeat|lost|lose|loses|drew|draw|victory"
    r"|scored?|lead|led|trail(?:ed|ing)?|sets?|games?|match|final|series|voted?|votes|tie|tied"
    r"|margin|innings|goals?|points|halftime|half-time)\b"
)


def _is_score_or_span(text: str, cand: Candidate) -> bool:
    """Return True for scores ("won 6-2", "4-6, 6-4") and seasons ("2019-20"); a bare
    dash pair elsewhere ("1000-5000", "ages 18-24") is a range and stays."""
    before = text[max(0, cand.num_start - 6) : cand.num_start]
    after = text[cand.num_end : cand.num_end + 6]
    left = re.search(r"(?<![0-9.,])([0-9]{1,4})[-–]$", before)
    right = re.match(
        r"[-–]([0-9]{1,4})(?![0-9%]|[.,][0-9]|[\s\u00a0]?(?:%|per|million|billion|thousand))", after
    )
    pair = left or right
    if pair is None:
        return False
    own = text[cand.num_start : cand.num_end]
    if any(len(n) == 4 and 1900 <= int(n) <= 2100 for n in (own, pair.group(1)) if n.isdigit()):
        return True  # a season or a span of years
    if max(len(own), len(pair.group(1))) > 2:
        return False
    window = text[max(0, cand.num_start - 60) : cand.num_end + 40]
    return bool(_SCORE_CONTEXT.search(window)) or bool(
        re.search(r"[0-9][-–][0-9]{1,2},[\s\u00a0]{1,2}[0-9]{1,2}[-–][0-9]", window)
    )


def _word_candidates(text: str, masked: list[tuple[int, int]]) -> list[Candidate]:
    out: list[Candidate] = []
    for phrase in find_phrases(text):
        if _inside(masked, phrase.start):
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
        if bare and _after_identifier_word(text, cand.start, spelled=True):
            continue  # "version two", "Terminal Five"
        if cand.kind != "skip":
            out.append(cand)
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
