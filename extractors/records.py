"""Typed, frozen records that cross package boundaries.

Every record keeps the raw text beside the parsed value; for figures the invariant is
``text[start:end] == surface`` for the text they were extracted from.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Kind = Literal[
    "count", "money", "percent", "percentage_point", "measure", "ratio", "ordinal", "change"
]
Approx = Literal["exact", "about", "over", "under", "at_least", "at_most"]

KINDS: tuple[str, ...] = (
    "count", "money", "percent", "percentage_point", "measure", "ratio", "ordinal", "change"
)
APPROXES: tuple[str, ...] = ("exact", "about", "over", "under", "at_least", "at_most")


@dataclass(frozen=True, slots=True)
class Change:
    """How a figure differs from another: direction, the period compared with, and its base."""

    direction: Literal["up", "down"]
    reference_period: str | None = None
    # index (in the same extraction) or surface of the figure this change is of, when stated
    base: int | str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the change as a JSON-ready dict."""
        return {
            "direction": self.direction,
            "reference_period": self.reference_period,
            "base": self.base,
        }


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure read from a text: where it is, what it says, and its context."""

    start: int
    end: int
    surface: str
    value: float
    unit: str | None
    kind: str
    approx: str = "exact"
    measure: str | None = None
    entity: str | None = None
    period: str | None = None
    change: Change | None = None
    sentence_start: int | None = None
    sentence_end: int | None = None
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the figure in the JSON contract of ``newsfacts extract``."""
        return {
            "start": self.start,
            "end": self.end,
            "surface": self.surface,
            "value": self.value,
            "unit": self.unit,
            "kind": self.kind,
            "approx": self.approx,
            "measure": self.measure,
            "entity": self.entity,
            "period": self.period,
            "change": self.change.to_dict() if self.change else None,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True, slots=True)
class Table:
    """An HTML table: header row and body rows as plain cell text."""

    caption: str | None
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Article:
    """A parsed news article: its main text and the metadata the checks need."""

    article_id: str
    text: str
    url: str | None = None
    title: str | None = None
    published: datetime | date | None = None
    source: str | None = None
    fetched_at: datetime | None = None
    raw_hash: str | None = None
    parser_version: str | None = None
    tables: tuple[Table, ...] = field(default_factory=tuple)

    @property
    def content_hash(self) -> str:
        """Return the SHA-256 of the main text: same text, same hash, one stored copy."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def published_date(self) -> date | None:
        """Return the publication day, or None when the page gives none."""
        if isinstance(self.published, datetime):
            return self.published.date()
        return self.published

    def to_dict(self) -> dict[str, Any]:
        """Return the article as a JSON-ready dict."""
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        data["fetched_at"] = self.fetched_at.isoformat() if self.fetched_at else None
        data["content_hash"] = self.content_hash
        return data


@dataclass(frozen=True, slots=True)
class Failure:
    """A page or source that could not be read, with the reason, so the run can go on."""

    source: str
    reason: str
    url: str | None = None
    stage: str = "parse"


def article_id_for(key: str) -> str:
    """Return a stable article id (16 hex chars) for a URL or path."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
