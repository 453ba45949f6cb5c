"""Write articles and figures into the DuckDB warehouse: bulk, idempotent, one transaction a batch.

DuckDB allows one writing process at a time. The writer opens the file, writes and closes;
everything else opens it read-only (:func:`connect` with ``read_only=True``).
"""

from __future__ import annotations

import csv
import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from extractors.records import Article, Failure, Figure
from warehouse.precision import printed_interval

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
    articles_reextracted: int = 0


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
        except duckdb.ConnectionException as exc:
            # this process already has the file open with other settings (read-only vs write)
            raise WarehouseError(
                f"cannot open {path} {'read-only' if read_only else 'for writing'}: "
                f"this process already has it open the other way ({exc})"
            ) from exc
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise WarehouseError(f"cannot open {path}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"{path} is being written by another newsfacts process; "
                    "wait for it to finish (or use --wait SECONDS)"
                ) from exc
            time.sleep(0.5)
    # library code does not draw on the terminal: DuckDB's progress bar is the CLI's business
    con.execute("set enable_progress_bar = false")
    if not read_only:
        _apply_schema(con)
    return con


def _apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    # one transaction: dozens of catalog statements, one commit (and one fsync) instead of each
    con.execute("begin transaction")
    try:
        con.execute(schema_sql())
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    _load_exchange_rates(con)


def exchange_rate_rows() -> list[tuple[str, int, float, float | None, str | None]]:
    """Return the rows of warehouse/exchange_rates.csv (comment lines skipped)."""
    text = resources.files("warehouse").joinpath("exchange_rates.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return [
        (
            row["currency"],
            int(row["year"]),
            float(row["per_usd"]),
            float(row["published_quote"]) if row["published_quote"] else None,
            row["checked_against"] or None,
        )
        for row in csv.DictReader(lines)
    ]


def _load_exchange_rates(con: duckdb.DuckDBPyConnection) -> None:
    rows = exchange_rate_rows()
    stored = con.execute("select count(*) from exchange_rates").fetchall()[0]
    if stored and stored[0] == len(rows):
        return
    con.execute("begin transaction")
    try:
        con.execute("delete from exchange_rates")
        con.executemany("insert into exchange_rates values (?, ?, ?, ?, ?)", rows)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


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


_ARTICLE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("content_hash", pa.string()),
        ("url", pa.string()),
        ("source", pa.string()),
        ("title", pa.string()),
        ("published", pa.timestamp("us")),
        ("fetched_at", pa.timestamp("us")),
        ("loaded_at", pa.timestamp("us")),
        ("run_id", pa.string()),
        ("raw_hash", pa.string()),
        ("parser_version", pa.string()),
        ("is_current", pa.bool_()),
        ("text", pa.string()),
        ("extractor_version", pa.string()),
        ("batch_order", pa.int64()),
    ]
)

_FIGURE_SCHEMA = pa.schema(
    [
        ("figure_id", pa.string()),
        ("article_id", pa.string()),
        ("content_hash", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("surface", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("kind", pa.string()),
        ("approx", pa.string()),
        ("measure", pa.string()),
        ("entity", pa.string()),
        ("period", pa.string()),
        ("change_direction", pa.string()),
        ("change_reference_period", pa.string()),
        ("change_base_figure_id", pa.string()),
        ("sentence", pa.string()),
        ("sentence_start", pa.int32()),
        ("warnings", pa.list_(pa.string())),
        ("precision", pa.float64()),
        ("value_low", pa.float64()),
        ("value_high", pa.float64()),
        ("is_current", pa.bool_()),
        ("run_id", pa.string()),
        ("extractor_version", pa.string()),
    ]
)


def _article_table(
    batch: Sequence[tuple[Article, Sequence[Figure]]], run_id: str, now: datetime
) -> pa.Table:
    """Return one row per distinct article version; the last version of an id in the batch wins."""
    rows: dict[tuple[str, str], dict[str, object]] = {}
    for order, (a, _) in enumerate(batch):
        key = (a.article_id, a.content_hash)
        # DuckDB keeps the first of two rows with one key in a statement, silently: dedupe here
        rows.pop(key, None)
        rows[key] = {
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
            "extractor_version": None,
            "batch_order": order,
        }
    return pa.Table.from_pylist(list(rows.values()), schema=_ARTICLE_SCHEMA)


def _base_id(fig: Figure, ids: list[str], by_surface: dict[str, str]) -> str | None:
    base = fig.change.base if fig.change else None
    if isinstance(base, int) and 0 <= base < len(ids):
        return ids[base]
    if isinstance(base, str):
        return by_surface.get(base)
    return None


def _figure_table(
    batch: Sequence[tuple[Article, Sequence[Figure]]], run_id: str, extractor_version: str
) -> pa.Table:
    """Return the figure rows of a batch, checked against their texts, first of a duplicate kept."""
    rows: list[tuple[Any, ...]] = []
    seen: set[str] = set()
    for article, figures in batch:
        article_id, content_hash, text = article.article_id, article.content_hash, article.text
        ids = [figure_id(article_id, content_hash, f.start, f.end, f.kind) for f in figures]
        by_surface = {f.surface: fid for f, fid in zip(figures, ids, strict=True)}
        for fig, fid in zip(figures, ids, strict=True):
            if text[fig.start : fig.end] != fig.surface:
                raise WarehouseError(
                    f"figure {fig.surface!r} does not match the text of article "
                    f"{article_id} at {fig.start}:{fig.end}"
                )
            if fid in seen:
                continue
            seen.add(fid)
            value = float(fig.value)
            step, low, high = printed_interval(fig.surface, value, fig.approx)
            change = fig.change
            # in the order of _FIGURE_SCHEMA; a tuple per figure is the cheap way to build columns
            rows.append(
                (
                    fid,
                    article_id,
                    content_hash,
                    fig.start,
                    fig.end,
                    fig.surface,
                    value,
                    fig.unit,
                    fig.kind,
                    fig.approx,
                    fig.measure,
                    fig.entity,
                    fig.period,
                    change.direction if change else None,
                    change.reference_period if change else None,
                    _base_id(fig, ids, by_surface),
                    _sentence(text, fig),
                    fig.sentence_start,
                    list(fig.warnings),
                    step,
                    low,
                    high,
                    True,
                    run_id,
                    extractor_version,
                )
            )
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(_FIGURE_SCHEMA.names)
    cols = dict(zip(_FIGURE_SCHEMA.names, map(list, columns), strict=True))
    return pa.Table.from_pydict(cols, schema=_FIGURE_SCHEMA)


# The steps of one batch, in order; each runs inside the batch's transaction.
_LOAD_STEPS: tuple[tuple[str, str], ...] = (
    (
        "diff",
        """
        create or replace temp table batch_state as
        select b.*,
               b.batch_order = max(b.batch_order) over (partition by b.article_id) as wins,
               a.content_hash is not null as known,
               coalesce(a.is_current, false) as was_current,
               a.extractor_version as stored_extractor
        from batch_articles as b
        left join articles as a
            on a.article_id = b.article_id and a.content_hash = b.content_hash
        """,
    ),
    (
        "retire_old_versions",
        # another version became current: keep the old one and its figures as history
        """
        update articles set is_current = false
        from batch_state as s
        where s.wins and articles.article_id = s.article_id
          and articles.content_hash <> s.content_hash and articles.is_current
        """,
    ),
    (
        "retire_old_figures",
        """
        update figures set is_current = false
        from batch_state as s
        where s.wins and figures.article_id = s.article_id
          and figures.content_hash <> s.content_hash and figures.is_current
        """,
    ),
    (
        "revive_versions",
        # an article that went back to an earlier text: that version is current again
        """
        update articles set is_current = true
        from batch_state as s
        where s.wins and s.known and not s.was_current
          and articles.article_id = s.article_id and articles.content_hash = s.content_hash
        """,
    ),
    (
        "revive_figures",
        """
        update figures set is_current = true
        from batch_state as s
        where s.wins and s.known and not s.was_current
          and figures.article_id = s.article_id and figures.content_hash = s.content_hash
        """,
    ),
    (
        "insert_articles",
        """
        insert into articles by name
        select * exclude (batch_order, wins, known, was_current, stored_extractor)
               replace (wins as is_current, ? as extractor_version)
        from batch_state where not known
        """,
    ),
    (
        "drop_reextracted_figures",
        # same text read by another extractor version: its figures are replaced
        """
        delete from figures
        using batch_state as s
        where s.known and s.stored_extractor is distinct from ?
          and figures.article_id = s.article_id and figures.content_hash = s.content_hash
        """,
    ),
    (
        "mark_extractor",
        """
        update articles set extractor_version = ?
        from batch_state as s
        where s.known and s.stored_extractor is distinct from ?
          and articles.article_id = s.article_id and articles.content_hash = s.content_hash
        """,
    ),
    (
        "insert_figures",
        """
        insert into figures by name
        select f.* replace (s.wins as is_current)
        from batch_figures as f
        join batch_state as s
            on s.article_id = f.article_id and s.content_hash = f.content_hash
        where not s.known or s.stored_extractor is distinct from ?
        """,
    ),
)


# which kind of work a step does; it runs only when the batch has some of that work
_STEP_NEEDS = {
    "retire_old_versions": "retire",
    "retire_old_figures": "retire",
    "revive_versions": "revive",
    "revive_figures": "revive",
    "drop_reextracted_figures": "reextract",
    "mark_extractor": "reextract",
}


def _needed_work(con: duckdb.DuckDBPyConnection, extractor_version: str) -> set[str]:
    """Return the kinds of work (retire, revive, reextract) the batch in batch_state needs."""
    row = con.execute(
        """
        select
            exists (
                select 1 from batch_state as s
                join articles as a
                    on a.article_id = s.article_id and a.content_hash <> s.content_hash
                where s.wins and a.is_current
            ),
            count(*) filter (where wins and known and not was_current) > 0,
            count(*) filter (where known and stored_extractor is distinct from ?) > 0
        from batch_state
        """,
        [extractor_version],
    ).fetchall()[0]
    return {
        name for name, wanted in zip(("retire", "revive", "reextract"), row, strict=True) if wanted
    }


def load_batch(
    con: duckdb.DuckDBPyConnection,
    batch: Sequence[tuple[Article, Sequence[Figure]]],
    *,
    run_id: str,
    extractor_version: str,
    on_step: Callable[[str], None] | None = None,
) -> LoadResult:
    """Load articles with their figures in one transaction; unchanged articles are skipped.

    A new content hash for a known article is stored as a new version: the old article row and
    its figures stay, with ``is_current = false``. An unchanged article whose figures came from
    another extractor version gets its figures replaced. On any error (or a crash) nothing of
    the batch is kept. ``on_step`` is called with each step's name, for progress logging.
    """
    now = datetime.now(UTC).replace(tzinfo=None)
    articles = _article_table(batch, run_id, now)
    figures = _figure_table(batch, run_id, extractor_version)
    con.register("batch_articles", articles)
    con.register("batch_figures", figures)
    con.execute("begin transaction")
    try:
        counts: dict[str, int] = {}
        needed: set[str] = set()
        for name, sql in _LOAD_STEPS:
            # the steps that touch stored rows scan the figures table: skip them when no
            # article of the batch needs them (the usual batch has only new articles)
            if name in _STEP_NEEDS and not needed & {_STEP_NEEDS[name]}:
                if on_step is not None:
                    on_step(name)
                continue
            params = [extractor_version] * sql.count("?")
            rows = con.execute(sql, params).fetchall()
            counts[name] = int(rows[0][0]) if rows and isinstance(rows[0][0], int) else 0
            if name == "diff":
                needed = _needed_work(con, extractor_version)
            if on_step is not None:
                on_step(name)
        stats = con.execute(
            """
            select count(*) filter (where not known or not was_current),
                   count(*) filter (where known and stored_extractor is distinct from ?),
                   count(*) filter (where known and was_current
                                      and stored_extractor is not distinct from ?)
            from batch_state
            """,
            [extractor_version, extractor_version],
        ).fetchall()[0]
        con.execute("drop table batch_state")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.unregister("batch_articles")
        con.unregister("batch_figures")
    loaded, reextracted, unchanged = (int(x) for x in stats) if stats else (0, 0, 0)
    return LoadResult(
        articles_loaded=loaded,
        figures_loaded=counts.get("insert_figures", 0),
        articles_unchanged=unchanged,
        articles_reextracted=reextracted,
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
            datetime.now(UTC).replace(tzinfo=None),
            articles_seen,
            articles_loaded,
            figures_loaded,
            failures,
            flags_raised,
            status,
            run_id,
        ],
    )


def record_failures(
    con: duckdb.DuckDBPyConnection, run_id: str, failures: Iterable[Failure]
) -> int:
    """Store pages and sources that could not be read; return how many."""
    now = datetime.now(UTC).replace(tzinfo=None)
    frame = pd.DataFrame(
        [
            {
                "run_id": run_id,
                "source": f.source,
                "url": f.url,
                "stage": f.stage,
                "reason": f.reason,
                "failed_at": now,
            }
            for f in failures
        ],
        columns=["run_id", "source", "url", "stage", "reason", "failed_at"],
    )
    return append_frame(con, "failures", frame)


def append_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    """Append a DataFrame to one of the warehouse's tables in one statement; return the rows.

    ``table`` is always a literal from this package, never user input.
    """
    if frame.empty:
        return 0
    view = f"batch_{table}"
    con.register(view, frame)
    try:
        con.execute(f"insert into {table} by name select * from {view}")
    finally:
        con.unregister(view)
    return len(frame)
