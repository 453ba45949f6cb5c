"""Context of a figure inside its sentence: qualifier, period, change relation, measure, entity.

The rule parts (qualifiers, periods, changes) read the raw sentence text with small anchored
regexes. Measure and entity read a spaCy ``Doc`` of the sentence when one is given
(dependency parse and NER); without one they stay None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from extractors.units import alternation, lexicon

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

_WS = r"[\s\u00a0]"
_MONTH_NUM = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_QUARTER_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}
_PERIOD = re.compile(
    rf"""(?<![A-Za-z0-9])(?=[0-9FfQqSsTtJjMmAaOoNnDdLlPpCcYy])(?:
    (?P<fy>\b(?i:FY|fiscal{_WS}{{1,2}}(?:year{_WS}{{1,2}})?)(?P<fyy>[0-9]{{4}}|[0-9]{{2}})\b)
    |(?P<q>\b(?:Q(?P<qn>[1-4])|(?i:quarter){_WS}(?P<qd>[1-4])
        |(?P<qw>(?i:first|second|third|fourth|1st|2nd|3rd|4th))[-\s\u00a0]{{1,2}}(?i:quarter))
        (?:{_WS}{{1,2}}\([^)\n]{{1,20}}\))?(?:{_WS}{{1,2}}(?i:of))?(?:{_WS}{{1,2}}(?P<qy>(?:19|20)[0-9][0-9])\b)?)
    |(?P<m>\b(?P<mn>(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))[a-z]{{0,6}}\.?
        (?:{_WS}{{1,2}}[0-9]{{1,2}}(?:st|nd|rd|th)?,?)?{_WS}{{1,2}}(?P<my>(?:19|20)[0-9][0-9])\b)
    |(?P<mo>\b(?P<mon>January|February|March|April|May|June|July|August|September|October
        |November|December|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)(?![\w-]))
    |(?P<rel>\b(?P<rw>(?i:last|this|next|previous|past|current|same)){_WS}{{1,2}}
        (?P<ru>(?i:year|quarter|month|spring|summer|autumn|fall|winter)))\b
    |(?P<yoy>\b(?i:year[-\s\u00a0]on[-\s\u00a0]year|y-o-y|yoy|y/y|a{_WS}year{_WS}(?:earlier|ago|before)
        |the{_WS}year{_WS}before|the{_WS}previous{_WS}year|the{_WS}prior{_WS}year)\b)
    |(?P<y>(?<![0-9.,$£€¥])\b(?P<yy>(?:19|20)[0-9][0-9])(?:[-/–](?P<y2>[0-9]{{2}}))?\b(?![.,]?[0-9]|%|{_WS}?(?:per|million|billion)))
    )""",
    re.VERBOSE,
)
_CLAUSE_BREAK = re.compile(r"[,;:—–]")
_YEAR_EARLIER_AFTER = re.compile(
    r"[\s\u00a0]{1,2}(?:a[\s\u00a0]year[\s\u00a0](?:earlier|ago|before)|the[\s\u00a0](?:previous|prior)"
    r"[\s\u00a0]year|the[\s\u00a0]year[\s\u00a0]before)\b"
)


def level_year_earlier(text: str, end: int) -> bool:
    """Return True for a level followed by "a year earlier" ("compared with €22.3 billion a
    year earlier"): its period is one year before the sentence's."""
    return bool(_YEAR_EARLIER_AFTER.match(text, end, min(len(text), end + 24)))


_REFERENCE_LEFT = re.compile(
    rf"(?<![A-Za-z])(?i:than|compared{_WS}{{1,2}}(?:with|to)|from|since|versus|vs\.?|against|over"
    rf"|relative{_WS}to|on){_WS}{{1,3}}(?:(?i:in|the|that{_WS}of|levels{_WS}of|a|end{_WS}of|same{_WS}period"
    rf"{_WS}(?:of|in)){_WS}{{1,3}}){{0,3}}$"
)


@dataclass(frozen=True, slots=True)
class PeriodMention:
    """A period expression in a sentence; ``reference`` when it names the compared-with period."""

    start: int
    end: int
    period: str | None
    reference: bool
    relative_to_figure: bool = False


def parse_published(published: date | datetime | str | None) -> date | None:
    """Return the publication day from a date, datetime or ISO string, or None.

    >>> parse_published("2025-07-14 19:33"), parse_published(None), parse_published("bad")
    (datetime.date(2025, 7, 14), None, None)
    """
    if published is None:
        return None
    if isinstance(published, datetime):
        return published.date()
    if isinstance(published, date):
        return published
    match = re.match(r"\s*([0-9]{4})-([0-9]{2})-([0-9]{2})", str(published))
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def shift_period(period: str | None, years: int) -> str | None:
    """Return the same period ``years`` years later (negative: earlier), or None.

    >>> shift_period("2012", -1), shift_period("2024-Q3", -1), shift_period("2024-09", -1)
    ('2011', '2023-Q3', '2023-09')
    """
    if not period:
        return None
    match = re.match(r"(FY)?([0-9]{4})(.*)", period)
    if not match:
        return None
    return f"{match.group(1) or ''}{int(match.group(2)) + years}{match.group(3)}"


def find_periods(text: str, start: int, end: int, published: date | None) -> list[PeriodMention]:
    """Return the period expressions of ``text[start:end]`` with global offsets."""
    mentions = []
    for match in _PERIOD.finditer(text, start, end):
        period, relative = _period_value(match, published)
        left = text[max(start, match.start() - 40) : match.start()]
        reference = bool(_REFERENCE_LEFT.search(left)) or bool(match.group("yoy"))
        mentions.append(PeriodMention(match.start(), match.end(), period, reference, relative))
    return mentions


def _period_value(match: re.Match[str], published: date | None) -> tuple[str | None, bool]:
    pub_year = published.year if published else None
    if match.group("y"):
        year = match.group("yy")
        return (f"{year}-{match.group('y2')}" if match.group("y2") else year), False
    if match.group("fy"):
        digits = match.group("fyy")
        return "FY" + (digits if len(digits) == 4 else "20" + digits), False
    if match.group("q"):
        digit = match.group("qn") or match.group("qd")
        number = int(digit or _QUARTER_WORDS[match.group("qw").lower()])
        year = match.group("qy") or (str(pub_year) if pub_year else None)
        return (f"{year}-Q{number}" if year else None), False
    if match.group("m"):
        month = _MONTH_NUM[match.group("mn").lower()[:3]]
        return f"{match.group('my')}-{month:02d}", False
    if match.group("mo"):
        if published is None:
            return None, False
        month = _MONTH_NUM[match.group("mon").lower()[:3]]
        year = published.year if month <= published.month else published.year - 1
        return f"{year}-{month:02d}", False
    if match.group("rel"):
        return _relative(match.group("rw").lower(), match.group("ru").lower(), published)
    return None, True  # year-on-year and friends: one year before the figure's own period


def _relative(word: str, unit: str, published: date | None) -> tuple[str | None, bool]:
    if word in ("previous", "same"):
        return None, True
    if published is None or word == "past":
        return None, False
    offset = {"last": -1, "this": 0, "current": 0, "next": 1}[word]
    if unit not in ("year", "month", "quarter"):  # a season: the year it falls in
        return str(published.year + offset), False
    if unit == "year":
        return str(published.year + offset), False
    if unit == "month":
        index = published.year * 12 + published.month - 1 + offset
        return f"{index // 12}-{index % 12 + 1:02d}", False
    quarter = published.year * 4 + (published.month - 1) // 3 + offset
    return f"{quarter // 4}-Q{quarter % 4 + 1}", False


def figure_period(
    mentions: list[PeriodMention],
    start: int,
    end: int,
    others: tuple[int, ...] = (),
    text: str | None = None,
) -> str | None:
    """Return the period of the figure at [start, end): the nearest non-reference mention.

    A mention on the far side of another figure (``others``: their starts) belongs to that
    figure ("4.4% ... down from 4.8% in 2024-25"), so it is taken only when nothing else is.
    """
    ranked: list[tuple[int, int, int, str]] = []
    for mention in mentions:
        if mention.reference or mention.period is None or mention.relative_to_figure:
            continue
        distance = start - mention.end if mention.end <= start else mention.start - end + 1
        lo, hi = (mention.end, start) if mention.end <= start else (end, mention.start)
        blocked = any(lo <= other < hi for other in others)
        # a mention in the figure's own clause beats a nearer one across a comma
        crossed = text is not None and bool(_CLAUSE_BREAK.search(text, lo, hi))
        ranked.append((int(blocked), int(crossed), distance, mention.period))
    return min(ranked)[3] if ranked else None


def reference_period(
    mentions: list[PeriodMention], start: int, end: int, period: str | None
) -> str | None:
    """Return the compared-with period of a change at [start, end), or None when none is said."""
    refs = [m for m in mentions if m.reference]
    if not refs:
        return None
    nearest = min(refs, key=lambda m: abs(m.start - end) if m.start >= end else start - m.end + 50)
    if nearest.period is not None and not nearest.relative_to_figure:
        return nearest.period
    return shift_period(period, -1)


@lru_cache(maxsize=1)
def _approx_regex() -> re.Pattern[str]:
    words = sorted(lexicon()["approx"], key=len, reverse=True)
    alt = "|".join(re.escape(w).replace(r"\ ", rf"{_WS}{{1,2}}") for w in words)
    return re.compile(rf"(?i:(?<![A-Za-z])(?P<q>{alt})){_WS}{{1,3}}$")


@lru_cache(maxsize=1)
def _change_before_regex() -> re.Pattern[str]:
    alt = alternation(list(lexicon()["change_before"]))
    filler = r"(?:a|an|the)(?:[\s\u00a0]{1,2}(?:further|additional|extra|whopping|record|combined|net|total))?"
    return re.compile(
        rf"(?i:(?<![A-Za-z])(?P<w>{alt})(?:{_WS}{{1,2}}by)?(?:{_WS}{{1,2}}{filler})?)"
        rf"{_WS}{{0,2}},?{_WS}{{1,3}}$"
    )


@lru_cache(maxsize=1)
def _change_by_regex() -> re.Pattern[str]:
    # "cut interest rates by 0.25 points", "cut its forecast by 7,000": verb, object, "by"
    alt = alternation(list(lexicon()["change_by_direction"]))
    return re.compile(rf"(?i:(?<![A-Za-z])(?P<w>{alt})\b[^.;:!?\d]{{1,50}}?{_WS}by){_WS}{{1,3}}$")


@lru_cache(maxsize=1)
def _phrasal_regex() -> re.Pattern[str]:
    alt = alternation(list(lexicon()["phrasal_before_up_down"]))
    return re.compile(rf"(?i:(?<![A-Za-z])(?:{alt})){_WS}{{1,2}}$")


@lru_cache(maxsize=1)
def _change_after_regex() -> re.Pattern[str]:
    words = lexicon()["change_after"]
    nouns = alternation([w for w in words if w not in _COMPARATIVES] + ["above", "below"])
    comparative = alternation([w for w in _COMPARATIVES if w not in ("above", "below")])
    return re.compile(
        rf"{_WS}{{1,2}}(?i:(?P<w>{nouns})\b(?!-)(?!{_WS}{{1,2}}[0-9])"
        rf"|(?P<c>{comparative})(?:{_WS}{{1,2}}[a-z]{{3,20}})?{_WS}{{1,2}}than\b(?!{_WS}{{1,2}}[0-9])"
        rf"|(?P<l>higher|lower|cheaper|dearer)(?={_WS}{{0,2}}[,.;:)]|{_WS}{{1,2}}(?:on|in|at|for|from"
        rf"|after|before|this|last|year|than|over|against|compared)\b|$)"
        rf"|(?P<m>more|fewer){_WS}{{1,2}}(?=[a-z]{{2,20}}s\b|people\b|children\b|staff\b"
        rf"|police\b|men\b|women\b)(?!less\b|this\b|thus\b|was\b|is\b|has\b|as\b))"
    )


def qualifier_before(text: str, start: int) -> tuple[str, int] | None:
    """Return (approx, qualifier start) for a qualifier right before ``start``, or None.

    >>> qualifier_before("exceeds 1.03 million", 8)
    ('over', 0)
    >>> qualifier_before("Almost 253", 7)
    ('under', 0)
    """
    window_start = max(0, start - 30)
    match = _approx_regex().search(text, window_start, start)
    if not match:
        return None
    return lexicon()["approx"][re.sub(r"\s+", " ", match.group("q").lower())], match.start()


def change_direction(text: str, start: int, end: int) -> str | None:
    """Return "up"/"down" when the figure at [start, end) is a change, by the words around it.

    >>> change_direction("sales fell 2.3% in May", 11, 15)
    'down'
    >>> change_direction("2,709 more than the previous year", 0, 5)
    'up'
    >>> change_direction("rose to 5%", 8, 10) is None
    True
    """
    before = _change_before_regex().search(text, max(0, start - 40), start)
    if before:
        word = re.sub(r"\s+", " ", before.group("w").lower())
        phrasal = word in ("up", "down") and _phrasal_regex().search(
            text, max(0, before.start() - 14), before.start("w")
        )
        if not phrasal:
            return str(lexicon()["change_before"][word])
    by_verb = _change_by_regex().search(text, max(0, start - 70), start)
    if by_verb:
        return str(
            lexicon()["change_by_direction"][re.sub(r"\s+", " ", by_verb.group("w").lower())]
        )
    after = _change_after_regex().match(text, end, min(len(text), end + 40))
    if after:
        word = after.group("w") or after.group("c") or after.group("m") or after.group("l")
        word = word.lower()
        return str(lexicon()["change_after"].get(word) or _LOOSE[word])
    return None


_LOOSE = {"cheaper": "down", "dearer": "up"}  # "30% lower on mobile", "5% cheaper"
_COMPARATIVES = frozenset(
    [
        "more",
        "fewer",
        "less",
        "higher",
        "lower",
        "greater",
        "larger",
        "bigger",
        "smaller",
        "above",
        "below",
    ]
)
_PERSON_NOUNS = frozenset(
    [
        "people",
        "persons",
        "residents",
        "citizens",
        "individuals",
        "participants",
        "members",
        "users",
    ]
)
_JOIN_VERBS = ("join", "particip", "enrol", "regist", "sign", "subscrib", "insur", "cover")
_WRAPPERS = frozenset(["number", "total", "amount", "count", "figure", "tally"])
_SKIP_LEFT = frozenset(("det", "nummod", "quantmod", "punct", "cc", "advmod", "poss", "case"))
_STOP_RIGHT = frozenset(("conj", "cc", "punct", "appos", "advcl", "npadvmod"))


def _is_noun(token: Token) -> bool:
    # fine-grained tags, so the attribute_ruler (coarse POS) can stay disabled: it costs ~15%
    return token.tag_.startswith("NN")


def _is_verb(token: Token) -> bool:
    return token.tag_.startswith("VB") or token.tag_ == "MD"


def measure_of(doc: Doc, start: int, end: int) -> str | None:
    """Return what the figure at char span [start, end) of ``doc`` counts, from the parse."""
    if not doc.has_annotation("DEP"):
        return None
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    root = span.root
    return _measure_from(root, span, depth=0)


def _measure_from(root: Token, span: Span, depth: int) -> str | None:
    head = root.head
    if depth > 2 or head is root:
        return None
    for child in root.rights:
        # "96% of the population", "277 GW of solar capacity", "5 million tonnes of grain"
        if child.dep_ == "prep" and child.lower_ == "of" and root.tag_ != "CD":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return _phrase(objects[0], exclude=span)
    if (
        root.dep_ in ("nummod", "quantmod", "compound", "amod", "nmod")
        and _is_noun(head)
        and not (span.start <= head.i < span.end)
    ):
        return _counted_noun(head, span)
    if root.dep_ == "appos" or (root.dep_ == "conj" and head.tag_ == "CD"):
        return _measure_from(head, head.doc[head.i : head.i + 1], depth + 1)
    if root.dep_ == "pobj" and head.dep_ == "prep":
        owner = head.head
        left = head.doc[head.i - 1] if head.i > 0 else head
        if head.lower_ == "of" and left.dep_ == "conj" and _is_noun(left):
            # "a revenue of 24.4 billion and expense of 13.1 billion": the parser often hangs
            # the second "of" on the first noun; the noun right before it is the owner
            owner = left
        if head.lower_ == "of" and _is_noun(owner):
            return _phrase(owner, exclude=span, right=False)
        if _is_verb(owner):
            return _subject_phrase(owner, span)
    if root.dep_ in ("dobj", "attr", "oprd", "npadvmod") and _is_verb(head):
        return _subject_phrase(head, span)
    return None


def _counted_noun(noun: Token, span: Span) -> str | None:
    if (
        noun.lower_ in _PERSON_NOUNS
        and noun.dep_ in ("nsubj", "nsubjpass")
        and noun.head.lower_.startswith(_JOIN_VERBS)
    ):
        for child in noun.head.children:
            if child.dep_ == "dobj":
                return _phrase(child, exclude=span)
            if child.dep_ == "agent" or (child.dep_ == "prep" and child.lower_ == "in"):
                objects = [
                    c for c in child.children if c.dep_ == "pobj" and c.tag_ in ("NN", "NNS")
                ]
                if objects:
                    return _phrase(objects[0], exclude=span)
    if noun.lower_ in _PERSON_NOUNS and noun.dep_ == "nsubj" and _is_verb(noun.head):
        # "1.46 million people have enjoyed the benefits": people who did what
        objects = [c for c in noun.head.children if c.dep_ == "dobj" and _is_noun(c)]
        done = _phrase(objects[0], exclude=span) if objects else None
        if done:
            return f"{noun.text} {noun.head.text} {done}"
    return _phrase(noun, exclude=span)


def _subject_phrase(verb: Token, span: Span) -> str | None:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass") and _is_noun(child):
            return _phrase(_unwrap(child), exclude=span)
    if verb.dep_ in ("pcomp", "acl", "relcl") and _is_noun(verb.head):
        return _phrase(verb.head, exclude=span, right=False)
    return None


def _unwrap(noun: Token) -> Token:
    """Return X for "the number of X" (and total, amount, rate ... of X)."""
    if noun.lower_ in _WRAPPERS:
        for child in noun.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                objects = [c for c in child.children if c.dep_ == "pobj"]
                if objects and objects[0].lower_ not in _WRAPPERS:
                    return objects[0]
    return noun


def _phrase(noun: Token, exclude: Span, right: bool = True) -> str | None:
    """Return the noun with its modifiers (and right-hand prep/relcl when ``right``)."""
    keep = {noun.i}
    for child in noun.lefts:
        if child.dep_ not in _SKIP_LEFT and not (exclude.start <= child.i < exclude.end):
            keep.update(t.i for t in child.subtree)
    if right:
        for child in noun.rights:
            if child.dep_ in _STOP_RIGHT:
                break
            _collect(child, keep)
    keep = {i for i in keep if not (exclude.start <= i < exclude.end)}
    if not keep:
        return None
    lo, hi = min(keep), max(keep)
    hi = min(hi, lo + 14)
    tokens = [t for t in noun.doc[lo : hi + 1] if t.i in keep or lo < t.i < hi]
    while tokens and (tokens[0].dep_ in _SKIP_LEFT or tokens[0].is_punct):
        tokens = tokens[1:]
    while tokens and (tokens[-1].is_punct or tokens[-1].dep_ in ("cc", "prep")):
        tokens = tokens[:-1]
    text = "".join(t.text_with_ws for t in tokens).strip()
    text = _CUT.split(text, maxsplit=1)[0].strip()
    text = _TRAILING_DATE.sub("", text)
    if not text or text.lower() in _TIME_WORDS or any(ch.isdigit() for ch in text[-6:]):
        return None  # "year" (from "year on year"), "combined 258": not what is counted
    return text


_CONTEXT_ENTS = frozenset(("GPE", "LOC", "DATE", "TIME"))


def _collect(token: Token, keep: set[int]) -> None:
    """Add the subtree of ``token`` to ``keep``, leaving out place and date phrases ("in China")."""
    if token.dep_ == "prep" and any(
        c.dep_ == "pobj" and c.ent_type_ in _CONTEXT_ENTS for c in token.children
    ):
        return
    keep.add(token.i)
    for child in token.children:
        _collect(child, keep)


_CUT = re.compile(r"\s(?:such as|like|including|among whom|among which|than)\s|\s?[—–,;(]\s?|\s-\s")
_TRAILING_DATE = re.compile(
    r"\s(?:in|on|at|by|for|during|since|from|to|of)\s\S{0,12}[0-9]\S{0,12}$"
)
_TIME_WORDS = frozenset(
    [
        "year",
        "years",
        "month",
        "months",
        "quarter",
        "week",
        "weeks",
        "day",
        "days",
        "period",
        "time",
    ]
)


# the sentence speaks of the article's own place without naming it
_NATIONAL = re.compile(
    r"(?i)\b(?:national(?:ly)?|nationwide|municipal|provincial|citywide|statewide"
    r"|the (?:nation|country|city|municipality|province|state|government)(?:'s)?)\b"
)
def entity_of(
    doc: Doc, start: int, end: int, sentence_text: str, dominant: str | None = None
) -> str | None:
    """Return the place (GPE) or organisation the figure at [start, end) belongs to, or None."""
    ents = [e for e in doc.ents if _may_own(e, start, end)] if doc.has_annotation("ENT_IOB") else []
    places = [e for e in ents if e.label_ == "GPE"]
    before = [e for e in places if e.end_char <= start]
    if before:
        return _nearest(before, start, end).text
    if dominant and mentions_nation(sentence_text):
        return dominant
    if places:
        return _nearest(places, start, end).text
    orgs = [e for e in ents if e.label_ == "ORG"]
    owners = [e for e in orgs if not _is_source(doc, e)]
    if owners:
        return _nearest(owners, start, end).text
    if dominant and any(e.text.startswith(dominant + " ") for e in orgs):
        return dominant  # "according to Ningbo Municipal Bureau ...": the city's own figures
    return None


def _may_own(ent: Span, start: int, end: int) -> bool:
    """Return False for entities that cannot own a figure: the figure itself ("500 MW"),
    numbers, and abbreviations of measures ("EPS of $1.46")."""
    if ent.start_char < end and start < ent.end_char:
        return False
    text = ent.text
    return not any(ch.isdigit() for ch in text) and text.upper() not in _not_owners()


@lru_cache(maxsize=1)
def _not_owners() -> frozenset[str]:
    return frozenset(lexicon()["not_owners"])


def mentions_nation(sentence_text: str) -> bool:
    """Return True when the sentence speaks of "the nation", "the city", "nationwide" ..."""
    return bool(_NATIONAL.search(sentence_text))


def _nearest(ents: list[Span], start: int, end: int) -> Span:
    def distance(ent: Span) -> int:
        if ent.end_char <= start:
            return start - ent.end_char
        return ent.start_char - end + 5

    return min(ents, key=distance)


def _is_source(doc: Doc, ent: Span) -> bool:
    """Return True for the organisation that reports the figure, not the one it is about."""
    before = doc[max(0, ent.start - 6) : ent.start].text.lower() + " "
    after = doc[ent.end : ent.end + 2].text.lower()
    return bool(re.search(r"(?:according to|by|said|says|from)\s+(?:the\s+)?$", before)) or bool(
        _REPORTING.match(after)
    )


_REPORTING = re.compile(
    r"(?:said|says|reported|reports|estimated|estimates|announced|announces|noted|notes|told"
    r"|showed|shows|published|forecast|forecasts|predicted|projects|projected)\b"
)
