"""Digits that are not figures: dates, times, years, identifiers, list markers, addresses, scores.

The candidate pass (``candidates.py``) asks two things here: which spans of a text are masked
outright (``mask_spans``: dates, times, phone numbers, URLs) and whether one candidate, with
its unit and scale read, is a figure at all (``is_not_figure``). Every pattern uses bounded
repetition and literal alternations, and looks only a few characters either side.
"""

from __future__ import annotations

import bisect
import re
import sys
from functools import lru_cache
from typing import TYPE_CHECKING

from extractors.units import lexicon, unit_after

if TYPE_CHECKING:
    from extractors.candidates import Candidate

MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# Boeing's 7x7 family named without the maker: "its 737 Max jets", "the 777x", "the 787 program"
_AIRCRAFT_NOUN = (
    r"[\s\u00a0]{1,2}(?i:jets?|jetliners?|planes?|aircraft|airliners?|freighters?|fleets?"
    r"|max|dreamliners?|family|program(?:me)?s?|orders?|deliveries|production|models?"
    r"|variants?|groundings?|crash(?:es)?)\b"
)
# Digit-led spans that are never figures: dates, times, versions, phone numbers, decades.
# The leading lookahead lets every other position fail at once.
_MASKS = re.compile(
    rf"""(?=[0-9+('])(?:
    \b[0-9]{{4}}[-/.][0-9]{{1,2}}[-/.][0-9]{{1,2}}\b                       # 2025-07-14
    |\b[0-9]{{1,2}}(?:[/.]|[ ]/[ ])[0-9]{{1,2}}(?:[/.]|[ ]/[ ])[0-9]{{2,4}}\b    # 14/07/2025
    |\b[0-9]{{1,2}}:[0-9]\b(?![:.,][0-9])                                # 3:1, won 2:1 (ratio, score)
    |\b[0-9]{{1,2}}:[0-9]{{2}}(?::[0-9]{{2}})?(?:[\s\u00a0]?(?i:[ap]\.?m\b\.?))?  # 19:33, 7:30 pm
    |\b[0-9]{{1,2}}(?:\.[0-9]{{2}})?[\s\u00a0]?(?i:a\.m\.|p\.m\.|am\b|pm\b)   # 2 pm
    |\b[0-9]{{1,2}}[\s\u00a0]?o'clock
    |\b[0-9]{{1,2}}(?:st|nd|rd|th)?[\s\u00a0]{{1,2}}(?:of[\s\u00a0])?{MONTHS}\b  # 14 July
    |\b[0-9]{{1,5}}[*×xX][0-9]{{1,5}}\b(?![\s\u00a0]?(?:cm|mm|m|km|ft|in)\b)  # 1024*768
    |\b[0-9]{{1,3}}(?:\.[0-9]{{1,3}}){{3}}\b                              # 192.168.1.2
    |(?:\+[0-9]{{1,3}}[-\s\u00a0]?)?\(?[0-9]{{2,4}}\)?[-\s\u00a0][0-9]{{3,4}}[-\s\u00a0][0-9]{{4}}\b  # phone numbers
    |\+[0-9]{{1,3}}(?:[-\s\u00a0/.][0-9]{{2,5}}){{2,5}}\b                     # +1-222-2222/2222
    |\b[0-9]{{1,12}}(?:-[0-9]{{1,12}}){{2,6}}\b(?!-)                           # 1111-22223333-4444
    |\b7[0-8]7(?:[xX]|-[0-9]{{1,2}}0{{1,2}}|[\s\u00a0]?(?:MAX|Max|max))?(?={_AIRCRAFT_NOUN})  # 777x jets, 737 Max
    |\b911(?=[\s\u00a0]{{1,2}}(?i:calls?|dispatch\w{{0,6}}|operators?|cent(?:er|re)s?|system|line|services?|emergency))
    |\b[0-7]-[0-7][\s\u00a0]?\([0-9]{{1,2}}\)                           # 7-6 (5): a set and its tie-break
    |\b[0-9]{{3}}\([a-z]\)                                              # 401(k), 403(b)
    |\b[0-9]{{2,4}}'?s\b                                                # 1990s
    |'[0-9]{{2}}s?\b)
    """,
    re.VERBOSE,
)
_WEB = re.compile(
    r"\b(?:https?://|www\.)[^\s]{1,200}|[\w.+-]{1,64}@[\w-]{1,64}(?:\.[\w-]{1,20}){1,4}"
)
_MONTH_BEFORE = re.compile(rf"\b{MONTHS}\.?[\s\u00a0]{{1,2}}$")
# lower-case and tokenised newswire dates: "on may 19", "nov . 6", "sept . 30", "as of december 1"
_MONTH_BEFORE_LOOSE = re.compile(rf"\b(?i:{MONTHS})(?:[\s\u00a0]?\.)?[\s\u00a0]{{1,2}}$")
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
_LIST_MARKER = re.compile(r"(?:^|\n)[ \t]{0,8}\(?$")
_EXPONENT_OR_ERROR = re.compile(r"(?:\^|±|\+/-|\+-)[\s\u00a0]?$")
_YEAR_CONTEXT = re.compile(
    r"(?i:in|since|by|from|until|of|year|circa|c\.|before|after|end|to)\s{1,3}$"
)


# a number after a word that dials it: "call 555-1234", "Dial 911 or 999", "hotline: 12345";
# a plain run of digits only when no counted noun or scale follows ("call 100 workers back")
_DIALLED = re.compile(
    r"(?i:\b(?:call|dial|phone|tel|telephone|hotline|helpline|fax|mobile|whatsapp)\b)[.:]?"
    r"[\s\u00a0]{1,3}(?:(?i:on|at|number|no\.?)[\s\u00a0]{1,2})?"
    r"(?P<number>\+?\(?[0-9]{3,5}\)?(?:[-.\s\u00a0][0-9]{2,5}){1,4}(?![0-9]|[.,][0-9])"
    r"|[0-9]{3,5}(?:[\s\u00a0]{1,2}or[\s\u00a0]{1,2}[0-9]{3,5})?"
    r"(?=[\s\u00a0]{0,2}(?:[,.;:!?)]|$|(?i:or|and|for|to|if|in|now|today|free)\b)))"
)


def mask_spans(text: str) -> list[tuple[int, int]]:
    """Return the sorted spans that hold no figure: dates, times, phone numbers, URLs, e-mails.

    >>> text = "Updated 2025-07-14 19:33; see www.x.com"
    >>> [text[start:end] for start, end in mask_spans(text)]
    ['2025-07-14', '19:33', 'www.x.com']
    """
    spans = [(m.start(), m.end()) for m in _MASKS.finditer(text)]
    dialled = [m.span("number") for m in _DIALLED.finditer(text)]
    if dialled:
        spans = _merge(spans + dialled)
    if "@" in text or "://" in text or "www." in text:
        spans = _merge(spans + [(m.start(), m.end()) for m in _WEB.finditer(text)])
    return spans


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return sorted, non-overlapping spans covering the same positions."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def mask_start_within(spans: list[tuple[int, int]], start: int, end: int) -> int | None:
    """Return the start of the first masked span beginning inside (start, end), or None.

    >>> mask_start_within([(4, 11)], 0, 11), mask_start_within([(4, 11)], 4, 11)
    (4, None)
    """
    index = bisect.bisect_right(spans, (start, sys.maxsize))  # the first span after ``start``
    if index < len(spans) and start < spans[index][0] < end:
        return spans[index][0]
    return None


def inside(spans: list[tuple[int, int]], pos: int) -> bool:
    """Return True when ``pos`` lies in one of the sorted, non-overlapping ``spans``.

    >>> inside([(8, 18)], 10), inside([(8, 18)], 18)
    (True, False)
    """
    lo, hi = 0, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        if spans[mid][1] <= pos:
            lo = mid + 1
        else:
            hi = mid
    return lo < len(spans) and spans[lo][0] <= pos < spans[lo][1]


def is_not_figure(text: str, cand: Candidate, surface: str) -> bool:
    """Return True for years, identifiers, list markers and other digits that are not figures."""
    if cand.start == cand.num_start and _IDENTIFIER_BEFORE.search(
        text, max(0, cand.start - 14), cand.start
    ):
        return True  # COVID-19, SCP-173, F-35
    if cand.end < len(text) and text[cand.end].isalnum() and cand.kind != "money":
        return True  # 5G, 3D, 06F6: part of a name
    if _EXPONENT_OR_ERROR.search(text, max(0, cand.start - 4), cand.start):
        return True  # km^2, ±0.01, +/- 1e-5: an exponent or an uncertainty, not a figure
    if cand.start >= 2 and text[cand.start - 1] == "/" and text[cand.start - 2].isdigit():
        return True  # 2022/23, 24/7: a season or a rate written with a slash
    bare = cand.unit is None and cand.scale is None and cand.kind == "count"
    letter = cand.end == cand.num_end + 1 and text[cand.num_end].isalpha()  # 777F, 13C
    if (bare or letter) and after_identifier_word(text, cand.num_start):
        return True  # No. 5, Boeing 777F
    return bare and (
        _is_date(text, cand, surface)
        or _is_name_or_code(text, cand, surface)
        or _is_marker(text, cand, surface)
        or _is_score_or_span(text, cand)
    )


def after_month(text: str, pos: int) -> bool:
    """Return True when a month name ends right before ``pos`` ("July 14", "Nov. 5th").

    >>> after_month("on November 5th", 12), after_month("grew 5", 5)
    (True, False)
    """
    return bool(_MONTH_BEFORE.search(text, max(0, pos - 12), pos))


def _is_date(text: str, cand: Candidate, surface: str) -> bool:
    """Return True for a bare number that is a year or the day of a month."""
    if after_month(text, cand.start):
        return True  # July 14
    if not surface.isdigit():
        return False
    if _is_day_of_month(text, cand, int(surface)):
        return True  # nov . 6, on may 19, on 1 may that year
    return len(surface) == 4 and _is_year(text, cand, int(surface))


def _is_name_or_code(text: str, cand: Candidate, surface: str) -> bool:
    """Return True for codes, model numbers and addresses: 0108263, its 737 jets, 10 Main St."""
    digits_only = surface.isdigit()
    if digits_only and (len(surface) > 12 or (len(surface) > 1 and surface[0] == "0")):
        return True  # 0108263: a code
    if surface in _AIRCRAFT and _AIRCRAFT_AFTER.match(text, cand.end, cand.end + 14):
        return True
    if text[max(0, cand.start - 4) : cand.start] in _AIRCRAFT_VARIANT:
        return True  # the 800 of a 737-800
    name = _MODEL_NAME_BEFORE.search(text, max(0, cand.start - 24), cand.start)
    if (
        name
        and digits_only
        and len(surface) <= 3
        and _AFTER_MODEL_NUMBER.match(text, cand.end)
        and unit_after(text, name.start() - 1) is None  # "20 Rupees 43": a currency word
    ):
        return True  # "the e-tron Sportback 50", "for Level 2 stations": part of a name
    return digits_only and _is_address(text, cand, surface)


# a capitalised word inside a sentence right before a bare number names a model or a level
# ("e-tron Sportback 50", "For Level 2"); the lookbehind keeps sentence openers out
_MODEL_NAME_BEFORE = re.compile(
    r"(?:(?<=[a-z0-9,;’'-][\s\u00a0])|(?<=\bFor[\s\u00a0])|(?<=\bThe[\s\u00a0]))"
    r"[A-Z][a-z]{2,15}[\s\u00a0]$"
)
_AFTER_MODEL_NUMBER = re.compile(r"[\s\u00a0]{1,2}[a-z]|[\s\u00a0]?[,.;:)]|$")


def _is_marker(text: str, cand: Candidate, surface: str) -> bool:
    """Return True for list markers: "1. Apples" at a line start, "it 1) explains" inside."""
    if len(surface) > 2:
        return False
    if _LIST_MARKER.search(text, max(0, cand.start - 10), cand.start):
        after = text[cand.num_end : cand.num_end + 2]
        if after[:1] in (".", ")") and after[1:2] in (" ", "\t"):
            return True
    return _is_inline_marker(text, cand)


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


def after_identifier_word(text: str, pos: int, spelled: bool = False) -> bool:
    """Return True after "No.", "no .", "exit", "Terminal" ...; ``spelled``: the number is in
    words, where only the words of ``identifier_prefixes_words`` name ("version two").

    >>> after_identifier_word("Terminal 5", 9), after_identifier_word("grew 5", 5)
    (True, False)
    >>> after_identifier_word("version two", 8, spelled=True)
    True
    """
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
    r"[\s\u00a0]{1,2}(?:[NSEW]\.?[\s\u00a0]{1,2})?(?:[A-Z][a-z]{1,15}[\s\u00a0]{1,2}){1,3}(?:Street|St|Avenue|Ave|Road|Rd"
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
    r"|margin|innings|goals?|points|halftime|half-time|straight|edged|clinched|past|against"
    r"|routed|downed|swept|thrashed|the[\s\u00a0]same"
    r"|put(?:[\s\u00a0]{1,2}[\w’']{1,20}){1,3}[\s\u00a0]{1,2}up)\b"
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
    window = text[max(0, cand.num_start - 60) : cand.num_end + 40]
    if max(len(own), len(pair.group(1))) > 2:
        # "112-107 over the Thunder": a score is written high-low, a range low-high ("100-150")
        high, low = (own, pair.group(1)) if right else (pair.group(1), own)
        digits = high.isdigit() and low.isdigit() and len(high) <= 3
        return digits and int(high) > int(low) and bool(_SCORE_CONTEXT.search(window))
    return bool(_SCORE_CONTEXT.search(window)) or bool(
        re.search(r"[0-9][-–][0-9]{1,2},[\s\u00a0]{1,2}[0-9]{1,2}[-–][0-9]", window)
    )
