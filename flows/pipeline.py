"""The Prefect flow: sources -> fetch -> parse -> extract -> load -> check -> report.

Every task is a thin wrapper over a library function that works without Prefect; the flow only
composes them. Network tasks retry inside the fetcher (on retryable failures only); local,
deterministic work never retries.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.futures import PrefectFuture

from extractors.records import Article, Failure, Figure, article_id_for
from flows.progress import RunProgress
from flows.settings import DEFAULT_SOURCES, Settings
from flows.sources import (
    RawDocument,
    SourceSpec,
    load_sources,
    read_local,
    source_from_arg,
)

LOCAL_KINDS = ("folder", "file", "jsonl")


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What one run did, for the command line and the tests."""

    run_id: str
    db_path: str
    report_path: str | None
    task_runner: str
    articles_seen: int
    articles_loaded: int
    articles_unchanged: int
    figures_loaded: int
    failures: tuple[Failure, ...]
    flags: tuple[Any, ...]
    status: str
    totals: dict[str, int] = field(default_factory=dict)


def new_run_id() -> str:
    """Return a run id that sorts by time: UTC timestamp plus a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def resolve_sources(settings: Settings) -> tuple[list[SourceSpec], Any]:
    """Return the sources to read and the fetch configuration, from --source or a sources file."""
    from flows.fetch import FetchConfig

    if settings.source_args:
        return [source_from_arg(arg) for arg in settings.source_args], FetchConfig()
    config = load_sources(settings.sources_file or DEFAULT_SOURCES)
    return list(config.sources), config.fetch


def parse_published(value: str | date | None) -> datetime | date | None:
    """Return a date or datetime from an ISO string; None when absent or unreadable."""
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)  # 3.11 reads a trailing "Z" too
    except ValueError:
        return None
    if len(text) == 10:
        return parsed.date()
    return parsed


def article_from_document(doc: RawDocument) -> Article | Failure:
    """Return the Article a raw document holds, or a Failure saying why there is none."""
    from extractors.html import PARSER_VERSION, UnreadablePage, parse_html

    raw = doc.html if doc.html is not None else doc.text
    if raw is None:
        return Failure(source=doc.source, url=doc.url or doc.key, reason="empty document")
    raw_hash = doc.raw_hash  # the bytes as fetched or read, before decoding
    if raw_hash is None:  # a JSONL record: its html or text is all there is
        raw_bytes = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")
        raw_hash = hashlib.sha256(raw_bytes).hexdigest()
    title, published, parser_version = doc.title, parse_published(doc.published), None
    if doc.html is not None:
        try:
            page = parse_html(doc.html, url=doc.url)
        except UnreadablePage as exc:
            return Failure(source=doc.source, url=doc.url or doc.key, reason=str(exc))
        text = page.text
        title = title or page.title
        published = published or page.published
        parser_version = page.parser_version
        tables = page.tables
    else:
        text, tables, parser_version = (doc.text or "").strip(), (), PARSER_VERSION
    if not text.strip():
        return Failure(source=doc.source, url=doc.url or doc.key, reason="no main text found")
    if isinstance(published, datetime) and published.tzinfo is not None:
        # keep the page's own wall-clock time ("Updated: 2025-07-14 19:33"), as readers see it
        published = published.replace(tzinfo=None)
    return Article(
        article_id=doc.doc_id or article_id_for(doc.url or doc.key),
        text=text,
        url=doc.url or doc.key,
        title=title,
        published=published,
        source=doc.source,
        fetched_at=doc.fetched_at,
        raw_hash=raw_hash,
        parser_version=parser_version,
        tables=tables,
    )


def extract_articles(articles: Sequence[Article]) -> list[tuple[Article, list[Figure]]]:
    """Return each article with its figures; the model is loaded once and batched."""
    from extractors import extract_many

    items = [(a.text, a.published_date) for a in articles]
    return list(zip(articles, extract_many(items), strict=True))


def extractor_version() -> str:
    """Return the version string stored with every figure (lineage)."""
    try:
        from extractors import __version__ as version
    except ImportError:
        version = "0"
    return f"newsfacts-extractors/{version}"


# ----------------------------------------------------------------------------- tasks


@task(name="read-local-source")
def read_local_source(spec: SourceSpec) -> list[RawDocument | Failure]:
    """Read a folder, file or JSONL source."""
    return list(read_local(spec))


@task(name="parse-page")
def parse_page(doc: RawDocument) -> Article | Failure:
    """Parse one page into an Article."""
    return article_from_document(doc)


@task(name="extract-figures")
def extract_figures_task(articles: list[Article]) -> list[tuple[Article, list[Figure]]]:
    """Extract the figures of a batch of articles."""
    return extract_articles(articles)


@task(name="load-batch")
def load_batch_task(
    db_path: str, run_id: str, batch: list[tuple[Article, list[Figure]]], wait_s: float
) -> tuple[int, int, int]:
    """Write one batch through the single DuckDB writer; return loaded/figures/unchanged."""
    from warehouse.load import connect, load_batch

    con = connect(db_path, wait_s=wait_s)
    try:
        result = load_batch(con, batch, run_id=run_id, extractor_version=extractor_version())
    finally:
        con.close()
    return result.articles_loaded, result.figures_loaded, result.articles_unchanged


@task(name="run-checks")
def run_checks_task(db_path: str, run_id: str, wait_s: float) -> list[Any]:
    """Run every reconciliation check and store the flags."""
    from warehouse.load import connect
    from warehouse.reconcile import run_checks

    con = connect(db_path, wait_s=wait_s)
    try:
        return run_checks(con, run_id)
    finally:
        con.close()


@task(name="write-report")
def write_report_task(db_path: str, report_path: str) -> str:
    """Write the HTML data-quality report from a read-only connection."""
    from warehouse.load import connect
    from warehouse.report import write_report

    con = connect(db_path, read_only=True)
    try:
        fmt = {".md": "md", ".json": "json"}.get(Path(report_path).suffix.lower(), "html")
        return str(write_report(con, report_path, fmt))
    finally:
        con.close()


# ------------------------------------------------------------------------------ flow


def _batches(items: Sequence[Article], size: int) -> Iterable[list[Article]]:
    for start in range(0, len(items), max(1, size)):
        yield list(items[start : start + size])


def _resolve_all(futures: list[PrefectFuture[Any]], tick: Callable[[], None]) -> list[Any]:
    results = []
    for future in futures:
        results.append(future.result())
        tick()
    return results


def _run_ingest(settings: Settings, task_runner_name: str) -> RunSummary:
    """Body of the ingest flow (runs inside a flow run: tasks are submitted to its runner)."""
    from flows.remote import fetch_remote_sources, remote_specs
    from warehouse.fetches import previous_validators, record_fetches
    from warehouse.load import connect, finish_run, record_failures, start_run

    logger = get_run_logger()
    run_id = new_run_id()
    db_path = str(settings.db_path)
    specs, fetch_config = resolve_sources(settings)
    con = connect(db_path, wait_s=settings.wait_s)
    try:
        start_run(con, run_id, task_runner=task_runner_name, extractor_version=extractor_version())
        validators = previous_validators(con)  # conditional GET: sent back by fetch-page
    finally:
        con.close()
    logger.info("run %s: %d source(s) into %s (%s)", run_id, len(specs), db_path, task_runner_name)

    progress = RunProgress(settings.progress)
    read_futures = [read_local_source.submit(spec) for spec in specs if spec.kind in LOCAL_KINDS]
    # one discover-links task per feed/sitemap/list, then one fetch-page task per page
    remote = fetch_remote_sources(remote_specs(specs), fetch_config, validators, run_id,
                                  progress=progress)
    if remote.fetches:
        con = connect(db_path, wait_s=settings.wait_s)
        try:
            record_fetches(con, run_id, remote.fetches)
        finally:
            con.close()
    failures: list[Failure] = list(remote.failures)
    documents: list[RawDocument] = list(remote.documents)
    for items in _resolve_all(read_futures, lambda: None):
        for item in items:
            (failures if isinstance(item, Failure) else documents).append(item)
    # the same document listed by two sources is read once
    unique_docs = list({doc.key: doc for doc in reversed(documents)}.values())[::-1]
    logger.info("read %d document(s), %d failure(s)", len(unique_docs), len(failures))

    progress.start("parse", len(unique_docs))
    parsed = _resolve_all([parse_page.submit(doc) for doc in unique_docs], progress.tick)
    articles = [p for p in parsed if isinstance(p, Article)]
    failures += [p for p in parsed if isinstance(p, Failure)]

    progress.start("extract", len(articles))
    batch_futures = [extract_figures_task.submit(b) for b in _batches(articles, settings.batch_size)]
    loaded = figures = 0
    unchanged = len(remote.unchanged)  # pages a 304 or an unchanged hash said are the same
    for future in batch_futures:
        batch = future.result()
        a, f, u = load_batch_task(db_path, run_id, batch, settings.wait_s)
        loaded, figures, unchanged = loaded + a, figures + f, unchanged + u
        for _ in batch:
            progress.tick()
    progress.stop()

    flags = run_checks_task(db_path, run_id, settings.wait_s)
    serious = [f for f in flags if f.severity in ("warning", "error")]
    status = "ok" if not failures else ("partial" if articles or remote.unchanged else "failed")
    con = connect(db_path, wait_s=settings.wait_s)
    try:
        record_failures(con, run_id, failures)
        finish_run(
            con, run_id, articles_seen=len(unique_docs) + sum(1 for f in failures if f.stage == "source"),
            articles_loaded=loaded, figures_loaded=figures, failures=len(failures),
            flags_raised=len(serious), status=status,
        )
    finally:
        con.close()
    for failure in failures:
        logger.warning("failed: %s (%s): %s", failure.url or failure.source, failure.stage, failure.reason)
    report = None
    if settings.report_path is not None:
        report = write_report_task(db_path, str(settings.report_path))
        _publish_artifacts(db_path)
    logger.info(
        "run %s %s: %d article(s) loaded, %d unchanged, %d figure(s), %d flag(s)",
        run_id, status, loaded, unchanged, figures, len(serious),
    )
    return RunSummary(
        run_id=run_id, db_path=db_path, report_path=report, task_runner=task_runner_name,
        articles_seen=len(unique_docs), articles_loaded=loaded, articles_unchanged=unchanged,
        figures_loaded=figures, failures=tuple(failures), flags=tuple(flags), status=status,
    )


def _publish_artifacts(db_path: str) -> None:
    """Publish the report as Prefect artifacts (Markdown and a table of flags)."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    from warehouse.load import connect
    from warehouse.report import collect, render_markdown

    con = connect(db_path, read_only=True)
    try:
        data = collect(con)
    finally:
        con.close()
    create_markdown_artifact(
        key="newsfacts-report", markdown=render_markdown(data), description="newsfacts data-quality report"
    )
    create_table_artifact(
        key="newsfacts-flags",
        table=[
            {k: str(flag.get(k)) for k in ("flag_id", "check_name", "severity", "message", "article_title")}
            for flag in data.flags
        ]
        or [{"flag_id": "", "check_name": "", "severity": "", "message": "no open flags", "article_title": ""}],
        description="open flags",
    )


@flow(name="ingest", log_prints=False)
def ingest(
    sources_file: str | None = None,
    sources: list[str] | None = None,
    db: str = "newsfacts.duckdb",
    report: str | None = "newsfacts-report.html",
    batch_size: int = 50,
    wait_s: float = 60.0,
    progress: bool = False,
) -> RunSummary:
    """Ingest the sources into the warehouse, run the checks and write the report."""
    settings = Settings(
        db_path=Path(db),
        report_path=Path(report) if report else None,
        sources_file=Path(sources_file) if sources_file else None,
        source_args=tuple(sources or ()),
        batch_size=batch_size,
        wait_s=wait_s,
        progress=progress,
    )
    from flows.runlock import run_lock

    with run_lock(settings.db_path, settings.wait_s):  # a second run waits, or stops clearly
        return _run_ingest(settings, _describe_runner())


def _describe_runner() -> str:
    """Return how this flow run's tasks run, for the summary ("in threads", "on a Dask cluster")."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    runner = getattr(ctx, "task_runner", None)
    name = type(runner).__name__ if runner is not None else "sequential"
    if name == "DaskTaskRunner":
        from flows.scaleout import describe_dask

        return describe_dask(runner)
    if name == "ThreadPoolTaskRunner":
        size = getattr(runner, "_max_workers", None)
        return f"in a pool of {size} threads" if size and size < 1024 else "in a thread pool"
    return name


def run_ingest(settings: Settings) -> RunSummary:
    """Run the ingest flow with the task runner the settings ask for (threads or Dask)."""
    params = {
        "sources_file": str(settings.sources_file) if settings.sources_file else None,
        "sources": list(settings.source_args),
        "db": str(settings.db_path),
        "report": str(settings.report_path) if settings.report_path else None,
        "batch_size": settings.batch_size,
        "wait_s": settings.wait_s,
        "progress": settings.progress,
    }
    from flows.runlock import run_lock

    # taken before Prefect starts, so a busy warehouse is one clear line, not a failed flow run
    with run_lock(settings.db_path, settings.wait_s):
        if settings.workers or settings.dask_address:
            from flows.scaleout import api_for_workers, dask_task_runner

            runner = dask_task_runner(settings.workers, settings.dask_address)
            with api_for_workers(settings.dask_address):
                return ingest.with_options(task_runner=runner)(**params)
        return ingest(**params)
