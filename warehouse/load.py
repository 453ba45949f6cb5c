"""Write articles and figures into the DuckDB warehouse: bulk, idempotent, one transaction a batch.

DuckDB allows one writing process at a time. The writer opens the file, writes and closes;
everything else opens it read-only (:func:`connect` with ``read_only=True``).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from extractors.records import Article, Failure, Figure

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())


class WarehouseError(Exception):
    """The warehouse cannot be used as asked (missing file, locked, bad statement)."""


class WarehouseBusy(WarehouseError):
    """Another process holds the write lock on the database file."""


class MissingWarehouse(WarehouseError):
    """The database file does not exist (yet)."""


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What one batch changed: new article versions, figures, and unchanged articles skipped."""

    articles_loaded: int
    figures_loaded: int
    articles_unchanged: int


def schema_sql() -> str:
    """Return the text of warehouse/schema.sql."""
    return resources.files("warehouse").joinpath("schema.sql").read_text(encoding="utf-8")


def connect(
    db_path: str | Path, *, read_only: bool = False, wait_s: float = 0.0
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a writer applies the schema, a reader needs the file to exist.

    ``wait_s`` is how long a writer waits for another writer to finish before giving up
    with :class:`WarehouseBusy`.
    """
    path = Path(db_path)
    if read_only and not path.exists():
        raise MissingWarehouse(
            f"no warehouse at {path}: run `newsfacts run` first, or pass --db PATH"
        )
    deadline = time.monotonic() + wait_s
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise WarehouseError(f"cannot open {path}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"{path} is being written by another newsfacts process; "
                    "wait for it to finish (or use --wait SECONDS)"
                ) from exc
            time.sleep(0.5)
    if not read_only:
        con.execute(schema_sql())
    return con


def figure_id(article_id: str, content_hash: str, start: int, end: int, kind: str) -> str:
    """Return the stable id of a figure: same article version and span, same id."""
    key = f"{article_id}:{content_hash}:{start}:{end}:{kind}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _as_timestamp(value: datetime | date | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    return datetime(value.year, value.month, value.day)


def _sentence(text: str, fig: Figure) -> str | None:
    if fig.sentence_start is None or fig.sentence_end is None:
        return None
    # kept exactly as sliced, so start_char - sentence_start indexes into it
    return text[fig.sentence_start : fig.sentence_end]


def _article_rows(
    batch: Sequence[tuple[Article, Sequence[Figure]]], run_id: str, now: datetime
) -> pd.DataFrame:
    rows = [
        {
            "article_id": a.article_id,
            "content_hash": a.content_hash,
            "url": a.url,
            "source": a.source,
            "title": a.title,
            "published": _as_timestamp(a.published),
            "fetched_at": _as_timestamp(a.fetched_at),
            "loaded_at": now,
            "run_id": run_id,
            "raw_hash": a.raw_hash,
            "parser_version": a.parser_version,
            "is_current": True,
            "text": a.text,
        }
        for a, _ in batch
    ]
    columns = [
        "article_id", "content_hash", "url", "source", "title", "published", "fetched_at",
        "loaded_at", "run_id", "raw_hash", "parser_version", "is_current", "text",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("published", "fetched_at", "loaded_at"):
        frame[col] = pd.to_datetime(frame[col])
    # DuckDB keeps the first of two rows with one key in a statement, silently: dedupe first.
    return frame.drop_duplicates(subset=["article_id", "content_hash"], keep="first")


def _figure_rows(
    batch: Sequence[tuple[Article, Sequence[Figure]]], run_id: str, extractor_version: str
) -> pd.DataFrame:
    rows = []
    for article, figures in batch:
        ids = [
            figure_id(article.article_id, article.content_hash, f.start, f.end, f.kind)
            for f in figures
        ]
        by_surface = {f.surface: fid for f, fid in zip(figures, ids, strict=True)}
        for fig, fid in zip(figures, ids, strict=True):
            if article.text[fig.start : fig.end] != fig.surface:
                raise WarehouseError(
                    f"figure {fig.surface!r} does not match the text of article "
                    f"{article.article_id} at {fig.start}:{fig.end}"
                )
            base = fig.change.base if fig.change else None
            if isinstance(base, int) and 0 <= base < len(ids):
                base_id = ids[base]
            elif isinstance(base, str):
                base_id = by_surface.get(base)
            else:
                base_id = None
            rows.append(
                {
                    "figure_id": fid,
                    "article_id": article.article_id,
                    "content_hash": article.content_hash,
                    "start_char": fig.start,
                    "end_char": fig.end,
                    "surface": fig.surface,
                    "value": float(fig.value),
                    "unit": fig.unit,
                    "kind": fig.kind,
                    "approx": fig.approx,
                    "measure": fig.measure,
                    "entity": fig.entity,
                    "period": fig.period,
                    "change_direction": fig.change.direction if fig.change else None,
                    "change_reference_period": fig.change.reference_period if fig.change else None,
                    "change_base_figure_id": base_id,
                    "sentence": _sentence(article.text, fig),
                    "sentence_start": fig.sentence_start,
                    "warnings": list(fig.warnings),
                    "is_current": True,
                    "run_id": run_id,
                    "extractor_version": extractor_version,
                }
            )
    columns = [
        "figure_id", "article_id", "content_hash", "start_char", "end_char", "surface", "value",
        "unit", "kind", "approx", "measure", "entity", "period", "change_direction",
        "change_reference_period", "change_base_figure_id", "sentence", "sentence_start",
        "warnings", "is_current", "run_id", "extractor_version",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["warnings"] = frame["warnings"].astype(object)
    return frame.drop_duplicates(subset=["figure_id"], keep="first")


def load_batch(
    con: duckdb.DuckDBPyConnection,
    batch: Sequence[tuple[Article, Sequence[Figure]]],
    *,
    run_id: str,
    extractor_version: str,
) -> LoadResult:
    """Load articles with their figures in one transaction; unchanged articles are skipped.

    A new content hash for a known article is stored as a new version: the old article row and
    its figures stay, with ``is_current = false``. On any error nothing of the batch is kept.
    """
    now = datetime.now(UTC).replace(tzinfo=None)
    articles = _article_rows(batch, run_id, now)
    figures = _figure_rows(batch, run_id, extractor_version)
    con.execute("begin transaction")
    try:
        con.register("batch_articles", articles)
        con.register("batch_figures", figures)
        con.execute(
            """
            create or replace temp table new_articles as
            select b.* from batch_articles as b
            anti join articles as a
                on a.article_id = b.article_id and a.content_hash = b.content_hash
            """
        )
        # a changed article: keep the old version and its figures as history
        con.execute(
            """
            update articles set is_current = false
            where article_id in (select article_id from new_articles)
              and content_hash not in (select content_hash from new_articles)
            """
        )
        con.execute(
            """
            update figures set is_current = false
            where article_id in (select article_id from new_articles)
              and content_hash not in (select content_hash from new_articles)
            """
        )
        con.execute("insert into articles by name select * from new_articles")
        figures_loaded = con.execute(
            """
            insert into figures by name
            select f.* from batch_figures as f
            semi join new_articles as n
                on n.article_id = f.article_id and n.content_hash = f.content_hash
            anti join figures as e on e.figure_id = f.figure_id
            """
        ).fetchone()
        loaded = con.execute("select count(*) from new_articles").fetchone()
        con.execute("drop table new_articles")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.unregister("batch_articles")
        con.unregister("batch_figures")
    n_articles = int(loaded[0]) if loaded else 0
    return LoadResult(
        articles_loaded=n_articles,
        figures_loaded=int(figures_loaded[0]) if figures_loaded else 0,
        articles_unchanged=len(articles) - n_articles,
    )


def start_run(
    con: duckdb.DuckDBPyConnection, run_id: str, *, task_runner: str, extractor_version: str
) -> None:
    """Record the start of a run."""
    con.execute(
        "insert into runs (run_id, started_at, status, task_runner, extractor_version) "
        "values (?, ?, 'running', ?, ?)",
        [run_id, datetime.now(UTC).replace(tzinfo=None), task_runner, extractor_version],
    )


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    *,
    articles_seen: int,
    articles_loaded: int,
    figures_loaded: int,
    failures: int,
    flags_raised: int,
    status: str,
) -> None:
    """Record the end of a run with its counts and status."""
    con.execute(
        """
        update runs set finished_at = ?, articles_seen = ?, articles_loaded = ?,
            figures_loaded = ?, failures = ?, flags_raised = ?, status = ?
        where run_id = ?
        """,
        [
            datetime.now(UTC).replace(tzinfo=None), articles_seen, articles_loaded,
            figures_loaded, failures, flags_raised, status, run_id,
        ],
    )


def record_failures(
    con: duckdb.DuckDBPyConnection, run_id: str, failures: Iterable[Failure]
) -> int:
    """Store pages and sources that could not be read; return how many."""
    now = datetime.now(UTC).replace(tzinfo=None)
    frame = pd.DataFrame(
        [
            {"run_id": run_id, "source": f.source, "url": f.url, "stage": f.stage,
             "reason": f.reason, "failed_at": now}
            for f in failures
        ],
        columns=["run_id", "source", "url", "stage", "reason", "failed_at"],
    )
    if frame.empty:
        return 0
    con.register("batch_failures", frame)
    try:
        con.execute("insert into failures by name select * from batch_failures")
    finally:
        con.unregister("batch_failures")
    return len(frame)
