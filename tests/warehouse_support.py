"""Builders shared by the warehouse tests: hand-made articles and figures from case dicts."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from extractors.records import Article, Change, Figure, article_id_for

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """Return (start, end) of the sentence holding ``pos`` (a plain splitter, enough for cases)."""
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > pos:
            return start, match.start()
        start = match.end()
    return start, len(text.rstrip())


def _locate(text: str, surface: str, occurrence: int) -> int:
    pos = -1
    for _ in range(occurrence + 1):
        pos = text.find(surface, pos + 1)
        if pos < 0:
            raise ValueError(f"{surface!r} (occurrence {occurrence}) not in {text!r}")
    return pos


def figure_from_spec(text: str, spec: dict[str, Any]) -> Figure:
    """Return a Figure for ``spec`` (surface, value, kind ...), located in ``text``."""
    start = _locate(text, spec["surface"], spec.get("occurrence", 0))
    end = start + len(spec["surface"])
    s_start, s_end = sentence_bounds(text, start)
    change = spec.get("change")
    return Figure(
        start=start,
        end=end,
        surface=spec["surface"],
        value=float(spec["value"]),
        unit=spec.get("unit"),
        kind=spec.get("kind", "count"),
        approx=spec.get("approx", "exact"),
        measure=spec.get("measure"),
        entity=spec.get("entity"),
        period=spec.get("period"),
        change=Change(
            direction=change["direction"],
            reference_period=change.get("reference_period"),
            base=change.get("base"),
        )
        if change
        else None,
        sentence_start=s_start,
        sentence_end=s_end,
        warnings=tuple(spec.get("warnings", ())),
    )


def article_from_spec(spec: dict[str, Any], key: str) -> tuple[Article, list[Figure]]:
    """Return (Article, figures) for one article of a case."""
    text = spec["text"]
    published = spec.get("published")
    article = Article(
        article_id=article_id_for(spec.get("url", key)),
        text=text,
        url=spec.get("url", f"case://{key}"),
        title=spec.get("title", key),
        published=date.fromisoformat(published) if published else None,
        source="cases",
    )
    return article, [figure_from_spec(text, f) for f in spec.get("figures", [])]


def batch_from_case(case: dict[str, Any]) -> list[tuple[Article, list[Figure]]]:
    """Return the load batch of a case: one article, or several under "articles"."""
    specs = case.get("articles") or [case]
    return [article_from_spec(s, f"{case['id']}/{i}") for i, s in enumerate(specs)]


def fresh_db(tmp_path: Path, name: str = "w.duckdb") -> Path:
    """Return the path of a database file that does not exist yet."""
    return tmp_path / name
