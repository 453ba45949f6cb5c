"""Tables in an article's text: figures in a cell read their context from the headers.

The HTML parser writes a table into the main text as Markdown-style rows ("| Guangdong |
5,440 | 5,850 |", with "|---|" separator rows). A sentence parse means nothing there; the
context of a cell is its row label (the first cell), its column header, and the caption:

    | Exports by province (billion yuan) | | |
    | Province | 2023 | 2024 |
    | Guangdong | 5,440 | 5,850 |

"5,850" is 5.85 trillion CNY, measure "Exports", entity "Guangdong", period "2024". A unit in a
header's parentheses ("(billion yuan)", "(%)", "Length (km)") applies to the bare numbers
under it; a column of changes ("Change (%)", "Growth", "YoY") makes its cells changes.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from extractors.candidates import Candidate, find_candidates
from extractors.context import find_periods
from extractors.records import Change, Figure
from extractors.units import lexicon

_ROW = re.compile(r"^[ \t]{0,3}\|[^\n]{0,2000}\|[ \t]{0,3}$", re.MULTILINE)
_SEPARATOR = re.compile(r"^\|(?:[ \t]{0,3}:?-{1,200}:?[ \t]{0,3}\|){1,100}$")
_BETWEEN_ROWS = re.compile(r"[ \t]{0,10}\n[ \t\n]{0,200}")
_UNIT_IN_PARENS = re.compile(r"\(([^()]{1,40})\)|,[\s\u00a0]{1,2}(?:in[\s\u00a0]{1,2})?([^,]{1,30})$")
_NUMBER_CELL = re.compile(r"^[-+−]?[$€£¥]?[0-9][0-9.,\s\u00a0]{0,30}%?$")
_YEAR_CELL = re.compile(r"^(?:FY)?(?:19|20)[0-9]{2}(?:[-/](?:[0-9]{2}|[0-9]{4}))?$")


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a text table: its stripped text and where that text is."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class TextTable:
    """A table found in a text: its span, caption, header cells and body rows."""

    start: int
    end: int
    caption: str | None
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    row_starts: tuple[int, ...] = ()  # where each body row's first cell starts (for bisect)

    def cell_at(self, pos: int) -> tuple[int, int] | None:
        """Return (row, column) of the body cell holding ``pos``, or None."""
        r = bisect.bisect_right(self.row_starts, pos) - 1
        if r < 0:
            return None
        for c, cell in enumerate(self.rows[r]):
            if cell.start <= pos < max(cell.end, cell.start + 1):
                return r, c
        return None


@dataclass(frozen=True, slots=True)
class CellContext:
    """What a table says about one of its cells."""

    measure: str | None
    entity: str | None
    period: str | None
    unit_text: str | None  # "billion yuan", "%": applies to a bare number in the cell
    is_change: bool
    reference_period: str | None = None  # of a change column: the period it is compared with


def find_tables(text: str) -> list[TextTable]:
    """Return the Markdown-style tables of ``text`` (two rows or more), in order.

    >>> text = "Intro.\\n\\n| Team | Wins |\\n|---|---|\\n| Reds | 12 |\\n\\nEnd."
    >>> [(t.header, [[c.text for c in row] for row in t.rows]) for t in find_tables(text)]
    [(('Team', 'Wins'), [['Reds', '12']])]
    """
    if "|" not in text:
        return []
    tables: list[TextTable] = []
    block: list[re.Match[str]] = []
    for match in _ROW.finditer(text):
        if block and not _BETWEEN_ROWS.fullmatch(text, block[-1].end(), match.start()):
            tables.extend(_table(text, block))
            block = []
        block.append(match)
    tables.extend(_table(text, block))
    return tables


def _table(text: str, block: list[re.Match[str]]) -> list[TextTable]:
    rows = [_cells(text, m) for m in block if not _SEPARATOR.match(m.group(0).strip())]
    rows = [row for row in rows if row]
    if len(rows) < 2:
        return []
    caption = None
    if len(rows[0]) > 1 and all(not c.text for c in rows[0][1:]) and rows[0][0].text:
        caption, rows = rows[0][0].text, rows[1:]  # trafilatura's caption row
    header: tuple[str, ...] = ()
    if rows and not any(_is_data(c.text) for c in rows[0][1:]):
        header, rows = tuple(c.text for c in rows[0]), rows[1:]
    if not rows:
        return []
    starts = tuple(row[0].start for row in rows)
    return [TextTable(block[0].start(), block[-1].end(), caption, header, tuple(rows), starts)]


def _cells(text: str, row: re.Match[str]) -> tuple[Cell, ...]:
    line_start = row.start()
    line = row.group(0)
    first, last = line.index("|"), line.rindex("|")
    cells: list[Cell] = []
    pos = first + 1
    while pos <= last:
        bar = line.find("|", pos)
        raw = line[pos:bar]
        lead = len(raw) - len(raw.lstrip())
        stripped = raw.strip()
        start = line_start + pos + lead
        cells.append(Cell(start, start + len(stripped), stripped))
        pos = bar + 1
        if bar == last:
            break
    return tuple(cells)


def _is_data(cell: str) -> bool:
    return bool(_NUMBER_CELL.match(cell)) and not _YEAR_CELL.match(cell)


def context_of(table: TextTable, row: int, column: int, published: date | None) -> CellContext:
    """Return the measure, entity, period and unit that the table gives its cell (row, column)."""
    cells = table.rows[row]
    label = cells[0].text if column > 0 and not _is_data(cells[0].text) else None
    heading = table.header[column] if column < len(table.header) else None
    corner = table.header[0] if table.header else None
    caption_words, caption_unit = _split_unit(table.caption)
    heading_words, heading_unit = _split_unit(heading)
    label_words, label_unit = _split_unit(label)
    heading_period, label_period = _period(heading_words, published), _period(label_words, published)
    period = heading_period or label_period
    is_change = _is_change(heading_words) or _is_change(label_words)
    reference = None
    if is_change and period is None:
        # "| Province | 2023 | 2024 | Change (%) |": the change from the first period to the last
        periods = [p for p in (_period(_split_unit(h)[0], published) for h in table.header) if p]
        period = periods[-1] if periods else None
        reference = periods[-2] if len(periods) > 1 else None
    entity = None
    if label_words and _names_owners(corner) and not label_period:
        entity, label_words = label_words, None
    if caption_words and corner:
        # "Exports by province" over a "Province" column: the rows say which province
        caption_words = re.sub(
            rf"(?i)[\s\u00a0]+by[\s\u00a0]+{re.escape(corner.strip())}s?\b", "", caption_words
        ).strip() or None
    parts = [
        caption_words,
        None if label_period else label_words,
        None if heading_period or _is_change(heading_words) else heading_words,
    ]
    measure = ", ".join(p for p in parts if p) or None
    return CellContext(
        measure=measure,
        entity=entity,
        period=period,
        unit_text=heading_unit or label_unit or caption_unit,
        is_change=is_change,
        reference_period=reference,
    )


def _split_unit(label: str | None) -> tuple[str | None, str | None]:
    """Return the label without its unit, and the unit: "Exports (billion yuan)" ->
    ("Exports", "billion yuan"); "by province" phrases are kept."""
    if not label:
        return None, None
    match = _UNIT_IN_PARENS.search(label)
    if match is None:
        return label, None
    unit = (match.group(1) or match.group(2) or "").strip()
    if not _looks_like_unit(unit):
        return label, None
    words = (label[: match.start()] + label[match.end() :]).strip(" ,:;")
    return words or None, unit


def _looks_like_unit(unit: str) -> bool:
    return _unit_probe(unit) is not None


@lru_cache(maxsize=512)
def _unit_probe(unit: str) -> tuple[float, str | None, str] | None:
    """Return (factor, unit, kind) when "1 <unit>" reads as one figure with a unit or a scale
    ("%", "km", "billion yuan", "US$ million"), None for a word ("Sichuan", "estimate")."""
    first, _, rest = unit.partition(" ")
    probes = [f"1 {unit}", f"{unit} 1"]
    if rest:  # "$ billion", "US$ million", "RMB billion": the sign before the number
        probes += [f"{first}1 {rest}", f"{first} 1 {rest}"]
    for probe in probes:
        found = find_candidates(probe)
        if len(found) == 1 and found[0].end - found[0].start == len(probe):
            cand = found[0]
            if cand.unit or cand.scale:
                return cand.value, cand.unit, cand.kind
    return None


def apply_unit(value: float, unit_text: str) -> tuple[float, str | None, str] | None:
    """Return (value, unit, kind) of a bare number under a header unit, or None.

    >>> apply_unit(5440.0, "billion yuan")
    (5440000000000.0, 'CNY', 'money')
    """
    probe = _unit_probe(unit_text)
    if probe is None:
        return None
    factor, unit, kind = probe
    return float(Decimal(repr(value)) * Decimal(repr(factor))), unit, kind


def _period(words: str | None, published: date | None) -> str | None:
    if not words:
        return None
    mentions = find_periods(words, 0, len(words), published)
    whole = [m for m in mentions if m.period and m.end - m.start >= len(words) - 2]
    return whole[0].period if whole else None


def _is_change(words: str | None) -> bool:
    return words is not None and words.lower().strip(" .:") in _change_headers()


def _names_owners(corner: str | None) -> bool:
    return corner is not None and corner.lower().strip(" .:") in _owner_headers()


@lru_cache(maxsize=1)
def _change_headers() -> frozenset[str]:
    return frozenset(lexicon()["table_change_headers"])


@lru_cache(maxsize=1)
def _owner_headers() -> frozenset[str]:
    return frozenset(lexicon()["table_owner_headers"])


def table_figure(figure: Figure, cand: Candidate, table: TextTable, published: date | None) -> Figure:
    """Return the figure of a table cell with its context read from the row label, the column
    header and the caption ("| Guangdong | 5,850 |" under "2024", "(billion yuan)").

    ``figure`` is the cell's figure as the candidate pass read it; a number in a row label, or
    outside the cells, is returned as it is.
    """
    where = table.cell_at(cand.start)
    if where is None or where[1] == 0 or cand.kind == "ordinal":
        return figure
    cell = context_of(table, where[0], where[1], published)
    value, unit, kind = cand.value, cand.unit, cand.kind
    scaled = None
    if cand.unit is None and cand.scale is None and cell.unit_text:
        scaled = apply_unit(cand.value, cell.unit_text)
    if scaled is not None:
        value, unit, kind = scaled
    change = None
    if cell.is_change and kind in ("count", "percent", "money", "measure"):
        change = Change("down" if value < 0 else "up", cell.reference_period, None)
        kind = "change"
    warnings = figure.warnings
    if scaled is not None:
        warnings = tuple(w for w in warnings if w != "ambiguous_thousands_separator")
    return dataclasses.replace(
        figure,
        value=value,
        unit=unit,
        kind=kind,
        measure=cell.measure,
        entity=cell.entity,
        period=cell.period,
        change=change,
        warnings=warnings,
    )
