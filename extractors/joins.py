"""Joining neighbouring candidates: shared scale and currency, ranges, ratios.

"£10 and 16 billion" shares "billion" and "£"; "20-30%" and "between 20 and 30 percent" are
ranges (``at_least`` and ``at_most``); "one in five" and "3 out of 10" are ratios.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractors.candidates import Candidate


_RANGE_BLOCKERS = re.compile(
    r"(?i)\b(?:from|rose|risen|rise|rises|fell|fallen|falls|fall|increased|decreased|grew|jumped"
    r"|climbed|dropped|declined|up|down|surged|slid|slipped|plunged|soared|gained|lost|cut|raised)"
    r"(?:[\s\u00a0]{1,2}by)?[\s\u00a0]{1,2}(?:about|around|some|nearly|almost)?[\s\u00a0]{0,2}$"
)
_RATIO_JOIN = re.compile(
    r"[\s\u00a0]{1,3}(?P<w>over|out[\s\u00a0]{1,2}of|in)[\s\u00a0]{1,3}", re.IGNORECASE
)


def join_ratios(text: str, found: list[Candidate]) -> list[Candidate]:
    """Merge "one in five", "3 out of 10", "1 over 3" into one ratio figure (0.2, 0.3, 0.333)."""
    out: list[Candidate] = []
    for cand in found:
        left = out[-1] if out else None
        if left is not None and _is_ratio_pair(text, left, cand):
            merged = dataclasses.replace(
                left,
                end=cand.end,
                value=left.value / cand.value,
                unit=None,
                kind="ratio",
                num_end=cand.end,
                integer=False,
            )
            out[-1] = merged
            continue
        out.append(cand)
    return out


def _is_ratio_pair(text: str, left: Candidate, right: Candidate) -> bool:
    join = _RATIO_JOIN.fullmatch(text, left.end, right.start)
    if join is None or left.unit or right.unit or right.value == 0:
        return False
    if left.kind != "count" or right.kind != "count" or left.scale or right.scale:
        return False
    word = join.group("w").lower()
    if word == "in":
        return 0 < left.value < right.value <= 1000 and left.value <= 10
    return abs(left.value) <= abs(right.value) or word == "over"


_JOIN = re.compile(r"[\s\u00a0]{0,2}(?:and|or|to|-|–|—)[\s\u00a0]{0,2}$|[-–]$")


def _is_to_range(text: str, left: Candidate, right: Candidate, between: str) -> bool:
    """Return True for "44 mg to 50 mg", "$250 billion to $275 billion" (not "rose from 5 to 8")."""
    if not re.fullmatch(r"[\s\u00a0]{1,2}to[\s\u00a0]{1,2}", between):
        return False
    if left.unit != right.unit or left.value >= right.value or left.kind == "ordinal":
        return False
    before = text[max(0, left.start - 30) : left.start]
    return not _RANGE_BLOCKERS.search(before)


def _takes_currency(text: str, left: Candidate, right: Candidate, between: str) -> bool:
    """Return True when a bare right number shares the left currency ("$3 and 4 million",
    "between $20 and 30"), not "$5 and 20 people"."""
    if right.scale or re.search(r"[-–]|to", between):
        return True
    if re.search(
        r"(?i)\bbetween[\s\u00a0]{1,3}\S{0,4}$", text[max(0, left.start - 12) : left.start]
    ):
        return True
    return bool(re.match(r"[\s\u00a0]*(?:[.,;:!?)]|$)", text[right.end : right.end + 3]))


def _same_style(left: Candidate, right: Candidate) -> bool:
    """Return True when two numbers can share a unit: both in digits or both in words, or a
    small number spelled out before a larger one in digits ("between five and 10 percent")."""
    if left.words == right.words:
        return True
    return left.words and left.kind == "count" and 0 < left.value < right.value


def distribute(text: str, found: list[Candidate]) -> list[Candidate]:
    """Share a scale, unit or currency across joined numbers ("£10 and 16 billion", "20-30%")."""
    for left, right in itertools.pairwise(found):
        between = text[left.end : right.start]
        if len(between) > 7 or not _JOIN.fullmatch(between) or not _same_style(left, right):
            continue
        if right.unit is None and left.currency and _takes_currency(text, left, right, between):
            right.unit, right.kind, right.currency = left.currency, "money", left.currency
        if left.scale is None and right.scale and left.unit in (None, right.unit, right.currency):
            left.value, left.scale = left.value * right.scale, right.scale
        if (
            left.unit is None
            and right.unit
            and right.kind != "ordinal"
            and (left.scale is None or right.kind not in ("percent", "percentage_point"))
        ):
            left.unit, left.kind = right.unit, right.kind
        if (
            re.search(r"[-–]", between)
            or re.search(
                r"(?i)\bbetween[\s\u00a0]{1,3}\S{0,4}$", text[max(0, left.start - 12) : left.start]
            )
            or _is_to_range(text, left, right, between)
        ):
            left.approx, right.approx = "at_least", "at_most"
    return found


_MONEY_GAP = re.compile(r"[\s\u00a0]{1,2}(?:and[\s\u00a0]{1,2})?")
_CURRENCY_WORD_END = re.compile(r"(?i)[a-z]{3,}$")
_CLAUSE_END = re.compile(r"[\s\u00a0]*(?:[.,;:!?)]|$)")


def join_money_parts(text: str, found: list[Candidate]) -> list[Candidate]:
    """Merge "3 dollars 50 cents", "$20 and 43c", "15 dollars 50." into one amount (3.5, 20.43)."""
    out: list[Candidate] = []
    for cand in found:
        left = out[-1] if out else None
        if left is not None and _is_money_part(text, left, cand):
            cents = cand.value if cand.subunit else cand.value / 100
            out[-1] = dataclasses.replace(left, end=cand.end, value=left.value + cents)
            continue
        out.append(cand)
    return out


def _is_money_part(text: str, left: Candidate, right: Candidate) -> bool:
    if (
        left.kind != "money"
        or left.subunit
        or not _MONEY_GAP.fullmatch(text, left.end, right.start)
    ):
        return False
    if right.subunit:
        return right.value < 1
    bare = right.kind == "count" and right.unit is None and right.integer and 0 < right.value < 100
    word_unit = bool(_CURRENCY_WORD_END.search(text, left.start, left.end))
    return bare and word_unit and bool(_CLAUSE_END.match(text, right.end))
