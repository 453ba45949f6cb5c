"""The `fetches` table: every HTTP attempt of a run, and the validators the next run sends back.

No network here and no import of ``flows``: a fetch result is anything with the attributes of
:class:`FetchLike` (``flows.fetch.FetchResult`` has them).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import duckdb
import pandas as pd

from warehouse.load import append_frame

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

COLUMNS = (
    "url", "run_id", "fetched_at", "status", "error", "bytes", "etag", "last_modified",
    "content_hash", "elapsed_ms", "attempts",
)

# url -> (etag, last_modified, content_hash) of its last good fetch
Validators = dict[str, tuple[str | None, str | None, str | None]]


class AttemptLike(Protocol):
    """One try at a URL (``flows.fetch.Attempt``)."""

    @property
    def status(self) -> int | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def bytes(self) -> int: ...
    @property
    def elapsed_ms(self) -> int: ...
    @property
    def started_at(self) -> datetime: ...


class FetchLike(Protocol):
    """What fetching one URL gave (``flows.fetch.FetchResult``)."""

    @property
    def url(self) -> str: ...
    @property
    def status(self) -> int | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def bytes(self) -> int: ...
    @property
    def etag(self) -> str | None: ...
    @property
    def last_modified(self) -> str | None: ...
    @property
    def content_hash(self) -> str | None: ...
    @property
    def elapsed_ms(self) -> int: ...
    @property
    def fetched_at(self) -> datetime: ...
    @property
    def history(self) -> Sequence[AttemptLike]: ...


def _naive_utc(value: datetime | None) -> datetime:
    if value is None:
        return datetime.now(UTC).replace(tzinfo=None)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def fetch_rows(run_id: str, results: Iterable[FetchLike]) -> pd.DataFrame:
    """Return one row per attempt: a fetch retried twice gives rows with attempts 1, 2 and 3.

    Only the last attempt of a fetch carries its validators (etag, last_modified, content_hash).
    """
    rows: list[dict[str, Any]] = []
    for result in results:
        history = list(result.history)
        if not history:  # a result without history is one attempt
            rows.append({
                "url": result.url, "run_id": run_id, "fetched_at": _naive_utc(result.fetched_at),
                "status": result.status, "error": result.error, "bytes": result.bytes,
                "etag": result.etag, "last_modified": result.last_modified,
                "content_hash": result.content_hash, "elapsed_ms": result.elapsed_ms,
                "attempts": 1,
            })
            continue
        for number, attempt in enumerate(history, start=1):
            last = number == len(history)
            rows.append({
                "url": result.url, "run_id": run_id,
                "fetched_at": _naive_utc(attempt.started_at),
                "status": attempt.status,
                # the final error may be more precise than the attempt's (e.g. a refusal after it)
                "error": result.error if last else attempt.error,
                "bytes": attempt.bytes,
                "etag": result.etag if last else None,
                "last_modified": result.last_modified if last else None,
                "content_hash": result.content_hash if last else None,
                "elapsed_ms": attempt.elapsed_ms,
                "attempts": number,
            })
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for column in ("status", "bytes", "elapsed_ms", "attempts"):
        frame[column] = frame[column].astype("Int64")
    return frame


def record_fetches(
    con: duckdb.DuckDBPyConnection, run_id: str, results: Iterable[FetchLike]
) -> int:
    """Insert every attempt of the results into `fetches` in one statement; return the rows."""
    return append_frame(con, "fetches", fetch_rows(run_id, results))


def previous_validators(con: duckdb.DuckDBPyConnection) -> Validators:
    """Return url -> (etag, last_modified, content_hash) from the last good fetch of each URL.

    Only runs that finished count, and only pages that did not fail in that run (a page that
    could not be parsed has a `failures` row): such pages are fetched in full again, so no
    article is lost to a 304.
    """
    rows = con.execute(
        """
        with good as (
            select f.url, f.etag, f.last_modified, f.content_hash, f.fetched_at, f.attempts
            from fetches as f
            join runs as r on r.run_id = f.run_id
            where r.finished_at is not null
              and f.error is null
              and (f.status between 200 and 299 or f.status = 304)
              and (f.etag is not null or f.last_modified is not null
                   or f.content_hash is not null)
              and not exists (
                  select 1 from failures as x where x.run_id = f.run_id and x.url = f.url
              )
        ),
        latest as (
            select *, row_number() over (
                partition by url order by fetched_at desc, attempts desc
            ) as rank
            from good
        )
        select url, etag, last_modified, content_hash from latest where rank = 1
        """
    ).fetchall()
    return {url: (etag, last_modified, content_hash) for url, etag, last_modified, content_hash in rows}
