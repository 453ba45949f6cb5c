"""Numbers written in words: "two hundred and fifty thousand", "two-thirds", "twenty-first".

Finds runs of number words (and digits mixed with them: "3 hundred and 21") with one bounded
regex, then reads each run with the phrase parser of ``numbers.py``. Returns plain spans and
values; ``candidates.py`` attaches units and currencies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from extractors import numbers
from extractors.units import alternation, unit_after


@dataclass(frozen=True, slots=True)
class Phrase:
    """A number written (at least partly) in words: span, value and what it is."""

    start: int
    end: int
    value: Decimal
    kind: str  # "count", "ratio" (a fraction), "ordinal" or "times" (a multiplier)
    signed: bool = False  # starts with "minus" / "negative"


def find_phrases(text: str) -> list[Phrase]:
    """Return the number phrases, word ordinals and multiplier words of ``text`` (they may
    overlap: "a third" is also the ordinal "third"; ``candidates`` keeps the longest).

    >>> [(str(p.value), p.kind) for p in find_phrases("three million, two-fifths, tenth, doubled")]
    [('3000000', 'count'), ('0.4', 'ratio'), ('10', 'ordinal'), ('2', 'times')]
    """
    run, ordinal, multiplier = _word_regexes()
    out: list[Phrase] = []
    for match in run.finditer(text):
        out.extend(_phrases(text, match.start(), match.group(0)))
    for match in ordinal.finditer(text):
        found = _word_ordinal(text, match)
        if found is not None:
            out.append(found)
    data = numbers.tables()
    for match in multiplier.finditer(text):
        key = match.group(0).lower()
        if text[match.end() : match.end() + 1] == "-":
            continue  # "triple-doubles", "double-digit": a compound word
        if key in data["bare_multipliers"] and not _bare_multiplier(text, match):
            continue  # "the doubles match", "triple taillights", "twice a week"
        factor = data["multipliers"].get(key, data["fold"].get(key))
        out.append(Phrase(match.start(), match.end(), Decimal(str(factor)), "times"))
    return out


def _first_letters(words: list[str]) -> str:
    """Return a character class body of the first letters of ``words``, both cases."""
    letters = {w[0].lower() for w in words if w} | {w[0].upper() for w in words if w}
    return "".join(sorted(re.escape(c) for c in letters))


@lru_cache(maxsize=1)
def _word_regexes() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    data = numbers.tables()
    words = list(data["units"]) + list(data["tens"]) + list(data["scales"])
    words += (
        list(data["scale_aliases"])
        + list(data["fractions"])
        + ["hundreds", "dozen", "dozens", "doz", "dozs", "dz", "dzs"]
    )
    numword = rf"\b(?i:{alternation(words)})\b"
    glue = rf"\b(?i:{alternation(['and', 'a', 'an', 'point', 'minus', 'negative'])})\b|&"
    digits = r"[0-9]{1,3}(?:,[0-9]{3}){1,6}(?:\.[0-9]{1,9})?(?![0-9,])|[0-9]{1,15}(?:\.[0-9]{1,9})?(?![0-9])"
    sep = r"(?:[\s\u00a0]{1,3}[-—–]?[\s\u00a0]{0,3}|[-—–][\s\u00a0]{0,3})"
    token = rf"(?:{numword}|{glue}|{digits})"
    lead = (
        rf"(?:{numword}|(?:(?i:an?)\b|{digits})(?={sep}{numword})"
        rf"|(?i:minus|negative)\b(?={sep}(?:{numword}|[0-9])))"
    )
    first = _first_letters(words + ["a", "an", "minus", "negative"]) + "0-9"
    run = re.compile(rf"(?=[{first}])(?<![\w.,]){lead}(?:{sep}{token}){{0,24}}(?![\w])")
    tens = alternation(list(data["tens"]))
    ords = alternation(list(data["ordinals"]))
    first = _first_letters(
        list(data["tens"]) + list(data["ordinals"]) + list(data["units"]) + ["a", "hundred"]
    )
    head = alternation(
        list(data["units"])
        + list(data["tens"])
        + ["hundred", "thousand", "million", "billion", "a", "and"]
    )
    ordinal = re.compile(
        rf"(?=[{first}])\b(?i:(?:(?:{head})[\s\u00a0\-]{{1,2}}){{0,6}}(?:{tens}[\s\u00a0\-—–]?)?{ords})\b"
    )
    words = list(data["multipliers"]) + list(data["fold"]) + list(data["bare_multipliers"])
    mults = alternation(words)
    first = _first_letters(words)
    multiplier = re.compile(rf"(?=[{first}])\b(?i:{mults})\b")
    return run, ordinal, multiplier


_RUN_TOKEN = re.compile(r"&|[^\s\u00a0\-—–]{1,40}")
_WORDY = frozenset(("unit", "tens", "hundred", "dozen", "frac", "point", "a", "minus", "negative"))
_NOT_ONE = re.compile(
    r"(?i)[\s\u00a0]{1,3}(?:of|another|'s|’s|who|that|which|by|day|thing|way|side|hand|point"
    r"|last[\s\u00a0]{1,3}(?:time|chance|try|push|thing|attempt|shot|hurrah)"  # one last time
    r"|(?:can|could|should|must|would|might|may|shall|cannot|can't|ought)"  # generic pronoun
    r"|(?:is|was|be|has|had)[\s\u00a0]{1,3}(?:required|expected|supposed|obliged|forced|allowed"
    r"|able|entitled|advised|told)[\s\u00a0]{1,3}to"
    r"|(?:has|had|needs)[\s\u00a0]{1,3}to)\b"
    r"|[\s\u00a0]{0,2}-"  # one-time, one - time gains, one-off
)
_NOT_ONE_BEFORE = re.compile(
    r"(?i)\b(?:no|any|every|each|the|this|that|which|some|no-?one|little|only\s+the|such"
    r"|last|next|right|wrong|current|previous|first|second|third|other|same|new|old|latest"
    r"|final|original|big|little|best|worst|only\s+other|last\s+but|ones?\s+by)"
    r"[\s\u00a0]{1,3}$"
)


def _phrases(text: str, offset: int, run_text: str) -> list[Phrase]:
    """Return the number phrases of one run of number-like tokens ("two hundred and five")."""
    spans, tokens = [], []
    for tok in _RUN_TOKEN.finditer(run_text):
        kind = numbers.classify_word(tok.group(0))
        if kind is None:
            return []
        spans.append((offset + tok.start(), offset + tok.end()))
        tokens.append(kind)
    out: list[Phrase] = []
    i = 0
    while i < len(tokens):
        found = numbers.parse_phrase(tokens, i)
        used = found[1] if found else 0
        if found is None or used == 0:
            if tokens[i][1] == "half" and _half_is_figure(text, *spans[i]):
                out.append(Phrase(spans[i][0], spans[i][1], Decimal("0.5"), "ratio"))
            i += 1
            continue
        kinds = {t[0] for t in tokens[i : i + used]}
        if kinds & _WORDY:
            phrase = _phrase(text, spans[i][0], spans[i + used - 1][1], found[0], kinds)
            if phrase is not None:
                out.append(phrase)
        i += used
    return out


def _phrase(text: str, start: int, end: int, value: Decimal, kinds: set[str]) -> Phrase | None:
    lowered = text[start:end].lower()
    single = " " not in lowered.strip() and "-" not in lowered
    if kinds <= {"scale", "hundred", "dozen", "a"} and (single or lowered.endswith("s")):
        return None  # "hundreds of", "millions", "thousands": vague, not figures
    if lowered == "one" and not _lone_one_is_figure(text, start, end):
        return None
    fraction = "frac" in kinds and abs(value) < 1
    if fraction and _THE_BEFORE.search(text, max(0, start - 5), start) and lowered[-1:] != "s":
        return None  # "the one hundredth anniversary": an ordinal
    if fraction and lowered.startswith(("a ", "an ")) and not _BY_BEFORE.search(text, max(0, start - 4), start):
        after = text[end : end + 4].lower()
        if after.strip() and not re.match(r"[\s\u00a0]{1,2}of\b|[\s\u00a0]*[.,;:!?)]", after):
            return None  # "a third term": an ordinal, not a third ("cut by a third" is)
    signed = "minus" in kinds or "negative" in kinds
    of_scale = _OF_A_SCALE.match(text, end, min(len(text), end + 20)) if fraction else None
    if of_scale:  # "a quarter of a million": 250,000
        scale = Decimal(numbers.tables()["scales"][of_scale.group("scale").lower()])
        return Phrase(start, of_scale.end(), value * scale, "count", signed)
    return Phrase(start, end, value, "ratio" if fraction else "count", signed)


_THE_BEFORE = re.compile(r"(?i)\bthe[\s\u00a0]{1,2}$")
_BY_BEFORE = re.compile(r"(?i)\bby[\s\u00a0]{1,2}$")
_OF_A_SCALE = re.compile(
    r"[\s\u00a0]{1,2}of[\s\u00a0]{1,2}(?:an?|one)[\s\u00a0]{1,2}"
    r"(?P<scale>(?i:thousand|million|billion|trillion))\b"
)


def _lone_one_is_figure(text: str, start: int, end: int) -> bool:
    """Return False for the pronoun "one" ("one of the", "no one", "the one who", "another
    one", "if one steps back") and for "One" in a name ("our One Home Depot strategy")."""
    if unit_after(text, end) is not None:
        return True
    if _NOT_ONE.match(text, end, min(len(text), end + 32)):
        return False
    if _PRONOUN_ONE.search(text, max(0, start - 8), min(len(text), end + 24)):
        return False
    if text[start] == "O" and _NAMED_ONE.match(text, end) and _MID_SENTENCE.search(text, 0, start):
        return False
    return not _NOT_ONE_BEFORE.search(text, max(0, start - 16), start)


_PRONOUN_ONE = re.compile(
    r"(?i)\b(?:another[\s\u00a0]{1,2}one\b|(?:if|when|unless|as)[\s\u00a0]{1,2}one[\s\u00a0]{1,2}"
    r"[a-z]{2,15}s\b)"
)
_NAMED_ONE = re.compile(r"[\s\u00a0][A-Z][a-z]")
_MID_SENTENCE = re.compile(r"[a-z,][\s\u00a0]{1,2}$")


_HALF_QUALIFIED = re.compile(
    r"(?i)\b(?:(?:more|less|fewer|greater)[\s\u00a0]{1,2}than|nearly|almost|about|around|roughly"
    r"|approximately|over|under|at[\s\u00a0]{1,2}least|up[\s\u00a0]{1,2}to|close[\s\u00a0]{1,2}to"
    r"|only|barely|just)[\s\u00a0]{1,2}$"
)
_HALF_OF = re.compile(r"[\s\u00a0]{1,2}(?:of|the)\b")  # "half of the voters", "half the size"
_NOT_HALF_OF = re.compile(  # "the first half of 2024", "the upper half of the screen"
    r"(?i)\b(?:the|a|an|first|second|last|other|back|front|top|bottom|upper|lower|northern"
    r"|southern|eastern|western|latter|former|better|my|your|his|her|its|our|their)[\s\u00a0]{1,2}$"
)
_NOT_HALF_AFTER = re.compile(
    r"(?i)[\s\u00a0]{0,2}-|[\s\u00a0]{1,2}(?:an?|time|way|century|decade|year|hour|day|brother"
    r"|sister|point|dozen)\b"
)


def _half_is_figure(text: str, start: int, end: int) -> bool:
    """Return True for a lone "half" that is a share: "more than half people", "nearly half",
    "half of the voters"; not "the first half of 2024", "half-time" or "half an hour"."""
    if _NOT_HALF_AFTER.match(text, end, min(len(text), end + 12)):
        return False
    if _HALF_QUALIFIED.search(text, max(0, start - 24), start):
        return True
    return bool(_HALF_OF.match(text, end, min(len(text), end + 6))) and not (
        _NOT_HALF_OF.search(text, max(0, start - 12), start)
    )


_COMPOUND_AFTER = re.compile(
    r"(?i)[\s\u00a0-]{1,2}(?:class|party|parties|aid|lady|hand|rate|degree|world|cousins?"
    r"|guess(?:ed|ing)?|fiddle|nature|thoughts?|to[\s\u00a0]{1,2}last)\b"
)
_NAME_AFTER = re.compile(
    r"[\s\u00a0]{1,2}(?:Street|St|Avenue|Ave|Road|Rd|Amendment|Circuit|District|Republic|Division"
    r"|Army|Fleet|Ward|Precinct|World[\s\u00a0]War)\b"
)
_ADVERB_FIRST = re.compile(
    r"(?i)\b(?:is|are|was|were|be|been|being|it|they|he|she|we|i)[\s\u00a0]{1,2}first"
    r"[\s\u00a0]{1,2}[a-z]{2,15}(?:ed|en)\b"
)
PERIOD_NAME_AFTER = re.compile(
    r"(?i)[\s\u00a0-]{1,2}(?:quarter|half|century|millennium|period|periods|inning|innings|overtime"
    r"|(?:[a-z]{3,9}|[0-9]{1,3})[\s\u00a0-]{1,2}(?:days|weeks|months|quarters|years))\b"
)  # "third quarter", "the first seven months of the year", "first 100 days"


_TENS = frozenset(numbers.tables()["tens"])


def _one_number(words: list[str]) -> bool:
    """Return True when ``words`` read as exactly one cardinal ("one hundred twenty")."""
    while words and words[-1].lower() == "and":
        words = words[:-1]
    tokens = [numbers.classify_word(w) for w in words]
    if not words or any(t is None for t in tokens) or words[0].lower() == "and":
        return False
    found = numbers.parse_phrase(tokens)  # type: ignore[arg-type]
    return found is not None and found[1] == len(tokens)


_BARE_BEFORE = re.compile(
    r"(?i)\b(?:more[\s\u00a0]than|nearly|almost|about|roughly|to|will|would|could|may|might|can|set[\s\u00a0]to"
    r"|expected[\s\u00a0]to|expects[\s\u00a0]to|plans[\s\u00a0]to|aims[\s\u00a0]to|,)[\s\u00a0]{1,2}$"
)
_BARE_AFTER = re.compile(
    r"(?i)[\s\u00a0]{1,2}(?:the|its|their|that|what|his|her|our|by|from|in[\s\u00a0]size)\b"
)
_TWICE_AS = re.compile(r"(?i)[\s\u00a0]{1,2}as\b")  # "twice as many": not "double as a bed"


def _bare_multiplier(text: str, match: re.Match[str]) -> bool:
    """Return True for "double the 2023 total", "more than double by 2030" (not "doubles match")."""
    before = text[max(0, match.start() - 24) : match.start()]
    if match.group(0).lower() == "twice":
        # "twice the rate", "twice as many"; not "met twice", "twice a week", "twice by 2030"
        return bool(_BARE_AFTER.match(text, match.end()) or _TWICE_AS.match(text, match.end())) and (
            not re.match(r"(?i)[\s\u00a0]{1,2}(?:by|from)\b", text[match.end() : match.end() + 6])
        )
    return bool(_BARE_BEFORE.search(before)) or bool(_BARE_AFTER.match(text, match.end()))


def _word_ordinal(text: str, match: re.Match[str]) -> Phrase | None:
    word = match.group(0)
    after = text[match.end() : match.end() + 24]
    if PERIOD_NAME_AFTER.match(after):
        return None  # "third quarter", "third-quarter", "20th-century": a period name
    if _COMPOUND_AFTER.match(after):
        return None  # "first class", "third-party", "first aid": a compound, not a rank
    if word[:1].isupper() and _NAME_AFTER.match(text, match.end(), match.end() + 14):
        return None  # "Third Street", "the Fifth Amendment", "the Ninth Circuit": names
    start = match.start()
    parts = re.split(r"[\s\u00a0\-—–]+", word)
    while len(parts) > 1 and parts[0].lower() in ("and", "a", "an") and len(parts) > 2:
        parts, start = parts[1:], text.index(parts[1], start)
    if len(parts) > 1 and not _one_number(parts[:-1]):
        # "one fifth" is a fraction, "one twenty-fifth" one and an ordinal: keep the ordinal
        tail = 2 if len(parts) > 2 and parts[-2].lower() in _TENS else 1
        parts = parts[-tail:]
        start = (
            match.end() - len(" ".join(parts))
            if tail == 1
            else text.rfind(parts[0], start, match.end())
        )
    if len(parts) == 1 and parts[0].lower() in ("first", "second"):
        before = text[max(0, start - 8) : start].lower()
        if parts[0].lower() == "second" and re.match(r"s\b", after):
            return None  # seconds
        if re.search(r"\b(?:at|a)[\s\u00a0]{1,2}$", before) or after.startswith(","):
            return None  # "at first", "a second term": not a rank
        if parts[0].lower() == "first" and _ADVERB_FIRST.search(before + "first" + after):
            return None  # "the crop is first cultivated": when, not a rank
    tens = re.match(
        r"(?i)(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?=[a-z])", parts[-1]
    )
    if tens:
        parts[-1:] = [tens.group(1), parts[-1][tens.end() :]]
    value = numbers.ordinal_value("-".join(p for p in parts if p.lower() != "and"))
    if value is None:
        return None
    return Phrase(start, match.end(), Decimal(value), "ordinal")
